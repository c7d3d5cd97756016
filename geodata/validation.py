"""Validating layers: find every problem in a table, then raise once.

:func:`validate_layer` turns a table as a planner wrote it (any column names
the schema knows, Chinese headers and labels, coordinates in lon/lat columns,
a WKT column or a geometry column, any supported datum) into a layer of one
of the kinds in :mod:`geodata.schema`, or raises a :class:`DataError` that
lists every problem found.

Row numbers
-----------
Every :class:`Problem` names the **data row**, counted from 1: the first row
under the header is row 1, whatever the table's index. In Excel, where the
header is line 1, data row ``n`` is on line ``n + 1`` (plus any title lines
:func:`geodata.read_layer` skipped above the header). Problems about the whole
file (a missing column, for instance) have ``row=None``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.validation import explain_validity

from . import crs as _crs
from ._errors import DataError, Problem
from .schema import CATEGORY_LABELS_ZH, Field, LayerKind, layer_kind

_LON_NAMES = ("lon", "lng", "long", "longitude", "x", "经度", "东经")
_LAT_NAMES = ("lat", "latitude", "y", "纬度", "北纬")
_WKT_NAMES = ("wkt", "geometry", "geom", "几何")
_TRUE = frozenset({"true", "t", "yes", "y", "1", "是", "有", "√", "✓", "对"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "否", "无", "×", "✗", "不"})
_REPORT_COLUMNS = ["row", "column", "message", "value"]
_WIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "　": " "})


def _norm(name: object) -> str:
    text = str(name).translate(_WIDTH).strip().casefold()
    return re.sub(r"\s+", "", text)


def _bare(name: object) -> str:
    """Return a normalised name without a trailing unit in parentheses."""
    return re.sub(r"\(.*?\)$", "", _norm(name)) or _norm(name)


def _cat_key(value: object) -> str:
    return re.sub(r"[\s_\-]+", "", str(value).translate(_WIDTH).strip().casefold())


class _Collector:
    """Problems found so far, and which data rows (0-based) they make unusable."""

    def __init__(self) -> None:
        self.file: list[Problem] = []
        self.rows: list[Problem] = []
        self.bad: set[int] = set()

    def whole(self, column: str | None, message: str, value: object = None) -> None:
        self.file.append(Problem(None, column, message, None if value is None else str(value)))

    def row(
        self, pos: int | np.integer[Any], column: str | None, message: str, value: object = None
    ) -> None:
        text = None if value is None or _is_missing(value) else str(value)
        self.rows.append(Problem(int(pos) + 1, column, message, text))
        self.bad.add(int(pos))

    def ordered(self, columns: list[object] | None = None) -> list[Problem]:
        """Return the problems in file order: whole-file ones, then by row and column."""
        return self.file + self.sorted_rows(columns)

    def sorted_rows(self, columns: list[object] | None = None) -> list[Problem]:
        order = {str(c): i for i, c in enumerate(columns or [])}
        return sorted(self.rows, key=lambda p: (p.row or 0, order.get(str(p.column), len(order))))


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


def _find_named(
    columns: Iterable[object], names: tuple[str, ...], what: str, found: _Collector
) -> object | None:
    """Return the column whose name is in ``names`` (earliest name wins)."""
    best: dict[int, list[object]] = {}
    for col in columns:
        for key in (_norm(col), _bare(col)):
            if key in names:
                best.setdefault(names.index(key), []).append(col)
                break
    if not best:
        return None
    cols = best[min(best)]
    if len(cols) > 1:
        listed = " and ".join(repr(str(c)) for c in cols)
        found.whole(None, f"columns {listed} could each be the {what}; rename or remove one")
        return None
    return cols[0]


def _known_names(spec: LayerKind) -> set[str]:
    """Return every normalised column name that means something for ``spec``."""
    names = {*_LON_NAMES, *_LAT_NAMES, *_WKT_NAMES}
    for f in spec.fields:
        for alias in (f.name, f.label_zh, *f.aliases):
            if alias:
                names |= {_norm(alias), _bare(alias)}
    return names


def _map_columns(columns: list[object], spec: LayerKind, found: _Collector) -> dict[str, object]:
    """Map schema field names to source columns: exact names first, then aliases."""
    mapping: dict[str, object] = {}
    claimed: set[int] = set()

    def take(field: Field, cols: list[object]) -> None:
        if len(cols) == 1:
            mapping[field.name] = cols[0]
            claimed.add(columns.index(cols[0]))
        elif len(cols) > 1:
            listed = " and ".join(repr(str(c)) for c in cols)
            found.whole(
                field.name,
                f"columns {listed} both map to field {field.name!r}; rename or remove one",
            )

    for f in spec.fields:
        take(f, [c for c in columns if _norm(c) == f.name])
    for f in spec.fields:
        if f.name in mapping or any(p.column == f.name for p in found.file):
            continue
        names = {_norm(a) for a in (*f.aliases, f.label_zh) if a}
        names |= {_bare(a) for a in (*f.aliases, f.label_zh) if a}
        cols = [
            c
            for i, c in enumerate(columns)
            if i not in claimed and (_norm(c) in names or _bare(c) in names)
        ]
        take(f, cols)
    return mapping


def _blank(values: pd.Series) -> np.ndarray:
    """Return which values are missing: NA, None or whitespace-only text."""
    na = np.asarray(values.isna(), dtype=bool)
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return na
    text = values.astype(object).where(~na, "").astype(str)
    return na | np.asarray(text.str.strip().eq(""), dtype=bool)


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(numbers, missing, bad)`` for a column of numbers or text."""
    missing = _blank(values)
    if pd.api.types.is_bool_dtype(values):
        nums = np.full(len(values), np.nan)
        return nums, missing, ~missing
    if pd.api.types.is_numeric_dtype(values):
        nums = np.array(values, dtype="float64")
    else:
        obj = values.astype(object)
        if pd.api.types.infer_dtype(obj, skipna=True) in ("string", "empty"):
            is_bool = np.zeros(len(obj), dtype=bool)
        else:
            is_bool = np.asarray(obj.map(lambda v: isinstance(v, bool | np.bool_)), dtype=bool)
        text = obj.where(~missing & ~is_bool, "").astype(str)
        cleaned = text.str.replace(r"[\s,，]", "", regex=True)
        nums = np.array(pd.to_numeric(cleaned, errors="coerce"), dtype="float64")
        nums[is_bool] = np.inf
    bad = ~missing & ~np.isfinite(nums)
    nums[missing | bad] = np.nan
    return nums, missing, bad


