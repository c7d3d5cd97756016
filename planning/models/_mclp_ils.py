"""Iterated local search for maximal covering with exactly evaluated swaps.

:func:`iterated_swap_search` improves a set of ``p`` chosen columns of a
boolean coverage matrix (rows = demand, columns = sites) under a cardinality
limit. It keeps, besides the per-row cover counts, three arrays from which
the exact change of every swap (one column in, one out) is read at once:

- ``gain[j]``: weight of the uncovered rows column ``j`` covers;
- ``loss[s]``: weight of the rows covered only by the column in slot ``s``;
- ``extra[s, j]``: weight of the rows covered only by the column in slot
  ``s`` that column ``j`` also covers.

Swapping ``j`` in for slot ``s`` changes the covered weight by exactly
``gain[j] - loss[s] + extra[s, j]``. A move touches only the rows of the
two columns, so the arrays are updated sparsely (the rows' old contribution
is taken out, the counts change, the new one is put back); finding the best
swap is one pass over the dense ``extra`` array (p x columns).

The search alternates a best-improvement descent with a perturbation of a
few slots (each replaced by a site near it, or by a random one), whose size
adapts: it grows while perturbed descents keep returning to known values and
falls back after a new best. A descended solution becomes the current one
when it is at least as good, or within a threshold between the best and
the mean of recent local optima (threshold acceptance). The threshold can
follow a schedule: after a number of iterations without a new best the
search moves on to the next value (e.g. from close to the best to as far as
the mean), and stays with the value that found the last new best.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

MAX_DENSE = 40_000_000
"""Largest ``columns x p`` for which the dense swap table is kept."""


def _entries(indptr: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the positions of the entries of major rows ``idx`` and their lengths."""
    starts, ends = indptr[idx], indptr[idx + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), lengths
    cum = np.cumsum(lengths)
    offsets = np.repeat(starts - (cum - lengths), lengths)
    return np.arange(total, dtype=np.int64) + offsets, lengths


