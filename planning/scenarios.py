"""Siting scenarios: a planner's question, the model that answers it, and the result.

A :class:`ScenarioSpec` states the question in planning terms (build 5G base
stations or charging stations; cover the most demand with N sites or within a
budget, reach a coverage target with the fewest sites, or minimise the
average distance; what demand means; which candidate sites are allowed;
whether existing sites count). :func:`run_scenario` turns it into a coverage
or distance matrix, calls the matching solver of :mod:`planning`, and returns a
:class:`ScenarioResult` with the proposed sites, the firms they newly serve,
before/after indicators per county and development zone, and a trade-off
curve. :func:`compare_scenarios` puts several results side by side.

Objectives
----------
``"max_coverage"``
    Maximal covering location problem: the ``n_sites`` new sites that cover
    the most demand weight (:func:`planning.solve_mclp`).
``"budget"``
    The same, with each candidate's ``cost_cny`` and a total budget
    ``budget_cny`` instead of a number of sites.
``"min_sites"``
    Set covering: the fewest new sites that bring covered demand to
    ``coverage_target`` (a share of all demand weight) or, when that is out of
    reach, cover all coverable demand (:func:`planning.solve_lscp`).
``"min_distance"``
    p-median: ``n_sites`` new sites minimising the total demand-weighted
    distance from each firm to its nearest site, counting only pairs within
    the service radius (:func:`planning.solve_pmedian` on a sparse
    distance-within-cutoff matrix). Firms with no candidate or existing site
    within the radius are left out and reported as unreachable; a reachable
    firm that no chosen site serves costs :data:`UNSERVED_PENALTY` times the
    radius, so the model first serves as much demand as it can.

Demand
------
``"firms"`` counts every enterprise once; ``"employees"``, ``"output_value"``,
``"energy_use"`` and ``"ev_fleet"`` weight each firm by that column. A mapping
``{column: weight}`` mixes columns: each column is first divided by its total
(so it sums to 1 over all firms; ``"firms"`` is the uniform 1/n) and the
normalised columns are added with the given weights, themselves rescaled to
sum to 1. A mix therefore has total weight 1 and is independent of the units
of its columns.

Service radius
--------------
The default radii are planning-level estimates, not engineering standards;
pass ``radius_m`` to use your own. For 5G they are rounded from the median
urban-macro NLOS cell radius of the 3GPP TR 38.901 path-loss model at a
130 dB link budget (about 1.15 km at 700 MHz, 585 m at 2.6 GHz, 500 m at
3.5 GHz and 420 m at 4.9 GHz), a little smaller at the higher bands to leave
room for building penetration. For charging, 2 km (or 5 minutes' drive)
suits industrial parks; urban-core plans aim at under 1 km. Existing base
stations always cover their own ``radius_m``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from pyproj import CRS

import geodata

from ._layers import layer_xy, operational_base_stations, resolve_crs
from .distances import coverage_matrix, distance_matrix, prepare_roads, road_distance_matrix
from .models import (
    Solution,
    SpecificationError,
    budget_curve,
    coverage_curve,
    relative_gap,
    solve_lscp,
    solve_mclp,
    solve_pmedian,
)

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


def demand_weights(enterprises: pd.DataFrame, demand: str | Mapping[str, float]) -> np.ndarray:
    """Return the demand weight of each enterprise.

    Parameters
    ----------
    enterprises
        The enterprises layer.
    demand
        One of :data:`DEMANDS` or a mapping of them to mixing weights. A single
        name gives the raw column (``"firms"``: 1 per firm); a mapping gives
        the weighted sum of the columns each divided by its total, with the
        mixing weights rescaled to sum to 1.

    Returns
    -------
    numpy.ndarray
        Non-negative float weights, one per enterprise.

    Raises
    ------
    geodata.DataError
        If a column used is missing, negative or sums to zero.
    """
    mix = _demand_spec(demand)
    n = len(enterprises)
    columns: dict[str, np.ndarray] = {}
    problems = []
    for key in mix:
        if key == "firms":
            columns[key] = np.ones(n)
            continue
        if key not in enterprises:
            problems.append(geodata.Problem(None, key, "column needed for this demand is missing"))
            continue
        values = pd.to_numeric(enterprises[key], errors="coerce").fillna(0.0).to_numpy(float)
        bad = np.flatnonzero(values < 0)
        problems += [
            geodata.Problem(int(i) + 1, key, "demand must not be negative", str(values[i]))
            for i in bad[:20]
        ]
        columns[key] = values
    if problems:
        raise geodata.DataError(problems, source="enterprises")
    if isinstance(demand, str):
        if n and columns[demand].sum() <= 0:
            message = "column is zero for every firm, so there is no demand to serve"
            raise geodata.DataError([geodata.Problem(None, demand, message)], source="enterprises")
        return columns[demand]
    total_weight = sum(mix.values())
    weights = np.zeros(n)
    for key, share in mix.items():
        if share == 0:
            continue
        total = columns[key].sum()
        if total <= 0:
            problem = geodata.Problem(None, key, "column sums to zero, so it cannot be mixed")
            raise geodata.DataError([problem], source="enterprises")
        weights += (share / total_weight) * columns[key] / total
    return weights


@dataclass(frozen=True)
class ScenarioResult:
    """What a scenario proposes and what it changes.

    Parameters
    ----------
    spec
        The question asked.
    solution
        The solver's answer; its site indices refer to the allowed candidate
        sites in their row order in ``data.candidate_sites``.
    proposed_sites
        The chosen candidate rows (EPSG:4326) with ``order`` (1 = build first:
        the greedy order of largest additional coverage), ``gain`` (demand
        weight each adds in that order), ``marginal`` (weight lost if that site
        alone were dropped), ``firms_covered`` (firms within its radius) and
        ``firms_new`` (firms it newly serves when built in that order).
    served
        The enterprises with ``weight``, ``covered_before``, ``covered_after``,
        ``newly_served``, ``site`` (id of the proposed or existing site that
        serves the firm) and ``distance_m`` (distance to it in metres), or
        ``travel_time_s`` (driving time to it in seconds) for ``road_time``.
    indicators
        Before/after figures per county, per development zone and in total
        (index: ``level``, ``group``).
    curve
        Best covered demand within the service radius against the number of
        new sites (``sites``) or the budget (``budget_cny``): ``covered``
        weight, its upper ``bound``, ``gap``, ``status`` and ``share`` of all
        demand (for ``"min_distance"`` too, as coverage within the radius).
    summary
        Headline figures: sites, cost, covered weight and share before and
        after, objective, bound, gap, status, seconds and more.
    """

    spec: ScenarioSpec
    solution: Solution
    proposed_sites: gpd.GeoDataFrame
    served: gpd.GeoDataFrame
    indicators: pd.DataFrame
    curve: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Name of the scenario."""
        return self.spec.name


