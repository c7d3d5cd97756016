"""Where a table's geometry is and whether it is sound: lon/lat columns, WKT, GIS files.

Coordinates may be decimal degrees or degrees-minutes-seconds (``120°24′36″``,
``120 24 36``, ``41:30:00``, ``120度24分36秒``, with an optional N/S/E/W or
东/西/南/北). Everything found wrong goes to a :class:`~geodata._tables.Collector`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.validation import explain_validity

from . import crs as _crs
from ._tables import (
    LAT_NAMES,
    LON_NAMES,
    WKT_NAMES,
    Collector,
    arrow_text,
    find_named,
    is_missing,
    numbers,
)
from .schema import LayerKind

_DMS = re.compile(
    r"^\s*([NSEW东西南北]?)\s*(\d{1,3}(?:\.\d+)?)\s*(?:°|º|度|:|\s)\s*"
    r"(\d{1,2}(?:\.\d+)?)\s*(?:′|'|’|分|:|\s)?\s*"
    r"(?:(\d{1,2}(?:\.\d+)?)\s*(?:″|\"|''|”|秒)?)?\s*([NSEW东西南北]?)\s*$",
    re.IGNORECASE,
)
_NEGATIVE = set("SsWw西南")
_DEGREES = re.compile(
    r"^\s*([NSEW东西南北]?)\s*(\d{1,3}(?:\.\d+)?)\s*(°|º|度)?\s*([NSEW东西南北]?)\s*$",
    re.IGNORECASE,
)
_MARKED = r"\d\s*[°º度:′'’\s]\s*\d|[°º度NSEWnsew东西南北]"


def dms_value(text: str) -> float | None:
    """Return degrees from a degrees-minutes(-seconds) text, or None if it is not one.

    Decimal degrees with a degree sign or a hemisphere (``120.45°E``,
    ``N41.5``) are read too; a plain number is not DMS and gives None.
    """
    m = _DMS.match(text)
    if m is None:
        return _marked_degrees(text)
    before, deg, minutes, seconds, after = m.groups()
    if before and after:
        return None
    mins = float(minutes)
    secs = float(seconds) if seconds else 0.0
    if mins >= 60 or secs >= 60:
        return None
    value = float(deg) + mins / 60 + secs / 3600
    return -value if (before or after) in _NEGATIVE else value


def _marked_degrees(text: str) -> float | None:
    """Return decimal degrees written with a degree sign or a hemisphere (``120.45°E``)."""
    m = _DEGREES.match(text)
    if m is None:
        return None
    before, deg, sign, after = m.groups()
    if (before and after) or not (before or after or sign):
        return None
    value = float(deg)
    return -value if (before or after) in _NEGATIVE else value


def _coordinates(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(numbers, missing, bad)`` for a coordinate column, reading DMS too."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return numbers(values)
    arr = arrow_text(values)
    if arr is not None:
        import pyarrow.compute as pc

        if not pc.any(pc.match_substring_regex(arr, _MARKED)).as_py():
            return numbers(values)
    obj = values.astype(object)
    texts = obj.map(lambda v: v if isinstance(v, str) else None)
    spaced = texts.str.contains(_MARKED, regex=True, na=False)
    if not bool(spaced.any()):
        return numbers(values)
    dms = {int(i): dms_value(str(texts.iloc[int(i)])) for i in np.flatnonzero(spaced.to_numpy())}
    parsed = obj.copy()
    for i, v in dms.items():
        if v is not None:
            parsed.iloc[i] = v
    return numbers(parsed)


def geometry_from_lonlat(
    data: pd.DataFrame, lon_col: object, lat_col: object, found: Collector
) -> tuple[np.ndarray, np.ndarray]:
    lon, lon_missing, lon_bad = _coordinates(data[lon_col])
    lat, lat_missing, lat_bad = _coordinates(data[lat_col])
    raw_lon, raw_lat = data[lon_col].array, data[lat_col].array  # indexed only at problems
    for pos in np.flatnonzero(lon_missing):
        found.row(pos, "lon_missing", str(lon_col))
    for pos in np.flatnonzero(lat_missing):
        found.row(pos, "lat_missing", str(lat_col))
    for pos in np.flatnonzero(lon_bad):
        found.row(pos, "lon_not_number", str(lon_col), raw_lon[pos])
    for pos in np.flatnonzero(lat_bad):
        found.row(pos, "lat_not_number", str(lat_col), raw_lat[pos])
    return lon, lat


def check_degrees(where: _Geometry, found: Collector) -> None:
    """Record coordinates out of range or apparently swapped (degrees expected)."""
    rows = np.flatnonzero(present_mask(where.geoms))
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
            "swapped",
            lat_col,
            f"lon={lon[i]:g}, lat={lat[i]:g}",
            lat=f"{lat[i]:g}",
            lon=f"{lon[i]:g}",
        )
    hint, hint_params = _metres_hint(lon[bad_lon | bad_lat], lat[bad_lon | bad_lat])
    for i in np.flatnonzero(bad_lon):
        found.row(
            rows[i], "lon_range", lon_col, f"{lon[i]:.10g}", hint=hint, hint_params=hint_params
        )
    for i in np.flatnonzero(bad_lat):
        found.row(
            rows[i], "lat_range", lat_col, f"{lat[i]:.10g}", hint=hint, hint_params=hint_params
        )


def _metres_hint(lon: np.ndarray, lat: np.ndarray) -> tuple[str | None, dict[str, Any]]:
    """Return advice when out-of-range coordinates look like projected metres."""
    values = np.abs(np.concatenate([lon, lat]))
    values = values[np.isfinite(values)]
    if not len(values) or values.max() < 1000:
        return None, {}
    prefixed = values[values >= 1e7]
    zones = set(np.floor(prefixed / 1e6).astype(int).tolist())
    if len(zones) == 1 and 25 <= (zone := zones.pop()) <= 45:
        return "hint_gk", {"zone": zone, "epsg": 4488 + zone}
    return "hint_metres", {}


def _extreme_lonlat(bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return per-geometry lon and lat to test: the bound farthest from zero."""
    lon = np.where(np.abs(bounds[:, 0]) > np.abs(bounds[:, 2]), bounds[:, 0], bounds[:, 2])
    lat = np.where(np.abs(bounds[:, 1]) > np.abs(bounds[:, 3]), bounds[:, 1], bounds[:, 3])
    return lon, lat


