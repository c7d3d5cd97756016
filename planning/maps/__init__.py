"""Interactive maps of a planning area and of siting scenarios, built offline.

:func:`build_map` overlays every layer of a :class:`geodata.PlanningData`
(enterprises, development zones, county boundaries, 5G footprints and the
dissolved coverage area, charging stations, candidate sites) and, optionally,
one or more scenario results on a folium map whose Leaflet assets never come
from a CDN: :func:`use_static_assets` points them at files served by the app
(written by :func:`install_assets`) and :func:`standalone_html` inlines them
into a single HTML file that opens without a network.

Every text shown in a tooltip, popup or legend is HTML-escaped in Python
before it reaches the page.
"""

from __future__ import annotations

from ._assets import LEAFLET_CSS, LEAFLET_JS, install_assets
from ._basemaps import BASEMAPS, Basemap
from ._build import build_map, filter_data
from ._display import (
    NotebookMap,
    ensure_point_rows,
    map_json_summary,
    notebook_map,
    serve_point_rows,
    standalone_html,
    use_static_assets,
)
from ._elements import _js_literal as _js_literal
from ._labels import (
    CLUSTER_THRESHOLD,
    OPERATOR_COLORS,
    SCENARIO_COLORS,
    SECTOR_COLORS,
    STATUS_COLORS,
)
from ._labels import (
    _category_label as _category_label,
)
from ._labels import (
    _label as _label,
)

__all__ = [
    "BASEMAPS",
    "CLUSTER_THRESHOLD",
    "LEAFLET_CSS",
    "LEAFLET_JS",
    "OPERATOR_COLORS",
    "SCENARIO_COLORS",
    "SECTOR_COLORS",
    "STATUS_COLORS",
    "Basemap",
    "NotebookMap",
    "build_map",
    "ensure_point_rows",
    "filter_data",
    "install_assets",
    "map_json_summary",
    "notebook_map",
    "serve_point_rows",
    "standalone_html",
    "use_static_assets",
]
