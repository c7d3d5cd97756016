"""Greedy and Lagrangian heuristic for (partial) set covering, with a lower bound.

The greedy picks sites by least cost per newly covered weight and then drops
redundant ones; the Lagrangian relaxation of the covering rows, driven by
subgradient steps, gives a lower bound and guides repeated greedy repairs.
"""

from __future__ import annotations

import heapq
import math
import time

import numpy as np
import scipy.sparse as sp


def _greedy(
    csc: sp.csc_array,
    c: np.ndarray,
    w: np.ndarray,
    goal: float,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """Pick sites by least cost per newly covered weight until ``goal`` is reached.

    The sites in ``start`` are taken first; the result lists them too.
    """
    n, m = csc.shape
    covered = np.zeros(n, dtype=bool)
    chosen: list[int] = []
    if start is not None and start.size:
        chosen = start.tolist()
        mask = np.zeros(m, dtype=bool)
        mask[start] = True
        covered = np.asarray(csc @ mask.astype(np.float64)) > 0
    uncovered_w = np.where(covered, 0.0, w)
    gain = np.asarray(sp.csr_array(csc.T, dtype=np.float64) @ uncovered_w) if m else np.zeros(0)
    remaining = goal - float(w[covered].sum())
    tol = 1e-9 * max(1.0, goal)
    heap = [
        (c[j] / min(gain[j], remaining), int(j))
        for j in np.flatnonzero(gain > 0)
        if remaining > tol
    ]
    heapq.heapify(heap)
    while remaining > tol and heap:
        _, j = heapq.heappop(heap)
        rows = csc.indices[csc.indptr[j] : csc.indptr[j + 1]]
        fresh = rows[~covered[rows]]
        g = float(w[fresh].sum())
        eff = min(g, remaining)
        if eff <= 0:
            continue
        ratio = c[j] / eff
        if heap and ratio > heap[0][0] * (1 + 1e-12) + 1e-15:
            heapq.heappush(heap, (ratio, j))
            continue
        covered[fresh] = True
        remaining -= g
        chosen.append(j)
    if remaining > tol:
        msg = "the sites cannot cover the demand asked for"
        raise RuntimeError(msg)
    return np.array(chosen, dtype=np.int64)


def _drop_redundant(
    csc: sp.csc_array, c: np.ndarray, w: np.ndarray, goal: float, chosen: np.ndarray
) -> np.ndarray:
    """Remove chosen sites, dearest first, while the rest still reach ``goal``."""
    n = csc.shape[0]
    count = np.zeros(n, dtype=np.int64)
    for j in chosen:
        count[csc.indices[csc.indptr[j] : csc.indptr[j + 1]]] += 1
    total = float(w[count > 0].sum())
    tol = 1e-9 * max(1.0, goal)
    keep = []
    for j in sorted(chosen.tolist(), key=lambda k: (-c[k], -k)):
        rows = csc.indices[csc.indptr[j] : csc.indptr[j + 1]]
        loss = float(w[rows[count[rows] == 1]].sum())
        if total - loss >= goal - tol:
            count[rows] -= 1
            total -= loss
        else:
            keep.append(j)
    return np.sort(np.array(keep, dtype=np.int64))


def _lagrangian(
    a: sp.csr_array,
    csc: sp.csc_array,
    c: np.ndarray,
    w: np.ndarray,
    need: float | None,
    pick: np.ndarray,
    *,
    deadline: float,
) -> tuple[float, np.ndarray]:
    """Return a lower bound by subgradient optimisation and the best cover it led to.

    The cover constraints ``y_i <= sum_j a_ij x_j`` are relaxed with
    multipliers ``u >= 0``; for full covering ``y = 1``, for partial covering
    ``y`` solves a fractional knapsack ``min u @ y`` s.t. ``w @ y >= need``.
    Every few steps the sites with negative reduced cost are completed
    greedily to a cover and pruned, which often improves on ``pick``; the
    steps between completions are chosen so that completions take about as
    long as the subgradient steps. Stops at ``deadline``
    (:func:`time.perf_counter` seconds) after at least one completion.
    """
    n = a.shape[0]
    goal = float(w.sum()) if need is None else need
    iterations = int(min(400, max(30, 1e8 / max(a.nnz, 1))))
    integral = _integral(c)
    at = sp.csr_array(a.T, dtype=np.float64)
    af = sp.csr_array(a, dtype=np.float64)
    col_deg = np.maximum(np.diff(csc.indptr), 1)
    rowmin = np.full(n, np.inf)
    np.minimum.at(rowmin, np.repeat(np.arange(n), np.diff(a.indptr)), (c / col_deg)[a.indices])
    u = np.where(np.isfinite(rowmin), rowmin, 0.0)
    upper = float(c[pick].sum())
    best = 0.0
    lam = 2.0
    stall = 0
    every = 1
    last = -1
    greedy_time = 0.0
    step_time = 0.0
    for it in range(iterations):
        t_step = time.perf_counter()
        if it > 0 and t_step > deadline:
            break
        red = c - at @ u
        x = red < 0
        if need is None:
            y = np.ones(n)
        else:
            y = _fractional_fill(w, np.argsort(u / w, kind="stable"), need)
        value = float(red[x].sum() + u @ y)
        if value > best + 1e-9 * max(1.0, abs(best)):
            best = value
            stall = 0
        else:
            stall += 1
            if stall >= 20:
                lam /= 2
                stall = 0
        if it - last >= every:
            t_greedy = time.perf_counter()
            trial = _greedy(csc, c, w, goal, start=np.flatnonzero(x))
            trial = _drop_redundant(csc, c, w, goal, trial)
            cost = float(c[trial].sum())
            if cost < upper - 1e-9:
                upper, pick = cost, trial
            greedy_time = time.perf_counter() - t_greedy
            # every 5 steps if that fits the time left, else balance greedy and steps
            left = iterations - it
            every = 5
            if left * (step_time + greedy_time / 5) > deadline - time.perf_counter():
                every = max(5, math.ceil(greedy_time / max(step_time, 1e-9)))
            last = it
            t_step += greedy_time
        closed = math.ceil(best - 1e-6) if integral else best
        if upper - closed <= 1e-9 * max(1.0, upper) or lam < 1e-4:
            break
        g = y - af @ x.astype(np.float64)
        norm = float(g @ g)
        if norm <= 1e-18:
            break
        step = lam * max(upper - value, 1e-6 * max(1.0, upper)) / norm
        u = np.maximum(0.0, u + step * g)
        step_time = time.perf_counter() - t_step
    return min(best, upper), pick


def _fractional_fill(w: np.ndarray, order: np.ndarray, need: float) -> np.ndarray:
    """Return ``y`` in [0, 1] filling ``need`` weight in ``order`` (last one fractional)."""
    y = np.zeros(w.size)
    cum = np.cumsum(w[order])
    k = int(np.searchsorted(cum, need - 1e-12))
    y[order[:k]] = 1.0
    if k < order.size:
        before = cum[k - 1] if k > 0 else 0.0
        y[order[k]] = min(1.0, max(0.0, (need - before) / w[order[k]]))
    return y


def _integral(c: np.ndarray) -> bool:
    return bool(np.all(c == np.round(c)))
