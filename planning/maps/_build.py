"""Filtering planning data and assembling the full map (:func:`build_map`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import folium
import numpy as np
import pandas as pd

from ._assets import (
    LEAFLET_CSS,
    LEAFLET_JS,
)
from ._basemaps import BASEMAPS, Basemap, _tile_layers
from ._elements import _CSS, _LayerControl, _Legend, _legend_html, _PointLayer
from ._kinds import add_kind_layers
from ._labels import (
    _TEXT,
    CHARGING_COLOR,
    CHARGING_EDGE,
    CLUSTER_THRESHOLD,
    OPERATOR_COLORS,
    SCENARIO_COLORS,
    _category_label,
    _label,
    _number,
    _text,
)
from ._layers import (
    _add_polygons,
    _add_scenario,
    _convert_geometry,
    _dissolved_coverage,
    _enterprise_layer,
    _format_columns,
    _scenario_list,
    _site_rows,
)

# --------------------------------------------------------------------------- filters


def filter_data(
    data: Any,
    *,
    counties: Iterable[str] | None = None,
    parks: Iterable[str] | None = None,
    sectors: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
) -> Any:
    """Return the planning data restricted to some counties, zones, sectors, statuses.

    Enterprises are kept when they match every given filter. County
    boundaries and development zones are restricted to the chosen counties and
    zones; infrastructure layers are kept whole, since a site outside the
    selection may still serve firms inside it.

    Parameters
    ----------
    data : geodata.PlanningData
        The planning data.
    counties
        County names to keep (matched against ``enterprises.county`` and the
        admin areas' ``name`` or ``short_name``); None keeps all.
    parks
        Development-zone names to keep (``enterprises.park``, ``parks.name``).
    sectors
        Sector codes to keep (see :data:`geodata.schema.SECTORS`).
    statuses
        Digital-transformation statuses to keep.

    Returns
    -------
    geodata.PlanningData
        A new value; ``data`` is not changed.
    """
    firms = data.enterprises
    keep = np.ones(len(firms), dtype=bool)
    changes: dict[str, Any] = {}
    for column, values in (
        ("county", counties),
        ("park", parks),
        ("sector", sectors),
        ("digital_status", statuses),
    ):
        if values is None:
            continue
        wanted = {str(v) for v in values}
        if column in firms:
            keep &= firms[column].astype(str).isin(wanted).to_numpy()
        else:
            keep[:] = False
    if not keep.all():
        changes["enterprises"] = firms[keep]
    if counties is not None:
        wanted = {str(v) for v in counties}
        admin = data.admin_areas
        mask = admin["name"].astype(str).isin(wanted)
        if "short_name" in admin:
            mask |= admin["short_name"].astype(str).isin(wanted)
        changes["admin_areas"] = admin[mask]
        if "county" in data.parks:
            changes["parks"] = data.parks[data.parks["county"].astype(str).isin(wanted)]
    if parks is not None:
        wanted = {str(v) for v in parks}
        zones = changes.get("parks", data.parks)
        changes["parks"] = zones[zones["name"].astype(str).isin(wanted)]
    return data.replace(**changes) if changes else data


def build_map(
    data: Any,
    *,
    filters: dict[str, Iterable[str] | None] | None = None,
    color_by: Literal["sector", "digital_status"] = "sector",
    show_candidates: bool = False,
    scenario: Any = None,
    basemap: Basemap = "none",
    tianditu_key: str | None = None,
    language: Literal["zh", "en"] = "zh",
    cluster: bool | None = None,
    show_coverage: bool = True,
    zoom_to: Literal["area", "enterprises"] = "area",
) -> Any:
    """Return a folium map of a planning area and, optionally, scenario results.

    Parameters
    ----------
    data : geodata.PlanningData
        The planning data (EPSG:4326 layers).
    filters
        Keyword arguments of :func:`filter_data` (``counties``, ``parks``,
        ``sectors``, ``statuses``); None shows everything.
    color_by
        Colour enterprises by ``"sector"`` or ``"digital_status"``; dot size
        follows employees.
    show_candidates
        Whether the candidate-sites layer is visible when the map opens (it is
        always listed in the layer control).
    scenario : planning.scenarios.ScenarioResult or list of them
        Results to overlay: proposed sites with their footprint and the firms
        they newly serve, one colour per scenario.
    basemap
        ``"none"`` (plain background, works offline), ``"osm"``,
        ``"cartodb"``, ``"tianditu"`` (needs a key) or ``"amap"`` (every
        overlay converted to GCJ-02 so it lines up with AMap tiles).
    tianditu_key
        Tianditu key; defaults to the ``TIANDITU_KEY`` environment variable.
    language
        ``"zh"`` or ``"en"`` for layer names, tooltips and the legend.
    cluster
        Cluster enterprises (MarkerCluster); None clusters above
        :data:`CLUSTER_THRESHOLD` firms.
    show_coverage
        Whether to draw the 5G footprints and the dissolved coverage area.
    zoom_to
        Open on the whole area (``"area"``: counties first) or on the
        enterprises shown (``"enterprises"``, e.g. after filtering to a zone).

    Returns
    -------
    folium.Map
        The map. Its assets point at CDN addresses until passed to
        :func:`use_static_assets` or :func:`standalone_html`.
    """
    if color_by not in ("sector", "digital_status"):
        msg = f"color_by must be 'sector' or 'digital_status'; got {color_by!r}"
        raise ValueError(msg)
    if basemap not in BASEMAPS:
        msg = f"basemap must be one of {', '.join(BASEMAPS)}; got {basemap!r}"
        raise ValueError(msg)
    if language not in _TEXT:
        msg = f"language must be 'zh' or 'en'; got {language!r}"
        raise ValueError(msg)
    if filters:
        data = filter_data(data, **filters)
    gcj02 = basemap == "amap"
    firms = _convert_geometry(data.enterprises, gcj02)
    if cluster is None:
        cluster = len(firms) > CLUSTER_THRESHOLD

    m = folium.Map(
        location=_center(data),
        zoom_start=9,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        maxZoom=18,
        minZoom=3,
    )
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    root: Any = m.get_root()
    root.header.add_child(folium.Element(_CSS), name="infrasite_css")
    _tile_layers(m, basemap, tianditu_key=tianditu_key, language=language)

    _add_polygons(
        m,
        _convert_geometry(data.admin_areas, gcj02),
        name=_label("admin_areas", language),
        fields=["name"],
        style={"color": "#555555", "weight": 1.5, "dashArray": "5 4", "fillOpacity": 0.0},
        language=language,
    )
    _add_polygons(
        m,
        _convert_geometry(data.parks, gcj02),
        name=_label("parks", language),
        fields=["name", "county"],
        style={"color": "#c05600", "weight": 1.5, "fillColor": "#ff9f43", "fillOpacity": 0.18},
        language=language,
    )
    point_layer = _PointLayer
    legend: list[tuple[str, list[tuple[str, str]]]] = []

    stations = data.base_stations
    if show_coverage and len(stations):
        dissolved = _dissolved_coverage(stations)
        if dissolved is not None:
            _add_polygons(
                m,
                _convert_geometry(dissolved, gcj02),
                name=_label("coverage", language),
                fields=[],
                style={
                    "color": "#0b7bc1",
                    "weight": 0.8,
                    "fillColor": "#6baed6",
                    "fillOpacity": 0.2,
                },
                language=language,
            )
        shown = _format_columns(
            _convert_geometry(stations, gcj02),
            {
                "name": _text,
                "operator": lambda v: _text(_category_label("operator", v, language)),
                "band": _text,
                "radius_m": lambda v: _number(v, 0),
            },
        )
        operators = list(OPERATOR_COLORS)
        style_idx = pd.Index(operators).get_indexer(stations["operator"].astype(str))
        style_idx = np.where(style_idx < 0, operators.index("unknown"), style_idx)
        cols = ["name", "operator", "band", "radius_m"]
        layer = point_layer(
            _site_rows(
                shown,
                cols,
                radius=stations["radius_m"].fillna(0).to_numpy(dtype=float),
                style_idx=style_idx,
            ),
            [
                {"color": c, "weight": 1, "fillColor": c, "fillOpacity": 0.06}
                for c in OPERATOR_COLORS.values()
            ],
            [(_text(_label(c, language)), None) for c in cols],
            name=_label("footprints", language),
            metres=True,
            show=False,
        )
        layer.add_to(m)
        present = set(stations["operator"].astype(str))
        legend.append(
            (
                _label("footprints", language),
                [
                    (c, _category_label("operator", op, language))
                    for op, c in OPERATOR_COLORS.items()
                    if op in present
                ],
            )
        )

    charging = data.charging_stations
    if len(charging):
        shown = _format_columns(
            _convert_geometry(charging, gcj02),
            {
                "name": _text,
                "piles": lambda v: _number(v, 0),
                "power_kw": lambda v: _number(v, 0),
                "access": lambda v: _text(_category_label("access", v, language)),
            },
        )
        cols = ["name", "piles", "power_kw", "access"]
        piles = pd.to_numeric(charging["piles"], errors="coerce").fillna(1).to_numpy(dtype=float)
        point_layer(
            _site_rows(shown, cols, radius=np.clip(4 + 1.5 * np.log2(piles), 4, 12)),
            [
                {
                    "color": CHARGING_EDGE,
                    "weight": 2,
                    "fillColor": CHARGING_COLOR,
                    "fillOpacity": 0.9,
                }
            ],
            [(_text(_label(c, language)), None) for c in cols],
            name=_label("charging", language),
        ).add_to(m)
        legend.append(
            (_label("charging", language), [(CHARGING_COLOR, _label("charging", language))])
        )

    add_kind_layers(
        m, data, gcj02=gcj02, language=language, show_coverage=show_coverage, legend=legend
    )

    candidates = data.candidate_sites
    if len(candidates):
        shown = _format_columns(
            _convert_geometry(candidates, gcj02),
            {
                "name": _text,
                "infrastructure": lambda v: _text(_category_label("infrastructure", v, language)),
                "source": lambda v: _text(_category_label("source", v, language)),
                "cost_cny": lambda v: _number(v, 0),
            },
        )
        cols = ["name", "infrastructure", "source", "cost_cny"]
        point_layer(
            _site_rows(shown, cols, radius=4),
            [{"color": "#444444", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 0.9}],
            [(_text(_label(c, language)), None) for c in cols],
            name=_label("candidates", language),
            show=show_candidates,
        ).add_to(m)
        legend.append(
            (_label("candidates", language), [("#ffffff", _label("candidates", language))])
        )

    if len(firms):
        layer, items = _enterprise_layer(
            firms, color_by=color_by, language=language, cluster=bool(cluster)
        )
        layer.add_to(m)
        legend.insert(
            0, (f"{_label('enterprises', language)} · {_label(color_by, language)}", items)
        )

    scenario_items = []
    for i, result in enumerate(_scenario_list(scenario)):
        color = SCENARIO_COLORS[i % len(SCENARIO_COLORS)]
        scenario_items.extend(_add_scenario(m, result, color, language=language, gcj02=gcj02))
    if scenario_items:
        legend.append((_label("scenario", language), scenario_items))

    _LayerControl(collapsed=True, position="topright").add_to(m)
    _Legend(_legend_html(_label("legend", language), legend, _label("size_note", language))).add_to(
        m
    )
    bounds = _bounds(data, gcj02, firms_first=zoom_to == "enterprises")
    if bounds is not None:
        m.fit_bounds(bounds)
    return m


def _center(data: Any) -> list[float]:
    bounds = _bounds(data, False)
    if bounds is None:
        return [41.57, 120.45]
    (s, w), (n, e) = bounds
    return [(s + n) / 2, (w + e) / 2]


def _bounds(data: Any, gcj02: bool, *, firms_first: bool = False) -> list[list[float]] | None:
    layers = [data.admin_areas, data.enterprises, data.parks, data.candidate_sites]
    if firms_first:
        layers = [data.enterprises, data.parks, data.admin_areas, data.candidate_sites]
    for layer in layers:
        if len(layer) and not layer.geometry.is_empty.all():
            w, s, e, n = _convert_geometry(layer, gcj02).total_bounds
            if np.isfinite([w, s, e, n]).all():
                return [[float(s), float(w)], [float(n), float(e)]]
    return None
