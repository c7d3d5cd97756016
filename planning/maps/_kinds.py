"""Map layers of the kinds of infrastructure beyond 5G and charging, read from the registry.

Each kind with existing sites gets a point layer in its registry colour, its service area
(the kind's default distance, divided by its detour factor: a fibre cable of 1.5 km reaches
about 1.15 km of straight line) as a dissolved polygon, and legend entries for both.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from geodata.infrastructure import INFRASTRUCTURE_KINDS, InfrastructureKind

from ._elements import _PointLayer
from ._labels import _category_label, _label, _number, _text
from ._layers import (
    _add_polygons,
    _convert_geometry,
    _dissolved,
    _format_columns,
    _site_rows,
)

_COLUMNS: dict[str, tuple[str, ...]] = {
    "access_points": ("name", "point_type", "ports", "ports_used", "operator"),
    "hydrogen_stations": ("name", "capacity_kg_per_day", "pressure_bar", "operator"),
}


def other_kinds() -> tuple[InfrastructureKind, ...]:
    """Return the kinds drawn here (every kind but 5G and charging)."""
    return tuple(k for k in INFRASTRUCTURE_KINDS.values() if k.code not in ("5g", "charging"))


def _in_operation(layer: Any) -> Any:
    if "status" not in layer:
        return layer
    return layer[(layer["status"].fillna("operational").astype(str) == "operational").to_numpy()]


def _service_area(sites: Any, reach_m: float) -> Any:
    """Return the dissolved service area of ``sites`` (None without sites), shared by every map."""
    return None if sites.empty else _dissolved(sites, reach_m)


def add_kind_layers(
    m: Any,
    data: Any,
    *,
    gcj02: bool,
    language: str,
    show_coverage: bool,
    legend: list[tuple[str, list[tuple[str, str]]]],
) -> None:
    """Add the sites and service areas of every other kind that has sites, with legend entries."""
    for kind in other_kinds():
        layer = getattr(data, kind.existing_layer)
        if not len(layer):
            continue
        name = kind.label(language)
        items = [(kind.colour, name)]
        if show_coverage:
            area = _service_area(_in_operation(layer), kind.radius_m / kind.detour_factor)
            if area is not None:
                area_name = f"{name} ({'服务范围' if language == 'zh' else 'service area'})"
                _add_polygons(
                    m,
                    _convert_geometry(area, gcj02),
                    name=area_name,
                    fields=[],
                    style={
                        "color": kind.colour,
                        "weight": 0.8,
                        "fillColor": kind.colour,
                        "fillOpacity": 0.12,
                    },
                    language=language,
                )
                items.append((kind.colour + "55", area_name))
        cols = [c for c in _COLUMNS.get(kind.existing_layer, ("name",)) if c in layer]
        formats: dict[str, Any] = {"name": _text, "operator": _text}
        formats.update({c: (lambda v: _number(v, 0)) for c in cols if c not in formats})
        formats["point_type"] = lambda v: _text(_category_label("point_type", v, language))
        formats["operator"] = lambda v: _text(_category_label("operator", v, language))
        shown = _format_columns(_convert_geometry(layer, gcj02), formats)
        _PointLayer(
            _site_rows(shown, cols, radius=np.full(len(layer), 6.0)),
            [{"color": "#333333", "weight": 1.5, "fillColor": kind.colour, "fillOpacity": 0.9}],
            [(_text(_label(c, language)), None) for c in cols],
            name=name,
        ).add_to(m)
        legend.append((name, items))
