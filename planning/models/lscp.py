"""Location set covering: the fewest (or cheapest) sites that cover the demand.

:func:`solve_lscp` chooses new sites so that every demand point some site can
reach is covered, or so that a target share of the demand weight is covered
(partial covering), at the least number of sites or the least total cost.

The solver first reduces the model without changing its optimum: demand
points already covered by existing or required sites are dropped, demand
points with identical coverage sets are merged, a demand point whose set
contains another point's set is dropped (covering the smaller set covers it
too), a site that is the only cover of some point is fixed, and a site is
dropped when another covers a superset at no higher cost or when the
cheapest other covers of its points together cost less than it. What remains
is solved exactly on HiGHS or by a greedy heuristic (best cost per newly
covered demand, then removal of redundant sites) whose lower bound comes from
Lagrangian relaxation, so every answer carries a gap.
"""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from ._args import (
    check_method,
    check_roles,
    check_time_limit,
    coverage_input,
    demand_vector,
    site_indices,
    site_vector,
)
from ._errors import SpecificationError
from ._highs import solve_milp_checked
from ._lscp_lagrangian import _drop_redundant, _greedy, _integral, _lagrangian
from ._lscp_reduce import _reduce_full, _reduce_partial, hits
from ._reduce import as_coverage
from .solution import Solution, Status, relative_gap

Method = Literal["auto", "exact", "heuristic"]

_EXACT_MAX_NNZ = 3_000_000
"""Largest reduced coverage matrix (stored entries) ``method="auto"`` solves exactly."""

_EXACT_MAX_NNZ_PARTIAL = 50_000
"""The same for partial covering, whose root LP HiGHS finds much harder."""

_WARM_MIN_NNZ = 20_000
"""From this size on, ``method="auto"`` runs the Lagrangian heuristic before the MILP."""

_HEURISTIC_SECONDS = 5.0
"""Default time for the Lagrangian heuristic when no time limit is given."""


