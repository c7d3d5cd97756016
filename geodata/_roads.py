"""Conversion of road graphs to and from GeoDataFrames (for GeoPackage storage)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd


def roads_to_gdfs(graph: Any) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return (nodes, edges) GeoDataFrames of an osmnx-style road graph.

    List-valued attributes (osmnx keeps e.g. several ``highway`` values on a
    merged edge) are stored as text so that any GIS can read them.
    """
    import osmnx as ox

    nodes, edges = ox.graph_to_gdfs(graph)
    nodes = nodes.reset_index()
    edges = edges.reset_index()
    for frame in (nodes, edges):
        for col in frame.columns:
            if col != "geometry" and frame[col].dtype == object:
                frame[col] = frame[col].map(
                    lambda v: ";".join(map(str, v)) if isinstance(v, list) else v
                )
    return nodes, edges


def roads_from_gdfs(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame) -> Any:
    """Rebuild an osmnx-style MultiDiGraph from :func:`roads_to_gdfs` output."""
    import osmnx as ox

    nodes = nodes.set_index("osmid")
    edges = edges.set_index(["u", "v", "key"])
    nodes = nodes.assign(x=nodes.geometry.x, y=nodes.geometry.y)
    return ox.graph_from_gdfs(nodes, edges, graph_attrs={"crs": str(nodes.crs)})
