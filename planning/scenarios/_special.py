"""Scenario solves beyond one city-wide optimum: equity floors, stages, charging capacity."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

import geodata

from ..models import Solution, SpecificationError, solve_capacitated_coverage
from ..models.equity import solve_equity_coverage
from ..models.staged import solve_staged_coverage
from ._inputs import _capacities, _costs, _pattern, _Problem, size_sites
from .spec import ScenarioSpec


def _labels(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), "-", dtype=object)
    values = frame[column].astype(object)
    return values.where(values.notna() & (values.astype(str) != ""), "-").astype(str).to_numpy()


def site_groups(candidates: gpd.GeoDataFrame, data: geodata.PlanningData, level: str) -> np.ndarray:
    """Return the county (or development zone) each candidate site lies in."""
    if level == "county":
        return _labels(candidates, "county")
    parks = data.parks
    out = np.full(len(candidates), "-", dtype=object)
    if len(parks) == 0 or len(candidates) == 0:
        return out
    joined = gpd.sjoin(
        candidates[[candidates.geometry.name]].reset_index(drop=True),
        parks[["name", parks.geometry.name]].to_crs(candidates.crs),
        how="left",
        predicate="within",
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    names = joined["name"].astype(object)
    ok = names.notna().to_numpy()
    out[ok] = names[ok].astype(str).to_numpy()
    return out


def solve_equity(problem: _Problem, spec: ScenarioSpec, data: geodata.PlanningData) -> Solution:
    """Solve a coverage scenario with per-county (or zone) floors and site counts."""
    n_cand = problem.distances.shape[1]
    cover = _pattern(sp.hstack([problem.distances, problem.existing_dist], format="csr"))
    existing = np.arange(n_cand, cover.shape[1])
    level = spec.equity_level
    groups = _labels(data.enterprises, level)
    sgroups = np.concatenate(
        [site_groups(problem.candidates, data, level), np.full(existing.size, "-", object)]
    )
    kwargs: dict[str, Any] = {}
    if spec.objective == "max_coverage":
        kwargs["n_sites"] = spec.n_sites
    elif spec.objective == "budget":
        kwargs["costs"] = np.concatenate([_costs(problem), np.zeros(existing.size)])
        kwargs["budget"] = spec.budget_cny
    else:
        kwargs["target"] = spec.coverage_target
    counts = spec.min_sites_per_county is not None or spec.max_sites_per_county is not None
    return solve_equity_coverage(
        cover,
        problem.weights,
        existing=existing,
        groups=groups,
        min_share=_as_dict(spec.min_share_per_county),
        site_groups=sgroups if counts else None,
        min_sites_per_group=_as_dict(spec.min_sites_per_county),
        max_sites_per_group=_as_dict(spec.max_sites_per_county),
        time_limit=spec.time_limit,
        **kwargs,
    )


def _as_dict(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value


def solve_staged(problem: _Problem, spec: ScenarioSpec) -> Solution:
    """Solve a staged rollout: nested yearly builds under per-stage limits."""
    n_cand = problem.distances.shape[1]
    cover = _pattern(sp.hstack([problem.distances, problem.existing_dist], format="csr"))
    existing = np.arange(n_cand, cover.shape[1])
    costs = np.concatenate([_costs(problem), np.zeros(existing.size)])
    return solve_staged_coverage(
        cover,
        problem.weights,
        stage_budgets=spec.stage_budgets_cny,
        stage_sites=spec.stage_sites,
        costs=costs if spec.stage_budgets_cny else None,
        existing=existing,
        objective=spec.stage_objective,
        time_limit=spec.time_limit,
    )


def solve_charging_capacity(problem: _Problem, spec: ScenarioSpec) -> Solution:
    """Serve the most charging sessions with N new stations of modular size.

    Each candidate may get up to ``piles_max`` piles; after the solve every
    chosen station is sized to the fewest piles (at least ``piles_min``)
    that carry the sessions allocated to it, so the sessions served are
    those of the exact capacitated model and the pile counts the least that
    deliver them. Existing stations serve with their own piles.
    """
    n_cand = problem.distances.shape[1]
    n_old = problem.existing_ids.size
    if spec.n_sites > n_cand:
        msg = (
            f"n_sites ({spec.n_sites}) exceeds the {n_cand} allowed candidate sites; "
            "lower n_sites or allow more candidate_sources"
        )
        raise SpecificationError(msg)
    cover = _pattern(sp.hstack([problem.distances, problem.existing_dist], format="csr"))
    new_cap, old_cap, per_pile = _capacities(problem, spec)
    capacity = np.concatenate([new_cap, np.zeros(n_old)])
    existing_capacity = np.concatenate([np.zeros(n_cand), old_cap])
    solution = solve_capacitated_coverage(
        cover,
        problem.weights,
        capacity,
        spec.n_sites,
        existing_capacity=existing_capacity,
        forbidden=np.arange(n_cand, n_cand + n_old) if n_old else None,
        time_limit=spec.time_limit,
    )
    allocation = solution.details.get("allocation")
    load = (
        np.asarray(sp.csc_array(allocation).sum(axis=0)).ravel()
        if allocation is not None
        else np.zeros(n_cand + n_old)
    )
    selected = np.asarray(solution.selected, dtype=np.int64)
    selected = selected[selected < n_cand]
    piles, site_capacity = size_sites(load[selected], new_cap[selected], per_pile, spec)
    details = dict(solution.details)
    details["station_piles"] = piles.astype(int)
    details["station_capacity"] = site_capacity
    details["station_sessions"] = load[selected]
    details["sessions_per_pile"] = per_pile
    details["existing_sessions"] = load[n_cand:]
    details["existing_capacity"] = old_cap
    return Solution(
        selected=selected,
        objective=solution.objective,
        bound=solution.bound,
        gap=solution.gap,
        status=solution.status,
        seconds=solution.seconds,
        sense=solution.sense,
        method=solution.method,
        covered=solution.covered,
        assignment=solution.assignment,
        marginal=None,
        details=details,
    )


def capacity_columns(
    proposed: gpd.GeoDataFrame, selected: np.ndarray, solution: Solution, spec: ScenarioSpec
) -> gpd.GeoDataFrame:
    """Add ``piles``, ``sessions``, ``capacity_sessions``, ``utilisation`` and costs."""
    order = {int(j): i for i, j in enumerate(solution.selected)}
    idx = [order[int(j)] for j in selected]
    piles = np.asarray(solution.details["station_piles"])[idx]
    sessions = np.asarray(solution.details["station_sessions"])[idx]
    per_pile = float(solution.details["sessions_per_pile"])
    if "station_capacity" in solution.details:
        cap = np.asarray(solution.details["station_capacity"], dtype=float)[idx]
    else:
        cap = piles * per_pile
    out = proposed.copy()
    # proposed is sorted by build order; map back through the site ids' positions
    position = {int(j): k for k, j in enumerate(selected)}
    ordered = [position[int(j)] for j in proposed["_col"]]
    out["piles"] = piles[ordered].astype(int)
    out["sessions"] = sessions[ordered]
    out["capacity_sessions"] = cap[ordered]
    out["utilisation"] = np.divide(
        sessions[ordered], cap[ordered], out=np.zeros(len(ordered)), where=cap[ordered] > 0
    )
    out["station_cost_cny"] = out["cost_cny"].astype(float)
    if per_pile > 0:  # charging: the station plus its piles
        out["cost_cny"] = out["station_cost_cny"] + out["piles"] * spec.pile_cost_cny
    return out


def stage_columns(
    proposed: gpd.GeoDataFrame, selected: np.ndarray, solution: Solution
) -> gpd.GeoDataFrame:
    """Add the ``stage`` (year, 1 = first) each proposed site is built in."""
    stage_of = dict(
        zip(
            (int(j) for j in solution.selected),
            (int(s) for s in solution.details["stage_of"]),
            strict=True,
        )
    )
    out = proposed.copy()
    out["stage"] = [stage_of[int(j)] for j in out["_col"]]
    return out.sort_values(["stage", "order"], kind="stable")


def target_note(spec: ScenarioSpec, summary: dict[str, Any]) -> str:
    """Return a plain sentence about a coverage target that was not reached, or ''."""
    if spec.objective != "min_sites":
        return ""
    share = summary.get("share_after", math.nan)
    if not share < spec.coverage_target - 1e-9:
        return ""
    return (
        f"target {spec.coverage_target:.0%} not reached: {share:.1%} of demand is covered; "
        f"{summary.get('unreachable_firms', 0)} firms have no candidate or existing site "
        "within reach (listed in result.unreachable)"
    )


def scope_data(data: geodata.PlanningData, spec: ScenarioSpec) -> geodata.PlanningData:
    """Return ``data`` restricted to the spec's counties / zones (demand and candidates)."""
    if spec.counties is None and spec.zones is None:
        return data
    firms = data.enterprises
    sites = data.candidate_sites
    keep_f = np.ones(len(firms), dtype=bool)
    keep_s = np.ones(len(sites), dtype=bool)
    problems = []
    if spec.counties is not None:
        known = set(_labels(firms, "county")) | set(_labels(sites, "county"))
        problems += [
            geodata.Problem(None, "county", "no firm or site lies in this county", c)
            for c in spec.counties
            if c not in known
        ]
        keep_f &= np.isin(_labels(firms, "county"), spec.counties)
        keep_s &= np.isin(_labels(sites, "county"), spec.counties)
    if spec.zones is not None:
        known = set(_labels(data.parks, "name"))
        problems += [
            geodata.Problem(None, "park", "no development zone of this name", z)
            for z in spec.zones
            if z not in known
        ]
        keep_f &= np.isin(_labels(firms, "park"), spec.zones)
        keep_s &= np.isin(site_groups(sites, data, "park"), spec.zones)
    if problems:
        raise geodata.DataError(problems, source="scope")
    return replace(data, enterprises=firms[keep_f], candidate_sites=sites[keep_s])


