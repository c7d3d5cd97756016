"""Small synthetic planning areas for the indicator, scenario and export tests.

Points are laid out in metres in UTM zone 51N (EPSG:32651, the zone of
120.45E) and converted to EPSG:4326, so that distances are known exactly in
the projection the library picks for this area.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry import box

import geodata

UTM = "EPSG:32651"
X0, Y0 = 287_400.0, 4_605_000.0  # about 120.45E 41.57N


def points(xy, **columns) -> gpd.GeoDataFrame:
    """Return a EPSG:4326 point layer from metric offsets around (X0, Y0)."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    geom = gpd.points_from_xy(X0 + xy[:, 0], Y0 + xy[:, 1], crs=UTM)
    return gpd.GeoDataFrame(columns, geometry=geom, crs=UTM).to_crs("EPSG:4326")


def firms(xy, *, county=None, park=None, employees=None, **extra) -> gpd.GeoDataFrame:
    n = len(xy)
    cols = {
        "id": [f"E{i}" for i in range(n)],
        "name": [f"企业{i}" for i in range(n)],
        "county": county if county is not None else ["A"] * n,
        "park": park if park is not None else [""] * n,
        "sector": ["other"] * n,
        "employees": employees if employees is not None else [10] * n,
        "output_value": [1.0] * n,
        "energy_use": [1.0] * n,
        "ev_fleet": [0] * n,
    }
    cols.update(extra)
    return points(xy, **cols)


def base_stations(xy, radius, *, status=None, band="3.5GHz") -> gpd.GeoDataFrame:
    n = len(xy)
    return points(
        xy,
        id=[f"B{i}" for i in range(n)],
        name=[f"基站{i}" for i in range(n)],
        operator=["China Mobile"] * n,
        band=[band] * n,
        radius_m=np.broadcast_to(np.asarray(radius, dtype=float), (n,)).copy(),
        status=status if status is not None else ["operational"] * n,
    )


def charging(xy) -> gpd.GeoDataFrame:
    n = len(xy)
    return points(
        xy,
        id=[f"C{i}" for i in range(n)],
        name=[f"充电站{i}" for i in range(n)],
        piles=[4] * n,
        power_kw=[60.0] * n,
        access=["public"] * n,
    )


def candidates(xy, *, infrastructure="5g", cost=100_000.0, source="tower") -> gpd.GeoDataFrame:
    n = len(xy)
    return points(
        xy,
        id=[f"S{i}" for i in range(n)],
        name=[f"候选{i}" for i in range(n)],
        infrastructure=np.broadcast_to(np.asarray(infrastructure, dtype=object), (n,)).copy(),
        cost_cny=np.broadcast_to(np.asarray(cost, dtype=float), (n,)).copy(),
        capacity=[0.0] * n,
        source=np.broadcast_to(np.asarray(source, dtype=object), (n,)).copy(),
        county=["A"] * n,
    )


def random_city(seed: int = 0, *, n_firms: int = 300, n_sites: int = 40) -> geodata.PlanningData:
    """Return a random 10 km x 10 km area with firms in clusters and both kinds of sites."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 10_000, size=(6, 2))
    which = rng.integers(0, len(centres), n_firms)
    fxy = np.clip(centres[which] + rng.normal(0, 900, size=(n_firms, 2)), 0, 10_000)
    county = np.where(fxy[:, 0] < 5_000, "西区", "东区")
    park = np.where(which == 0, "一号园区", np.where(which == 1, "二号园区", ""))
    ent = firms(
        fxy,
        county=list(county),
        park=list(park),
        employees=list(rng.integers(1, 500, n_firms)),
        ev_fleet=list(rng.integers(0, 20, n_firms)),
    )
    ent["output_value"] = rng.uniform(10, 5_000, n_firms)
    ent["energy_use"] = rng.uniform(1, 300, n_firms)
    half = n_sites // 2
    sxy = rng.uniform(0, 10_000, size=(n_sites, 2))
    infra = np.array(["5g"] * half + ["charging"] * (n_sites - half), dtype=object)
    sources = np.array(["tower", "rooftop", "parking_lot", "roadside"], dtype=object)
    cand = candidates(
        sxy,
        infrastructure=infra,
        cost=rng.integers(5, 40, n_sites) * 10_000.0,
        source=sources[rng.integers(0, len(sources), n_sites)],
    )
    bs = base_stations(rng.uniform(0, 10_000, size=(5, 2)), 600.0)
    ch = charging(rng.uniform(0, 10_000, size=(3, 2)))
    parks = gpd.GeoDataFrame(
        {"id": ["P1"], "name": ["一号园区"], "county": ["西区"]},
        geometry=[box(X0, Y0, X0 + 2_000, Y0 + 2_000)],
        crs=UTM,
    ).to_crs("EPSG:4326")
    return geodata.PlanningData(
        name="test",
        enterprises=ent,
        base_stations=bs,
        charging_stations=ch,
        candidate_sites=cand,
        parks=parks,
    )
