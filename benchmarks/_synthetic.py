"""Synthetic firms for the benchmarks: the demo's own firms resampled with ~300 m jitter."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

import geodata


def resampled_firms(data: geodata.PlanningData, n: int, seed: int = 0) -> geodata.PlanningData:
    """Return ``data`` with ``n`` firms resampled from its own (~300 m jitter)."""
    rng = np.random.default_rng(seed)
    base = data.enterprises
    pick = rng.integers(0, len(base), n)
    firms = base.iloc[pick].reset_index(drop=True)
    lat0 = float(base.geometry.y.mean())
    dy = rng.normal(0, 300, n) / 111_320
    dx = rng.normal(0, 300, n) / (111_320 * np.cos(np.radians(lat0)))
    geom = gpd.points_from_xy(firms.geometry.x + dx, firms.geometry.y + dy, crs="EPSG:4326")
    firms = gpd.GeoDataFrame(firms.drop(columns="geometry"), geometry=geom, crs="EPSG:4326")
    firms["id"] = [f"B{i:06d}" for i in range(n)]
    firms["name"] = [f"合成企业{i:06d}" for i in range(n)]
    provenance = {
        **data.provenance,
        "enterprises": geodata.Provenance(
            source="benchmarks/workspace_io.py (demo firms resampled)",
            licence="synthetic",
            synthetic=True,
        ),
    }
    return data.replace(name=f"{data.name} x{n}", enterprises=firms, provenance=provenance)


def flow_instance(
    nodes: int, rng: np.random.Generator
) -> tuple[list, np.ndarray, list[int], np.ndarray]:
    """Return a synthetic road network's O-D paths for the flow refuelling model.

    Nodes uniform in a square, each joined to its four nearest, the largest
    connected part kept; ``2 * nodes`` random O-D pairs with gravity flows
    (random node weights over path length), normalised to sum to 1.

    Returns
    -------
    tuple
        ``(paths, flows, nodes kept, path lengths)``.
    """
    import networkx as nx
    from scipy.spatial import cKDTree

    from planning import flow_paths

    xy = rng.uniform(0, 1_000_000.0 * np.sqrt(nodes / 25) / 5, (nodes, 2))
    g = nx.Graph()
    _, near = cKDTree(xy).query(xy, k=5)
    for u, row in enumerate(near):
        for v in row[1:]:
            g.add_edge(u, int(v), length=float(np.hypot(*(xy[u] - xy[v]))))
    g = g.subgraph(max(nx.connected_components(g), key=len)).copy()
    keep = sorted(g.nodes)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < min(2 * nodes, len(keep) * (len(keep) - 1) // 2):
        a, b = rng.choice(keep, 2, replace=False)
        pairs.add((int(min(a, b)), int(max(a, b))))
    pairs_list = sorted(pairs)
    paths = flow_paths(g, pairs_list)
    weight = rng.uniform(1, 10, max(keep) + 1)
    lengths = np.array([c[-1] for _, c in paths])
    flows = np.array([weight[a] * weight[b] for a, b in pairs_list]) / np.maximum(lengths, 1.0)
    return paths, flows / flows.sum(), keep, lengths
