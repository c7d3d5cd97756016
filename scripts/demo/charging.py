"""Existing charging stations and the candidate sites for both kinds of infrastructure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from scripts.demo.city import (
    _CHARGE_OPERATORS,
    CITY_CENTRE_SHIFT_M,
    COUNTIES,
    ZONES,
)
from scripts.demo.geometry import (
    _gauss,
    _Geo,
    _in_polygon,
    _sample,
    _uniform_in,
)
from scripts.demo.zones import _along_roads


def _make_charging(
    rng: np.random.Generator,
    geo: _Geo,
    zones_m: list[shapely.Geometry],
    zone_centres: np.ndarray,
) -> pd.DataFrame:
    rows = []
    plan = [(c, 45 if c.adcode == "211302" else 7) for c in COUNTIES if c.seat_firms]
    for c, n in plan:
        centre = geo.seats_m[c.adcode]
        sigma = 2000.0 if c.adcode == "211302" else 900.0
        if c.adcode == "211302":
            centre = centre + np.array(CITY_CENTRE_SHIFT_M)
        for p in centre + rng.normal(0.0, sigma, size=(n, 2)):
            dc = rng.uniform() < 0.7
            rows.append(
                {
                    "xy": p,
                    "place": c.seat_name,
                    "piles": int(rng.integers(4, 21) if dc else rng.integers(4, 11)),
                    "power_kw": float(rng.choice([60.0, 120.0, 160.0, 180.0])) if dc else 7.0,
                    "access": "public" if rng.uniform() < 0.88 else "private",
                    "operator": str(rng.choice(_CHARGE_OPERATORS)),
                    "kind": "充电站",
                }
            )
    for z, poly, centre in zip(ZONES, zones_m, zone_centres, strict=True):
        if rng.uniform() < 0.35:
            continue
        for p in _sample(
            rng, int(rng.integers(1, 3)), _gauss(rng, centre, 500.0), _in_polygon(poly)
        ):
            rows.append(
                {
                    "xy": p,
                    "place": z.name,
                    "piles": int(rng.integers(2, 9)),
                    "power_kw": 120.0,
                    "access": "private",
                    "operator": "企业自建",
                    "kind": "企业充电站",
                }
            )
    return pd.DataFrame(rows)


def _make_candidates(
    rng: np.random.Generator,
    geo: _Geo,
    zones_m: list[shapely.Geometry],
    zone_centres: np.ndarray,
    towns: np.ndarray,
    town_names: list[str],
    roads: list[tuple[np.ndarray, np.ndarray]],
    rural_firms: np.ndarray,
) -> pd.DataFrame:
    rows: list[dict[str, object]] = []

    def add(pts: np.ndarray, infra: str, source: str, place: str) -> None:
        for p in pts:
            if infra == "5g":
                cost = {
                    "tower": rng.uniform(120e3, 200e3),
                    "rooftop": rng.uniform(180e3, 280e3),
                    "roadside": rng.uniform(250e3, 400e3),
                }[source]
                capacity = 0.0
            else:
                n_dc = int(rng.integers(2, 13 if source == "parking_lot" else 7))
                n_ac = int(rng.integers(0, 11 if source != "roadside" else 3))
                cost = (
                    n_dc * rng.uniform(50e3, 75e3)
                    + n_ac * rng.uniform(4e3, 7e3)
                    + rng.uniform(150e3, 350e3)
                )
                capacity = float(round(n_dc * rng.uniform(10, 16) + n_ac * rng.uniform(2, 4)))
            rows.append(
                {
                    "xy": p,
                    "infrastructure": infra,
                    "source": source,
                    "place": place,
                    "cost_cny": float(np.round(cost, -3)),
                    "capacity": capacity,
                }
            )

    # 5G: China Tower towers near towns, rural firms and along roads; zone rooftops; roadside poles.
    for centre, name in zip(towns, town_names, strict=True):
        add(
            centre + rng.normal(0.0, 1200.0, size=(int(rng.integers(2, 5)), 2)), "5g", "tower", name
        )
    picks = rng.choice(len(rural_firms), size=min(60, len(rural_firms)), replace=False)
    add(rural_firms[picks] + rng.normal(0.0, 500.0, size=(len(picks), 2)), "5g", "tower", "乡村")
    add(_along_roads(rng, roads, 130, 250.0), "5g", "tower", "公路沿线")
    for z, poly in zip(ZONES, zones_m, strict=True):
        pts = _sample(rng, int(rng.integers(18, 31)), _uniform_in(rng, poly), _in_polygon(poly))
        add(pts, "5g", "rooftop", z.name)
        ring = poly.buffer(400.0)
        pts = _sample(rng, int(rng.integers(6, 11)), _uniform_in(rng, ring), _in_polygon(ring))
        add(pts, "5g", "roadside", z.name)
    add(_along_roads(rng, roads, 110, 80.0), "5g", "roadside", "公路沿线")
    for c in COUNTIES:
        if c.seat_firms == 0:
            continue
        centre = geo.seats_m[c.adcode]
        n = 40 if c.adcode == "211302" else 12
        add(centre + rng.normal(0.0, 2500.0, size=(n, 2)), "5g", "roadside", c.seat_name)

    # Charging: parking lots in towns and zones, zone rooftops, roadside along the county roads.
    for c in COUNTIES:
        if c.seat_firms == 0:
            continue
        centre = geo.seats_m[c.adcode]
        if c.adcode == "211302":
            centre = centre + np.array(CITY_CENTRE_SHIFT_M)
        n = 45 if c.adcode == "211302" else 11
        sigma = 2200.0 if c.adcode == "211302" else 1000.0
        add(centre + rng.normal(0.0, sigma, size=(n, 2)), "charging", "parking_lot", c.seat_name)
    for z, poly in zip(ZONES, zones_m, strict=True):
        pts = _sample(rng, int(rng.integers(5, 9)), _uniform_in(rng, poly), _in_polygon(poly))
        add(pts, "charging", "parking_lot", z.name)
        pts = _sample(rng, int(rng.integers(2, 5)), _uniform_in(rng, poly), _in_polygon(poly))
        add(pts, "charging", "rooftop", z.name)
    add(_along_roads(rng, roads, 45, 60.0), "charging", "roadside", "公路沿线")
    return pd.DataFrame(rows)
