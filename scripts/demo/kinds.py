"""Synthetic layers of the newer kinds: fibre access points, hydrogen stations, their candidates.

Drawn from a generator of their own (seeded from the demo's seed), after every other layer,
so the enterprises, 5G sites, charging stations and earlier candidates stay as they were.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
import shapely.ops

from .city import COUNTIES, ZONES
from .geometry import _Geo

H2_ZONES = ("凌源经济开发区", "建平经济开发区", "喀左经济开发区", "朝阳经济技术开发区")
"""Zones of the steel (Lingyuan) and clean-energy (Jianping, Kazuo) bases and the city's
logistics zone: the hydrogen candidates stand near them."""

H2_SECTORS = ("steel_metallurgy", "chemicals", "logistics", "clean_energy")


def h2_fleet(rng: np.random.Generator, sector: pd.Series, ev_fleet: pd.Series) -> np.ndarray:
    """Hydrogen trucks: about one in twenty of the fleet of heavy-industry and logistics firms."""
    heavy = sector.isin(H2_SECTORS).to_numpy()
    fleet = ev_fleet.to_numpy(int)
    return np.where(heavy, rng.binomial(fleet, 0.05), 0).astype(int)


def _inside(poly: shapely.Geometry, rng: np.random.Generator, n: int) -> np.ndarray:
    minx, miny, maxx, maxy = poly.bounds
    out: list[np.ndarray] = []
    while len(out) < n:
        p = np.array([rng.uniform(minx, maxx), rng.uniform(miny, maxy)])
        if poly.contains(shapely.Point(p)):
            out.append(p)
    return np.array(out).reshape(-1, 2)


def access_points(
    rng: np.random.Generator, geo: _Geo, zones_m: list[shapely.Geometry], zone_centres: np.ndarray
) -> pd.DataFrame:
    """One OLT site per county seat and one or two cabinets per zone, on its near side."""
    rows: list[dict[str, object]] = []
    operators = ("China Telecom", "China Unicom", "China Mobile")
    for c in COUNTIES:
        seat = np.asarray(geo.seats_m[c.adcode]) + rng.normal(0.0, 300.0, 2)
        rows.append(
            {
                "xy": seat,
                "place": c.seat_name,
                "point_type": "olt",
                "ports": 1024,
                "ports_used": int(rng.integers(600, 900)),
                "operator": str(rng.choice(operators)),
                "status": "operational",
            }
        )
    for k, z in enumerate(ZONES):
        # the cabinets stand on the zone's side towards the seat; its far side waits for fibre
        seat = np.asarray(geo.seats_m[z.adcode])
        near = shapely.ops.nearest_points(zones_m[k].exterior, shapely.Point(seat))[0]
        n = int(rng.integers(1, 3))
        for _ in range(n):
            p = np.array([near.x, near.y]) + rng.normal(0.0, 200.0, 2)
            ports = int(rng.choice([96, 144]))
            rows.append(
                {
                    "xy": p,
                    "place": z.name,
                    "point_type": "cabinet",
                    "ports": ports,
                    "ports_used": int(rng.integers(ports // 2, ports - 4)),
                    "operator": str(rng.choice(operators)),
                    "status": "operational" if rng.uniform() > 0.1 else "planned",
                }
            )
    return pd.DataFrame(rows)


def broadband_candidates(rng: np.random.Generator, zones_m: list[shapely.Geometry]) -> pd.DataFrame:
    """Six to nine cabinet sites spread over each zone (roadside or rooftop)."""
    rows: list[dict[str, object]] = []
    for k, z in enumerate(ZONES):
        n = int(rng.integers(6, 10))
        for p in _inside(zones_m[k], rng, n):
            rows.append(
                {
                    "xy": p,
                    "place": z.name,
                    "infrastructure": "broadband",
                    "source": str(rng.choice(["roadside", "rooftop"])),
                    "cost_cny": float(round(rng.uniform(60e3, 150e3), -2)),
                    "capacity": float(rng.choice([64, 96, 144])),
                }
            )
    return pd.DataFrame(rows)


def hydrogen_candidates(
    rng: np.random.Generator, zones_m: list[shapely.Geometry], zone_centres: np.ndarray
) -> pd.DataFrame:
    """Two sites next to each zone of the steel, clean-energy and logistics bases."""
    rows: list[dict[str, object]] = []
    for k, z in enumerate(ZONES):
        if z.name not in H2_ZONES:
            continue
        for _ in range(2):
            angle = rng.uniform(0.0, 2.0 * np.pi)
            edge = zones_m[k].exterior.distance(shapely.Point(zone_centres[k]))
            r = edge + rng.uniform(300.0, 1500.0)
            p = zone_centres[k] + r * np.array([np.cos(angle), np.sin(angle)])
            rows.append(
                {
                    "xy": p,
                    "place": z.name,
                    "infrastructure": "hydrogen",
                    "source": "roadside",
                    "cost_cny": float(round(rng.uniform(10e6, 16e6), -4)),
                    "capacity": float(rng.choice([500, 1000])),
                }
            )
    return pd.DataFrame(rows)


def hydrogen_stations(
    rng: np.random.Generator, zones_m: list[shapely.Geometry], zone_centres: np.ndarray
) -> pd.DataFrame:
    """One demonstration station by the city's technology zone."""
    k = [z.name for z in ZONES].index("朝阳经济技术开发区")
    edge = zones_m[k].exterior.distance(shapely.Point(zone_centres[k]))
    p = zone_centres[k] + (edge + 800.0) * np.array([1.0, 0.0]) + rng.normal(0.0, 50.0, 2)
    return pd.DataFrame(
        [
            {
                "xy": p,
                "place": ZONES[k].name,
                "capacity_kg_per_day": 500.0,
                "pressure_bar": 350.0,
                "operator": "示例能源公司",
                "status": "operational",
            }
        ]
    )
