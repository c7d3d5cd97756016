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

import gc
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from .straight_line import within_cutoff

DEFAULT_SPEEDS_KMH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 40.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 30.0,
    "living_street": 10.0,
    "service": 15.0,
    "road": 30.0,
}
"""Planning-level speeds (km/h, est.) by highway type, used where ``maxspeed`` is not tagged."""

FALLBACK_SPEED_KMH = 30.0
"""Speed (km/h) of a road whose type is not in the speed table and has no ``maxspeed``."""

_CHUNK_CELLS = 4_000_000
"""Sources x graph nodes per Dijkstra batch; bounds the temporary distance block."""

_EARTH_RADIUS_M = 6_371_008.8
_MPH = 1.609344


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


def edge_speed_kmh(
    highway: Any, maxspeed: Any, *, speeds: Mapping[str, float] | None = None
) -> float:
    """Return the speed of one road: its ``maxspeed`` tag, else its type's default.

    Parameters
    ----------
    highway
        The edge's ``highway`` value (a string, a list for merged edges, or
        ``;``-separated values as stored in a GeoPackage).
    maxspeed
        The edge's ``maxspeed`` tag (``"50"``, ``"30 mph"``, a list, ...) or None.
    speeds
        Speeds in km/h by highway type, overriding :data:`DEFAULT_SPEEDS_KMH`.

    Returns
    -------
    float
        Speed in km/h (> 0).
    """
    parsed = _parse_maxspeed(maxspeed)
    if parsed is not None:
        return parsed
    table = {**DEFAULT_SPEEDS_KMH, **(speeds or {})}
    kinds = highway if isinstance(highway, list) else str(highway).split(";")
    known = [float(table[k]) for k in kinds if isinstance(k, str) and k in table]
    return sum(known) / len(known) if known else FALLBACK_SPEED_KMH


def _parse_maxspeed(value: Any) -> float | None:
    values = value if isinstance(value, list) else [value]
    found = []
    for item in values:
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            continue
        for part in str(item).split(";"):
            match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*", part)
            if match:
                speed = float(match.group(1)) * (_MPH if match.group(2) == "mph" else 1.0)
                if speed > 0:
                    found.append(speed)
    return sum(found) / len(found) if found else None


@dataclass(frozen=True)
class RoadNetwork:
    """A road graph prepared for :func:`road_distances`: arrays, edge costs and a snapping index.

    Build it once with :func:`prepare_roads` and pass it instead of the graph
    when several matrices are computed on the same roads (e.g. in an app).
    All attributes are internal arrays; ``weight`` names the edge cost.
    """

    weight: str
    crs: Any
    n_nodes: int
    node_ids: np.ndarray
    node_xy: np.ndarray
    u: np.ndarray
    v: np.ndarray
    keys: np.ndarray
    cost: np.ndarray
    reverse: np.ndarray
    line_edge: np.ndarray
    lines: np.ndarray
    to_metric: Any
    geographic: bool
    to_lonlat: Any
    tree: Any


@dataclass(frozen=True)
class _Snap:
    """Where each point meets the road network."""

    reachable: np.ndarray
    snap_m: np.ndarray
    edge: np.ndarray
    position: np.ndarray
    node: np.ndarray


def _as_points(xy: Any, name: str) -> np.ndarray:
    arr = np.asarray(xy, dtype=np.float64)
    if arr.size == 0:
        return np.zeros((0, 2))
    if arr.ndim != 2 or arr.shape[1] != 2:
        msg = f"{name} must have shape (n, 2) as (x, y) in the graph's CRS; got {arr.shape}"
        raise ValueError(msg)
    if not np.all(np.isfinite(arr)):
        msg = f"{name} must contain only finite coordinates"
        raise ValueError(msg)
    return arr


