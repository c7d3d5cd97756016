"""The p-center model: open ``p`` sites to minimise the largest (weighted) distance.

Every demand point is served by its closest open site; the objective is the
largest ``weight x distance`` over the demand points. The optimum is one of
the distinct values of that matrix, so the exact method searches them:
radius ``r`` is achievable with ``p`` sites iff the sites within ``r`` of
each demand point can be covered by ``p`` sites, a set-covering question
answered by a small MILP on HiGHS (after merging identical rows and
dropping dominated sites). A greedy set-covering search gives the starting
upper bound and LP relaxations of the same covering problems give the lower
bound, so every answer, including one cut short by the time limit, has a
gap.

As in :func:`planning.solve_pmedian`, a demand point no allowed site may serve
is an error.
"""

from __future__ import annotations

import math
import time
from typing import Literal

import numpy as np
import scipy.sparse as sp

from ._args import check_time_limit
from ._costrows import CostRows, check_count, check_weights, cost_rows, site_masks
from ._errors import SpecificationError
from ._highs import solve_milp
from ._reduce import as_coverage, dominated_columns, merge_identical_rows
from ._substitution import greedy, penalty_for
from .solution import Solution, Status, relative_gap

Method = Literal["auto", "exact", "heuristic"]

_EXACT_MAX_ENTRIES = 5_000_000
"""With ``method="auto"``, instances with more allowed pairs get the heuristic."""


