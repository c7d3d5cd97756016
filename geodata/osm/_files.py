"""Reading local OpenStreetMap extracts: XML (plain, bz2, gzip) and PBF."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import json
import tempfile
import xml.etree.ElementTree as ET
from array import array
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from .._errors import DataError, Problem
from ._tags import DRIVABLE_HIGHWAYS, FEATURE_TAGS, OSM_LAYERS, is_drivable


def _check_path(path: str | Path) -> Path:
    path = Path(path)
    if not path.exists():
        msg = f"path {str(path)!r} does not exist"
        raise FileNotFoundError(msg)
    name = path.name.lower()
    if not name.endswith((".osm", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf", ".xml")):
        msg = f"path must be an .osm, .osm.bz2, .osm.gz or .osm.pbf file; got {path.name!r}"
        raise ValueError(msg)
    return path


def _check_layers(layers: Iterable[str] | None) -> set[str]:
    if layers is None:
        return set(OSM_LAYERS)
    wanted = {layers} if isinstance(layers, str) else set(layers)
    unknown = sorted(wanted - set(OSM_LAYERS))
    if unknown:
        msg = f"layers must be among {', '.join(OSM_LAYERS)}; got {', '.join(unknown)}"
        raise ValueError(msg)
    return wanted


def _is_pbf(path: Path) -> bool:
    return path.name.lower().endswith(".pbf")


def _open(path: Path) -> Any:
    name = path.name.lower()
    if name.endswith(".bz2"):
        return bz2.open(path, "rb")
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def _elements(path: Path, source: Path) -> Iterator[ET.Element]:
    """Yield the node, way and relation elements of a plain OSM XML file, one at a time."""
    try:
        with open(path, "rb") as fh:
            for _, elem in ET.iterparse(fh, events=("end",)):
                if elem.tag in ("node", "way", "relation"):
                    yield elem
                    elem.clear()
    except ET.ParseError as exc:
        raise DataError(
            [Problem(None, None, f"not a readable OpenStreetMap XML file: {exc}")],
            source=source.name,
        ) from None


def _plain_copy(path: Path, folder: Path) -> Path:
    """Return ``path`` itself if it is plain XML, else a decompressed copy in ``folder``."""
    if not path.name.lower().endswith((".bz2", ".gz")):
        return path
    out = folder / "extract.osm"
    try:
        with _open(path) as src, open(out, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    except (OSError, EOFError) as exc:
        raise DataError(
            [Problem(None, None, f"cannot decompress the file: {exc}")], source=path.name
        ) from None
    return out


def _tags(elem: ET.Element) -> dict[str, str]:
    return {t.get("k", ""): t.get("v", "") for t in elem.iter("tag")}


def _wants_feature(tags: Mapping[str, str]) -> bool:
    return any(tags.get(k) in v for k, v in FEATURE_TAGS.items())


def _filter_xml(
    path: Path, roads_out: Path | None, features_out: Path | None, *, service_roads: bool
) -> None:
    """Write the drivable ways and the wanted features of an OSM XML file to small files.

    Two streaming passes: the first decides which ways and relations are kept
    and which nodes they need, the second writes them.
    """
    with tempfile.TemporaryDirectory() as tmp:
        plain = _plain_copy(path, Path(tmp))
        _filter_plain(plain, path, roads_out, features_out, service_roads=service_roads)


def _filter_plain(
    plain: Path,
    source: Path,
    roads_out: Path | None,
    features_out: Path | None,
    *,
    service_roads: bool,
) -> None:
    way_refs: dict[int, array] = {}
    road_ways: set[int] = set()
    feature_ways: set[int] = set()
    feature_relations: set[int] = set()
    member_ways: set[int] = set()
    member_nodes: set[int] = set()
    for elem in _elements(plain, source):
        if elem.tag == "way":
            wid = int(elem.get("id", 0))
            tags = _tags(elem)
            road = roads_out is not None and is_drivable(tags, service_roads=service_roads)
            feature = features_out is not None and _wants_feature(tags)
            way_refs[wid] = array("q", (int(nd.get("ref", 0)) for nd in elem.iter("nd")))
            if road:
                road_ways.add(wid)
            if feature:
                feature_ways.add(wid)
        elif elem.tag == "relation" and features_out is not None:
            tags = _tags(elem)
            if _wants_feature(tags) and tags.get("type") in ("multipolygon", "boundary"):
                feature_relations.add(int(elem.get("id", 0)))
                for member in elem.iter("member"):
                    ref = int(member.get("ref", 0))
                    if member.get("type") == "way":
                        member_ways.add(ref)
                    elif member.get("type") == "node":
                        member_nodes.add(ref)
    feature_ways |= member_ways & way_refs.keys()
    road_nodes = _nodes_of(road_ways, way_refs)
    feature_nodes = _nodes_of(feature_ways, way_refs) | member_nodes
    del way_refs
    with contextlib.ExitStack() as stack:
        outs: list[tuple[Any, set[int], set[int], set[int] | None]] = []
        if roads_out is not None:
            outs.append((stack.enter_context(open(roads_out, "wb")), road_nodes, road_ways, None))
        if features_out is not None:
            fh = stack.enter_context(open(features_out, "wb"))
            outs.append((fh, feature_nodes, feature_ways, feature_relations))
        for fh, *_ in outs:
            fh.write(b"<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n")
        for elem in _elements(plain, source):
            eid = int(elem.get("id", 0))
            for fh, nodes, ways, relations in outs:
                keep = (
                    (elem.tag == "node" and eid in nodes)
                    or (elem.tag == "way" and eid in ways)
                    or (elem.tag == "relation" and relations is not None and eid in relations)
                )
                if not keep and elem.tag == "node" and relations is not None:
                    keep = _wants_feature(_tags(elem))
                if keep:
                    elem.tail = "\n"
                    fh.write(ET.tostring(elem, encoding="utf-8", xml_declaration=False))
        for fh, *_ in outs:
            fh.write(b"</osm>\n")


def _nodes_of(ways: set[int], refs: Mapping[int, array]) -> set[int]:
    out: set[int] = set()
    for wid in ways:
        out.update(refs.get(wid, ()))
    return out


def _xml_roads(roads_file: Path, source: Path) -> Any:
    import osmnx as ox

    try:
        graph = ox.graph_from_xml(roads_file, bidirectional=False, simplify=True, retain_all=True)
    except (ValueError, ox._errors.InsufficientResponseError, ox._errors.GraphSimplificationError):
        graph = None
    if graph is None or graph.number_of_edges() == 0:
        raise DataError([Problem(None, None, "no drivable roads in the file")], source=source.name)
    return _finish_graph(graph)


def _finish_graph(graph: Any) -> Any:
    import networkx as nx
    import osmnx as ox

    graph.remove_nodes_from(list(nx.isolates(graph)))
    nx.set_node_attributes(graph, ox.stats.count_streets_per_node(graph), "street_count")
    graph.graph["crs"] = "epsg:4326"
    return graph


def _osmnx_tags() -> dict[str, bool | str | list[str]]:
    return {key: list(values) for key, values in FEATURE_TAGS.items()}


def _xml_features(features_file: Path) -> gpd.GeoDataFrame:
    import osmnx as ox

    try:
        return ox.features_from_xml(features_file, tags=_osmnx_tags())
    except ox._errors.InsufficientResponseError:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:4326"))


def _pyrosm() -> Any:
    try:
        import pyrosm
    except ImportError:
        msg = 'reading .osm.pbf files needs pyrosm: pip install "infrasite[osm]"'
        raise ImportError(msg) from None
    return pyrosm


def _pbf_roads(path: Path, *, service_roads: bool) -> Any:
    pyrosm = _pyrosm()
    osm = pyrosm.OSM(str(path), progress=False)
    nodes, edges = osm.get_network(
        network_type="driving+service" if service_roads else "driving", nodes=True
    )
    if edges is None or len(edges) == 0:
        raise DataError([Problem(None, None, "no drivable roads in the file")], source=path.name)
    allowed = DRIVABLE_HIGHWAYS + (("service",) if service_roads else ())
    edges = edges[edges["highway"].isin(allowed)]
    graph = osm.to_graph(
        nodes,
        edges,
        graph_type="networkx",
        network_type="driving",
        retain_all=True,
        osmnx_compatible=True,
        progress=False,
    )
    return _finish_graph(graph)


def _pbf_features(path: Path) -> gpd.GeoDataFrame:
    pyrosm = _pyrosm()
    osm = pyrosm.OSM(str(path), progress=False)
    frame = osm.get_data_by_custom_criteria(
        custom_filter=FEATURE_TAGS,
        filter_type="keep",
        keep_nodes=True,
        keep_ways=True,
        keep_relations=True,
        osm_keys_to_keep=list(FEATURE_TAGS),
    )
    if frame is None or len(frame) == 0:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    frame = frame.copy()
    extra = frame["tags"].map(_json_tags) if "tags" in frame else None
    drop = ["lon", "lat", "tags", "visible", "version", "timestamp", "changeset"]
    frame = frame.drop(columns=[c for c in drop if c in frame])
    if extra is not None:
        extra_frame = pd.DataFrame(list(extra), index=frame.index)
        new = [c for c in extra_frame.columns if c not in frame.columns]
        frame = pd.concat([frame, extra_frame[new]], axis=1)
    index = pd.MultiIndex.from_arrays(
        [frame.pop("osm_type").astype(str), frame.pop("id").astype("int64")],
        names=["element", "id"],
    )
    out = gpd.GeoDataFrame(frame.set_index(index), geometry="geometry", crs="EPSG:4326")
    return out


def _json_tags(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}
