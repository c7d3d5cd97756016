"""How OpenStreetMap features become InfraSite layers (see :mod:`geodata.osm`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..model import PlanningData, Provenance, empty_layer
from ..schema import LAYER_KINDS
from ._tags import (
    _CLOSED_ACCESS,
    _ENTERPRISE_DEFAULT_FILLED,
    _ENTERPRISE_TYPES,
    _OPERATOR_NAMES,
    _SECTOR_BY_TAG,
    _UNKNOWN,
    LICENCE,
    _values,
)


def layers_from_features(
    features: gpd.GeoDataFrame,
    *,
    mast_radius_m: float = 500.0,
    default_piles: int = 1,
) -> dict[str, gpd.GeoDataFrame]:
    """Map OSM features (osmnx ``features_*`` output) to InfraSite layers.

    Parameters
    ----------
    features
        GeoDataFrame indexed by ``(element, id)`` with one column per tag, as
        osmnx returns.
    mast_radius_m
        Planning coverage radius given to every mast.
    default_piles
        Piles of a charging station whose ``capacity`` and sockets are untagged.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``enterprises``, ``parks``, ``base_stations``, ``charging_stations``
        and ``admin_areas`` (possibly empty) in EPSG:4326, each with an
        ``osm_id`` column and a ``filled`` column naming the fields that got
        defaults.
    """
    if not mast_radius_m >= 1:
        msg = f"mast_radius_m must be a radius in metres >= 1; got {mast_radius_m!r}"
        raise ValueError(msg)
    if not (isinstance(default_piles, int) and default_piles >= 1):
        msg = f"default_piles must be an integer >= 1; got {default_piles!r}"
        raise ValueError(msg)
    feats = _normalise_features(features)
    records = list(_records(feats))
    return {
        "enterprises": _enterprises(records),
        "parks": _parks(records),
        "base_stations": _base_stations(records, mast_radius_m),
        "charging_stations": _charging_stations(records, default_piles),
        "admin_areas": _admin_areas(records),
    }


def _planning_data(
    features: gpd.GeoDataFrame,
    roads: Any,
    wanted: set[str],
    *,
    name: str,
    source: str,
    mast_radius_m: float,
    default_piles: int,
) -> PlanningData:
    mapped = layers_from_features(
        features, mast_radius_m=mast_radius_m, default_piles=default_piles
    )
    notes = {
        "enterprises": "industrial buildings, works and company offices (centroids); "
        "employees, output and energy unknown (0), sector 'other' unless tagged; see 'filled'",
        "parks": "landuse=industrial areas; level is the schema default, not an approval level",
        "base_stations": "masts/towers with communication tags; operator and band 'unknown' "
        f"unless tagged, radius {mast_radius_m:g} m assumed",
        "charging_stations": "piles from capacity or socket counts, power from socket outputs "
        "where tagged; see 'filled'",
        "admin_areas": "boundary=administrative polygons",
    }
    if "admin_areas" in wanted and mapped["admin_areas"].empty:
        mapped["admin_areas"] = _hull_area(mapped, roads, features, name)
        notes["admin_areas"] = "no administrative polygons in the extract: its convex hull"
    from ..validation import validate_layer

    layers = {}
    for kind in mapped:
        if kind not in wanted or not len(mapped[kind]):
            continue
        # odd tag values (e.g. capacity=99999) drop that feature, not the whole import
        layer, report = validate_layer(
            mapped[kind], kind, source=f"{source}: {kind}", lenient=True, return_report=True
        )
        layers[kind] = layer
        skipped = set(report["row"]) if len(report) else set()
        if skipped:
            notes[kind] += f"; {len(skipped)} feature(s) with unusable tag values left out"
    provenance = {
        kind: Provenance(source=source, licence=LICENCE, note=notes[kind]) for kind in layers
    }
    if roads is not None:
        provenance["roads"] = Provenance(
            source=source, licence=LICENCE, note="drivable highways only (osmnx graph)"
        )
    return PlanningData(name=name, roads=roads, provenance=provenance, **layers)


def _normalise_features(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if features is None or len(features) == 0:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    if features.crs is None:
        features = features.set_crs("EPSG:4326")
    elif not features.crs.equals("EPSG:4326"):
        features = features.to_crs("EPSG:4326")
    return features


def _records(features: gpd.GeoDataFrame) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """Yield ``(osm_id, tags, geometry)`` per feature; tag values are strings."""
    if len(features) == 0:
        return
    cols = [c for c in features.columns if c != features.geometry.name]
    values = features[cols].to_numpy(dtype=object)
    geoms = features.geometry.to_numpy()
    for idx, row, geom in zip(features.index, values, geoms, strict=True):
        element, osmid = idx if isinstance(idx, tuple) else ("feature", idx)
        tags = {
            c: (";".join(map(str, v)) if isinstance(v, list) else str(v))
            for c, v in zip(cols, row, strict=True)
            if not _missing(v)
        }
        if geom is None or geom.is_empty:
            continue
        yield f"{element}/{osmid}", tags, geom


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _points(geoms: list[Any]) -> gpd.GeoSeries:
    """Return the points as they are and the centroids (computed in metres) of the rest."""
    series = gpd.GeoSeries(geoms, crs="EPSG:4326")
    if len(series) == 0:
        return series
    not_point = (series.geom_type != "Point").to_numpy()
    if not_point.any():
        from ..crs import local_metric_crs

        metric = local_metric_crs(series)
        centroids = series[not_point].to_crs(metric).centroid.to_crs("EPSG:4326")
        series = series.copy()
        series[not_point] = centroids.to_numpy()
    return series


def _layer(kind: str, rows: list[dict[str, Any]], geoms: list[Any]) -> gpd.GeoDataFrame:
    if not rows:
        out = empty_layer(kind)
        out["osm_id"] = pd.Series(dtype=object)
        out["filled"] = pd.Series(dtype=object)
        return out
    frame = pd.DataFrame(rows)
    for f in LAYER_KINDS[kind].fields:
        if f.name not in frame:
            frame[f.name] = pd.Series([f.default] * len(frame), index=frame.index, dtype=object)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326").values)


def _default_number(kind: str, name: str) -> float:
    value = LAYER_KINDS[kind].field(name).default
    if not isinstance(value, int | float):
        msg = f"schema field {kind}.{name} has no numeric default"
        raise TypeError(msg)
    return float(value)


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    match = re.match(r"\s*(\d+(?:[.,]\d+)?)", text)
    return float(match.group(1).replace(",", ".")) if match else None


def _enterprises(records: list[tuple[str, dict[str, Any], Any]]) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for osm_id, tags, geom in records:
        kind = next(
            (label for (k, v), label in _ENTERPRISE_TYPES.items() if tags.get(k) == v), None
        )
        if kind is None:
            continue
        filled = list(_ENTERPRISE_DEFAULT_FILLED)
        sector = next(
            (
                s
                for (k, v), s in _SECTOR_BY_TAG.items()
                if v in _values(tags.get(k)) and k != "building"
            ),
            None,
        ) or _SECTOR_BY_TAG.get(("building", tags.get("building", "")))
        if sector is None:
            sector = "other"
            filled.append("sector")
        name = tags.get("name") or tags.get("operator") or tags.get("brand")
        if not name:
            name = f"unnamed {kind} {osm_id}"
            filled.append("name")
        rows.append(
            {
                "id": osm_id,
                "name": name,
                "sector": sector,
                "employees": 0,
                "osm_type": kind,
                "osm_id": osm_id,
                "filled": ";".join(filled),
            }
        )
        geoms.append(geom)
    if geoms:
        geoms = list(_points(geoms))
    return _layer("enterprises", rows, geoms)


def _polygonal(geom: Any) -> bool:
    return geom.geom_type in ("Polygon", "MultiPolygon")


def _parks(records: list[tuple[str, dict[str, Any], Any]]) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    default_level = LAYER_KINDS["parks"].field("level").default
    for osm_id, tags, geom in records:
        if tags.get("landuse") != "industrial" or not _polygonal(geom):
            continue
        filled = ["level", "green_park"]
        name = tags.get("name")
        if not name:
            name = f"unnamed industrial area {osm_id}"
            filled.append("name")
        rows.append(
            {
                "id": osm_id,
                "name": name,
                "level": default_level,
                "green_park": False,
                "approximate": False,
                "osm_id": osm_id,
                "filled": ";".join(filled),
            }
        )
        geoms.append(geom)
    return _layer("parks", rows, geoms)


def _communication(tags: Mapping[str, str]) -> list[str]:
    services = [
        k.split(":", 1)[1]
        for k, v in tags.items()
        if k.startswith("communication:") and k.count(":") == 1 and v == "yes"
    ]
    return sorted(services)


def _operator(tags: Mapping[str, str]) -> str | None:
    text = " ".join(tags.get(k, "") for k in ("operator", "brand", "owner")).lower()
    for operator, names in _OPERATOR_NAMES.items():
        if any(n in text for n in names):
            return operator
    return None


def _base_stations(
    records: list[tuple[str, dict[str, Any], Any]], radius: float
) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for osm_id, tags, geom in records:
        if tags.get("man_made") not in ("mast", "tower"):
            continue
        services = _communication(tags)
        if tags.get("tower:type") != "communication" and not services:
            continue
        filled = ["band", "radius_m", "status"]
        operator = _operator(tags)
        if operator is None:
            operator = _UNKNOWN
            filled.append("operator")
        height = _number(tags.get("height"))
        if height is None or not 0 <= height <= 500:
            height = _default_number("base_stations", "height_m")
            filled.append("height_m")
        name = tags.get("name")
        if not name:
            name = f"unnamed {tags['man_made']} {osm_id}"
            filled.append("name")
        rows.append(
            {
                "id": osm_id,
                "name": name,
                "operator": operator,
                "band": _UNKNOWN,
                "height_m": height,
                "radius_m": float(radius),
                "status": "operational",
                "communication": ";".join(services),
                "mobile_phone": "mobile_phone" in services,
                "osm_operator": tags.get("operator", ""),
                "osm_id": osm_id,
                "filled": ";".join(filled),
            }
        )
        geoms.append(geom)
    if geoms:
        geoms = list(_points(geoms))
    return _layer("base_stations", rows, geoms)


def _power_kw(text: str) -> float | None:
    best = None
    for part in _values(text):
        match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*(kw|w|mw)?", part.lower())
        if not match:
            continue
        value = float(match.group(1).replace(",", "."))
        unit = match.group(2) or "kw"
        kw = value / 1000 if unit == "w" else value * 1000 if unit == "mw" else value
        best = kw if best is None else max(best, kw)
    return best


def _charging_stations(
    records: list[tuple[str, dict[str, Any], Any]], default_piles: int
) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    spec = LAYER_KINDS["charging_stations"]
    default_power = _default_number("charging_stations", "power_kw")
    max_power = float(spec.field("power_kw").maximum or 1000)
    for osm_id, tags, geom in records:
        if tags.get("amenity") != "charging_station":
            continue
        filled = []
        sockets: dict[str, int] = {}
        powers = []
        for key, value in tags.items():
            parts = key.split(":")
            if parts[0] != "socket" or len(parts) < 2:
                continue
            if len(parts) == 2:
                count = _number(value)
                sockets[parts[1]] = int(count) if count is not None else 0
            elif parts[-1] == "output":
                power = _power_kw(value)
                if power is not None:
                    powers.append(power)
        capacity = _number(tags.get("capacity"))
        if capacity is not None and capacity >= 1:
            piles = int(capacity)
        elif sockets and max(sockets.values()) >= 1:
            piles = max(sockets.values())
            filled.append("piles:sockets")
        else:
            piles = default_piles
            filled.append("piles")
        power_kw = max(powers) if powers else default_power
        if not powers:
            filled.append("power_kw")
        access_tag = set(_values(tags.get("access")))
        if access_tag:
            access = "private" if access_tag & _CLOSED_ACCESS else "public"
        else:
            access = "public"
            filled.append("access")
        name = tags.get("name") or tags.get("brand") or tags.get("operator")
        if not name:
            name = f"unnamed charging station {osm_id}"
            filled.append("name")
        rows.append(
            {
                "id": osm_id,
                "name": name,
                "piles": piles,
                "power_kw": min(max(power_kw, 1.0), max_power),
                "access": access,
                "operator": tags.get("operator", ""),
                "sockets": ";".join(f"{k}={v}" for k, v in sorted(sockets.items())),
                "osm_id": osm_id,
                "filled": ";".join(filled),
            }
        )
        geoms.append(geom)
    if geoms:
        geoms = list(_points(geoms))
    return _layer("charging_stations", rows, geoms)


def _admin_areas(records: list[tuple[str, dict[str, Any], Any]]) -> gpd.GeoDataFrame:
    areas = [
        (osm_id, tags, geom)
        for osm_id, tags, geom in records
        if tags.get("boundary") == "administrative" and tags.get("name") and _polygonal(geom)
    ]
    levels = [_number(tags.get("admin_level")) for _, tags, _ in areas]
    known = [lv for lv in levels if lv is not None]
    if not areas:
        return _layer("admin_areas", [], [])
    finest = max(known) if known else None
    rows, geoms = [], []
    for (osm_id, tags, geom), level in zip(areas, levels, strict=True):
        if level != finest:
            continue
        name = tags["name"]
        rows.append(
            {
                "id": tags.get("ref") or tags.get("ISO3166-2") or osm_id,
                "name": name,
                "short_name": tags.get("short_name") or name,
                "admin_level": tags.get("admin_level", ""),
                "osm_id": osm_id,
                "filled": "",
            }
        )
        geoms.append(geom)
    return _layer("admin_areas", rows, geoms)


def _hull_area(
    mapped: Mapping[str, gpd.GeoDataFrame], roads: Any, features: gpd.GeoDataFrame, name: str
) -> gpd.GeoDataFrame:
    parts = [gdf.geometry.to_numpy() for gdf in mapped.values() if len(gdf)]
    if features is not None and len(features):
        parts.append(np.asarray(features.geometry.to_numpy(), dtype=object))
    if roads is not None and roads.number_of_nodes():
        xy = np.array([(d["x"], d["y"]) for _, d in roads.nodes(data=True)])
        parts.append(shapely.points(xy))
    if not parts:
        return _layer("admin_areas", [], [])
    coords = shapely.get_coordinates(np.concatenate(parts))
    hull = shapely.convex_hull(shapely.multipoints(coords))
    if not _polygonal(hull):
        return _layer("admin_areas", [], [])
    row = {
        "id": "extract",
        "name": name,
        "short_name": name,
        "admin_level": "",
        "osm_id": "",
        "filled": "id;name;geometry",
    }
    return _layer("admin_areas", [row], [hull])
