"""Tile basemaps of the maps: none (offline), OpenStreetMap, CartoDB, Tianditu, AMap."""

from __future__ import annotations

import os
from typing import Any, Literal

import folium

Basemap = Literal["none", "osm", "cartodb", "tianditu", "amap"]
BASEMAPS: tuple[str, ...] = ("none", "osm", "cartodb", "tianditu", "amap")
"""Basemap names accepted by :func:`build_map`."""
_TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
    "&TILECOL={x}&tk={key}"
)
_AMAP_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)


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
