"""Leaflet web assets for offline maps, taken from an installed package.

folium links Leaflet and its plugins from public CDNs. The ``folium-offline``
package ships the same files as strings; this module looks them up by their
CDN address so a map can either inline them (a standalone HTML file) or have
them served locally (Streamlit static serving).
"""

from __future__ import annotations

import os
from pathlib import Path

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
CLUSTER_JS = (
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js"
)
CLUSTER_CSS = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css"
CLUSTER_DEFAULT_CSS = (
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css"
)

ASSETS: dict[str, str] = {
    LEAFLET_JS: "leaflet-1.9.3.js",
    LEAFLET_CSS: "leaflet-1.9.3.css",
    CLUSTER_JS: "leaflet.markercluster-1.1.0.js",
    CLUSTER_CSS: "MarkerCluster-1.1.0.css",
    CLUSTER_DEFAULT_CSS: "MarkerCluster.Default-1.1.0.css",
}
"""CDN address of every asset the maps use -> local file name."""


def asset_text(url: str) -> str:
    """Return the content of one asset.

    Parameters
    ----------
    url
        CDN address of the asset (a key of :data:`ASSETS`) or its local
        file name.

    Returns
    -------
    str
        The JavaScript or CSS source.

    Raises
    ------
    KeyError
        If ``url`` is not a known asset.
    ImportError
        If the ``folium-offline`` package is not installed.
    """
    by_name = {name: key for key, name in ASSETS.items()}
    key = by_name.get(os.path.basename(url), url)
    if key not in ASSETS:
        msg = f"url must be one of the map assets {sorted(ASSETS)}; got {url!r}"
        raise KeyError(msg)
    try:
        from offlinefolium.elements import _res
    except ImportError as exc:  # pragma: no cover - a declared dependency
        msg = "offline maps need the 'folium-offline' package: pip install folium-offline"
        raise ImportError(msg) from exc
    return str(_res[key])


def install_assets(directory: str | os.PathLike[str]) -> dict[str, Path]:
    """Write every map asset into ``directory`` (idempotent).

    Parameters
    ----------
    directory
        Folder to write into, e.g. ``static/vendor`` next to the Streamlit
        app; created if missing.

    Returns
    -------
    dict
        CDN address -> path written.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for url, name in ASSETS.items():
        path = folder / name
        text = asset_text(url)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        written[url] = path
    return written