def _texts(values: pd.Series) -> list[str | None]:
    missing = _blank(values)
    out: list[str | None] = []
    for v, blank in zip(values.astype(object), missing, strict=True):
        if blank:
            out.append(None)
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v).strip())
    return out


def _fmt(value: float) -> str:
    return f"{value:g}"


def _coerce_numeric(
    f: Field, values: pd.Series, column: str, found: _Collector
) -> tuple[np.ndarray, np.ndarray]:
    nums, missing, bad = _numbers(values)
    raw = values.astype(object).to_numpy()
    for pos in np.flatnonzero(bad):
        found.row(pos, column, f"{f.name} must be a number", raw[pos])
    if f.type == "int":
        frac = ~np.isnan(nums) & (np.mod(nums, 1) != 0)
        for pos in np.flatnonzero(frac):
            found.row(pos, column, f"{f.name} must be a whole number", raw[pos])
    if f.minimum is not None or f.maximum is not None:
        lo = -np.inf if f.minimum is None else f.minimum
        hi = np.inf if f.maximum is None else f.maximum
        out = ~np.isnan(nums) & ((nums < lo) | (nums > hi))
        rng = f"between {_fmt(lo)} and {_fmt(hi)}"
        if f.maximum is None:
            rng = f"at least {_fmt(lo)}"
        elif f.minimum is None:
            rng = f"at most {_fmt(hi)}"
        unit = f" {f.unit}" if f.unit else ""
        for pos in np.flatnonzero(out):
            found.row(pos, column, f"{f.name} must be {rng}{unit}", raw[pos])
    return nums, missing


