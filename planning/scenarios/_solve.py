"""Calling the solver that answers a scenario, and its trade-off curve."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..models import (
    Solution,
    SpecificationError,
    budget_curve,
    coverage_curve,
    relative_gap,
    solve_lscp,
    solve_mclp,
    solve_pmedian,
)
from ._inputs import _costs, _pattern, _Problem
from .spec import CURVE_POINTS, DEFAULT_CURVE_SECONDS, UNSERVED_PENALTY, ScenarioSpec


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
    longest = spec.service_radius() if problem.radii is None else float(problem.radii.max())
    penalty = UNSERVED_PENALTY * longest
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
        budget = float(spec.budget_cny or sum(spec.stage_budgets_cny or ()) or 0.0)
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
    at = (
        len(selected)
        if x_name == "sites"
        else float(spec.budget_cny or sum(spec.stage_budgets_cny or ()) or 0.0)
    )
    row = curve[x_name] == at
    curve.loc[row, "covered"] = np.maximum(curve.loc[row, "covered"], achieved)
    curve["gap"] = [
        relative_gap(o, b) for o, b in zip(curve["covered"], curve["bound"], strict=True)
    ]
    total = float(w.sum())
    curve["share"] = curve["covered"] / total if total > 0 else np.nan
    return curve
