"""Plausibility warnings for a loaded layer: numbers that parse but cannot be right.

The checks (each a :class:`~geodata.Problem` with ``severity="warning"``):

- points outside China, or outside a given study area;
- points in the sea (Bohai, Yellow, East and South China Seas);
- longitude and latitude swapped although both fit the ranges (the points
  land in the Arctic; swapped back they would be in China);
- a datum that cannot apply: GCJ-02/BD-09 chosen for points outside China,
  a metric coordinate system chosen for numbers that are degrees;
- a datum named in a coordinate column's header (``经度(GCJ02)``, ``百度经度``)
  that differs from the one chosen.

The outlines are coarse, hand-drawn for this purpose (a few dozen vertices,
accurate to tens of kilometres): the China outline follows the land borders
and the coast loosely, and the sea areas stay well clear of any coast, so a
warning means "look at this", not a survey. They are not map data.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import shapely

from ._tables import Collector, norm

_CHINA = shapely.MultiPolygon(
    [
        shapely.Polygon(
            [
                (73.5, 39.5), (75.5, 40.5), (80.0, 42.5), (80.5, 45.0), (82.5, 45.5),
                (83.0, 47.0), (85.5, 47.0), (87.0, 49.1), (88.0, 48.5), (90.5, 47.5),
                (91.0, 46.0), (90.5, 45.0), (95.5, 44.2), (96.5, 42.8), (100.0, 42.6),
                (105.0, 41.6), (110.0, 42.6), (112.0, 43.7), (115.5, 45.5), (118.0, 46.7),
                (119.7, 47.2), (117.8, 48.0), (116.7, 49.8), (119.5, 50.3), (121.0, 53.3),
                (123.5, 53.5), (125.5, 53.0), (127.5, 49.8), (130.7, 48.9), (132.5, 47.7),
                (134.7, 48.4), (133.1, 45.1), (131.3, 44.9), (131.0, 43.0), (130.6, 42.4),
                (129.0, 42.2), (128.0, 41.5), (126.0, 41.0), (124.2, 39.8), (121.2, 38.7),
                (122.8, 37.4), (120.9, 33.0), (121.9, 31.0), (122.5, 30.0), (120.5, 26.5),
                (119.5, 25.0), (117.0, 23.3), (114.3, 22.2), (110.5, 20.2), (108.1, 21.5),
                (106.5, 22.3), (105.3, 23.3), (103.0, 22.5), (101.7, 21.2), (100.1, 21.5),
                (99.2, 22.1), (98.7, 24.0), (97.5, 24.7), (98.6, 27.5), (97.5, 28.3),
                (95.5, 29.0), (92.0, 27.8), (89.0, 27.3), (88.0, 27.9), (85.0, 28.3),
                (81.0, 30.0), (79.0, 31.0), (78.5, 32.5), (79.5, 34.5), (78.0, 35.5),
                (75.0, 36.5), (74.5, 38.5),
            ]
        ),
        shapely.Polygon(
            [(108.6, 19.1), (110.0, 20.1), (111.0, 19.6), (110.0, 18.2), (108.7, 18.5)]
        ),
        shapely.Polygon(
            [(120.1, 23.0), (121.0, 25.3), (122.0, 25.0), (121.0, 22.0), (120.7, 21.9)]
        ),
    ]
)  # fmt: skip
_SEAS = {
    "Bohai Sea": shapely.Polygon(
        [(118.9, 38.6), (120.3, 38.3), (120.9, 38.9), (121.1, 39.6), (121.6, 40.3),
         (121.0, 40.4), (120.3, 40.0), (119.7, 39.6), (119.0, 38.9)]
    ),
    "Yellow Sea": shapely.Polygon(
        [(121.5, 33.0), (125.0, 33.0), (125.5, 36.5), (123.0, 36.8), (121.8, 35.5)]
    ),
    "East China Sea": shapely.Polygon(
        [(122.8, 26.5), (126.5, 26.5), (127.5, 31.0), (124.0, 31.5), (123.0, 29.5)]
    ),
    "South China Sea": shapely.Polygon(
        [(111.0, 13.0), (117.0, 13.0), (118.0, 19.0), (115.0, 20.5), (111.0, 18.5)]
    ),
}  # fmt: skip
_SEA_ZH = {
    "Bohai Sea": "渤海",
    "Yellow Sea": "黄海",
    "East China Sea": "东海",
    "South China Sea": "南海",
}
_DATUM_NAMES = {"wgs84": "WGS84", "cgcs2000": "CGCS2000", "gcj02": "GCJ-02", "bd09": "BD-09"}
_HEADER_DATUM = (
    (re.compile(r"gcj|火星|高德|amap|gaode|腾讯"), "gcj02"),
    (re.compile(r"bd-?09|百度|baidu"), "bd09"),
    (re.compile(r"wgs|gps"), "wgs84"),
    (re.compile(r"cgcs|2000"), "cgcs2000"),
)


def in_china_outline(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return whether each point is inside the coarse China outline."""
    return np.asarray(shapely.contains_xy(_CHINA, lon, lat), dtype=bool)