@dataclass
class _Problem:
    """A scenario turned into arrays."""

    weights: np.ndarray
    candidates: gpd.GeoDataFrame
    distances: sp.csr_array  # firms x candidates, within the service radius
    before: np.ndarray  # per firm: served by an existing site
    existing_ids: np.ndarray  # ids of the existing sites used
    existing_dist: sp.csr_array  # firms x existing sites, within the radius
    crs: Any


def run_scenario(
    data: geodata.PlanningData,
    spec: ScenarioSpec,
    *,
    progress: Progress | None = None,
) -> ScenarioResult:
    """Answer a siting question on a planning area.

    Parameters
    ----------
    data
        The planning area: its enterprises are the demand and its
        ``candidate_sites`` of the spec's infrastructure the allowed sites.
    spec
        The question.
    progress
        Called as ``progress(fraction, message)`` while the scenario runs
        (fraction in [0, 1], message one of :data:`PROGRESS_MESSAGES`), e.g.
        to drive a progress bar.

    Returns
    -------
    ScenarioResult
        The proposal, its effect and the trade-off curve.

    Raises
    ------
    geodata.DataError
        If the data cannot support the scenario (no enterprises, no allowed
        candidate sites, a missing demand column, no road network for a road
        distance).
    planning.SpecificationError
        If the solver finds the question infeasible as stated.
    """
    started = time.perf_counter()
    report = _reporter(progress)
    report(0.0, "preparing data")
    problem = _prepare(data, spec, report)
    report(0.35, "solving")
    solution = _solve(problem, spec)
    report(0.7, "trade-off curve")
    curve = _curve(problem, spec, solution)
    report(0.9, "assembling results")
    result = _assemble(data, spec, problem, solution, curve, started)
    report(1.0, "done")
    return result


