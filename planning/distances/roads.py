"""Distances by road: snap points to a road graph, then bounded shortest paths.

A trip from a demand point to a site is: the straight *snap* from the demand
point to the nearest road (or road node), along the roads, and the snap from
the road to the site. Snapping to an edge enters the road at the projected
point and may leave it towards either end the direction of travel allows
(one-way streets are respected). Points farther than ``max_snap`` metres
from every road are reported as unreachable and get no entries.

Travel is **from the demand point to the site** (a firm's vehicle driving to
a charging station); on two-way roads it makes no difference. All sites are
searched at once with :func:`scipy.sparse.csgraph.dijkstra` on the reversed
graph, bounded by the cutoff, a few sources at a time so that memory stays
bounded; no per-site networkx search is run. Demand points at the same
coordinates (firms sharing an address) are snapped and searched once.

The matrices follow the :mod:`planning.distances.straight_line` convention: the sparsity
pattern says which pairs are within the cutoff and a trip of length 0 is an
explicitly stored 0.

Coordinates are in the graph's CRS. For an unprojected (lon/lat) graph the
snapping is done in the local UTM zone and snap lengths are great-circle
metres; edge lengths are the graph's own ``length`` (metres). With
``weight="travel_time"`` the snap legs are driven at ``snap_speed_kmh``.

Preparing a graph (arrays, edge costs, the snapping index) costs more than
one matrix on a large graph: :func:`prepare_roads` does it once and its
:class:`RoadNetwork` can be passed wherever a graph is accepted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from ._road_graph import (
    DEFAULT_SPEEDS_KMH,
    FALLBACK_SPEED_KMH,
    RoadNetwork,
    edge_speed_kmh,
    prepare_roads,
)
from ._snapping import (
    _as_points,
    _cheapest,
    _distinct_points,
    _gdf_xy,
    _Links,
    _links,
    _report,
    _Snap,
    _snap,
)
from .straight_line import within_cutoff

__all__ = [
    "DEFAULT_SPEEDS_KMH",
    "FALLBACK_SPEED_KMH",
    "RoadDistances",
    "RoadNetwork",
    "edge_speed_kmh",
    "prepare_roads",
    "road_coverage_matrix",
    "road_coverage_matrix_gdf",
    "road_distance_matrix",
    "road_distance_matrix_gdf",
    "road_distances",
]

_CHUNK_CELLS = 4_000_000
"""Sources x graph nodes per Dijkstra batch; bounds the temporary distance block."""


@dataclass(frozen=True)
class RoadDistances:
    """Road distances between demand points and sites, and how points were snapped.

    Parameters
    ----------
    matrix
        ``(n_demand, n_sites)`` CSR array of trip costs (metres for
        ``weight="length"``, seconds for ``weight="travel_time"``), with an
        entry for every pair within the cutoff (explicit zeros kept).
    demand_snap, site_snap
        One row per point: ``snap_m`` (straight distance to the road, metres),
        ``reachable`` (snap within ``max_snap``), ``u``, ``v``, ``key`` (the
        graph edge snapped to, or ``u == v`` the node for ``snap="node"``) and
        ``position`` (fraction of the way from ``u`` to ``v``).
    weight
        Edge attribute the costs are in.
    cutoff
        Largest trip cost kept.
    """

    matrix: sp.csr_array
    demand_snap: pd.DataFrame
    site_snap: pd.DataFrame
    weight: str
    cutoff: float

    @property
    def unreachable_demand(self) -> np.ndarray:
        """Indices of demand points farther than ``max_snap`` from every road."""
        return np.flatnonzero(~self.demand_snap["reachable"].to_numpy())

    @property
    def unreachable_sites(self) -> np.ndarray:
        """Indices of sites farther than ``max_snap`` from every road."""
        return np.flatnonzero(~self.site_snap["reachable"].to_numpy())


def road_distances(
    graph: Any,
    demand_xy: Any,
    site_xy: Any,
    cutoff: float,
    *,
    weight: str = "length",
    max_snap: float = 500.0,
    snap: Literal["edge", "node"] = "edge",
    speeds: Mapping[str, float] | None = None,
    snap_speed_kmh: float = 15.0,
) -> RoadDistances:
    """Return road trip costs for every demand-site pair within a cutoff, with a snap report.

    Parameters
    ----------
    graph
        Road network as an osmnx-style ``networkx.MultiDiGraph`` (nodes with
        ``x``/``y``, edges with ``length`` and optionally ``geometry``,
        ``highway``, ``maxspeed``; ``graph.graph["crs"]``), or a
        :class:`RoadNetwork` from :func:`prepare_roads`. Unprojected
        (lon/lat) and projected (metres) graphs both work.
    demand_xy
        Demand coordinates in the graph's CRS, shape ``(n, 2)`` as (x, y),
        i.e. (lon, lat) for an unprojected graph.
    site_xy
        Site coordinates in the graph's CRS, shape ``(m, 2)``.
    cutoff
        Largest trip cost kept, in the unit of ``weight``.
    weight
        ``"length"`` (metres), ``"travel_time"`` (seconds; taken from the
        edges if every edge has it, otherwise computed from ``maxspeed`` tags
        and ``speeds``) or any other numeric edge attribute.
    max_snap
        Largest straight distance in metres from a point to the road network;
        points farther away are unreachable.
    snap
        ``"edge"`` to enter the road at the nearest point of the nearest edge,
        ``"node"`` to go straight to the nearest graph node.
    speeds
        Speeds in km/h by highway type, overriding :data:`DEFAULT_SPEEDS_KMH`
        for ``weight="travel_time"``.
    snap_speed_kmh
        Speed in km/h of the snap legs for ``weight="travel_time"``.

    Returns
    -------
    RoadDistances
        The CSR matrix (demand x sites) and the per-point snap report.

    Raises
    ------
    ValueError
        If the graph, coordinates, cutoff or options are invalid.
    """
    demand = _as_points(demand_xy, "demand_xy")
    sites = _as_points(site_xy, "site_xy")
    if not (isinstance(cutoff, int | float) and math.isfinite(cutoff) and cutoff >= 0):
        msg = f"cutoff must be a finite number >= 0 in the unit of weight; got {cutoff!r}"
        raise ValueError(msg)
    if not max_snap >= 0:
        msg = f"max_snap must be a distance in metres >= 0; got {max_snap!r}"
        raise ValueError(msg)
    if snap not in ("edge", "node"):
        msg = f"snap must be 'edge' or 'node'; got {snap!r}"
        raise ValueError(msg)
    if not snap_speed_kmh > 0:
        msg = f"snap_speed_kmh must be > 0; got {snap_speed_kmh!r}"
        raise ValueError(msg)
    if isinstance(graph, RoadNetwork):
        if weight != graph.weight:
            msg = f"weight must be {graph.weight!r}, the weight the network was prepared with"
            raise ValueError(msg)
        net = graph
    else:
        net = prepare_roads(graph, weight=weight, speeds=speeds)
    per_metre = 3.6 / snap_speed_kmh if weight == "travel_time" else 1.0
    # firms often share an address: snap and search each distinct point once
    distinct, inverse = _distinct_points(demand)
    dsnap = _snap(net, distinct, snap, max_snap)
    ssnap = _snap(net, sites, snap, max_snap)
    links = _links(net, dsnap, ssnap, per_metre, snap)
    matrix = _bounded_paths(links, net.n_nodes, len(distinct), len(sites), ssnap, float(cutoff))
    if inverse is not None:
        matrix = sp.csr_array(matrix[inverse])
        dsnap = _Snap(*(getattr(dsnap, f)[inverse] for f in _Snap.__dataclass_fields__))
    return RoadDistances(
        matrix=matrix,
        demand_snap=_report(net, dsnap, snap),
        site_snap=_report(net, ssnap, snap),
        weight=weight,
        cutoff=float(cutoff),
    )


def road_distance_matrix(
    graph: Any,
    demand_xy: Any,
    site_xy: Any,
    cutoff: float,
    *,
    weight: str = "length",
    max_snap: float = 500.0,
    snap: Literal["edge", "node"] = "edge",
    speeds: Mapping[str, float] | None = None,
    snap_speed_kmh: float = 15.0,
) -> sp.csr_array:
    """Return the sparse matrix of road trip costs within a cutoff.

    The same as ``road_distances(...).matrix``; use :func:`road_distances`
    to see which points could not be snapped to the roads.

    Parameters
    ----------
    graph
        Road network (osmnx-style ``MultiDiGraph``) or a :class:`RoadNetwork`;
        see :func:`road_distances`.
    demand_xy
        Demand coordinates in the graph's CRS, shape ``(n, 2)``.
    site_xy
        Site coordinates in the graph's CRS, shape ``(m, 2)``.
    cutoff
        Largest trip cost kept, in the unit of ``weight``.
    weight
        ``"length"`` (metres) or ``"travel_time"`` (seconds), or an edge attribute.
    max_snap
        Largest snap distance in metres; farther points get no entries.
    snap
        ``"edge"`` or ``"node"``.
    speeds
        Speeds in km/h by highway type for ``weight="travel_time"``.
    snap_speed_kmh
        Speed in km/h of the snap legs for ``weight="travel_time"``.

    Returns
    -------
    scipy.sparse.csr_array
        Float64 ``(n, m)`` matrix; a missing entry means "not within the cutoff".
    """
    return road_distances(
        graph,
        demand_xy,
        site_xy,
        cutoff,
        weight=weight,
        max_snap=max_snap,
        snap=snap,
        speeds=speeds,
        snap_speed_kmh=snap_speed_kmh,
    ).matrix


def road_coverage_matrix(
    graph: Any,
    demand_xy: Any,
    site_xy: Any,
    cutoff: float,
    *,
    weight: str = "length",
    max_snap: float = 500.0,
    snap: Literal["edge", "node"] = "edge",
    speeds: Mapping[str, float] | None = None,
    snap_speed_kmh: float = 15.0,
) -> sp.csr_array:
    """Return which sites can be reached from which demand points within a cutoff by road.

    Parameters
    ----------
    graph
        Road network (osmnx-style ``MultiDiGraph``) or a :class:`RoadNetwork`;
        see :func:`road_distances`.
    demand_xy
        Demand coordinates in the graph's CRS, shape ``(n, 2)``.
    site_xy
        Site coordinates in the graph's CRS, shape ``(m, 2)``.
    cutoff
        Largest trip cost, in the unit of ``weight``.
    weight
        ``"length"`` (metres) or ``"travel_time"`` (seconds), or an edge attribute.
    max_snap
        Largest snap distance in metres; farther points are covered by nothing.
    snap
        ``"edge"`` or ``"node"``.
    speeds
        Speeds in km/h by highway type for ``weight="travel_time"``.
    snap_speed_kmh
        Speed in km/h of the snap legs for ``weight="travel_time"``.

    Returns
    -------
    scipy.sparse.csr_array
        Boolean ``(n, m)`` matrix, True where the trip costs at most ``cutoff``.
    """
    distances = road_distance_matrix(
        graph,
        demand_xy,
        site_xy,
        cutoff,
        weight=weight,
        max_snap=max_snap,
        snap=snap,
        speeds=speeds,
        snap_speed_kmh=snap_speed_kmh,
    )
    return within_cutoff(distances)


def road_distance_matrix_gdf(
    graph: Any,
    demand: Any,
    sites: Any,
    cutoff: float,
    **kwargs: Any,
) -> sp.csr_array:
    """Return :func:`road_distance_matrix` for two point GeoDataFrames.

    Parameters
    ----------
    graph
        Road network (osmnx-style ``MultiDiGraph``) with ``graph.graph["crs"]``,
        or a :class:`RoadNetwork`.
    demand, sites
        Point GeoDataFrames in any CRS; they are converted to the graph's CRS.
    cutoff
        Largest trip cost, in the unit of ``weight``.
    **kwargs
        Passed on to :func:`road_distance_matrix`.

    Returns
    -------
    scipy.sparse.csr_array
        Float64 ``(len(demand), len(sites))`` matrix.
    """
    crs = _graph_crs(graph)
    return road_distance_matrix(
        graph, _gdf_xy(demand, crs, "demand"), _gdf_xy(sites, crs, "sites"), cutoff, **kwargs
    )


def road_coverage_matrix_gdf(
    graph: Any,
    demand: Any,
    sites: Any,
    cutoff: float,
    **kwargs: Any,
) -> sp.csr_array:
    """Return :func:`road_coverage_matrix` for two point GeoDataFrames.

    Parameters
    ----------
    graph
        Road network (osmnx-style ``MultiDiGraph``) or a :class:`RoadNetwork`.
    demand, sites
        Point GeoDataFrames in any CRS; they are converted to the graph's CRS.
    cutoff
        Largest trip cost, in the unit of ``weight``.
    **kwargs
        Passed on to :func:`road_coverage_matrix`.

    Returns
    -------
    scipy.sparse.csr_array
        Boolean ``(len(demand), len(sites))`` matrix.
    """
    crs = _graph_crs(graph)
    return road_coverage_matrix(
        graph, _gdf_xy(demand, crs, "demand"), _gdf_xy(sites, crs, "sites"), cutoff, **kwargs
    )


def _graph_crs(graph: Any) -> Any:
    if isinstance(graph, RoadNetwork):
        return graph.crs
    return graph.graph.get("crs", "EPSG:4326")


def _bounded_paths(
    links: _Links, n_nodes: int, nd: int, ns: int, ssnap: _Snap, cutoff: float
) -> sp.csr_array:
    """Return the (demand x sites) costs within the cutoff, searching from the sites backwards."""
    sources = np.flatnonzero(ssnap.reachable)
    demands, starts, counts = np.unique(links.exit_demand, return_index=True, return_counts=True)
    # exits as a small (demand x k) table, padded with infinite costs
    k = int(counts.max()) if len(counts) else 0
    slot = np.arange(len(links.exit_demand)) - np.repeat(starts, counts)
    row = np.repeat(np.arange(len(demands)), counts)
    exit_node = np.zeros((len(demands), k), dtype=np.int64)
    exit_cost = np.full((len(demands), k), np.inf)
    exit_node[row, slot] = links.exit_node
    exit_cost[row, slot] = links.exit_cost
    size = links.reverse.shape[0]
    batch = max(1, _CHUNK_CELLS // max(size, k * len(demands), 1))
    rows_out, cols_out, data_out = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0)]
    for start in range(0, len(sources) if len(demands) else 0, batch):
        chunk = sources[start : start + batch]
        dist = dijkstra(links.reverse, directed=True, indices=n_nodes + chunk, limit=cutoff)
        block = dist[:, exit_node[:, 0]]
        block += exit_cost[:, 0]
        for j in range(1, k):
            other = dist[:, exit_node[:, j]]
            other += exit_cost[:, j]
            np.minimum(block, other, out=block)
            del other
        del dist
        flat = np.flatnonzero(block <= cutoff)
        site_pos, dem = np.divmod(flat, block.shape[1])
        rows_out.append(demands[dem])
        cols_out.append(chunk[site_pos])
        data_out.append(block.ravel()[flat])
    rows, cols, data = (np.concatenate(x) for x in (rows_out, cols_out, data_out))
    out = sp.csr_array((data, (rows, cols)), shape=(nd, ns))
    out.sort_indices()
    return _with_direct(out, links.direct, cutoff)


def _with_direct(
    out: sp.csr_array, direct: tuple[np.ndarray, np.ndarray, np.ndarray], cutoff: float
) -> sp.csr_array:
    """Add the along-one-edge trips, keeping the cheaper cost where a pair has both."""
    d_rows, d_cols, d_data = _cheapest(*direct)
    keep = d_data <= cutoff
    d_rows, d_cols, d_data = d_rows[keep], d_cols[keep], d_data[keep]
    if len(d_rows) == 0:
        return out
    nd, ns = out.shape
    # the entries of a CSR array with sorted indices are in (row, column) order
    keys = np.repeat(np.arange(nd, dtype=np.int64), np.diff(out.indptr)) * ns + out.indices
    wanted = d_rows * ns + d_cols
    pos = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    found = (keys[pos] == wanted) if len(keys) else np.zeros(len(wanted), dtype=bool)
    data = out.data.copy()
    data[pos[found]] = np.minimum(data[pos[found]], d_data[found])
    if found.all():
        return sp.csr_array((data, out.indices, out.indptr), shape=out.shape)
    coo = sp.csr_array((data, out.indices, out.indptr), shape=out.shape).tocoo()
    new = ~found
    merged = sp.csr_array(
        (
            np.concatenate([coo.data, d_data[new]]),
            (np.concatenate([coo.row, d_rows[new]]), np.concatenate([coo.col, d_cols[new]])),
        ),
        shape=out.shape,
    )
    merged.sort_indices()
    return merged
