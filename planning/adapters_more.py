"""GeoDataFrame and road-graph adapters of the backup, p-dispersion, single-source and FRLM models.

Like :mod:`planning.adapters`: layers are projected to their local UTM
zone, straight-line coverage and distance matrices come from
:mod:`planning.distances`, columns are read by name, and indices in the
returned :class:`Solution` are row positions in the layers. The flow
refuelling adapters build origin-destination paths as shortest paths on a
road graph (``networkx``, osmnx-style, edge lengths in metres).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from .distances import coverage_matrix_gdf, distance_matrix_gdf
from .models import (
    Solution,
    SpecificationError,
    solve_backup_coverage,
    solve_capacitated_location,
    solve_flow_refuelling,
    solve_pdispersion,
)
from .models._args import layer_values
from .models.mclp import Method

__all__ = [
    "flow_paths",
    "solve_backup_coverage_gdf",
    "solve_capacitated_location_gdf",
    "solve_flow_refuelling_graph",
    "solve_pdispersion_gdf",
]

_ALL_PAIRS_M = 1e8
"""A cutoff beyond any distance on Earth, to get every pair of sites."""


def solve_backup_coverage_gdf(
    demand: Any,
    sites: Any,
    radius: float | str | np.ndarray,
    *,
    weights: str | np.ndarray | None = None,
    costs: str | np.ndarray | None = None,
    p: int | None = None,
    budget: float | None = None,
    backup_weight: float = 1.0,
    existing: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Solve :func:`planning.solve_backup_coverage` for two GeoDataFrames.

    Parameters
    ----------
    demand
        Demand layer (e.g. enterprises on the industrial internet), with a CRS.
    sites
        Candidate sites, with a CRS.
    radius
        Coverage radius in metres: a number, one per site or a column of ``sites``.
    weights
        Demand weights: a column of ``demand``, one value per row, or None.
    costs
        Site costs: a column of ``sites``, one value per site, or None.
    p, budget, backup_weight, existing, required, forbidden, method, time_limit
        As for :func:`planning.solve_backup_coverage` (row positions).

    Returns
    -------
    Solution
        As for :func:`planning.solve_backup_coverage`.
    """
    return solve_backup_coverage(
        coverage_matrix_gdf(demand, sites, radius),
        weights=layer_values(demand, weights, "weights", "demand"),
        costs=layer_values(sites, costs, "costs", "sites"),
        p=p,
        budget=budget,
        backup_weight=backup_weight,
        existing=existing,
        required=required,
        forbidden=forbidden,
        method=method,
        time_limit=time_limit,
    )


