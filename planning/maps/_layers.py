"""Map layers: geometry conversion, polygons, enterprises, sites and scenario overlays."""

from __future__ import annotations

import hashlib
import html
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._elements import _FeatureGroup, _GeoJson, _GeoJsonTooltip, _PointLayer
from ._labels import (
    SECTOR_COLORS,
    STATUS_COLORS,
    _category_label,
    _label,
    _number,
    _present,
    _text,
)

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
    from geodata.crs import local_metric_crs

    return local_metric_crs(gdf)


def _dissolved_coverage(stations: Any) -> Any:
    """Return the union of operational 5G footprints as one WGS84 geometry layer.

    Computed once per set of footprints (positions and radii) and kept: every
    map of the same stations (filters, languages, scenarios) shares it.
    """
    if "status" in stations:
        stations = stations[stations["status"].astype(str) == "operational"]
    stations = stations[stations["radius_m"].notna()]
    if stations.empty:
        return None
    return _dissolved(stations, stations["radius_m"].to_numpy(dtype=float))


def _dissolved(sites: Any, radius: Any) -> Any:
    """Return the union of circles of ``radius`` metres (one, or one per site) around ``sites``.

    One WGS84 geometry layer, simplified; computed once per positions and radii.
    """
    import geopandas as gpd
    import shapely

    radius = np.broadcast_to(np.asarray(radius, dtype=np.float64), (len(sites),))
    digest = hashlib.blake2b(str(sites.crs).encode(), digest_size=16)
    digest.update(shapely.get_coordinates(sites.geometry.values).tobytes())
    digest.update(np.ascontiguousarray(radius).tobytes())

    def dissolve() -> Any:
        crs = _metric_crs(sites)
        union = sites.to_crs(crs).geometry.buffer(radius, quad_segs=12).union_all()
        out = gpd.GeoDataFrame(geometry=[union], crs=crs).to_crs("EPSG:4326")
        out["geometry"] = out.geometry.simplify(0.0002)
        return out

    return _by_content(("dissolved", digest.hexdigest()), dissolve).copy()


_CONTENT_KEPT = 40
"""How many map pieces computed from their content (footprints, GeoJSON) are kept."""
_CONTENT_CACHE: dict[tuple[str, str], Any] = {}
_CONTENT_LOCK = threading.Lock()


def _by_content(key: tuple[str, str], compute: Any) -> Any:
    """Return ``compute()`` once per content ``key``: the same layers draw many maps."""
    with _CONTENT_LOCK:
        known = _CONTENT_CACHE.get(key)
    if known is None:
        known = compute()
        with _CONTENT_LOCK:
            _CONTENT_CACHE[key] = known
            while len(_CONTENT_CACHE) > _CONTENT_KEPT:
                _CONTENT_CACHE.pop(next(iter(_CONTENT_CACHE)))
    return known


def _polygon_json(gdf: Any, fields: Sequence[str]) -> str:
    """Return GeoJSON text with only ``fields``, every value HTML-escaped."""
    return str(_polygon_geojson(gdf, fields)[0])


def _polygon_data(gdf: Any, fields: Sequence[str]) -> dict[str, Any]:
    """Return :func:`_polygon_json` parsed, once per content: treat it as read-only.

    folium parses GeoJSON text on every map; the same areas are on every map.
    """
    import json

    text, key = _polygon_geojson(gdf, fields)
    data: dict[str, Any] = _by_content(("geojson_data", key), lambda: json.loads(text))
    return data


