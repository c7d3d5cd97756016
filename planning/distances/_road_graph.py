"""Road graphs prepared for distance searches: edge arrays, costs, speeds, snapping index.

:func:`prepare_roads` turns an osmnx-style ``networkx.MultiDiGraph`` into a
:class:`RoadNetwork` once (node and edge arrays, the cost of every edge in
the chosen weight, the pairing of the two directions of a two-way road, and
an STRtree of road lines in metres); :mod:`planning.distances.roads` computes
its matrices on it. Travel times use the ``maxspeed`` tag, else a
planning-level speed by road type (:data:`DEFAULT_SPEEDS_KMH`).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
import pyproj
import shapely

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

_MPH = 1.609344


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
