"""The capacitated coverage model: allocation pattern, greedy, MILP and marginals.

Used by :func:`planning.models.capacitated.solve_capacitated_coverage`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._highs import PRESOLVE_OFF, MilpResult, solve_milp_checked
from .solution import Status

_PRESOLVE_MAX_ENTRIES = 200_000
"""Above this many allocation entries a time-limited solve skips HiGHS presolve."""

_MARGINAL_MAX_SITES = 100
"""Above this many selected sites, marginals are bounded instead of re-solved."""


@dataclass
class _Pattern:
    """Allowed (demand, site) pairs as parallel arrays, sorted by demand then site."""

    rows: np.ndarray
    cols: np.ndarray
    n: int
    m: int

    @property
    def size(self) -> int:
        return int(self.rows.size)

    def by_row(self, values: np.ndarray | None = None) -> sp.csr_array:
        data = np.ones(self.size) if values is None else values
        return sp.csr_array((data, (self.rows, np.arange(self.size))), shape=(self.n, self.size))

    def by_col(self, values: np.ndarray | None = None) -> sp.csr_array:
        data = np.ones(self.size) if values is None else values
        return sp.csr_array((data, (self.cols, np.arange(self.size))), shape=(self.m, self.size))

    def matrix(self, values: np.ndarray) -> sp.csr_array:
        return sp.csr_array((values, (self.rows, self.cols)), shape=(self.n, self.m))


@dataclass
class _CoverageModel:
    pat: _Pattern
    d: np.ndarray
    cap: np.ndarray
    ecap: np.ndarray
    c: np.ndarray
    cand: np.ndarray
    req: np.ndarray
    p: int | None
    budget: float | None

    def _milp(
        self, *, relax: bool, time_limit: float | None, start: np.ndarray | None
    ) -> MilpResult:
        t_in = time.perf_counter()
        pat, d, cap, ecap = self.pat, self.d, self.cap, self.ecap
        k, e = self.cand.size, pat.size
        pos = np.full(pat.m, -1)
        pos[self.cand] = np.arange(k)
        xcol = pos[pat.cols]
        # z bounds: no more than the point's demand and the site's total capacity
        site_max = ecap + np.where(pos >= 0, cap, 0.0)
        zub = np.minimum(d[pat.rows], site_max[pat.cols])
        blocks = []
        lo: list[np.ndarray] = []
        hi: list[np.ndarray] = []
        # demand rows
        blocks.append(sp.hstack([sp.csr_array((pat.n, k)), pat.by_row()], format="csr"))
        lo.append(np.full(pat.n, -np.inf))
        hi.append(d)
        # site rows: sum z - cap x <= ecap
        x_part = sp.csr_array((-cap[self.cand], (self.cand, np.arange(k))), shape=(pat.m, k))
        blocks.append(sp.hstack([x_part, pat.by_col()], format="csr"))
        lo.append(np.full(pat.m, -np.inf))
        hi.append(ecap)
        # strong links: z - min(d, cap) x <= min(d, ecap) where that is binding
        link = (xcol >= 0) & (ecap[pat.cols] < d[pat.rows])
        idx = np.flatnonzero(link)
        if idx.size:
            coef = np.minimum(d[pat.rows[idx]], cap[pat.cols[idx]])
            r = np.arange(idx.size)
            xl = sp.csr_array((-coef, (r, xcol[idx])), shape=(idx.size, k))
            zl = sp.csr_array((np.ones(idx.size), (r, idx)), shape=(idx.size, e))
            blocks.append(sp.hstack([xl, zl], format="csr"))
            lo.append(np.full(idx.size, -np.inf))
            hi.append(np.minimum(d[pat.rows[idx]], ecap[pat.cols[idx]]))
        if self.p is not None:
            blocks.append(sp.csr_array(np.concatenate([np.ones(k), np.zeros(e)])[None, :]))
            lo.append(np.array([-np.inf]))
            hi.append(np.array([float(self.p)]))
        if self.budget is not None:
            blocks.append(sp.csr_array(np.concatenate([self.c[self.cand], np.zeros(e)])[None, :]))
            lo.append(np.array([-np.inf]))
            hi.append(np.array([float(self.budget)]))
        a = sp.vstack(blocks, format="csr")
        xlb = np.zeros(k)
        xlb[pos[self.req]] = 1.0
        if time_limit is not None:  # building the rows counts against the limit
            time_limit = max(time_limit - (time.perf_counter() - t_in), 0.0)
        return solve_milp_checked(
            np.concatenate([np.zeros(k), np.ones(e)]),
            a,
            np.concatenate(lo),
            np.concatenate(hi),
            col_lower=np.concatenate([xlb, np.zeros(e)]),
            col_upper=np.concatenate([np.ones(k), zub]),
            integrality=None if relax else np.concatenate([np.ones(k), np.zeros(e)]),
            sense="max",
            time_limit=time_limit,
            start=start,
            # presolve of a large model does not stop at the deadline
            options=PRESOLVE_OFF if time_limit is not None and e > _PRESOLVE_MAX_ENTRIES else None,
        )

    def serve(
        self, chosen: np.ndarray, deadline: float = math.inf
    ) -> tuple[np.ndarray, float] | None:
        """Return the best allocation (per pattern entry) and served demand with ``chosen`` open.

        None when ``deadline`` passes before the allocation LP is solved.
        """
        pat = self.pat
        total = self.ecap.copy()
        total[chosen] += self.cap[chosen]
        live = total[pat.cols] > 0
        z = np.zeros(pat.size)
        if not live.any():
            return z, 0.0
        left = _left(deadline)
        if left is not None and left <= 0:
            return None
        idx = np.flatnonzero(live)
        sub = _Pattern(pat.rows[idx], pat.cols[idx], pat.n, pat.m)
        a = sp.vstack([sub.by_row(), sub.by_col()], format="csr")
        res = solve_milp_checked(
            np.ones(idx.size),
            a,
            np.full(pat.n + pat.m, -np.inf),
            np.concatenate([self.d, total]),
            col_upper=np.minimum(self.d[sub.rows], total[sub.cols]),
            sense="max",
            start=None,
            time_limit=left,
        )
        if res.status != "optimal" and left is not None:
            return None
        if res.x is None:
            msg = f"HiGHS failed on the allocation LP (status {res.status!r})"
            raise RuntimeError(msg)
        z[idx] = np.maximum(res.x, 0.0)
        return z, float(z.sum())

    def cheap_bound(self) -> float:
        """Return an upper bound on the served demand without solving anything.

        Never above the total demand; also at most the existing capacity plus
        the ``p`` largest (or, with a budget, the best per cost) capacities a
        new site can add, each limited to the demand that site covers.
        """
        pat, cap = self.pat, self.cap
        reach = np.bincount(pat.cols, weights=self.d[pat.rows], minlength=pat.m)
        total = float(self.d.sum())
        room = float(np.minimum(self.ecap, reach).sum())
        add = np.minimum(cap, np.maximum(reach - self.ecap, 0.0))
        free = np.setdiff1d(self.cand, self.req)
        best = total
        fixed = room + float(add[self.req].sum())
        if self.p is not None:
            k = max(self.p - self.req.size, 0)
            top = np.sort(add[free])[::-1][:k]
            best = min(best, fixed + float(top.sum()))
        if self.budget is not None:
            left = max(self.budget - float(self.c[self.req].sum()), 0.0)
            gain, cost = add[free], self.c[free]
            order = np.argsort(-gain / np.maximum(cost, 1e-300), kind="stable")
            got = 0.0
            for j in order:
                if cost[j] <= left:
                    got += gain[j]
                    left -= cost[j]
                else:
                    got += gain[j] * left / cost[j]
                    break
            best = min(best, fixed + got)
        return best

    def greedy(self, deadline: float = math.inf) -> tuple[np.ndarray, np.ndarray]:
        """Open sites one at a time by the most (or most per cost) newly servable demand.

        Returns the sites and the allocation (per pattern entry) made on the way;
        stops opening sites at ``deadline``.
        """
        pat, d, cap, c = self.pat, self.d, self.cap, self.c
        csc = pat.by_col()  # site x entry
        resid = d.copy()
        room = self.ecap.copy()
        alternatives = np.bincount(pat.rows, minlength=pat.n)
        z = np.zeros(pat.size)

        def allocate(j: int) -> None:
            ent = csc.indices[csc.indptr[j] : csc.indptr[j + 1]]
            for e in ent[np.argsort(alternatives[pat.rows[ent]], kind="stable")]:
                if room[j] <= 0:
                    break
                i = pat.rows[e]
                take = min(resid[i], room[j])
                resid[i] -= take
                room[j] -= take
                z[e] += take

        for site in np.flatnonzero(self.ecap > 0).tolist():
            allocate(site)
        chosen: list[int] = self.req.tolist()
        spent = float(c[self.req].sum())
        for site in chosen:
            room[site] += cap[site]
            allocate(site)
        limit = self.p if self.p is not None else self.cand.size
        is_chosen = np.zeros(pat.m, dtype=bool)
        is_chosen[chosen] = True
        while len(chosen) < limit and time.perf_counter() < deadline:
            reach = np.asarray(csc @ resid[pat.rows]) if pat.size else np.zeros(pat.m)
            gain = np.minimum(cap, np.maximum(reach - room, 0.0))
            ok = np.zeros(pat.m, dtype=bool)
            ok[self.cand] = True
            ok &= ~is_chosen & (gain > 1e-12)
            if self.budget is not None:
                ok &= spent + c <= self.budget * (1 + 1e-12) + 1e-12
            if not ok.any():
                break
            score = gain / np.maximum(c, 1e-12) if self.budget is not None else gain.copy()
            score[~ok] = -np.inf
            j = int(np.argmax(score))
            chosen.append(j)
            is_chosen[j] = True
            spent += float(c[j])
            room[j] += cap[j]
            allocate(j)
        return np.array(sorted(chosen), dtype=np.int64), z

    def start_vector(self, chosen: np.ndarray, z: np.ndarray) -> np.ndarray:
        x = np.isin(self.cand, chosen).astype(np.float64)
        return np.concatenate([x, z])

    def solve(
        self, method: str, time_limit: float | None
    ) -> tuple[np.ndarray, np.ndarray, float, float, Status, str]:
        t0 = time.perf_counter()
        deadline = math.inf if time_limit is None else t0 + time_limit
        chosen, z = self.greedy(deadline)
        value = float(z.sum())
        if self.pat.size == 0:
            return chosen, z, value, value, "optimal", "reduction"
        better = self.serve(chosen, deadline)
        if better is not None:
            z, value = better
        cheap = self.cheap_bound()
        use_exact = method == "exact" or (method == "auto" and self.pat.size <= _EXACT_MAX_ENTRIES)
        left = _left(deadline)
        if use_exact and (left is None or left >= _MILP_ROOT_SECONDS_PER_ENTRY * self.pat.size):
            res = self._milp(
                relax=False, time_limit=_left(deadline), start=self.start_vector(chosen, z)
            )
            _check(res, "capacitated coverage")
            k = self.cand.size
            if res.x is not None and res.objective >= value - 1e-9:
                chosen = np.sort(self.cand[res.x[:k] > 0.5])
                z = np.clip(res.x[k:], 0.0, None)
                value = float(z.sum())
                if res.status != "optimal":  # the MILP's split may not be the best for its sites
                    better = self.serve(chosen, deadline)
                    if better is not None and better[1] > value:
                        z, value = better
            status: Status = "optimal" if res.status == "optimal" else "time_limit"
            bound = min(res.bound, cheap) if math.isfinite(res.bound) else cheap
            return chosen, z, value, max(bound, value), status, "milp"
        bound = min(self._lp_bound(deadline), cheap)
        status = "feasible" if not use_exact else "time_limit"
        return chosen, z, value, max(bound, value), status, "greedy+lp-bound"

    def _lp_bound(self, deadline: float = math.inf) -> float:
        left = _left(deadline)
        if left is not None and left <= 0:
            return math.inf
        res = self._milp(relax=True, time_limit=left, start=None)
        _check(res, "capacitated coverage relaxation")
        return float(res.objective) if res.status == "optimal" else math.inf

    def marginals(
        self, chosen: np.ndarray, z: np.ndarray, value: float, deadline: float
    ) -> np.ndarray:
        """Re-solve without each site; past ``deadline`` use the demand it serves (a bound)."""
        out = np.bincount(self.pat.cols, weights=z, minlength=self.pat.m)[chosen]
        if chosen.size > _MARGINAL_MAX_SITES:
            return out
        for k, j in enumerate(chosen):
            if time.perf_counter() > deadline:
                break
            again = self.serve(chosen[chosen != j], deadline)
            if again is None:
                break
            out[k] = max(value - again[1], 0.0)
        return out


_EXACT_MAX_ENTRIES = 2_000_000
"""Largest number of allocation variables ``method="auto"`` solves exactly."""

_MILP_ROOT_SECONDS_PER_ENTRY = 2e-4
"""Time HiGHS 1.16 may spend at the MIP's root, per allocation entry, before its
interrupt is polled again (about 5 s on 81,000 entries; on 181,000, 5 s of presolve
and a root LP 4 s past the interrupt, and once 190 s, with nothing better than the
greedy found): a time-limited MILP is started only with at least this much time
left, or it would run past the limit."""


def _left(deadline: float) -> float | None:
    """Seconds left before ``deadline`` (None when there is none), at least 0."""
    return None if math.isinf(deadline) else max(deadline - time.perf_counter(), 0.0)


def _check(res: MilpResult, what: str) -> None:
    if res.status not in ("optimal", "time_limit"):
        msg = f"HiGHS failed on the {what} model (status {res.status!r})"
        raise RuntimeError(msg)
