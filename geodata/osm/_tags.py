"""Which OpenStreetMap tags InfraSite reads, and which ways cars may drive on."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..schema import UNKNOWN

DRIVABLE_HIGHWAYS: tuple[str, ...] = (
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "road",
)
"""``highway`` values kept in the road graph (``service`` too with ``service_roads=True``)."""

OSM_LAYERS: tuple[str, ...] = (
    "enterprises",
    "parks",
    "base_stations",
    "charging_stations",
    "admin_areas",
    "roads",
)
"""What :func:`read_osm` can build; ``candidate_sites`` are not in OpenStreetMap."""

FEATURE_TAGS: dict[str, list[str]] = {
    "landuse": ["industrial"],
    "building": ["industrial", "warehouse", "factory"],
    "man_made": ["works", "mast", "tower"],
    "office": ["company"],
    "amenity": ["charging_station"],
    "boundary": ["administrative"],
}
"""The OSM tags read for the point and polygon layers."""

LICENCE = "ODbL 1.0 (© OpenStreetMap contributors)"

_CLOSED_ACCESS = {"no", "private"}
_EXCLUDED_SERVICE = {"emergency_access", "parking", "parking_aisle", "private"}
_ENTERPRISE_TYPES = {
    ("building", "factory"): "factory",
    ("building", "industrial"): "industrial building",
    ("building", "warehouse"): "warehouse",
    ("man_made", "works"): "works",
    ("office", "company"): "company office",
}
_SECTOR_BY_TAG = {
    ("building", "warehouse"): "logistics",
    ("industrial", "warehouse"): "logistics",
    ("industrial", "logistics"): "logistics",
    ("industrial", "depot"): "logistics",
    ("industrial", "food_industry"): "agri_food",
    ("industrial", "brewery"): "agri_food",
    ("industrial", "dairy"): "agri_food",
    ("industrial", "bakery"): "agri_food",
    ("industrial", "slaughterhouse"): "agri_food",
    ("industrial", "chemical"): "chemicals",
    ("industrial", "oil"): "chemicals",
    ("industrial", "steelmaker"): "steel_metallurgy",
    ("industrial", "metal_processing"): "steel_metallurgy",
    ("industrial", "foundry"): "steel_metallurgy",
    ("industrial", "machine_shop"): "equipment_manufacturing",
    ("industrial", "machinery"): "equipment_manufacturing",
    ("industrial", "engineering"): "equipment_manufacturing",
    ("industrial", "electrical"): "equipment_manufacturing",
    ("craft", "metal_construction"): "equipment_manufacturing",
    ("power", "plant"): "clean_energy",
}
_OPERATOR_NAMES = {
    "China Mobile": ("china mobile", "中国移动", "cmcc", "移动"),
    "China Unicom": ("china unicom", "中国联通", "联通"),
    "China Telecom": ("china telecom", "中国电信", "电信"),
    "China Broadnet": ("china broadnet", "中国广电", "广电"),
}
_UNKNOWN = UNKNOWN
_ENTERPRISE_DEFAULT_FILLED = ("employees", "output_value", "energy_use", "digital_status")


def is_drivable(tags: Mapping[str, Any], *, service_roads: bool = False) -> bool:
    """Return whether an OSM way with these tags belongs in the drivable road graph.

    A way is drivable when its ``highway`` value is in
    :data:`DRIVABLE_HIGHWAYS` (plus ``service`` roads other than parking
    aisles, driveways for emergencies and private service roads when
    ``service_roads``), it is not an area, and the most specific of its
    ``motorcar``, ``motor_vehicle``, ``vehicle`` and ``access`` tags does not
    close it (``no``/``private``).

    Parameters
    ----------
    tags
        The way's tags.
    service_roads
        Also keep ``highway=service`` ways.

    Returns
    -------
    bool
        True for a way cars may use.
    """
    highway = tags.get("highway")
    allowed = DRIVABLE_HIGHWAYS + (("service",) if service_roads else ())
    if highway not in allowed or tags.get("area") == "yes":
        return False
    if highway == "service" and set(_values(tags.get("service"))) & _EXCLUDED_SERVICE:
        return False
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
        if tags.get(key) is not None:
            return not (set(_values(tags[key])) & _CLOSED_ACCESS)
    return True


def _values(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value]
    return [v.strip() for v in str(value).split(";")]