def is_geographic(source: str) -> bool:
    if source in ("wgs84", "cgcs2000", "gcj02", "bd09"):
        return True
    import pyproj

    return bool(pyproj.CRS.from_user_input(source).is_geographic)


def parse_wkt(values: pd.Series, column: str, found: Collector) -> np.ndarray:
    geoms = np.empty(len(values), dtype=object)
    for pos, v in enumerate(values.astype(object)):
        if isinstance(v, shapely.Geometry):
            geoms[pos] = v
        elif is_missing(v):
            geoms[pos] = None
        else:
            try:
                geoms[pos] = shapely.from_wkt(str(v).strip())
            except shapely.errors.GEOSException:
                geoms[pos] = None
                found.row(pos, "bad_wkt", column, str(v)[:60])
    return geoms


def present_mask(geoms: np.ndarray) -> np.ndarray:
    """Return which geometries are there: not None, not empty."""
    if not len(geoms):
        return np.zeros(0, dtype=bool)
    return ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))


def check_geometry(
    geoms: np.ndarray, spec: LayerKind, column: str, found: Collector, *, parsed: set[int]
) -> None:
    wanted = (0,) if spec.geometry == "Point" else (3, 6)
    article = "a point" if spec.geometry == "Point" else "a polygon"
    todo = np.ones(len(geoms), dtype=bool)
    todo[sorted(parsed)] = False
    present = present_mask(geoms)
    kinds = shapely.get_type_id(geoms) if len(geoms) else np.zeros(0, dtype=int)
    wrong = present & ~np.isin(kinds, wanted)
    invalid = np.zeros(len(geoms), dtype=bool)
    right = present & ~wrong & todo
    invalid[right] = ~shapely.is_valid(geoms[right])
    for pos in np.flatnonzero(todo & (~present | wrong | invalid)):
        g = geoms[pos]
        if not present[pos]:
            found.row(pos, "empty_geometry", column)
        elif wrong[pos]:
            found.row(pos, "wrong_geometry", column, expected=article, got=g.geom_type)
        else:
            found.row(pos, "invalid_geometry", column, reason=explain_validity(g))


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


def locate_geometry(
    data: pd.DataFrame, table: pd.DataFrame, spec: LayerKind, found: Collector
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
    where.lon_col = find_named(columns, LON_NAMES, "longitude", found, table)
    where.lat_col = find_named(columns, LAT_NAMES, "latitude", found, table)
    where.wkt_col = find_named(columns, WKT_NAMES, "WKT geometry", found)
    if spec.geometry == "Point" and where.lon_col is not None and where.lat_col is not None:
        where.used = [where.lon_col, where.lat_col]
        lon, lat = geometry_from_lonlat(table, where.lon_col, where.lat_col, found)
        where.parsed = set(found.bad)
        where.geoms = np.asarray(shapely.points(lon, lat), dtype=object)
        where.geoms[sorted(where.parsed)] = None
        return where
    if where.wkt_col is not None:
        where.used = [where.wkt_col]
        where.geoms = parse_wkt(table[where.wkt_col], str(where.wkt_col), found)
        where.parsed = set(found.bad)
        return where
    where.parsed = set(range(n))
    found_cols = ", ".join(repr(str(c)) for c in columns) or "none"
    need, need_params = "need_lonlat", {}
    if spec.geometry == "Point":
        if (where.lon_col is None) != (where.lat_col is None):
            have, lack = ("longitude", "latitude")
            if where.lon_col is None:
                have, lack = lack, have
            need, need_params = "need_partner", {"have": have, "lack": lack}
    else:
        need = "need_polygon"
    found.whole("no_coordinates", None, need=need, need_params=need_params, found=found_cols)
    return where


def source_crs(where: _Geometry, user_crs: str | None) -> str:
    """Return the datum of the geometries: the file's, unless the user says GCJ-02/BD-09."""
    if user_crs in ("gcj02", "bd09"):
        return user_crs
    if where.geom_col is not None and where.file_crs is not None:
        return where.file_crs
    return user_crs or "wgs84"