class SwapTable:
    """Cover counts and the exact swap table for a set of chosen columns."""

    def __init__(self, csr: sp.csr_array, weights: np.ndarray, p: int) -> None:
        self.csr = sp.csr_array(csr)
        self.csr.sort_indices()
        csc = sp.csc_array(self.csr)
        csc.sort_indices()
        self.c_ptr, self.c_idx = csc.indptr, csc.indices
        self.r_ptr, self.r_idx = self.csr.indptr, self.csr.indices
        n, m = self.csr.shape
        self.n, self.m, self.p = n, m, p
        self.w = np.asarray(weights, dtype=np.float64)
        self.count = np.zeros(n, dtype=np.int32)
        self.idsum = np.zeros(n, dtype=np.int64)
        self.slot_of = np.full(m, -1, dtype=np.int64)
        self.col_of = np.full(p, -1, dtype=np.int64)
        self.gain = np.asarray(csc.T @ self.w, dtype=np.float64) if n else np.zeros(m)
        self.loss = np.zeros(p)
        self.extra = np.zeros((p, m))
        self._flat = self.extra.reshape(-1)  # a view, for fast scattered updates
        self._buf = np.zeros((p, m))
        self.value = 0.0

    # -- moves --------------------------------------------------------------
    def _rows_of(self, j: int) -> np.ndarray:
        return self.c_idx[self.c_ptr[j] : self.c_ptr[j + 1]]

    def _touch(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return, for the entries of ``rows``, their columns and their row positions."""
        pos, lengths = _entries(self.r_ptr, rows)
        return self.r_idx[pos], np.repeat(np.arange(rows.size), lengths)

    def add(self, j: int, slot: int) -> None:
        """Choose column ``j`` into the empty ``slot``."""
        rows = self._rows_of(j)
        cnt = self.count[rows]
        # only rows covered at most once change their contribution
        few = cnt <= 1
        rw, cw = rows[few], cnt[few]
        wr = self.w[rw]
        cols, at = self._touch(rw)
        ce = cw[at]
        # uncovered rows become owned by j: no more gain, a loss and extras for j's slot
        new = ce == 0
        wn = wr[at[new]]
        np.subtract.at(self.gain, cols[new], wn)
        np.add.at(self.extra[slot], cols[new], wn)
        first = cw == 0
        covered = float(wr[first].sum())
        self.loss[slot] += covered
        self.value += covered
        # rows owned by one other column become shared: its loss and extras fall
        one = cw == 1
        if one.any():
            owner_slot = self.slot_of[np.where(one, self.idsum[rw], 0)]
            np.subtract.at(self.loss, owner_slot[one], wr[one])
            sh = ce == 1
            np.subtract.at(self._flat, owner_slot[at[sh]] * self.m + cols[sh], wr[at[sh]])
        self.slot_of[j] = slot
        self.col_of[slot] = j
        self.count[rows] += 1
        self.idsum[rows] += j

    def remove(self, slot: int) -> None:
        """Empty ``slot``."""
        j = int(self.col_of[slot])
        rows = self._rows_of(j)
        cnt = self.count[rows]
        # only rows covered once or twice change their contribution
        few = cnt <= 2
        rw, cw = rows[few], cnt[few]
        wr = self.w[rw]
        cols, at = self._touch(rw)
        ce = cw[at]
        # rows only j covered become uncovered
        lost = ce == 1
        wl = wr[at[lost]]
        np.add.at(self.gain, cols[lost], wl)
        np.subtract.at(self.extra[slot], cols[lost], wl)
        self.value -= float(wr[cw == 1].sum())
        self.loss[slot] = 0.0
        # rows j shared with one other column become that column's own
        two = cw == 2
        if two.any():
            other_slot = self.slot_of[np.where(two, self.idsum[rw] - j, 0)]
            np.add.at(self.loss, other_slot[two], wr[two])
            sh = ce == 2
            np.add.at(self._flat, other_slot[at[sh]] * self.m + cols[sh], wr[at[sh]])
        self.slot_of[j] = -1
        self.col_of[slot] = -1
        self.count[rows] -= 1
        self.idsum[rows] -= j

    def swap(self, j: int, slot: int) -> None:
        """Put column ``j`` in place of the column in ``slot`` (or into it, if empty)."""
        if self.col_of[slot] >= 0:
            self.remove(slot)
        self.add(j, slot)

    def set_to(self, cols: np.ndarray) -> None:
        """Make ``cols`` (at most ``p``) the chosen set, changing only what differs."""
        target = np.zeros(self.m, dtype=bool)
        target[cols] = True
        chosen = self.slot_of >= 0
        leave = np.flatnonzero(chosen & ~target)
        enter = np.flatnonzero(target & ~chosen)
        slots = list(self.slot_of[leave])
        for j in enter:
            if slots:
                self.swap(int(j), int(slots.pop()))
            else:
                self.add(int(j), int(np.flatnonzero(self.col_of < 0)[0]))
        for s in slots:
            self.remove(int(s))

    def chosen(self) -> np.ndarray:
        """Return the chosen columns, sorted."""
        return np.sort(self.col_of[self.col_of >= 0])

    # -- evaluation ---------------------------------------------------------
    def best_swap(self) -> tuple[int, int, float]:
        """Return (column in, slot, exact change) of the best swap or fill of an empty slot."""
        free = self.col_of < 0
        gain = np.where(self.slot_of >= 0, -np.inf, self.gain)
        if free.any():
            j = int(np.argmax(gain))
            return j, int(np.flatnonzero(free)[0]), float(gain[j])
        buf = self._buf
        np.subtract(self.extra, self.loss[:, None], out=buf)
        val = buf.max(axis=0)
        val += gain
        j = int(np.argmax(val))
        return j, int(np.argmax(buf[:, j])), float(val[j])

    def descend(self, eps: float, deadline: float) -> int:
        """Apply best swaps while one improves by more than ``eps``; return how many."""
        moves = 0
        while time.perf_counter() < deadline:
            j, s, delta = self.best_swap()
            if delta <= eps:
                break
            self.swap(j, s)
            moves += 1
        return moves

    def near(self, j: int, rng: np.random.Generator) -> int:
        """Return a random column that covers a random row of column ``j`` (maybe ``j``)."""
        rows = self._rows_of(j)
        if rows.size == 0:
            return j
        i = int(rows[rng.integers(rows.size)])
        lo, hi = self.r_ptr[i], self.r_ptr[i + 1]
        return int(self.r_idx[lo + rng.integers(hi - lo)])


def _keep_elite(
    elite: list[tuple[float, np.ndarray]], value: float, table: SwapTable, size: int
) -> None:
    """Insert the table's solution into ``elite`` (best first) if it is good and new."""
    if len(elite) >= size and value <= elite[-1][0]:
        return
    cols = table.chosen()
    if any(v == value and np.array_equal(c, cols) for v, c in elite):
        return
    elite.append((value, cols))
    elite.sort(key=lambda t: -t[0])
    del elite[size:]


def iterated_swap_search(
    csr: sp.csr_array,
    weights: np.ndarray,
    p: int,
    start: np.ndarray,
    *,
    time_limit: float,
    seed: int = 0,
    max_stall: int | None = None,
    near_share: float = 0.75,
    kappa: float | tuple[float, ...] = 0.5,
    kappa_epoch: int | None = None,
    elite: list[tuple[float, np.ndarray]] | None = None,
    elite_size: int = 6,
    restarts: int = 0,
    stop: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, float, dict[str, Any]]:
    """Return the best set of at most ``p`` columns found from ``start``, its value, statistics.

    Parameters
    ----------
    csr
        Boolean coverage matrix (rows = demand, columns = sites).
    weights
        Row weights.
    p
        Number of columns to choose.
    start
        Initial columns (at most ``p``), e.g. a greedy solution.
    time_limit
        Seconds to spend at most.
    seed
        Seed of the random choices (results are reproducible for a given
        number of iterations).
    max_stall
        Stop after this many iterations without a new best; default no limit.
    near_share
        Share of perturbation moves that bring in a site near the one replaced
        (the others bring in a random site).
    kappa
        Acceptance: a local optimum is accepted when within ``kappa`` times
        the distance between the best and the mean of recent local optima.
        A tuple gives a schedule of such values, used in turn (see
        ``kappa_epoch``); larger values let the search wander further.
    kappa_epoch
        With a tuple ``kappa``: the search moves on to the next value after
        every ``kappa_epoch`` iterations without a new best, and every run
        (the first and each restart) begins with the first value. If None,
        each run uses the next value of the tuple for its whole length.
    elite
        If given, filled with the ``elite_size`` best distinct local optima
        seen, as (value, columns), best first.
    elite_size
        How many local optima to keep in ``elite`` (the best of every run
        is added to them).
    restarts
        After ``max_stall`` iterations without a new best, restart this many
        times from the best solution with a third of its sites replaced at
        random (each run's best also joins ``elite``).
    stop
        Called once an iteration; the search ends when it returns True.

    Returns
    -------
    tuple of (numpy.ndarray, float, dict)
        Chosen columns, their covered weight, and ``iterations``,
        ``improvements``, ``moves``, ``restarts`` and ``best_at`` (seconds
        into the search when the best was found).
    """
    t0 = time.perf_counter()
    deadline = t0 + max(time_limit, 0.0)
    rng = np.random.default_rng(seed)
    table = SwapTable(csr, weights, p)
    table.set_to(np.asarray(start, dtype=np.int64)[:p])
    eps = 1e-9 * max(1.0, float(table.w.sum()))
    stats: dict[str, Any] = {"iterations": 0, "improvements": 0, "moves": 0, "best_at": 0.0}
    stats["moves"] += table.descend(eps, deadline)
    best, best_value = table.chosen(), table.value
    current, current_value = best, best_value
    if elite is not None:
        _keep_elite(elite, best_value, table, elite_size)
    recent: list[float] = [best_value]
    degree, stall = 1, 0
    k = int((table.col_of >= 0).sum())
    max_degree = max(2, min(k, k // 4 + 1))
    stats["restarts"] = 0
    kappas = (kappa,) if isinstance(kappa, (int, float)) else tuple(kappa)
    ki = 0
    run_best, run_value = best, best_value
    bests: list[tuple[float, np.ndarray]] = []
    while time.perf_counter() < deadline and k > 0:
        if stop is not None and stop():
            break
        if max_stall is not None and stall >= max_stall:
            if stats["restarts"] >= restarts:
                break
            # restart: replace a third of the best solution's sites at random
            bests.append((run_value, run_best))
            stats["restarts"] += 1
            table.set_to(best)
            for s in rng.choice(k, size=max(1, k // 3), replace=False):
                free = np.flatnonzero(table.slot_of < 0)
                if free.size:
                    table.swap(int(rng.choice(free)), int(np.flatnonzero(table.col_of >= 0)[s]))
            stats["moves"] += table.descend(eps, deadline)
            current, current_value = table.chosen(), table.value
            run_best, run_value = current, current_value
            recent = [current_value]
            degree, stall = 1, 0
            ki = 0 if kappa_epoch is not None else (ki + 1) % len(kappas)
            continue
        stats["iterations"] += 1
        slots = rng.choice(np.flatnonzero(table.col_of >= 0), size=min(degree, k), replace=False)
        for s in slots:
            j_old = int(table.col_of[s])
            j_new = j_old
            for _ in range(8):
                if rng.random() < near_share:
                    # a site near the one replaced: two hops through a shared row
                    j_new = table.near(table.near(j_old, rng), rng)
                else:
                    j_new = int(rng.integers(table.m))
                if table.slot_of[j_new] < 0:
                    break
            if table.slot_of[j_new] < 0:
                table.swap(j_new, int(s))
        stats["moves"] += table.descend(eps, deadline)
        value = table.value
        recent.append(value)
        if elite is not None:
            _keep_elite(elite, value, table, elite_size)
        if len(recent) > 40:
            recent.pop(0)
        if value > run_value + eps:
            run_best, run_value = table.chosen(), value
        if value > best_value + eps:
            best, best_value = table.chosen(), value
            stats["improvements"] += 1
            stats["best_at"] = round(time.perf_counter() - t0, 3)
            degree, stall = 1, 0
        else:
            stall += 1
            if stall % 8 == 0:
                degree = degree + 1 if degree < max_degree else 1
            if kappa_epoch is not None and stall % kappa_epoch == 0:
                ki = (ki + 1) % len(kappas)
        threshold = best_value - kappas[ki] * (best_value - float(np.mean(recent)))
        if value >= current_value - eps or value >= threshold:
            current, current_value = table.chosen(), value
        else:
            table.set_to(current)
    if elite is not None:
        # the best of every run too, for diversity
        for v, c in [*bests, (run_value, run_best)]:
            if not any(np.array_equal(c, e) for _, e in elite):
                elite.append((v, c))
        elite.sort(key=lambda t: -t[0])
    return best, best_value, stats
