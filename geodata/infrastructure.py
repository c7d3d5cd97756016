"""The kinds of infrastructure InfraSite plans, as data.

One :class:`InfrastructureKind` per kind says what a planner needs to know to
site it: its names, the layer of existing facilities, how a site serves
demand (a radio link budget, or a distance straight, by road or in minutes of
driving, with a capacity), the demand it serves, default parameters with their
sources, and how the map draws it. The schema (``candidate_sites.infrastructure``),
the scenarios, maps, statistics, exports, command line and app all read
:data:`INFRASTRUCTURE_KINDS`; a new kind is one entry here plus, where it needs
one, a service model in :mod:`planning`.

The defaults are planning-level estimates (est.), never standards: every one
can be overridden in a scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ServiceModel = Literal["link_budget", "distance"]
CapacityModel = Literal["none", "piles", "ports", "kg_per_day"]


@dataclass(frozen=True)
class InfrastructureKind:
    """One kind of infrastructure and how it is planned.

    Parameters
    ----------
    code
        Value of ``candidate_sites.infrastructure`` and of ``ScenarioSpec.infrastructure``.
    label_en, label_zh
        Name of the kind (plural, as in a legend), in English and Chinese.
    site_en, site_zh
        Name of one site of the kind.
    existing_layer
        Layer kind holding the existing facilities (see ``geodata.schema``).
    service
        ``"link_budget"``: each site reaches its own radio radius (5G);
        ``"distance"``: a site serves demand within a distance, straight,
        along roads or in minutes of driving.
    distances
        Distance modes a scenario of the kind may use, its default first:
        ``"straight"``, ``"road"``, ``"road_time"``, or ``"cable"`` (along
        roads where the data has roads, else straight line x
        :attr:`detour_factor`).
    detour_factor
        Straight-line distances are multiplied by it (a cable or a drive
        follows streets, not the crow's flight) when no road network is used;
        1.0 for a plain straight line.
    distance_measure_en, distance_measure_zh
        What the distance is, in words (e.g. cable length).
    demand
        Demand the kind serves by default: ``"firms"``, or an enterprise
        column (``"ev_fleet"``, ``"h2_fleet"``, ...).
    demand_en, demand_zh
        That demand in words.
    capacity
        How a site's capacity is counted: ``"none"`` (coverage only),
        ``"piles"`` (charging sessions a day from piles), ``"ports"``
        (fibre connections, one per firm) or ``"kg_per_day"`` (hydrogen).
    capacity_unit
        Unit of the capacity, as shown (``"sessions/day"``, ``"ports"``, ``"kg/day"``).
    radius_m
        Default service radius in metres.
    travel_minutes
        Default service radius in minutes of driving (``distance="road_time"``),
        or None when the kind has no drive-time service.
    site_capacity
        Default capacity of a new site in :attr:`capacity_unit` (0 when
        capacity does not apply or comes from piles).
    objectives
        Scenario objectives the kind supports.
    sources
        Where the defaults come from.
    colour
        Map colour (hex) of existing sites and of their coverage.
    icon
        Font Awesome icon name of the map marker.
    """

    code: str
    label_en: str
    label_zh: str
    site_en: str
    site_zh: str
    existing_layer: str
    service: ServiceModel
    distances: tuple[str, ...]
    detour_factor: float
    distance_measure_en: str
    distance_measure_zh: str
    demand: str
    demand_en: str
    demand_zh: str
    capacity: CapacityModel
    capacity_unit: str
    radius_m: float
    travel_minutes: float | None
    site_capacity: float
    objectives: tuple[str, ...]
    sources: str
    colour: str
    icon: str

    def label(self, language: str = "en") -> str:
        """Return the kind's name in ``language`` (``"zh"`` or ``"en"``)."""
        return self.label_zh if language == "zh" else self.label_en


_COVERAGE = ("max_coverage", "budget", "min_sites", "min_distance")

INFRASTRUCTURE_KINDS: dict[str, InfrastructureKind] = {
    "5g": InfrastructureKind(
        code="5g",
        label_en="5G base stations",
        label_zh="5G基站",
        site_en="5G base station",
        site_zh="5G基站",
        existing_layer="base_stations",
        service="link_budget",
        distances=("straight",),
        detour_factor=1.0,
        distance_measure_en="radio reach (straight line)",
        distance_measure_zh="无线覆盖(直线)",
        demand="firms",
        demand_en="firms (one per firm, or employees, output ...)",
        demand_zh="企业(每家计一,或按从业人数、产值等)",
        capacity="none",
        capacity_unit="",
        radius_m=450.0,
        travel_minutes=None,
        site_capacity=0.0,
        objectives=(*_COVERAGE, "backup", "dispersion"),
        sources=(
            "radius per band from the 3GPP TR 38.901 UMa NLOS median path loss at a 130 dB "
            "link budget (700 MHz 1200 m, 2.6 GHz 500 m, 3.5 GHz 450 m, 4.9 GHz 400 m, est.); "
            "per-site radii from planning.radio.cell_radius"
        ),
        colour="#1f77b4",
        icon="signal",
    ),
    "charging": InfrastructureKind(
        code="charging",
        label_en="Charging stations",
        label_zh="充电站",
        site_en="Charging station",
        site_zh="充电站",
        existing_layer="charging_stations",
        service="distance",
        distances=("straight", "road", "road_time"),
        detour_factor=1.0,
        distance_measure_en="distance (straight line, road, or minutes of driving)",
        distance_measure_zh="距离(直线、道路或驾车分钟)",
        demand="ev_fleet",
        demand_en="electric vehicles (charging sessions a day)",
        demand_zh="新能源车辆(日充电次数)",
        capacity="piles",
        capacity_unit="sessions/day",
        radius_m=2000.0,
        travel_minutes=5.0,
        site_capacity=0.0,
        objectives=(
            *_COVERAGE,
            "capacitated",
            "backup",
            "dispersion",
            "single_source",
            "corridors",
        ),
        sources=(
            "2 km or 5 minutes' drive suits industrial parks (Beijing 2025 plan: 0.9 km in the "
            "centre, 3 km on the plain; est.); sessions per pile from pile power "
            "(planning.demand)"
        ),
        colour="#2ca02c",
        icon="bolt",
    ),
    "broadband": InfrastructureKind(
        code="broadband",
        label_en="Gigabit broadband access points",
        label_zh="千兆光网接入点",
        site_en="Fibre access point",
        site_zh="光网接入点",
        existing_layer="access_points",
        service="distance",
        distances=("cable", "straight", "road"),
        detour_factor=1.3,
        distance_measure_en=(
            "cable length: along roads where the data has roads, else straight line x 1.3"
        ),
        distance_measure_zh="光缆长度:有路网时沿道路,否则直线距离×1.3",
        demand="firms",
        demand_en="firms (one fibre connection each)",
        demand_zh="企业(每家一个光纤端口)",
        capacity="ports",
        capacity_unit="ports",
        radius_m=1500.0,
        travel_minutes=None,
        site_capacity=64.0,
        objectives=(*_COVERAGE, "capacitated", "single_source", "dispersion"),
        sources=(
            "drop cable from a fibre distribution cabinet up to 1.5 km along streets (est.); "
            "detour factor 1.3 for cables following streets (est.); a new cabinet 64 ports "
            "(one GPON port at a 1:64 split, est.); an existing point serves its free ports "
            "(ports - ports_used)"
        ),
        colour="#9467bd",
        icon="wifi",
    ),
    "hydrogen": InfrastructureKind(
        code="hydrogen",
        label_en="Hydrogen refuelling stations",
        label_zh="加氢站",
        site_en="Hydrogen refuelling station",
        site_zh="加氢站",
        existing_layer="hydrogen_stations",
        service="distance",
        distances=("straight", "road", "road_time"),
        detour_factor=1.0,
        distance_measure_en="distance (straight line, road, or minutes of driving)",
        distance_measure_zh="距离(直线、道路或驾车分钟)",
        demand="h2_fleet",
        demand_en="hydrogen trucks (kg of hydrogen a day)",
        demand_zh="氢燃料货车(日加氢公斤数)",
        capacity="kg_per_day",
        capacity_unit="kg/day",
        radius_m=30_000.0,
        travel_minutes=30.0,
        site_capacity=1000.0,
        objectives=(*_COVERAGE, "capacitated", "single_source"),
        sources=(
            "trucks detour to refuel, so 30 km or 30 minutes' drive (est.); a new station "
            "1000 kg/day (common Chinese station class, 500-1000 kg/day, est.); a fuel-cell "
            "heavy truck about 25 kg/day (8-10 kg/100 km over 250-300 km, est.); without an "
            "h2_fleet column, 10% of the ev_fleet of steel, chemicals, logistics and clean-energy "
            "firms (est., stated in the result)"
        ),
        colour="#17becf",
        icon="tint",
    ),
}
"""Every kind of infrastructure, by code, in display order."""

INFRASTRUCTURE: tuple[str, ...] = tuple(INFRASTRUCTURE_KINDS)
"""Codes of the kinds of infrastructure, in display order."""

INFRASTRUCTURE_LABELS_ZH: dict[str, str] = {
    k.code: k.label_zh for k in INFRASTRUCTURE_KINDS.values()
}
"""Chinese names of the kinds (accepted in the ``infrastructure`` column)."""

H2_KG_PER_TRUCK_DAY = 25.0
"""Hydrogen a fuel-cell heavy truck takes a day, in kg (est.)."""

H2_FLEET_SHARE = 0.1
"""Share of ``ev_fleet`` taken as hydrogen trucks when a layer has no ``h2_fleet`` (est.)."""

H2_SECTORS = ("steel_metallurgy", "chemicals", "logistics", "clean_energy")
"""Sectors whose fleets the default hydrogen split applies to."""


def infrastructure_kind(code: str) -> InfrastructureKind:
    """Return the kind of infrastructure called ``code``.

    Raises
    ------
    ValueError
        If ``code`` is not one of :data:`INFRASTRUCTURE`.
    """
    try:
        return INFRASTRUCTURE_KINDS[code]
    except KeyError:
        msg = f"infrastructure must be one of {INFRASTRUCTURE}, got {code!r}"
        raise ValueError(msg) from None


def kinds_for_objective(objective: str) -> tuple[InfrastructureKind, ...]:
    """Return the kinds that support ``objective``, in display order."""
    return tuple(k for k in INFRASTRUCTURE_KINDS.values() if objective in k.objectives)
