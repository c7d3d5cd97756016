"""The p-dispersion model: open p sites as far apart from each other as possible.

Used to spread pilot sites or demonstration projects across a city:
:func:`solve_pdispersion` maximises the smallest distance between any two
chosen sites.

The optimum is one of the pairwise distances, so the search runs over the
sorted distinct distance levels. A level ``t`` is reachable when some
``p`` sites are pairwise at least ``t`` apart, i.e. when the *conflict
graph* (an edge between sites closer than ``t``) has an independent set of
``p`` sites containing the required ones. Each level is tried first by a
greedy independent set (smallest degree first) and, when that falls short,
by a small MILP on HiGHS (clique rows from a greedy clique cover, plus the
edges no clique covers). Bisection between the best level found and the
smallest level proven out of reach gives the optimum; when time runs out
the answer is the best level found and the bound the largest level not
yet ruled out, so the gap is always valid. The first incumbent comes from
the classic farthest-point greedy, improved by swapping a site of the
closest pair.
"""

from __future__ import annotations

import math
import time
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from ._args import (
    check_method,
    check_roles,
    check_time_limit,
    site_indices,
    whole_number,
)
from ._errors import SpecificationError
from ._highs import PRESOLVE_OFF
from .lscp import solve_milp_checked
from .solution import Solution, Status, relative_gap

Method = Literal["auto", "exact", "heuristic"]

_EXACT_MAX_SITES = 3000
"""Largest number of allowed sites ``method="auto"`` searches exactly."""

_PRESOLVE_OFF_SITES = 1000
"""Level checks on more candidate sites run without HiGHS presolve, which on 2,000
sites ran 1.5 times past the time limit."""


