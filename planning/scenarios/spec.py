"""The siting question: :class:`ScenarioSpec`, its choices and default radii."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, get_args

from geodata.infrastructure import (
    INFRASTRUCTURE,
    InfrastructureKind,
    infrastructure_kind,
    kinds_for_objective,
)

Infrastructure = str
"""A code of :data:`geodata.infrastructure.INFRASTRUCTURE_KINDS` (``"5g"``, ``"charging"``, ...)."""
Objective = Literal[
    "max_coverage",
    "budget",
    "min_sites",
    "min_distance",
    "capacitated",
    "backup",
    "dispersion",
    "single_source",
    "corridors",
]
DistanceMode = Literal["straight", "road", "road_time", "cable"]
Progress = Callable[[float, str], Any]
RadiusModel = Literal["link_budget", "fixed"]
EquityLevel = Literal["county", "park"]
StageObjective = Literal["each", "sum"]
KeyFirms = Literal["transform_list", "digital", "all"]

INFRASTRUCTURES: tuple[str, ...] = INFRASTRUCTURE
OBJECTIVES: tuple[str, ...] = get_args(Objective)
DISTANCES: tuple[str, ...] = get_args(DistanceMode)
RADIUS_MODELS: tuple[str, ...] = get_args(RadiusModel)
KEY_FIRMS: tuple[str, ...] = get_args(KeyFirms)
"""Which firms a ``"backup"`` scenario backs up: those ``on_transform_list``, those whose
``digital_status`` is ``"in_progress"`` or ``"completed"``, or every firm."""
MODEL_OBJECTIVES = ("backup", "dispersion", "single_source", "corridors")
"""Objectives answered by :mod:`planning.scenarios._models` and ``_corridors``."""
ENVIRONMENT_NAMES = ("urban", "county_seat", "rural")
"""Settings a 5G site can stand in (see :mod:`planning.radio`)."""
DEMANDS = ("firms", "employees", "output_value", "energy_use", "ev_fleet", "h2_fleet")
"""Named demand definitions: ``"firms"`` (1 per firm) or an enterprise column."""

RADIUS_5G_M: dict[str, float] = {
    "700MHz": 1200.0,
    "2.6GHz": 500.0,
    "3.5GHz": 450.0,
    "4.9GHz": 400.0,
}
"""Default 5G planning radius per band in metres (urban macro cell, est.)."""

DEFAULT_5G_BAND = "3.5GHz"
"""Band assumed when a 5G scenario names none (the shared Telecom/Unicom band)."""

CHARGING_RADIUS_M = infrastructure_kind("charging").radius_m
"""Default charging-station service radius in metres (straight line or road, est.)."""

VEHICLE_RANGE_KM = 150.0
"""Default range of an electric truck on a full charge, in km (``"corridors"``, est.)."""

CHARGING_TRAVEL_MINUTES = float(infrastructure_kind("charging").travel_minutes or 5.0)
"""Default charging-station service radius in minutes of driving (``distance="road_time"``)."""

CURVE_POINTS = 11
"""Largest number of points of a scenario's trade-off curve."""

DEFAULT_CURVE_SECONDS = 60.0
"""Time for a trade-off curve when the scenario has no time limit (half of it is used)."""

PROGRESS_MESSAGES = ("preparing data", "solving", "trade-off curve", "assembling results", "done")
"""Every message :func:`run_scenario` passes to its ``progress`` callback, in order."""

UNSERVED_PENALTY = 3.0
"""In ``"min_distance"`` scenarios, the distance charged for a reachable firm that no
chosen site serves, as a multiple of the service radius."""


def default_radius(infrastructure: str, band: str | None = None) -> float:
    """Return the default service radius in metres for a kind of site.

    Parameters
    ----------
    infrastructure
        A kind of infrastructure (one of :data:`INFRASTRUCTURES`).
    band
        5G band (one of ``geodata.schema.BANDS``); None uses
        :data:`DEFAULT_5G_BAND`. Ignored for other kinds.

    Returns
    -------
    float
        :data:`RADIUS_5G_M` of the band for a link-budget kind (5G), else the
        kind's ``radius_m`` in the registry (charging :data:`CHARGING_RADIUS_M`).
    """
    kind = infrastructure_kind(infrastructure)
    if kind.service != "link_budget":
        return kind.radius_m
    band = DEFAULT_5G_BAND if band is None else band
    if band not in RADIUS_5G_M:
        msg = f"band must be one of {tuple(RADIUS_5G_M)} or None, got {band!r}"
        raise ValueError(msg)
    return RADIUS_5G_M[band]


