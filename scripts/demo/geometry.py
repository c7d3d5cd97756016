"""Metric projection, the county outlines and seeded point sampling for the demo city."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from scripts.demo.city import (
    COUNTIES,
)

METRIC_CRS = "EPSG:32651"
COUNTIES_FILE = "chaoyang_counties_tianditu_wgs84.geojson"
CITY_FILE = "chaoyang_city_tianditu_wgs84.geojson"

_Draw = Callable[[int], np.ndarray]  # k -> k candidate points (metric)
_Keep = Callable[[np.ndarray], np.ndarray]  # points -> mask of points to keep

_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_TO_LONLAT = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


@dataclass
class _Geo:
    counties: gpd.GeoDataFrame  # EPSG:4326, schema columns
    city: shapely.Polygon  # EPSG:4326
    counties_m: list[shapely.Geometry]  # metric
    seats_m: dict[str, np.ndarray]  # adcode -> (x, y)


def _to_metric(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    x, y = _TO_METRIC.transform(lon, lat)
    return np.column_stack([x, y])


def _to_lonlat(xy: np.ndarray) -> np.ndarray:
    lon, lat = _TO_LONLAT.transform(xy[:, 0], xy[:, 1])
    return np.round(np.column_stack([lon, lat]), 6)


def _read_admin(data_dir: Path) -> _Geo:
    raw = gpd.read_file(data_dir / COUNTIES_FILE).sort_values("district_adcode")
    counties = gpd.GeoDataFrame(
        {
            "id": raw["district_adcode"].astype(int).astype(str).to_numpy(),
            "name": raw["district_name"].astype(str).to_numpy(),
            "short_name": raw["short_name"].astype(str).to_numpy(),
        },
        geometry=raw.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    city = gpd.read_file(data_dir / CITY_FILE).geometry.iloc[0]
    counties_m = list(counties.to_crs(METRIC_CRS).geometry)
    seats_m = {}
    for c in COUNTIES:
        xy = _to_metric(np.array([c.seat[0]]), np.array([c.seat[1]]))[0]
        poly = counties_m[list(counties["id"]).index(c.adcode)]
        if not poly.contains(shapely.Point(xy)):
            msg = f"county seat {c.seat_name} {c.seat} lies outside unit {c.adcode}"
            raise ValueError(msg)
        seats_m[c.adcode] = xy
    return _Geo(counties, city, counties_m, seats_m)


def _county_of(geo: _Geo, lonlat: np.ndarray) -> np.ndarray:
    """Index of the county containing each point, or -1."""
    out = np.full(len(lonlat), -1)
    for i, poly in enumerate(geo.counties.geometry):
        inside = shapely.contains_xy(poly, lonlat[:, 0], lonlat[:, 1])
        out[inside & (out < 0)] = i
    return out


def _sample(rng: np.random.Generator, n: int, draw: _Draw, keep: _Keep) -> np.ndarray:
    """Draw ``n`` metric points with ``draw(k)``, keeping those where ``keep(xy)``."""
    chunks: list[np.ndarray] = []
    have = 0
    for _ in range(200):
        xy = draw(max(2 * (n - have), 16))
        xy = xy[keep(xy)]
        chunks.append(xy)
        have += len(xy)
        if have >= n:
            return np.concatenate(chunks)[:n]
    msg = "could not place enough points; check the sampling region"
    raise RuntimeError(msg)


def _in_polygon(poly: shapely.Geometry) -> _Keep:
    shapely.prepare(poly)
    return lambda xy: shapely.contains_xy(poly, xy[:, 0], xy[:, 1])


def _gauss(rng: np.random.Generator, centre: np.ndarray, sigma: float) -> _Draw:
    return lambda k: centre + rng.normal(0.0, sigma, size=(k, 2))


def _uniform_in(rng: np.random.Generator, poly: shapely.Geometry) -> _Draw:
    x0, y0, x1, y1 = poly.bounds
    return lambda k: np.column_stack([rng.uniform(x0, x1, k), rng.uniform(y0, y1, k)])
