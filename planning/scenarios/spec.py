"""The siting question: :class:`ScenarioSpec`, its choices and default radii."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal, get_args

Infrastructure = Literal["5g", "charging"]
Objective = Literal["max_coverage", "budget", "min_sites", "min_distance"]
DistanceMode = Literal["straight", "road", "road_time"]
Progress = Callable[[float, str], Any]

INFRASTRUCTURES: tuple[str, ...] = get_args(Infrastructure)
OBJECTIVES: tuple[str, ...] = get_args(Objective)
DISTANCES: tuple[str, ...] = get_args(DistanceMode)
DEMANDS = ("firms", "employees", "output_value", "energy_use", "ev_fleet")
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

CHARGING_RADIUS_M = 2000.0
"""Default charging-station service radius in metres (straight line or road, est.)."""

CHARGING_TRAVEL_MINUTES = 5.0
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
        ``"5g"`` or ``"charging"``.
    band
        5G band (one of ``geodata.schema.BANDS``); None uses
        :data:`DEFAULT_5G_BAND`. Ignored for charging.

    Returns
    -------
    float
        :data:`RADIUS_5G_M` of the band, or :data:`CHARGING_RADIUS_M`.
    """
    if infrastructure == "charging":
        return CHARGING_RADIUS_M
    if infrastructure != "5g":
        msg = f"infrastructure must be one of {INFRASTRUCTURES}, got {infrastructure!r}"
        raise ValueError(msg)
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
        ``"5g"`` (new base stations) or ``"charging"`` (new charging stations).
    objective
        ``"max_coverage"``, ``"budget"``, ``"min_sites"`` or
        ``"min_distance"`` (see the module documentation).
    n_sites
        Number of new sites (``"max_coverage"``, ``"min_distance"``).
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
        ``data.roads``) or ``"road_time"`` (driving time along ``data.roads``).
        Radio coverage is a straight-line notion, so 5G needs ``"straight"``.
    time_limit
        Seconds the solver may spend; the best answer found and its gap are
        returned when it runs out. The trade-off curve gets about half as
        much again. None for no limit on the solver (the curve then gets
        half of :data:`DEFAULT_CURVE_SECONDS`).
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
    distance: DistanceMode = "straight"
    time_limit: float | None = 30.0

    def __post_init__(self) -> None:
        if self.candidate_sources is not None and not isinstance(self.candidate_sources, tuple):
            sources = (self.candidate_sources,) if isinstance(self.candidate_sources, str) else None
            object.__setattr__(self, "candidate_sources", sources or tuple(self.candidate_sources))
        if isinstance(self.demand, Mapping):
            object.__setattr__(self, "demand", {str(k): float(v) for k, v in self.demand.items()})
        self._check()

    def _check(self) -> None:
        _choice("infrastructure", self.infrastructure, INFRASTRUCTURES)
        _choice("objective", self.objective, OBJECTIVES)
        _choice("distance", self.distance, DISTANCES)
        if self.infrastructure == "5g" and self.distance != "straight":
            msg = (
                "distance must be 'straight' for 5G (radio coverage does not follow roads), "
                f"got {self.distance!r}"
            )
            raise ValueError(msg)
        if self.objective in ("max_coverage", "min_distance"):
            if isinstance(self.n_sites, bool) or int(self.n_sites) != self.n_sites:
                msg = f"n_sites must be a whole number of sites, got {self.n_sites!r}"
                raise ValueError(msg)
            if self.n_sites < 1:
                msg = f"n_sites must be at least 1 for objective {self.objective!r}"
                raise ValueError(msg)
        if self.objective == "budget" and (
            self.budget_cny is None or not math.isfinite(self.budget_cny) or self.budget_cny <= 0
        ):
            msg = (
                "budget_cny must be a positive amount in CNY for objective 'budget', "
                f"got {self.budget_cny!r}"
            )
            raise ValueError(msg)
        if not 0 < self.coverage_target <= 1:
            msg = f"coverage_target must be a share in (0, 1], got {self.coverage_target!r}"
            raise ValueError(msg)
        for name in ("radius_m", "travel_minutes"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0):
                msg = f"{name} must be a positive number or None, got {value!r}"
                raise ValueError(msg)
        if self.band is not None:
            default_radius("5g", self.band)
        if self.time_limit is not None and not self.time_limit > 0:
            msg = (
                f"time_limit must be a positive number of seconds or None, got {self.time_limit!r}"
            )
            raise ValueError(msg)
        _demand_spec(self.demand)

    def service_radius(self) -> float:
        """Return the service radius: metres, or seconds for ``distance="road_time"``."""
        if self.distance == "road_time":
            minutes = (
                CHARGING_TRAVEL_MINUTES if self.travel_minutes is None else self.travel_minutes
            )
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
        items = self.to_dict()
        items["demand"] = (
            tuple(sorted(items["demand"].items()))
            if isinstance(items["demand"], dict)
            else items["demand"]
        )
        if items["candidate_sources"] is not None:
            items["candidate_sources"] = tuple(items["candidate_sources"])
        return hash(tuple(items.items()))


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
