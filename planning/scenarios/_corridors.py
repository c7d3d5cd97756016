"""Truck corridors for charging: the flow refuelling model on routes between development zones.

A ``"corridors"`` scenario puts ``n_sites`` charging stations where the most
truck traffic between the development zones can make its round trips within
the vehicle range (:func:`planning.solve_flow_refuelling`, Kuby & Lim 2005).

- **Zones and flows.** A zone's activity is the scenario's demand summed over
  the firms in it (``park`` column); the flow between two zones is
  ``A_i x A_j / sum(A)`` (a gravity model without distance decay: relative
  truck trips, both directions together). Zones without demand take no part.
- **Routes.** Where the data has a road network, a corridor is the shortest
  road route between the two zone centres (snapped to the nearest road
  node, the return trip on the same roads); otherwise, or where no road
  connects them, it is the straight line. The result says which
  (``summary["path_source"]`` and the ``path`` column of the corridors).
- **Stations on a route.** A candidate or existing station lies on a
  corridor when it is within the service radius of the route or inside one
  of its two zones; it sits at its projection on the route (the detour to
  reach it is not counted).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from scipy.spatial import cKDTree
from shapely.geometry import LineString

import geodata

from .._layers import layer_xy
from ..models import Solution, SpecificationError, relative_gap, solve_flow_refuelling
from ._inputs import _Problem
from .spec import CURVE_POINTS, DEFAULT_CURVE_SECONDS, ScenarioSpec


@dataclass
class Corridors:
    """The corridors of a scenario and the stations along each."""

    origin: list[str]
    destination: list[str]
    flows: np.ndarray
    lines: list[LineString]  # in the scenario's metric CRS
    source: list[str]  # "road" or "straight", per corridor
    stops: list[tuple[np.ndarray, np.ndarray]]  # station columns and their positions (m)
    n_sites: int  # candidate and existing station columns
    n_cand: int
    crs: CRS

    @property
    def paths(self) -> list[tuple[list[Any], list[float]]]:
        """Return the paths as :func:`planning.solve_flow_refuelling` takes them."""
        out: list[tuple[list[Any], list[float]]] = []
        for q, (cols, pos) in enumerate(self.stops):
            nodes: list[Any] = [("o", q), *cols.tolist(), ("d", q)]
            out.append((nodes, [0.0, *pos.tolist(), float(self.lines[q].length)]))
        return out

    @property
    def on_route(self) -> np.ndarray:
        """Return per station column whether it lies on some corridor."""
        mark = np.zeros(self.n_sites, dtype=bool)
        for cols, _ in self.stops:
            mark[cols] = True
        return mark

    @property
    def path_source(self) -> str:
        """Return ``"road"``, ``"straight"`` or ``"mixed"``."""
        kinds = set(self.source)
        return kinds.pop() if len(kinds) == 1 else "mixed"

    def refuelled(self, is_open: np.ndarray, range_m: float) -> np.ndarray:
        """Return per corridor whether its round trip can be made with the open stations."""
        out = np.zeros(len(self.stops), dtype=bool)
        for q, (cols, pos) in enumerate(self.stops):
            at = pos[is_open[cols]]
            if at.size == 0:
                continue
            loop = 2.0 * float(self.lines[q].length)
            cycle = np.sort(np.concatenate([at, loop - at]))
            gaps = np.diff(np.append(cycle, cycle[0] + loop))
            out[q] = bool(gaps.max() <= range_m * (1 + 1e-12))
        return out


def _zones(
    data: geodata.PlanningData, problem: _Problem
) -> tuple[list[str], np.ndarray, list[Any], np.ndarray]:
    """Return the zones with demand: names, centres and outlines (metric), activity."""
    parks = data.parks
    firms = data.enterprises
    if len(parks) == 0 or "park" not in firms:
        message = "corridors run between development zones: load the parks layer first"
        raise geodata.DataError([geodata.Problem(None, "park", message)], source="parks")
    zone = firms["park"].astype(object).where(firms["park"].notna(), "").astype(str)
    activity = pd.Series(problem.weights, index=zone.to_numpy()).groupby(level=0).sum()
    shapes = parks.to_crs(problem.crs)
    names, centres, outlines, act = [], [], [], []
    for name, geom in zip(shapes["name"].astype(str), shapes.geometry, strict=True):
        value = float(activity.get(name, 0.0))
        if value <= 0 or geom is None or geom.is_empty or name in names:
            continue
        centre = geom.centroid
        if not geom.contains(centre):
            centre = geom.representative_point()
        names.append(name)
        centres.append((centre.x, centre.y))
        outlines.append(geom)
        act.append(value)
    if len(names) < 2:
        message = (
            f"corridors need at least two development zones with demand, found {len(names)}; "
            "check the firms' park column or widen the scope"
        )
        raise geodata.DataError([geodata.Problem(None, "park", message)], source="parks")
    return names, np.asarray(centres, dtype=float), outlines, np.asarray(act, dtype=float)


def _road_lines(graph: Any, centres: np.ndarray, crs: CRS, pairs: list[tuple[int, int]]) -> list:
    """Return the road route of each pair (metric), or None where no road connects it."""
    import networkx as nx

    nodes = list(graph.nodes)
    if not nodes:
        return [None] * len(pairs)
    lonlat = np.array([[graph.nodes[v]["x"], graph.nodes[v]["y"]] for v in nodes], dtype=float)
    forward = Transformer.from_crs(graph.graph.get("crs", "EPSG:4326"), crs, always_xy=True)
    mx, my = forward.transform(lonlat[:, 0], lonlat[:, 1])
    node_xy = np.column_stack([mx, my])
    _, snap = cKDTree(node_xy).query(centres)
    where = {v: i for i, v in enumerate(nodes)}
    undirected = graph.to_undirected(as_view=True)
    routes: dict[int, dict[Any, list[Any]]] = {}
    out: list[LineString | None] = []
    for i, j in pairs:
        if i not in routes:
            routes[i] = nx.single_source_dijkstra_path(undirected, nodes[snap[i]], weight="length")
        path = routes[i].get(nodes[snap[j]])
        if path is None:
            out.append(None)
            continue
        coords = [tuple(centres[i])]
        for u, v in itertools.pairwise(path):
            coords.extend(_edge_coords(graph, u, v, forward, node_xy[where[u]]))
        coords.append(tuple(node_xy[where[path[-1]]]))
        coords.append(tuple(centres[j]))
        out.append(LineString(coords))
    return out


def _edge_coords(graph: Any, u: Any, v: Any, forward: Transformer, start: np.ndarray) -> list:
    """Return the metric points of the shortest edge u-v (either direction), from u on."""
    data = graph.get_edge_data(u, v) or graph.get_edge_data(v, u) or {}
    edges = list(data.values()) if graph.is_multigraph() else [data]
    edges = [e for e in edges if e]
    best = min(edges, key=lambda e: float(e.get("length", math.inf)), default=None)
    geom = None if best is None else best.get("geometry")
    if geom is None:
        return [tuple(start)]
    x, y = forward.transform(*np.asarray(geom.coords, dtype=float).T)
    pts = np.column_stack([x, y])
    if np.hypot(*(pts[0] - start)) > np.hypot(*(pts[-1] - start)):
        pts = pts[::-1]
    return [tuple(p) for p in pts[:-1]]


def build_corridors(data: geodata.PlanningData, spec: ScenarioSpec, problem: _Problem) -> Corridors:
    """Return the corridors between the zones of ``data`` and the stations along them."""
    names, centres, outlines, act = _zones(data, problem)
    pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
    pairs = [(i, j) for i, j in pairs if np.hypot(*(centres[i] - centres[j])) > 0]
    flows = np.array([act[i] * act[j] / act.sum() for i, j in pairs], dtype=float)
    roads = (
        _road_lines(data.roads, centres, problem.crs, pairs)
        if data.roads is not None
        else [None] * len(pairs)
    )
    lines, source = [], []
    for (i, j), road in zip(pairs, roads, strict=True):
        lines.append(road if road is not None else LineString([centres[i], centres[j]]))
        source.append("road" if road is not None else "straight")
    site_xy = np.vstack(
        [
            layer_xy(problem.candidates, problem.crs),
            layer_xy(problem.existing_layer, problem.crs)
            if problem.existing_layer is not None
            else np.empty((0, 2)),
        ]
    )
    points = shapely.points(site_xy)
    buffer = spec.service_radius()
    stops = []
    for (i, j), line in zip(pairs, lines, strict=True):
        near = shapely.distance(line, points) <= buffer
        near |= shapely.contains(outlines[i], points) | shapely.contains(outlines[j], points)
        cols = np.flatnonzero(near)
        pos = shapely.line_locate_point(line, points[cols])
        order = np.argsort(pos, kind="stable")
        stops.append((cols[order].astype(np.int64), np.asarray(pos, dtype=float)[order]))
    return Corridors(
        origin=[names[i] for i, _ in pairs],
        destination=[names[j] for _, j in pairs],
        flows=flows,
        lines=lines,
        source=source,
        stops=stops,
        n_sites=site_xy.shape[0],
        n_cand=problem.distances.shape[1],
        crs=problem.crs,
    )


def solve_corridors(
    corridors: Corridors,
    spec: ScenarioSpec,
    n_sites: int | None = None,
    seconds: float | None = None,
) -> Solution:
    """Choose ``n_sites`` new stations that let the most corridor flow make its round trips."""
    n_cand = corridors.n_cand
    p = spec.n_sites if n_sites is None else n_sites
    if p > n_cand:
        msg = (
            f"n_sites ({p}) exceeds the {n_cand} allowed candidate sites; "
            "lower n_sites or allow more candidate_sources"
        )
        raise SpecificationError(msg)
    off_route = np.flatnonzero(~corridors.on_route[:n_cand])
    sol = solve_flow_refuelling(
        corridors.paths,
        corridors.flows,
        list(range(corridors.n_sites)),
        vehicle_range_m=1000.0 * spec.vehicle_range_km,
        p=p,
        existing=np.arange(n_cand, corridors.n_sites),
        forbidden=off_route if off_route.size else None,
        time_limit=spec.time_limit if n_sites is None else seconds,
    )
    details = dict(sol.details)
    details["path_source"] = corridors.path_source
    return Solution(
        selected=np.asarray(sol.selected, dtype=np.int64),
        objective=float(sol.objective),
        bound=float(sol.bound),
        gap=float(sol.gap),
        status=sol.status,
        seconds=float(sol.seconds),
        sense="max",
        method=sol.method,
        covered=sol.covered,
        marginal=sol.marginal,
        details=details,
    )


def corridor_table(
    corridors: Corridors, spec: ScenarioSpec, solution: Solution, problem: _Problem
) -> gpd.GeoDataFrame:
    """Return one row per corridor: zones, flow, length, route kind, refuelled before/after."""
    range_m = 1000.0 * spec.vehicle_range_km
    n_cand = corridors.n_cand
    before = np.zeros(corridors.n_sites, dtype=bool)
    before[n_cand:] = True
    after = before.copy()
    after[np.asarray(solution.selected, dtype=np.int64)] = True
    possible = before.copy()
    possible[:n_cand] = corridors.on_route[:n_cand]
    ids = np.concatenate(
        [problem.candidates["id"].astype(str).to_numpy(dtype=object), problem.existing_ids]
    ).astype(object)
    stations = [
        ", ".join(dict.fromkeys(str(ids[c]) for c in cols if after[c]))
        for cols, _ in corridors.stops
    ]
    length = np.array([line.length for line in corridors.lines], dtype=float)
    table = pd.DataFrame(
        {
            "origin": corridors.origin,
            "destination": corridors.destination,
            "flow": corridors.flows,
            "length_km": length / 1000.0,
            "round_trip_km": 2 * length / 1000.0,
            "path": corridors.source,
            "sites_on_route": [int(np.unique(cols).size) for cols, _ in corridors.stops],
            "refuellable": corridors.refuelled(possible, range_m),
            "refuelled_before": corridors.refuelled(before, range_m),
            "refuelled_after": corridors.refuelled(after, range_m),
            "stations": stations,
        }
    )
    out = gpd.GeoDataFrame(table, geometry=list(corridors.lines), crs=corridors.crs)
    return out.to_crs("EPSG:4326")


def corridor_sites(
    proposed: gpd.GeoDataFrame, corridors: Corridors, solution: Solution
) -> gpd.GeoDataFrame:
    """Add ``routes`` (corridors a station lies on) and ``flow_marginal`` to the proposed sites."""
    routes = np.zeros(corridors.n_sites, dtype=np.int64)
    for cols, _ in corridors.stops:
        routes[np.unique(cols)] += 1
    selected = np.asarray(solution.selected, dtype=np.int64)
    marginal = dict(
        zip(
            selected.tolist(),
            np.asarray(solution.marginal if solution.marginal is not None else [], float),
            strict=False,
        )
    )
    out = proposed.copy()
    cols = out["_col"].to_numpy(np.int64)
    out["routes"] = routes[cols]
    out["flow_marginal"] = [float(marginal.get(int(c), 0.0)) for c in cols]
    return out


def corridor_summary(
    table: gpd.GeoDataFrame, spec: ScenarioSpec, solution: Solution
) -> dict[str, Any]:
    """Return the corridor figures of the summary: flow refuelled before and after, routes."""
    flow = table["flow"].to_numpy(float)
    total = float(flow.sum())
    out: dict[str, Any] = {
        "asked_sites": int(spec.n_sites),
        "path_source": str(solution.details["path_source"]),
        "corridors": len(table),
        "vehicle_range_km": float(spec.vehicle_range_km),
        "corridor_buffer_m": float(spec.service_radius()),
        "flow_total": total,
    }
    for when in ("before", "after"):
        done = table[f"refuelled_{when}"].to_numpy(bool)
        out[f"corridors_refuelled_{when}"] = int(done.sum())
        out[f"flow_refuelled_{when}"] = float(flow[done].sum())
        out[f"share_flow_{when}"] = float(flow[done].sum()) / total if total > 0 else math.nan
    never = ~table["refuellable"].to_numpy(bool)
    out["unrefuellable_corridors"] = int(never.sum())
    out["unrefuellable_flow"] = float(flow[never].sum())
    straight = int((table["path"] == "straight").sum())
    if straight == len(table):
        out["note"] = "no road network: the corridors are straight lines between the zone centres"
    elif straight:
        out["note"] = f"{straight} corridors have no road connection and are straight lines"
    return out


def corridor_curve(corridors: Corridors, spec: ScenarioSpec, solution: Solution) -> pd.DataFrame:
    """Return the refuelled flow against the number of new stations."""
    top = min(spec.n_sites, corridors.n_cand)
    limits = np.unique(np.round(np.linspace(0, top, min(CURVE_POINTS, top + 1))).astype(int))
    seconds = (spec.time_limit or DEFAULT_CURVE_SECONDS) / (2 * len(limits))
    sols = [
        solution if k == spec.n_sites else solve_corridors(corridors, spec, int(k), seconds)
        for k in limits
    ]
    total = float(corridors.flows.sum())
    covered = np.array([float(s.objective) for s in sols])
    bound = np.array([float(s.bound) for s in sols])
    return pd.DataFrame(
        {
            "sites": limits,
            "covered": covered,
            "bound": bound,
            "status": [s.status for s in sols],
            "gap": [relative_gap(o, b) for o, b in zip(covered, bound, strict=True)],
            "share": covered / total if total > 0 else np.nan,
        }
    )