def kind_summary(spec: ScenarioSpec, problem: _Problem) -> dict[str, Any]:
    """Return what a scenario of a newer kind assumed: distance measure, capacity, fleet.

    5G and charging results carry none of these keys (their summaries are as before).
    """
    kind = spec.kind
    if kind.code in ("5g", "charging"):
        return {}
    out: dict[str, Any] = {"capacity_unit": kind.capacity_unit}
    if spec.distance == "straight":
        out["detour_factor"] = spec.detour()
        out["distance_note"] = (
            f"straight line x {spec.detour():g}" if spec.detour() != 1.0 else "straight line"
        )
    else:
        out["distance_note"] = "along roads" if spec.distance == "road" else "minutes of driving"
    if kind.capacity == "kg_per_day":
        out["h2_fleet_assumed"] = bool(problem.h2_assumed)
    return out


def extra_summary(
    spec: ScenarioSpec,
    problem: _Problem,
    solution: Solution,
    proposed: gpd.GeoDataFrame,
    site_dist: np.ndarray,
    weights: np.ndarray,
) -> dict[str, Any]:
    """Return the summary figures of radii, p-median distances, capacity, equity and stages."""
    out: dict[str, Any] = kind_summary(spec, problem)
    if spec.kind.service == "link_budget":
        out["radius_model"] = "link_budget" if spec.uses_link_budget() else "fixed"
        if problem.radii is not None and problem.radii.size:
            out["radius_min_m"] = float(problem.radii.min())
            out["radius_median_m"] = float(np.median(problem.radii))
            out["radius_max_m"] = float(problem.radii.max())
    if spec.objective == "min_distance":
        ok = np.isfinite(site_dist) & (weights > 0)
        out["max_distance_m"] = float(site_dist[ok].max()) if ok.any() else math.nan
    if spec.objective == "capacitated":
        d = solution.details
        total = float(weights.sum())
        out["sessions_total"] = total
        out["sessions_served"] = float(solution.objective)
        out["share_sessions_served"] = float(solution.objective) / total if total else math.nan
        out["piles"] = int(proposed["piles"].sum()) if len(proposed) else 0
        cap = float(proposed["capacity_sessions"].sum()) if len(proposed) else 0.0
        new_load = float(proposed["sessions"].sum()) if len(proposed) else 0.0
        out["utilisation_new"] = new_load / cap if cap > 0 else math.nan
        old_cap = float(np.sum(d.get("existing_capacity", 0.0)))
        old_load = float(np.sum(d.get("existing_sessions", 0.0)))
        out["utilisation_existing"] = old_load / old_cap if old_cap > 0 else math.nan
        out["unservable_sessions"] = float(d.get("unservable_demand", math.nan))
    if spec.equity:
        groups = solution.details["groups"]
        out["floors_met"] = bool(solution.details["floors_met"])
        short = groups[~groups["met"].astype(bool)]
        if len(short):
            out["floors_not_met"] = ", ".join(
                f"{g} {s:.1%} (best {b:.1%})"
                for g, s, b in zip(short["group"], short["share"], short["best_share"], strict=True)
            )
    if spec.staged:
        out["stages"] = len(solution.details["stages"])
    return out
