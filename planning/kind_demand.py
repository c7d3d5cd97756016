"""Demand of the newer kinds of infrastructure: hydrogen trucks and fibre connections.

A firm's hydrogen trucks are its ``h2_fleet`` where the layer gives one (any
firm non-zero); otherwise :data:`geodata.infrastructure.H2_FLEET_SHARE` of the
``ev_fleet`` of firms in :data:`geodata.infrastructure.H2_SECTORS` (steel,
chemicals, logistics, clean energy), an estimate that results state. Its daily
hydrogen is trucks x kg per truck and day. A firm needs one fibre connection
(one port). Existing sites' capacity in the kind's unit is read from their
layer: free ports of an access point, daily kg of a refuelling station.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.infrastructure import H2_FLEET_SHARE, H2_KG_PER_TRUCK_DAY, H2_SECTORS


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.zeros(len(frame))
    return pd.to_numeric(frame[name], errors="coerce").fillna(0.0).clip(lower=0).to_numpy(float)


def h2_fleet_assumed(enterprises: pd.DataFrame) -> bool:
    """Return True when the hydrogen fleet is assumed (no firm has an ``h2_fleet``)."""
    return not (_column(enterprises, "h2_fleet") > 0).any()


def h2_trucks(enterprises: pd.DataFrame) -> np.ndarray:
    """Return each firm's hydrogen trucks: ``h2_fleet``, or the assumed share of ``ev_fleet``.

    Parameters
    ----------
    enterprises
        The enterprises layer.

    Returns
    -------
    numpy.ndarray
        Non-negative float trucks per firm (fractional when assumed).
    """
    if not h2_fleet_assumed(enterprises):
        return _column(enterprises, "h2_fleet")
    sector = (
        enterprises["sector"].astype(str)
        if "sector" in enterprises
        else pd.Series("other", index=enterprises.index)
    )
    heavy = sector.isin(H2_SECTORS).to_numpy()
    return np.where(heavy, H2_FLEET_SHARE * _column(enterprises, "ev_fleet"), 0.0)


def hydrogen_kg_per_day(
    enterprises: pd.DataFrame, *, kg_per_truck_day: float | None = None
) -> np.ndarray:
    """Return each firm's daily hydrogen demand in kg (trucks x kg per truck and day)."""
    kg = H2_KG_PER_TRUCK_DAY if kg_per_truck_day is None else float(kg_per_truck_day)
    return h2_trucks(enterprises) * kg


def fibre_connections(enterprises: pd.DataFrame) -> np.ndarray:
    """Return the ports each firm needs: one per firm."""
    return np.ones(len(enterprises))


def free_ports(points: gpd.GeoDataFrame) -> np.ndarray:
    """Return the ports still free at each access point (``ports - ports_used``, at least 0)."""
    return np.maximum(_column(points, "ports") - _column(points, "ports_used"), 0.0)


def station_kg_per_day(stations: gpd.GeoDataFrame) -> np.ndarray:
    """Return each hydrogen station's daily capacity in kg."""
    return _column(stations, "capacity_kg_per_day")