def solve_lscp(
    coverage: sp.spmatrix | sp.sparray | np.ndarray,
    *,
    costs: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    target: float = 1.0,
    existing: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Choose the fewest (or cheapest) new sites that cover the demand.

    With the default ``target=1.0`` every demand point that some allowed or
    existing site covers must be covered; demand no such site covers is
    reported in ``details["uncoverable"]`` instead of making the model
    infeasible. With ``target < 1`` the chosen and existing sites together
    must cover at least that share of the *total* demand weight (partial
    covering). A target above the share that can be covered at all is capped
    at that share (every coverable demand point is then covered) and
    ``details["target_capped"]`` is True.

    Parameters
    ----------
    coverage
        Boolean coverage matrix, demand x candidate sites (scipy sparse,
        preferably CSR, or dense): entry ``(i, j)`` is True when site ``j``
        covers demand point ``i``.
    costs
        Cost of building each site; None counts sites (each costs 1). The
        objective is the total cost of the selected sites, required ones
        included.
    weights
        Demand weight of each point (e.g. employees), used for the target
        share and the reported covered weight; None weighs points equally.
        Points with weight 0 need no cover.
    target
        Share of the total demand weight to cover, in (0, 1].
    existing
        Indices of sites already built: they cover for free, cost nothing and
        are not listed in ``selected``.
    required
        Indices of sites that must be selected (their cost counts).
    forbidden
        Indices of sites that must not be selected.
    method
        ``"exact"`` (MILP on HiGHS), ``"heuristic"`` (greedy with redundancy
        removal, improved from Lagrangian multipliers, whose subgradient
        optimisation also gives the lower bound) or ``"auto"`` (exact unless
        the reduced model is very large; on larger models the heuristic runs
        first, for a few seconds, to warm-start the MILP and tighten its
        bound).
    time_limit
        Seconds allowed, or None. When the exact solve runs out of time the
        best cover found is returned with status ``"time_limit"`` and its
        gap. The heuristic stops at the limit (default 5 s) or earlier when
        its bound stops improving. HiGHS may overrun the limit inside its
        root node on large partial-covering models.

    Returns
    -------
    Solution
        ``sense="min"``; ``covered`` and ``assignment`` (a covering selected
        or existing site, -1 for none) per demand point; ``marginal`` is the
        demand weight only that site covers. ``details`` holds
        ``uncoverable`` (indices), ``uncoverable_weight``,
        ``covered_weight``, ``covered_share``, ``coverable_share``,
        ``target``, ``target_weight``, ``target_capped`` and ``reduction``
        (model sizes before and after the reductions).

    Raises
    ------
    SpecificationError
        If a site has two roles (existing, required, forbidden) or ``target``
        is outside (0, 1].
    ValueError
        If an argument has the wrong shape or invalid values.
    """
    t0 = time.perf_counter()
    a = coverage_input(coverage)
    n, m = a.shape
    c = site_vector(costs, m, "costs", default=1.0, n=n)
    w = demand_vector(weights, n, "weights", default=1.0, m=m)
    if isinstance(target, bool) or not (
        isinstance(target, numbers.Real) and 0.0 < float(target) <= 1.0
    ):
        msg = f"target must be a share of the demand weight in (0, 1]; got {target!r}"
        raise SpecificationError(msg)
    check_method(method)
    check_time_limit(time_limit)
    ex = site_indices(existing, m, "existing")
    req = site_indices(required, m, "required")
    forb = site_indices(forbidden, m, "forbidden")
    check_roles(existing=ex, required=req, forbidden=forb)

    allowed = np.ones(m, dtype=bool)
    allowed[forb] = False
    coverable = hits(a, allowed)
    base = np.zeros(m, dtype=bool)
    base[ex] = True
    base[req] = True
    base_covered = hits(a, base)

    total = float(w.sum())
    coverable_w = float(w[coverable].sum())
    tol = 1e-9 * max(1.0, total)
    goal = float(target) * total
    capped = goal > coverable_w + tol
    goal = min(goal, coverable_w)
    full = goal >= coverable_w - tol
    rows = np.flatnonzero(coverable & ~base_covered & (w > 0))
    need = goal - float(w[base_covered].sum())

    cand = np.flatnonzero(allowed & ~base)
    sub = as_coverage(a[rows][:, cand]) if rows.size else sp.csr_array((0, cand.size), dtype=bool)
    limit = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.0)
    if full:
        core = _solve_core(sub, c[cand], np.ones(rows.size), None, method, limit)
    elif need > tol:
        core = _solve_core(sub, c[cand], w[rows], need, method, limit)
    else:
        core = _CoreResult(np.zeros(0, dtype=np.int64), 0.0, "optimal", "reduction")

    chosen = np.union1d(req, cand[core.chosen]).astype(np.int64)
    objective = float(c[chosen].sum())
    bound = float(c[req].sum()) + core.bound
    if _integral(c):
        bound = math.ceil(bound - 1e-6)
    bound = min(bound, objective)
    gap = relative_gap(objective, bound)
    status: Status = core.status
    if gap <= 1e-9:
        status = "optimal"
    elif status == "optimal":
        status = "feasible"

    opened = np.union1d(chosen, ex).astype(np.int64)
    covered, assignment, marginal = cover_summary(a, w, opened, chosen)
    covered_w = float(w[covered].sum())
    uncoverable = np.flatnonzero(~coverable)
    details: dict[str, Any] = {
        "uncoverable": uncoverable,
        "uncoverable_weight": float(w[uncoverable].sum()),
        "covered_weight": covered_w,
        "covered_share": covered_w / total if total > 0 else 1.0,
        "coverable_share": coverable_w / total if total > 0 else 1.0,
        "target": float(target),
        "target_weight": goal,
        "target_capped": bool(capped),
        "existing": ex,
        "reduction": core.reduction,
    }
    return Solution(
        selected=chosen,
        objective=objective,
        bound=float(bound),
        gap=gap,
        status=status,
        seconds=time.perf_counter() - t0,
        sense="min",
        method=core.method,
        covered=covered,
        assignment=assignment,
        marginal=marginal,
        details=details,
    )


# ---------------------------------------------------------------------------
# Helpers shared by the covering and capacitated models


def cover_summary(
    a: sp.csr_array, w: np.ndarray, opened: np.ndarray, chosen: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return per-row covered flags and covering site, and per chosen site its sole cover.

    Parameters
    ----------
    a
        Boolean coverage matrix (CSR).
    w
        Demand weights.
    opened
        Sorted indices of all open sites (chosen and existing).
    chosen
        Sorted indices of the chosen sites, a subset of ``opened``.

    Returns
    -------
    tuple of numpy.ndarray
        ``covered`` (bool per row), ``assignment`` (lowest-index open site
        covering the row, -1 for none) and ``marginal`` (per chosen site, the
        weight no other open site covers).
    """
    n = a.shape[0]
    sub = sp.csr_array(a[:, opened]) if opened.size else sp.csr_array((n, 0), dtype=bool)
    sub.sort_indices()
    count = np.diff(sub.indptr)
    covered = count > 0
    assignment = np.full(n, -1, dtype=np.int64)
    if opened.size:
        assignment[covered] = opened[sub.indices[sub.indptr[:-1][covered]]]
    sole = np.where(count == 1, w, 0.0)
    if chosen.size:
        marginal = np.asarray(sp.csr_array(a[:, chosen], dtype=np.float64).T @ sole)
    else:
        marginal = np.zeros(0)
    return covered, assignment, marginal


# ---------------------------------------------------------------------------
# The reduced covering core


@dataclass
class _CoreResult:
    chosen: np.ndarray
    bound: float
    status: Status
    method: str
    reduction: dict[str, Any] = field(default_factory=dict)


def _solve_core(
    a: sp.csr_array,
    c: np.ndarray,
    w: np.ndarray,
    need: float | None,
    method: str,
    time_limit: float | None,
) -> _CoreResult:
    """Cover all rows of ``a`` (``need`` None) or rows of weight >= ``need`` at least cost."""
    t0 = time.perf_counter()
    rows0, cols0, nnz0 = a.shape[0], a.shape[1], a.nnz
    red = _reduce_full(a, c) if need is None else _reduce_partial(a, c, w)
    a, cols, w = red.a, red.cols, red.w
    fixed = np.concatenate(red.fixed).astype(np.int64) if red.fixed else np.zeros(0, np.int64)
    fixed_cost = float(c[fixed].sum())
    cr = c[cols]
    reduction = {
        "rows": (rows0, a.shape[0]),
        "columns": (cols0, a.shape[1]),
        "entries": (nnz0, a.nnz),
        "fixed": int(fixed.size),
        "skipped": sorted(red.skipped),
    }
    goal = float(w.sum()) if need is None else need
    if a.shape[0] == 0 or goal <= 0:
        return _CoreResult(fixed, fixed_cost, "optimal", "reduction", reduction)

    csc = sp.csc_array(a)
    pick = _greedy(csc, cr, w, goal)
    pick = _drop_redundant(csc, cr, w, goal, pick)
    limit = _EXACT_MAX_NNZ if need is None else _EXACT_MAX_NNZ_PARTIAL
    use_exact = method == "exact" or (method == "auto" and a.nnz <= limit)
    lower = 0.0
    if not use_exact or (method == "auto" and a.nnz >= _WARM_MIN_NNZ):
        # heuristic answer, or a warm start and a bound for the MILP
        budget = _HEURISTIC_SECONDS if time_limit is None else time_limit
        if use_exact:
            budget = min(budget * 0.25, _HEURISTIC_SECONDS)
        lower, pick = _lagrangian(a, csc, cr, w, need, pick, deadline=t0 + budget)
    if use_exact:
        left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.0)
        pick, bound, status = _exact(a, cr, w, need, pick, left)
        bound = max(bound, lower)
        name = "milp"
    else:
        bound = lower
        status = "feasible"
        name = "greedy+lagrangian"
    return _CoreResult(
        np.concatenate([fixed, cols[pick]]).astype(np.int64),
        fixed_cost + bound,
        status,
        name,
        reduction,
    )


