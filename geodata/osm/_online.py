"""Downloading from OpenStreetMap with a reachability probe and timeouts."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import geopandas as gpd

from .._errors import OfflineError
from ._files import _finish_graph, _osmnx_tags


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
