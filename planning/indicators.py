"""Service indicators: which enterprises each kind of infrastructure already serves.

A firm is *in 5G coverage* when it lies within the planning radius
(``radius_m``) of an operational base station, and *near charging* when the
straight-line distance to the nearest charging station is at most a chosen
distance. Every other kind of :data:`geodata.infrastructure.INFRASTRUCTURE_KINDS`
(gigabit broadband, hydrogen) serves a firm within its default service
distance of an existing site in operation (``near_<code>``), measured straight
and multiplied by the kind's detour factor (a fibre cable follows streets).
All distances are computed in a local metric projection (never on
longitude/latitude) with a spatial index, so the cost grows with the number of
firms and stations, not with their product.

Examples
--------
>>> status = coverage_status(data, charging_distance_m=2000)  # doctest: +SKIP
>>> coverage_stats(data, status, by="county")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

import geodata
from geodata.infrastructure import INFRASTRUCTURE_KINDS, InfrastructureKind

from ._layers import layer_xy, operational_base_stations, resolve_crs
from .distances import coverage_matrix

__all__ = [
    "DEFAULT_CHARGING_DISTANCE_M",
    "STATS_COLUMNS",
    "coverage_stats",
    "coverage_status",
    "other_kinds",
    "resolve_crs",
    "uncovered_firms",
]

DEFAULT_CHARGING_DISTANCE_M = 2000.0
"""Default acceptable straight-line distance to a charging station (est., metres)."""

STATS_COLUMNS: tuple[str, ...] = (
    "firms",
    "firms_5g",
    "share_firms_5g",
    "employees",
    "employees_5g",
    "share_employees_5g",
    "firms_charging",
    "share_firms_charging",
    "employees_charging",
    "share_employees_charging",
)


def other_kinds() -> tuple[InfrastructureKind, ...]:
    """Return the kinds measured by distance to their own layer (all but 5G and charging)."""
    return tuple(k for k in INFRASTRUCTURE_KINDS.values() if k.code not in ("5g", "charging"))


STATS_COLUMNS = STATS_COLUMNS + tuple(
    f"{prefix}_{k.code}"
    for k in other_kinds()
    for prefix in ("firms", "share_firms", "employees", "share_employees")
)
"""Columns of :func:`coverage_stats`, in order (5G, charging, then the other kinds)."""


def coverage_status(
    data: geodata.PlanningData,
    *,
    charging_distance_m: float = DEFAULT_CHARGING_DISTANCE_M,
    metric_crs: Any = None,
    kind_distances_m: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Return, per enterprise, whether 5G and a charging station serve it.

    Parameters
    ----------
    data
        The planning area. Only base stations whose ``status`` is
        ``"operational"`` count; each covers a disc of its own ``radius_m``.
    charging_distance_m
        Straight-line distance within which a charging station counts as near.
    metric_crs
        Projected CRS in metres for the distances, or None for the local UTM
        zone (see :func:`resolve_crs`).
    kind_distances_m
        Service distance of the other kinds by code (e.g. ``{"broadband":
        1000}``, cable metres); a kind not named uses its registry default.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``data.enterprises``, with columns ``in_5g`` (bool),
        ``n_5g_sites`` (operational base stations covering the firm),
        ``charging_distance_m`` (metres to the nearest charging station, NaN
        when there is none), ``nearest_charging`` (its ``id``) and
        ``near_charging`` (bool); for every other kind ``<code>_distance_m``
        (straight line x detour factor to its nearest site in operation),
        ``nearest_<code>`` and ``near_<code>``.

    Raises
    ------
    ValueError
        If ``charging_distance_m`` is negative or ``metric_crs`` is not metric.
    """
    if not np.isfinite(charging_distance_m) or charging_distance_m < 0:
        msg = (
            "charging_distance_m must be a non-negative number of metres, "
            f"got {charging_distance_m!r}"
        )
        raise ValueError(msg)
    firms = data.enterprises
    out = pd.DataFrame(index=firms.index)
    if len(firms) == 0:
        out["in_5g"] = pd.Series(dtype=bool)
        out["n_5g_sites"] = pd.Series(dtype="int64")
        out["charging_distance_m"] = pd.Series(dtype=float)
        out["nearest_charging"] = pd.Series(dtype=object)
        out["near_charging"] = pd.Series(dtype=bool)
        for kind in other_kinds():
            out[f"{kind.code}_distance_m"] = pd.Series(dtype=float)
            out[f"nearest_{kind.code}"] = pd.Series(dtype=object)
            out[f"near_{kind.code}"] = pd.Series(dtype=bool)
        return out
    crs = resolve_crs(data, metric_crs)
    firm_xy = layer_xy(firms, crs)
    stations = operational_base_stations(data)
    cover = coverage_matrix(
        firm_xy, layer_xy(stations, crs), stations["radius_m"].to_numpy(float), crs=crs
    )
    counts = np.asarray(cover.sum(axis=1)).ravel().astype(np.int64)
    out["in_5g"] = counts > 0
    out["n_5g_sites"] = counts
    dist, idx = _nearest(firm_xy, layer_xy(data.charging_stations, crs))
    ids = data.charging_stations["id"].astype(object).to_numpy()
    out["charging_distance_m"] = dist
    out["nearest_charging"] = ids[idx] if len(ids) else None
    out["near_charging"] = dist <= charging_distance_m
    reach = dict(kind_distances_m or {})
    for kind in other_kinds():
        sites = _in_operation(getattr(data, kind.existing_layer))
        dist, idx = _nearest(firm_xy, layer_xy(sites, crs))
        dist = dist * kind.detour_factor
        ids = sites["id"].astype(object).to_numpy()
        out[f"{kind.code}_distance_m"] = dist
        out[f"nearest_{kind.code}"] = ids[idx] if len(ids) else None
        out[f"near_{kind.code}"] = dist <= float(reach.get(kind.code, kind.radius_m))
    return out