def _polygon_geojson(gdf: Any, fields: Sequence[str]) -> tuple[str, str]:
    """Return the GeoJSON text of :func:`_polygon_json` and the digest of its content."""
    import shapely

    cols = [c for c in fields if c in gdf]
    out = gdf[[*cols, gdf.geometry.name]].copy()
    for c in cols:
        out[c] = [html.escape(str(v)) if _present(v) else "" for v in out[c]]
    # the same areas (counties, zones) are drawn on every map: written once
    digest = hashlib.blake2b(str(gdf.crs).encode(), digest_size=16)
    digest.update(repr(out[cols].to_numpy().tolist()).encode())
    for part in shapely.to_wkb(out.geometry.values):
        digest.update(part or b"-")

    def write() -> str:
        precise = out.set_geometry(shapely.set_precision(out.geometry.values, 1e-5))
        return str(precise.to_json(drop_id=True))

    key = digest.hexdigest()
    text: str = _by_content(("geojson", key), write)
    return text, key


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
    layer = _GeoJson(
        _polygon_data(gdf, cols),
        name=name,
        style_function=lambda _feature, s=style: s,
        tooltip=_GeoJsonTooltip(
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
        # a straight-line disc: a cable or drive of the radius reaches radius / detour
        detour = float(spec.detour()) if hasattr(spec, "detour") else 1.0
        return float(spec.service_radius()) / detour
    from ..scenarios import default_radius

    return float(spec.radius_m or default_radius(spec.infrastructure))


STAGE_COLORS = ("#08306b", "#2171b5", "#6baed6", "#c6dbef", "#f7fbff")
"""Fill colours of proposed sites by build year (first year darkest)."""

UNREACHABLE_COLOR = "#d62728"


def _site_radii(sites: Any, radius: float | None) -> np.ndarray | None:
    """Return each proposed site's service radius: its own ``radius_m`` where known."""
    if radius is None:
        return None
    out = np.full(len(sites), float(radius))
    if "radius_m" in sites:
        own = pd.to_numeric(sites["radius_m"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(own) & (own > 0)
        out[ok] = own[ok]
    return out


def _add_scenario(
    m: Any, result: Any, color: str, *, language: str, gcj02: bool
) -> list[tuple[str, str]]:
    """Draw a scenario's proposed sites, footprints, newly served and unreachable firms.

    Returns the legend entries: one per build year for a staged plan, else one.
    """
    point_layer = _PointLayer
    name = str(getattr(result.spec, "name", "")) or _label("scenario", language)
    title = f"{_label('scenario', language)} {name}"
    group = _FeatureGroup(name=f"{title}: {_label('proposed', language)}")
    sites = _convert_geometry(result.proposed_sites, gcj02)
    radii = _site_radii(sites, _scenario_radius(result))
    staged = len(sites) > 0 and "stage" in sites
    if staged:
        stage = pd.to_numeric(sites["stage"], errors="coerce").fillna(1).astype(int).to_numpy()
        stage_idx = np.clip(stage - 1, 0, len(STAGE_COLORS) - 1)
        fills = list(STAGE_COLORS)
    else:
        stage_idx = np.zeros(len(sites), dtype=int)
        fills = [color]
    if len(sites) and radii is not None:
        footprint = point_layer(
            _site_rows(sites, [], radius=radii, style_idx=stage_idx),
            [{"color": c, "weight": 1, "fillColor": c, "fillOpacity": 0.08} for c in fills],
            [],
            name=f"{title} footprint",
            metres=True,
            control=False,
        )
        group.add_child(footprint)
    legend = [(color, name)]
    if len(sites):
        shown = _format_columns(
            sites,
            {
                "name": _text,
                "id": _text,
                "marginal": lambda v: _number(v, 1),
                "cost_cny": lambda v: _number(v, 0),
                "order": lambda v: _number(v, 0),
                "stage": lambda v: _number(v, 0),
                "radius_m": lambda v: _number(v, 0),
            },
        )
        cols = ["name", "id", "order", "marginal", "cost_cny"]
        cols += [c for c in ("stage", "radius_m") if c in sites]
        rows = _site_rows(shown, cols, radius=8, style_idx=stage_idx)
        for row in rows:
            if not row[4]:
                row[4] = row[5]
        markers = point_layer(
            rows,
            [{"color": "#000000", "weight": 2, "fillColor": c, "fillOpacity": 0.95} for c in fills],
            [(_text(_label(c, language)), None) for c in cols],
            name=f"{title} sites",
            control=False,
        )
        group.add_child(markers)
        if staged:
            years = sorted(set(int(s) for s in stage))
            legend = [
                (
                    STAGE_COLORS[min(y - 1, len(STAGE_COLORS) - 1)],
                    f"{name} · {_label('stage_n', language).format(n=y)}",
                )
                for y in years
            ]
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
    if "reachable" in served:
        out = _convert_geometry(served[~served["reachable"].to_numpy(bool)], gcj02)
        if len(out):
            shown = _format_columns(out, {"name": _text, "county": _text})
            layer = point_layer(
                _site_rows(shown, ["name", "county"], radius=5),
                [
                    {
                        "color": UNREACHABLE_COLOR,
                        "weight": 2,
                        "fillColor": "#ffffff",
                        "fillOpacity": 0.9,
                        "dashArray": "2 2",
                    }
                ],
                [
                    (_text(_label("name", language)), None),
                    (_text(_label("county", language)), None),
                ],
                name=f"{title}: {_label('unreachable', language)} ({len(out)})",
                show=result.summary.get("target_reached", True) is False,
            )
            layer.add_to(m)
            legend.append((UNREACHABLE_COLOR, f"{name} · {_label('unreachable', language)}"))
    legend += _add_corridors(m, result, color, title, language=language, gcj02=gcj02)
    return legend


def _add_corridors(
    m: Any, result: Any, color: str, title: str, *, language: str, gcj02: bool
) -> list[tuple[str, str]]:
    """Draw a corridor scenario's routes: width by flow, dashed red where not passable."""
    table = getattr(result, "corridors", None)
    if table is None or len(table) == 0:
        return []
    lines = _convert_geometry(table, gcj02)
    ok = lines["refuelled_after"].to_numpy(bool)
    flow = lines["flow"].to_numpy(float)
    top = float(flow.max()) if flow.size and flow.max() > 0 else 1.0
    shown = lines[["origin", "destination", lines.geometry.name]].copy()
    shown["length_km"] = [f"{v:,.0f}" for v in lines["length_km"]]
    yes, no = _label("yes", language), _label("no", language)
    shown["refuelled_after"] = [yes if v else no for v in ok]
    text = _polygon_json(shown, ["origin", "destination", "length_km", "refuelled_after"])
    import json

    features = json.loads(text)
    for feature, good, f in zip(features["features"], ok, flow, strict=True):
        feature["properties"]["_style"] = {
            "color": color if good else UNREACHABLE_COLOR,
            "weight": round(2 + 6 * f / top, 1),
            "opacity": 0.85,
            "dashArray": None if good else "6 6",
        }
    fields = ["origin", "destination", "length_km", "refuelled_after"]
    _GeoJson(
        features,
        name=f"{title}: {_label('corridors', language)}",
        style_function=lambda feature: feature["properties"]["_style"],
        tooltip=_GeoJsonTooltip(
            fields=fields, aliases=[_label(c, language) for c in fields], localize=False
        ),
    ).add_to(m)
    entries = [(color, f"{result.spec.name} · {_label('corridors_ok', language)}")]
    if not ok.all():
        entries.append(
            (UNREACHABLE_COLOR, f"{result.spec.name} · {_label('corridors_no', language)}")
        )
    return entries
