"""Running a scenario: :func:`run_scenario` and its :class:`ScenarioResult`."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

import geodata

from ..models import (
    Solution,
)
from ._corridors import (
    Corridors,
    build_corridors,
    corridor_curve,
    corridor_sites,
    corridor_summary,
    corridor_table,
    solve_corridors,
)
from ._inputs import _pattern, _prepare, _Problem
from ._models import (
    key_firm_data,
    model_curve,
    model_served,
    model_sites,
    model_summary,
    solve_model,
)
from ._solve import _curve, _solve
from ._special import (
    capacity_columns,
    extra_summary,
    scope_data,
    solve_charging_capacity,
    solve_equity,
    solve_staged,
    stage_columns,
    target_note,
)
from .spec import MODEL_OBJECTIVES, Progress, ScenarioSpec


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
        after, objective, bound, gap, status, seconds and more; for a
        coverage target that is out of reach, ``target_reached`` is False and
        ``note`` says so in plain words.
    equity
        With county floors or site counts: one row per county (or zone) with
        its ``floor``, the ``share`` reached, ``met``, ``best_share`` (best
        reachable share where a floor cannot be met) and ``sites``.
    stages
        For a staged rollout: one row per stage with its budget, spending,
        new and total sites, covered weight, share, bound and gap.
    corridors
        For ``"corridors"``: one line per corridor between two development
        zones (EPSG:4326) with its ``flow``, ``length_km``, ``path``
        (``"road"`` or ``"straight"``), ``sites_on_route``, whether it is
        ``refuellable`` at all and ``refuelled_before`` / ``_after``, and the
        open ``stations`` along it.
    """

    spec: ScenarioSpec
    solution: Solution
    proposed_sites: gpd.GeoDataFrame
    served: gpd.GeoDataFrame
    indicators: pd.DataFrame
    curve: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    equity: pd.DataFrame | None = None
    stages: pd.DataFrame | None = None
    corridors: gpd.GeoDataFrame | None = None

    @property
    def name(self) -> str:
        """Name of the scenario."""
        return self.spec.name

    def renamed(self, name: str) -> ScenarioResult:
        """Return this result under scenario name ``name`` (spec and summary follow)."""
        spec = replace(self.spec, name=name)
        summary = {**self.summary, "name": name} if "name" in self.summary else self.summary
        return replace(self, spec=spec, summary=summary)

    @property
    def unreachable(self) -> gpd.GeoDataFrame:
        """Return the firms no candidate or existing site can reach."""
        return self.served[~self.served["reachable"].to_numpy(bool)]


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
    spec = spec.for_data(data)  # a cable runs along roads where the data has roads
    report = _reporter(progress)
    report(0.0, "preparing data")
    full = data
    data = scope_data(data, spec)
    if spec.objective == "corridors" and spec.zones is not None:
        # the zones are the corridors' ends; stations along the way may lie outside them
        sites = scope_data(full, replace(spec, zones=None)).candidate_sites
        data = replace(data, candidate_sites=sites)
    if spec.objective == "backup":
        data = key_firm_data(data, spec)
    problem = _prepare(data, spec, report, context=full.enterprises)
    corridors = build_corridors(data, spec, problem) if spec.objective == "corridors" else None
    report(0.35, "solving")
    solution = _dispatch(problem, spec, data, corridors)
    report(0.7, "trade-off curve")
    if corridors is not None:
        curve = corridor_curve(corridors, spec, solution)
    elif spec.objective in MODEL_OBJECTIVES:
        curve = model_curve(problem, spec, solution)
    else:
        curve = _curve(problem, spec, solution)
    report(0.9, "assembling results")
    result = _assemble(data, spec, problem, solution, curve, started, corridors)
    report(1.0, "done")
    return result


def _dispatch(
    problem: _Problem,
    spec: ScenarioSpec,
    data: geodata.PlanningData,
    corridors: Corridors | None,
) -> Solution:
    if corridors is not None:
        return solve_corridors(corridors, spec)
    if spec.objective in MODEL_OBJECTIVES:
        return solve_model(problem, spec)
    if spec.objective == "capacitated":
        return solve_charging_capacity(problem, spec)
    if spec.staged:
        return solve_staged(problem, spec)
    if spec.equity:
        return solve_equity(problem, spec, data)
    return _solve(problem, spec)


def _reporter(progress: Progress | None) -> Progress:
    if progress is None:
        return lambda fraction, message: None
    if not callable(progress):
        msg = f"progress must be a callable(fraction, message) or None, got {progress!r}"
        raise TypeError(msg)
    return progress


def _assemble(
    data: geodata.PlanningData,
    spec: ScenarioSpec,
    problem: _Problem,
    solution: Solution,
    curve: pd.DataFrame,
    started: float,
    corridors: Corridors | None = None,
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
    if spec.objective in MODEL_OBJECTIVES:
        model_served(spec, problem, solution, served)

    proposed = _proposed_sites(problem, selected, dist_sel)
    if spec.objective in ("capacitated", "single_source"):
        proposed = capacity_columns(proposed, selected, solution, spec)
    if spec.staged:
        proposed = stage_columns(proposed, selected, solution)
    if corridors is not None:
        proposed = corridor_sites(proposed, corridors, solution)
    elif spec.objective in MODEL_OBJECTIVES:
        proposed = model_sites(spec, problem, solution, proposed)
    proposed = proposed.drop(columns="_col")
    indicators = _indicators(served, w)
    total = float(w.sum())
    cost = float(proposed["cost_cny"].to_numpy(float).sum())
    coverable = before | (np.diff(problem.distances.indptr) > 0)
    served["reachable"] = coverable
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
    summary.update(extra_summary(spec, problem, solution, proposed, site_dist, w))
    table = None
    if corridors is not None:
        table = corridor_table(corridors, spec, solution, problem)
        summary.update(corridor_summary(table, spec, solution))
    elif spec.objective in MODEL_OBJECTIVES:
        summary.update(model_summary(spec, problem, solution, served, proposed))
    note = target_note(spec, summary)
    if spec.objective == "min_sites":
        summary["target_reached"] = not note
    if note:
        summary["note"] = note
    summary["seconds"] = time.perf_counter() - started
    equity = solution.details.get("groups") if spec.equity else None
    stages = solution.details.get("stages") if spec.staged else None
    return ScenarioResult(
        spec, solution, proposed, served, indicators, curve, summary, equity, stages, table
    )


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
    out["_col"] = selected
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
