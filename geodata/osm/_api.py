"""The public entry points: local extracts, place names and bounding boxes."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd

from ..model import PlanningData
from ._files import (
    _check_layers,
    _check_path,
    _filter_xml,
    _is_pbf,
    _pbf_features,
    _pbf_roads,
    _xml_features,
    _xml_roads,
)
from ._mapping import _planning_data
from ._online import _download, _online


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