def _distinct_points(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Return the distinct points and, if some repeat, each point's index among them."""
    if len(xy) < 2:
        return xy, None
    distinct, inverse = np.unique(xy, axis=0, return_inverse=True)
    if len(distinct) == len(xy):
        return xy, None
    return distinct, inverse.reshape(-1).astype(np.int64)


def _gdf_xy(gdf: Any, crs: Any, name: str) -> np.ndarray:
    if gdf.crs is None:
        msg = f"{name} must have a crs (e.g. EPSG:4326)"
        raise ValueError(msg)
    pts = gdf.geometry.to_crs(crs)
    if len(pts) and not (pts.geom_type == "Point").all():
        msg = f"{name} must hold points; take centroids of other geometries first"
        raise ValueError(msg)
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def prepare_roads(
    graph: Any, *, weight: str = "length", speeds: Mapping[str, float] | None = None
) -> RoadNetwork:
    """Return a road graph prepared for repeated :func:`road_distances` calls.

    Parameters
    ----------
    graph
        Road network as an osmnx-style ``networkx.MultiDiGraph``; see
        :func:`road_distances`.
    weight
        Edge cost: ``"length"``, ``"travel_time"`` or a numeric edge attribute.
    speeds
        Speeds in km/h by highway type for ``weight="travel_time"``.

    Returns
    -------
    RoadNetwork
        The prepared network; the graph itself is not modified.

    Raises
    ------
    ValueError
        If the graph is empty, lacks coordinates or the weight, or is in a
        CRS that is neither geographic nor metric.
    """
    # hundreds of thousands of new objects (edge lists, line geometries) none of
    # which form reference cycles: without the pause, the collector's passes
    # over a large graph cost more than the preparation itself
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _prepare_roads(graph, weight, speeds)
    finally:
        if enabled:
            gc.enable()


def _prepare_roads(graph: Any, weight: str, speeds: Mapping[str, float] | None) -> RoadNetwork:
    if graph is None or not hasattr(graph, "edges") or graph.number_of_nodes() == 0:
        msg = "graph must be a non-empty osmnx-style networkx MultiDiGraph"
        raise ValueError(msg)
    if not (graph.is_directed() and graph.is_multigraph()):
        import networkx as nx

        graph = nx.MultiDiGraph(graph)  # an undirected road is two-way
    crs = pyproj.CRS.from_user_input(graph.graph.get("crs", "EPSG:4326"))
    node_ids = np.array(list(graph.nodes), dtype=object)
    index = {node: i for i, node in enumerate(node_ids)}
    try:
        xy = np.array([(d["x"], d["y"]) for _, d in graph.nodes(data=True)], dtype=np.float64)
    except KeyError:
        msg = "graph nodes must have 'x' and 'y' attributes (osmnx style)"
        raise ValueError(msg) from None
    if xy.ndim != 2:
        xy = xy.reshape(-1, 2)
    u_arr, v_arr, keys, datas = _edge_arrays(graph, node_ids, index)
    m = len(u_arr)
    geoms = [d.get("geometry") for d in datas]
    lengths = [d.get("length") for d in datas]
    cost = _edge_costs((node_ids, u_arr, v_arr, keys), datas, weight, speeds, lengths)
    if cost.size and (not np.all(np.isfinite(cost)) or cost.min() < 0):
        msg = f"weight {weight!r} must be finite and >= 0 on every edge"
        raise ValueError(msg)
    geographic = crs.is_geographic
    if geographic:
        from geodata.crs import local_metric_crs

        lo, hi = xy.min(axis=0), xy.max(axis=0)
        metric = local_metric_crs((lo[0], lo[1], hi[0], hi[1]))
        fwd = pyproj.Transformer.from_crs(crs, metric, always_xy=True)
        inv = pyproj.Transformer.from_crs(metric, crs, always_xy=True)

        def to_metric(pts: np.ndarray) -> np.ndarray:
            if len(pts) == 0:
                return np.zeros((0, 2))
            return np.column_stack(fwd.transform(pts[:, 0], pts[:, 1]))

        def to_lonlat(pts: np.ndarray) -> np.ndarray:
            if len(pts) == 0:
                return np.zeros((0, 2))
            return np.column_stack(inv.transform(pts[:, 0], pts[:, 1]))

    else:
        unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
        if unit not in ("metre", "meter"):
            msg = f"graph CRS must be geographic or in metres; got axis unit {unit!r}"
            raise ValueError(msg)

        def to_metric(pts: np.ndarray) -> np.ndarray:
            return np.asarray(pts, dtype=np.float64)

        to_lonlat = to_metric
    node_xy = to_metric(xy)
    if any(length is None for length in lengths):
        # equal geometries have equal lengths in any unit: enough to pair the two directions
        pair_length = shapely.length(_edge_lines(xy, u_arr, v_arr, geoms, np.arange(m)))
    else:
        pair_length = np.asarray(lengths, dtype=np.float64)
    reverse = _reverse_edges(u_arr, v_arr, pair_length)
    # one line per road: the lower-numbered edge of each two-way pair
    line_edge = np.flatnonzero((reverse < 0) | (reverse > np.arange(m)))
    lines = _edge_lines(node_xy, u_arr, v_arr, geoms, line_edge, to_metric if geographic else None)
    return RoadNetwork(
        weight=weight,
        crs=crs,
        n_nodes=len(node_ids),
        node_ids=node_ids,
        node_xy=node_xy,
        u=u_arr,
        v=v_arr,
        keys=keys,
        cost=cost,
        reverse=reverse,
        line_edge=line_edge,
        lines=lines,
        to_metric=to_metric,
        geographic=geographic,
        to_lonlat=to_lonlat,
        tree=shapely.STRtree(lines) if len(lines) else None,
    )


def _edge_arrays(
    graph: Any, node_ids: np.ndarray, index: dict[Any, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Any]]:
    """Return every edge's end node positions, key and attribute dict, in adjacency order.

    Reads the adjacency dicts directly (networkx's edge views are several
    times slower) and creates no per-edge tuples: on a large graph their
    allocation alone sets off many garbage-collector passes.
    """
    adj = getattr(graph, "_adj", None) or graph.adj
    nbrs = [adj[a] for a in node_ids]
    fanout = np.fromiter(map(len, nbrs), dtype=np.int64, count=len(nbrs))
    multi = [kd for nb in nbrs for kd in nb.values()]
    parallel = np.fromiter(map(len, multi), dtype=np.int64, count=len(multi))
    heads = np.fromiter(
        map(index.__getitem__, chain.from_iterable(nbrs)), dtype=np.int64, count=len(multi)
    )
    u = np.repeat(np.repeat(np.arange(len(node_ids), dtype=np.int64), fanout), parallel)
    v = np.repeat(heads, parallel)
    keys = np.empty(len(u), dtype=object)
    keys[:] = list(chain.from_iterable(multi))
    datas = list(chain.from_iterable(kd.values() for kd in multi))
    return u, v, keys, datas


def _edge_costs(
    ends: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    datas: list[Any],
    weight: str,
    speeds: Mapping[str, float] | None,
    lengths: list[Any],
) -> np.ndarray:
    """Return the cost of every edge in the unit of ``weight``.

    ``ends`` (node ids, tail and head positions, keys) names an edge in messages.
    """
    if weight == "travel_time" and any("travel_time" not in d for d in datas):
        if any(length is None for length in lengths):
            msg = "graph edges must have a 'length' attribute (metres) for travel times"
            raise ValueError(msg)
        memo: dict[tuple[str, str], float] = {}
        kmh = np.empty(len(datas))
        for i, d in enumerate(datas):
            hw, ms = d.get("highway"), d.get("maxspeed")
            key = (repr(hw), repr(ms))
            if key not in memo:
                memo[key] = edge_speed_kmh(hw, ms, speeds=speeds)
            kmh[i] = memo[key]
        return np.asarray(lengths, dtype=np.float64) * 3.6 / kmh
    values = lengths if weight == "length" else [d.get(weight) for d in datas]
    if None in values:
        i = values.index(None)
        node_ids, u, v, keys = ends
        msg = (
            f"weight must be an attribute of every edge; {weight!r} is missing "
            f"on edge ({node_ids[u[i]]}, {node_ids[v[i]]}, {keys[i]})"
        )
        raise ValueError(msg)
    return np.asarray(values, dtype=np.float64)


def _edge_lines(
    xy: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    geoms: list[Any],
    which: np.ndarray,
    to_metric: Any = None,
) -> np.ndarray:
    """Return the geometries of edges ``which`` (straight where the graph has none).

    ``xy`` are the node coordinates the straight segments are built from;
    ``to_metric`` converts the stored curved geometries when given.
    """
    lines = np.empty(len(which), dtype=object)
    if len(which) == 0:
        return lines
    curved = np.array([geoms[i] is not None for i in which], dtype=bool)
    straight = which[~curved]
    if len(straight):
        lines[~curved] = shapely.linestrings(np.stack([xy[u[straight]], xy[v[straight]]], axis=1))
    if curved.any():
        stored = np.array([geoms[i] for i in which[curved]], dtype=object)
        lines[curved] = stored if to_metric is None else shapely.transform(stored, to_metric)
    return lines


def _reverse_edges(u: np.ndarray, v: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Return, per edge, the index of the edge running the same road the other way, or -1."""
    n = len(u)
    reverse = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return reverse
    # edges whose node pair is unique both ways (nearly all) pair up by a sorted search
    size = int(max(u.max(), v.max())) + 1
    pair, back = u * size + v, v * size + u
    order = np.argsort(pair, kind="stable")
    sorted_pair = pair[order]
    start = np.searchsorted(sorted_pair, pair, side="left")
    count = np.searchsorted(sorted_pair, pair, side="right") - start
    back_start = np.searchsorted(sorted_pair, back, side="left")
    back_count = np.searchsorted(sorted_pair, back, side="right") - back_start
    simple = (count == 1) & (back_count <= 1)
    e = np.flatnonzero(simple & (back_count == 1) & (u != v))
    o = order[back_start[e]]
    same_road = np.abs(length[e] - length[o]) <= 1e-6 * np.maximum(1.0, length[e])
    reverse[e[same_road]] = o[same_road]
    rest = np.flatnonzero(~simple)
    if len(rest):
        reverse[rest] = _reverse_edges_merge(u[rest], v[rest], length[rest], rest)
    # keep the pairing symmetric
    ok = reverse >= 0
    idx = np.flatnonzero(ok)
    bad = reverse[reverse[idx]] != idx
    reverse[idx[bad]] = -1
    return reverse


def _reverse_edges_merge(
    u: np.ndarray, v: np.ndarray, length: np.ndarray, edge: np.ndarray
) -> np.ndarray:
    """Pair edges among parallel ones (several edges between the same two nodes)."""
    n = len(u)
    reverse = np.full(n, -1, dtype=np.int64)
    frame = pd.DataFrame({"a": u, "b": v, "edge": np.arange(n)})
    other = frame.rename(columns={"a": "b", "b": "a", "edge": "other"})
    pairs = frame.merge(other, on=["a", "b"])
    e, o = pairs["edge"].to_numpy(), pairs["other"].to_numpy()
    same_road = np.abs(length[e] - length[o]) <= 1e-6 * np.maximum(1.0, length[e])
    pairs = pairs[(e != o) & same_road]
    pairs = pairs.drop_duplicates("edge").drop_duplicates("other")
    reverse[pairs["edge"].to_numpy()] = edge[pairs["other"].to_numpy()]
    return reverse


def _haversine_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lon1, lat1, lon2, lat2 = (np.radians(c) for c in (a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _snap(net: RoadNetwork, points: np.ndarray, how: str, max_snap: float) -> _Snap:
    k = len(points)
    metric = net.to_metric(points)
    edge = np.full(k, -1, dtype=np.int64)
    position = np.zeros(k)
    node = np.full(k, -1, dtype=np.int64)
    if k == 0:
        return _Snap(np.zeros(0, bool), np.zeros(0), edge, position, node)
    if how == "node":
        _, node = cKDTree(net.node_xy).query(metric)
        node = np.asarray(node, dtype=np.int64)
        target = net.node_xy[node]
    else:
        if net.tree is None:
            msg = "graph has no edges to snap to; use snap='node'"
            raise ValueError(msg)
        pts = shapely.points(metric)
        found = net.tree.query_nearest(pts, all_matches=False)
        edge = np.full(k, -1, dtype=np.int64)
        edge[found[0]] = net.line_edge[found[1]]
        line = np.empty(k, dtype=object)
        line[found[0]] = net.lines[found[1]]
        position = shapely.line_locate_point(line, pts, normalized=True)
        position = np.nan_to_num(np.clip(position, 0.0, 1.0))
        on_road = shapely.line_interpolate_point(line, position, normalized=True)
        target = shapely.get_coordinates(on_road)
    if net.geographic:
        snap_m = _haversine_m(points, net.to_lonlat(target))
    else:
        snap_m = np.hypot(*(metric - target).T)
    reachable = snap_m <= max_snap
    return _Snap(reachable, snap_m, edge, position, node)


def _report(net: RoadNetwork, snap: _Snap, how: str) -> pd.DataFrame:
    if how == "node":
        ids = net.node_ids[snap.node] if len(snap.node) else np.empty(0, dtype=object)
        return pd.DataFrame(
            {
                "snap_m": snap.snap_m,
                "reachable": snap.reachable,
                "u": ids,
                "v": ids,
                "key": np.zeros(len(ids), dtype=np.int64),
                "position": np.zeros(len(ids)),
            }
        )
    return pd.DataFrame(
        {
            "snap_m": snap.snap_m,
            "reachable": snap.reachable,
            "u": net.node_ids[net.u[snap.edge]],
            "v": net.node_ids[net.v[snap.edge]],
            "key": net.keys[snap.edge],
            "position": snap.position,
        }
    )


@dataclass(frozen=True)
class _Links:
    """The search graph (reversed roads plus one node per site) and how demand joins it."""

    reverse: sp.csr_array
    exit_demand: np.ndarray
    exit_node: np.ndarray
    exit_cost: np.ndarray
    direct: tuple[np.ndarray, np.ndarray, np.ndarray]


def _links(net: RoadNetwork, dsnap: _Snap, ssnap: _Snap, per_metre: float, how: str) -> _Links:
    """Connect sites to the road graph and list the ways each demand point enters it.

    Sites become extra nodes ``n_nodes + j``. Demand points are not nodes: each
    has one or more *exits* (road node, cost to reach it), and the trip cost is
    the cheapest exit cost plus the road distance from that node to the site.
    Pairs on the same road edge get a *direct* cost along the edge.
    """
    n_nodes, ns = net.n_nodes, len(ssnap.reachable)
    rows, cols, data = [net.u], [net.v], [net.cost]
    ex_d, ex_n, ex_c = [], [], []
    d_idx = np.flatnonzero(dsnap.reachable)
    s_idx = np.flatnonzero(ssnap.reachable)
    d_off = dsnap.snap_m[d_idx] * per_metre
    s_off = ssnap.snap_m[s_idx] * per_metre
    s_nodes = n_nodes + s_idx
    direct = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if how == "node":
        ex_d.append(d_idx)
        ex_n.append(dsnap.node[d_idx])
        ex_c.append(d_off)
        rows.append(ssnap.node[s_idx])
        cols.append(s_nodes)
        data.append(s_off)
    else:
        de, dt = dsnap.edge[d_idx], dsnap.position[d_idx]
        se, st = ssnap.edge[s_idx], ssnap.position[s_idx]
        drev, srev = net.reverse[de], net.reverse[se]
        # demand -> far end of its edge, and -> near end where the road is two-way
        # (or where the point is at that end: it may leave by any road from there)
        two = drev >= 0
        at_start = ~two & (dt <= 1e-12)
        ex_d += [d_idx, d_idx[two], d_idx[at_start]]
        ex_n += [net.v[de], net.u[de][two], net.u[de][at_start]]
        ex_c += [
            d_off + (1.0 - dt) * net.cost[de],
            d_off[two] + dt[two] * net.cost[drev[two]],
            d_off[at_start],
        ]
        # start of the site's edge -> site, and end -> site where two-way (or at the end)
        two = srev >= 0
        at_end = ~two & (st >= 1.0 - 1e-12)
        rows += [net.u[se], net.v[se][two], net.v[se][at_end]]
        cols += [s_nodes, s_nodes[two], s_nodes[at_end]]
        data += [st * net.cost[se] + s_off, (1.0 - st[two]) * net.cost[srev[two]] + s_off[two]]
        data.append(s_off[at_end])
        # demand and site on the same road: along it without reaching a node
        same = pd.DataFrame({"d": d_idx, "edge": de, "td": dt, "off_d": d_off}).merge(
            pd.DataFrame({"s": s_idx, "edge": se, "ts": st, "off_s": s_off}), on="edge"
        )
        if len(same):
            e = same["edge"].to_numpy()
            td, ts = same["td"].to_numpy(), same["ts"].to_numpy()
            base = same["off_d"].to_numpy() + same["off_s"].to_numpy()
            forward = np.where(ts >= td, (ts - td) * net.cost[e], np.inf)
            rev = net.reverse[e]
            backward = np.where(
                (rev >= 0) & (ts <= td), (td - ts) * net.cost[np.maximum(rev, 0)], np.inf
            )
            along = np.minimum(forward, backward)
            ok = np.isfinite(along)
            direct = (same["d"].to_numpy()[ok], same["s"].to_numpy()[ok], base[ok] + along[ok])
    r, c, w = _cheapest(
        np.concatenate(rows), np.concatenate(cols), np.concatenate(data).astype(np.float64)
    )
    size = n_nodes + ns
    reverse = sp.csr_array((w, (c, r)), shape=(size, size))  # search from the sites backwards
    exit_demand = np.concatenate(ex_d).astype(np.int64)
    exit_node = np.concatenate(ex_n).astype(np.int64)
    exit_cost = np.concatenate(ex_c).astype(np.float64)
    order = np.argsort(exit_demand, kind="stable")
    return _Links(
        reverse=reverse,
        exit_demand=exit_demand[order],
        exit_node=exit_node[order],
        exit_cost=exit_cost[order],
        direct=direct,
    )


def _cheapest(
    r: np.ndarray, c: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep the cheapest of repeated (r, c) pairs (a sparse constructor would add them up)."""
    r, c = r.astype(np.int64), c.astype(np.int64)
    order = np.lexsort((w, c, r))
    r, c, w = r[order], c[order], w[order]
    first = np.ones(len(r), dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    return r[first], c[first], w[first]


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