def solve_pcenter(
    cost: np.ndarray | sp.spmatrix | sp.sparray,
    p: int,
    *,
    weights: np.ndarray | float | None = None,
    required: np.ndarray | list[int] | None = None,
    forbidden: np.ndarray | list[int] | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Choose ``p`` sites minimising the largest (weighted) distance to demand.

    Parameters
    ----------
    cost
        Demand x sites distances (or travel times). Dense: ``inf`` marks a
        pair that cannot be served. Sparse: a missing entry marks such a
        pair; stored entries, explicit zeros included, are allowed.
    p
        Number of sites to open, required sites included.
    weights
        Optional demand weights; the objective is then the largest
        ``weight x distance`` (a weight of 0 makes a point irrelevant).
    required
        Sites that must be opened (indices or boolean mask).
    forbidden
        Sites that must not be opened (indices or boolean mask).
    method
        ``"exact"`` (search over distance levels with set-covering MILPs),
        ``"heuristic"`` (greedy set covering over the levels, LP lower
        bound) or ``"auto"`` (exact unless the instance is very large).
    time_limit
        Seconds allowed overall; when reached, the best solution found is
        returned with status ``"time_limit"`` and its gap.

    Returns
    -------
    Solution
        Exactly ``p`` sites (when fewer reach the optimal radius, the rest
        are added where they cut total distance most); ``objective`` is the
        largest (weighted) distance; ``assignment`` the
        closest open site per demand point; ``marginal`` per selected site
        how much the objective would grow if that site alone were closed
        (``inf`` if some demand could then not be served).

    Raises
    ------
    SpecificationError
        If the inputs are malformed, ``p`` does not fit the required and
        forbidden sites, some demand point has no allowed site, or no
        choice of ``p`` sites can serve every demand point.
    """
    t0 = time.perf_counter()
    if method not in ("auto", "exact", "heuristic"):
        msg = f"method must be 'auto', 'exact' or 'heuristic'; got {method!r}"
        raise SpecificationError(msg)
    check_time_limit(time_limit)
    deadline = math.inf if time_limit is None else t0 + float(time_limit)
    rows = cost_rows(cost)
    w = np.ones(rows.n) if weights is None else check_weights(weights, rows.n, m=rows.m)
    p = check_count(p)
    fixed, allowed = site_masks(required, forbidden, rows.m, p)
    site_ids = np.flatnonzero(allowed)
    sub = rows.subset(np.ones(rows.n, dtype=bool), allowed)
    empty = np.flatnonzero(sub.degree == 0)
    if empty.size:
        msg = (
            f"demand points {empty[:10].tolist()} (of {empty.size}) have no allowed site to "
            "be served from; drop them or allow a site within reach"
        )
        raise SpecificationError(msg)
    wc = sub.scaled(w)
    fix = fixed[allowed]
    exact = method == "exact" or (method == "auto" and wc.cost.size <= _EXACT_MAX_ENTRIES)

    levels = np.unique(wc.cost) if wc.cost.size else np.zeros(1)
    # every demand point needs some site: the largest cheapest entry is a floor
    floor = float(wc.cost[wc.indptr[:-1]].max()) if wc.n else 0.0
    lo = int(np.searchsorted(levels, floor))  # levels[lo] is a lower bound
    is_open, hi = _greedy_search(wc, levels, lo, p, fix, deadline)
    if is_open is None:
        msg = (
            f"no choice of p={p} sites can serve every demand point; raise p or allow more "
            "sites within reach of the demand"
        )
        # greedy failing at the top level only means the exact check must decide
        is_open = _cover_exact(wc, levels[-1], p, fix, deadline)[0]
        if is_open is None:
            raise SpecificationError(msg)
        hi = int(np.searchsorted(levels, _objective(wc, is_open)))
    if int(is_open.sum()) < p:
        is_open = greedy(wc, p, is_open, penalty_for(wc), deadline=deadline)
    is_open = _swap_search(wc, is_open, fix, deadline)
    hi = int(np.searchsorted(levels, _objective(wc, is_open)))
    lo = _lp_floor(wc, levels, lo, hi, p, fix, deadline)
    used = "greedy-cover+swap"
    timed_out = False
    if exact and lo < hi:
        used = "cover-milp"
        probe = lo  # levels below probe are proven infeasible or undecided
        while probe < hi and time.perf_counter() < deadline:
            mid = (probe + hi) // 2
            # one hard probe may not eat all the time: give it a third of what is left
            now = time.perf_counter()
            until = deadline if math.isinf(deadline) else now + max((deadline - now) / 3, 0.5)
            found, proven = _cover_exact(wc, levels[mid], p, fix, min(until, deadline))
            if found is not None:
                is_open = found
                hi = int(np.searchsorted(levels, _objective(wc, is_open)))
            elif proven:
                # infeasible at mid means infeasible at every smaller level too
                probe = mid + 1
                lo = max(lo, probe)
            else:
                timed_out = True
                probe = mid + 1  # undecided: look higher, the bound stays
    if int(is_open.sum()) < p:
        # fewer sites already reach the radius: add the rest where they cut total distance most
        is_open = greedy(wc, p, is_open, penalty_for(wc), deadline=deadline)
    objective = _objective(wc, is_open)
    bound = float(levels[lo]) if wc.n else 0.0
    bound = min(bound, objective)
    status: Status = "optimal" if bound >= objective else "feasible"
    if status != "optimal" and (timed_out or time.perf_counter() >= deadline):
        status = "time_limit"
    details: dict[str, object] = {"levels": int(levels.size), "lower_level": lo, "upper_level": hi}
    return _solution(wc, is_open, site_ids, objective, bound, status, used, t0, details)


def _objective(rows: CostRows, is_open: np.ndarray) -> float:
    _, c1 = rows.best_open(is_open)
    return float(c1.max()) if c1.size else 0.0


def _swap_search(
    rows: CostRows, is_open: np.ndarray, fixed: np.ndarray, deadline: float
) -> np.ndarray:
    """Improve an open set by single swaps that lower the largest cost.

    Only sites serving the current bottleneck row below the current
    objective can help. For each such site ``j`` the best site to close is
    found at once: with ``a_i = min(c_ij, c1_i)`` and ``b_i = min(c_ij,
    c2_i)`` (closest and second-closest open costs), closing ``r`` gives
    ``max(max of a over rows not served by r, max of b over rows served by
    r)``, computed from per-site group maxima.
    """
    is_open = is_open.copy()
    if time.perf_counter() >= deadline:
        return is_open
    order, ptr = rows.columns()
    while time.perf_counter() < deadline:
        s1, c1, _, c2 = rows.best_open(is_open, second=True)
        if rows.n == 0 or (s1 < 0).any():
            break
        objective = float(c1.max())
        worst = int(np.argmax(c1))
        lo, hi = rows.indptr[worst], rows.indptr[worst + 1]
        cand = rows.sites[lo:hi][(rows.cost[lo:hi] < objective) & ~is_open[rows.sites[lo:hi]]]
        movable = np.flatnonzero(is_open & ~fixed)
        if cand.size == 0 or movable.size == 0:
            break
        best = (objective, -1, -1)
        for j in cand:
            col = order[ptr[j] : ptr[j + 1]]
            cj = np.full(rows.n, np.inf)
            cj[rows.rows[col]] = rows.cost[col]
            a = np.minimum(cj, c1)
            b = np.minimum(cj, c2)
            group_a = np.full(rows.m, -np.inf)
            np.maximum.at(group_a, s1, a)
            group_b = np.full(rows.m, -np.inf)
            np.maximum.at(group_b, s1, b)
            top = np.argsort(group_a)[-2:]  # the two largest group maxima
            rest = np.where(movable == top[-1], group_a[top[0]], group_a[top[-1]])
            value = np.maximum(rest, group_b[movable])
            k = int(np.argmin(value))
            if value[k] < best[0]:
                best = (float(value[k]), int(j), int(movable[k]))
        if best[1] < 0:
            break
        is_open[best[1]] = True
        is_open[best[2]] = False
    return is_open


def _within(rows: CostRows, radius: float) -> sp.csr_array:
    """Return the boolean rows x sites matrix of pairs with cost <= radius."""
    keep = rows.cost <= radius
    return sp.csr_array(
        (np.ones(int(keep.sum()), dtype=bool), (rows.rows[keep], rows.sites[keep])),
        shape=(rows.n, rows.m),
    )


def _greedy_cover(rows: CostRows, radius: float, p: int, fixed: np.ndarray) -> np.ndarray | None:
    """Return at most ``p`` open sites covering every row within ``radius``, or None."""
    keep = rows.cost <= radius
    r_idx = rows.rows[keep]
    s_idx = rows.sites[keep]
    is_open = fixed.copy()
    covered = np.zeros(rows.n, dtype=bool)
    covered[r_idx[is_open[s_idx]]] = True
    live = ~covered[r_idx]
    counts = np.bincount(s_idx[live], minlength=rows.m)
    counts[is_open] = -1
    if covered.all() or int(counts.max()) == int((~covered).sum()):
        # one site reaches every row still open (a dense matrix at its top level)
        if not covered.all():
            if int(is_open.sum()) >= p:
                return None
            is_open[int(np.argmax(counts))] = True
        return is_open
    order = np.argsort(s_idx, kind="stable")
    col_ptr = np.zeros(rows.m + 1, dtype=np.int64)
    np.cumsum(np.bincount(s_idx, minlength=rows.m), out=col_ptr[1:])
    row_ptr = np.zeros(rows.n + 1, dtype=np.int64)
    np.cumsum(np.bincount(r_idx, minlength=rows.n), out=row_ptr[1:])
    n_open = int(is_open.sum())
    while not covered.all():
        if n_open >= p:
            return None
        counts[is_open] = -1
        j = int(np.argmax(counts))
        if counts[j] <= 0:
            return None
        is_open[j] = True
        n_open += 1
        col_rows = r_idx[order[col_ptr[j] : col_ptr[j + 1]]]
        new = col_rows[~covered[col_rows]]
        covered[new] = True
        if new.size:
            counts -= np.bincount(s_idx[_ranges(row_ptr[new], row_ptr[new + 1])], minlength=rows.m)
    return is_open


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Return the concatenation of ``arange(s, e)`` for every pair."""
    lengths = ends - starts
    offsets = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum())) - np.repeat(offsets - starts, lengths)


