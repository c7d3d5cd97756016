"""Road-coverage matrix for 1,000 sites: planning.road_distances against networkx per site.

Two graphs, both in the same run:

- the drivable road graph of Liechtenstein (whole-country roads extract, OSM
  XML, read with :func:`geodata.osm.roads_from_osm`; defaults to the shared
  data folder, falls back to the Vaduz-Schaan demo graph);
- a synthetic two-way grid of 200,000 nodes (400 x 500, 100 m apart, EPSG:32651).

Demand points and sites are placed on random graph nodes (demand points share
nodes when there are more of them than nodes, as firms along one road do) so
that both methods must give the same road distances. The common approach is one
``networkx.single_source_dijkstra`` per site on the reversed osmnx graph (trips
from demand to site) with the same cutoff (also timed: the lengths-only
``single_source_dijkstra_path_length``), after
a nearest-node k-d tree query in metres for the snapping; ours is
:func:`planning.road_distances` (edge snapping, one bounded multi-source
``scipy.sparse.csgraph.dijkstra`` over all sites). Both times include
snapping and building the sparse matrix; ours is reported as preparing the
graph once (:func:`planning.prepare_roads`: arrays, costs, snapping index),
the matrix on the prepared graph, and their total.

Usage::

    python benchmarks/road_matrix.py
    python benchmarks/road_matrix.py --roads path/to/liechtenstein-roads.osm.bz2 --sites 1000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata import load_demo  # noqa: E402
from geodata.osm import roads_from_osm  # noqa: E402
from planning import prepare_roads, road_distances  # noqa: E402

DEFAULT_ROADS = (
    ROOT.parent / "shared" / "data" / "geo" / "osm" / "liechtenstein-roads-2024-03.osm.bz2"
)


def grid_graph(rows: int = 400, cols: int = 500, spacing: float = 100.0) -> nx.MultiDiGraph:
    """Return a two-way grid road graph in metres (osmnx style)."""
    g = nx.MultiDiGraph(crs="EPSG:32651")
    ids = np.arange(rows * cols).reshape(rows, cols)
    yy, xx = np.meshgrid(np.arange(rows) * spacing, np.arange(cols) * spacing, indexing="ij")
    g.add_nodes_from(
        (int(n), {"x": 500_000.0 + float(x), "y": 4_600_000.0 + float(y)})
        for n, x, y in zip(ids.ravel(), xx.ravel(), yy.ravel(), strict=True)
    )
    pairs = np.concatenate(
        [
            np.column_stack([ids[:, :-1].ravel(), ids[:, 1:].ravel()]),
            np.column_stack([ids[:-1, :].ravel(), ids[1:, :].ravel()]),
        ]
    )
    attrs = {"length": spacing, "highway": "residential"}
    g.add_edges_from((int(a), int(b), attrs) for a, b in pairs)
    g.add_edges_from((int(b), int(a), attrs) for a, b in pairs)
    return g


def nearest_nodes(graph, xy: np.ndarray) -> list:
    """Nearest graph node of each point, in metres (UTM for a lon/lat graph)."""
    import pyproj
    from scipy.spatial import cKDTree

    from geodata.crs import local_metric_crs

    nodes = list(graph.nodes)
    pts = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in nodes])
    query = np.asarray(xy, dtype=float)
    crs = pyproj.CRS.from_user_input(graph.graph["crs"])
    if crs.is_geographic:
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        to_m = pyproj.Transformer.from_crs(
            crs, local_metric_crs((lo[0], lo[1], hi[0], hi[1])), always_xy=True
        )
        pts = np.column_stack(to_m.transform(pts[:, 0], pts[:, 1]))
        query = np.column_stack(to_m.transform(query[:, 0], query[:, 1]))
    _, idx = cKDTree(pts).query(query)
    return [nodes[i] for i in idx]


def networkx_matrix(graph, demand_xy, site_xy, cutoff: float, *, paths: bool) -> sp.csr_array:
    """The common approach: nearest nodes, then one networkx Dijkstra per site.

    ``paths=True`` calls ``single_source_dijkstra`` (lengths and paths, the
    usual call), ``paths=False`` the lengths-only ``single_source_dijkstra_path_length``.
    """
    d_nodes = nearest_nodes(graph, demand_xy)
    s_nodes = nearest_nodes(graph, site_xy)
    where: dict[object, list[int]] = {}
    for i, node in enumerate(d_nodes):
        where.setdefault(node, []).append(i)
    backwards = graph.reverse(copy=False)
    rows, cols, vals = [], [], []
    for j, site in enumerate(s_nodes):
        if paths:
            lengths, _ = nx.single_source_dijkstra(backwards, site, cutoff=cutoff, weight="length")
        else:
            lengths = nx.single_source_dijkstra_path_length(
                backwards, site, cutoff=cutoff, weight="length"
            )
        for node, dist in lengths.items():
            for i in where.get(node, ()):
                rows.append(i)
                cols.append(j)
                vals.append(dist)
    shape = (len(demand_xy), len(site_xy))
    return sp.csr_array(sp.coo_array((vals, (rows, cols)), shape=shape).tocsr())


def run(name: str, graph, n_demand: int, n_sites: int, cutoff: float, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    nodes = np.array(list(graph.nodes), dtype=object)
    xy = np.array([(d["x"], d["y"]) for _, d in graph.nodes(data=True)])
    demand = xy[rng.choice(len(nodes), n_demand, replace=n_demand > len(nodes))]
    sites = xy[rng.choice(len(nodes), n_sites, replace=False)]

    start = time.perf_counter()
    net = prepare_roads(graph)
    t_prep = time.perf_counter() - start
    start = time.perf_counter()
    ours = road_distances(net, demand, sites, cutoff).matrix
    t_matrix = time.perf_counter() - start
    t_ours = t_prep + t_matrix

    start = time.perf_counter()
    theirs = networkx_matrix(graph, demand, sites, cutoff, paths=True)
    t_nx = time.perf_counter() - start
    start = time.perf_counter()
    lengths_only = networkx_matrix(graph, demand, sites, cutoff, paths=False)
    t_nx_len = time.perf_counter() - start

    a, b = ours.tocoo(), theirs.tocoo()
    key_a = set(zip(a.row.tolist(), a.col.tolist(), strict=True))
    key_b = set(zip(b.row.tolist(), b.col.tolist(), strict=True))
    same_pattern = key_a == key_b
    diff = abs(ours - theirs)
    max_diff = float(diff.max()) if diff.nnz else 0.0
    same_pattern = same_pattern and (lengths_only != theirs).nnz == 0
    return {
        "graph": name,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "demand": n_demand,
        "sites": n_sites,
        "cutoff_m": cutoff,
        "pairs": ours.nnz,
        "prepare_s": t_prep,
        "matrix_s": t_matrix,
        "ours_total_s": t_ours,
        "nx_paths_s": t_nx,
        "nx_lengths_s": t_nx_len,
        "ratio_total": t_nx / t_ours,
        "ratio_prepared": t_nx / t_matrix,
        "ratio_lengths_total": t_nx_len / t_ours,
        "same_pairs": same_pattern,
        "max_abs_diff_m": max_diff,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roads", type=Path, default=DEFAULT_ROADS)
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--demand", type=int, default=5000)
    parser.add_argument("--cutoff", type=float, default=5000.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    if args.roads.exists():
        t0 = time.perf_counter()
        osm = roads_from_osm(args.roads)
        label = f"Liechtenstein ({args.roads.name})"
        print(f"read {args.roads.name} in {time.perf_counter() - t0:.1f} s")
    else:
        osm = load_demo("liechtenstein").roads
        label = "Vaduz-Schaan (demo graph)"
    t0 = time.perf_counter()
    grid = grid_graph()
    print(f"built the grid in {time.perf_counter() - t0:.1f} s")

    results = [
        run(label, osm, args.demand, args.sites, args.cutoff, args.seed),
        run("grid 400 x 500", grid, args.demand, args.sites, args.cutoff, args.seed),
    ]
    cols = list(results[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in results:
        cells = []
        for c in cols:
            v = r[c]
            cells.append(f"{v:.3g}" if isinstance(v, float) else str(v))
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
