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

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import _compact
from . import crs as _crs
from ._errors import DataError, problems_frame
from ._geometry import (
    check_degrees,
    check_geometry,
    is_geographic,
    locate_geometry,
    source_crs,
)
from ._plausibility import check_layer, check_raw
from ._tables import (
    LAT_NAMES,
    LON_NAMES,
    WKT_NAMES,
    Collector,
    bare,
    blank,
    cat_key,
    is_missing,
    known_names,
    norm,
    numbers,
    texts,
)
from .schema import CATEGORY_LABELS_ZH, Field, LayerKind, layer_kind

# Names the reader imports from here.
_bare, _blank, _known_names, _norm = bare, blank, known_names, norm
_LON_NAMES, _LAT_NAMES, _WKT_NAMES = LON_NAMES, LAT_NAMES, WKT_NAMES
_TRUE = frozenset({"true", "t", "yes", "y", "1", "是", "有", "√", "✓", "对"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "否", "无", "×", "✗", "不"})


def _map_columns(columns: list[object], spec: LayerKind, found: Collector) -> dict[str, object]:
    """Map schema field names to source columns: exact names first, then aliases."""
    mapping: dict[str, object] = {}
    claimed: set[int] = set()

    def take(field: Field, cols: list[object]) -> None:
        if len(cols) == 1:
            mapping[field.name] = cols[0]
            claimed.add(columns.index(cols[0]))
        elif len(cols) > 1:
            listed = " and ".join(repr(str(c)) for c in cols)
            found.whole("ambiguous_field", field.name, listed=listed, field=field.name)

    for f in spec.fields:
        take(f, [c for c in columns if norm(c) == f.name])
    for f in spec.fields:
        if f.name in mapping or any(p.column == f.name for p in found.file):
            continue
        names = {norm(a) for a in (*f.aliases, f.label_zh) if a}
        names |= {bare(a) for a in (*f.aliases, f.label_zh) if a}
        cols = [
            c
            for i, c in enumerate(columns)
            if i not in claimed and (norm(c) in names or bare(c) in names)
        ]
        take(f, cols)
    return mapping


def _fmt(value: float) -> str:
    return f"{value:g}"


def _coerce_numeric(
    f: Field, values: pd.Series, column: str, found: Collector
) -> tuple[np.ndarray, np.ndarray]:
    nums, missing, bad = numbers(values)
    raw = values.array  # indexed only where a problem is
    for pos in np.flatnonzero(bad):
        found.row(pos, "not_number", column, raw[pos], field=f.name)
    if f.type == "int":
        frac = ~np.isnan(nums) & (np.mod(nums, 1) != 0)
        for pos in np.flatnonzero(frac):
            found.row(pos, "not_whole", column, raw[pos], field=f.name)
    if f.minimum is not None or f.maximum is not None:
        lo = -np.inf if f.minimum is None else f.minimum
        hi = np.inf if f.maximum is None else f.maximum
        out = ~np.isnan(nums) & ((nums < lo) | (nums > hi))
        code = "range_between"
        if f.maximum is None:
            code = "range_min"
        elif f.minimum is None:
            code = "range_max"
        for pos in np.flatnonzero(out):
            found.row(
                pos, code, column, raw[pos], field=f.name, lo=_fmt(lo), hi=_fmt(hi), unit=f.unit
            )
    return nums, missing