def _reporter(progress: Progress | None) -> Progress:
    if progress is None:
        return lambda fraction, message: None
    if not callable(progress):
        msg = f"progress must be a callable(fraction, message) or None, got {progress!r}"
        raise TypeError(msg)
    return progress


def _prepare(data: geodata.PlanningData, spec: ScenarioSpec, report: Progress) -> _Problem:
    firms = data.enterprises
    if len(firms) == 0:
        raise geodata.DataError(
            [geodata.Problem(None, None, "no enterprises: load the enterprises layer first")],
            source="enterprises",
        )
    weights = demand_weights(firms, spec.demand)
    candidates = _allowed_candidates(data, spec)
    crs = resolve_crs(data)
    radius = spec.service_radius()
    firm_xy = layer_xy(firms, crs)
    report(0.1, "preparing data")
    roads = _road_graph(data, spec)
    distances = _distances(firms, candidates, crs, radius, spec, roads)
    report(0.25, "preparing data")
    before = np.zeros(len(firms), dtype=bool)
    existing_ids = np.empty(0, dtype=object)
    existing_dist = sp.csr_array((len(firms), 0), dtype=float)
    if spec.count_existing:
        if spec.infrastructure == "5g":
            stations = operational_base_stations(data)
            cover = coverage_matrix(
                firm_xy, layer_xy(stations, crs), stations["radius_m"].to_numpy(float), crs=crs
            )
            existing_ids = stations["id"].astype(str).to_numpy(dtype=object)
            existing_dist = _cover_as_distance(firm_xy, layer_xy(stations, crs), cover)
        else:
            stations = data.charging_stations
            existing_ids = stations["id"].astype(str).to_numpy(dtype=object)
            existing_dist = _distances(firms, stations, crs, radius, spec, roads)
        before = np.diff(existing_dist.indptr) > 0
    return _Problem(weights, candidates, distances, before, existing_ids, existing_dist, crs)


def _allowed_candidates(data: geodata.PlanningData, spec: ScenarioSpec) -> gpd.GeoDataFrame:
    sites = data.candidate_sites
    mask = sites["infrastructure"].astype(str) == spec.infrastructure
    if spec.candidate_sources is not None:
        source = sites["source"] if "source" in sites else pd.Series("other", index=sites.index)
        mask &= source.fillna("other").astype(str).isin(spec.candidate_sources)
    allowed = sites[mask.to_numpy()]
    if len(allowed) == 0:
        sources = "any source" if spec.candidate_sources is None else list(spec.candidate_sources)
        message = (
            f"no candidate sites for infrastructure {spec.infrastructure!r} from {sources}: "
            "add candidate sites or allow more candidate_sources"
        )
        raise geodata.DataError(
            [geodata.Problem(None, "source", message)], source="candidate_sites"
        )
    if spec.objective == "budget":
        costs = pd.to_numeric(allowed["cost_cny"], errors="coerce")
        bad = np.flatnonzero(~np.isfinite(costs.to_numpy(float)) | (costs.to_numpy(float) < 0))
        if bad.size:
            problems = [
                geodata.Problem(
                    None,
                    "cost_cny",
                    "a budget scenario needs a non-negative cost for every site",
                    str(allowed["id"].iloc[i]),
                )
                for i in bad[:20]
            ]
            raise geodata.DataError(problems, source="candidate_sites")
    return allowed


def _road_graph(data: geodata.PlanningData, spec: ScenarioSpec) -> Any:
    """Return ``(prepared road network, its CRS)`` for a road distance, or None."""
    if spec.distance == "straight":
        return None
    if data.roads is None:
        message = f"distance={spec.distance!r} needs a road network; load roads or use 'straight'"
        raise geodata.DataError([geodata.Problem(None, None, message)], source="roads")
    weight = "travel_time" if spec.distance == "road_time" else "length"
    crs = data.roads.graph.get("crs", "EPSG:4326")
    return prepare_roads(data.roads, weight=weight), crs


