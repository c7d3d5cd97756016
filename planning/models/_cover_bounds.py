"""Upper bounds for weighted maximal coverage: greedy-gain, threshold and Lagrangian.

Every function returns a value no coverage of at most ``p`` sites (or within
the budget) can exceed, so a heuristic answer always carries an honest gap.
"""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp

from ._greedy import CoverState, _costs


def coverage_bound(
    state: CoverState,
    *,
    p: int | None,
    costs: np.ndarray | None = None,
    budget: float | None = None,
    allowed: np.ndarray | None = None,
) -> float:
    """Return an upper bound on the best covered weight from the current state.

    For monotone submodular coverage, the optimum is at most the current
    value plus the best gains a feasible set of columns could add on top of
    it: the ``p`` largest gains, or (with a budget) the fractional-knapsack
    value of the gains. Columns fixed in the state count against ``p`` and
    the budget (they are in every solution).

    Parameters
    ----------
    state
        Current cover state.
    p
        Largest number of columns, or None.
    costs, budget
        Column costs and budget, if any.
    allowed
        Columns that may be chosen; default all.

    Returns
    -------
    float
        A valid upper bound.
    """
    g = state.gains()
    if allowed is not None:
        g = np.where(allowed, g, 0.0)
    return state.value + _best_gain_sum(g, p, _costs(costs, g.size), budget)


def _best_gain_sum(g: np.ndarray, p: int | None, c: np.ndarray, budget: float | None) -> float:
    """Largest sum of gains under the cardinality and (relaxed) budget limits."""
    pos = g > 0
    g, c = g[pos], c[pos]
    if budget is None:
        if p is None:
            return float(g.sum())
        k = min(int(p), g.size)
        if k <= 0:
            return 0.0
        return float(np.partition(g, g.size - k)[g.size - k :].sum())
    # Fractional knapsack (ignoring p when given together is still an upper bound
    # only if p is not binding; so take the min with the cardinality bound).
    free = c <= 0
    total = float(g[free].sum())
    g2, c2 = g[~free], c[~free]
    order = np.argsort(-(g2 / c2), kind="stable")
    cum = np.cumsum(c2[order])
    full = np.searchsorted(cum, budget, side="right")
    total += float(g2[order[:full]].sum())
    if full < order.size:
        left = budget - (cum[full - 1] if full > 0 else 0.0)
        total += float(g2[order[full]] * max(left, 0.0) / c2[order[full]])
    if p is not None:
        total = min(total, _best_gain_sum(g, p, c, None))
    return total


def lagrangian_bound(
    csr: sp.csr_array,
    weights: np.ndarray,
    *,
    p: int | None,
    costs: np.ndarray | None = None,
    budget: float | None = None,
    lower: float = 0.0,
    start: np.ndarray | None = None,
    iterations: int = 100,
    time_limit: float | None = None,
    patience: int = 5,
    first_step: float = 1.0,
    csc: sp.csc_array | None = None,
) -> float:
    """Return a Lagrangian upper bound on the best covered weight.

    Relaxing ``y_i <= sum_j a_ij x_j`` with multipliers ``0 <= lambda_i <=
    w_i`` gives ``L(lambda) = sum_i (w_i - lambda_i) + best(sum_i a_ij
    lambda_i)``, where ``best`` takes the ``p`` largest column values (or a
    fractional knapsack under the budget). Every ``L(lambda)`` is an upper
    bound; subgradient steps (Polyak step towards ``lower``) shrink it
    towards the LP bound.

    Parameters
    ----------
    csr
        Coverage matrix (rows = demand).
    weights
        Row weights.
    p
        Largest number of columns, or None.
    costs, budget
        Column costs and budget, if any.
    lower
        Value of a known feasible solution (the step target).
    start
        Initial multipliers, e.g. the weights of the rows a good solution
        leaves uncovered.
    iterations
        Largest number of subgradient steps.
    time_limit
        Seconds to spend at most, or None.
    patience
        Steps without a better bound after which the step size halves.
    first_step
        Initial factor of the Polyak step.
    csc
        ``csr`` as a float CSC array, when the caller has it (saves a copy).

    Returns
    -------
    float
        The best (smallest) bound seen.
    """
    t0 = time.perf_counter()
    w = np.asarray(weights, dtype=np.float64)
    m = csr.shape[1]
    c = _costs(costs, m)
    lam = w.copy() if start is None else np.clip(np.asarray(start, np.float64), 0.0, w)
    csc = sp.csc_array(csr, dtype=np.float64) if csc is None else csc
    csr = sp.csr_array(csr, dtype=np.float64)
    columns_of = csc.T  # a CSR view of the same arrays, built once (not once per step)
    best = math.inf
    step = float(first_step)
    stall = 0
    for _ in range(max(iterations, 1)):
        colval = np.asarray(columns_of @ lam, dtype=np.float64)
        x, top = _best_columns(colval, p, c, budget)
        value = float((w - lam).sum()) + top
        if value < best - 1e-9 * max(1.0, abs(best) if math.isfinite(best) else 1.0):
            best = value
            stall = 0
        else:
            stall += 1
            if stall >= patience:
                step /= 2.0
                stall = 0
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            break
        # subgradient of L w.r.t. lambda: -1 + (a x)_i; y_i = 1 where lam_i < w_i
        sub = np.asarray(csr @ x, dtype=np.float64) - 1.0
        # projected direction on the box [0, w]
        sub[(lam <= 0) & (sub > 0)] = 0.0
        sub[(lam >= w) & (sub < 0)] = 0.0
        norm = float(sub @ sub)
        if norm <= 0 or best - lower <= 1e-9 * max(1.0, abs(lower)):
            break
        t = step * (value - lower) / norm
        lam = np.clip(lam - t * sub, 0.0, w)
        if step < 1e-4:
            break
    return best


