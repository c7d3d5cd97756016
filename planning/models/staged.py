"""Staged rollout: which sites to build in which year, under per-year limits.

:func:`solve_staged_coverage` answers "2 M CNY this year, 3 M in each of the
next two: what do we build first?". A site built in one year stays built
(each year's set contains the previous years'), each year's new sites keep
within that year's budget and/or site count, and coverage is maximised

* ``objective="each"``: at every stage in turn, lexicographically — the
  first year's coverage as high as possible, then the second year's given
  that, and so on (one exact solve per stage of the joint model);
* ``objective="sum"``: the sum of the yearly coverages (coverage-years).

Model, with ``x[j, t] = 1`` when site j is built by stage t::

    x[j, t-1] <= x[j, t]
    y[k, t] <= sum_{j covers k} x[j, t]
    sum_j c_j (x[j, t] - x[j, t-1]) <= B_t      (or cumulative with carry-over)
    sum_j (x[j, t] - x[j, t-1]) <= N_t

Each solve is an exact HiGHS MILP with a proven bound; the time limit is
shared between the stages.
"""

from __future__ import annotations

import math
import time
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._args import whole_number
from ._coverrows import Reduced, check_cover, reduce_cover, relaxed_bound, run_milp
from ._greedy import CoverState, lazy_greedy
from .solution import Solution, Status, relative_gap

StagedObjective = Literal["each", "sum"]