def _distances(
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    crs: Any,
    radius: float,
    spec: ScenarioSpec,
    roads: Any,
) -> sp.csr_array:
    """Return firm-to-site distances within ``radius`` (straight or by road)."""
    if spec.distance == "straight":
        return sp.csr_array(
            distance_matrix(layer_xy(demand, crs), layer_xy(sites, crs), radius, crs=crs)
        )
    if len(sites) == 0:
        return sp.csr_array((len(demand), 0), dtype=float)
    network, road_crs = roads
    road_crs = CRS.from_user_input(road_crs)
    return sp.csr_array(
        road_distance_matrix(
            network,
            layer_xy(demand, road_crs),
            layer_xy(sites, road_crs),
            radius,
            weight=network.weight,
        )
    )


def _cover_as_distance(
    firm_xy: np.ndarray, site_xy: np.ndarray, cover: sp.csr_array
) -> sp.csr_array:
    """Return the planar distances on the pattern of a coverage matrix."""
    cover = sp.csr_array(cover)
    rows = np.repeat(np.arange(cover.shape[0]), np.diff(cover.indptr))
    cols = cover.indices
    dist = np.hypot(*(firm_xy[rows] - site_xy[cols]).T)
    return sp.csr_array((dist, cols.copy(), cover.indptr.copy()), shape=cover.shape)


def _pattern(dist: sp.csr_array) -> sp.csr_array:
    return sp.csr_array(
        (np.ones(dist.indices.size, dtype=bool), dist.indices, dist.indptr), shape=dist.shape
    )


def _solve(problem: _Problem, spec: ScenarioSpec) -> Solution:
    n_cand = problem.distances.shape[1]
    if spec.objective in ("max_coverage", "min_distance") and spec.n_sites > n_cand:
        msg = (
            f"n_sites ({spec.n_sites}) exceeds the {n_cand} allowed candidate sites; "
            "lower n_sites or allow more candidate_sources"
        )
        raise SpecificationError(msg)
    w = problem.weights
    existing = np.arange(n_cand, n_cand + problem.existing_ids.size)
    if spec.objective == "min_distance":
        return _solve_pmedian(problem, spec)
    cover = _pattern(sp.hstack([problem.distances, problem.existing_dist], format="csr"))
    if spec.objective == "min_sites":
        return solve_lscp(
            cover,
            weights=w,
            target=spec.coverage_target,
            existing=existing,
            time_limit=spec.time_limit,
        )
    if spec.objective == "max_coverage":
        return solve_mclp(cover, w, spec.n_sites, existing=existing, time_limit=spec.time_limit)
    costs = np.concatenate([_costs(problem), np.zeros(existing.size)])
    return solve_mclp(
        cover,
        w,
        None,
        costs=costs,
        budget=spec.budget_cny,
        existing=existing,
        time_limit=spec.time_limit,
    )


def _costs(problem: _Problem) -> np.ndarray:
    return pd.to_numeric(problem.candidates["cost_cny"], errors="coerce").fillna(0).to_numpy(float)


def _solve_pmedian(problem: _Problem, spec: ScenarioSpec) -> Solution:
    """Solve the p-median on the reachable firms with an "unserved" pseudo-site.

    Every firm within the radius of some candidate or existing site is
    included; the pseudo-site (always open) serves any of them at
    :data:`UNSERVED_PENALTY` times the radius, so that a firm no chosen site
    reaches costs more than any served one but the model stays feasible.
    """
    n_cand = problem.distances.shape[1]
    n_old = problem.existing_ids.size
    reach = np.diff(problem.distances.indptr) + np.diff(problem.existing_dist.indptr) > 0
    rows = np.flatnonzero(reach & (problem.weights > 0))
    penalty = UNSERVED_PENALTY * spec.service_radius()
    if rows.size == 0:
        # no firm with demand is within reach of any site: every choice is as good
        return Solution(
            selected=np.empty(0, dtype=np.int64),
            objective=0.0,
            bound=0.0,
            gap=0.0,
            status="optimal",
            seconds=0.0,
            sense="min",
            method="no reachable demand",
            details={"pmedian_rows": rows, "unserved_penalty": penalty},
        )
    dummy = sp.csr_array(np.full((rows.size, 1), penalty))
    cost = sp.hstack([problem.distances[rows], problem.existing_dist[rows], dummy], format="csr")
    required = np.arange(n_cand, n_cand + n_old + 1)
    solution = solve_pmedian(
        cost,
        problem.weights[rows],
        spec.n_sites + required.size,
        required=required,
        time_limit=spec.time_limit,
    )
    selected = np.asarray(solution.selected)
    keep = selected < n_cand
    marginal = None if solution.marginal is None else np.asarray(solution.marginal)[keep]
    details = dict(solution.details)
    details["pmedian_rows"] = rows
    details["unserved_penalty"] = penalty
    if solution.assignment is not None:
        details["pmedian_assignment"] = np.asarray(solution.assignment)
    return replace(solution, selected=selected[keep], marginal=marginal, details=details)