@dataclass(frozen=True)
class ScenarioSpec:
    """A siting question, in planning terms.

    Parameters
    ----------
    name
        Label of the scenario (unique within a comparison).
    infrastructure
        The kind of site, one of :data:`INFRASTRUCTURES` (see
        :data:`geodata.infrastructure.INFRASTRUCTURE_KINDS`): ``"5g"`` (new
        base stations), ``"charging"`` (charging stations), ``"broadband"``
        (gigabit fibre access points) or ``"hydrogen"`` (refuelling stations).
    objective
        ``"max_coverage"``, ``"budget"``, ``"min_sites"``,
        ``"min_distance"``, ``"capacitated"``, ``"backup"``,
        ``"dispersion"``, ``"single_source"`` or ``"corridors"`` (see the
        module documentation).
    n_sites
        Number of new sites (every objective but ``"budget"`` and
        ``"min_sites"``; at least 2 for ``"dispersion"``).
    budget_cny
        Total budget in CNY (``"budget"``), compared with ``cost_cny`` of the
        candidate sites.
    coverage_target
        Share of all demand weight to cover, in (0, 1] (``"min_sites"``).
    radius_m
        Service radius of a new site in metres; None uses
        :func:`default_radius`. With ``distance="road"`` it is a road distance.
    band
        5G band used for the default radius.
    travel_minutes
        Service radius in minutes of driving when ``distance="road_time"``;
        None uses :data:`CHARGING_TRAVEL_MINUTES`.
    demand
        What a firm weighs: one of :data:`DEMANDS`, or a mapping of those
        names to mixing weights (see the module documentation).
    candidate_sources
        Allowed values of the candidate sites' ``source`` column, or None for
        all.
    count_existing
        Count demand that existing sites already serve as covered (operational
        base stations within their own radius; charging stations within the
        service radius). When False the scenario plans as if nothing existed
        yet, and the "before" figures are zero.
    distance
        ``"straight"`` (planar metres), ``"road"`` (metres along
        ``data.roads``), ``"road_time"`` (driving time along ``data.roads``) or
        ``"cable"`` (along ``data.roads`` when the data has roads, else
        straight line x the detour factor; :func:`run_scenario` says which in
        the result). None takes the kind's default (the first of
        ``kind.distances``: ``"cable"`` for broadband, ``"straight"`` for the
        others). Radio coverage is a straight-line notion, so 5G needs
        ``"straight"``.
    time_limit
        Seconds the solver may spend; the best answer found and its gap are
        returned when it runs out. The trade-off curve gets about half as
        much again. None for no limit on the solver (the curve then gets
        half of :data:`DEFAULT_CURVE_SECONDS`).
    radius_model
        5G only: ``"link_budget"`` (default) gives every candidate site its
        own radius from :func:`planning.radio.cell_radius` (band, setting,
        antenna height); ``"fixed"`` uses :data:`RADIUS_5G_M`. An explicit
        ``radius_m`` always means a fixed radius.
    environment
        Setting of every 5G candidate (``"urban"``, ``"county_seat"`` or
        ``"rural"``); None takes a site's ``environment`` column where given,
        else classifies it from the firm density around it.
    indoor
        None (outdoor cell edge, the planning default), ``"low"`` or
        ``"high"``: add TR 38.901 building-penetration loss.
    cell_edge_probability
        Chance that the cell edge meets the RSRP target under shadow fading;
        None uses 0.75.
    pile_power_kw
        Charging (``"capacitated"``): power of a new pile.
    piles_min, piles_max
        Piles a new station gets (modular: 2-20 by default).
    pile_cost_cny
        Cost per new pile; a station costs its ``cost_cny`` plus its piles.
    counties, zones
        Restrict demand and candidates to these counties (``county``) or
        development zones (``park``); None for the whole area.
    min_share_per_county
        Coverage floor per group (one share, or ``{county: share}``).
    min_sites_per_county, max_sites_per_county
        Least / most new sites per group (one number or a mapping).
    equity_level
        What the floors and site counts group by: ``"county"`` or ``"park"``.
    stage_budgets_cny
        Budget of each stage (year) for a staged rollout.
    stage_sites
        Largest number of new sites per stage (instead of, or with, budgets).
    stage_objective
        ``"each"`` (best coverage at every stage in turn) or ``"sum"``.
    key_firms
        ``"backup"``: the firms to cover twice (one of :data:`KEY_FIRMS`).
    backup_weight
        ``"backup"``: value of a second cover relative to the first, in
        [0, 1] (1: a firm covered twice counts double).
    vehicle_range_km
        ``"corridors"``: distance a truck drives on a full charge, in km.
    detour_factor
        Straight-line distances are multiplied by it (``distance="straight"``);
        None uses the kind's (broadband 1.3: a cable follows streets; 1.0
        for the others).
    site_capacity
        Capacity of a new site in the kind's unit (broadband ports, hydrogen
        kg a day) for ``"capacitated"`` and ``"single_source"``; None takes a
        candidate's ``capacity`` where positive, else the kind's default.
        Charging stations are sized by piles instead.
    kg_per_truck_day
        Hydrogen a truck takes a day, in kg; None uses
        :data:`geodata.infrastructure.H2_KG_PER_TRUCK_DAY`.
    """

    name: str = "scenario"
    infrastructure: Infrastructure = "5g"
    objective: Objective = "max_coverage"
    n_sites: int = 10
    budget_cny: float | None = None
    coverage_target: float = 1.0
    radius_m: float | None = None
    band: str | None = None
    travel_minutes: float | None = None
    demand: str | Mapping[str, float] = "firms"
    candidate_sources: tuple[str, ...] | None = None
    count_existing: bool = True
    distance: DistanceMode | None = None
    time_limit: float | None = 30.0
    radius_model: RadiusModel = "link_budget"
    environment: str | None = None
    indoor: str | None = None
    cell_edge_probability: float | None = None
    pile_power_kw: float = 120.0
    piles_min: int = 2
    piles_max: int = 20
    pile_cost_cny: float = 60_000.0
    counties: tuple[str, ...] | None = None
    zones: tuple[str, ...] | None = None
    min_share_per_county: float | Mapping[str, float] | None = None
    min_sites_per_county: int | Mapping[str, int] | None = None
    max_sites_per_county: int | Mapping[str, int] | None = None
    equity_level: EquityLevel = "county"
    stage_budgets_cny: tuple[float, ...] | None = None
    stage_sites: tuple[int, ...] | None = None
    stage_objective: StageObjective = "each"
    key_firms: KeyFirms = "transform_list"
    backup_weight: float = 1.0
    vehicle_range_km: float = VEHICLE_RANGE_KM
    detour_factor: float | None = None
    site_capacity: float | None = None
    kg_per_truck_day: float | None = None

    def __post_init__(self) -> None:
        for name in ("counties", "zones", "stage_budgets_cny", "stage_sites"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                value = (value,) if isinstance(value, str | int | float) else tuple(value)
                object.__setattr__(self, name, value)
        for name in ("min_share_per_county", "min_sites_per_county", "max_sites_per_county"):
            value = getattr(self, name)
            if isinstance(value, Mapping):
                object.__setattr__(self, name, {str(k): v for k, v in value.items()})
        if self.candidate_sources is not None and not isinstance(self.candidate_sources, tuple):
            sources = (self.candidate_sources,) if isinstance(self.candidate_sources, str) else None
            object.__setattr__(self, "candidate_sources", sources or tuple(self.candidate_sources))
        if isinstance(self.demand, Mapping):
            object.__setattr__(self, "demand", {str(k): float(v) for k, v in self.demand.items()})
        if self.distance is None:
            _choice("infrastructure", self.infrastructure, INFRASTRUCTURES)
            object.__setattr__(self, "distance", self.kind.distances[0])
        self._check()

    def _check(self) -> None:
        _choice("infrastructure", self.infrastructure, INFRASTRUCTURES)
        _choice("objective", self.objective, OBJECTIVES)
        _choice("distance", self.distance, DISTANCES)
        kind = self.kind
        if self.distance not in kind.distances:
            why = " (radio coverage does not follow roads)" if kind.service == "link_budget" else ""
            allowed = " or ".join(repr(d) for d in kind.distances)
            msg = f"distance must be {allowed} for {kind.label_en}{why}, got {self.distance!r}"
            raise ValueError(msg)
        _objective_supported(self.objective, kind)
        if self.objective in ("max_coverage", "min_distance", *MODEL_OBJECTIVES):
            if isinstance(self.n_sites, bool) or int(self.n_sites) != self.n_sites:
                msg = f"n_sites must be a whole number of sites, got {self.n_sites!r}"
                raise ValueError(msg)
            if self.n_sites < 1:
                msg = f"n_sites must be at least 1 for objective {self.objective!r}"
                raise ValueError(msg)
        if (
            self.objective == "budget"
            and not self.staged
            and (
                self.budget_cny is None
                or not math.isfinite(self.budget_cny)
                or self.budget_cny <= 0
            )
        ):
            msg = (
                "budget_cny must be a positive amount in CNY for objective 'budget', "
                f"got {self.budget_cny!r}"
            )
            raise ValueError(msg)
        if not 0 < self.coverage_target <= 1:
            msg = f"coverage_target must be a share in (0, 1], got {self.coverage_target!r}"
            raise ValueError(msg)
        for name in ("radius_m", "travel_minutes", "site_capacity", "kg_per_truck_day"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0):
                msg = f"{name} must be a positive number or None, got {value!r}"
                raise ValueError(msg)
        if self.detour_factor is not None and not (
            math.isfinite(self.detour_factor) and self.detour_factor >= 1
        ):
            msg = f"detour_factor must be a number >= 1 or None, got {self.detour_factor!r}"
            raise ValueError(msg)
        if self.band is not None:
            default_radius("5g", self.band)
        if self.time_limit is not None and not self.time_limit > 0:
            msg = (
                f"time_limit must be a positive number of seconds or None, got {self.time_limit!r}"
            )
            raise ValueError(msg)
        _demand_spec(self.demand)
        self._check_new()
        self._check_models()

    def _check_new(self) -> None:
        _choice("radius_model", self.radius_model, RADIUS_MODELS)
        if self.environment is not None:
            _choice("environment", self.environment, ENVIRONMENT_NAMES)
        if self.indoor is not None:
            _choice("indoor", self.indoor, ("low", "high"))
        p = self.cell_edge_probability
        if p is not None and not 0 < p < 1:
            msg = f"cell_edge_probability must be in (0, 1) or None, got {p!r}"
            raise ValueError(msg)
        _choice("equity_level", self.equity_level, ("county", "park"))
        _choice("stage_objective", self.stage_objective, ("each", "sum"))
        if self.objective in ("capacitated", "single_source"):
            if not 1 <= self.piles_min <= self.piles_max:
                msg = (
                    "piles_min and piles_max must satisfy 1 <= piles_min <= piles_max, "
                    f"got {self.piles_min} and {self.piles_max}"
                )
                raise ValueError(msg)
            if not (self.pile_power_kw > 0 and self.pile_cost_cny >= 0):
                msg = "pile_power_kw must be positive and pile_cost_cny non-negative"
                raise ValueError(msg)
        floors = self.min_share_per_county
        values = floors.values() if isinstance(floors, Mapping) else [floors]
        if any(v is not None and not 0 <= float(v) <= 1 for v in values):
            msg = f"min_share_per_county must be shares in [0, 1], got {floors!r}"
            raise ValueError(msg)
        for name in ("stage_budgets_cny", "stage_sites"):
            value = getattr(self, name)
            if value is not None and (
                not value or any(not (math.isfinite(float(v)) and float(v) >= 0) for v in value)
            ):
                msg = f"{name} must be one non-negative number per stage, got {value!r}"
                raise ValueError(msg)
        if (
            self.stage_budgets_cny
            and self.stage_sites
            and len(self.stage_budgets_cny) != len(self.stage_sites)
        ):
            msg = "stage_budgets_cny and stage_sites must have the same number of stages"
            raise ValueError(msg)
        if self.staged and self.equity:
            msg = "a staged rollout cannot also have per-county floors or site counts (yet)"
            raise ValueError(msg)
        if (self.staged or self.equity) and self.objective in (
            "min_distance",
            "capacitated",
            *MODEL_OBJECTIVES,
        ):
            msg = (
                f"objective {self.objective!r} does not take county floors, site counts or "
                "stages; use 'max_coverage', 'budget' or 'min_sites'"
            )
            raise ValueError(msg)
        if self.staged and self.objective == "min_sites":
            msg = "a staged rollout maximises coverage; use objective 'max_coverage' or 'budget'"
            raise ValueError(msg)

    def _check_models(self) -> None:
        _choice("key_firms", self.key_firms, KEY_FIRMS)
        weight = self.backup_weight
        if isinstance(weight, bool) or not (isinstance(weight, int | float) and 0 <= weight <= 1):
            msg = f"backup_weight must be a number in [0, 1], got {weight!r}"
            raise ValueError(msg)
        km = self.vehicle_range_km
        if (
            isinstance(km, bool)
            or not (isinstance(km, int | float) and math.isfinite(km))
            or km <= 0
        ):
            msg = f"vehicle_range_km must be a positive distance in km, got {km!r}"
            raise ValueError(msg)
        if self.objective == "dispersion":
            if self.n_sites < 2:
                msg = "n_sites must be at least 2 for objective 'dispersion' (a spacing needs two)"
                raise ValueError(msg)
            if self.distance != "straight":
                msg = (
                    "distance must be 'straight' for objective 'dispersion' (sites are spread "
                    f"by straight-line spacing), got {self.distance!r}"
                )
                raise ValueError(msg)
        if self.objective == "corridors" and self.distance == "road_time":
            msg = (
                "distance must be 'straight' or 'road' for objective 'corridors' (a vehicle "
                "range is a distance), got 'road_time'"
            )
            raise ValueError(msg)

    @property
    def staged(self) -> bool:
        """True when the scenario is a staged rollout."""
        return bool(self.stage_budgets_cny) or bool(self.stage_sites)

    @property
    def equity(self) -> bool:
        """True when the scenario has per-group floors or site counts."""
        return any(
            v is not None
            for v in (
                self.min_share_per_county,
                self.min_sites_per_county,
                self.max_sites_per_county,
            )
        )

    @property
    def kind(self) -> InfrastructureKind:
        """The kind of infrastructure sited, from the registry."""
        return infrastructure_kind(self.infrastructure)

    def for_data(self, data: Any) -> ScenarioSpec:
        """Return the spec with ``distance="cable"`` resolved for ``data``.

        Along roads (``"road"``) when ``data.roads`` is a road network, else
        ``"straight"`` (times the detour factor); any other spec is returned as is.
        """
        if self.distance != "cable":
            return self
        return replace(
            self, distance="road" if getattr(data, "roads", None) is not None else "straight"
        )

    def detour(self) -> float:
        """Return the factor applied to straight-line distances (1.0 off ``"straight"``)."""
        if self.distance != "straight":
            return 1.0
        return float(self.kind.detour_factor if self.detour_factor is None else self.detour_factor)

    def uses_link_budget(self) -> bool:
        """Return True when 5G radii come from the link budget (per site)."""
        return (
            self.kind.service == "link_budget"
            and self.radius_model == "link_budget"
            and self.radius_m is None
        )

    def service_radius(self) -> float:
        """Return the service radius: metres, or seconds for ``distance="road_time"``."""
        if self.distance == "road_time":
            default = self.kind.travel_minutes or CHARGING_TRAVEL_MINUTES
            minutes = default if self.travel_minutes is None else self.travel_minutes
            return 60.0 * minutes
        if self.radius_m is not None:
            return float(self.radius_m)
        return default_radius(self.infrastructure, self.band)

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as a JSON-compatible dict (see :meth:`from_dict`)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, params: Mapping[str, Any]) -> ScenarioSpec:
        """Return the spec described by ``params`` (the output of :meth:`to_dict`).

        Raises
        ------
        ValueError
            If ``params`` has keys that are not parameters, or bad values.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(params) - known)
        if unknown:
            msg = f"params has unknown keys {unknown}; allowed keys are {sorted(known)}"
            raise ValueError(msg)
        return cls(**dict(params))

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True, default=str))


def _objective_supported(objective: str, kind: InfrastructureKind) -> None:
    if objective in kind.objectives:
        return
    others = kinds_for_objective(objective)
    names = ", ".join(k.label_en.lower() for k in others)
    codes = " or ".join(repr(k.code) for k in others)
    msg = (
        f"objective {objective!r} is for {names}, not {kind.label_en.lower()}; "
        f"use infrastructure={codes}"
    )
    raise ValueError(msg)


def _choice(name: str, value: Any, allowed: Sequence[str]) -> None:
    if value not in allowed:
        msg = f"{name} must be one of {tuple(allowed)}, got {value!r}"
        raise ValueError(msg)


def _demand_spec(demand: str | Mapping[str, float]) -> dict[str, float]:
    mix = {demand: 1.0} if isinstance(demand, str) else dict(demand)
    if not mix:
        msg = f"demand must name one of {DEMANDS} or map them to weights; got an empty mapping"
        raise ValueError(msg)
    for key, weight in mix.items():
        if key not in DEMANDS:
            msg = f"demand must use the names {DEMANDS}, got {key!r}"
            raise ValueError(msg)
        if not (math.isfinite(weight) and weight >= 0):
            msg = f"demand weight of {key!r} must be a non-negative number, got {weight!r}"
            raise ValueError(msg)
    if sum(mix.values()) <= 0:
        msg = f"demand weights must not all be zero, got {mix!r}"
        raise ValueError(msg)
    return mix