def _bool_value(value: object) -> bool | None:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    key = cat_key(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


def _category_lookup(f: Field) -> dict[str, str]:
    lookup = {cat_key(a): a for a in f.allowed}
    for value, label in CATEGORY_LABELS_ZH.get(f.name, {}).items():
        if value in f.allowed:
            lookup.setdefault(cat_key(label), value)
    return lookup


def _allowed_text(f: Field) -> str:
    labels = CATEGORY_LABELS_ZH.get(f.name, {})
    return ", ".join(f"{a} ({labels[a]})" if a in labels else a for a in f.allowed)


def _coerce_field(
    f: Field, values: pd.Series | None, column: str, n: int, found: Collector
) -> np.ndarray:
    """Return the typed values of one field, recording every bad value."""
    if values is None:
        fill = f.default
        if fill is None:
            fill = "" if f.type in ("str", "category") else np.nan
        dtype = {"int": "int64", "float": "float64", "bool": "bool"}.get(f.type, object)
        return np.full(n, fill, dtype=dtype)
    if f.type in ("int", "float"):
        nums, missing = _coerce_numeric(f, values, column, found)
        if f.required:
            for pos in np.flatnonzero(missing):
                found.row(pos, "value_missing", column, field=f.name)
        fill = np.nan if f.default is None else float(f.default)  # type: ignore[arg-type]
        nums = np.where(missing, fill, nums)
        if f.type == "int":
            return np.nan_to_num(nums, nan=0.0).astype("int64")
        return nums
    if f.type == "bool":
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        parsed = [None if is_missing(u) else _bool_value(u) for u in uniques]
        empty = np.array([is_missing(u) for u in uniques] + [True], dtype=bool)
        codes = np.where(codes < 0, len(uniques), codes)
        truth = np.array([bool(p) for p in parsed] + [False], dtype=bool)[codes]
        missing = empty[codes]
        unknown = np.array([p is None for p in parsed] + [False], dtype=bool)[codes] & ~missing
        for pos in np.flatnonzero(missing & f.required):
            found.row(pos, "value_missing", column, field=f.name)
        for pos in np.flatnonzero(unknown):
            found.row(pos, "not_bool", column, uniques[codes[pos]], field=f.name)
        return np.where(missing, bool(f.default), truth)
    codes, labels = texts(values)
    missing = np.array([t is None for t in labels], dtype=bool)[codes]
    if f.required and f.name != "id":
        for pos in np.flatnonzero(missing):
            found.row(pos, "value_missing", column, field=f.name)
    fill = "" if f.default is None else f.default
    if f.type == "category":
        lookup = _category_lookup(f)
        matched = np.array(
            [fill if t is None else lookup.get(cat_key(t)) for t in labels], dtype=object
        )
        for pos in np.flatnonzero(np.array([m is None for m in matched], dtype=bool)[codes]):
            text = labels[codes[pos]]
            found.row(pos, "unknown_category", column, text, field=f.name, allowed=_allowed_text(f))
        return matched[codes]
    shown = labels.copy()
    shown[np.array([t is None for t in labels], dtype=bool)] = fill
    return shown[codes]


def validate_layer(
    data: pd.DataFrame,
    kind: str,
    *,
    crs: Any = None,
    source: str | None = None,
    lenient: bool = False,
    return_report: bool = False,
    study_area: Any = None,
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
    study_area
        Optional area (a shapely geometry or a GeoDataFrame of polygons):
        features outside it are warned about.

    Returns
    -------
    geopandas.GeoDataFrame or tuple
        The layer in EPSG:4326 with the kind's columns in schema order (typed,
        missing optional columns filled with their defaults), then any other
        columns, then ``geometry``. ``attrs["skipped"]`` lists skipped rows as
        records with keys row, column, message, value (one per problem;
        empty unless lenient). With ``return_report`` the same as a
        DataFrame: ``(layer, report)``. ``attrs["warnings"]`` lists
        :class:`~geodata.Problem` records with ``severity="warning"``: ids
        generated for rows without one (stable: a hash of the row's
        contents, ``auto-`` and 8 hex digits), and the plausibility checks
        of :mod:`geodata._plausibility` (outside China or the study area, in
        the sea, swapped axes, a datum that cannot apply or differs from the
        one a header names).

    Raises
    ------
    geodata.DataError
        Listing every problem (row number, column, message, value).
    """
    return validate_parts(
        [data],
        kind,
        crs=crs,
        source=source,
        lenient=lenient,
        return_report=return_report,
        study_area=study_area,
    )


MAX_PROBLEMS = 10_000
"""Most row problems listed: reading stops there (fix those, then read again)."""


@dataclass
class _Part:
    """One checked part of a table: typed columns, extras, geometry, ids to generate."""

    values: dict[str, Any]  # arrays; pyarrow text or categoricals when compact
    extras: dict[str, pd.Series]
    geoms: np.ndarray
    bases: dict[int, str]
    had_id: bool
    id_column: str
    datum: str = "wgs84"


def validate_parts(
    parts: Iterable[pd.DataFrame],
    kind: str,
    *,
    crs: Any = None,
    source: str | None = None,
    lenient: bool = False,
    return_report: bool = False,
    study_area: Any = None,
    compact: bool = False,
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Validate a table given in consecutive parts (a large CSV read in chunks) as one layer.

    The parameters and the result are those of :func:`validate_layer`; row
    numbers count across the parts. Whole-file problems (a missing column)
    stop the reading at the first part that shows them; so does the
    :data:`MAX_PROBLEMS`-th row problem unless ``lenient``. With
    ``compact`` (large files), text fields are pandas ``str`` columns held
    by pyarrow and fields with few distinct values categoricals
    (:mod:`geodata._compact`), instead of Python strings.
    """
    spec = layer_kind(kind)
    shrink = _compact.Compactor(
        {f.name for f in spec.fields if f.type == "str"},
        {f.name: _categories(f) for f in spec.fields if f.type == "category"},
    )
    user_crs = None if crs is None else _crs.parse_crs(crs)
    found = Collector()
    checked: list[_Part] = []
    columns: list[object] = []
    offset = 0
    for data in parts:
        local = Collector()
        part = _check_part(data, spec, user_crs, local, source)
        if compact:  # free this part's Python strings now
            shrink.part(part.values)
        if not checked:
            columns = list(pd.DataFrame(data).columns)
        found.rows += [replace(p, row=(p.row or 0) + offset, line=None) for p in local.rows]
        found.bad |= {b + offset for b in local.bad}
        seen = {(p.code, p.column) for p in found.file + found.warnings}
        found.file += [p for p in local.file if (p.code, p.column) not in seen]
        found.warnings += [p for p in local.warnings if (p.code, p.column) not in seen]
        part.bases = {pos + offset: base for pos, base in part.bases.items()}
        checked.append(part)
        offset += len(part.geoms)
        del data, local
        if compact:
            _compact.release_free_memory()
        if found.file or (not lenient and len(found.rows) >= MAX_PROBLEMS):
            break
    if not checked:
        checked.append(_check_part(pd.DataFrame(), spec, user_crs, found, source))
        if compact:
            shrink.part(checked[0].values)
    clash = compact and shrink.maybe_duplicate()  # before the joins: its arrays go first
    if compact:
        _compact.release_free_memory()
    values: dict[str, Any] = {}
    for f in spec.fields:
        chunks = [p.values.pop(f.name) for p in checked]
        if compact and f.type in ("str", "category"):
            values[f.name] = shrink.join(f.name, chunks, offset)
        else:
            values[f.name] = _concat(chunks)
        del chunks
        if compact:
            _compact.release_free_memory()
    first = checked[0]
    bases = {k: v for p in checked for k, v in p.bases.items()}
    if compact and (bases or clash):
        values["id"] = np.asarray(values["id"], dtype=object)  # the rare exact path
    if not compact or isinstance(values["id"], np.ndarray):
        _assign_ids(values["id"], bases, first, found)
        _check_duplicate_ids(values["id"], first.id_column, found)
        if compact:
            values["id"] = _compact.text_array([_compact.arrow_text(values["id"])])
    if found.file or (found.rows and not lenient):
        raise DataError(found.ordered(columns), source=source)

    keep = np.ones(offset, dtype=bool)
    keep[sorted(found.bad)] = False
    everything = bool(keep.all())

    def kept(values: Any) -> Any:
        return values if everything else values[keep]

    text = {f.name for f in spec.fields if f.type in ("str", "category")}
    out_cols: dict[str, Any] = {}
    for name in list(values):
        vals = kept(values.pop(name))
        if name in text and isinstance(vals, np.ndarray):
            vals = pd.Series(vals, dtype=object, copy=False)
        out_cols[name] = vals
    for col in list(first.extras):
        joined = pd.concat([p.extras.pop(col) for p in checked], ignore_index=True)
        joined = joined if everything else joined[keep].reset_index(drop=True)
        if col.startswith("Unnamed: ") and bool(blank(joined).all()):
            continue  # a trailing delimiter's empty column
        out_cols[col] = joined.to_numpy() if joined.dtype == object else joined
    geoms = kept(_concat([p.geoms for p in checked]))
    checked.clear()
    if compact:
        _compact.release_free_memory()
    series = gpd.GeoSeries(geoms, crs="EPSG:4326", copy=False)
    layer = gpd.GeoDataFrame(out_cols, geometry=series.values, crs="EPSG:4326", copy=False)
    del out_cols, series, geoms
    if compact:
        _compact.release_free_memory()
    if len(layer):
        check_layer(
            np.asarray(layer.geometry.values, dtype=object),
            datum=first.datum,
            study_area=study_area,
            found=found,
        )
    skipped = found.sorted_rows(columns)
    report = problems_frame(skipped)
    layer.attrs["skipped"] = report.to_dict("records")
    layer.attrs["warnings"] = list(found.warnings)
    if return_report:
        return layer, report
    return layer


def _concat(arrays: list[np.ndarray]) -> np.ndarray:
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _categories(f: Field) -> list[str]:
    """Return every value a category field can hold (its allowed values and its default)."""
    return sorted({*f.allowed, *([f.default] if isinstance(f.default, str) else [])})


def _check_part(
    data: pd.DataFrame, spec: LayerKind, user_crs: str | None, found: Collector, source: str | None
) -> _Part:
    """Check one part of a table, recording problems in ``found``; return its typed columns."""
    table = pd.DataFrame(data).reset_index(drop=True)
    duplicated = sorted({str(c) for c in table.columns[table.columns.duplicated()]})
    if duplicated:
        listed = ", ".join(repr(c) for c in duplicated)
        found.whole("dup_columns", None, listed=listed)
        raise DataError(found.ordered(), source=source)
    where = locate_geometry(data, table, spec, found)
    datum = source_crs(where, user_crs)
    shifted = datum in ("gcj02", "bd09")
    if shifted and where.file_crs is not None and not is_geographic(where.file_crs):
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
    _check_ports(values, str(mapping.get("ports_used", "ports_used")), found)
    bases = _id_bases(values["id"], table)
    if len(table):
        check_raw(
            where.geoms,
            datum=datum,
            projected=not is_geographic(datum),
            columns=list(where.used),
            found=found,
        )
    if len(table) and is_geographic(datum):
        check_degrees(where, found)
    check_geometry(where.geoms, spec, where.name, found, parsed=where.parsed)
    extras = {str(col): table[col] for col in rest if col not in mapping.values()}
    geoms = where.geoms
    if datum not in ("wgs84", "cgcs2000") and len(geoms):
        ok = ~shapely.is_missing(geoms)
        if found.bad:
            ok[sorted(found.bad)] = False
        series = gpd.GeoSeries(geoms[ok], crs="EPSG:4326")
        moved = _crs.transform_geometries(series, src=datum, dst="wgs84")
        geoms = geoms.copy()
        geoms[ok] = np.asarray(moved.values, dtype=object)
    id_column = str(mapping.get("id", "id"))
    return _Part(values, extras, geoms, bases, "id" in mapping, id_column, datum)


def _check_ports(values: dict[str, np.ndarray], column: str, found: Collector) -> None:
    """Refuse an access point that uses more ports than it has."""
    if "ports" not in values or "ports_used" not in values:
        return
    ports = np.asarray(values["ports"], dtype=float)
    used = np.asarray(values["ports_used"], dtype=float)
    for pos in np.flatnonzero(used > ports)[:50]:
        text = f"{used[pos]:g}"
        found.row(pos, "ports_over", column, text, used=text, ports=f"{ports[pos]:g}")


def _check_required_columns(
    spec: LayerKind, mapping: dict[str, object], columns: list[object], found: Collector
) -> None:
    ambiguous = {p.column for p in found.file}
    found_cols = ", ".join(repr(str(c)) for c in columns) or "none"
    for f in spec.fields:
        if f.required and f.name not in mapping and f.name not in ambiguous | {"id"}:
            also = f" or {f.label_zh}" if f.label_zh else ""
            found.whole("column_missing", f.name, field=f.name, also=also, found=found_cols)


def _check_duplicate_ids(ids: np.ndarray, column: str, found: Collector) -> None:
    series = pd.Series(ids, dtype=object)
    filled = ~(series.isna() | series.eq("")).to_numpy()
    again = series.duplicated(keep="first").to_numpy() & filled
    if not again.any():
        return
    first_seen: dict[object, int] = {}
    for pos in np.flatnonzero(filled & series.isin(set(series[again])).to_numpy()):
        value = ids[pos]
        if value in first_seen:
            found.row(pos, "duplicate_id", column, value, first=first_seen[value] + 1)
        else:
            first_seen[value] = int(pos)


def _id_bases(ids: np.ndarray, table: pd.DataFrame) -> dict[int, str]:
    """Return, for each row without an id, the id made from the row's contents.

    The id is ``auto-`` and the first 8 hex digits of the SHA-1 of the row's
    cells (unnamed columns left out), so the same row gets the same id
    wherever it stands in the file.
    """
    series = pd.Series(ids, dtype=object)
    empty = np.flatnonzero((series.isna() | series.eq("")).to_numpy())
    if not len(empty):
        return {}
    named = [i for i, c in enumerate(table.columns) if not str(c).startswith("Unnamed: ")]
    rows = table.iloc[empty, named].astype(object).to_numpy()
    bases = {}
    for pos, row in zip(empty, rows, strict=True):
        text = "\x1f".join("" if is_missing(v) else str(v).strip() for v in row)
        bases[int(pos)] = "auto-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return bases


def _assign_ids(ids: np.ndarray, bases: dict[int, str], first: _Part, found: Collector) -> None:
    """Give rows without an id their generated one (``-2``, ``-3`` on a clash), and say so."""
    if not bases:
        return
    taken = {v for v in ids if v not in (None, "")}
    for pos in sorted(bases):
        new, k = bases[pos], 1
        while new in taken:
            k += 1
            new = f"{bases[pos]}-{k}"
        taken.add(new)
        ids[pos] = new
    example = ids[min(bases)]
    found.warn("ids_generated", "id" if first.had_id else None, n=len(bases), example=example)