def _curve(problem: _Problem, spec: ScenarioSpec, solution: Solution) -> pd.DataFrame:
    """Return covered demand against the number of sites (or the budget).

    At most :data:`CURVE_POINTS` points, solved exactly by
    :mod:`planning.models.tradeoff` with together about half the scenario's time
    limit; each row keeps its bound and gap. The point of the proposal
    itself reports the better of the curve's and the proposal's coverage.
    """
    n_cand = problem.distances.shape[1]
    cover = _pattern(sp.hstack([problem.distances, problem.existing_dist], format="csr"))
    existing = np.arange(n_cand, cover.shape[1])
    w = problem.weights
    selected = np.asarray(solution.selected, dtype=np.int64)
    achieved = float(
        w[problem.before | (_pattern(problem.distances)[:, selected].sum(axis=1) > 0)].sum()
    )
    if spec.objective == "budget":
        budget = float(spec.budget_cny or 0.0)
        limits = np.unique(np.linspace(0.0, budget, CURVE_POINTS))
        x_name = "budget_cny"
    else:
        top = len(selected) if spec.objective == "min_sites" else max(spec.n_sites, len(selected))
        top = min(top, n_cand)
        limits = np.unique(np.round(np.linspace(0, top, min(CURVE_POINTS, top + 1))).astype(int))
        x_name = "sites"
    per_point = (spec.time_limit or DEFAULT_CURVE_SECONDS) / (2 * len(limits))
    if spec.objective == "budget":
        costs = np.concatenate([_costs(problem), np.zeros(existing.size)])
        raw = budget_curve(cover, w, costs, limits, existing=existing, time_limit=per_point)
    else:
        raw = coverage_curve(cover, w, limits, existing=existing, time_limit=per_point)
    curve = pd.DataFrame(
        {
            x_name: limits,
            "covered": raw["objective"].to_numpy(float),
            "bound": raw["bound"].to_numpy(float),
            "status": raw["status"].to_numpy(),
        }
    )
    at = len(selected) if x_name == "sites" else float(spec.budget_cny or 0.0)
    row = curve[x_name] == at
    curve.loc[row, "covered"] = np.maximum(curve.loc[row, "covered"], achieved)
    curve["gap"] = [
        relative_gap(o, b) for o, b in zip(curve["covered"], curve["bound"], strict=True)
    ]
    total = float(w.sum())
    curve["share"] = curve["covered"] / total if total > 0 else np.nan
    return curve