def _greedy_search(
    rows: CostRows,
    levels: np.ndarray,
    lo: int,
    p: int,
    fixed: np.ndarray,
    deadline: float = math.inf,
) -> tuple[np.ndarray | None, int]:
    """Binary-search the smallest level the greedy cover reaches with ``p`` sites.

    Past ``deadline`` the best cover found so far is returned.
    """
    best = _greedy_cover(rows, float(levels[-1]), p, fixed)
    if best is None:
        return None, levels.size - 1
    hi = int(np.searchsorted(levels, _objective(rows, best)))
    a = lo
    while a < hi and time.perf_counter() < deadline:
        mid = (a + hi) // 2
        found = _greedy_cover(rows, float(levels[mid]), p, fixed)
        if found is None:
            a = mid + 1
        else:
            best = found
            hi = int(np.searchsorted(levels, _objective(rows, best)))
    return best, hi


def _cover_model(
    rows: CostRows, radius: float, fixed: np.ndarray
) -> tuple[sp.csr_array, np.ndarray, int]:
    """Return the reduced covering matrix, the sites it keeps and the fixed count."""
    a = as_coverage(_within(rows, radius))
    covered = np.zeros(rows.n, dtype=bool)
    if fixed.any():
        covered = np.asarray((a[:, fixed]).sum(axis=1)).ravel() > 0
    a = sp.csr_array(a[~covered][:, ~fixed])
    sites = np.flatnonzero(~fixed)
    if a.shape[0] == 0:
        return a, sites, int(fixed.sum())
    a = merge_identical_rows(a, np.ones(a.shape[0])).matrix
    dom = dominated_columns(a)
    if dom is not None and dom.any():
        a = sp.csr_array(a[:, ~dom])
        sites = sites[~dom]
    return a, sites, int(fixed.sum())


