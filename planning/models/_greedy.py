"""Greedy, swap local search and bounds for weighted maximal coverage.

Array core shared by :mod:`planning.models.mclp` and :mod:`planning.models.tradeoff`. The
problem is: choose columns of a boolean coverage matrix ``a`` (rows =
demand, columns = sites) to maximise the weight of the rows covered by at
least one chosen column, with at most ``p`` columns or within a budget on
the column costs.

- :func:`lazy_greedy` adds the column with the largest gain (or gain per
  cost) using a priority queue of stale gains;
- :func:`swap_search` improves a solution by vertex substitution (swap one
  chosen column for another) with incremental cover counts;
- :func:`coverage_bound` and :func:`lagrangian_bound` give valid upper bounds,
  so every heuristic answer has a gap.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass
class CoverState:
    """Incremental cover counts for a set of chosen columns.

    Parameters
    ----------
    csr, csc
        The coverage matrix in both layouts.
    weights
        Row weights.
    count
        Per row, how many chosen columns cover it.
    idsum
        Per row, the sum of the indices of the chosen columns covering it
        (equals the single owner where ``count == 1``).
    unique
        Per column, the weight of rows only that (chosen) column covers.
    chosen
        Per column, whether it is chosen.
    value
        Covered weight.
    """

    csr: sp.csr_array
    csc: sp.csc_array
    weights: np.ndarray
    count: np.ndarray
    idsum: np.ndarray
    unique: np.ndarray
    chosen: np.ndarray
    value: float = 0.0

    @classmethod
    def empty(cls, csr: sp.csr_array, weights: np.ndarray) -> CoverState:
        """Return the state with nothing chosen."""
        n, m = csr.shape
        return cls(
            csr=csr,
            csc=sp.csc_array(csr, dtype=np.float64),
            weights=np.asarray(weights, dtype=np.float64),
            count=np.zeros(n, dtype=np.int32),
            idsum=np.zeros(n, dtype=np.int64),
            unique=np.zeros(m, dtype=np.float64),
            chosen=np.zeros(m, dtype=bool),
        )

    def rows(self, j: int) -> np.ndarray:
        """Return the rows column ``j`` covers."""
        return self.csc.indices[self.csc.indptr[j] : self.csc.indptr[j + 1]]

    def gain(self, j: int) -> float:
        """Return the weight column ``j`` would newly cover."""
        r = self.rows(j)
        return float(self.weights[r[self.count[r] == 0]].sum())

    def add(self, j: int) -> None:
        """Choose column ``j``."""
        r = self.rows(j)
        c = self.count[r]
        new = r[c == 0]
        self.value += float(self.weights[new].sum())
        self.unique[j] = float(self.weights[new].sum())
        shared = r[c == 1]
        if shared.size:
            np.subtract.at(self.unique, self.idsum[shared], self.weights[shared])
        self.count[r] += 1
        self.idsum[r] += j
        self.chosen[j] = True

    def remove(self, j: int) -> None:
        """Drop column ``j`` from the chosen set."""
        r = self.rows(j)
        self.count[r] -= 1
        self.idsum[r] -= j
        c = self.count[r]
        lost = r[c == 0]
        self.value -= float(self.weights[lost].sum())
        back = r[c == 1]
        if back.size:
            np.add.at(self.unique, self.idsum[back], self.weights[back])
        self.unique[j] = 0.0
        self.chosen[j] = False

    def gains(self) -> np.ndarray:
        """Return the gain of every column (0 for chosen ones)."""
        free = np.where(self.count == 0, self.weights, 0.0)
        g = self.csc.T @ free
        g[self.chosen] = 0.0
        return np.asarray(g, dtype=np.float64)


def _costs(costs: np.ndarray | None, m: int) -> np.ndarray:
    return np.ones(m) if costs is None else np.asarray(costs, dtype=np.float64)


def lazy_greedy(
    state: CoverState,
    *,
    p: int | None,
    costs: np.ndarray | None = None,
    budget: float | None = None,
    allowed: np.ndarray | None = None,
) -> list[float]:
    """Add columns greedily to ``state`` until ``p`` are chosen or the budget is spent.

    With a budget the key is gain per unit cost; the best single affordable
    column is also tried and kept if it alone beats the greedy set (the
    usual safeguard for knapsack-constrained coverage).

    Parameters
    ----------
    state
        Cover state to extend in place (may already hold chosen columns,
        which count towards ``p`` and the budget).
    p
        Largest number of chosen columns, or None for no limit.
    costs
        Per-column costs (needed with ``budget``).
    budget
        Largest total cost of the chosen columns, or None.
    allowed
        Boolean mask of the columns that may be added; default all.

    Returns
    -------
    list of float
        Covered weight after each addition (the greedy trajectory).
    """
    m = state.csr.shape[1]
    c = _costs(costs, m)
    spent = float(c[state.chosen].sum())
    limit = math.inf if p is None else p
    ok = ~state.chosen if allowed is None else (allowed & ~state.chosen)
    if budget is not None:
        ok &= c <= budget - spent + 1e-9
    gains = state.gains()
    use_ratio = budget is not None

    def key(g: float, j: int) -> float:
        if not use_ratio:
            return g
        return g / c[j] if c[j] > 0 else math.inf

    heap = [(-key(float(gains[j]), int(j)), int(j)) for j in np.flatnonzero(ok & (gains > 0))]
    heapq.heapify(heap)
    trajectory: list[float] = []
    n_chosen = int(state.chosen.sum())
    while heap and n_chosen < limit:
        _, j = heapq.heappop(heap)
        if budget is not None and c[j] > budget - spent + 1e-9:
            continue
        g = state.gain(j)
        if g <= 0:
            continue
        k = key(g, j)
        if heap and k < -heap[0][0]:
            heapq.heappush(heap, (-k, j))
            continue
        state.add(j)
        spent += c[j]
        n_chosen += 1
        trajectory.append(state.value)
    if budget is not None:
        _best_single_fallback(state, c, budget, ok)
    return trajectory


def _best_single_fallback(state: CoverState, c: np.ndarray, budget: float, ok: np.ndarray) -> None:
    """Replace the free part of the greedy set by one column if that covers more."""
    single = np.asarray(state.csc.T @ state.weights, dtype=np.float64)
    single[~ok] = -1.0
    single[c > budget + 1e-9] = -1.0
    j = int(np.argmax(single)) if single.size else -1
    if j < 0 or single[j] <= state.value:
        return
    for k in np.flatnonzero(state.chosen & ok):
        state.remove(int(k))
    # Keep previously fixed columns (not in ``ok``) and add the best single one.
    if c[state.chosen].sum() + c[j] <= budget + 1e-9:
        state.add(j)


def swap_search(
    state: CoverState,
    *,
    costs: np.ndarray | None = None,
    budget: float | None = None,
    allowed: np.ndarray | None = None,
    time_limit: float | None = None,
    max_rounds: int = 50,
) -> int:
    """Improve ``state`` by swapping one chosen column for another (vertex substitution).

    Each round scores every candidate column at once (its gain plus the
    best loss it can replace, from sparse products), then tries the
    candidates in decreasing score order with exact incremental checks,
    applying every swap that still improves. Stops when a round improves
    nothing, after ``max_rounds`` or at the time limit.

    Parameters
    ----------
    state
        Cover state to improve in place.
    costs, budget
        Column costs and the budget the swaps must respect, if any.
    allowed
        Boolean mask of the columns that may be swapped in or out; default
        all (fixed columns are excluded from it by callers).
    time_limit
        Seconds to spend at most, or None.
    max_rounds
        Largest number of rounds.

    Returns
    -------
    int
        Number of swaps applied.
    """
    t0 = time.perf_counter()
    m = state.csr.shape[1]
    c = _costs(costs, m)
    movable = np.ones(m, dtype=bool) if allowed is None else allowed.copy()
    swaps = 0
    eps = 1e-9 * max(1.0, float(state.weights.sum()))
    for _ in range(max_rounds):
        out_set = np.flatnonzero(state.chosen & movable)
        if out_set.size == 0:
            break
        scores = _swap_scores(state, out_set)
        cand = np.flatnonzero((scores > eps) & movable & ~state.chosen)
        if cand.size == 0:
            break
        cand = cand[np.argsort(-scores[cand], kind="stable")]
        improved = False
        for k in cand:
            if time_limit is not None and time.perf_counter() - t0 > time_limit:
                return swaps
            best = _best_swap(state, int(k), movable, c, budget)
            if best is None:
                continue
            j, delta = best
            if delta > eps:
                state.add(int(k))
                state.remove(j)
                swaps += 1
                improved = True
        if not improved:
            break
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            break
    return swaps


def _swap_scores(state: CoverState, out_set: np.ndarray) -> np.ndarray:
    """Upper estimate, per column, of the best swap gain (exact without costs)."""
    gains = state.gains()
    one = np.flatnonzero(state.count == 1)
    min_u = float(state.unique[out_set].min())
    best = np.full(gains.shape, -min_u)
    if one.size:
        sub = state.csr[one]
        owner = state.idsum[one]
        # rows x columns entries where the row has exactly one chosen cover
        coo = sp.coo_array(sub)
        k = coo.col
        o = owner[coo.row]
        w = state.weights[one][coo.row]
        if k.size:
            key = k.astype(np.int64) * state.csr.shape[1] + o
            uniq, inv = np.unique(key, return_inverse=True)
            extra = np.bincount(inv.ravel(), weights=w)
            kk = uniq // state.csr.shape[1]
            oo = uniq % state.csr.shape[1]
            val = extra - state.unique[oo]
            np.maximum.at(best, kk, val)
    return gains + best


def _best_swap(
    state: CoverState, k: int, movable: np.ndarray, c: np.ndarray, budget: float | None
) -> tuple[int, float] | None:
    """Return the best column to swap out for ``k`` and the exact change, or None."""
    r = state.rows(k)
    cnt = state.count[r]
    gain = float(state.weights[r[cnt == 0]].sum())
    ones = r[cnt == 1]
    out = np.flatnonzero(state.chosen & movable)
    if out.size == 0:
        return None
    loss = state.unique[out].copy()
    if ones.size:
        owners = state.idsum[ones]
        pos = np.searchsorted(out, owners)
        pos_ok = (pos < out.size) & (out[np.minimum(pos, out.size - 1)] == owners)
        np.subtract.at(loss, pos[pos_ok], state.weights[ones][pos_ok])
    if budget is not None:
        spent = float(c[state.chosen].sum())
        feasible = spent - c[out] + c[k] <= budget + 1e-9
        if not feasible.any():
            return None
        loss = np.where(feasible, loss, np.inf)
    i = int(np.argmin(loss))
    return int(out[i]), gain - float(loss[i])


def reset_to(state: CoverState, columns: np.ndarray) -> None:
    """Make ``columns`` the chosen set of ``state`` (changing only what differs)."""
    target = np.zeros(state.chosen.size, dtype=bool)
    target[columns] = True
    for j in np.flatnonzero(state.chosen & ~target):
        state.remove(int(j))
    for j in np.flatnonzero(target & ~state.chosen):
        state.add(int(j))


def perturbed_search(
    state: CoverState,
    *,
    p: int | None,
    costs: np.ndarray | None = None,
    budget: float | None = None,
    allowed: np.ndarray | None = None,
    time_limit: float = 1.0,
    max_stall: int = 30,
    seed: int = 0,
) -> int:
    """Improve ``state`` by iterated local search: drop, refill greedily, swap.

    Keeps the best set found in ``state``. Each round removes a random tenth
    (at least one) of the movable chosen columns, adds columns back with
    :func:`lazy_greedy` (skipping the ones just removed) and runs
    :func:`swap_search`.

    Parameters
    ----------
    state
        Cover state holding a good solution; improved in place.
    p, costs, budget, allowed
        As for :func:`lazy_greedy`.
    time_limit
        Seconds to spend at most.
    max_stall
        Stop after this many rounds without improvement.
    seed
        Seed of the random choices (results are reproducible).

    Returns
    -------
    int
        Number of rounds that improved the solution.
    """
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    m = state.chosen.size
    movable = np.ones(m, dtype=bool) if allowed is None else allowed
    best_cols = np.flatnonzero(state.chosen)
    best_value = state.value
    stall = improved = 0
    rounds = 0
    while stall < max_stall and time.perf_counter() - t0 < time_limit:
        mine = np.flatnonzero(state.chosen & movable)
        if mine.size == 0:
            break
        k = max(1, mine.size // 10)
        rounds += 1
        if rounds % 2:
            drop = rng.choice(mine, size=min(k, mine.size), replace=False)
        else:
            drop = _neighbourhood(state, int(rng.choice(mine)), mine, k)
        for j in drop:
            state.remove(int(j))
        refill = movable.copy()
        refill[drop] = False
        lazy_greedy(state, p=p, costs=costs, budget=budget, allowed=refill)
        left = max(time_limit - (time.perf_counter() - t0), 0.0)
        swap_search(state, costs=costs, budget=budget, allowed=movable, time_limit=left)
        if state.value > best_value + 1e-9 * max(1.0, abs(best_value)):
            improved += 1
            stall = 0
        else:
            stall += 1
        if state.value >= best_value:
            # equal values are accepted too: moving along plateaus diversifies
            best_value = state.value
            best_cols = np.flatnonzero(state.chosen)
        else:
            reset_to(state, best_cols)
    reset_to(state, best_cols)
    return improved


def _neighbourhood(state: CoverState, j: int, mine: np.ndarray, k: int) -> np.ndarray:
    """Return ``j`` and up to ``k - 1`` chosen columns sharing rows with its neighbours."""
    rows = state.rows(j)
    near = np.unique(state.csr.indices[_row_entries(state.csr, rows)])
    rows2 = np.unique(state.csc.indices[_col_entries(state.csc, near)])
    cols2 = np.unique(state.csr.indices[_row_entries(state.csr, rows2)])
    close = np.intersect1d(cols2, mine)
    close = close[close != j][: max(k - 1, 0)]
    return np.r_[j, close].astype(np.int64)


def _row_entries(csr: sp.csr_array, rows: np.ndarray) -> np.ndarray:
    """Return the positions in ``csr.indices`` of the entries of ``rows``."""
    starts, ends = csr.indptr[rows], csr.indptr[rows + 1]
    lengths = ends - starts
    if lengths.sum() == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
    return np.arange(int(lengths.sum())) + offsets


def _col_entries(csc: sp.csc_array, cols: np.ndarray) -> np.ndarray:
    """Return the positions in ``csc.indices`` of the entries of ``cols``."""
    return _row_entries(csc, cols)  # same layout: indptr over the major axis
