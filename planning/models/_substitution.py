"""Greedy, fast vertex substitution and a Lagrangian bound for the p-median.

Everything works on a :class:`~planning.models._costrows.CostRows` of *weighted*
costs (weight x distance), so the objective is the plain sum of the chosen
entries. A demand point no open site may serve costs ``penalty``, which keeps
the search well defined while some rows are still unserved.

The interchange follows the classical vertex-substitution idea (Teitz & Bart
1968) with the gain/loss/extra bookkeeping of Whitaker (1983) and Resende &
Werneck (2003): one pass over the entries priced below each row's second
closest open site evaluates every (insert, remove) pair at once.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._costrows import CostRows


def penalty_for(rows: CostRows) -> float:
    """Return a per-row cost for "unserved" that exceeds any full assignment."""
    if rows.cost.size == 0:
        return 1.0
    worst = np.zeros(rows.n)
    np.maximum.at(worst, rows.rows, rows.cost)
    return float(worst.sum()) * 2.0 + 1.0


def assignment_cost(
    rows: CostRows, is_open: np.ndarray, penalty: float
) -> tuple[float, np.ndarray, np.ndarray]:
    """Return the total cost, serving site and cost per row for an open set."""
    site, cost = rows.best_open(is_open)
    cost = np.where(site >= 0, cost, penalty)
    return float(cost.sum()), site, cost


def greedy(
    rows: CostRows, p: int, fixed: np.ndarray, penalty: float, *, deadline: float = math.inf
) -> np.ndarray:
    """Return an open-site mask built by adding the best site ``p`` times.

    Parameters
    ----------
    rows
        Weighted costs.
    p
        Total number of sites to open (including ``fixed``).
    fixed
        Boolean mask of sites that are open from the start.
    penalty
        Cost of an unserved row.
    deadline
        ``time.perf_counter()`` value after which the sites still missing are
        the ones with the best gain at the last step (or the first free ones).

    Returns
    -------
    numpy.ndarray
        Boolean mask with ``p`` open sites.
    """
    is_open = fixed.copy()
    _, _, cur = assignment_cost(rows, is_open, penalty)
    if time.perf_counter() >= deadline:
        free = np.flatnonzero(~is_open)[: max(p - int(is_open.sum()), 0)]
        is_open[free] = True
        return is_open
    steps = p - int(is_open.sum())
    # a few steps find a site's entries by scanning; many pay for one sort by site
    columns = rows.columns() if steps > 16 else None
    gain: np.ndarray = np.zeros(rows.m)
    for _ in range(steps):
        if time.perf_counter() >= deadline:
            gain[is_open] = -np.inf
            rest = np.argsort(-gain, kind="stable")[: p - int(is_open.sum())]
            is_open[rest] = True
            break
        saving = np.maximum(cur[rows.rows] - rows.cost, 0.0)
        gain = np.bincount(rows.sites, weights=saving, minlength=rows.m)
        gain[is_open] = -1.0
        j = int(np.argmax(gain))
        is_open[j] = True
        if columns is None:
            col = np.flatnonzero(rows.sites == j)
        else:
            col = columns[0][columns[1][j] : columns[1][j + 1]]
        r = rows.rows[col]
        cur[r] = np.minimum(cur[r], rows.cost[col])
    return is_open


def interchange(
    rows: CostRows,
    is_open: np.ndarray,
    fixed: np.ndarray,
    penalty: float,
    *,
    deadline: float = math.inf,
) -> tuple[np.ndarray, int]:
    """Improve an open set by best-improvement swaps until none pays.

    Parameters
    ----------
    rows
        Weighted costs.
    is_open
        Boolean mask of open sites (not modified).
    fixed
        Sites that must stay open.
    penalty
        Cost of an unserved row.
    deadline
        ``time.perf_counter()`` value at which to stop early.

    Returns
    -------
    tuple
        The improved mask and the number of swaps made.
    """
    is_open = is_open.copy()
    swaps = 0
    m = rows.m
    while time.perf_counter() < deadline:
        s1, c1, _, c2 = rows.best_open(is_open, second=True)
        c1 = np.where(s1 >= 0, c1, penalty)
        c2 = np.minimum(c2, penalty)
        total = float(c1.sum())
        movable = is_open & ~fixed
        cand = ~is_open
        if not movable.any() or not cand.any():
            break
        served = s1 >= 0
        loss = np.bincount(s1[served], weights=(c2 - c1)[served], minlength=m)
        # entries that would win a row from its second closest open site
        e = np.flatnonzero((rows.cost < c2[rows.rows]) & cand[rows.sites])
        ei = rows.rows[e]
        ej = rows.sites[e]
        ec = rows.cost[e]
        closer = ec < c1[ei]
        gain = np.bincount(ej[closer], weights=(c1[ei] - ec)[closer], minlength=m)
        extra_w = np.where(closer, c2[ei] - c1[ei], c2[ei] - ec)
        r = s1[ei]
        keep = (r >= 0) & movable[np.maximum(r, 0)]
        extra = sp.coo_array((extra_w[keep], (ej[keep], r[keep])), shape=(m, m)).tocsr()
        extra.sum_duplicates()
        gain_c = np.where(cand, gain, -np.inf)
        loss_r = np.where(movable, loss, np.inf)
        best = float(gain_c.max() - loss_r.min())
        best_pair = (int(np.argmax(gain_c)), int(np.argmin(loss_r)))
        if extra.nnz:
            coo = extra.tocoo()
            prof = gain[coo.row] - loss[coo.col] + coo.data
            k = int(np.argmax(prof))
            if prof[k] > best:
                best = float(prof[k])
                best_pair = (int(coo.row[k]), int(coo.col[k]))
        if best <= 1e-9 * max(abs(total), 1.0):
            break
        j, out = best_pair
        is_open[j] = True
        is_open[out] = False
        swaps += 1
    return is_open, swaps


@dataclass
class LagrangianResult:
    """Outcome of :func:`lagrangian_bound`.

    Parameters
    ----------
    bound
        Best lower bound found.
    closed, forced
        Sites closed / opened in every solution better than the target
        (inputs included).
    lam
        Multipliers of the last step (a warm start for a sub-problem).
    pick
        Sites chosen by the relaxation at its best bound (``p`` of them).
    """

    bound: float
    closed: np.ndarray
    forced: np.ndarray
    lam: np.ndarray
    pick: np.ndarray


def lagrangian_bound(
    rows: CostRows,
    p: int,
    fixed: np.ndarray,
    upper: float,
    start: np.ndarray,
    *,
    slack: float = 0.0,
    closed: np.ndarray | None = None,
    cap: np.ndarray | None = None,
    iterations: int = 300,
    theta: float = 2.0,
    patience: int = 20,
    deadline: float = math.inf,
) -> LagrangianResult:
    """Return a lower bound on the p-median optimum and the sites it settles.

    Relaxes "every row is served once" with multipliers ``lam``: for any
    ``lam`` the value ``sum(lam) + sum of the p smallest rho_j`` with
    ``rho_j = sum_i min(0, c_ij - lam_i)`` (fixed sites always taken) is a
    valid lower bound; the best one seen is returned. At every step the
    bound with one site forced in (or out) is compared with ``upper -
    slack``: a site that cannot be in (out of) any solution better than that
    is closed (opened) for the rest of the search and reported.

    Parameters
    ----------
    rows
        Weighted costs.
    p
        Number of sites to open.
    fixed
        Sites that must be open.
    upper
        Objective of a known solution (for the step size and the tests).
    start
        Initial multipliers, e.g. each row's cost in a good solution.
    slack
        Only solutions with objective below ``upper - slack`` are of
        interest (e.g. just under 1 for integer data); 0 keeps every
        solution strictly better than ``upper``.
    closed
        Sites that must stay closed, or None.
    cap
        Per row, an upper limit kept on the multiplier; ``rows`` may then
        omit every entry costing ``cap`` or more (they cannot contribute),
        which makes each step cheaper while the bound stays exact for the
        multipliers used.
    iterations
        Maximum number of subgradient steps.
    theta
        Initial step-size factor (halved after ``patience`` steps without
        improvement).
    patience
        Steps without improvement before the step size is halved.
    deadline
        ``time.perf_counter()`` value at which to stop early.

    Returns
    -------
    LagrangianResult
        Bound, settled sites, multipliers and the relaxation's choice.
    """
    lam = start.astype(np.float64).copy()
    if cap is not None:
        np.minimum(lam, cap, out=lam)
    best = -math.inf
    stale = 0
    forced = fixed.copy()
    closed = np.zeros(rows.m, dtype=bool) if closed is None else closed.copy()
    best_pick = forced.copy()
    target = upper - slack
    for _ in range(iterations):
        if time.perf_counter() > deadline:
            break
        red = np.minimum(rows.cost - lam[rows.rows], 0.0)
        rho = np.bincount(rows.sites, weights=red, minlength=rows.m)
        pick = forced.copy()
        k = p - int(forced.sum())
        idx = np.flatnonzero(~forced & ~closed)
        if k > idx.size or k < 0:
            best = math.inf  # not enough sites left: nothing feasible here
            break
        if k > 0:
            part = idx[np.argpartition(rho[idx], k - 1)[:k]] if k < idx.size else idx
            pick[part] = True
        value = float(lam.sum() + rho[pick].sum())
        if not value <= best + 1e-12 * max(abs(value), 1.0):
            best = value
            best_pick = pick
            stale = 0
        else:
            stale += 1
            if stale >= patience:
                theta /= 2.0
                stale = 0
        if best > target or theta < 1e-4:
            break
        if 0 < k < idx.size:
            free_pick = pick & ~forced
            worst_in = float(rho[free_pick].max())
            out = idx[~pick[idx]]
            best_out = float(rho[out].min())
            closed[out[value + rho[out] - worst_in > target]] = True
            inside = np.flatnonzero(free_pick)
            forced[inside[value - rho[inside] + best_out > target]] = True
        served = (rows.cost < lam[rows.rows]) & pick[rows.sites]
        g = 1.0 - np.bincount(rows.rows[served], minlength=rows.n)
        norm = float(g @ g)
        if norm == 0.0:
            break
        lam += theta * (upper - value) / norm * g
        if cap is not None:
            np.minimum(lam, cap, out=lam)
    return LagrangianResult(best, closed, forced, lam, best_pick)


def lagrangian_tree(
    rows: CostRows,
    p: int,
    fixed: np.ndarray,
    closed: np.ndarray,
    upper: float,
    lam: np.ndarray,
    *,
    slack: float,
    penalty: float,
    deadline: float = math.inf,
    iterations: int = 25,
) -> tuple[np.ndarray | None, float, float, int, bool]:
    """Solve the p-median by depth-first branch and bound on Lagrangian bounds.

    Each node fixes some sites open and some closed, bounds its subtree by
    :func:`lagrangian_bound` (warm-started from its parent's multipliers,
    which also settles further sites), evaluates the relaxation's choice
    of sites as a solution, and branches on the most attractive free site
    of that choice (open first, then closed). Suits small ``p``, where the
    bound is strong after a few fixings and the tree is shallow.

    Parameters
    ----------
    rows
        Weighted costs.
    p
        Number of sites to open.
    fixed, closed
        Sites open / closed in every node.
    upper
        Objective of the best known solution.
    lam
        Multipliers to start from.
    slack
        Solutions must beat the incumbent by more than this to count.
    penalty
        Cost of an unserved row.
    deadline
        ``time.perf_counter()`` value at which to stop.
    iterations
        Subgradient steps per node.

    Returns
    -------
    tuple
        Open-site mask of the best solution found that beats ``upper``
        (None if none does), its objective, a lower bound on the optimum,
        the number of nodes, and whether the deadline stopped the search.
    """
    best_open: np.ndarray | None = None
    best = upper
    lag_rows, cap = _active_entries(rows, lam)
    stack: list[tuple[np.ndarray, np.ndarray, np.ndarray, float]] = [
        (fixed.copy(), closed.copy(), lam, -math.inf)
    ]
    nodes = 0
    while stack:
        if time.perf_counter() > deadline:
            floor = min(node[3] for node in stack)
            return best_open, best, min(floor, best), nodes, True
        forced, shut, mult, _ = stack.pop()
        nodes += 1
        res = lagrangian_bound(
            lag_rows,
            p,
            forced,
            best,
            mult,
            slack=slack,
            closed=shut,
            cap=cap,
            iterations=iterations,
            theta=1.0,
            patience=8,
            deadline=deadline,
        )
        if res.bound > best - slack:
            continue
        if int(res.pick.sum()) == p:
            value = _prefix_cost(lag_rows, rows, res.pick, penalty)
            if value < best:
                best, best_open = value, res.pick.copy()
                if res.bound > best - slack:
                    continue
        free = ~res.forced & ~res.closed
        n_forced = int(res.forced.sum())
        if n_forced >= p or n_forced + int(free.sum()) <= p:
            leaf = res.forced | free
            if int(leaf.sum()) == p:
                value = _prefix_cost(lag_rows, rows, leaf, penalty)
                if value < best:
                    best, best_open = value, leaf
            continue
        red = np.minimum(lag_rows.cost - res.lam[lag_rows.rows], 0.0)
        rho = np.bincount(lag_rows.sites, weights=red, minlength=rows.m)
        cand = np.flatnonzero(res.pick & free)
        if cand.size == 0:
            cand = np.flatnonzero(free)
        j = int(cand[np.argmin(rho[cand])])
        shut_j = res.closed.copy()
        shut_j[j] = True
        open_j = res.forced.copy()
        open_j[j] = True
        stack.append((res.forced, shut_j, res.lam, res.bound))
        stack.append((open_j, res.closed, res.lam, res.bound))
    return best_open, best, best, nodes, False


def _active_entries(rows: CostRows, lam: np.ndarray) -> tuple[CostRows, np.ndarray]:
    """Return the entries a Lagrangian search near ``lam`` needs, and the multiplier caps.

    Row ``i`` keeps its entries up to rank ``2 a_i + 5``, where ``a_i``
    counts its entries cheaper than ``lam[i]``; its multiplier is then
    capped at the cost of the first entry left out (``inf`` if none is).
    """
    active = np.bincount(rows.rows[rows.cost < lam[rows.rows]], minlength=rows.n)
    rank = np.arange(rows.cost.size) - rows.indptr[rows.rows]
    limit = 2 * active + 5
    keep = rank < limit[rows.rows]
    cap = np.full(rows.n, np.inf)
    first_out = np.flatnonzero(rank == limit[rows.rows])
    cap[rows.rows[first_out]] = rows.cost[first_out]
    return rows.keep_entries(keep), cap


def _prefix_cost(prefix: CostRows, rows: CostRows, is_open: np.ndarray, penalty: float) -> float:
    """Return the cost of an open set, from ``prefix`` (the cheapest entries of each row) if it can.

    The first open entry of a row's prefix is its closest open site; only
    when some row has none there is the full ``rows`` needed.
    """
    site, cost = prefix.best_open(is_open)
    if (site >= 0).all():
        return float(cost.sum())
    return assignment_cost(rows, is_open, penalty)[0]
