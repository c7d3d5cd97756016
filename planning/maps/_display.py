"""Map output without a network: local asset links, standalone HTML, notebook display."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
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


def serve_point_rows(
    m: Any,
    folder: str | os.PathLike[str],
    *,
    base_url: str,
    min_chars: int = 20_000,
    keep: int = 256,
) -> dict[str, str]:
    """Move the big point layers' data of ``m`` into files the browser fetches.

    Each point layer whose data takes at least ``min_chars`` characters is
    written once to ``folder`` under a name made from its content, and the
    map's script fetches it from ``base_url`` instead of carrying it inline.
    The same data always gets the same URL, so every session and every rerun
    shares one file, and browsers can keep it in their cache. Files are
    written atomically; beyond ``keep`` files the oldest are removed.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`build_map`.
    folder
        Directory served as static files at ``base_url``.
    base_url
        URL path of ``folder`` (Streamlit static serving: ``/app/static/<folder>``).
    min_chars
        Layers with less data than this stay inline.
    keep
        Number of data files kept in ``folder``.

    Returns
    -------
    dict
        The data files the map now needs, file name to content; pass it to
        :func:`ensure_point_rows` before showing a cached map again.
    """
    from ._elements import _PointLayer

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    base = base_url.rstrip("/")
    wrote = False
    files: dict[str, str] = {}
    for element in _walk(m):
        if not isinstance(element, _PointLayer) or len(element.rows_js) < min_chars:
            continue
        name = hashlib.sha256(element.rows_js.encode("utf-8")).hexdigest()[:24] + ".json"
        path = target / name
        if path.exists():
            path.touch()
        else:
            _write_atomically(path, element.rows_js)
            wrote = True
        element.rows_url = f"{base}/{name}"
        files[name] = element.rows_js
    if wrote:
        _prune(target, keep)
    return files


def ensure_point_rows(folder: str | os.PathLike[str], files: dict[str, str]) -> None:
    """Write again any data file of :func:`serve_point_rows` that has gone.

    Parameters
    ----------
    folder
        The directory given to :func:`serve_point_rows`.
    files
        Its result.
    """
    target = Path(folder)
    for name, text in files.items():
        path = target / name
        if not path.exists():
            target.mkdir(parents=True, exist_ok=True)
            _write_atomically(path, text)


def _write_atomically(path: Path, text: str) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def _prune(folder: Path, keep: int) -> None:
    files = sorted(folder.glob("*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[keep:]:
        with suppress(OSError):
            old.unlink()


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
