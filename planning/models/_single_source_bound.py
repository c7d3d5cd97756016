"""A lower bound for sized location without its LP: Lagrangian relaxation of the assignment rows.

Private to :mod:`planning.models.single_source`. When the LP relaxation is
too large for the time left, relaxing "every point is served once" with a
multiplier ``u_i`` per point splits the model by site: opening site ``j``
is worth its fixed cost plus a fractional knapsack of its reduced costs
``cost[i, j] - u_i`` (weights the demands, size its capacity), and the sites
are then picked by that value under the count ``p``. Every ``u`` gives a
valid lower bound; subgradient steps raise it. The fill targets and the
total capacity row are left out, which can only lower the bound.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

_ITERATIONS = 500
"""Most subgradient steps."""

_HALVE_AFTER = 15
"""Steps without a better bound before the step size is halved."""


def lagrangian_bound(prob: Any, upper: float, deadline: float) -> tuple[float, np.ndarray | None]:
    """Return a lower bound on the optimum and a site score to seed the heuristic.

    Parameters
    ----------
    prob
        The :class:`planning.models._single_source_problem._Problem`, indexed.
    upper
        The cost of a known answer (``inf`` when none): it sets the step sizes.
    deadline
        ``time.perf_counter()`` time by which to stop.

    Returns
    -------
    tuple
        The best bound found (``-inf`` when there was no time for one step)
        and, per allowed site, the share of the later steps in which it was
        opened (None without a step).
    """
    rows, cols, cv, d = prob.rows, prob.cols, prob.cv, prob.d
    if rows.size == 0:
        return 0.0, None
    starts = prob.row_start[:-1]
    has = prob.row_start[1:] > starts
    u = np.zeros(prob.n)
    # start from each point's cheapest cost: the bound without any capacity or count
    u[has] = np.minimum.reduceat(cv, starts[has])
    best = -math.inf
    score: np.ndarray | None = None
    seen = np.zeros(prob.k)
    weight = 0.0
    step, stale = 2.0, 0
    for it in range(_ITERATIONS):
        if time.perf_counter() >= deadline:
            break
        value, opened, served = _relaxed(prob, u, rows, cols, cv, d)
        if not math.isfinite(best) or value > best + 1e-12 * max(1.0, abs(best)):
            best, stale = value, 0
        else:
            stale += 1
            if stale >= _HALVE_AFTER:
                step, stale = step / 2, 0
        # later steps (near the best multipliers) count more towards the seed
        seen += (it + 1) * opened
        weight += it + 1
        g = 1.0 - served
        norm = float(g @ g)
        if norm <= 1e-12 or step < 1e-4:
            break  # u is optimal for the relaxation, or the steps stopped moving it
        target = upper if math.isfinite(upper) else best + 0.1 * max(1.0, abs(best))
        u = u + step * max(target - value, 1e-9 * max(1.0, abs(value))) / norm * g
    if weight > 0:
        score = seen / weight
    return best, score


def _relaxed(
    prob: Any,
    u: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    cv: np.ndarray,
    d: np.ndarray,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Return the Lagrangian value at ``u``, the opened sites (0/1) and each point's service."""
    r = cv - u[rows]
    neg = np.flatnonzero(r < 0)
    k = prob.k
    site = prob.ycol[neg]
    dn = d[rows[neg]]
    # per site, the most negative reduced cost per unit of demand first
    ratio = np.divide(r[neg], dn, out=np.full(neg.size, -np.inf), where=dn > 0)
    order = np.lexsort((ratio, site))
    neg, site, dn = neg[order], site[order], dn[order]
    cum = np.cumsum(dn)
    first = np.r_[True, site[1:] != site[:-1]] if site.size else np.zeros(0, bool)
    base = np.maximum.accumulate(np.where(first, cum - dn, 0.0)) if site.size else cum
    before = cum - dn - base  # demand of the same site's earlier items
    room = prob.cap[prob.allowed][site] - before
    take = np.clip(np.divide(room, dn, out=np.ones(neg.size), where=dn > 0), 0.0, 1.0)
    take[dn <= 0] = 1.0
    gain = np.bincount(site, weights=take * r[neg], minlength=k)
    v = prob.f[prob.allowed] + gain
    opened = _pick(prob, v)
    on = opened[site] > 0
    served = np.bincount(rows[neg[on]], weights=take[on], minlength=prob.n)
    return float(u.sum() + v @ opened), opened, served


def _pick(prob: Any, v: np.ndarray) -> np.ndarray:
    """Open the fixed sites and the best others by value ``v`` under the count ``p``."""
    fixed = prob.fixed[prob.allowed]
    opened = fixed.astype(np.float64)
    free = np.flatnonzero(~fixed)
    if prob.p is None:
        opened[free[v[free] < 0]] = 1.0
        return opened
    slots = max(prob.p - prob.req.size, 0)
    best = free[np.argsort(v[free], kind="stable")[:slots]]
    if not prob.exact_p:
        best = best[v[best] < 0]
    opened[best] = 1.0
    return opened
