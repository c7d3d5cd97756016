"""Map output without a network: local asset links, standalone HTML, notebook display."""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable
from typing import Any

from ._assets import (
    ASSETS,
    asset_text,
)

# --------------------------------------------------------------------------- assets


def _walk(element: Any) -> Iterable[Any]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def use_static_assets(m: Any, *, base_url: str = "/app/static/vendor") -> Any:
    """Point every asset link of ``m`` at locally served files.

    Links the package cannot serve (jQuery, Bootstrap, icon fonts folium adds
    by default) are dropped, so no request leaves the machine.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`build_map`.
    base_url
        URL path under which :func:`install_assets` output is served
        (Streamlit static serving: ``/app/static/<folder>``).

    Returns
    -------
    folium.Map
        ``m`` itself, changed in place.
    """
    base = base_url.rstrip("/")
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if links is None:
                continue
            setattr(
                element,
                attr,
                [(name, f"{base}/{ASSETS[url]}") for name, url in links if url in ASSETS],
            )
    return m


_SCRIPT_TAG = re.compile(r'<script\b[^>]*\bsrc="([^"]+)"[^>]*>\s*</script>', re.IGNORECASE)
_LINK_TAG = re.compile(
    r'<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"[^>]*/?>', re.IGNORECASE
)


def standalone_html(m: Any, *, title: str = "InfraSite") -> str:
    """Return a self-contained HTML page of ``m`` that works without a network.

    Leaflet and plugin assets are inlined; links to anything else (CDN fonts,
    jQuery, Bootstrap) are removed. Tile layers the user chose (OSM,
    Tianditu, AMap) still load tiles when online.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`build_map` (with CDN or static asset links).
    title
        Page title.

    Returns
    -------
    str
        The HTML document.
    """
    page = m.get_root().render()

    def script(match: re.Match[str]) -> str:
        url = html.unescape(match.group(1))
        if _is_asset(url):
            return "<script>" + asset_text(url).replace("</script", "<\\/script") + "</script>"
        return ""

    def link(match: re.Match[str]) -> str:
        url = html.unescape(match.group(1))
        if _is_asset(url):
            return "<style>" + asset_text(url) + "</style>"
        return ""

    page = _SCRIPT_TAG.sub(script, page)
    page = _LINK_TAG.sub(link, page)
    head = f"<title>{html.escape(title)}</title>"
    return page.replace("<head>", "<head>\n" + head, 1) if "<head>" in page else head + page


class NotebookMap:
    """A map that displays inline in Jupyter without a network.

    Jupyter shows folium's own HTML with Leaflet loaded from a CDN, which is a
    blank box offline; this wraps :func:`standalone_html` in an iframe instead.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`build_map`.
    height
        Height of the frame in pixels.
    """

    def __init__(self, m: Any, *, height: int = 560) -> None:
        self.map = m
        self.height = int(height)

    def _repr_html_(self) -> str:
        page = html.escape(standalone_html(self.map))
        return (
            f'<iframe srcdoc="{page}" style="width:100%;height:{self.height}px;border:0"></iframe>'
        )


def notebook_map(m: Any, *, height: int = 560) -> NotebookMap:
    """Return ``m`` wrapped to display inline in Jupyter, fully offline.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`build_map`.
    height
        Height of the frame in pixels.
    """
    return NotebookMap(m, height=height)


def _is_asset(url: str) -> bool:
    names = set(ASSETS.values())
    return url in ASSETS or os.path.basename(url) in names


def map_json_summary(m: Any) -> str:
    """Return the names of the map's overlay layers as JSON (for tests and logs)."""
    names = [
        getattr(e, "layer_name", None)
        for e in _walk(m)
        if getattr(e, "overlay", False) and getattr(e, "control", False)
    ]
    return json.dumps([n for n in names if n], ensure_ascii=False)
