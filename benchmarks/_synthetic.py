"""Synthetic firms for the benchmarks: the demo's own firms resampled with ~300 m jitter."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

import geodata


def resampled_firms(data: geodata.PlanningData, n: int, seed: int = 0) -> geodata.PlanningData:
    """Return ``data`` with ``n`` firms resampled from its own (~300 m jitter)."""
    rng = np.random.default_rng(seed)
    base = data.enterprises
    pick = rng.integers(0, len(base), n)
    firms = base.iloc[pick].reset_index(drop=True)
    lat0 = float(base.geometry.y.mean())
    dy = rng.normal(0, 300, n) / 111_320
    dx = rng.normal(0, 300, n) / (111_320 * np.cos(np.radians(lat0)))
    geom = gpd.points_from_xy(firms.geometry.x + dx, firms.geometry.y + dy, crs="EPSG:4326")
    firms = gpd.GeoDataFrame(firms.drop(columns="geometry"), geometry=geom, crs="EPSG:4326")
    firms["id"] = [f"B{i:06d}" for i in range(n)]
    firms["name"] = [f"合成企业{i:06d}" for i in range(n)]
    provenance = {
        **data.provenance,
        "enterprises": geodata.Provenance(
            source="benchmarks/workspace_io.py (demo firms resampled)",
            licence="synthetic",
            synthetic=True,
        ),
    }
    return data.replace(name=f"{data.name} x{n}", enterprises=firms, provenance=provenance)
