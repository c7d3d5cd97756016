"""Shared pieces of the equity and staged coverage models.

A coverage matrix is first reduced: demand covered by an always-open
(existing) site is a constant, demand no candidate reaches is a constant,
and the remaining rows with the same candidate set (and the same group) are
merged with their weights added. :func:`run_milp` solves a sparse MILP on
HiGHS through :func:`scipy.optimize.milp` and returns the answer with its
proven bound.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from ._args import coverage_input, demand_vector
from ._errors import SpecificationError
from ._highs import PRESOLVE_OFF, ROOT_SECONDS_PER_NONZERO, solve_milp_checked
from ._reduce import as_coverage, merge_identical_rows


@dataclass(frozen=True)
class Reduced:
    """A coverage problem after reduction.

    Attributes
    ----------
    cover
        Merged rows x candidate columns (CSR, 0/1 float).
    weight
        Weight of each merged row.
    group
        Group code of each merged row (0 when no groups).
    row_of
        For every original demand point, its merged row, or -1 when it is a
        constant (covered by an existing site or unreachable).
    base
        Per original demand point, covered by an existing site.
    candidates
        Original column index of each candidate column.
    """

    cover: sp.csr_array
    weight: np.ndarray
    group: np.ndarray
    row_of: np.ndarray
    base: np.ndarray
    candidates: np.ndarray


def check_cover(
    cover: Any, weights: Any, existing: Any
) -> tuple[sp.csr_array, np.ndarray, np.ndarray]:
    """Return the coverage matrix as CSR bool, the weights and existing columns, checked."""
    a = coverage_input(cover, "cover")
    n, m = a.shape
    w = demand_vector(weights, n, "weights", m=m)
    ex = np.unique(np.asarray([] if existing is None else existing, dtype=np.int64).ravel())
    if ex.size and (ex.min() < 0 or ex.max() >= m):
        msg = f"existing must be column indices in [0, {m}), got {ex.tolist()[:5]}"
        raise ValueError(msg)
    return a, w, ex


def reduce_cover(
    a: sp.csr_array, w: np.ndarray, existing: np.ndarray, group: np.ndarray | None = None
) -> Reduced:
    """Merge the rows of a coverage problem (see the module documentation)."""
    n, m = a.shape
    is_cand = np.ones(m, dtype=bool)
    is_cand[existing] = False
    candidates = np.flatnonzero(is_cand)
    base = (
        np.asarray(a[:, existing].sum(axis=1)).ravel() > 0 if existing.size else np.zeros(n, bool)
    )
    sub = sp.csr_array(a[:, candidates])
    counts = np.diff(sub.indptr)
    live = np.flatnonzero(~base & (counts > 0) & (w > 0))
    group = np.zeros(n, dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
    rows = as_coverage(sub[live])
    g_live = group[live]
    keyed = rows
    if live.size and g_live.min() != g_live.max():
        # the group as extra columns: rows merge only within a group
        codes = np.unique(g_live, return_inverse=True)[1].ravel()
        tag = sp.csr_array(
            (np.ones(live.size, dtype=bool), (np.arange(live.size), codes)),
            shape=(live.size, int(codes.max()) + 1),
        )
        keyed = as_coverage(sp.hstack([rows, tag], format="csr"))
    merged = merge_identical_rows(keyed, w[live])
    # merged rows numbered in the order of their first demand point
    inverse = merged.inverse
    first = np.full(merged.weights.size, live.size, dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(live.size))
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    row_of = np.full(n, -1, dtype=np.int64)
    row_of[live] = rank[inverse]
    weight = np.bincount(rank[inverse], weights=w[live], minlength=order.size)
    groups = g_live[first[order]]
    cover = sp.csr_array(rows[first[order]], dtype=np.float64)
    return Reduced(
        cover, np.asarray(weight), np.asarray(groups, dtype=np.int64), row_of, base, candidates
    )


@dataclass(frozen=True)
class MilpAnswer:
    """Best solution of a MILP (None if none found), its objective, bound and status."""

    x: np.ndarray | None
    objective: float
    bound: float
    status: str  # "optimal", "time_limit", "infeasible"
    seconds: float


def run_milp(
    c: np.ndarray,
    a: sp.csr_array,
    lower: np.ndarray,
    upper: np.ndarray,
    integrality: np.ndarray,
    *,
    col_upper: np.ndarray | None = None,
    col_lower: np.ndarray | None = None,
    time_limit: float | None = None,
    maximize: bool = False,
    start: np.ndarray | None = None,
) -> MilpAnswer:
    """Solve ``min/max c @ x`` s.t. ``lower <= a @ x <= upper`` with HiGHS.

    Returns the best solution found within ``time_limit`` and the proven
    bound (an upper bound when maximising), both in the caller's sense.
    ``start``, a feasible solution, is handed to HiGHS when there is a limit.
    """
    started = time.perf_counter()
    n = c.size
    lo = np.zeros(n) if col_lower is None else col_lower
    hi = np.ones(n) if col_upper is None else col_upper
    if time_limit is None:
        return _scipy_milp(c, a, lower, upper, integrality, lo, hi, maximize, started)
    # under a limit: the interruptible wrapper, without presolve, which the deadline does
    # not stop and which (highspy 1.16) called a feasible staged model infeasible
    res = solve_milp_checked(
        np.asarray(c, dtype=np.float64),
        sp.csr_array(a) if a.shape[0] else sp.csr_array((0, n)),
        np.asarray(lower, dtype=np.float64),
        np.asarray(upper, dtype=np.float64),
        start=start,
        time_limit=max(0.0, float(time_limit)),
        options=PRESOLVE_OFF,
        col_lower=lo,
        col_upper=hi,
        integrality=np.asarray(integrality) if np.any(integrality) else None,
        sense="max" if maximize else "min",
        root_seconds_per_nonzero=ROOT_SECONDS_PER_NONZERO,
    )
    seconds = time.perf_counter() - started
    if res.status == "infeasible":
        return MilpAnswer(None, math.nan, math.nan, "infeasible", seconds)
    bound = res.bound if math.isfinite(res.bound) else math.nan
    if res.x is None:
        return MilpAnswer(None, math.nan, bound, "time_limit", seconds)
    x = np.asarray(res.x)
    obj = float(c @ x)
    if not math.isfinite(bound):
        bound = obj if res.status == "optimal" else math.nan
    if math.isfinite(bound):
        bound = max(bound, obj) if maximize else min(bound, obj)
    status = "optimal" if res.status == "optimal" else "time_limit"
    return MilpAnswer(x, obj, bound, status, seconds)


def _scipy_milp(
    c: np.ndarray,
    a: sp.csr_array,
    lower: np.ndarray,
    upper: np.ndarray,
    integrality: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    maximize: bool,
    started: float,
) -> MilpAnswer:
    """Solve without a time limit through :func:`scipy.optimize.milp`."""
    sign = -1.0 if maximize else 1.0
    options: dict[str, Any] = {"disp": False, "mip_rel_gap": 1e-9}
    constraints = [LinearConstraint(a, lower, upper)] if a.shape[0] else []
    res = milp(
        sign * c,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(lo, hi),
        options=options,
    )
    seconds = time.perf_counter() - started
    bound = getattr(res, "mip_dual_bound", None)
    if res.status == 2:
        return MilpAnswer(None, math.nan, math.nan, "infeasible", seconds)
    if res.x is None:
        b = sign * bound if bound is not None and np.isfinite(bound) else math.nan
        return MilpAnswer(None, math.nan, b, "time_limit", seconds)
    x = np.asarray(res.x)
    obj = float(c @ x)
    if bound is None or not np.isfinite(bound):
        bound = sign * obj if res.status == 0 else math.nan
    b = float(sign * bound)
    b = max(b, obj) if maximize else min(b, obj)
    status = "optimal" if res.status == 0 else "time_limit"
    return MilpAnswer(x, obj, b, status, seconds)


def per_group(
    values: Any, labels: list[Any], name: str, *, default: float = math.nan
) -> np.ndarray:
    """Return one value per group label from a scalar, a mapping or None."""
    if values is None:
        return np.full(len(labels), default)
    if isinstance(values, dict):
        unknown = sorted(str(k) for k in values if k not in labels)
        if unknown:
            msg = f"{name} names groups that do not exist: {unknown}; groups are {labels}"
            raise SpecificationError(msg)
        return np.array([float(values.get(g, default)) for g in labels])
    return np.full(len(labels), float(values))


def relaxed_bound(red: Any, costs: np.ndarray, n_sites: int | None, budget: float | None) -> float:
    """Return an upper bound on the weight the sites of ``red`` cover with a count or budget.

    Each site's own weight, summed over the ``n_sites`` largest (or, with a
    budget, taken by weight per cost up to the budget, the last one in part).
    """
    own = np.asarray(red.cover.T @ red.weight, dtype=np.float64)
    best = float(red.weight.sum())
    if n_sites is not None:
        best = min(best, float(np.sort(own)[::-1][:n_sites].sum()))
    if budget is not None:
        free = costs <= 0
        order = np.argsort(-own / np.where(free, 1.0, costs))
        order = order[~free[order]]
        spent = np.cumsum(costs[order])
        whole = int(np.searchsorted(spent, budget, side="right"))
        value = float(own[free].sum() + own[order[:whole]].sum())
        if whole < order.size:
            left = budget - (spent[whole - 1] if whole else 0.0)
            value += float(own[order[whole]]) * left / float(costs[order[whole]])
        best = min(best, value)
    return best
