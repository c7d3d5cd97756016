"""Scenario solves of the backup, p-dispersion and single-source models.

``"backup"`` (redundant 5G for key firms) covers the key firms twice where it
can, ``"dispersion"`` (spread pilot sites) spaces ``n_sites`` pilots as far
apart as possible, and ``"single_source"`` (one station per firm) gives every
firm's charging sessions to exactly one station of limited size. Each
returns a :class:`~planning.models.Solution` whose ``selected`` indexes the
allowed candidates, and adds its own columns and summary figures to the
scenario result; the trade-off curve re-solves the same model at fewer sites.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

import geodata

from .._layers import layer_xy
from ..models import (
    Solution,
    SpecificationError,
    relative_gap,
    solve_backup_coverage,
    solve_capacitated_location,
    solve_pdispersion,
)
from ._inputs import _capacities, _pattern, _Problem, size_sites
from .spec import CURVE_POINTS, DEFAULT_CURVE_SECONDS, UNSERVED_PENALTY, ScenarioSpec

_KEY_FIRMS_TEXT = {
    "transform_list": "on the digital-transformation list (on_transform_list)",
    "digital": "with digital transformation in progress or completed (digital_status)",
}


def key_firm_data(data: geodata.PlanningData, spec: ScenarioSpec) -> geodata.PlanningData:
    """Return ``data`` with only the key firms of a ``"backup"`` scenario as demand."""
    if spec.key_firms == "all":
        return data
    firms = data.enterprises
    column = "on_transform_list" if spec.key_firms == "transform_list" else "digital_status"
    if column not in firms:
        message = f"key_firms={spec.key_firms!r} needs the column {column!r}"
        raise geodata.DataError([geodata.Problem(None, column, message)], source="enterprises")
    if spec.key_firms == "transform_list":
        keep = firms[column].eq(True).to_numpy(dtype=bool)
    else:
        keep = firms[column].astype(str).isin(["in_progress", "completed"]).to_numpy(dtype=bool)
    if not keep.any():
        message = (
            f"no firm is {_KEY_FIRMS_TEXT[spec.key_firms]}: mark the key firms in the "
            "enterprises layer or use key_firms='all'"
        )
        raise geodata.DataError([geodata.Problem(None, column, message)], source="enterprises")
    return replace(data, enterprises=firms[keep])


def _check_sites(n_sites: int, n_cand: int) -> None:
    if n_sites > n_cand:
        msg = (
            f"n_sites ({n_sites}) exceeds the {n_cand} allowed candidate sites; "
            "lower n_sites or allow more candidate_sources"
        )
        raise SpecificationError(msg)


def _cover(problem: _Problem) -> tuple[sp.csr_array, np.ndarray]:
    n_cand = problem.distances.shape[1]
    cover = _pattern(sp.hstack([problem.distances, problem.existing_dist], format="csr"))
    return cover, np.arange(n_cand, cover.shape[1])


# --------------------------------------------------------------------------- backup


def solve_backup(
    problem: _Problem, spec: ScenarioSpec, n_sites: int | None = None, seconds: float | None = None
) -> Solution:
    """Cover the key firms with ``n_sites`` new sites, counting a second cover too."""
    p = spec.n_sites if n_sites is None else n_sites
    _check_sites(p, problem.distances.shape[1])
    cover, existing = _cover(problem)
    return solve_backup_coverage(
        cover,
        weights=problem.weights,
        p=p,
        backup_weight=spec.backup_weight,
        existing=existing,
        time_limit=spec.time_limit if n_sites is None else seconds,
    )


def _cover_counts(problem: _Problem, selected: np.ndarray) -> tuple[np.ndarray, ...]:
    """Return per firm: existing covers, covers after, and how many sites could reach it."""
    cover, existing = _cover(problem)
    n_cand = problem.distances.shape[1]
    before = np.asarray(cover[:, existing].sum(axis=1)).ravel().astype(np.int64)
    new = np.asarray(cover[:, selected[selected < n_cand]].sum(axis=1)).ravel().astype(np.int64)
    reach = np.asarray(cover.sum(axis=1)).ravel().astype(np.int64)
    return before, before + new, reach


def _backup_served(problem: _Problem, solution: Solution, served: gpd.GeoDataFrame) -> None:
    before, after, reach = _cover_counts(problem, np.asarray(solution.selected, dtype=np.int64))
    served["covers_before"] = before
    served["covers_after"] = after
    served["backup_possible"] = reach >= 2
    served["backed_up_before"] = before >= 2
    served["backed_up_after"] = after >= 2


def _backup_summary(spec: ScenarioSpec, served: gpd.GeoDataFrame) -> dict[str, Any]:
    w = served["weight"].to_numpy(float)
    possible = served["backup_possible"].to_numpy(bool)
    total_possible = float(w[possible].sum())
    out: dict[str, Any] = {"key_firms": spec.key_firms, "key_firm_count": len(served)}
    out["backup_possible_firms"] = int(possible.sum())
    for when in ("before", "after"):
        backed = served[f"backed_up_{when}"].to_numpy(bool)
        out[f"firms_backed_up_{when}"] = int(backed.sum())
        out[f"backup_share_{when}"] = (
            float(w[backed].sum()) / total_possible if total_possible > 0 else math.nan
        )
    total = float(w.sum())
    backed = served["backed_up_after"].to_numpy(bool)
    out["backup_share_of_total"] = float(w[backed].sum()) / total if total > 0 else math.nan
    return out


# --------------------------------------------------------------------------- dispersion


def _eligible(problem: _Problem) -> np.ndarray:
    """Return the candidates with at least one firm within their radius."""
    n_cand = problem.distances.shape[1]
    counts = np.bincount(sp.csr_array(problem.distances).indices, minlength=n_cand)
    return np.flatnonzero(counts > 0)


def _spacing_matrix(problem: _Problem, sites: np.ndarray) -> np.ndarray:
    xy = layer_xy(problem.candidates.iloc[sites], problem.crs)
    return np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])


def solve_dispersion(
    problem: _Problem, spec: ScenarioSpec, n_sites: int | None = None, seconds: float | None = None
) -> Solution:
    """Choose ``n_sites`` pilot sites as far from each other as possible.

    Only candidates with at least one firm within their service radius take
    part, so a pilot always serves someone; existing sites do not constrain
    the spread.
    """
    eligible = _eligible(problem)
    p = spec.n_sites if n_sites is None else n_sites
    if p > eligible.size:
        msg = (
            f"n_sites ({p}) exceeds the {eligible.size} allowed candidate sites with a firm "
            "within their radius; lower n_sites, raise the radius or allow more candidate_sources"
        )
        raise SpecificationError(msg)
    sol = solve_pdispersion(
        _spacing_matrix(problem, eligible),
        p,
        time_limit=spec.time_limit if n_sites is None else seconds,
    )
    details = dict(sol.details)
    details["closest_pair"] = eligible[np.asarray(sol.details["closest_pair"], dtype=np.int64)]
    details["eligible_candidates"] = int(eligible.size)
    chosen = eligible[np.asarray(sol.selected, dtype=np.int64)]
    return replace(sol, selected=chosen, details=details)


def _dispersion_sites(
    proposed: gpd.GeoDataFrame, solution: Solution, problem: _Problem
) -> gpd.GeoDataFrame:
    cols = proposed["_col"].to_numpy(np.int64)
    out = proposed.copy()
    if cols.size < 2:
        out["spacing_m"] = np.nan
        return out
    d = _spacing_matrix(problem, cols)
    np.fill_diagonal(d, np.inf)
    out["spacing_m"] = d.min(axis=1)
    return out


def _dispersion_summary(
    solution: Solution, proposed: gpd.GeoDataFrame, problem: _Problem
) -> dict[str, Any]:
    ids = problem.candidates["id"].astype(str).to_numpy(dtype=object)
    pair = np.asarray(solution.details["closest_pair"], dtype=np.int64)
    spacing = proposed["spacing_m"].to_numpy(float) if len(proposed) else np.zeros(0)
    return {
        "min_spacing_m": float(solution.objective),
        "spacing_bound_m": float(solution.bound),
        "mean_spacing_m": float(spacing.mean()) if spacing.size else math.nan,
        "closest_pair": [str(ids[j]) for j in pair],
        "eligible_candidates": int(solution.details["eligible_candidates"]),
    }


# --------------------------------------------------------------------------- single source


def solve_single_source(
    problem: _Problem, spec: ScenarioSpec, n_sites: int | None = None, seconds: float | None = None
) -> Solution:
    """Give each firm's sessions to exactly one station, with exactly ``n_sites`` new ones.

    The capacitated p-median, single-sourced: minimise the session-weighted
    distance from each firm to the one station that serves it, where a new
    station takes at most ``piles_max`` piles' worth of sessions and an
    existing one its own piles'. A firm within reach that no station can take
    (capacity) is left unserved at :data:`UNSERVED_PENALTY` times the radius
    per session, so the model first serves as much as it can. Each chosen
    station is then sized to the fewest piles (at least ``piles_min``) that
    carry its sessions.
    """
    n_cand = problem.distances.shape[1]
    n_old = problem.existing_ids.size
    p = spec.n_sites if n_sites is None else n_sites
    _check_sites(p, n_cand)
    new_cap, old_cap, per_pile = _capacities(problem, spec)
    w = problem.weights
    both = sp.csr_array(sp.hstack([problem.distances, problem.existing_dist], format="csr"))
    rows = np.flatnonzero((np.diff(both.indptr) > 0) & (w > 0))
    penalty = UNSERVED_PENALTY * spec.service_radius()
    sub = sp.csr_array(both[rows])
    amount = w[rows]
    dummy = n_cand + n_old
    r = np.repeat(np.arange(rows.size), np.diff(sub.indptr))
    cost = sp.coo_array(
        (
            np.concatenate([sub.data * amount[r], amount * penalty]),
            (
                np.concatenate([r, np.arange(rows.size)]),
                np.concatenate([sub.indices, np.full(rows.size, dummy)]),
            ),
        ),
        shape=(rows.size, dummy + 1),
    )
    capacity = np.concatenate([new_cap, old_cap, [float(amount.sum()) + 1.0]])
    limit = spec.time_limit if n_sites is None else seconds
    if rows.size == 0:
        sol = Solution(
            selected=np.empty(0, dtype=np.int64),
            objective=0.0,
            bound=0.0,
            gap=0.0,
            status="optimal",
            seconds=0.0,
            sense="min",
            method="no reachable demand",
        )
        allocation = sp.csr_array((0, dummy + 1))
    else:
        sol = solve_capacitated_location(
            sp.csr_array(cost),
            amount,
            capacity,
            np.zeros(dummy + 1),
            single_source=True,
            p=p,
            exact_p=True,
            existing=np.arange(n_cand, dummy + 1),
            time_limit=limit,
        )
        if not math.isfinite(sol.objective):
            # out of time before any assignment: the greedy one, with the solver's bound
            sol = _greedy_assignment(sp.csr_array(cost), amount, capacity, n_cand, p, sol)
        allocation = sp.csr_array(sol.details["allocation"])
    load = np.asarray(allocation.sum(axis=0)).ravel()
    selected = np.sort(np.asarray(sol.selected, dtype=np.int64))
    selected = selected[selected < n_cand]
    piles, site_capacity = size_sites(load[selected], new_cap[selected], per_pile, spec)
    station = np.full(w.size, -1, dtype=np.int64)
    if rows.size:
        picked = np.asarray(sol.assignment, dtype=np.int64)
        station[rows] = np.where(picked == dummy, -1, picked)
    details = {
        "station_of_firm": station,
        "station_piles": piles.astype(np.int64),
        "station_capacity": site_capacity,
        "station_sessions": load[selected],
        "sessions_per_pile": per_pile,
        "existing_sessions": load[n_cand:dummy],
        "existing_capacity": old_cap,
        "unserved_sessions": float(load[dummy]) if load.size > dummy else 0.0,
        "unserved_penalty": penalty,
        "single_source": True,
    }
    return Solution(
        selected=selected,
        objective=float(sol.objective),
        bound=float(sol.bound),
        gap=float(sol.gap),
        status=sol.status,
        seconds=float(sol.seconds),
        sense="min",
        method=sol.method,
        covered=station >= 0,
        assignment=station,
        details=details,
    )


def _greedy_assignment(
    cost: sp.csr_array,
    amount: np.ndarray,
    capacity: np.ndarray,
    n_cand: int,
    p: int,
    failed: Solution,
) -> Solution:
    """Return a quick single-source answer when the solver ran out of time before one.

    The ``p`` candidates reaching the most sessions are opened; each firm,
    largest first, goes to the cheapest open station with room (the last
    column, unserved, always has room).
    """
    csc = sp.csc_array(cost)
    reach = np.array(
        [amount[csc.indices[csc.indptr[j] : csc.indptr[j + 1]]].sum() for j in range(n_cand)]
    )
    opened = np.zeros(capacity.size, dtype=bool)
    opened[np.argsort(-reach, kind="stable")[:p]] = True
    opened[n_cand:] = True
    room = capacity.astype(float).copy()
    pick = np.full(amount.size, capacity.size - 1, dtype=np.int64)
    for i in np.argsort(-amount, kind="stable"):
        cols = cost.indices[cost.indptr[i] : cost.indptr[i + 1]]
        vals = cost.data[cost.indptr[i] : cost.indptr[i + 1]]
        ok = opened[cols] & (room[cols] >= amount[i] - 1e-9)
        if ok.any():
            j = int(cols[ok][np.argmin(vals[ok])])
            pick[i] = j
            room[j] -= amount[i]
    dense = {(int(i), int(j)): v for i, j, v in zip(*sp.find(cost), strict=True)}
    value = float(sum(dense[(i, int(j))] for i, j in enumerate(pick)))
    allocation = sp.csr_array(
        (amount, (np.arange(amount.size), pick)), shape=(amount.size, capacity.size)
    )
    bound = float(failed.bound) if math.isfinite(failed.bound) else 0.0
    return Solution(
        selected=np.flatnonzero(opened[:n_cand]),
        objective=value,
        bound=min(bound, value),
        gap=relative_gap(value, min(bound, value)),
        status="time_limit",
        seconds=float(failed.seconds),
        sense="min",
        method="greedy (out of time)",
        assignment=pick,
        details={"allocation": allocation},
    )


def _single_source_served(
    problem: _Problem, solution: Solution, served: gpd.GeoDataFrame, spec: ScenarioSpec
) -> None:
    """Add each firm's one ``station``, the distance to it and whether it is ``assigned``.

    ``covered_before`` / ``covered_after`` keep their meaning (a station within
    reach); a firm within reach of a full station is covered but not assigned.
    """
    station = np.asarray(solution.details["station_of_firm"], dtype=np.int64)
    both = sp.csr_array(sp.hstack([problem.distances, problem.existing_dist], format="csr"))
    ids = np.concatenate(
        [problem.candidates["id"].astype(str).to_numpy(dtype=object), problem.existing_ids]
    ).astype(object)
    ok = station >= 0
    dist = np.full(station.size, np.nan)
    rows = np.flatnonzero(ok)
    if rows.size:
        dist[rows] = np.asarray(both[rows, station[rows]]).ravel()
    site = np.full(station.size, None, dtype=object)
    site[ok] = ids[station[ok]]
    served["assigned"] = ok
    served["station"] = site
    served["station_time_s" if spec.distance == "road_time" else "station_distance_m"] = dist


def _single_source_summary(
    spec: ScenarioSpec, solution: Solution, served: gpd.GeoDataFrame, proposed: gpd.GeoDataFrame
) -> dict[str, Any]:
    d = solution.details
    w = served["weight"].to_numpy(float)
    ok = served["assigned"].to_numpy(bool)
    unit = "time_s" if spec.distance == "road_time" else "distance_m"
    dist = served[f"station_{unit}"].to_numpy(float)
    total = float(w.sum())
    cap = float(proposed["capacity_sessions"].sum()) if len(proposed) else 0.0
    new_load = float(proposed["sessions"].sum()) if len(proposed) else 0.0
    old_cap = float(np.sum(d["existing_capacity"]))
    old_load = float(np.sum(d["existing_sessions"]))
    weighted = ok & (w > 0)
    return {
        "sessions_total": total,
        "sessions_served": float(w[ok].sum()),
        "share_sessions_served": float(w[ok].sum()) / total if total > 0 else math.nan,
        "unserved_sessions": float(d["unserved_sessions"]),
        "firms_per_station_max": int(np.bincount(np.asarray(d["station_of_firm"])[ok]).max())
        if ok.any()
        else 0,
        f"mean_station_{unit}": float(np.average(dist[weighted], weights=w[weighted]))
        if weighted.any()
        else math.nan,
        f"max_station_{unit}": float(dist[ok].max()) if ok.any() else math.nan,
        "piles": int(proposed["piles"].sum()) if len(proposed) else 0,
        "utilisation_new": new_load / cap if cap > 0 else math.nan,
        "utilisation_existing": old_load / old_cap if old_cap > 0 else math.nan,
    }


# --------------------------------------------------------------------------- results

_SOLVERS: dict[str, Callable[..., Solution]] = {
    "backup": solve_backup,
    "dispersion": solve_dispersion,
    "single_source": solve_single_source,
}


def solve_model(problem: _Problem, spec: ScenarioSpec) -> Solution:
    """Solve a ``"backup"``, ``"dispersion"`` or ``"single_source"`` scenario."""
    return _SOLVERS[spec.objective](problem, spec)


def model_served(
    spec: ScenarioSpec, problem: _Problem, solution: Solution, served: gpd.GeoDataFrame
) -> None:
    """Add the model's own columns to the served firms (in place)."""
    if spec.objective == "backup":
        _backup_served(problem, solution, served)
    elif spec.objective == "single_source":
        _single_source_served(problem, solution, served, spec)