def solve_pdispersion(
    distance: np.ndarray | sp.sparray | sp.spmatrix,
    p: int,
    *,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Choose ``p`` sites maximising the smallest distance between two of them.

    Parameters
    ----------
    distance
        Site x site distance matrix (metres, minutes, ...). Every pair
        matters, so it is dense (a sparse matrix is densified; only a
        stored entry counts, a missing one is ``inf``, i.e. far apart).
        ``inf`` is allowed; when ``distance[i, j] != distance[j, i]`` (road
        distances), the pair's distance is the smaller one. The diagonal is
        ignored.
    p
        Number of sites to choose, at least 2.
    required
        Indices (or a boolean mask) of sites that must be chosen; they count
        towards ``p``.
    forbidden
        Indices (or a boolean mask) of sites that must not be chosen.
    method
        ``"exact"`` (bisection over the distance levels, each checked by a
        greedy and, if needed, a MILP on HiGHS), ``"heuristic"`` (farthest
        point greedy and swaps; the bound is combinatorial) or ``"auto"``
        (exact up to 3000 allowed sites).
    time_limit
        Seconds allowed, or None; when it runs out the best sites found are
        returned with status ``"time_limit"`` and the bound still valid.

    Returns
    -------
    Solution
        ``sense="max"``, ``objective`` the smallest pairwise distance among
        the chosen sites, ``bound`` an upper bound on the best possible.
        ``marginal`` is, per chosen site, the distance to the nearest other
        chosen site. ``details`` holds ``closest_pair`` (two site indices),
        ``levels`` (number of distinct distance levels) and ``milp_checks``.

    Raises
    ------
    SpecificationError
        If ``p`` is below 2 or above the number of allowed sites, there are
        more required sites than ``p``, or a site is both required and
        forbidden.
    ValueError
        If ``distance`` is not a square matrix of non-negative numbers.
    """
    t0 = time.perf_counter()
    dist = _pair_distances(distance)
    m = dist.shape[0]
    check_method(method)
    check_time_limit(time_limit)
    req = site_indices(required, m, "required")
    forb = site_indices(forbidden, m, "forbidden")
    check_roles(required=req, forbidden=forb)
    p = whole_number(p, "p", minimum=2)
    allowed = np.setdiff1d(np.arange(m), forb)
    if p > allowed.size:
        msg = f"p={p} is more than the {allowed.size} sites that may be chosen; lower p"
        raise SpecificationError(msg)
    if req.size > p:
        msg = f"p={p} is smaller than the {req.size} required sites; raise p to {req.size}"
        raise SpecificationError(msg)
    deadline = math.inf if time_limit is None else t0 + float(time_limit)

    # work on the allowed sites only; required ones first
    sub = dist[np.ix_(allowed, allowed)]
    rpos = np.searchsorted(allowed, req)
    search = _Search(sub, p, rpos, deadline)
    chosen = search.incumbent()
    status: Status = "feasible"
    exact = method == "exact" or (method == "auto" and allowed.size <= _EXACT_MAX_SITES)
    search.tighten()
    if exact:
        done = search.bisect()
        status = "optimal" if done else "time_limit"
    elif time.perf_counter() >= deadline:
        status = "time_limit"
    chosen = search.best
    value = _min_pair(sub, chosen)
    bound = max(search.bound(), value)
    gap = 0.0 if math.isinf(value) and math.isinf(bound) else relative_gap(value, bound)
    if gap <= 1e-12:
        status = "optimal"
    selected = np.sort(allowed[chosen]).astype(np.int64)
    inner = dist[np.ix_(selected, selected)].copy()
    np.fill_diagonal(inner, np.inf)
    nearest = inner.min(axis=1)
    i, j = np.unravel_index(int(np.argmin(inner)), inner.shape)
    return Solution(
        selected=selected,
        objective=float(value),
        bound=float(bound),
        gap=float(gap),
        status=status,
        seconds=time.perf_counter() - t0,
        sense="max",
        method=("bisection+milp" if exact else "greedy+swap"),
        marginal=nearest,
        details={
            "closest_pair": (int(selected[min(i, j)]), int(selected[max(i, j)])),
            "levels": int(search.levels.size),
            "milp_checks": search.milp_checks,
        },
    )


def _pair_distances(distance: Any) -> np.ndarray:
    if sp.issparse(distance):
        coo = sp.coo_array(distance)
        arr = np.full(coo.shape, np.inf)
        arr[coo.row, coo.col] = coo.data
    else:
        arr = np.array(distance, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        msg = f"distance must be a square site x site matrix; got shape {arr.shape}"
        raise ValueError(msg)
    if np.isnan(arr).any() or (arr < 0).any():
        msg = "distance must hold non-negative numbers (inf allowed), no NaN"
        raise ValueError(msg)
    sym = np.minimum(arr, arr.T)
    np.fill_diagonal(sym, np.inf)
    return sym


def _min_pair(d: np.ndarray, sites: np.ndarray) -> float:
    if sites.size < 2:
        return math.inf
    return float(d[np.ix_(sites, sites)].min())


class _Search:
    """Greedy, swaps and the bisection over distance levels on the allowed sites."""

    def __init__(self, d: np.ndarray, p: int, req: np.ndarray, deadline: float) -> None:
        self.d = d
        self.p = p
        self.req = req
        self.deadline = deadline
        k = d.shape[0]
        upper = d[np.triu_indices(k, 1)]
        self.levels = np.unique(upper)
        self.milp_checks = 0
        self.best = np.zeros(0, dtype=np.int64)
        # combinatorial bound: in any p sites, site i's nearest chosen neighbour is at most its
        # (p-1)-th largest distance; in the ascending row (the diagonal, inf, last) that is at
        # position k - p. A required site is in every answer; so are the required pairs.
        kth = np.partition(d, k - p, axis=1)[:, k - p] if k >= p else np.full(k, np.inf)
        base = float(kth.max()) if k else math.inf
        if self.req.size:
            base = min(base, float(kth[self.req].min()))
        if self.req.size >= 2:
            base = min(base, _min_pair(d, self.req))
        self.hi_value = base

    def bound(self) -> float:
        return self.hi_value

    # -- heuristic -------------------------------------------------------------

    def incumbent(self) -> np.ndarray:
        d, p = self.d, self.p
        chosen = list(self.req.tolist())
        if len(chosen) < 2:
            if chosen:
                row = d[chosen[0]].copy()
                row[chosen[0]] = -np.inf
                chosen.append(int(np.argmax(row)))
            else:
                finite = d[np.isfinite(d)]
                big = float(finite.max()) + 1.0 if finite.size else 1.0
                far = np.where(np.isinf(d), big, d)
                np.fill_diagonal(far, -np.inf)
                first, second = np.unravel_index(int(np.argmax(far)), far.shape)
                chosen = [int(first), int(second)]
        near = d[:, chosen].min(axis=1)
        near[chosen] = -np.inf
        while len(chosen) < p:
            j = int(np.argmax(near))
            chosen.append(j)
            near = np.minimum(near, d[:, j])
            near[chosen] = -np.inf
        self.best = self._swap(np.asarray(chosen, dtype=np.int64))
        return self.best

    def _swap(self, chosen: np.ndarray) -> np.ndarray:
        """Replace a site of the closest pair by the best outside site while that helps."""
        d = self.d
        fixed = set(self.req.tolist())
        value = _min_pair(d, chosen)
        for _ in range(10 * self.p):
            if time.perf_counter() > self.deadline:
                break
            inner = d[np.ix_(chosen, chosen)]
            a, b = np.unravel_index(int(np.argmin(inner)), inner.shape)
            improved = False
            for out in (int(chosen[a]), int(chosen[b])):
                if out in fixed:
                    continue
                rest = chosen[chosen != out]
                near = d[:, rest].min(axis=1)
                near[rest] = -np.inf
                j = int(np.argmax(near))
                trial = np.append(rest, j)
                tv = min(_min_pair(d, rest), float(near[j]))
                if tv > value:
                    chosen, value, improved = trial, tv, True
                    break
            if not improved:
                break
        return np.sort(chosen).astype(np.int64)

    # -- exact ---------------------------------------------------------------------

    def _index(self, value: float) -> int:
        return int(np.searchsorted(self.levels, value, side="right")) - 1

    def _take(self, found: np.ndarray) -> None:
        if _min_pair(self.d, found) > _min_pair(self.d, self.best):
            self.best = found

    def tighten(self) -> None:
        """Lower the bound, raise the incumbent: greedy and clique-partition checks only."""
        lv = self.levels
        if math.isinf(_min_pair(self.d, self.best)) or lv.size == 0:
            return
        lo = self._index(_min_pair(self.d, self.best))
        hi = self._index(self.hi_value)
        while lo < hi and time.perf_counter() < self.deadline:
            mid = (lo + hi + 1) // 2
            kind, found = self.reach(float(lv[mid]), milp=False)
            if kind == "none":
                hi = mid - 1
            else:
                if found is not None:
                    self._take(found)
                lo = mid
        if hi >= 0:
            self.hi_value = min(self.hi_value, float(lv[hi]))

    def bisect(self) -> bool:
        """Raise the incumbent level to the optimum; False when not proven within time.

        A level whose MILP check runs out of its share of the time stays open
        (the bound keeps it) while the search goes on below it.
        """
        lv = self.levels
        best = _min_pair(self.d, self.best)
        if math.isinf(best):
            return True
        lo = self._index(best)
        hi = self._index(self.hi_value)  # largest level not ruled out
        top = hi  # largest level still searched
        while lo < top and time.perf_counter() < self.deadline:
            mid = (lo + top + 1) // 2
            kind, found = self.reach(float(lv[mid]), milp=True)
            if kind == "unknown":
                top = mid - 1
            elif found is None:
                hi = top = mid - 1
            else:
                self._take(found)
                lo = max(mid, self._index(_min_pair(self.d, self.best)))
                hi, top = max(hi, lo), max(top, lo)
        if hi >= 0:
            self.hi_value = float(lv[hi])
        return lo >= hi

    def reach(self, t: float, *, milp: bool) -> tuple[str, np.ndarray | None]:
        """Look for p sites pairwise at least ``t`` apart.

        Returns ``("found", sites)``, ``("none", None)`` when proven impossible
        (required sites too close, a clique partition with fewer cliques than
        sites still needed, or the MILP), or ``("unknown", None)``.
        """
        d, req = self.d, self.req
        if req.size >= 2 and _min_pair(d, req) < t:
            return "none", None
        free = np.ones(d.shape[0], dtype=bool)
        free[req] = False
        if req.size:
            free &= d[:, req].min(axis=1) >= t
        cand = np.flatnonzero(free)
        need = self.p - req.size
        if need == 0:
            return "found", np.sort(req)
        if cand.size < need:
            return "none", None
        conflict = d[np.ix_(cand, cand)] < t
        got = _greedy_independent(conflict, need)
        if got is not None:
            return "found", np.sort(np.concatenate([req, cand[got]])).astype(np.int64)
        if _clique_partition_size(conflict) < need:
            return "none", None
        if not milp or time.perf_counter() > self.deadline:
            return "unknown", None
        self.milp_checks += 1
        rows = _clique_rows(conflict)
        k = cand.size
        a = sp.vstack([rows, sp.csr_array(np.ones((1, k)))], format="csr")
        lo = np.concatenate([np.full(rows.shape[0], -np.inf), [float(need)]])
        hi = np.concatenate([np.ones(rows.shape[0]), [np.inf]])
        left = max(self.deadline - time.perf_counter(), 0.0)
        left = min(left, max(left / 3, 1.0))
        res = solve_milp_checked(
            np.zeros(k),
            a,
            lo,
            hi,
            col_upper=np.ones(k),
            integrality=np.ones(k),
            sense="max",
            time_limit=None if math.isinf(self.deadline) else left,
            start=None,
            options=PRESOLVE_OFF if k > _PRESOLVE_OFF_SITES else None,
        )
        if res.status not in ("optimal", "time_limit", "infeasible"):
            msg = f"HiGHS failed on a p-dispersion level check (status {res.status!r})"
            raise RuntimeError(msg)
        if res.x is None:
            return ("none", None) if res.status == "infeasible" else ("unknown", None)
        pick = np.flatnonzero(res.x > 0.5)[:need]
        return "found", np.sort(np.concatenate([req, cand[pick]])).astype(np.int64)


def _clique_partition_size(conflict: np.ndarray) -> int:
    """Return the number of cliques in a greedy partition of the vertices.

    An independent set holds at most one vertex of each clique, so this is
    an upper bound on its size.
    """
    k = conflict.shape[0]
    order = np.argsort(-conflict.sum(axis=1), kind="stable")
    joinable = np.zeros((k, k), dtype=bool)  # per clique: vertices adjacent to all its members
    q = 0
    for v in order.tolist():
        fits = np.flatnonzero(joinable[:q, v])
        if fits.size:
            joinable[fits[0]] &= conflict[v]
        else:
            joinable[q] = conflict[v]
            q += 1
    return q


def _greedy_independent(conflict: np.ndarray, need: int) -> np.ndarray | None:
    """Smallest remaining degree first; return ``need`` independent vertices or None."""
    alive = np.ones(conflict.shape[0], dtype=bool)
    deg = conflict.sum(axis=1).astype(np.int64)
    out: list[int] = []
    while alive.any() and len(out) < need:
        idx = np.flatnonzero(alive)
        v = int(idx[np.argmin(deg[idx])])
        out.append(v)
        gone = alive & (conflict[v] | (np.arange(alive.size) == v))
        alive &= ~gone
        deg -= conflict[:, gone].sum(axis=1)
    return np.asarray(out, dtype=np.int64) if len(out) >= need else None


def _clique_rows(conflict: np.ndarray) -> sp.csr_array:
    """Rows ``sum x <= 1`` over greedy cliques covering every edge of the conflict graph."""
    k = conflict.shape[0]
    uncovered = np.triu(conflict, 1)
    deg = conflict.sum(axis=1)
    members: list[list[int]] = []
    for v in np.argsort(-deg, kind="stable").tolist():
        if not (uncovered[v].any() or uncovered[:, v].any()):
            continue
        clique = [v]
        common = conflict[v].copy()
        for u in np.flatnonzero(common)[np.argsort(-deg[np.flatnonzero(common)])].tolist():
            if common[u]:
                clique.append(u)
                common &= conflict[u]
        idx = np.asarray(clique)
        uncovered[np.ix_(idx, idx)] = False
        members.append(clique)
    r, c = np.nonzero(uncovered)  # every edge is covered by its vertex's clique; kept as a guard
    for i, j in zip(r.tolist(), c.tolist(), strict=True):
        members.append([i, j])
    if not members:
        return sp.csr_array((0, k))
    rows = np.repeat(np.arange(len(members)), [len(x) for x in members])
    cols = np.concatenate([np.asarray(x) for x in members])
    return sp.csr_array((np.ones(cols.size), (rows, cols)), shape=(len(members), k))