def _assemble(
    data: geodata.PlanningData,
    spec: ScenarioSpec,
    problem: _Problem,
    solution: Solution,
    curve: pd.DataFrame,
    started: float,
) -> ScenarioResult:
    n_cand = problem.distances.shape[1]
    selected = np.asarray(solution.selected, dtype=np.int64)
    selected = np.sort(selected[selected < n_cand])
    w = problem.weights
    before = problem.before
    dist_sel = sp.csr_array(problem.distances[:, selected])
    reach_new = np.diff(dist_sel.indptr) > 0
    after = before | reach_new
    site_ids = problem.candidates["id"].astype(str).to_numpy(dtype=object)[selected]
    site, site_dist = _nearest_serving(
        dist_sel, site_ids, problem.existing_dist, problem.existing_ids
    )

    served = data.enterprises.copy()
    served["weight"] = w
    served["covered_before"] = before
    served["covered_after"] = after
    served["newly_served"] = after & ~before
    served["site"] = site
    time_based = spec.distance == "road_time"
    served["travel_time_s" if time_based else "distance_m"] = site_dist

    proposed = _proposed_sites(problem, selected, dist_sel)
    indicators = _indicators(served, w)
    total = float(w.sum())
    cost = float(problem.candidates["cost_cny"].to_numpy(float)[selected].sum())
    coverable = before | (np.diff(problem.distances.indptr) > 0)
    served_w = float(w[after].sum())
    summary = {
        "name": spec.name,
        "infrastructure": spec.infrastructure,
        "objective": spec.objective,
        "sites": int(selected.size),
        "cost_cny": cost,
        "radius": spec.service_radius(),
        "radius_unit": "s" if time_based else "m",
        "existing_sites": int(problem.existing_ids.size),
        "candidates": int(n_cand),
        "firms": len(served),
        "firms_before": int(before.sum()),
        "firms_after": int(after.sum()),
        "firms_newly_served": int((after & ~before).sum()),
        "unreachable_firms": int((~coverable).sum()),
        "unserved_firms": int((~after).sum()),
        "weight_total": total,
        "covered_before": float(w[before].sum()),
        "covered_after": served_w,
        "share_before": float(w[before].sum()) / total if total > 0 else math.nan,
        "share_after": served_w / total if total > 0 else math.nan,
        ("mean_travel_time_s" if time_based else "mean_distance_m"): _mean_distance(site_dist, w),
        "objective_value": float(solution.objective),
        "bound": float(solution.bound),
        "gap": float(solution.gap),
        "status": solution.status,
        "method": solution.method,
        "solver_seconds": float(solution.seconds),
        "seconds": time.perf_counter() - started,
    }
    return ScenarioResult(spec, solution, proposed, served, indicators, curve, summary)