def solve_staged_coverage(
    cover: Any,
    weights: Any,
    *,
    stage_budgets: Any = None,
    stage_sites: Any = None,
    costs: Any = None,
    existing: Any = None,
    objective: StagedObjective = "each",
    carry_over: bool = False,
    time_limit: float | None = None,
) -> Solution:
    """Plan nested yearly builds that maximise coverage over the stages.

    Parameters
    ----------
    cover
        Sparse ``(n, m)`` coverage matrix.
    weights
        Demand weight per row.
    stage_budgets
        Budget of each stage for its new sites (same units as ``costs``).
    stage_sites
        Largest number of new sites in each stage.
    costs
        Cost per column (needed with ``stage_budgets``).
    existing
        Columns already built (always open, never counted).
    objective
        ``"each"`` (lexicographic, stage by stage) or ``"sum"``.
    carry_over
        Let an unspent budget carry over to later stages.
    time_limit
        Seconds for all solves together.

    Returns
    -------
    Solution
        ``selected``: every site built by the last stage;
        ``details["stage_of"]``: the stage (1, 2, ...) each selected site is
        built in; ``details["stages"]``: per stage ``budget``, ``max_sites``,
        ``spent``, ``new_sites``, ``sites``, ``covered`` weight, ``share``,
        ``bound`` and ``gap``. ``objective``/``bound`` are the last stage's
        coverage for ``"each"`` and the sum over stages for ``"sum"``.
    """
    started = time.perf_counter()
    a, w, ex = check_cover(cover, weights, existing)
    m = a.shape[1]
    if objective not in ("each", "sum"):
        msg = f"objective must be 'each' or 'sum', got {objective!r}"
        raise ValueError(msg)
    budgets = None if stage_budgets is None else np.asarray(stage_budgets, dtype=float).ravel()
    if stage_sites is not None:
        for k in np.atleast_1d(np.asarray(stage_sites, dtype=object)).ravel():
            whole_number(k, "stage_sites (each stage's number of sites)")
    counts = None if stage_sites is None else np.asarray(stage_sites, dtype=float).ravel()
    if budgets is None and counts is None:
        msg = "give stage_budgets and/or stage_sites (one value per stage)"
        raise ValueError(msg)
    lengths = {arr.size for arr in (budgets, counts) if arr is not None}
    if len(lengths) != 1 or 0 in lengths:
        msg = "stage_budgets and stage_sites must have the same, non-zero number of stages"
        raise ValueError(msg)
    n_stages = lengths.pop()
    for name, arr in (("stage_budgets", budgets), ("stage_sites", counts)):
        if arr is not None and (not np.all(np.isfinite(arr)) or np.any(arr < 0)):
            msg = f"{name} must be non-negative numbers, got {arr.tolist()}"
            raise ValueError(msg)
    if budgets is not None:
        if costs is None or np.asarray(costs).size != m:
            msg = f"stage_budgets need costs, one per column ({m})"
            raise ValueError(msg)
        all_costs = np.asarray(costs, dtype=float).ravel()
    else:
        all_costs = np.zeros(m) if costs is None else np.asarray(costs, dtype=float).ravel()
    red = reduce_cover(a, w, ex)
    mc, k, T = red.candidates.size, red.weight.size, n_stages
    c = all_costs[red.candidates]
    nx, ny = mc * T, k * T
    nv = nx + ny

    def xi(t: int) -> np.ndarray:
        return np.arange(t * mc, (t + 1) * mc)

    def yi(t: int) -> np.ndarray:
        return nx + np.arange(t * k, (t + 1) * k)

    blocks: list[sp.csr_array] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []

    def add(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, nrows: int, lower, upper):
        blocks.append(sp.csr_array((vals, (rows, cols)), shape=(nrows, nv)))
        lo.append(np.broadcast_to(np.asarray(lower, float), (nrows,)).copy())
        hi.append(np.broadcast_to(np.asarray(upper, float), (nrows,)).copy())

    cov = sp.coo_array(red.cover)
    for t in range(T):
        if t:
            r = np.arange(mc)
            add(
                np.concatenate([r, r]),
                np.concatenate([xi(t - 1), xi(t)]),
                np.concatenate([np.ones(mc), -np.ones(mc)]),
                mc,
                -np.inf,
                0.0,
            )
        add(
            np.concatenate([np.arange(k), cov.row]),
            np.concatenate([yi(t), xi(t)[cov.col]]),
            np.concatenate([np.ones(k), -np.ones(cov.nnz)]),
            k,
            -np.inf,
            0.0,
        )
        for arr, coef in ((budgets, c), (counts, np.ones(mc))):
            if arr is None:
                continue
            if arr is budgets and carry_over:
                add(np.zeros(mc, int), xi(t), coef, 1, -np.inf, float(arr[: t + 1].sum()))
                continue
            if t:
                add(
                    np.zeros(2 * mc, int),
                    np.concatenate([xi(t), xi(t - 1)]),
                    np.concatenate([coef, -coef]),
                    1,
                    -np.inf,
                    float(arr[t]),
                )
            else:
                add(np.zeros(mc, int), xi(t), coef, 1, -np.inf, float(arr[t]))
    A = sp.vstack(blocks, format="csr")
    lower, upper = np.concatenate(lo), np.concatenate(hi)
    integrality = np.concatenate([np.ones(nx), np.zeros(ny)])
    base_w = float(w[red.base].sum())
    total = float(w.sum())

    def remaining(share: float) -> float | None:
        if time_limit is None:
            return None
        left = time_limit - (time.perf_counter() - started)
        return max(0.0, share * left)

    stage_bounds = np.full(T, np.nan)
    statuses = []
    greedy = start = None
    if time_limit is not None:
        # under a limit, stage-by-stage greedy builds first: the MILP's start, and
        # the answer when it finds nothing better in time
        greedy = _greedy(red, c, budgets, counts, carry_over)
        start = np.zeros(nv)
        for t in range(T):
            start[xi(t)] = greedy[t]
            start[yi(t)] = (red.cover @ greedy[t]) > 0
    if objective == "sum":
        cvec = np.zeros(nv)
        for t in range(T):
            cvec[yi(t)] = red.weight
        ans = run_milp(
            cvec, A, lower, upper, integrality, time_limit=remaining(1.0), maximize=True,
            start=start,
        )  # fmt: skip
        statuses.append(ans.status)
        x = ans.x
        sum_bound = ans.bound + T * base_w
    else:
        x = None
        rows_a, rows_lo, rows_hi = A, lower, upper
        for t in range(T):
            cvec = np.zeros(nv)
            cvec[yi(t)] = red.weight
            ans = run_milp(
                cvec,
                rows_a,
                rows_lo,
                rows_hi,
                integrality,
                time_limit=remaining(1.0 / (T - t)),
                maximize=True,
                start=start if t == 0 else None,
            )
            statuses.append(ans.status)
            if ans.x is None:
                break
            x = ans.x
            stage_bounds[t] = ans.bound + base_w
            keep = sp.csr_array(cvec[None, :])
            rows_a = sp.vstack([rows_a, keep], format="csr")
            rows_lo = np.concatenate([rows_lo, [ans.objective - 1e-9 * max(total, 1.0)]])
            rows_hi = np.concatenate([rows_hi, [np.inf]])
        sum_bound = math.nan
    if x is None:
        x = np.zeros(nv)  # building nothing is always feasible
        statuses.append("time_limit")
    built = np.stack([x[xi(t)] > 0.5 for t in range(T)])  # T x mc
    for t in range(1, T):
        built[t] |= built[t - 1]
    if greedy is not None:
        mine = [_covered(red, greedy[t]) for t in range(T)]
        theirs = [_covered(red, built[t]) for t in range(T)]
        ahead = sum(mine) > sum(theirs) if objective == "sum" else mine > theirs
        if ahead:
            built = greedy
            statuses.append("time_limit")
            stage_bounds[1:] = np.nan  # the later solves' bounds held their earlier stages
        # never above what each stage's sites could cover on their own
        for t in range(T):
            n_t = None if counts is None else int(counts[: t + 1].sum())
            b_t = None if budgets is None else float(budgets[: t + 1].sum())
            cap = relaxed_bound(red, c, n_t, b_t) + base_w
            stage_bounds[t] = cap if not np.isfinite(stage_bounds[t]) else min(stage_bounds[t], cap)
            stage_bounds[t] = max(stage_bounds[t], max(mine[t], theirs[t]) + base_w)
        if objective == "sum":
            caps = float(np.sum(stage_bounds))
            sum_bound = caps if not np.isfinite(sum_bound) else min(sum_bound, caps)
    stage_of = np.where(built.any(axis=0), np.argmax(built, axis=0) + 1, 0)
    chosen = np.flatnonzero(stage_of > 0)
    rows = []
    covered_by_stage = []
    prev_cost = 0.0
    for t in range(T):
        cols = red.candidates[built[t]]
        covered = red.base.copy()
        if cols.size:
            covered |= np.asarray(a[:, cols].sum(axis=1)).ravel() > 0
        cw = float(w[covered].sum())
        covered_by_stage.append(cw)
        spent_total = float(c[built[t]].sum())
        bound_t = stage_bounds[t] if objective == "each" else math.nan
        if objective == "sum" and greedy is not None:
            bound_t = stage_bounds[t]
        rows.append(
            {
                "stage": t + 1,
                "budget": math.nan if budgets is None else float(budgets[t]),
                "max_sites": math.nan if counts is None else float(counts[t]),
                "spent": spent_total - prev_cost,
                "new_sites": int((stage_of == t + 1).sum()),
                "sites": int(built[t].sum()),
                "covered": cw,
                "share": cw / total if total > 0 else math.nan,
                "bound": bound_t,
                "gap": relative_gap(cw, bound_t) if np.isfinite(bound_t) else math.nan,
            }
        )
        prev_cost = spent_total
    table = pd.DataFrame(rows)
    # without a solver bound: every coverable point covered from the first stage on
    reachable = float(red.weight.sum()) + base_w
    if objective == "sum":
        value = float(sum(covered_by_stage))
        bound = float(max(sum_bound, value)) if np.isfinite(sum_bound) else T * reachable
    else:
        value = covered_by_stage[-1]
        last = stage_bounds[-1]
        bound = float(max(last, value)) if np.isfinite(last) else max(reachable, value)
    status: Status = "optimal" if all(s == "optimal" for s in statuses) else "time_limit"
    gap = relative_gap(value, bound) if np.isfinite(bound) else math.inf
    if status == "optimal" and gap < 1e-7:
        gap = 0.0
    selected = red.candidates[chosen]
    order = np.argsort(selected)
    return Solution(
        selected=selected[order],
        objective=value,
        bound=bound,
        gap=gap,
        status=status,
        seconds=time.perf_counter() - started,
        sense="max",
        method=f"milp (stages: {objective})",
        covered=None,
        details={"stage_of": stage_of[chosen][order], "stages": table},
    )


def _covered(red: Reduced, built: np.ndarray) -> float:
    """Return the weight of the merged rows that the built sites cover."""
    return float(red.weight @ ((red.cover @ built.astype(np.float64)) > 0))


def _greedy(
    red: Reduced,
    costs: np.ndarray,
    budgets: np.ndarray | None,
    counts: np.ndarray | None,
    carry_over: bool,
) -> np.ndarray:
    """Return the sites built by each stage (stages x candidates) of a stage-by-stage greedy.

    Each stage adds the sites of largest gain (per cost with a budget) to the
    earlier stages' while its own site count and budget allow.
    """
    stages = (budgets if budgets is not None else counts).size  # type: ignore[union-attr]
    state = CoverState.empty(red.cover, red.weight)
    built = np.zeros((stages, red.cover.shape[1]), dtype=bool)
    for t in range(stages):
        before = state.chosen.copy()
        p = None if counts is None else int(before.sum() + counts[t])
        budget = None
        if budgets is not None:
            spent = float(costs[before].sum())
            budget = float(budgets[: t + 1].sum()) if carry_over else spent + float(budgets[t])
        lazy_greedy(state, p=p, costs=costs if budgets is not None else None, budget=budget)
        built[t] = state.chosen | before
    return built