def _cover_exact(
    rows: CostRows, radius: float, p: int, fixed: np.ndarray, deadline: float
) -> tuple[np.ndarray | None, bool]:
    """Return (open sites serving every row within ``radius``, proven-infeasible flag)."""
    a, sites, n_fixed = _cover_model(rows, radius, fixed)
    is_open = fixed.copy()
    if a.shape[0] == 0:
        return is_open, False
    if np.diff(a.indptr).min() == 0:
        return None, True
    k = p - n_fixed
    remaining = None if math.isinf(deadline) else max(deadline - time.perf_counter(), 0.0)
    n_rows, n_cols = a.shape
    card = sp.csr_array(np.ones((1, n_cols)))
    res = solve_milp(
        np.ones(n_cols),
        sp.vstack([a.astype(np.float64), card], format="csr"),
        np.append(np.ones(n_rows), -np.inf),
        np.append(np.full(n_rows, np.inf), k),
        col_upper=np.ones(n_cols),
        integrality=np.ones(n_cols, dtype=np.int8),
        time_limit=remaining,
        # any cover with at most k sites answers the question
        options={"mip_abs_gap": float(k)},
    )
    if res.x is not None:
        is_open[sites[res.x > 0.5]] = True
        return is_open, False
    return None, res.status == "infeasible"


def _lp_floor(
    rows: CostRows,
    levels: np.ndarray,
    lo: int,
    hi: int,
    p: int,
    fixed: np.ndarray,
    deadline: float,
) -> int:
    """Raise ``lo`` to the first level whose covering LP needs at most ``p`` sites."""
    while lo < hi and time.perf_counter() < deadline:
        mid = (lo + hi) // 2
        a, _, n_fixed = _cover_model(rows, float(levels[mid]), fixed)
        if a.shape[0] == 0:
            hi = mid
            continue
        if np.diff(a.indptr).min() == 0:
            lo = mid + 1
            continue
        n_rows, n_cols = a.shape
        left = None if math.isinf(deadline) else max(deadline - time.perf_counter(), 0.0)
        res = solve_milp(
            np.ones(n_cols),
            a.astype(np.float64),
            np.ones(n_rows),
            np.full(n_rows, np.inf),
            col_upper=np.ones(n_cols),
            time_limit=left,
        )
        if res.status != "optimal":
            break  # out of time: the floor stays where it is proven
        if res.objective > p - n_fixed + 1e-6:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _solution(
    rows: CostRows,
    is_open: np.ndarray,
    site_ids: np.ndarray,
    objective: float,
    bound: float,
    status: Status,
    method: str,
    t0: float,
    details: dict[str, object],
) -> Solution:
    s1, _ = rows.best_open(is_open)
    chosen = np.flatnonzero(is_open)
    marginal = np.empty(chosen.size)
    for k, j in enumerate(chosen):
        without = is_open.copy()
        without[j] = False
        s, c = rows.best_open(without)
        marginal[k] = (float(c.max()) if c.size else 0.0) - objective
        if (s < 0).any():
            marginal[k] = np.inf
    served = s1 >= 0
    return Solution(
        selected=site_ids[chosen],
        objective=float(objective),
        bound=float(bound),
        gap=relative_gap(objective, bound),
        status=status,
        seconds=time.perf_counter() - t0,
        sense="min",
        method=method,
        covered=served,
        assignment=np.where(served, site_ids[np.maximum(s1, 0)], -1),
        marginal=marginal,
        details=details,
    )