def _best_columns(
    val: np.ndarray, p: int | None, c: np.ndarray, budget: float | None
) -> tuple[np.ndarray, float]:
    """Return a maximiser of ``val @ x`` over a relaxation and an upper bound on that max.

    The relaxation is ``0 <= x <= 1`` with ``sum x <= p`` and/or
    ``c @ x <= budget``. With both limits the smaller of the two one-limit
    maxima is returned (each is an upper bound), with its maximiser.
    """
    pos = np.flatnonzero(val > 0)
    options: list[tuple[np.ndarray, float]] = []
    if p is not None or budget is None:
        x = np.zeros(val.size)
        if p is None:
            x[pos] = 1.0
        else:
            k = min(int(p), pos.size)
            if k > 0:
                x[pos[np.argpartition(-val[pos], k - 1)[:k]]] = 1.0
        options.append((x, float(val @ x)))
    if budget is not None:
        x = np.zeros(val.size)
        x[pos[c[pos] <= 0]] = 1.0
        rest = pos[c[pos] > 0]
        order = rest[np.argsort(-(val[rest] / c[rest]), kind="stable")]
        cum = np.cumsum(c[order])
        full = int(np.searchsorted(cum, budget, side="right"))
        x[order[:full]] = 1.0
        if full < order.size:
            left = budget - (cum[full - 1] if full > 0 else 0.0)
            x[order[full]] = max(left, 0.0) / c[order[full]]
        options.append((x, float(val @ x)))
    return min(options, key=lambda t: t[1])


def threshold_bound(
    csr: sp.csr_array,
    weights: np.ndarray,
    *,
    p: int | None,
    costs: np.ndarray | None = None,
    budget: float | None = None,
    prices: np.ndarray,
    rounds: int = 4,
    time_limit: float | None = None,
    csc: sp.csc_array | None = None,
) -> tuple[float, np.ndarray]:
    """Return the best Lagrangian bound over multipliers built for a few site prices.

    For a price ``pi``, every column may "charge" at most ``pi`` times its
    cost (1 without costs). Multipliers are raised row by row, all at once,
    each row by the smallest share its columns can still absorb, so no
    column ever exceeds its cap; a few rounds fill most of the room. This
    is a cheap dual ascent whose value ``L(lambda)`` (see
    :func:`lagrangian_bound`) is a valid upper bound; on sparse geographic
    instances it is within a few percent of the LP bound at the cost of a
    few sparse products, and it is a good start for subgradient steps.

    Parameters
    ----------
    csr
        Coverage matrix (rows = demand).
    weights
        Row weights.
    p, costs, budget
        Site limits, as for :func:`lagrangian_bound`.
    prices
        Candidate prices per unit cost (e.g. around the greedy's last gain).
    rounds
        Rounds of raising per price.
    time_limit
        Seconds after which no further round or price is started (one round
        of the first price is always made), or None.
    csc
        ``csr`` as a float CSC array, when the caller has it (saves a copy).

    Returns
    -------
    tuple of (float, numpy.ndarray)
        The best bound and its multipliers.
    """
    t0 = time.perf_counter()
    w = np.asarray(weights, dtype=np.float64)
    m = csr.shape[1]
    c = _costs(costs if budget is not None and p is None else None, m)

    def late() -> bool:
        return time_limit is not None and time.perf_counter() - t0 > time_limit

    fcsr = sp.csr_array(csr, dtype=np.float64)
    fcsc = sp.csc_array(fcsr) if csc is None else csc
    columns_of = fcsc.T  # built once
    nonempty = np.diff(fcsr.indptr) > 0
    starts = fcsr.indptr[:-1][nonempty]
    best, best_lam = math.inf, w.copy()
    for pi in np.asarray(prices, dtype=np.float64):
        cap = max(float(pi), 0.0) * c
        lam = np.zeros_like(w)
        lam[~nonempty] = w[~nonempty]
        for r in range(rounds):
            if r and late():
                break
            resid = w - lam
            room = np.maximum(cap - columns_of @ lam, 0.0)
            rest = columns_of @ resid
            ratio = np.full(m, np.inf)
            np.divide(room, rest, out=ratio, where=rest > 0)
            share = np.full(w.size, np.inf)
            if starts.size:
                share[nonempty] = np.minimum.reduceat(ratio[fcsr.indices], starts)
            lam = lam + np.minimum(share, 1.0) * resid
        lam = np.minimum(lam, w)
        _, top = _best_columns(np.asarray(columns_of @ lam), p, _costs(costs, m), budget)
        value = float((w - lam).sum()) + top
        if value < best:
            best, best_lam = value, lam
        if late():
            break
    return best, best_lam