CHUNK = 1 << 18
"""Features checked at a time by :func:`check_layer` (its arrays stay a few MB)."""


class _Tally:
    """How many features one check flags, and the first of them, over chunks in order."""

    def __init__(self) -> None:
        self.n = 0
        self.first: tuple[float, float] | None = None

    def add(self, lon: np.ndarray, lat: np.ndarray, mask: np.ndarray) -> None:
        hits = np.flatnonzero(mask)
        if len(hits) and self.first is None:
            self.first = (float(lon[hits[0]]), float(lat[hits[0]]))
        self.n += len(hits)

    def example(self, total: int) -> dict[str, Any]:
        lon, lat = self.first or (np.nan, np.nan)
        return {"n": self.n, "total": total, "lon": f"{lon:.5g}", "lat": f"{lat:.5g}"}


def header_datum(column: object) -> str | None:
    """Return the datum a coordinate column's header names (``经度(GCJ02)``), if any."""
    text = norm(column)
    for pattern, datum in _HEADER_DATUM:
        if pattern.search(text):
            return datum
    return None


def check_raw(
    raw: np.ndarray, *, datum: str, projected: bool, columns: list[object], found: Collector
) -> None:
    """Warn about the chosen coordinate system, from the numbers as written."""
    chosen = "wgs84" if datum == "cgcs2000" else datum
    for col in columns:
        named = header_datum(col)
        if named is None or named in (chosen, "cgcs2000" if chosen == "wgs84" else None):
            continue
        if named == "wgs84" and chosen == "cgcs2000":
            continue
        metres = 600 if "gcj02" in (named, chosen) and "bd09" not in (named, chosen) else 1000
        found.warn(
            "header_datum",
            str(col),
            named=_DATUM_NAMES.get(named, named),
            chosen=_DATUM_NAMES.get(datum, datum),
            metres=metres,
        )
        break
    pts = raw[~(shapely.is_missing(raw) | shapely.is_empty(raw))] if len(raw) else raw
    if not projected or not len(pts):
        return
    bounds = shapely.bounds(pts)
    degrees = (np.abs(bounds[:, [0, 2]]) <= 180).all() and (np.abs(bounds[:, [1, 3]]) <= 90).all()
    if degrees:
        c = shapely.get_coordinates(pts[:1])[0]
        found.warn("degrees_as_metres", crs=datum, lon=f"{c[0]:g}", lat=f"{c[1]:g}")


def check_layer(geoms: np.ndarray, *, datum: str, study_area: Any, found: Collector) -> None:
    """Warn about where the features of a loaded layer (EPSG:4326) lie.

    The features are looked at :data:`CHUNK` at a time, so that a layer of
    millions of points needs no coordinate arrays of its full length.
    """
    tally = {key: _Tally() for key in ("area", "outside", "swapped", "elsewhere", *_SEAS)}
    area: Any = None
    total = 0
    for start in range(0, len(geoms), CHUNK):
        chunk = geoms[start : start + CHUNK]
        there = chunk[~(shapely.is_missing(chunk) | shapely.is_empty(chunk))]
        if not len(there):
            continue
        total += len(there)
        points = shapely.get_type_id(there) == 0
        pts = there if points.all() else shapely.point_on_surface(there)
        lon, lat = shapely.get_x(pts), shapely.get_y(pts)
        if study_area is not None:
            area = _area(study_area) if area is None else area
            outside_area = ~np.asarray(shapely.contains_xy(area, lon, lat), dtype=bool)
            tally["area"].add(lon, lat, outside_area)
        outside = ~in_china_outline(lon, lat)
        tally["outside"].add(lon, lat, outside)
        swapped = outside & in_china_outline(lat, lon) if outside.any() else outside
        tally["swapped"].add(lon, lat, swapped)
        tally["elsewhere"].add(lon, lat, outside & ~swapped)
        for sea, polygon in _SEAS.items():
            tally[sea].add(lon, lat, np.asarray(shapely.contains_xy(polygon, lon, lat), dtype=bool))
    if not total:
        return
    if tally["area"].n:
        found.warn("outside_area", **tally["area"].example(total))
    if tally["outside"].n:
        if tally["swapped"].n:
            found.warn("swapped_fit", **tally["swapped"].example(total))
        if datum in ("gcj02", "bd09"):
            found.warn(
                "shift_outside_china",
                datum=_DATUM_NAMES[datum],
                **tally["outside"].example(total),
            )
        elif tally["elsewhere"].n and study_area is None:
            found.warn("outside_china", **tally["elsewhere"].example(total))
    for sea in _SEAS:
        if tally[sea].n:
            found.warn("in_sea", sea=sea, sea_zh=_SEA_ZH[sea], **tally[sea].example(total))


def _area(study_area: Any) -> Any:
    """Return the study area as one geometry, grown by about 2 km for boundary points."""
    geom = study_area
    if hasattr(study_area, "to_crs"):
        frame = study_area.to_crs(4326) if study_area.crs is not None else study_area
        geom = shapely.union_all(np.asarray(frame.geometry.values, dtype=object))
    return shapely.buffer(geom, 0.02)