def solve_pdispersion_gdf(
    sites: Any,
    p: int,
    *,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Solve :func:`planning.solve_pdispersion` on straight-line distances between sites.

    Parameters
    ----------
    sites
        Candidate sites (e.g. pilot or demonstration projects), with a CRS.
    p
        Number of sites to choose.
    required, forbidden, method, time_limit
        As for :func:`planning.solve_pdispersion` (row positions).

    Returns
    -------
    Solution
        As for :func:`planning.solve_pdispersion`, distances in metres.
    """
    dist = distance_matrix_gdf(sites, sites, _ALL_PAIRS_M)
    return solve_pdispersion(
        dist, p, required=required, forbidden=forbidden, method=method, time_limit=time_limit
    )


def solve_capacitated_location_gdf(
    demand: Any,
    sites: Any,
    amount: str | np.ndarray,
    capacity: str | np.ndarray,
    *,
    cutoff: float | str | np.ndarray,
    fixed_cost: str | np.ndarray | None = None,
    cost_per_unit_m: float = 1.0,
    single_source: bool = True,
    p: int | None = None,
    exact_p: bool = False,
    fill_required: bool | float = False,
    existing: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Solve :func:`planning.solve_capacitated_location` on straight-line distance.

    Serving a point costs ``cost_per_unit_m x amount x distance``; pairs
    farther apart than ``cutoff`` are not allowed. Single-sourced by default
    (one station per firm).

    Parameters
    ----------
    demand
        Demand layer (e.g. firms' charging sessions per day), with a CRS.
    sites
        Candidate sites, with a CRS.
    amount
        Demand per row: a column of ``demand`` or one value per row.
    capacity
        Capacity per site: a column of ``sites`` or one value per site.
    cutoff
        Largest serving distance in metres: a number, one per site or a column.
    fixed_cost
        Opening cost per site: a column of ``sites``, values, or None for 0.
    cost_per_unit_m
        Cost of moving one unit of demand one metre.
    single_source, p, exact_p, fill_required, existing, required, forbidden, method, time_limit
        As for :func:`planning.solve_capacitated_location` (row positions).

    Returns
    -------
    Solution
        As for :func:`planning.solve_capacitated_location`.
    """
    if not (np.isfinite(cost_per_unit_m) and cost_per_unit_m >= 0):
        msg = f"cost_per_unit_m must be a finite non-negative number; got {cost_per_unit_m!r}"
        raise ValueError(msg)
    amt = np.asarray(layer_values(demand, amount, "amount", "demand"), dtype=np.float64)
    dist = sp.csr_array(distance_matrix_gdf(demand, sites, cutoff))
    if amt.shape != (dist.shape[0],):
        msg = f"amount must have one value per row of demand ({dist.shape[0]})"
        raise ValueError(msg)
    per_entry = np.repeat(amt, np.diff(dist.indptr))
    cost = sp.csr_array(
        (dist.data * per_entry * cost_per_unit_m, dist.indices, dist.indptr), shape=dist.shape
    )
    fc = layer_values(sites, fixed_cost, "fixed_cost", "sites")
    return solve_capacitated_location(
        cost,
        amt,
        layer_values(sites, capacity, "capacity", "sites"),
        np.zeros(dist.shape[1]) if fc is None else fc,
        single_source=single_source,
        p=p,
        exact_p=exact_p,
        fill_required=fill_required,
        existing=existing,
        required=required,
        forbidden=forbidden,
        method=method,
        time_limit=time_limit,
    )


def flow_paths(
    graph: Any, pairs: Sequence[tuple[Hashable, Hashable]], *, weight: str = "length"
) -> list[tuple[list[Hashable], list[float]]]:
    """Return the shortest road path of each origin-destination pair, for the FRLM.

    Parameters
    ----------
    graph
        Road graph (``networkx`` Graph, DiGraph or osmnx MultiDiGraph) whose
        edges carry ``weight`` in metres.
    pairs
        ``(origin node, destination node)`` per path.
    weight
        Edge attribute with the length in metres.

    Returns
    -------
    list of (nodes, cumulative)
        Node ids along each path and the distance from the origin to each,
        as :func:`planning.solve_flow_refuelling` takes them. The return
        trip is assumed to follow the same roads.

    Raises
    ------
    ValueError
        If a node is not in the graph, a pair has no path, or an edge lacks
        ``weight``; every failing pair is listed.
    """
    import networkx as nx

    out: list[tuple[list[Hashable], list[float]]] = []
    problems: list[str] = []
    for q, (o, d) in enumerate(pairs):
        if o not in graph or d not in graph:
            problems.append(f"pair {q}: node {o if o not in graph else d!r} is not in the graph")
            continue
        try:
            nodes = nx.shortest_path(graph, o, d, weight=weight)
        except nx.NetworkXNoPath:
            problems.append(f"pair {q}: no road from {o!r} to {d!r}")
            continue
        cum = [0.0]
        for u, v in itertools.pairwise(nodes):
            data = graph.get_edge_data(u, v)
            lengths = (
                [e.get(weight) for e in data.values()]
                if graph.is_multigraph()
                else [data.get(weight)]
            )
            lengths = [x for x in lengths if x is not None]
            if not lengths:
                problems.append(f"pair {q}: edge {u!r}-{v!r} has no {weight!r}")
                break
            cum.append(cum[-1] + float(min(lengths)))
        else:
            out.append((list(nodes), cum))
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        msg = "pairs: " + "; ".join(problems[:5]) + more
        raise ValueError(msg)
    return out


def solve_flow_refuelling_graph(
    graph: Any,
    od: Any,
    *,
    vehicle_range_m: float,
    origin: str = "origin",
    destination: str = "destination",
    flow: str = "flow",
    candidates: Sequence[Hashable] | None = None,
    p: int | None = None,
    budget: float | None = None,
    costs: np.ndarray | None = None,
    existing: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    weight: str = "length",
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Solve :func:`planning.solve_flow_refuelling` on shortest road paths.

    Parameters
    ----------
    graph
        Road graph with edge lengths in metres (see :func:`flow_paths`).
    od
        Table (pandas DataFrame) of origin-destination flows with graph node
        ids in ``origin`` and ``destination`` and the flow in ``flow``.
    vehicle_range_m
        Range of a vehicle on a full tank or charge, in metres.
    origin, destination, flow
        Column names of ``od``.
    candidates
        Node ids where stations may be built; default every node on a path
        (sorted by first appearance). ``selected`` indexes this list, which
        is returned in ``details["candidates"]``.
    p, budget, costs, existing, required, forbidden, method, time_limit
        As for :func:`planning.solve_flow_refuelling`.
    weight
        Edge attribute with the length in metres.

    Returns
    -------
    Solution
        As for :func:`planning.solve_flow_refuelling`, with ``details``
        also holding ``candidates`` and ``paths``.
    """
    missing = [c for c in (origin, destination, flow) if c not in od.columns]
    if missing:
        msg = f"od lacks columns {missing}; its columns are {', '.join(map(str, od.columns))}"
        raise KeyError(msg)
    pairs = list(zip(od[origin].tolist(), od[destination].tolist(), strict=True))
    paths = flow_paths(graph, pairs, weight=weight)
    if candidates is None:
        seen: dict[Hashable, None] = {}
        for nodes, _ in paths:
            for v in nodes:
                seen.setdefault(v, None)
        candidates = list(seen)
    if not len(candidates):
        msg = "candidates is empty: give node ids where stations may be built"
        raise SpecificationError(msg)
    sol = solve_flow_refuelling(
        paths,
        layer_values(od, flow, "flow", "od"),
        candidates,
        vehicle_range_m=vehicle_range_m,
        p=p,
        budget=budget,
        costs=costs,
        existing=existing,
        required=required,
        forbidden=forbidden,
        method=method,
        time_limit=time_limit,
    )
    sol.details["candidates"] = list(candidates)
    sol.details["paths"] = paths
    return sol