def _bool_value(value: object) -> bool | None:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    key = _cat_key(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


def _category_lookup(f: Field) -> dict[str, str]:
    lookup = {_cat_key(a): a for a in f.allowed}
    for value, label in CATEGORY_LABELS_ZH.get(f.name, {}).items():
        if value in f.allowed:
            lookup.setdefault(_cat_key(label), value)
    return lookup


def _allowed_text(f: Field) -> str:
    labels = CATEGORY_LABELS_ZH.get(f.name, {})
    return ", ".join(f"{a} ({labels[a]})" if a in labels else a for a in f.allowed)


def _coerce_field(
    f: Field, values: pd.Series | None, column: str, n: int, found: _Collector
) -> np.ndarray:
    """Return the typed values of one field, recording every bad value."""
    if values is None:
        fill = f.default
        if fill is None:
            fill = "" if f.type in ("str", "category") else np.nan
        dtype = {"int": "int64", "float": "float64", "bool": "bool"}.get(f.type, object)
        return np.full(n, fill, dtype=dtype)
    raw = values.astype(object).to_numpy()
    if f.type in ("int", "float"):
        nums, missing = _coerce_numeric(f, values, column, found)
        if f.required:
            for pos in np.flatnonzero(missing):
                found.row(pos, column, f"required value {f.name} is missing")
        fill = np.nan if f.default is None else float(f.default)  # type: ignore[arg-type]
        nums = np.where(missing, fill, nums)
        if f.type == "int":
            return np.nan_to_num(nums, nan=0.0).astype("int64")
        return nums
    if f.type == "bool":
        out = np.zeros(n, dtype=bool)
        for i, v in enumerate(raw):
            if _is_missing(v):
                if f.required:
                    found.row(i, column, f"required value {f.name} is missing")
                out[i] = bool(f.default)
                continue
            parsed = _bool_value(v)
            if parsed is None:
                found.row(i, column, f"{f.name} must be yes/no (是/否, true/false, 1/0)", v)
            else:
                out[i] = parsed
        return out
    texts = _texts(values)
    result = np.empty(n, dtype=object)
    lookup = _category_lookup(f) if f.type == "category" else {}
    matched = (
        {t: lookup.get(_cat_key(t)) for t in set(texts) if t is not None}
        if f.type == "category"
        else {}
    )
    for i, text in enumerate(texts):
        if text is None:
            if f.required:
                found.row(i, column, f"required value {f.name} is missing")
            result[i] = "" if f.default is None else f.default
        elif f.type == "category":
            value = matched[text]
            if value is None:
                found.row(i, column, f"unknown {f.name}; allowed: {_allowed_text(f)}", text)
            result[i] = value
        else:
            result[i] = text
    return result


def _geometry_from_lonlat(
    data: pd.DataFrame, lon_col: object, lat_col: object, found: _Collector
) -> tuple[np.ndarray, np.ndarray]:
    lon, lon_missing, lon_bad = _numbers(data[lon_col])
    lat, lat_missing, lat_bad = _numbers(data[lat_col])
    raw_lon = data[lon_col].astype(object).to_numpy()
    raw_lat = data[lat_col].astype(object).to_numpy()
    for pos in np.flatnonzero(lon_missing):
        found.row(pos, str(lon_col), "longitude is missing")
    for pos in np.flatnonzero(lat_missing):
        found.row(pos, str(lat_col), "latitude is missing")
    for pos in np.flatnonzero(lon_bad):
        found.row(pos, str(lon_col), "longitude is not a number", raw_lon[pos])
    for pos in np.flatnonzero(lat_bad):
        found.row(pos, str(lat_col), "latitude is not a number", raw_lat[pos])
    return lon, lat


def _check_degrees(where: _Geometry, found: _Collector) -> None:
    """Record coordinates out of range or apparently swapped (degrees expected)."""
    present = np.array([g is not None and not g.is_empty for g in where.geoms], dtype=bool)
    rows = np.flatnonzero(present)
    if not len(rows):
        return
    lon, lat = _extreme_lonlat(shapely.bounds(where.geoms[rows]))
    lon_col = where.name if where.lon_col is None else str(where.lon_col)
    lat_col = where.name if where.lat_col is None else str(where.lat_col)
    ok = np.isfinite(lon) & np.isfinite(lat)
    swapped = ok & (np.abs(lat) > 90) & (np.abs(lat) <= 180) & (np.abs(lon) <= 90)
    bad_lon = ok & ~swapped & (np.abs(lon) > 180)
    bad_lat = ok & ~swapped & (np.abs(lat) > 90)
    for i in np.flatnonzero(swapped):
        found.row(
            rows[i],
            lat_col,
            f"latitude {lat[i]:g} is out of range [-90, 90] while longitude {lon[i]:g} "
            "looks like a latitude: longitude and latitude appear swapped; swap the two columns",
            f"lon={lon[i]:g}, lat={lat[i]:g}",
        )
    hint = _metres_hint(lon[bad_lon | bad_lat], lat[bad_lon | bad_lat])
    for i in np.flatnonzero(bad_lon):
        message = f"longitude is out of range [-180, 180]{hint}"
        found.row(rows[i], lon_col, message, f"{lon[i]:.10g}")
    for i in np.flatnonzero(bad_lat):
        message = f"latitude is out of range [-90, 90]{hint}"
        found.row(rows[i], lat_col, message, f"{lat[i]:.10g}")


def _metres_hint(lon: np.ndarray, lat: np.ndarray) -> str:
    """Return advice when out-of-range coordinates look like projected metres."""
    values = np.abs(np.concatenate([lon, lat]))
    values = values[np.isfinite(values)]
    if not len(values) or values.max() < 1000:
        return ""
    prefixed = values[values >= 1e7]
    zones = set(np.floor(prefixed / 1e6).astype(int).tolist())
    if len(zones) == 1 and 25 <= (zone := zones.pop()) <= 45:
        code = 4488 + zone
        return (
            f"; the numbers look like metres in CGCS2000 / 3-degree Gauss-Kruger zone {zone} "
            f"(the 8-digit number is the easting): pass crs='EPSG:{code}'"
        )
    return "; the numbers look like projected metres, not degrees: pass crs= the file's EPSG code"


def _extreme_lonlat(bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return per-geometry lon and lat to test: the bound farthest from zero."""
    lon = np.where(np.abs(bounds[:, 0]) > np.abs(bounds[:, 2]), bounds[:, 0], bounds[:, 2])
    lat = np.where(np.abs(bounds[:, 1]) > np.abs(bounds[:, 3]), bounds[:, 1], bounds[:, 3])
    return lon, lat


def _is_geographic(source: str) -> bool:
    if source in ("wgs84", "cgcs2000", "gcj02", "bd09"):
        return True
    import pyproj

    return bool(pyproj.CRS.from_user_input(source).is_geographic)


def _parse_wkt(values: pd.Series, column: str, found: _Collector) -> np.ndarray:
    geoms = np.empty(len(values), dtype=object)
    for pos, v in enumerate(values.astype(object)):
        if isinstance(v, shapely.Geometry):
            geoms[pos] = v
        elif _is_missing(v):
            geoms[pos] = None
        else:
            try:
                geoms[pos] = shapely.from_wkt(str(v).strip())
            except shapely.errors.GEOSException:
                geoms[pos] = None
                found.row(pos, column, "geometry is not valid WKT", str(v)[:60])
    return geoms


def _check_geometry(
    geoms: np.ndarray, spec: LayerKind, column: str, found: _Collector, *, parsed: set[int]
) -> None:
    wanted = ("Point",) if spec.geometry == "Point" else ("Polygon", "MultiPolygon")
    article = "a point" if spec.geometry == "Point" else "a polygon"
    for pos, g in enumerate(geoms):
        if pos in parsed:
            continue
        if g is None or g.is_empty:
            found.row(pos, column, "geometry is empty")
        elif g.geom_type not in wanted:
            found.row(pos, column, f"wrong geometry type: expected {article}, got {g.geom_type}")
        elif not g.is_valid:
            found.row(pos, column, f"invalid geometry: {explain_validity(g)}")


def validate_layer(
    data: pd.DataFrame,
    kind: str,
    *,
    crs: Any = None,
    source: str | None = None,
    lenient: bool = False,
    return_report: bool = False,
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check a table against a layer kind and return it as a clean layer.

    Every problem in the table is collected before anything is raised.

    Parameters
    ----------
    data
        A GeoDataFrame, or a DataFrame with coordinates in longitude/latitude
        columns (``lon``/``lng``/``longitude``/``x``/``经度``, ``lat``/
        ``latitude``/``y``/``纬度``) or in a WKT column (``wkt``/``geometry``/
        ``geom``/``几何``). Column names may be field names, aliases or
        Chinese headers of the kind (see ``docs/data.md``), in any case;
        category values may be the Chinese labels.
    kind
        Layer kind, one of :data:`geodata.schema.KINDS`.
    crs
        Coordinate system of the coordinates, any value
        :func:`geodata.crs.parse_crs` accepts. None means the GeoDataFrame's
        own crs, or WGS84 for a table. A GeoDataFrame's own crs is used
        unless ``crs`` is ``"gcj02"`` or ``"bd09"``: such data claims
        EPSG:4326 but holds shifted numbers.
    source
        Name of the file, used in the error message.
    lenient
        If True, drop rows with problems instead of raising; problems with
        the whole table (e.g. a missing required column) still raise.
    return_report
        If True, also return the table of skipped rows.

    Returns
    -------
    geopandas.GeoDataFrame or tuple
        The layer in EPSG:4326 with the kind's columns in schema order (typed,
        missing optional columns filled with their defaults), then any other
        columns, then ``geometry``. ``attrs["skipped"]`` lists skipped rows as
        records with keys row, column, message, value (one per problem;
        empty unless lenient). With ``return_report`` the same as a
        DataFrame: ``(layer, report)``.

    Raises
    ------
    geodata.DataError
        Listing every problem (row number, column, message, value).
    """
    spec = layer_kind(kind)
    found = _Collector()
    table = pd.DataFrame(data).reset_index(drop=True)
    duplicated = sorted({str(c) for c in table.columns[table.columns.duplicated()]})
    if duplicated:
        listed = ", ".join(repr(c) for c in duplicated)
        found.whole(None, f"column names must be unique; repeated: {listed}")
        raise DataError(found.ordered(), source=source)
    user_crs = None if crs is None else _crs.parse_crs(crs)
    where = _locate_geometry(data, table, spec, found)
    source_crs = _source_crs(where, user_crs)
    shifted = source_crs in ("gcj02", "bd09")
    if shifted and where.file_crs is not None and not _is_geographic(where.file_crs):
        projected = gpd.GeoSeries(where.geoms, crs=where.file_crs).to_crs("EPSG:4326")
        where.geoms = np.asarray(projected.values, dtype=object)

    if spec.geometry == "Point" and len(where.geoms):
        single = (shapely.get_type_id(where.geoms) == 4) & (
            shapely.get_num_geometries(where.geoms) == 1
        )
        where.geoms[single] = shapely.get_geometry(where.geoms[single], 0)

    skip = {*where.used, where.wkt_col, where.geom_col}
    rest: list[object] = [c for c in table.columns if c not in skip and str(c) != "geometry"]
    mapping = _map_columns(rest, spec, found)
    _check_required_columns(spec, mapping, list(where.columns), found)
    values = {
        f.name: _coerce_field(
            f,
            None if f.name not in mapping else table[mapping[f.name]],
            str(mapping.get(f.name, f.name)),
            len(table),
            found,
        )
        for f in spec.fields
    }
    _check_duplicate_ids(values["id"], str(mapping.get("id", "id")), found)
    if len(table) and _is_geographic(source_crs):
        _check_degrees(where, found)
    _check_geometry(where.geoms, spec, where.name, found, parsed=where.parsed)

    if found.file or (found.rows and not lenient):
        raise DataError(found.ordered(list(table.columns)), source=source)

    keep = np.ones(len(table), dtype=bool)
    keep[sorted(found.bad)] = False
    out_cols: dict[str, Any] = {name: vals[keep] for name, vals in values.items()}
    for col in rest:
        if col not in mapping.values():
            out_cols[str(col)] = table[col].to_numpy()[keep]
    frame = pd.DataFrame(out_cols)
    for f in spec.fields:
        if f.type in ("str", "category"):
            frame[f.name] = frame[f.name].astype(object)
    series = gpd.GeoSeries(where.geoms[keep], crs="EPSG:4326")
    if source_crs not in ("wgs84", "cgcs2000"):
        series = _crs.transform_geometries(series, src=source_crs, dst="wgs84")
    layer = gpd.GeoDataFrame(frame, geometry=series.values, crs="EPSG:4326")
    skipped = found.sorted_rows(list(table.columns))
    report = pd.DataFrame([p.__dict__ for p in skipped], columns=_REPORT_COLUMNS)
    layer.attrs["skipped"] = report.to_dict("records")
    if return_report:
        return layer, report
    return layer


@dataclass
class _Geometry:
    """Where a table's geometry came from, and the geometries themselves."""

    geoms: np.ndarray
    columns: list[object]
    file_crs: str | None = None
    geom_col: object | None = None
    lon_col: object | None = None
    lat_col: object | None = None
    wkt_col: object | None = None
    used: list[object] = field(default_factory=list)
    parsed: set[int] = field(default_factory=set)

    @property
    def name(self) -> str:
        """Column to name in geometry problems."""
        if self.geom_col is not None:
            return str(self.geom_col)
        return str(self.used[0]) if self.used else "geometry"


def _locate_geometry(
    data: pd.DataFrame, table: pd.DataFrame, spec: LayerKind, found: _Collector
) -> _Geometry:
    """Take the geometry column, else lon/lat columns, else a WKT column."""
    n = len(table)
    if isinstance(data, gpd.GeoDataFrame) and data.geometry.name in table.columns:
        geom_col = data.geometry.name
        columns: list[object] = [c for c in table.columns if c != geom_col]
        file_crs = None if data.crs is None else _crs.parse_crs(data.crs)
        if not (n and table[geom_col].isna().all()):
            geoms = np.array(table[geom_col].to_numpy(), dtype=object, copy=True)
            return _Geometry(geoms, columns, file_crs=file_crs, geom_col=geom_col)
    else:
        columns = list(table.columns)
    where = _Geometry(np.full(n, None, dtype=object), columns)
    where.lon_col = _find_named(columns, _LON_NAMES, "longitude", found)
    where.lat_col = _find_named(columns, _LAT_NAMES, "latitude", found)
    where.wkt_col = _find_named(columns, _WKT_NAMES, "WKT geometry", found)
    if spec.geometry == "Point" and where.lon_col is not None and where.lat_col is not None:
        where.used = [where.lon_col, where.lat_col]
        lon, lat = _geometry_from_lonlat(table, where.lon_col, where.lat_col, found)
        where.parsed = set(found.bad)
        where.geoms = np.asarray(shapely.points(lon, lat), dtype=object)
        where.geoms[sorted(where.parsed)] = None
        return where
    if where.wkt_col is not None:
        where.used = [where.wkt_col]
        where.geoms = _parse_wkt(table[where.wkt_col], str(where.wkt_col), found)
        where.parsed = set(found.bad)
        return where
    where.parsed = set(range(n))
    found_cols = ", ".join(repr(str(c)) for c in columns) or "none"
    if spec.geometry == "Point":
        need = "longitude and latitude columns (e.g. lon/lat or 经度/纬度) or a WKT column"
        if (where.lon_col is None) != (where.lat_col is None):
            have, lack = ("longitude", "latitude")
            if where.lon_col is None:
                have, lack = lack, have
            need = f"a {lack} column to go with the {have} column"
    else:
        need = "polygon geometry: a WKT column (wkt/geometry/几何) or a spatial file"
    found.whole(None, f"no coordinates found: need {need}; found columns: {found_cols}")
    return where


def _source_crs(where: _Geometry, user_crs: str | None) -> str:
    """Return the datum of the geometries: the file's, unless the user says GCJ-02/BD-09."""
    if user_crs in ("gcj02", "bd09"):
        return user_crs
    if where.geom_col is not None and where.file_crs is not None:
        return where.file_crs
    return user_crs or "wgs84"


def _check_required_columns(
    spec: LayerKind, mapping: dict[str, object], columns: list[object], found: _Collector
) -> None:
    ambiguous = {p.column for p in found.file}
    found_cols = ", ".join(repr(str(c)) for c in columns) or "none"
    for f in spec.fields:
        if f.required and f.name not in mapping and f.name not in ambiguous:
            also = f" or {f.label_zh}" if f.label_zh else ""
            found.whole(
                f.name,
                f"required column {f.name!r}{also} is missing; found columns: {found_cols}",
            )


def _check_duplicate_ids(ids: np.ndarray, column: str, found: _Collector) -> None:
    first_seen: dict[object, int] = {}
    for pos, value in enumerate(ids):
        if value in (None, ""):
            continue
        if value in first_seen:
            found.row(pos, column, f"duplicate id: also used on row {first_seen[value] + 1}", value)
        else:
            first_seen[value] = pos
