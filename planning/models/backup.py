"""Backup coverage: demand covered by at least two sites.

For firms whose production runs on the network (industrial internet, 5G
private networks) one covering base station is not enough: a second one
keeps them online when the first fails. :func:`solve_backup_coverage` has
two forms:

- without ``p`` or ``budget`` (the backup set covering model): first the
  fewest (or cheapest) sites that cover every coverable demand point, by
  :func:`planning.solve_lscp`; then, among covers of that cost, the one
  covering the most demand weight at least twice;
- with ``p`` and/or ``budget`` (the backup maximal covering model): at most
  ``p`` sites (within the budget) maximising the covered weight plus
  ``backup_weight`` times the weight covered twice.

Demand points with identical sets of covering sites are merged first. The
second stage is a MILP on HiGHS started from a swap local search (drop one
site, add the best other, vectorised by two sparse products per dropped
site); with ``method="heuristic"`` or on very large models only the local
search runs and the LP relaxation gives the bound. Under a time limit, the
LP and MILP start only with the time to be set up, and on large models a
Lagrangian relaxation of the cover rows bounds the value first (the LP of
200,000 points may take longer than the limit).

The reported backup share counts only demand that two sites can reach at
all: demand reachable by a single site can never be backed up, so it is
left out of the denominator rather than counted as backed up.
"""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass
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
    whole_number,
)
from ._backup_bound import lagrangian_bound
from ._errors import SpecificationError
from ._highs import PRESOLVE_OFF, ROOT_SECONDS_PER_NONZERO, MilpResult, solve_milp
from ._reduce import merge_identical_rows
from .lscp import cover_summary, solve_lscp, solve_milp_checked
from .solution import Solution, Status, relative_gap

Method = Literal["auto", "exact", "heuristic"]

_EXACT_MAX_NNZ = 2_000_000
"""Largest merged coverage matrix (entries) ``method="auto"`` hands to the MILP."""

_PRESOLVE_OFF_NNZ = 150_000
"""From this size on the MILP runs without HiGHS presolve, which on larger models
(200,000 points x 20,000 sites, 408,000 merged entries) stayed far past the
time limit; without it that model is solved to optimality in about 45 s."""

_LP_FIRST_NNZ = 20_000
"""From this size on, the LP relaxation (interior point) gives a bound before the MILP runs."""

_LAGRANGIAN_FIRST_NONZEROS = 200_000
"""From this size of the LP on, a time-limited solve finds a Lagrangian bound before it."""

_SEARCH_SECONDS = 2.0
"""Time for the swap local search when an LP or MILP may follow it."""


