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

import html
import json
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from ._assets import (
    ASSETS,
    CLUSTER_CSS,
    CLUSTER_DEFAULT_CSS,
    CLUSTER_JS,
    LEAFLET_CSS,
    LEAFLET_JS,
    asset_text,
    install_assets,
)

__all__ = [
    "BASEMAPS",
    "build_map",
    "filter_data",
    "install_assets",
    "standalone_html",
    "use_static_assets",
]

Basemap = Literal["none", "osm", "cartodb", "tianditu", "amap"]
BASEMAPS: tuple[str, ...] = ("none", "osm", "cartodb", "tianditu", "amap")
"""Basemap names accepted by :func:`build_map`."""

CLUSTER_THRESHOLD = 20_000
"""Above this many enterprises the layer is clustered by default."""

SECTOR_COLORS = {
    "steel_metallurgy": "#1f77b4",
    "new_materials": "#ff7f0e",
    "clean_energy": "#2ca02c",
    "agri_food": "#bcbd22",
    "culture_tourism": "#e377c2",
    "equipment_manufacturing": "#9467bd",
    "chemicals": "#d62728",
    "logistics": "#8c564b",
    "services": "#17becf",
    "other": "#7f7f7f",
}
STATUS_COLORS = {
    "none": "#9e9e9e",
    "planned": "#f4b400",
    "in_progress": "#4285f4",
    "completed": "#0f9d58",
}
OPERATOR_COLORS = {
    "China Mobile": "#0b7bc1",
    "China Unicom": "#d7191c",
    "China Telecom": "#2b83ba",
    "China Broadnet": "#7b3294",
    "unknown": "#808080",
}
SCENARIO_COLORS = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#008080")

_SECTOR_EN = {
    "steel_metallurgy": "Steel & metallurgy",
    "new_materials": "New materials",
    "clean_energy": "Clean energy",
    "agri_food": "Agri-food processing",
    "culture_tourism": "Culture & tourism",
    "equipment_manufacturing": "Equipment manufacturing",
    "chemicals": "Chemicals",
    "logistics": "Logistics",
    "services": "Services",
    "other": "Other",
}
_STATUS_EN = {
    "none": "Not started",
    "planned": "Planned",
    "in_progress": "In progress",
    "completed": "Completed",
}

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "enterprises": "企业",
        "parks": "开发区",
        "admin_areas": "行政区",
        "coverage": "5G覆盖范围(合并)",
        "footprints": "5G基站覆盖",
        "charging": "充电站",
        "candidates": "候选站址",
        "name": "名称",
        "id": "编号",
        "county": "区县",
        "park": "园区",
        "sector": "行业",
        "digital_status": "数字化转型",
        "employees": "从业人数",
        "operator": "运营商",
        "band": "频段",
        "radius_m": "覆盖半径(米)",
        "piles": "充电桩数",
        "power_kw": "单桩功率(kW)",
        "access": "开放类型",
        "infrastructure": "设施类型",
        "source": "站址来源",
        "cost_cny": "造价(元)",
        "order": "选址顺序",
        "marginal": "边际贡献",
        "proposed": "新增站址",
        "newly_served": "新覆盖企业",
        "scenario": "方案",
        "size_note": "圆点大小: 从业人数",
        "legend": "图例",
        "existing": "现有",
    },
    "en": {
        "enterprises": "Enterprises",
        "parks": "Development zones",
        "admin_areas": "Counties",
        "coverage": "5G coverage (dissolved)",
        "footprints": "5G site footprints",
        "charging": "Charging stations",
        "candidates": "Candidate sites",
        "name": "Name",
        "id": "ID",
        "county": "County",
        "park": "Zone",
        "sector": "Sector",
        "digital_status": "Digital transformation",
        "employees": "Employees",
        "operator": "Operator",
        "band": "Band",
        "radius_m": "Radius (m)",
        "piles": "Piles",
        "power_kw": "Power per pile (kW)",
        "access": "Access",
        "infrastructure": "Infrastructure",
        "source": "Source",
        "cost_cny": "Cost (CNY)",
        "order": "Order",
        "marginal": "Marginal contribution",
        "proposed": "proposed sites",
        "newly_served": "newly served firms",
        "scenario": "Scenario",
        "size_note": "Dot size: employees",
        "legend": "Legend",
        "existing": "existing",
    },
}

_TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
    "&TILECOL={x}&tk={key}"
)
_AMAP_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)


def _label(key: str, language: str) -> str:
    return _TEXT[language][key]


def _category_label(field: str, value: str, language: str) -> str:
    from geodata.schema import (
        CANDIDATE_SOURCE_LABELS_ZH,
        DIGITAL_STATUS_LABELS_ZH,
        OPERATOR_LABELS_ZH,
        SECTOR_LABELS_ZH,
    )

    zh = {
        "sector": SECTOR_LABELS_ZH,
        "digital_status": DIGITAL_STATUS_LABELS_ZH,
        "operator": OPERATOR_LABELS_ZH,
        "source": CANDIDATE_SOURCE_LABELS_ZH,
    }
    en = {"sector": _SECTOR_EN, "digital_status": _STATUS_EN}
    table = (zh if language == "zh" else en).get(field, {})
    return table.get(value, str(value).replace("_", " "))


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


# --------------------------------------------------------------------------- elements


class _PointLayer(JSCSSMixin, Layer):
    """Many points drawn as canvas circles, with tooltip and popup built in JS.

    Each row is ``[lat, lon, style index, radius, field values...]``; a field
    is ``(label, lookup)`` where ``lookup`` maps an integer value to its text.
    Labels and text values must already be HTML-escaped.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
    var rows = {{ this.rows_js }};
    var styles = {{ this.styles|tojson }};
    var fields = {{ this.fields|tojson }};
    var group = {% if this.cluster %}L.markerClusterGroup({
        chunkedLoading: true, disableClusteringAtZoom: 15, showCoverageOnHover: false
    }){% else %}L.featureGroup(){% endif %};
    function text(row, all) {
        var out = [];
        for (var i = 0; i < fields.length; i++) {
            var v = row[4 + i];
            if (v === null || v === "") continue;
            if (fields[i][1] !== null) v = fields[i][1][v];
            out.push(i === 0 ? "<b>" + v + "</b>" : fields[i][0] + ": " + v);
            if (!all) break;
        }
        return out.join("<br>");
    }
    var layers = new Array(rows.length);
    for (var k = 0; k < rows.length; k++) {
        var r = rows[k];
        var opts = Object.assign({row: r}, styles[r[2]]);
        opts.radius = r[3];
        var make = {% if this.metres %}L.circle{% else %}L.circleMarker{% endif %};
        layers[k] = make([r[0], r[1]], opts);
    }
    {% if this.cluster %}group.addLayers(layers);{% else %}
    for (var j = 0; j < layers.length; j++) group.addLayer(layers[j]);{% endif %}
    {% if this.fields %}
    group.bindTooltip(function (layer) { return text(layer.options.row, false); }, {sticky: true});
    group.bindPopup(function (layer) { return text(layer.options.row, true); });
    {% endif %}
    return group;
})();
{% endmacro %}
"""
    )

    def __init__(
        self,
        rows: list[list[Any]],
        styles: list[dict[str, Any]],
        fields: list[tuple[str, list[str] | None]],
        *,
        name: str,
        metres: bool = False,
        cluster: bool = False,
        show: bool = True,
        control: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "PointLayer"
        self.rows_js = _js_literal(rows)
        self.n_rows = len(rows)
        self.styles = styles
        self.fields = [list(f) for f in fields]
        self.metres = metres
        self.cluster = cluster
        self.default_js = [("leaflet", LEAFLET_JS)]
        self.default_css = [("leaflet_css", LEAFLET_CSS)]
        if cluster:
            self.default_js.append(("markerclusterjs", CLUSTER_JS))
            self.default_css += [
                ("markerclustercss", CLUSTER_CSS),
                ("markerclusterdefaultcss", CLUSTER_DEFAULT_CSS),
            ]


class _Legend(MacroElement):
    """A legend drawn as a Leaflet control from pre-escaped HTML."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
    var legend = L.control({position: "bottomleft"});
    legend.onAdd = function () {
        var div = L.DomUtil.create("div", "infrasite-legend");
        div.innerHTML = {{ this.content|tojson }};
        L.DomEvent.disableScrollPropagation(div);
        return div;
    };
    legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
    )

    def __init__(self, content: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.content = content


_CSS = """<style>
.leaflet-container { background: #f4f3ef; }
.infrasite-legend { background: rgba(255,255,255,.92); padding: 6px 9px; font: 12px/1.45 sans-serif;
  border-radius: 4px; box-shadow: 0 0 4px rgba(0,0,0,.3); max-height: 45vh; overflow-y: auto; }
.infrasite-legend .sw { display: inline-block; width: 11px; height: 11px; border-radius: 50%;
  margin-right: 5px; vertical-align: -1px; border: 1px solid rgba(0,0,0,.35); }
.infrasite-legend h4 { margin: 4px 0 2px; font-size: 12px; }
</style>"""


# --------------------------------------------------------------------------- geometry


def _convert_geometry(geoms: Any, gcj02: bool) -> Any:
    """Return geometries in the basemap's datum (GCJ-02 for AMap)."""
    if not gcj02 or len(geoms) == 0:
        return geoms
    import shapely

    from geodata.crs import wgs84_to_gcj02

    def shift(coords: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.column_stack([np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)])

    return geoms.set_geometry(shapely.transform(geoms.geometry.values, shift), crs=geoms.crs)


def _xy(gdf: Any) -> tuple[np.ndarray, np.ndarray]:
    pts = gdf.geometry
    return np.round(pts.y.to_numpy(dtype=float), 5), np.round(pts.x.to_numpy(dtype=float), 5)


def _metric_crs(gdf: Any) -> Any:
    return gdf.estimate_utm_crs()


def _dissolved_coverage(stations: Any) -> Any:
    """Return the union of operational 5G footprints as one WGS84 geometry layer."""
    import geopandas as gpd

    if "status" in stations:
        stations = stations[stations["status"].astype(str) == "operational"]
    stations = stations[stations["radius_m"].notna()]
    if stations.empty:
        return None
    crs = _metric_crs(stations)
    metric = stations.to_crs(crs)
    area = metric.geometry.buffer(metric["radius_m"].to_numpy(dtype=float), quad_segs=12)
    union = area.union_all()
    out = gpd.GeoDataFrame(geometry=[union], crs=crs).to_crs("EPSG:4326")
    out["geometry"] = out.geometry.simplify(0.0002)
    return out


def _polygon_json(gdf: Any, fields: Sequence[str]) -> str:
    """Return GeoJSON text with only ``fields``, every value HTML-escaped."""
    import shapely

    cols = [c for c in fields if c in gdf]
    out = gdf[[*cols, gdf.geometry.name]].copy()
    for c in cols:
        out[c] = [html.escape(str(v)) if _present(v) else "" for v in out[c]]
    out = out.set_geometry(shapely.set_precision(out.geometry.values, 1e-5))
    return str(out.to_json(drop_id=True))


def _present(value: Any) -> bool:
    if value is None:
        return False
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


def _text(value: Any) -> str:
    return html.escape(str(value)) if _present(value) else ""


def _number(value: Any, digits: int = 0) -> str:
    if not _present(value):
        return ""
    return f"{float(value):,.{digits}f}"


# --------------------------------------------------------------------------- layers


def _firm_radius(employees: Any) -> np.ndarray:
    emp = pd.to_numeric(employees, errors="coerce").fillna(0).clip(lower=0).to_numpy(dtype=float)
    return np.round(np.clip(2.5 + 1.6 * np.log10(1.0 + emp), 2.5, 11.0), 1)


def _enterprise_layer(
    firms: Any, *, color_by: str, language: str, cluster: bool, highlight: Any = None
) -> tuple[Any, list[tuple[str, str]]]:
    palette = SECTOR_COLORS if color_by == "sector" else STATUS_COLORS
    categories = list(palette)
    codes = pd.Categorical(
        firms[color_by].astype(str) if color_by in firms else ["other"] * len(firms),
        categories=categories,
    ).codes
    codes = np.where(codes < 0, len(categories) - 1, codes)
    styles = [
        {"color": "#333333", "weight": 0.6, "fillColor": palette[c], "fillOpacity": 0.85}
        for c in categories
    ]
    lat, lon = _xy(firms)
    radius = _firm_radius(firms["employees"] if "employees" in firms else pd.Series(0, firms.index))
    sector_lookup = [_text(_category_label("sector", s, language)) for s in SECTOR_COLORS]
    status_lookup = [_text(_category_label("digital_status", s, language)) for s in STATUS_COLORS]
    sector_idx = pd.Categorical(firms.get("sector"), categories=list(SECTOR_COLORS)).codes
    status_idx = pd.Categorical(firms.get("digital_status"), categories=list(STATUS_COLORS)).codes
    names = [_text(v) for v in firms["name"]] if "name" in firms else [""] * len(firms)
    county = [_text(v) for v in firms["county"]] if "county" in firms else [""] * len(firms)
    park = [_text(v) for v in firms["park"]] if "park" in firms else [""] * len(firms)
    emp = (
        pd.to_numeric(firms["employees"], errors="coerce").fillna(0).astype(int).tolist()
        if "employees" in firms
        else [0] * len(firms)
    )
    rows = [
        [
            a,
            b,
            int(c),
            float(r),
            n,
            int(s) if s >= 0 else None,
            int(t) if t >= 0 else None,
            e,
            co,
            p,
        ]
        for a, b, c, r, n, s, t, e, co, p in zip(
            lat.tolist(),
            lon.tolist(),
            codes,
            radius.tolist(),
            names,
            sector_idx,
            status_idx,
            emp,
            county,
            park,
            strict=True,
        )
    ]
    fields: list[tuple[str, list[str] | None]] = [
        (_text(_label("name", language)), None),
        (_text(_label("sector", language)), sector_lookup),
        (_text(_label("digital_status", language)), status_lookup),
        (_text(_label("employees", language)), None),
        (_text(_label("county", language)), None),
        (_text(_label("park", language)), None),
    ]
    layer = _PointLayer(rows, styles, fields, name=_label("enterprises", language), cluster=cluster)
    legend = [(palette[c], _category_label(color_by, c, language)) for c in categories]
    return layer, legend


def _js_literal(value: Any) -> str:
    """Return compact JSON that is safe inside a ``<script>`` element.

    Non-ASCII text stays as UTF-8 (a third of the size of JSON escapes); ``<``,
    ``>``, ``&`` and the JS line separators are escaped so no string can
    close the script element.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _code(value: int) -> int | None:
    return int(value) if value >= 0 else None


def _site_rows(
    gdf: Any, columns: Sequence[str], *, radius: Any, style_idx: Any = 0
) -> list[list[Any]]:
    lat, lon = _xy(gdf)
    radius = np.broadcast_to(np.asarray(radius, dtype=float), (len(gdf),))
    style = np.broadcast_to(np.asarray(style_idx, dtype=int), (len(gdf),))
    values = [gdf[c].tolist() if c in gdf else [None] * len(gdf) for c in columns]
    rows = []
    for i in range(len(gdf)):
        rows.append([lat[i], lon[i], int(style[i]), float(radius[i]), *(v[i] for v in values)])
    return rows


def _format_columns(gdf: Any, formats: dict[str, Any]) -> Any:
    out = gdf.copy()
    for col, fmt in formats.items():
        if col in out:
            out[col] = [fmt(v) for v in out[col]]
    return out


def _add_polygons(
    m: Any, gdf: Any, *, name: str, fields: Sequence[str], style: dict[str, Any], language: str
) -> None:
    if gdf is None or len(gdf) == 0:
        return
    cols = [c for c in fields if c in gdf]
    layer = folium.GeoJson(
        _polygon_json(gdf, cols),
        name=name,
        style_function=lambda _feature, s=style: s,
        tooltip=folium.GeoJsonTooltip(
            fields=cols, aliases=[_label(c, language) for c in cols], localize=False
        )
        if cols
        else None,
        smooth_factor=1.0,
    )
    layer.add_to(m)


def _scenario_list(scenario: Any) -> list[Any]:
    if scenario is None:
        return []
    if isinstance(scenario, list | tuple):
        return list(scenario)
    return [scenario]


def _scenario_radius(result: Any) -> float | None:
    """Return the service radius of a scenario in metres, or None for travel times."""
    spec = result.spec
    if getattr(spec, "distance", "straight") == "road_time":
        return None
    if hasattr(spec, "service_radius"):
        return float(spec.service_radius())
    from ..scenarios import default_radius

    return float(spec.radius_m or default_radius(spec.infrastructure))


def _add_scenario(
    m: Any, result: Any, color: str, *, language: str, gcj02: bool
) -> tuple[str, str]:
    point_layer = _PointLayer
    name = str(getattr(result.spec, "name", "")) or _label("scenario", language)
    title = f"{_label('scenario', language)} {name}"
    group = folium.FeatureGroup(name=f"{title}: {_label('proposed', language)}")
    sites = _convert_geometry(result.proposed_sites, gcj02)
    radius = _scenario_radius(result)
    if len(sites) and radius is not None:
        footprint = point_layer(
            _site_rows(sites, [], radius=radius),
            [{"color": color, "weight": 1, "fillColor": color, "fillOpacity": 0.08}],
            [],
            name=f"{title} footprint",
            metres=True,
            control=False,
        )
        group.add_child(footprint)
    if len(sites):
        shown = _format_columns(
            sites,
            {
                "name": _text,
                "id": _text,
                "marginal": lambda v: _number(v, 1),
                "cost_cny": lambda v: _number(v, 0),
                "order": lambda v: _number(v, 0),
            },
        )
        cols = ["name", "id", "order", "marginal", "cost_cny"]
        rows = _site_rows(shown, cols, radius=8)
        for row in rows:
            if not row[4]:
                row[4] = row[5]
        markers = point_layer(
            rows,
            [{"color": "#000000", "weight": 2, "fillColor": color, "fillOpacity": 0.95}],
            [(_text(_label(c, language)), None) for c in cols],
            name=f"{title} sites",
            control=False,
        )
        group.add_child(markers)
    group.add_to(m)
    served = result.served
    if "newly_served" in served:
        newly = _convert_geometry(served[served["newly_served"].astype(bool)], gcj02)
        if len(newly):
            shown = _format_columns(newly, {"name": _text, "county": _text})
            layer = point_layer(
                _site_rows(shown, ["name", "county"], radius=6),
                [{"color": color, "weight": 2.5, "fillColor": "#ffff33", "fillOpacity": 0.9}],
                [
                    (_text(_label("name", language)), None),
                    (_text(_label("county", language)), None),
                ],
                name=f"{title}: {_label('newly_served', language)}",
            )
            layer.add_to(m)
    return color, name


def _tile_layers(m: Any, basemap: str, *, tianditu_key: str | None, language: str) -> None:
    if basemap == "none":
        return
    if basemap == "osm":
        folium.TileLayer(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            attr="© OpenStreetMap contributors",
            name="OpenStreetMap",
            max_zoom=18,
        ).add_to(m)
    elif basemap == "cartodb":
        folium.TileLayer(
            "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
            attr="© OpenStreetMap contributors © CARTO",
            name="CartoDB Positron",
            subdomains="abcd",
            max_zoom=18,
        ).add_to(m)
    elif basemap == "tianditu":
        key = tianditu_key or os.environ.get("TIANDITU_KEY", "")
        if not key:
            msg = (
                "basemap='tianditu' needs a Tianditu key: pass tianditu_key= or set the "
                "TIANDITU_KEY environment variable"
            )
            raise ValueError(msg)
        attr = "© 天地图 Tianditu" if language == "zh" else "© Tianditu (天地图)"
        for layer, label in (("vec", "天地图 vec_w"), ("cva", "天地图 cva_w")):
            folium.TileLayer(
                _TIANDITU_URL.replace("{layer}", layer).replace("{key}", key),
                attr=attr,
                name=label,
                subdomains="01234567",
                max_zoom=18,
                overlay=layer == "cva",
                control=False,
            ).add_to(m)
    elif basemap == "amap":
        folium.TileLayer(
            _AMAP_URL,
            attr="© 高德地图 AMap (GCJ-02)",
            name="AMap",
            subdomains="1234",
            max_zoom=18,
        ).add_to(m)


def _legend_html(
    title: str, sections: list[tuple[str, list[tuple[str, str]]]], note: str = ""
) -> str:
    parts = [f"<details open><summary><b>{_text(title)}</b></summary>"]
    for heading, items in sections:
        if not items:
            continue
        parts.append(f"<h4>{_text(heading)}</h4>")
        for color, label in items:
            parts.append(
                f'<div><span class="sw" style="background:{_text(color)}"></span>'
                f"{_text(label)}</div>"
            )
    if note:
        parts.append(f"<div><i>{_text(note)}</i></div>")
    parts.append("</details>")
    return "".join(parts)


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
                "access": _text,
            },
        )
        cols = ["name", "piles", "power_kw", "access"]
        piles = pd.to_numeric(charging["piles"], errors="coerce").fillna(1).to_numpy(dtype=float)
        point_layer(
            _site_rows(shown, cols, radius=np.clip(4 + 1.5 * np.log2(piles), 4, 12)),
            [{"color": "#00441b", "weight": 1.5, "fillColor": "#41ab5d", "fillOpacity": 0.9}],
            [(_text(_label(c, language)), None) for c in cols],
            name=_label("charging", language),
        ).add_to(m)
        legend.append((_label("charging", language), [("#41ab5d", _label("charging", language))]))

    candidates = data.candidate_sites
    if len(candidates):
        shown = _format_columns(
            _convert_geometry(candidates, gcj02),
            {
                "name": _text,
                "infrastructure": _text,
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
        scenario_items.append(_add_scenario(m, result, color, language=language, gcj02=gcj02))
    if scenario_items:
        legend.append((_label("scenario", language), scenario_items))

    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    _Legend(_legend_html(_label("legend", language), legend, _label("size_note", language))).add_to(
        m
    )
    bounds = _bounds(data, gcj02)
    if bounds is not None:
        m.fit_bounds(bounds)
    return m


def _center(data: Any) -> list[float]:
    bounds = _bounds(data, False)
    if bounds is None:
        return [41.57, 120.45]
    (s, w), (n, e) = bounds
    return [(s + n) / 2, (w + e) / 2]


def _bounds(data: Any, gcj02: bool) -> list[list[float]] | None:
    for layer in (data.admin_areas, data.enterprises, data.parks, data.candidate_sites):
        if len(layer) and not layer.geometry.is_empty.all():
            w, s, e, n = _convert_geometry(layer, gcj02).total_bounds
            if np.isfinite([w, s, e, n]).all():
                return [[float(s), float(w)], [float(n), float(e)]]
    return None


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