def _in_operation(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if "status" not in layer:
        return layer
    return layer[(layer["status"].fillna("operational").astype(str) == "operational").to_numpy()]


def _nearest(points: np.ndarray, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the distance to and index of the nearest site of each point.

    Parameters
    ----------
    points
        ``(n, 2)`` planar coordinates in metres.
    sites
        ``(m, 2)`` planar coordinates in the same CRS.

    Returns
    -------
    distance : numpy.ndarray
        ``(n,)`` metres; NaN when there are no sites.
    index : numpy.ndarray
        ``(n,)`` row positions in ``sites``; -1 when there are no sites.
    """
    if len(sites) == 0:
        return np.full(len(points), np.nan), np.full(len(points), -1, dtype=np.int64)
    dist, idx = cKDTree(sites).query(points, k=1)
    return np.asarray(dist, dtype=float), np.asarray(idx, dtype=np.int64)


def coverage_stats(
    data: geodata.PlanningData,
    status: pd.DataFrame,
    *,
    by: str = "county",
    total: bool = True,
    missing: str = "-",
    total_label: str = "total",
) -> pd.DataFrame:
    """Summarise :func:`coverage_status` per county, development zone or other column.

    Parameters
    ----------
    data
        The planning area ``status`` was computed for.
    status
        Output of :func:`coverage_status` (same index as ``data.enterprises``).
    by
        Enterprise column to group by: ``"county"``, ``"park"`` or any other
        column of the enterprises layer.
    total
        Append a row for the whole area.
    missing
        Group label of firms with no value in ``by`` (e.g. outside any zone).
    total_label
        Label of the total row.

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted by name, the total last) with the columns
        of :data:`STATS_COLUMNS`. Shares are fractions in [0, 1], NaN for an
        empty denominator.

    Raises
    ------
    ValueError
        If ``by`` is not a column of the enterprises layer or ``status`` does
        not match the enterprises.
    """
    firms = data.enterprises
    if by not in firms.columns or by == firms.geometry.name:
        msg = f"by must be an enterprise column such as 'county' or 'park', got {by!r}"
        raise ValueError(msg)
    if not status.index.equals(firms.index):
        msg = "status must be the coverage_status(...) of the same data (index differs)"
        raise ValueError(msg)
    employees = pd.to_numeric(firms.get("employees", 0), errors="coerce")
    employees = pd.Series(employees, index=firms.index).fillna(0).astype(float)
    g5 = status["in_5g"].astype(bool)
    ch = status["near_charging"].astype(bool)
    key = firms[by].astype(object).where(firms[by].notna() & (firms[by].astype(str) != ""), missing)
    parts = pd.DataFrame(
        {
            "group": key.astype(str),
            "firms": 1,
            "firms_5g": g5.astype(int),
            "employees": employees,
            "employees_5g": employees.where(g5, 0.0),
            "firms_charging": ch.astype(int),
            "employees_charging": employees.where(ch, 0.0),
        }
    )
    for kind in other_kinds():
        near = (
            status[f"near_{kind.code}"].astype(bool)
            if f"near_{kind.code}" in status
            else pd.Series(False, index=firms.index)
        )
        parts[f"firms_{kind.code}"] = near.astype(int)
        parts[f"employees_{kind.code}"] = employees.where(near, 0.0)
    sums = parts.groupby("group", sort=True).sum()
    if total:
        sums.loc[total_label] = parts.drop(columns="group").sum()
    sums.index.name = by
    return _with_shares(sums)


def _with_shares(sums: pd.DataFrame) -> pd.DataFrame:
    out = sums.copy()
    for col in ("firms", "firms_5g", "firms_charging", *(f"firms_{k.code}" for k in other_kinds())):
        out[col] = out[col].astype("int64")
    for kind in other_kinds():
        out[f"share_firms_{kind.code}"] = _share(out[f"firms_{kind.code}"], out["firms"])
        out[f"share_employees_{kind.code}"] = _share(
            out[f"employees_{kind.code}"], out["employees"]
        )
    out["share_firms_5g"] = _share(out["firms_5g"], out["firms"])
    out["share_employees_5g"] = _share(out["employees_5g"], out["employees"])
    out["share_firms_charging"] = _share(out["firms_charging"], out["firms"])
    out["share_employees_charging"] = _share(out["employees_charging"], out["employees"])
    return out[list(STATS_COLUMNS)]


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    whole = whole.astype(float)
    return part.astype(float) / whole.where(whole > 0)


def uncovered_firms(
    data: geodata.PlanningData,
    status: pd.DataFrame,
    *,
    what: str = "5g",
) -> gpd.GeoDataFrame:
    """Return the enterprises that 5G or a charging station does not yet serve.

    Parameters
    ----------
    data
        The planning area.
    status
        Output of :func:`coverage_status` for ``data``.
    what
        ``"5g"`` (outside every operational base station's radius),
        ``"charging"`` (no charging station within the chosen distance) or
        another kind's code (no site of it within its service distance).

    Returns
    -------
    geopandas.GeoDataFrame
        The enterprise rows, with ``charging_distance_m`` added, largest
        employers first.
    """
    columns = {"5g": "in_5g", "charging": "near_charging"}
    columns.update({k.code: f"near_{k.code}" for k in other_kinds()})
    column = columns.get(what)
    if column is None:
        msg = f"what must be one of {tuple(columns)}, got {what!r}"
        raise ValueError(msg)
    if not status.index.equals(data.enterprises.index):
        msg = "status must be the coverage_status(...) of the same data (index differs)"
        raise ValueError(msg)
    mask = ~status[column].astype(bool)
    out = data.enterprises[mask.to_numpy()].copy()
    out["charging_distance_m"] = status.loc[mask, "charging_distance_m"].to_numpy()
    if "employees" in out:
        out = out.sort_values("employees", ascending=False, kind="stable")
    return out