def _nearest_serving(
    new: sp.csr_array, new_ids: np.ndarray, old: sp.csr_array, old_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    both = sp.hstack([new, old], format="csr")
    ids = np.concatenate([new_ids, old_ids]).astype(object)
    n = both.shape[0]
    site = np.full(n, None, dtype=object)
    dist = np.full(n, np.nan)
    counts = np.diff(both.indptr)
    rows = np.flatnonzero(counts)
    if rows.size:
        # smallest stored value per row: sort entries by (row, value)
        row_of = np.repeat(np.arange(n), counts)
        order = np.lexsort((both.data, row_of))
        first = order[both.indptr[rows]]
        site[rows] = ids[both.indices[first]]
        dist[rows] = both.data[first]
    return site, dist


def _mean_distance(dist: np.ndarray, w: np.ndarray) -> float:
    ok = np.isfinite(dist)
    if not ok.any() or w[ok].sum() <= 0:
        return math.nan
    return float(np.average(dist[ok], weights=w[ok]))


def _proposed_sites(
    problem: _Problem, selected: np.ndarray, dist_sel: sp.csr_array
) -> gpd.GeoDataFrame:
    w = problem.weights
    cover = sp.csc_array(_pattern(dist_sel))
    done = problem.before.copy()
    order = np.zeros(selected.size, dtype=np.int64)
    gain = np.zeros(selected.size)
    firms_new = np.zeros(selected.size, dtype=np.int64)
    left = list(range(selected.size))
    cols = [cover.indices[cover.indptr[j] : cover.indptr[j + 1]] for j in range(selected.size)]
    for step in range(1, selected.size + 1):
        gains = [float(w[cols[j]][~done[cols[j]]].sum()) for j in left]
        best = left[int(np.argmax(gains))]
        order[best] = step
        gain[best] = max(gains)
        firms_new[best] = int((~done[cols[best]]).sum())
        done[cols[best]] = True
        left.remove(best)
    n_cover = np.asarray(cover.sum(axis=1)).ravel()
    unique = (n_cover == 1) & ~problem.before
    marginal = np.array([float(w[c][unique[c]].sum()) for c in cols])
    out = problem.candidates.iloc[selected].copy()
    out["order"] = order
    out["gain"] = gain
    out["marginal"] = marginal
    out["firms_covered"] = [c.size for c in cols]
    out["firms_new"] = firms_new
    return out.sort_values("order", kind="stable")


def _indicators(served: pd.DataFrame, w: np.ndarray) -> pd.DataFrame:
    parts = pd.DataFrame(
        {
            "firms": 1,
            "firms_before": served["covered_before"].astype(int).to_numpy(),
            "firms_after": served["covered_after"].astype(int).to_numpy(),
            "weight": w,
            "weight_before": np.where(served["covered_before"], w, 0.0),
            "weight_after": np.where(served["covered_after"], w, 0.0),
        },
        index=served.index,
    )
    frames = []
    for level in ("county", "park"):
        if level not in served:
            continue
        key = served[level].astype(object)
        key = key.where(key.notna() & (key.astype(str) != ""), "-").astype(str)
        sums = parts.groupby(key.to_numpy()).sum()
        sums.index = pd.MultiIndex.from_product([[level], sums.index], names=["level", "group"])
        frames.append(sums)
    total = parts.sum().to_frame().T
    total.index = pd.MultiIndex.from_tuples([("total", "total")], names=["level", "group"])
    frames.append(total)
    out = pd.concat(frames)
    for col in ("firms", "firms_before", "firms_after"):
        out[col] = out[col].astype("int64")
    firms = out["firms"].astype(float).where(out["firms"] > 0)
    weight = out["weight"].where(out["weight"] > 0)
    out["share_firms_before"] = out["firms_before"] / firms
    out["share_firms_after"] = out["firms_after"] / firms
    out["share_before"] = out["weight_before"] / weight
    out["share_after"] = out["weight_after"] / weight
    out["change"] = out["share_after"] - out["share_before"]
    return out


def compare_scenarios(results: Iterable[ScenarioResult]) -> dict[str, pd.DataFrame]:
    """Put several scenario results side by side.

    Parameters
    ----------
    results
        Two or more results with distinct names.

    Returns
    -------
    dict of pandas.DataFrame
        ``"summary"``: one row per scenario (sites, cost, shares before and
        after, gap, status, sites in common with all others and only in this
        one); ``"indicators"``: share after per county/zone (one column per
        scenario, plus ``share_before`` of the first, and ``"<name> (before)"``
        for a scenario whose starting point differs, e.g. other
        infrastructure or demand); ``"sites"``: one row per
        proposed site id with one boolean column per scenario and ``in``
        (how many scenarios propose it).
    """
    results = list(results)
    if not results:
        msg = "results must hold at least one ScenarioResult"
        raise ValueError(msg)
    names = [r.name for r in results]
    if len(set(names)) != len(names):
        msg = f"results must have distinct names to be compared, got {names}"
        raise ValueError(msg)
    sets = {r.name: set(r.proposed_sites["id"].astype(str)) for r in results}
    common = set.intersection(*sets.values())
    rows = []
    for r in results:
        s = r.summary
        others = set().union(*(v for k, v in sets.items() if k != r.name))
        rows.append(
            {
                "scenario": r.name,
                "infrastructure": r.spec.infrastructure,
                "objective": r.spec.objective,
                "sites": s["sites"],
                "cost_cny": s["cost_cny"],
                "share_before": s["share_before"],
                "share_after": s["share_after"],
                "firms_newly_served": s["firms_newly_served"],
                "gap": s["gap"],
                "status": s["status"],
                "sites_in_common": len(common),
                "sites_only_here": len(sets[r.name] - others),
            }
        )
    summary = pd.DataFrame(rows).set_index("scenario")
    first = results[0].indicators["share_before"]
    indicators = first.to_frame()
    for r in results:
        before = r.indicators["share_before"].reindex(first.index)
        if not np.allclose(before.fillna(-1), first.fillna(-1)):
            indicators[f"{r.name} (before)"] = before
        indicators[r.name] = r.indicators["share_after"]
    all_ids = sorted(set().union(*sets.values()))
    sites = pd.DataFrame({name: [i in ids for i in all_ids] for name, ids in sets.items()})
    sites.index = pd.Index(all_ids, name="id")
    sites["in"] = sites.sum(axis=1)
    return {"summary": summary, "indicators": indicators, "sites": sites}
