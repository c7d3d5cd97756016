"""Where points meet the road network, and the search graph joining them to it.

A point is snapped to its nearest road line (or road node) in metres;
:func:`_links` then adds the sites as extra graph nodes and lists the ways
each demand point enters the roads, for the bounded searches in
:mod:`planning.distances.roads`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.spatial import cKDTree

from ._road_graph import RoadNetwork

_EARTH_RADIUS_M = 6_371_008.8


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