def solve_backup_coverage(
    coverage: sp.spmatrix | sp.sparray | np.ndarray,
    *,
    weights: np.ndarray | None = None,
    costs: np.ndarray | None = None,
    p: int | None = None,
    budget: float | None = None,
    backup_weight: float = 1.0,
    existing: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Choose sites so that as much demand as possible is covered twice.

    Parameters
    ----------
    coverage
        Boolean coverage matrix, demand x candidate sites (scipy sparse or
        dense).
    weights
        Demand weight of each point (e.g. employees), or None for 1 each.
    costs
        Cost of each site: minimised in the first stage of the covering form
        (None counts sites), and limited by ``budget`` in the maximal form.
    p
        Largest number of sites (required included, existing not counted):
        selects the maximal covering form.
    budget
        Largest total cost of the selected sites (needs ``costs``): selects
        the maximal covering form.
    backup_weight
        In the maximal form, the value of a second cover relative to the
        first, in [0, 1] (1: a point covered twice counts double).
    existing
        Indices of sites already built: they cover for free, count towards
        the number of covers and are not listed in ``selected``.
    required, forbidden
        Indices (or boolean masks) of sites that must / must not be chosen.
    method
        ``"exact"`` (MILP on HiGHS), ``"heuristic"`` (greedy and swap local
        search; bound from the LP relaxation) or ``"auto"`` (exact unless
        the merged model is very large).
    time_limit
        Seconds allowed in total, or None (the covering form gives its first
        stage up to half of it).

    Returns
    -------
    Solution
        ``sense="max"``. Covering form: ``objective`` is the weight covered
        at least twice and ``bound`` its upper bound among covers costing no
        more than the one found (valid for the lexicographic optimum, whose
        first-stage cost can only be lower); ``gap`` is the larger of that
        gap and the first stage's. Maximal form: ``objective`` is the
        covered weight plus ``backup_weight`` x the weight covered twice.
        ``covered`` and ``assignment`` per demand point, ``marginal`` the
        weight only that site covers. ``details`` holds ``cost``,
        ``cost_bound`` (covering form), ``cover_count`` (per point, existing
        sites included), ``covered_weight``, ``covered_share``,
        ``backup_weight`` (weight covered at least twice),
        ``backup_possible_weight`` (weight of demand that two allowed or
        existing sites reach), ``backup_share`` (their ratio: the share of
        the demand that can be backed up that is), ``backup_share_of_total``,
        ``uncoverable`` and ``form`` (``"covering"`` or ``"maximal"``).

    Raises
    ------
    SpecificationError
        If more sites are required than ``p``, the required sites cost more
        than ``budget``, ``budget`` comes without ``costs``, or a site has
        two roles.
    ValueError
        If an argument has the wrong shape or invalid values.
    """
    t0 = time.perf_counter()
    a = coverage_input(coverage)
    n, m = a.shape
    w = demand_vector(weights, n, "weights", default=1.0, m=m)
    c = site_vector(costs, m, "costs", default=1.0, n=n)
    check_method(method)
    check_time_limit(time_limit)
    ex = site_indices(existing, m, "existing")
    req = site_indices(required, m, "required")
    forb = site_indices(forbidden, m, "forbidden")
    check_roles(existing=ex, required=req, forbidden=forb)
    if not (isinstance(backup_weight, numbers.Real) and 0.0 <= float(backup_weight) <= 1.0):
        msg = f"backup_weight must be a number in [0, 1]; got {backup_weight!r}"
        raise ValueError(msg)
    maximal = p is not None or budget is not None
    if p is not None:
        p = whole_number(p, "p")
    if p is not None and req.size > p:
        msg = f"p={p} is smaller than the {req.size} required sites; raise p to {req.size}"
        raise SpecificationError(msg)
    if budget is not None:
        if costs is None:
            msg = "budget needs costs: pass one cost per candidate site"
            raise SpecificationError(msg)
        if not (isinstance(budget, numbers.Real) and math.isfinite(budget) and budget >= 0):
            msg = f"budget must be a finite non-negative number; got {budget!r}"
            raise SpecificationError(msg)
        if float(c[req].sum()) > budget * (1 + 1e-12) + 1e-9:
            msg = f"the required sites cost {c[req].sum():g}, more than the budget {budget:g}"
            raise SpecificationError(msg)
    deadline = math.inf if time_limit is None else t0 + float(time_limit)

    allowed = np.ones(m, dtype=bool)
    allowed[forb] = False
    base = np.zeros(m, dtype=bool)
    base[ex] = True
    reach = np.asarray(a.astype(np.int64) @ (allowed | base).astype(np.int64)).ravel()
    merged = merge_identical_rows(a, w)
    ma = merged.matrix
    cand = np.flatnonzero(allowed & ~base)
    cost_bound = math.nan
    stage1_gap = 0.0
    stage1_optimal = True
    if maximal:
        form = "maximal"
        start = req.copy()
        limit_cost = math.inf if budget is None else float(budget)
        beta = float(backup_weight)
    else:
        form = "covering"
        half = None if time_limit is None else max(float(time_limit) / 2, 1e-3)
        first = solve_lscp(
            a,
            costs=costs,
            weights=w,
            existing=ex,
            required=req,
            forbidden=forb,
            method=method,
            time_limit=half,
        )
        start = first.selected
        limit_cost = float(c[start].sum())
        cost_bound = float(first.bound)
        stage1_gap = float(first.gap)
        stage1_optimal = first.status == "optimal"
        beta = 1.0
    model = _Model(
        a=ma,
        w=merged.weights,
        ecount=np.asarray(ma.astype(np.int64) @ base.astype(np.int64)).ravel(),
        c=c,
        cand=cand,
        req=req,
        p=p if maximal else None,
        limit=limit_cost,
        beta=beta,
        cover_all=not maximal,
    )
    use_exact = method == "exact" or (method == "auto" and ma.nnz <= _EXACT_MAX_NNZ)
    chosen = model.greedy(start, deadline)
    bound = model.trivial_bound()
    if time_limit is None:
        chosen = model.local_search(chosen, deadline)
    else:
        # under a limit, a Lagrangian bound where the LP may not be solved in time (a
        # quarter of the time left); when no LP or MILP could start after the search,
        # the search and the bound share all the time
        left = deadline - time.perf_counter()
        solver = left >= _SEARCH_SECONDS + ROOT_SECONDS_PER_NONZERO * model.nonzeros()
        search = _SEARCH_SECONDS if solver else 0.5 * left
        chosen = model.local_search(chosen, deadline, seconds=search)
        if not solver or model.nonzeros() >= _LAGRANGIAN_FIRST_NONZEROS:
            now = time.perf_counter()
            stop = now + (0.25 if solver else 1.0) * max(deadline - now, 0.0)
            bound = min(bound, lagrangian_bound(model, model.value(chosen), stop))
    bound = min(bound, model.added_bound(chosen))
    status: Status = "feasible"
    name = "greedy+swap"
    if (not use_exact or ma.nnz >= _LP_FIRST_NNZ) and time.perf_counter() < deadline:
        res = model.milp(relax=True, start=None, deadline=deadline)
        if res.x is not None and res.status == "optimal":
            bound = min(bound, float(res.objective))
    if use_exact and time.perf_counter() < deadline:
        res = model.milp(relax=False, start=chosen, deadline=deadline)
        if res.status not in ("optimal", "time_limit"):
            msg = f"HiGHS failed on the backup coverage model (status {res.status!r})"
            raise RuntimeError(msg)
        if res.x is not None:
            trial = model.decode(res.x)
            if model.value(trial) >= model.value(chosen) - 1e-9:
                chosen = trial
        if math.isfinite(res.bound):
            bound = min(bound, float(res.bound))
        status = "optimal" if res.status == "optimal" else "time_limit"
        if res.x is not None or res.seconds > 0:  # not when left unstarted for lack of time
            name = "milp"
    if not maximal:
        name = "lscp+" + name
    value = model.value(chosen)
    bound = max(bound, value)
    gap = max(relative_gap(value, bound), stage1_gap)
    out_of_time = time.perf_counter() >= deadline
    if gap <= 1e-9 and stage1_optimal:
        status = "optimal"
    elif status == "time_limit" or out_of_time:
        status = "time_limit"
    else:
        status = "feasible"

    selected = np.asarray(chosen, dtype=np.int64)
    opened = np.union1d(selected, ex).astype(np.int64)
    covered, assignment, marginal = cover_summary(a, w, opened, selected)
    mark = np.zeros(m)
    mark[opened] = 1.0
    count = np.asarray(a.astype(np.float64) @ mark).ravel().astype(np.int64)
    total = float(w.sum())
    backed = float(w[count >= 2].sum())
    possible = float(w[reach >= 2].sum())
    covered_w = float(w[covered].sum())
    details: dict[str, Any] = {
        "form": form,
        "cost": float(c[selected].sum()),
        "cost_bound": cost_bound,
        "cover_count": count,
        "covered_weight": covered_w,
        "covered_share": covered_w / total if total > 0 else 1.0,
        "backup_weight": backed,
        "backup_possible_weight": possible,
        "backup_share": backed / possible if possible > 0 else 1.0,
        "backup_share_of_total": backed / total if total > 0 else 1.0,
        "uncoverable": np.flatnonzero(reach == 0),
        "existing": ex,
    }
    return Solution(
        selected=selected,
        objective=value,
        bound=bound,
        gap=gap,
        status=status,
        seconds=time.perf_counter() - t0,
        sense="max",
        method=name,
        covered=covered,
        assignment=assignment,
        marginal=marginal,
        details=details,
    )


@dataclass
class _Model:
    """The second stage on merged rows: ``value = w1 . [count >= 1] + beta w . [count >= 2]``."""

    a: sp.csr_array
    w: np.ndarray
    ecount: np.ndarray
    c: np.ndarray
    cand: np.ndarray
    req: np.ndarray
    p: int | None
    limit: float
    beta: float
    cover_all: bool

    def __post_init__(self) -> None:
        self.af = sp.csr_array(self.a, dtype=np.float64)
        self.at = sp.csr_array(self.af.T)
        is_cand = np.zeros(self.a.shape[1], dtype=bool)
        is_cand[self.cand] = True
        self.is_cand = is_cand
        self.reach = self.ecount + np.asarray(self.af @ is_cand).ravel()
        # rows that must be covered (covering form): every coverable row with weight
        self.must = (self.reach > 0) & (self.w > 0) if self.cover_all else np.zeros(0, bool)
        self.w1 = np.zeros_like(self.w) if self.cover_all else self.w

    def counts(self, chosen: np.ndarray) -> np.ndarray:
        mark = np.zeros(self.a.shape[1])
        mark[chosen] = 1.0
        return self.ecount + np.asarray(self.af @ mark).ravel()

    def value(self, chosen: np.ndarray) -> float:
        k = self.counts(chosen)
        return float(self.w1[k >= 1].sum() + self.beta * self.w[k >= 2].sum())

    def trivial_bound(self) -> float:
        return float(self.w1[self.reach >= 1].sum() + self.beta * self.w[self.reach >= 2].sum())

    def _gains(self, k: np.ndarray) -> np.ndarray:
        """Per site, the value added by opening it on top of counts ``k``."""
        g = self.w1 * (k == 0) + self.beta * self.w * (k == 1)
        return np.asarray(self.at @ g).ravel()

    def greedy(self, start: np.ndarray, deadline: float = math.inf) -> np.ndarray:
        """Add sites by the most value (per cost with a budget) while ``p`` and the limit allow.

        Gains are updated only where a new site changes the cover counts; no
        site is added past ``deadline``.
        """
        chosen = [int(j) for j in start]
        spent = float(self.c[chosen].sum())
        per_cost = not self.cover_all and self.p is None and math.isfinite(self.limit)
        k = self.counts(np.asarray(chosen, dtype=np.int64))
        g_row = self.w1 * (k == 0) + self.beta * self.w * (k == 1)
        gain = np.asarray(self.at @ g_row).ravel()
        taken = np.zeros(self.a.shape[1], dtype=bool)
        taken[chosen] = True
        tol = 1e-9 * max(1.0, abs(self.limit)) if math.isfinite(self.limit) else 0.0
        while time.perf_counter() < deadline:
            if self.p is not None and len(chosen) >= self.p:
                break
            ok = self.is_cand & ~taken & (gain > 1e-12)
            ok &= self.c <= self.limit - spent + tol
            if not ok.any():
                break
            score = gain / np.maximum(self.c, 1e-12) if per_cost else gain
            j = int(np.flatnonzero(ok)[np.argmax(score[ok])])
            chosen.append(j)
            taken[j] = True
            spent += float(self.c[j])
            rows = self.at.indices[self.at.indptr[j] : self.at.indptr[j + 1]]
            k[rows] += 1
            new = self.w1[rows] * (k[rows] == 0) + self.beta * self.w[rows] * (k[rows] == 1)
            delta = new - g_row[rows]
            g_row[rows] = new
            moved = delta != 0
            if moved.any():
                sub = self.af[rows[moved]]
                gain += np.bincount(
                    sub.indices,
                    weights=np.repeat(delta[moved], np.diff(sub.indptr)),
                    minlength=gain.size,
                )
        return np.sort(np.asarray(chosen, dtype=np.int64))

    def added_bound(self, chosen: np.ndarray) -> float:
        """Return a bound from ``chosen``: its value plus the ``p`` largest gains on top of it.

        The value is a concave function of each row's cover count (a second
        cover is worth at most a first), hence submodular, so no ``p`` sites
        can add more than the ``p`` largest single gains. Inf without ``p``.
        """
        if self.p is None:
            return math.inf
        k = self.counts(chosen)
        gain = self._gains(k)
        gain[~self.is_cand] = 0.0
        top = np.sort(gain)[::-1][: max(self.p - self.req.size, 0)]
        return self.value(chosen) + float(top.sum())

    def local_search(
        self, chosen: np.ndarray, deadline: float, *, seconds: float = _SEARCH_SECONDS
    ) -> np.ndarray:
        """Drop one non-required site and add the best other while the value rises.

        Stops at ``deadline`` or after ``seconds``, whichever comes first.
        """
        stop = min(deadline, time.perf_counter() + seconds)
        best = self.value(chosen)
        fixed = set(self.req.tolist())
        improved = True
        while improved and time.perf_counter() < stop:
            improved = False
            for r in [j for j in chosen.tolist() if j not in fixed]:
                if time.perf_counter() > stop:
                    break
                rest = chosen[chosen != r]
                k = self.counts(rest)
                g = self._gains(k)
                ok = self.is_cand.copy()
                ok[rest] = False
                ok[r] = False
                spent = float(self.c[rest].sum())
                ok &= self.c <= self.limit - spent + 1e-9 * max(1.0, abs(self.limit))
                if self.cover_all:
                    hole = self.must & (k == 0)
                    if hole.any():
                        ok &= np.asarray(self.at @ hole.astype(np.float64)).ravel() >= hole.sum()
                if not ok.any():
                    continue
                j = int(np.flatnonzero(ok)[np.argmax(g[ok])])
                base = float(self.w1[k >= 1].sum() + self.beta * self.w[k >= 2].sum())
                if base + g[j] > best + 1e-9 * max(1.0, best):
                    chosen = np.sort(np.append(rest, j)).astype(np.int64)
                    best = base + float(g[j])
                    improved = True
        return chosen

    def nonzeros(self) -> int:
        """Return an upper estimate of the nonzeros of :meth:`milp`'s matrix."""
        n, m = self.a.shape
        return 2 * (self.a.nnz + n + m)

    def milp(self, *, relax: bool, start: np.ndarray | None, deadline: float) -> Any:
        """Solve (or relax) the model: sites x, first cover y, second cover u.

        Maximal form: ``y_i + u_i <= e_i + a_i x`` with ``y, u`` in [0, 1]
        (a second cover is worth no more than a first, so ``y`` fills first
        and an integral ``x`` gives an integral optimum). Covering form: no
        ``y``, ``a_i x >= 1`` where needed and ``u_i <= e_i + a_i x - 1``.
        Not started without the time to set it up (the result has no ``x``).
        """
        if deadline - time.perf_counter() < ROOT_SECONDS_PER_NONZERO * self.nonzeros():
            return MilpResult(None, math.nan, math.inf, "time_limit", 0.0)
        sub = sp.csr_array(self.af[:, self.cand])
        live = (self.reach > 0) & (self.w > 0)
        rows = np.zeros(0, dtype=np.int64) if self.cover_all else np.flatnonzero(live)
        two = np.flatnonzero(live & (self.reach >= 2)) if self.beta > 0 else rows[:0]
        nx, ny, nu = self.cand.size, rows.size, two.size
        blocks: list[Any] = []
        lo: list[np.ndarray] = []
        hi: list[np.ndarray] = []
        if self.cover_all:
            need = np.flatnonzero(self.must & (self.ecount == 0))
            blocks.append(sp.hstack([sub[need], sp.csr_array((need.size, nu))]))
            lo.append(np.ones(need.size))
            hi.append(np.full(need.size, np.inf))
            blocks.append(sp.hstack([-sub[two], sp.eye_array(nu)]))
            lo.append(np.full(nu, -np.inf))
            hi.append(self.ecount[two].astype(np.float64) - 1.0)
        else:
            pos = np.searchsorted(rows, two)
            upart = sp.csr_array((np.ones(nu), (pos, np.arange(nu))), (ny, nu))
            blocks.append(sp.hstack([-sub[rows], sp.eye_array(ny), upart]))
            lo.append(np.full(ny, -np.inf))
            hi.append(self.ecount[rows].astype(np.float64))
        if self.p is not None:
            blocks.append(sp.csr_array(np.concatenate([np.ones(nx), np.zeros(ny + nu)])[None, :]))
            lo.append(np.array([-np.inf]))
            hi.append(np.array([float(self.p)]))
        if math.isfinite(self.limit):
            blocks.append(
                sp.csr_array(np.concatenate([self.c[self.cand], np.zeros(ny + nu)])[None, :])
            )
            lo.append(np.array([-np.inf]))
            hi.append(np.array([self.limit * (1 + 1e-12) + 1e-9]))
        obj = np.concatenate([np.zeros(nx), self.w1[rows], self.beta * self.w[two]])
        xlb = np.zeros(nx)
        xlb[np.searchsorted(self.cand, self.req)] = 1.0
        x0 = None
        if start is not None:
            k = self.counts(start)
            x0 = np.concatenate(
                [
                    np.isin(self.cand, start).astype(np.float64),
                    (k[rows] >= 1).astype(np.float64),
                    (k[two] >= 2).astype(np.float64),
                ]
            )
        left = None if not math.isfinite(deadline) else max(deadline - time.perf_counter(), 0.0)
        if relax:
            return solve_milp(
                obj,
                sp.vstack(blocks, format="csr"),
                np.concatenate(lo),
                np.concatenate(hi),
                col_lower=np.concatenate([xlb, np.zeros(ny + nu)]),
                col_upper=np.ones(nx + ny + nu),
                sense="max",
                time_limit=left,
                options={"solver": "ipm"},
            )
        return solve_milp_checked(
            obj,
            sp.vstack(blocks, format="csr"),
            np.concatenate(lo),
            np.concatenate(hi),
            col_lower=np.concatenate([xlb, np.zeros(ny + nu)]),
            col_upper=np.ones(nx + ny + nu),
            integrality=np.concatenate([np.ones(nx), np.zeros(ny + nu)]),
            sense="max",
            time_limit=left,
            start=x0,
            options=PRESOLVE_OFF if self.a.nnz >= _PRESOLVE_OFF_NNZ else None,
            root_seconds_per_nonzero=ROOT_SECONDS_PER_NONZERO,
        )

    def decode(self, x: np.ndarray) -> np.ndarray:
        return np.sort(self.cand[x[: self.cand.size] > 0.5]).astype(np.int64)