def _exact(
    a: sp.csr_array,
    c: np.ndarray,
    w: np.ndarray,
    need: float | None,
    start: np.ndarray,
    time_limit: float | None,
) -> tuple[np.ndarray, float, Status]:
    """Solve the reduced covering MILP; return chosen columns, lower bound and status."""
    n, m = a.shape
    x0 = np.zeros(m)
    x0[start] = 1.0
    start_cost = float(c[start].sum())
    if need is None:
        res = solve_milp_checked(
            c,
            a.astype(np.float64),
            np.ones(n),
            np.full(n, np.inf),
            col_upper=np.ones(m),
            integrality=np.ones(m),
            time_limit=time_limit,
            start=x0,
        )
    else:
        # y_i - sum_j a_ij x_j <= 0 and w @ y >= need, with y continuous in [0, 1];
        # the weight row is scaled to a largest coefficient of 1
        scale = float(w.max())
        link = sp.hstack([-sp.csr_array(a, dtype=np.float64), sp.eye_array(n)], format="csr")
        total = sp.csr_array(np.concatenate([np.zeros(m), w / scale])[None, :])
        cons = sp.vstack([link, total], format="csr")
        y0 = np.minimum(a.astype(np.float64) @ x0, 1.0)
        res = solve_milp_checked(
            np.concatenate([c, np.zeros(n)]),
            cons,
            np.concatenate([np.full(n, -np.inf), [need / scale]]),
            np.concatenate([np.zeros(n), [np.inf]]),
            col_upper=np.ones(m + n),
            integrality=np.concatenate([np.ones(m), np.zeros(n)]),
            time_limit=time_limit,
            start=np.concatenate([x0, y0]),
        )
    bound = res.bound if math.isfinite(res.bound) else 0.0
    if res.x is not None and res.objective <= start_cost + 1e-9:
        pick = np.flatnonzero(res.x[:m] > 0.5)
    else:
        pick = start
    status: Status = "optimal" if res.status == "optimal" else "time_limit"
    if res.status not in ("optimal", "time_limit"):
        msg = f"HiGHS failed on the reduced covering model (status {res.status!r})"
        raise RuntimeError(msg)
    # guard against solver tolerances: complete the cover if it falls short
    goal = float(w.sum()) if need is None else need
    mask = np.zeros(m)
    mask[pick] = 1.0
    reached = float(w[np.asarray(a @ mask) > 0].sum())
    if reached < goal - 1e-9 * max(1.0, goal):
        csc = sp.csc_array(a)
        pick = _drop_redundant(csc, c, w, goal, _greedy(csc, c, w, goal, start=pick))
    return pick.astype(np.int64), max(bound, 0.0), status
