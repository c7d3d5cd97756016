"""Layers and a drivable road graph from OpenStreetMap.

Offline from local extracts (``.osm``, ``.osm.bz2``, ``.osm.gz`` through
osmnx; ``.osm.pbf`` through pyrosm, the ``osm`` extra), or online from a
place name or bounding box through osmnx, with a quick reachability probe and
a short timeout so that a machine without network gets a clear
:class:`~geodata.OfflineError` instead of a hang.

How OSM features become InfraSite layers. Everything real comes from the
tags; whatever the tags do not say is filled with a documented default and
named in the layer's ``filled`` column (``;``-separated field names):

- ``landuse=industrial`` areas -> ``parks``. Filled: ``level`` (the schema
  default; OSM has no approval level), ``green_park``; unnamed areas are
  called ``"unnamed industrial area <element>/<id>"``.
- ``building=industrial|warehouse|factory``, ``man_made=works`` and
  ``office=company`` -> ``enterprises`` (centroids, computed in metres).
  Filled: ``employees`` = 0 (unknown: weight by count, not staff),
  ``output_value``, ``energy_use``, ``digital_status``; ``sector`` is taken
  from ``industrial=*`` (and warehouses are logistics) where tagged, else
  ``"other"`` and filled; the OSM kind is kept in ``osm_type``.
- ``amenity=charging_station`` -> ``charging_stations``. ``piles`` from
  ``capacity``, else the largest ``socket:<type>`` count (filled as
  ``piles:sockets``), else ``default_piles``; ``power_kw`` is the largest
  ``socket:*:output``, else the schema default; socket types and counts are
  kept in ``sockets``; ``access`` is ``private`` for ``access=no|private``.
- ``man_made=mast|tower`` with ``tower:type=communication`` or any
  ``communication:*=yes`` -> ``base_stations`` (centroids). ``operator`` is
  one of the Chinese operators when ``operator``/``brand``/``owner`` name
  it, else ``"unknown"``; ``band`` is ``"unknown"``; ``radius_m`` is
  ``mast_radius_m`` (an assumption, est. 500 m: 3.5 GHz UMa NLOS at a
  130 dB budget); ``height_m`` from ``height`` where tagged. The
  communication services are kept in ``communication`` and
  ``mobile_phone``.
- named ``boundary=administrative`` polygons at the most detailed
  ``admin_level`` present -> ``admin_areas``; without any, the convex hull
  of the extract is the one area (``id="extract"``). A boundary relation
  cut by a cropped extract may come out as a partial polygon: for real
  administrative areas read them from an uncropped extract.
- drivable ``highway=*`` ways (:func:`is_drivable`) -> ``roads``, an osmnx
  ``MultiDiGraph`` with ``street_count`` set.

Every layer's :class:`~geodata.Provenance` says it comes from OpenStreetMap
under the ODbL 1.0 ("© OpenStreetMap contributors").
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import json
import math
import re
import socket
import tempfile
import threading
import xml.etree.ElementTree as ET
from array import array
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._errors import DataError, OfflineError, Problem
from .model import PlanningData, Provenance, empty_layer
from .schema import LAYER_KINDS, UNKNOWN

DRIVABLE_HIGHWAYS: tuple[str, ...] = (
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "road",
)
"""``highway`` values kept in the road graph (``service`` too with ``service_roads=True``)."""

OSM_LAYERS: tuple[str, ...] = (
    "enterprises",
    "parks",
    "base_stations",
    "charging_stations",
    "admin_areas",
    "roads",
)
"""What :func:`read_osm` can build; ``candidate_sites`` are not in OpenStreetMap."""

FEATURE_TAGS: dict[str, list[str]] = {
    "landuse": ["industrial"],
    "building": ["industrial", "warehouse", "factory"],
    "man_made": ["works", "mast", "tower"],
    "office": ["company"],
    "amenity": ["charging_station"],
    "boundary": ["administrative"],
}
"""The OSM tags read for the point and polygon layers."""

LICENCE = "ODbL 1.0 (© OpenStreetMap contributors)"

_CLOSED_ACCESS = {"no", "private"}
_EXCLUDED_SERVICE = {"emergency_access", "parking", "parking_aisle", "private"}
_ENTERPRISE_TYPES = {
    ("building", "factory"): "factory",
    ("building", "industrial"): "industrial building",
    ("building", "warehouse"): "warehouse",
    ("man_made", "works"): "works",
    ("office", "company"): "company office",
}
_SECTOR_BY_TAG = {
    ("building", "warehouse"): "logistics",
    ("industrial", "warehouse"): "logistics",
    ("industrial", "logistics"): "logistics",
    ("industrial", "depot"): "logistics",
    ("industrial", "food_industry"): "agri_food",
    ("industrial", "brewery"): "agri_food",
    ("industrial", "dairy"): "agri_food",
    ("industrial", "bakery"): "agri_food",
    ("industrial", "slaughterhouse"): "agri_food",
    ("industrial", "chemical"): "chemicals",
    ("industrial", "oil"): "chemicals",
    ("industrial", "steelmaker"): "steel_metallurgy",
    ("industrial", "metal_processing"): "steel_metallurgy",
    ("industrial", "foundry"): "steel_metallurgy",
    ("industrial", "machine_shop"): "equipment_manufacturing",
    ("industrial", "machinery"): "equipment_manufacturing",
    ("industrial", "engineering"): "equipment_manufacturing",
    ("industrial", "electrical"): "equipment_manufacturing",
    ("craft", "metal_construction"): "equipment_manufacturing",
    ("power", "plant"): "clean_energy",
}
_OPERATOR_NAMES = {
    "China Mobile": ("china mobile", "中国移动", "cmcc", "移动"),
    "China Unicom": ("china unicom", "中国联通", "联通"),
    "China Telecom": ("china telecom", "中国电信", "电信"),
    "China Broadnet": ("china broadnet", "中国广电", "广电"),
}
_UNKNOWN = UNKNOWN
_ENTERPRISE_DEFAULT_FILLED = ("employees", "output_value", "energy_use", "digital_status")


# ----------------------------------------------------------------------------- public API


def is_drivable(tags: Mapping[str, Any], *, service_roads: bool = False) -> bool:
    """Return whether an OSM way with these tags belongs in the drivable road graph.

    A way is drivable when its ``highway`` value is in
    :data:`DRIVABLE_HIGHWAYS` (plus ``service`` roads other than parking
    aisles, driveways for emergencies and private service roads when
    ``service_roads``), it is not an area, and the most specific of its
    ``motorcar``, ``motor_vehicle``, ``vehicle`` and ``access`` tags does not
    close it (``no``/``private``).

    Parameters
    ----------
    tags
        The way's tags.
    service_roads
        Also keep ``highway=service`` ways.

    Returns
    -------
    bool
        True for a way cars may use.
    """
    highway = tags.get("highway")
    allowed = DRIVABLE_HIGHWAYS + (("service",) if service_roads else ())
    if highway not in allowed or tags.get("area") == "yes":
        return False
    if highway == "service" and set(_values(tags.get("service"))) & _EXCLUDED_SERVICE:
        return False
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
        if tags.get(key) is not None:
            return not (set(_values(tags[key])) & _CLOSED_ACCESS)
    return True


def roads_from_osm(path: str | Path, *, service_roads: bool = False) -> Any:
    """Return the drivable road graph of a local OSM extract.

    Only drivable ways (see :func:`is_drivable`) become edges, one-way
    streets are directed, the graph is simplified osmnx-style and every node
    has a ``street_count``. Disconnected parts are kept.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` file.
    service_roads
        Also keep ``highway=service`` ways.

    Returns
    -------
    networkx.MultiDiGraph
        osmnx-style graph in EPSG:4326 (``x`` = lon, ``y`` = lat, edge ``length`` in metres).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    DataError
        If the file has no drivable roads or is not OSM data.
    """
    path = _check_path(path)
    if _is_pbf(path):
        return _pbf_roads(path, service_roads=service_roads)
    with tempfile.TemporaryDirectory() as tmp:
        roads_file = Path(tmp) / "roads.osm"
        _filter_xml(path, roads_file, None, service_roads=service_roads)
        return _xml_roads(roads_file, path)


def read_osm(
    path: str | Path,
    *,
    layers: Iterable[str] | None = None,
    name: str | None = None,
    service_roads: bool = False,
    mast_radius_m: float = 500.0,
    default_piles: int = 1,
) -> PlanningData:
    """Build a :class:`PlanningData` from a local OpenStreetMap extract.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` file (``.pbf``
        needs the ``osm`` extra: ``pip install "infrasite[osm]"``).
    layers
        Which of :data:`OSM_LAYERS` to build (default: all of them).
    name
        Name of the planning area (default: the file name without suffixes).
    service_roads
        Keep ``highway=service`` ways in the road graph.
    mast_radius_m
        Planning coverage radius given to every mast (OSM has no radius).
    default_piles
        Piles of a charging station whose ``capacity`` and sockets are untagged.

    Returns
    -------
    PlanningData
        The layers (``candidate_sites`` empty) with OSM provenance.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    DataError
        If the file is not OSM data.
    """
    path = _check_path(path)
    wanted = _check_layers(layers)
    source = f"OpenStreetMap extract {path.name}"
    features = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    roads = None
    feature_kinds = wanted - {"roads"}
    if _is_pbf(path):
        if feature_kinds:
            features = _pbf_features(path)
        if "roads" in wanted:
            roads = _pbf_roads(path, service_roads=service_roads)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            roads_file = Path(tmp) / "roads.osm" if "roads" in wanted else None
            features_file = Path(tmp) / "features.osm" if feature_kinds else None
            _filter_xml(path, roads_file, features_file, service_roads=service_roads)
            if features_file is not None:
                features = _xml_features(features_file)
            if roads_file is not None:
                roads = _xml_roads(roads_file, path)
    return _planning_data(
        features,
        roads,
        wanted,
        name=name or path.name.split(".")[0],
        source=source,
        mast_radius_m=mast_radius_m,
        default_piles=default_piles,
    )


def planning_data_from_place(
    place: str,
    *,
    layers: Iterable[str] | None = None,
    name: str | None = None,
    timeout: float = 60.0,
    probe_timeout: float = 3.0,
    service_roads: bool = False,
    mast_radius_m: float = 500.0,
    default_piles: int = 1,
) -> PlanningData:
    """Download the layers of a named place from OpenStreetMap.

    The Nominatim and Overpass hosts osmnx uses are probed first (a TCP
    connection within ``probe_timeout`` seconds); every request then has
    ``timeout`` seconds.

    Parameters
    ----------
    place
        Place name Nominatim knows (e.g. ``"Vaduz, Liechtenstein"``).
    layers
        Which of :data:`OSM_LAYERS` to build (default: all).
    name
        Name of the planning area (default: ``place``).
    timeout
        Seconds allowed per HTTP request (osmnx ``requests_timeout``).
    probe_timeout
        Seconds allowed to reach each host before giving up.
    service_roads
        Keep ``highway=service`` ways in the road graph.
    mast_radius_m
        Planning coverage radius given to every mast.
    default_piles
        Piles of a charging station whose ``capacity`` and sockets are untagged.

    Returns
    -------
    PlanningData
        The layers with OSM provenance.

    Raises
    ------
    OfflineError
        If a host cannot be reached, or a request fails or times out.
    """
    import osmnx as ox

    wanted = _check_layers(layers)
    with _online(timeout, probe_timeout, nominatim=True):
        features, roads = _download(
            lambda tags: ox.features_from_place(place, tags),
            lambda kind: ox.graph_from_place(place, network_type=kind, retain_all=True),
            wanted,
            service_roads,
        )
    return _planning_data(
        features,
        roads,
        wanted,
        name=name or place,
        source=f"OpenStreetMap via Overpass API, place {place!r}",
        mast_radius_m=mast_radius_m,
        default_piles=default_piles,
    )


def planning_data_from_bbox(
    bbox: tuple[float, float, float, float],
    *,
    layers: Iterable[str] | None = None,
    name: str | None = None,
    timeout: float = 60.0,
    probe_timeout: float = 3.0,
    service_roads: bool = False,
    mast_radius_m: float = 500.0,
    default_piles: int = 1,
) -> PlanningData:
    """Download the layers inside a bounding box from OpenStreetMap.

    Parameters
    ----------
    bbox
        ``(west, south, east, north)`` in degrees (WGS84).
    layers
        Which of :data:`OSM_LAYERS` to build (default: all).
    name
        Name of the planning area (default: ``"osm"``).
    timeout
        Seconds allowed per HTTP request (osmnx ``requests_timeout``).
    probe_timeout
        Seconds allowed to reach the Overpass host before giving up.
    service_roads
        Keep ``highway=service`` ways in the road graph.
    mast_radius_m
        Planning coverage radius given to every mast.
    default_piles
        Piles of a charging station whose ``capacity`` and sockets are untagged.

    Returns
    -------
    PlanningData
        The layers with OSM provenance.

    Raises
    ------
    ValueError
        If ``bbox`` is not ``(west, south, east, north)`` in degrees.
    OfflineError
        If the host cannot be reached, or a request fails or times out.
    """
    import osmnx as ox

    box = tuple(float(b) for b in bbox)
    if len(box) != 4 or not (-180 <= box[0] < box[2] <= 180 and -90 <= box[1] < box[3] <= 90):
        msg = f"bbox must be (west, south, east, north) in degrees with west < east; got {bbox!r}"
        raise ValueError(msg)
    wanted = _check_layers(layers)
    with _online(timeout, probe_timeout, nominatim=False):
        features, roads = _download(
            lambda tags: ox.features_from_bbox(box, tags),
            lambda kind: ox.graph_from_bbox(box, network_type=kind, retain_all=True),
            wanted,
            service_roads,
        )
    return _planning_data(
        features,
        roads,
        wanted,
        name=name or "osm",
        source=f"OpenStreetMap via Overpass API, bbox {box}",
        mast_radius_m=mast_radius_m,
        default_piles=default_piles,
    )


def layers_from_features(
    features: gpd.GeoDataFrame,
    *,
    mast_radius_m: float = 500.0,
    default_piles: int = 1,
) -> dict[str, gpd.GeoDataFrame]:
    """Map OSM features (osmnx ``features_*`` output) to InfraSite layers.

    Parameters
    ----------
    features
        GeoDataFrame indexed by ``(element, id)`` with one column per tag, as
        osmnx returns.
    mast_radius_m
        Planning coverage radius given to every mast.
    default_piles
        Piles of a charging station whose ``capacity`` and sockets are untagged.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``enterprises``, ``parks``, ``base_stations``, ``charging_stations``
        and ``admin_areas`` (possibly empty) in EPSG:4326, each with an
        ``osm_id`` column and a ``filled`` column naming the fields that got
        defaults.
    """
    if not mast_radius_m >= 1:
        msg = f"mast_radius_m must be a radius in metres >= 1; got {mast_radius_m!r}"
        raise ValueError(msg)
    if not (isinstance(default_piles, int) and default_piles >= 1):
        msg = f"default_piles must be an integer >= 1; got {default_piles!r}"
        raise ValueError(msg)
    feats = _normalise_features(features)
    records = list(_records(feats))
    return {
        "enterprises": _enterprises(records),
        "parks": _parks(records),
        "base_stations": _base_stations(records, mast_radius_m),
        "charging_stations": _charging_stations(records, default_piles),
        "admin_areas": _admin_areas(records),
    }


# ----------------------------------------------------------------------------- files


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


def _values(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value]
    return [v.strip() for v in str(value).split(";")]


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


# ----------------------------------------------------------------------------- online


def _reachable(host: str, port: int, timeout: float) -> bool:
    """Whether a TCP connection to host:port opens within ``timeout`` (DNS included)."""
    result: list[bool] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout)
    return bool(result and result[0])


def _probe(url: str, timeout: float) -> None:
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if not host or not _reachable(host, port, timeout):
        msg = (
            f"cannot reach {host or url} (port {port}) within {timeout:g} s: no network? "
            "Use read_osm() with a local .osm/.osm.pbf extract instead"
        )
        raise OfflineError(msg)


@contextlib.contextmanager
def _online(timeout: float, probe_timeout: float, *, nominatim: bool) -> Iterator[None]:
    import osmnx as ox
    import requests

    if not (timeout > 0 and probe_timeout > 0):
        msg = f"timeout and probe_timeout must be > 0 seconds; got {timeout!r}, {probe_timeout!r}"
        raise ValueError(msg)
    urls = [ox.settings.overpass_url] + ([ox.settings.nominatim_url] if nominatim else [])
    for url in urls:
        _probe(url, probe_timeout)
    saved = ox.settings.requests_timeout
    ox.settings.requests_timeout = timeout
    try:
        yield
    except requests.exceptions.RequestException as exc:
        msg = f"OpenStreetMap download failed or timed out after {timeout:g} s: {exc}"
        raise OfflineError(msg) from exc
    finally:
        ox.settings.requests_timeout = saved


def _download(
    features: Any, graph: Any, wanted: set[str], service_roads: bool
) -> tuple[gpd.GeoDataFrame, Any]:
    import osmnx as ox

    feats = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    roads = None
    if wanted - {"roads"}:
        with contextlib.suppress(ox._errors.InsufficientResponseError):
            feats = features(_osmnx_tags())
    if "roads" in wanted:
        roads = _finish_graph(graph("drive_service" if service_roads else "drive"))
    return feats, roads


# ----------------------------------------------------------------------------- mapping


def _planning_data(
    features: gpd.GeoDataFrame,
    roads: Any,
    wanted: set[str],
    *,
    name: str,
    source: str,
    mast_radius_m: float,
    default_piles: int,
) -> PlanningData:
    mapped = layers_from_features(
        features, mast_radius_m=mast_radius_m, default_piles=default_piles
    )
    notes = {
        "enterprises": "industrial buildings, works and company offices (centroids); "
        "employees, output and energy unknown (0), sector 'other' unless tagged; see 'filled'",
        "parks": "landuse=industrial areas; level is the schema default, not an approval level",
        "base_stations": "masts/towers with communication tags; operator and band 'unknown' "
        f"unless tagged, radius {mast_radius_m:g} m assumed",
        "charging_stations": "piles from capacity or socket counts, power from socket outputs "
        "where tagged; see 'filled'",
        "admin_areas": "boundary=administrative polygons",
    }
    if "admin_areas" in wanted and mapped["admin_areas"].empty:
        mapped["admin_areas"] = _hull_area(mapped, roads, features, name)
        notes["admin_areas"] = "no administrative polygons in the extract: its convex hull"
    from .validation import validate_layer

    layers = {}
    for kind in mapped:
        if kind not in wanted or not len(mapped[kind]):
            continue
        # odd tag values (e.g. capacity=99999) drop that feature, not the whole import
        layer, report = validate_layer(
            mapped[kind], kind, source=f"{source}: {kind}", lenient=True, return_report=True
        )
        layers[kind] = layer
        skipped = set(report["row"]) if len(report) else set()
        if skipped:
            notes[kind] += f"; {len(skipped)} feature(s) with unusable tag values left out"
    provenance = {
        kind: Provenance(source=source, licence=LICENCE, note=notes[kind]) for kind in layers
    }
    if roads is not None:
        provenance["roads"] = Provenance(
            source=source, licence=LICENCE, note="drivable highways only (osmnx graph)"
        )
    return PlanningData(name=name, roads=roads, provenance=provenance, **layers)


def _normalise_features(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if features is None or len(features) == 0:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    if features.crs is None:
        features = features.set_crs("EPSG:4326")
    elif not features.crs.equals("EPSG:4326"):
        features = features.to_crs("EPSG:4326")
    return features


def _records(features: gpd.GeoDataFrame) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """Yield ``(osm_id, tags, geometry)`` per feature; tag values are strings."""
    if len(features) == 0:
        return
    cols = [c for c in features.columns if c != features.geometry.name]
    values = features[cols].to_numpy(dtype=object)
    geoms = features.geometry.to_numpy()
    for idx, row, geom in zip(features.index, values, geoms, strict=True):
        element, osmid = idx if isinstance(idx, tuple) else ("feature", idx)
        tags = {
            c: (";".join(map(str, v)) if isinstance(v, list) else str(v))
            for c, v in zip(cols, row, strict=True)
            if not _missing(v)
        }
        if geom is None or geom.is_empty:
            continue
        yield f"{element}/{osmid}", tags, geom


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _points(geoms: list[Any]) -> gpd.GeoSeries:
    """Return the points as they are and the centroids (computed in metres) of the rest."""
    series = gpd.GeoSeries(geoms, crs="EPSG:4326")
    if len(series) == 0:
        return series
    not_point = (series.geom_type != "Point").to_numpy()
    if not_point.any():
        from .crs import local_metric_crs

        metric = local_metric_crs(series)
        centroids = series[not_point].to_crs(metric).centroid.to_crs("EPSG:4326")
        series = series.copy()
        series[not_point] = centroids.to_numpy()
    return series


def _layer(kind: str, rows: list[dict[str, Any]], geoms: list[Any]) -> gpd.GeoDataFrame:
    if not rows:
        out = empty_layer(kind)
        out["osm_id"] = pd.Series(dtype=object)
        out["filled"] = pd.Series(dtype=object)
        return out
    frame = pd.DataFrame(rows)
    for f in LAYER_KINDS[kind].fields:
        if f.name not in frame:
            frame[f.name] = pd.Series([f.default] * len(frame), index=frame.index, dtype=object)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326").values)


def _default_number(kind: str, name: str) -> float:
    value = LAYER_KINDS[kind].field(name).default
    if not isinstance(value, int | float):
        msg = f"schema field {kind}.{name} has no numeric default"
        raise TypeError(msg)
    return float(value)


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    match = re.match(r"\s*(\d+(?:[.,]\d+)?)", text)
    return float(match.group(1).replace(",", ".")) if match else None


def _enterprises(records: list[tuple[str, dict[str, Any], Any]]) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for osm_id, tags, geom in records:
        kind = next(
            (label for (k, v), label in _ENTERPRISE_TYPES.items() if tags.get(k) == v), None
        )
        if kind is None:
            continue
        filled = list(_ENTERPRISE_DEFAULT_FILLED)
        sector = next(
            (
                s
                for (k, v), s in _SECTOR_BY_TAG.items()
                if v in _values(tags.get(k)) and k != "building"
            ),
            None,
        ) or _SECTOR_BY_TAG.get(("building", tags.get("building", "")))
        if sector is None:
            sector = "other"
            filled.append("sector")
        name = tags.get("name") or tags.get("operator") or tags.get("brand")
        if not name:
            name = f"unnamed {kind} {osm_id}"
            filled.append("name")
        rows.append(
            {
                "id": osm_id,
                "name": name,
                "sector": sector,
                "employees": 0,
                "osm_type": kind,
                "osm_id": osm_id,
                "filled": ";".join(filled),
            }
        )
        geoms.append(geom)
    if geoms:
        geoms = list(_points(geoms))
    return _layer("enterprises", rows, geoms)


def _polygonal(geom: Any) -> bool:
    return geom.geom_type in ("Polygon", "MultiPolygon")


def _parks(records: list[tuple[str, dict[str, Any], Any]]) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    default_level = LAYER_KINDS["parks"].field("level").default
    for osm_id, tags, geom in records:
        if tags.get("landuse") != "industrial" or not _polygonal(geom):
            continue
        filled = ["level", "green_park"]
        name = tags.get("name")
        if not name:
            name = f"unnamed industrial area {osm_id}"
            filled.append("name")
        rows.append(
            {
                "id": osm_id,
                "name": name,
                "level": default_level,
                "green_park": False,
                "approximate": False,
                "osm_id": osm_id,
                "filled": ";".join(filled),
            }
        )
        geoms.append(geom)
    return _layer("parks", rows, geoms)


def _communication(tags: Mapping[str, str]) -> list[str]:
    services = [
        k.split(":", 1)[1]
        for k, v in tags.items()
        if k.startswith("communication:") and k.count(":") == 1 and v == "yes"
    ]
    return sorted(services)


def _operator(tags: Mapping[str, str]) -> str | None:
    text = " ".join(tags.get(k, "") for k in ("operator", "brand", "owner")).lower()
    for operator, names in _OPERATOR_NAMES.items():
        if any(n in text for n in names):
            return operator
    return None


def _base_stations(
    records: list[tuple[str, dict[str, Any], Any]], radius: float
) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for osm_id, tags, geom in records:
        if tags.get("man_made") not in ("mast", "tower"):
            continue
        services = _communication(tags)
        if tags.get("tower:type") != "communication" and not services:
            continue
        filled = ["band", "radius_m", "status"]
        operator = _operator(tags)
        if operator is None:
            operator = _UNKNOWN
            filled.append("operator")
        height = _number(tags.get("height"))
        if height is None or not 0 <= height <= 500:
            height = _default_number("base_stations", "height_m")
            filled.append("height_m")
        name = tags.get("name")
        if not name:
            name = f"unnamed {tags['man_made']} {osm_id}"
            filled.append("name")
        rows.append(
            {
                "id": osm_id,
                "name": name,
                "operator": operator,
                "band": _UNKNOWN,
                "height_m": height,
                "radius_m": float(radius),
                "status": "operational",
                "communication": ";".join(services),
                "mobile_phone": "mobile_phone" in services,
                "osm_operator": tags.get("operator", ""),
                "osm_id": osm_id,
                "filled": ";".join(filled),
            }
        )
        geoms.append(geom)
    if geoms:
        geoms = list(_points(geoms))
    return _layer("base_stations", rows, geoms)


def _power_kw(text: str) -> float | None:
    best = None
    for part in _values(text):
        match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*(kw|w|mw)?", part.lower())
        if not match:
            continue
        value = float(match.group(1).replace(",", "."))
        unit = match.group(2) or "kw"
        kw = value / 1000 if unit == "w" else value * 1000 if unit == "mw" else value
        best = kw if best is None else max(best, kw)
    return best


def _charging_stations(
    records: list[tuple[str, dict[str, Any], Any]], default_piles: int
) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    spec = LAYER_KINDS["charging_stations"]
    default_power = _default_number("charging_stations", "power_kw")
    max_power = float(spec.field("power_kw").maximum or 1000)
    for osm_id, tags, geom in records:
        if tags.get("amenity") != "charging_station":
            continue
        filled = []
        sockets: dict[str, int] = {}
        powers = []
        for key, value in tags.items():
            parts = key.split(":")
            if parts[0] != "socket" or len(parts) < 2:
                continue
            if len(parts) == 2:
                count = _number(value)
                sockets[parts[1]] = int(count) if count is not None else 0
            elif parts[-1] == "output":
                power = _power_kw(value)
                if power is not None:
                    powers.append(power)
        capacity = _number(tags.get("capacity"))
        if capacity is not None and capacity >= 1:
            piles = int(capacity)
        elif sockets and max(sockets.values()) >= 1:
            piles = max(sockets.values())
            filled.append("piles:sockets")
        else:
            piles = default_piles
            filled.append("piles")
        power_kw = max(powers) if powers else default_power
        if not powers:
            filled.append("power_kw")
        access_tag = set(_values(tags.get("access")))
        if access_tag:
            access = "private" if access_tag & _CLOSED_ACCESS else "public"
        else:
            access = "public"
            filled.append("access")
        name = tags.get("name") or tags.get("brand") or tags.get("operator")
        if not name:
            name = f"unnamed charging station {osm_id}"
            filled.append("name")
        rows.append(
            {
                "id": osm_id,
                "name": name,
                "piles": piles,
                "power_kw": min(max(power_kw, 1.0), max_power),
                "access": access,
                "operator": tags.get("operator", ""),
                "sockets": ";".join(f"{k}={v}" for k, v in sorted(sockets.items())),
                "osm_id": osm_id,
                "filled": ";".join(filled),
            }
        )
        geoms.append(geom)
    if geoms:
        geoms = list(_points(geoms))
    return _layer("charging_stations", rows, geoms)


def _admin_areas(records: list[tuple[str, dict[str, Any], Any]]) -> gpd.GeoDataFrame:
    areas = [
        (osm_id, tags, geom)
        for osm_id, tags, geom in records
        if tags.get("boundary") == "administrative" and tags.get("name") and _polygonal(geom)
    ]
    levels = [_number(tags.get("admin_level")) for _, tags, _ in areas]
    known = [lv for lv in levels if lv is not None]
    if not areas:
        return _layer("admin_areas", [], [])
    finest = max(known) if known else None
    rows, geoms = [], []
    for (osm_id, tags, geom), level in zip(areas, levels, strict=True):
        if level != finest:
            continue
        name = tags["name"]
        rows.append(
            {
                "id": tags.get("ref") or tags.get("ISO3166-2") or osm_id,
                "name": name,
                "short_name": tags.get("short_name") or name,
                "admin_level": tags.get("admin_level", ""),
                "osm_id": osm_id,
                "filled": "",
            }
        )
        geoms.append(geom)
    return _layer("admin_areas", rows, geoms)


def _hull_area(
    mapped: Mapping[str, gpd.GeoDataFrame], roads: Any, features: gpd.GeoDataFrame, name: str
) -> gpd.GeoDataFrame:
    parts = [gdf.geometry.to_numpy() for gdf in mapped.values() if len(gdf)]
    if features is not None and len(features):
        parts.append(np.asarray(features.geometry.to_numpy(), dtype=object))
    if roads is not None and roads.number_of_nodes():
        xy = np.array([(d["x"], d["y"]) for _, d in roads.nodes(data=True)])
        parts.append(shapely.points(xy))
    if not parts:
        return _layer("admin_areas", [], [])
    coords = shapely.get_coordinates(np.concatenate(parts))
    hull = shapely.convex_hull(shapely.multipoints(coords))
    if not _polygonal(hull):
        return _layer("admin_areas", [], [])
    row = {
        "id": "extract",
        "name": name,
        "short_name": name,
        "admin_level": "",
        "osm_id": "",
        "filled": "id;name;geometry",
    }
    return _layer("admin_areas", [row], [hull])
