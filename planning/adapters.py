"""GeoDataFrame adapters of the location models.

Each ``solve_*_gdf`` projects the demand and site layers to their local UTM
zone, builds the straight-line coverage or distance matrix
(:mod:`planning.distances`), reads weights, costs and capacities from layer
columns and calls the array model of the same name in
:mod:`planning.models`. Indices in the returned :class:`Solution` are row
positions in the layers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .distances import coverage_matrix_gdf, distance_matrix_gdf
from .models import (
    Solution,
    solve_capacitated_coverage,
    solve_lscp,
    solve_mclp,
    solve_pcenter,
    solve_pmedian,
)
from .models._args import layer_values
from .models.mclp import Method

__all__ = [
    "solve_capacitated_coverage_gdf",
    "solve_lscp_gdf",
    "solve_mclp_gdf",
    "solve_pcenter_gdf",
    "solve_pmedian_gdf",
]


def solve_mclp_gdf(
    demand: Any,
    sites: Any,
    radius: float | str | np.ndarray,
    p: int | None,
    *,
    weights: str | np.ndarray | None = None,
    costs: str | np.ndarray | None = None,
    budget: float | None = None,
    existing: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Solve :func:`solve_mclp` for two GeoDataFrames on straight-line coverage.

    The coverage matrix comes from :func:`planning.coverage_matrix_gdf`
    (both layers projected to their local UTM zone).

    Parameters
    ----------
    demand
        Demand layer (e.g. enterprises), a GeoDataFrame with a CRS.
    sites
        Candidate sites, a GeoDataFrame with a CRS.
    radius
        Coverage radius in metres: a number, one value per site or the name
        of a column of ``sites``.
    p
        Largest number of sites to choose, or None with a budget.
    weights
        Demand weights: the name of a column of ``demand`` (e.g.
        ``"employees"``), one value per row, or None for 1 each.
    costs
        Site costs: the name of a column of ``sites`` (e.g. ``"cost_cny"``),
        one value per site, or None.
    budget, existing, required, forbidden, method, time_limit
        As for :func:`solve_mclp` (indices are row positions).

    Returns
    -------
    Solution
        As for :func:`solve_mclp`; indices are row positions in the layers.
    """
    return solve_mclp(
        coverage_matrix_gdf(demand, sites, radius),
        layer_values(demand, weights, "weights", "demand"),
        p,
        costs=layer_values(sites, costs, "costs", "sites"),
        budget=budget,
        existing=existing,
        required=required,
        forbidden=forbidden,
        method=method,
        time_limit=time_limit,
    )


