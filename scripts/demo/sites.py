"""Existing 5G sites: hexagonal urban grids, zone and town sites, and the carved gaps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from scripts.demo.city import (
    CITY_CENTRE_SHIFT_M,
    COUNTIES,
    ZONES,
)
from scripts.demo.geometry import (
    _Geo,
)
from scripts.demo.zones import _along_roads


def _hex_grid(
    rng: np.random.Generator, centre: np.ndarray, radius: float, spacing: float
) -> np.ndarray:
    n = int(np.ceil(radius / spacing)) + 1
    i, j = np.meshgrid(np.arange(-n, n + 1), np.arange(-n, n + 1))
    x = (i + 0.5 * (j % 2)) * spacing
    y = j * spacing * np.sqrt(3) / 2
    pts = np.column_stack([x.ravel(), y.ravel()])
    r = np.hypot(pts[:, 0], pts[:, 1])
    keep = r <= radius
    # thin out towards the edge of the built-up area
    keep &= rng.uniform(0.0, 1.0, len(pts)) < np.clip(1.15 - 0.5 * (r / radius) ** 2, 0.0, 1.0)
    pts = pts[keep] + rng.normal(0.0, spacing * 0.15, size=(int(keep.sum()), 2))
    return centre + pts


@dataclass
class _Sites:
    xy: list[np.ndarray]
    operator: list[str]
    band: list[str]
    radius: list[float]
    height: list[float]
    place: list[str]

    def add(
        self,
        rng: np.random.Generator,
        pts: np.ndarray,
        band: str,
        radius: tuple[float, float],
        height: tuple[float, float],
        place: str,
    ) -> None:
        for p in pts:
            if band == "3.5GHz":
                operator = "China Telecom" if rng.uniform() < 0.5 else "China Unicom"
            elif band == "700MHz":
                operator = "China Broadnet"
            else:
                operator = "China Mobile"
            self.xy.append(p)
            self.operator.append(operator)
            self.band.append(band)
            self.radius.append(float(np.round(rng.uniform(*radius), -1)))
            self.height.append(float(np.round(rng.uniform(*height))))
            self.place.append(place)


URBAN = {  # band: (spacing m, radius range m)
    "2.6GHz": (820.0, (380.0, 500.0)),
    "3.5GHz": (780.0, (330.0, 460.0)),
    "4.9GHz": (650.0, (260.0, 360.0)),
    "700MHz": (2300.0, (900.0, 1250.0)),
}
RURAL = {  # band: radius range m (RMa)
    "2.6GHz": (900.0, 1600.0),
    "3.5GHz": (800.0, 1400.0),
    "700MHz": (1800.0, 3000.0),
}


def _make_sites(
    rng: np.random.Generator,
    geo: _Geo,
    zones_m: list[shapely.Geometry],
    zone_centres: np.ndarray,
    towns: np.ndarray,
    town_names: list[str],
    covered_towns: np.ndarray,
    roads: list[tuple[np.ndarray, np.ndarray]],
) -> _Sites:
    s = _Sites([], [], [], [], [], [])
    for c in COUNTIES:
        if c.urban_radius_m == 0:
            continue
        centre = geo.seats_m[c.adcode]
        if c.adcode == "211302":
            centre = centre + np.array(CITY_CENTRE_SHIFT_M)
        big = c.adcode == "211302"
        for band in ("2.6GHz", "3.5GHz", "4.9GHz", "700MHz"):
            spacing, radius = URBAN[band]
            area = c.urban_radius_m
            if band == "4.9GHz":
                if not big:
                    continue
                area *= 0.55
            if not big and band != "700MHz":
                spacing *= 1.1
            pts = _hex_grid(rng, centre, area, spacing)
            s.add(rng, pts, band, radius, (20.0, 35.0), c.seat_name)
    for z, poly, centre in zip(ZONES, zones_m, zone_centres, strict=True):
        for band in ("2.6GHz", "3.5GHz"):
            spacing, radius = URBAN[band]
            pts = _hex_grid(rng, centre, np.sqrt(poly.area / np.pi) * 1.3, spacing)
            pts = pts[shapely.contains_xy(poly.buffer(200.0), pts[:, 0], pts[:, 1])]
            s.add(rng, pts, band, radius, (25.0, 40.0), z.name)
    for k in np.flatnonzero(covered_towns):
        for band in ("2.6GHz", "3.5GHz", "700MHz"):
            if band == "700MHz" and rng.uniform() < 0.5:
                continue
            pts = towns[k] + rng.normal(0.0, 300.0, size=(1, 2))
            s.add(rng, pts, band, RURAL[band], (30.0, 45.0), town_names[k])
    for band, n in (("2.6GHz", 70), ("3.5GHz", 60), ("700MHz", 45)):
        pts = _along_roads(rng, roads, n, 400.0)
        s.add(rng, pts, band, RURAL[band], (30.0, 45.0), "乡村")
    return s


def _carve_gaps(sites: _Sites, gap_firms: np.ndarray, margin: float = 50.0) -> np.ndarray:
    """Mask of sites to keep: drop every site whose disc reaches a gap firm."""
    xy = np.array(sites.xy)
    radius = np.array(sites.radius)
    tree = shapely.STRtree(shapely.points(gap_firms))
    keep = np.ones(len(xy), dtype=bool)
    for i, (p, r) in enumerate(zip(xy, radius, strict=True)):
        if len(tree.query(shapely.Point(p), predicate="dwithin", distance=r + margin)):
            keep[i] = False
    return keep
