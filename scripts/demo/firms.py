"""Enterprises: where they are and their synthetic attributes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from scripts.demo.city import (
    _NAME_WORDS_LIST,
    _SECTOR_WORDS,
    _SUFFIX_P,
    _SUFFIXES,
    CITY_CENTRE_SHIFT_M,
    COUNTIES,
    INDUSTRIAL,
    RURAL_FIRMS,
    RURAL_MIX,
    SEAT_MIX,
    SECTOR_SIZE,
    SECTORS,
    TOWN_MIX,
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


@dataclass
class _Firms:
    xy: np.ndarray
    sector: np.ndarray
    group: np.ndarray  # "zone", "seat", "town", "rural"
    cluster: np.ndarray  # zone index, county index, town index, or -1
    name_prefix: list[str]


def _place_firms(
    rng: np.random.Generator,
    geo: _Geo,
    zones_m: list[shapely.Geometry],
    zone_centres: np.ndarray,
    towns: np.ndarray,
    town_adcodes: list[str],
    roads: list[tuple[np.ndarray, np.ndarray]],
) -> _Firms:
    city_m = shapely.union_all(geo.counties_m)
    in_city = _in_polygon(city_m)
    xy, sector, group, cluster, prefix = [], [], [], [], []
    short = {c.adcode: c.short for c in COUNTIES}

    def add(points: np.ndarray, mix: np.ndarray, grp: str, idx: int, pre: str) -> None:
        xy.append(points)
        sector.append(rng.choice(SECTORS, size=len(points), p=mix))
        group.extend([grp] * len(points))
        cluster.extend([idx] * len(points))
        prefix.extend([pre] * len(points))

    for k, (z, poly) in enumerate(zip(ZONES, zones_m, strict=True)):
        sigma = np.sqrt(poly.area) * 0.45
        pts = _sample(rng, z.firms, _gauss(rng, zone_centres[k], sigma), _in_polygon(poly))
        add(pts, z.mix, "zone", k, short[z.adcode])
    for k, c in enumerate(COUNTIES):
        if c.seat_firms == 0:
            continue
        centre = geo.seats_m[c.adcode]
        if c.adcode == "211302":
            centre = centre + np.array(CITY_CENTRE_SHIFT_M)
        pts = _sample(rng, c.seat_firms, _gauss(rng, centre, c.seat_sigma_m), in_city)
        add(pts, SEAT_MIX, "seat", k, c.short)
    for k, (centre, adcode) in enumerate(zip(towns, town_adcodes, strict=True)):
        n = int(rng.integers(14, 46))
        sigma = float(rng.uniform(500.0, 900.0))
        pts = _sample(rng, n, _gauss(rng, centre, sigma), in_city)
        add(pts, TOWN_MIX, "town", k, short[adcode])
    n_road = int(RURAL_FIRMS * 0.6)
    pts = _sample(rng, n_road, lambda k: _along_roads(rng, roads, k, 700.0), in_city)
    add(pts, RURAL_MIX, "rural", -1, "")
    pts = _sample(rng, RURAL_FIRMS - n_road, _uniform_in(rng, city_m), in_city)
    add(pts, RURAL_MIX, "rural", -1, "")
    return _Firms(
        np.concatenate(xy),
        np.concatenate(sector),
        np.array(group),
        np.array(cluster),
        prefix,
    )


def _firm_attributes(
    rng: np.random.Generator, firms: _Firms, county_short: list[str]
) -> pd.DataFrame:
    n = len(firms.xy)
    sector = firms.sector
    size_factor = np.select(
        [firms.group == "zone", firms.group == "rural"], [1.6, 0.7], default=1.0
    )
    median = np.array([SECTOR_SIZE[s][0] for s in sector]) * size_factor
    sigma = np.array([SECTOR_SIZE[s][1] for s in sector])
    productivity = np.array([SECTOR_SIZE[s][2] for s in sector])
    intensity = np.array([SECTOR_SIZE[s][3] for s in sector])
    employees = np.clip(np.round(median * rng.lognormal(0.0, sigma)), 1, 30_000).astype(np.int64)
    output = np.round(employees * productivity * rng.lognormal(0.0, 0.45, n), 1)
    energy = np.round(output * intensity * rng.lognormal(0.0, 0.5, n), 1)

    industrial = np.isin(sector, list(INDUSTRIAL))
    in_zone = firms.group == "zone"

    # This year's digital-transformation list: 100 industrial firms, larger and
    # zone firms more likely; 76 of them completed.
    w = np.where(
        industrial & (employees >= 20), np.sqrt(employees) * np.where(in_zone, 2.5, 1.0), 0
    )
    listed = rng.choice(n, size=100, replace=False, p=w / w.sum())
    on_list = np.zeros(n, dtype=bool)
    on_list[listed] = True
    status = np.full(n, "none", dtype=object)
    status[listed] = ["completed"] * 76 + ["in_progress"] * 16 + ["planned"] * 8
    others = np.flatnonzero(~on_list)
    scale = np.clip(np.log10(employees[others]) / 2.5, 0.2, 1.5)
    u = rng.uniform(0.0, 1.0, len(others))
    earlier = np.select(
        [u < 0.05 * scale, u < 0.08 * scale, u < 0.12 * scale],
        ["completed", "in_progress", "planned"],
        default="none",
    )
    status[others] = earlier

    green = np.full(n, "none", dtype=object)
    w = np.where(industrial, employees**0.7 * np.where(in_zone, 2.0, 1.0), 0.0)
    chosen = rng.choice(n, size=4 + 14 + 32, replace=False, p=w / w.sum())
    green[chosen[:4]] = "national"
    green[chosen[4:18]] = "provincial"
    green[chosen[18:]] = "municipal"

    logistics = sector == "logistics"
    p_fleet = np.where(logistics, 0.85, np.clip(0.08 + 0.07 * np.log10(employees), 0.0, 0.6))
    has = rng.uniform(0.0, 1.0, n) < p_fleet
    mean = np.where(logistics, np.log(3 + employees / 5), np.log(1 + employees / 40))
    fleet = np.where(has, np.ceil(rng.lognormal(mean, 0.6)), 0)
    fleet = np.clip(fleet, 0, 500).astype(np.int64)

    names: list[str] = []
    seen: set[str] = set()
    for i in range(n):
        while True:
            pre = firms.name_prefix[i] or county_short[i]
            if rng.uniform() < 0.35:
                pre = "朝阳"
            word = str(rng.choice(_NAME_WORDS_LIST))
            kind = str(rng.choice(_SECTOR_WORDS[sector[i]]))
            suffix = str(rng.choice(_SUFFIXES, p=_SUFFIX_P))
            name = f"{pre}{word}{kind}{suffix}"
            if name not in seen:
                seen.add(name)
                names.append(name)
                break

    return pd.DataFrame(
        {
            "name": names,
            "sector": sector,
            "employees": employees,
            "output_value": output,
            "energy_use": energy,
            "digital_status": status.astype(str),
            "on_transform_list": on_list,
            "green_level": green.astype(str),
            "ev_fleet": fleet,
        }
    )