def model_sites(
    spec: ScenarioSpec, problem: _Problem, solution: Solution, proposed: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return the proposed sites with the model's own columns."""
    if spec.objective == "dispersion":
        return _dispersion_sites(proposed, solution, problem)
    if spec.objective == "backup":
        _, after, _ = _cover_counts(problem, np.asarray(solution.selected, dtype=np.int64))
        cover, _ = _cover(problem)
        cols = sp.csc_array(cover[:, proposed["_col"].to_numpy(np.int64)])
        out = proposed.copy()
        # key firms whose second cover rests on this site alone
        out["backup_marginal"] = [
            int((after[cols.indices[cols.indptr[k] : cols.indptr[k + 1]]] == 2).sum())
            for k in range(cols.shape[1])
        ]
        return out
    return proposed


def model_summary(
    spec: ScenarioSpec,
    problem: _Problem,
    solution: Solution,
    served: gpd.GeoDataFrame,
    proposed: gpd.GeoDataFrame,
) -> dict[str, Any]:
    """Return the summary figures of the model: what was asked and what was achieved."""
    out: dict[str, Any] = {"asked_sites": int(spec.n_sites)}
    if spec.objective == "backup":
        out.update(_backup_summary(spec, served))
    elif spec.objective == "dispersion":
        out.update(_dispersion_summary(solution, proposed, problem))
    elif spec.objective == "single_source":
        out.update(_single_source_summary(spec, solution, served, proposed))
    if len(proposed) < spec.n_sites and spec.objective != "single_source":
        out["note"] = (
            f"{len(proposed)} of the {spec.n_sites} sites asked for are proposed: "
            "a further site would add nothing"
        )
    return out


# --------------------------------------------------------------------------- curves


def _curve_seconds(spec: ScenarioSpec, points: int) -> float:
    return (spec.time_limit or DEFAULT_CURVE_SECONDS) / (2 * max(points, 1))


def _points(top: int, low: int) -> np.ndarray:
    top = max(top, low)
    return np.unique(np.round(np.linspace(low, top, min(CURVE_POINTS, top - low + 1))).astype(int))


def model_curve(problem: _Problem, spec: ScenarioSpec, solution: Solution) -> pd.DataFrame:
    """Return the model's best value against the number of new sites."""
    n_cand = problem.distances.shape[1]
    top = min(spec.n_sites, n_cand)
    if spec.objective == "dispersion":
        limits = _points(min(top, int(solution.details["eligible_candidates"])), 2)
    else:
        limits = _points(top, 0)
    if spec.objective == "single_source":
        limits = limits[np.linspace(0, len(limits) - 1, min(len(limits), 5)).astype(int)]
    solver = _SOLVERS[spec.objective]
    seconds = _curve_seconds(spec, len(limits))
    sols = [
        solution if k == spec.n_sites else solver(problem, spec, int(k), seconds) for k in limits
    ]
    curve = pd.DataFrame(
        {
            "sites": limits,
            "objective": [float(s.objective) for s in sols],
            "bound": [float(s.bound) for s in sols],
            "gap": [relative_gap(float(s.objective), float(s.bound)) for s in sols],
            "status": [s.status for s in sols],
        }
    )
    if spec.objective == "backup":
        share = [float(s.details["backup_share"]) for s in sols]
        curve["share"] = share
    elif spec.objective == "dispersion":
        curve = curve.rename(columns={"objective": "spacing_m"})
    else:
        w = problem.weights
        total = float(w.sum())
        served = [float(w[np.asarray(s.details["station_of_firm"]) >= 0].sum()) for s in sols]
        curve["share"] = np.divide(served, total) if total > 0 else np.nan
    return curve