def solve_lscp_gdf(
    demand: Any,
    sites: Any,
    radius: float | str | np.ndarray,
    *,
    costs: str | np.ndarray | None = None,
    weights: str | np.ndarray | None = None,
    target: float = 1.0,
    existing: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Solve :func:`solve_lscp` for two GeoDataFrames.

    The coverage matrix comes from :func:`planning.coverage_matrix_gdf`
    (both layers projected to their local UTM zone).

    Parameters
    ----------
    demand
        Demand layer (e.g. enterprises), a GeoDataFrame with a CRS.
    sites
        Candidate sites, a GeoDataFrame with a CRS.
    radius
        Coverage radius in metres: a number, one value per site or the name
        of a column of ``sites``.
    costs
        Site costs: the name of a column of ``sites`` (e.g. ``"cost_cny"``),
        one value per site, or None to count sites.
    weights
        Demand weights: the name of a column of ``demand`` (e.g.
        ``"employees"``), one value per row, or None.
    target, existing, required, forbidden, method, time_limit
        As for :func:`solve_lscp` (indices are row positions).

    Returns
    -------
    Solution
        As for :func:`solve_lscp`; indices are row positions in the layers.
    """
    cover = coverage_matrix_gdf(demand, sites, radius)
    return solve_lscp(
        cover,
        costs=layer_values(sites, costs, "costs", "sites"),
        weights=layer_values(demand, weights, "weights", "demand"),
        target=target,
        existing=existing,
        required=required,
        forbidden=forbidden,
        method=method,
        time_limit=time_limit,
    )


def solve_pmedian_gdf(
    demand: Any,
    sites: Any,
    p: int,
    *,
    cutoff: float | str | np.ndarray,
    weights: str | np.ndarray | None = None,
    required: np.ndarray | list[int] | None = None,
    forbidden: np.ndarray | list[int] | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Solve :func:`solve_pmedian` for two GeoDataFrames on straight-line distance.

    Distances come from :func:`planning.distance_matrix_gdf` (both layers
    projected to their local UTM zone, pairs beyond ``cutoff`` left out).

    Parameters
    ----------
    demand
        Demand layer (e.g. enterprises), a GeoDataFrame with a CRS.
    sites
        Candidate sites, a GeoDataFrame with a CRS.
    p
        Number of sites to open.
    cutoff
        Largest serving distance in metres: a number, one value per site or
        the name of a column of ``sites``. Every demand point needs a site
        within it.
    weights
        Demand weights: the name of a column of ``demand`` (e.g.
        ``"employees"``), one value per row, or None for 1 each.
    required, forbidden, method, time_limit
        As for :func:`solve_pmedian` (indices are row positions).

    Returns
    -------
    Solution
        As for :func:`solve_pmedian`, objective in weight x metres; indices
        are row positions in the layers.
    """
    dist = distance_matrix_gdf(demand, sites, cutoff)
    w = layer_values(demand, weights, "weights", "demand")
    return solve_pmedian(
        dist,
        1.0 if w is None else w,
        p,
        required=required,
        forbidden=forbidden,
        method=method,
        time_limit=time_limit,
    )


def solve_pcenter_gdf(
    demand: Any,
    sites: Any,
    p: int,
    *,
    cutoff: float | str | np.ndarray,
    weights: str | np.ndarray | None = None,
    required: np.ndarray | list[int] | None = None,
    forbidden: np.ndarray | list[int] | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Solve :func:`solve_pcenter` for two GeoDataFrames on straight-line distance.

    Distances come from :func:`planning.distance_matrix_gdf` (both layers
    projected to their local UTM zone, pairs beyond ``cutoff`` left out).

    Parameters
    ----------
    demand
        Demand layer (e.g. enterprises), a GeoDataFrame with a CRS.
    sites
        Candidate sites, a GeoDataFrame with a CRS.
    p
        Number of sites to open.
    cutoff
        Largest serving distance in metres: a number, one value per site or
        the name of a column of ``sites``. Every demand point needs a site
        within it.
    weights
        Optional demand weights: the name of a column of ``demand``, one
        value per row, or None.
    required, forbidden, method, time_limit
        As for :func:`solve_pcenter` (indices are row positions).

    Returns
    -------
    Solution
        As for :func:`solve_pcenter`, objective in (weight x) metres; indices
        are row positions in the layers.
    """
    dist = distance_matrix_gdf(demand, sites, cutoff)
    return solve_pcenter(
        dist,
        p,
        weights=layer_values(demand, weights, "weights", "demand"),
        required=required,
        forbidden=forbidden,
        method=method,
        time_limit=time_limit,
    )


def solve_capacitated_coverage_gdf(
    demand: Any,
    sites: Any,
    radius: float | str | np.ndarray,
    amount: str | np.ndarray,
    capacity: str | np.ndarray,
    p: int | None = None,
    *,
    costs: str | np.ndarray | None = None,
    budget: float | None = None,
    existing_capacity: str | np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Solve :func:`solve_capacitated_coverage` for two GeoDataFrames.

    The coverage matrix comes from :func:`planning.coverage_matrix_gdf`
    (both layers projected to their local UTM zone).

    Parameters
    ----------
    demand
        Demand layer (e.g. enterprises), a GeoDataFrame with a CRS.
    sites
        Candidate sites, a GeoDataFrame with a CRS.
    radius
        Service radius in metres: a number, one value per site or the name
        of a column of ``sites``.
    amount
        Demand of each row of ``demand``: a column name or one value per row
        (e.g. charging sessions per day derived from ``ev_fleet``).
    capacity
        Capacity a selected site adds: a column name of ``sites`` (e.g.
        ``"capacity"``) or one value per site.
    p, budget, required, forbidden, method, time_limit
        As for :func:`solve_capacitated_coverage`.
    costs, existing_capacity
        Column names of ``sites`` or one value per site, as for
        :func:`solve_capacitated_coverage`.

    Returns
    -------
    Solution
        As for :func:`solve_capacitated_coverage`; indices are row positions.
    """
    cover = coverage_matrix_gdf(demand, sites, radius)
    return solve_capacitated_coverage(
        cover,
        layer_values(demand, amount, "amount", "demand"),
        layer_values(sites, capacity, "capacity", "sites"),
        p,
        costs=layer_values(sites, costs, "costs", "sites"),
        budget=budget,
        existing_capacity=layer_values(sites, existing_capacity, "existing_capacity", "sites"),
        required=required,
        forbidden=forbidden,
        method=method,
        time_limit=time_limit,
    )
