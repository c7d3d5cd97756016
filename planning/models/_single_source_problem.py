"""The single-source sized-location problem as arrays: moves, bounds and its MILP.

Private to :mod:`planning.models.single_source`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._errors import SpecificationError
from ._highs import PRESOLVE_OFF, ROOT_SECONDS_PER_NONZERO, MilpResult, solve_milp
from .lscp import solve_milp_checked
from .solution import Solution, Status, relative_gap

_PRESOLVE_MAX_ENTRIES = 200_000
"""Above this many entries a time-limited solve skips HiGHS presolve."""

_TOL = 1e-9


@dataclass
class _Problem:
    rows: np.ndarray
    cols: np.ndarray
    cv: np.ndarray
    d: np.ndarray
    cap: np.ndarray
    f: np.ndarray
    allowed: np.ndarray
    ex: np.ndarray
    req: np.ndarray
    p: int | None
    exact_p: bool
    share: float
    single: bool

    @property
    def n(self) -> int:
        return int(self.d.size)

    @property
    def m(self) -> int:
        return int(self.cap.size)

    @property
    def size(self) -> int:
        return int(self.rows.size)

    @property
    def k(self) -> int:
        return int(self.allowed.size)

    def option_text(self) -> str:
        parts = []
        if self.single:
            parts.append("single-source")
        if self.p is not None:
            parts.append(("exactly " if self.exact_p else "at most ") + f"p={self.p} sites")
        if self.share > 0:
            parts.append(f"existing/required sites filled to {self.share:.0%} of capacity")
        return f" ({', '.join(parts)})" if parts else ""

    # -- checks ---------------------------------------------------------------

    def check_feasible(self) -> None:
        """Raise SpecificationError for the infeasibilities that can be named up front."""
        d, cap = self.d, self.cap
        reach = np.bincount(self.rows, minlength=self.n)
        stranded = np.flatnonzero((reach == 0) & (d > 0))
        if stranded.size:
            why = (
                "no allowed site with the capacity for its whole demand can serve them"
                if self.single
                else "no allowed site can serve them"
            )
            msg = (
                f"{stranded.size} demand points (e.g. {stranded[:5].tolist()}, demand "
                f"{d[stranded[:5]].tolist()}) cannot be served: {why}; add entries to cost, "
                "raise capacity or allow more sites"
            )
            raise SpecificationError(msg)
        total = float(d.sum())
        fixed = np.union1d(self.ex, self.req)
        fixed_cap = float(cap[fixed].sum())
        others = np.setdiff1d(self.allowed, fixed)
        if self.p is None:
            best = fixed_cap + float(cap[others].sum())
            what = "the allowed sites"
        else:
            extra = self.p - self.req.size
            top = np.sort(cap[others])[::-1][:extra]
            best = fixed_cap + float(top.sum())
            what = f"the best p={self.p} sites" + (
                " with the existing ones" if self.ex.size else ""
            )
        if best < total * (1 - 1e-12):
            msg = (
                f"the total capacity of {what} is {best:g}, below the total demand {total:g}; "
                "raise p or capacity, or allow more sites"
            )
            raise SpecificationError(msg)
        if self.exact_p and self.p is not None and self.p > self.req.size + others.size:
            msg = (
                f"exact_p=True asks for p={self.p} sites but only {self.req.size + others.size} "
                "sites may be opened; lower p or allow more sites"
            )
            raise SpecificationError(msg)
        if self.share > 0:
            reached = np.zeros(self.m, dtype=bool)
            reached[self.cols] = True
            idle = fixed[~reached[fixed] & (cap[fixed] > 0)]
            if idle.size:
                msg = (
                    f"fill_required cannot fill sites {idle[:5].tolist()}: no demand point "
                    "may be served by them; add entries to cost or drop fill_required"
                )
                raise SpecificationError(msg)
            target = self.share * fixed_cap
            if target > total * (1 + 1e-12):
                msg = (
                    f"fill_required asks the existing and required sites to serve {target:g} "
                    f"but the total demand is only {total:g}; "
                    "lower the share or require fewer sites"
                )
                raise SpecificationError(msg)

    # -- the MILP ------------------------------------------------------------

    def index(self) -> None:
        pos = np.full(self.m, -1)
        pos[self.allowed] = np.arange(self.k)
        self.pos = pos
        self.ycol = pos[self.cols]
        self.row_start = np.searchsorted(self.rows, np.arange(self.n + 1))
        fixed = np.zeros(self.m, dtype=bool)
        fixed[self.ex] = True
        fixed[self.req] = True
        self.fixed = fixed

    def nonzeros(self) -> int:
        """Return (an upper estimate of) the nonzeros of :meth:`milp`'s matrix."""
        fill = self.size if self.share > 0 else 0
        return 4 * self.size + 3 * self.k + fill

    def fits(self, seconds: float) -> bool:
        """Return whether ``seconds`` leave the time to set up :meth:`milp`'s model."""
        return seconds >= ROOT_SECONDS_PER_NONZERO * self.nonzeros()

    def milp(self, *, relax: bool, time_limit: float | None, start: np.ndarray | None) -> Any:
        """Solve the MILP (or its LP relaxation); not started without the time for its set-up."""
        t_in = time.perf_counter()
        if time_limit is not None and not self.fits(time_limit):
            return MilpResult(None, math.nan, -math.inf, "time_limit", 0.0)
        k, e, n = self.k, self.size, self.n
        d, cap = self.d, self.cap
        r = np.arange(e)
        sites = self.allowed
        blocks = [
            sp.hstack([sp.csr_array((n, k)), sp.csr_array((np.ones(e), (self.rows, r)), (n, e))]),
            sp.hstack(
                [
                    sp.csr_array((-cap[sites], (np.arange(k), np.arange(k))), shape=(k, k)),
                    sp.csr_array((d[self.rows], (self.ycol, r)), shape=(k, e)),
                ]
            ),
            sp.hstack([sp.csr_array((-np.ones(e), (r, self.ycol)), (e, k)), sp.eye_array(e)]),
            sp.csr_array(np.concatenate([cap[sites], np.zeros(e)])[None, :]),
        ]
        lo = [np.ones(n), np.full(k, -np.inf), np.full(e, -np.inf), [d.sum()]]
        hi = [np.ones(n), np.zeros(k), np.zeros(e), [np.inf]]
        counted = ~np.isin(sites, self.ex)
        if self.p is not None:
            blocks.append(sp.csr_array(np.concatenate([counted * 1.0, np.zeros(e)])[None, :]))
            lo.append([float(self.p) if self.exact_p else -np.inf])
            hi.append([float(self.p)])
        if self.share > 0:
            fill = np.flatnonzero(self.fixed[self.cols])
            fk = np.unique(self.cols[fill])
            fpos = np.searchsorted(fk, self.cols[fill])
            blocks.append(
                sp.hstack(
                    [
                        sp.csr_array((fk.size, k)),
                        sp.csr_array((d[self.rows[fill]], (fpos, fill)), (fk.size, e)),
                    ]
                )
            )
            lo.append(self.share * cap[fk] * (1 - 1e-12))
            hi.append(np.full(fk.size, np.inf))
        ylb = self.fixed[sites].astype(np.float64)
        integrality = None
        if not relax:
            integrality = np.concatenate([np.ones(k), np.full(e, 1 if self.single else 0)])
        return solve_milp_checked(
            np.concatenate([self.f[sites], self.cv]),
            sp.vstack(blocks, format="csr"),
            np.concatenate([np.asarray(x, dtype=np.float64) for x in lo]),
            np.concatenate([np.asarray(x, dtype=np.float64) for x in hi]),
            col_lower=np.concatenate([ylb, np.zeros(e)]),
            col_upper=np.ones(k + e),
            integrality=integrality,
            time_limit=_less(time_limit, time.perf_counter() - t_in),
            start=start,
            # presolve of a large model does not stop at the deadline
            options=PRESOLVE_OFF if time_limit is not None and e > _PRESOLVE_MAX_ENTRIES else None,
        )

    def start_vector(self, open_sites: np.ndarray, frac: np.ndarray) -> np.ndarray:
        y = np.isin(self.allowed, open_sites).astype(np.float64)
        return np.concatenate([y, frac])

    def decode(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        k = self.k
        open_sites = np.sort(self.allowed[x[:k] > 0.5])
        frac = np.clip(x[k:], 0.0, 1.0)
        if self.single:
            frac = np.round(frac)
        return open_sites, frac, self.cost_of(open_sites, frac)

    def cost_of(self, open_sites: np.ndarray, frac: np.ndarray) -> float:
        return float(self.f[open_sites].sum() + self.cv @ frac)

    # -- heuristic -------------------------------------------------------------

    def heuristic(
        self, y_lp: np.ndarray, deadline: float
    ) -> tuple[np.ndarray, np.ndarray, float] | None:
        """Open the sites the LP uses (fitted to ``p``), assign, then close while it saves."""
        score = np.zeros(self.m)
        score[self.allowed] = y_lp
        score[self.fixed] = 2.0
        order = self.allowed[np.lexsort((-self.cap[self.allowed], -score[self.allowed]))]
        counted = order[~np.isin(order, self.ex)]
        if self.p is None:
            chosen = order[score[order] > 1e-6]
        else:
            want = self.p if self.exact_p else min(self.p, int((score[counted] > 1e-6).sum()))
            chosen = np.union1d(counted[: max(want, self.req.size)], self.ex)
        open_sites = np.union1d(chosen, np.union1d(self.ex, self.req)).astype(np.int64)
        got = self.assign(open_sites, deadline)
        # add sites (best LP score first) while the assignment fails and p allows
        spare = [j for j in order.tolist() if j not in set(open_sites.tolist())]
        while got is None and spare and time.perf_counter() < deadline:
            if self.p is not None and np.setdiff1d(open_sites, self.ex).size >= self.p:
                break
            open_sites = np.union1d(open_sites, [spare.pop(0)]).astype(np.int64)
            got = self.assign(open_sites, deadline)
        if got is None:
            return None
        frac, value = got
        # closing: least-loaded new sites first, while p (exact) permits
        for _ in range(2):
            improved = False
            closable = np.setdiff1d(open_sites, np.union1d(self.ex, self.req))
            if self.exact_p:
                break
            load = np.bincount(self.cols, weights=frac * self.d[self.rows], minlength=self.m)
            for j in closable[np.argsort(load[closable])].tolist():
                if time.perf_counter() > deadline:
                    break
                trial = open_sites[open_sites != j]
                alt = self.assign(trial, deadline)
                if alt is not None and alt[1] < value - 1e-9 * max(1.0, abs(value)):
                    open_sites, (frac, value) = trial, alt
                    improved = True
            if not improved:
                break
        return open_sites, frac, value

    def assign(self, open_sites: np.ndarray, deadline: float) -> tuple[np.ndarray, float] | None:
        """Return the assignment (per pair) and total cost with ``open_sites`` open, or None."""
        if self.cap[open_sites].sum() < self.d.sum() * (1 - 1e-12):
            return None
        if not self.single:
            return self._split(open_sites, deadline)
        frac = self._regret(open_sites, deadline)
        if frac is None:
            return None
        frac = self._shift(open_sites, frac, deadline)
        if self.share > 0 and not self._filled(frac):
            return None
        return frac, self.cost_of(open_sites, frac)

    def _filled(self, frac: np.ndarray) -> bool:
        load = np.bincount(self.cols, weights=frac * self.d[self.rows], minlength=self.m)
        need = self.share * self.cap * (1 - 1e-12)
        return bool((load[self.fixed] >= need[self.fixed]).all())

    def _split(self, open_sites: np.ndarray, deadline: float) -> tuple[np.ndarray, float] | None:
        is_open = np.zeros(self.m, dtype=bool)
        is_open[open_sites] = True
        idx = np.flatnonzero(is_open[self.cols])
        e = idx.size
        rr, cc = self.rows[idx], self.cols[idx]
        blocks = [
            sp.csr_array((np.ones(e), (rr, np.arange(e))), (self.n, e)),
            sp.csr_array((self.d[rr], (cc, np.arange(e))), (self.m, e)),
        ]
        lo = [np.ones(self.n), np.full(self.m, -np.inf)]
        hi = [np.ones(self.n), np.where(is_open, self.cap, 0.0)]
        if self.share > 0:
            lo[1] = np.where(self.fixed, self.share * self.cap * (1 - 1e-12), -np.inf)
        res = solve_milp(
            self.cv[idx],
            sp.vstack(blocks, format="csr"),
            np.concatenate(lo),
            np.concatenate(hi),
            col_upper=np.ones(e),
            time_limit=None if math.isinf(deadline) else max(deadline - time.perf_counter(), 0.0),
        )
        if res.x is None or res.status != "optimal":
            return None
        frac = np.zeros(self.size)
        frac[idx] = np.clip(res.x, 0.0, 1.0)
        return frac, self.cost_of(open_sites, frac)

    def _regrets(self, ok: np.ndarray) -> np.ndarray:
        """Return per point its second-cheapest minus its cheapest ``ok`` cost (inf: < 2)."""
        rows = self.rows[ok]
        cost = self.cv[ok]
        order = np.lexsort((cost, rows))
        rows, cost = rows[order], cost[order]
        first = np.searchsorted(rows, np.arange(self.n))
        count = np.bincount(rows, minlength=self.n)
        regret = np.full(self.n, math.inf)
        two = count >= 2
        regret[two] = cost[first[two] + 1] - cost[first[two]]
        return regret

    def _regret(self, open_sites: np.ndarray, deadline: float) -> np.ndarray | None:
        """Assign points one at a time, largest regret (then demand) first, to the cheapest room.

        None when some point finds no room, or when ``deadline`` passes.
        """
        is_open = np.zeros(self.m, dtype=bool)
        is_open[open_sites] = True
        room = np.where(is_open, self.cap, 0.0)
        ok = is_open[self.cols]
        regret = self._regrets(ok)
        frac = np.zeros(self.size)
        for step, i in enumerate(np.lexsort((-self.d, -regret)).tolist()):
            if step % 1024 == 1023 and time.perf_counter() > deadline:
                return None
            a, b = self.row_start[i], self.row_start[i + 1]
            ent = np.arange(a, b)[ok[a:b] & (room[self.cols[a:b]] >= self.d[i] - _TOL)]
            if ent.size == 0:
                return None
            best = ent[np.argmin(self.cv[ent])]
            frac[best] = 1.0
            room[self.cols[best]] -= self.d[i]
        return frac

    def _shift(self, open_sites: np.ndarray, frac: np.ndarray, deadline: float) -> np.ndarray:
        """Move single points to cheaper open sites with room, and swap pairs, while it saves."""
        is_open = np.zeros(self.m, dtype=bool)
        is_open[open_sites] = True
        ok = is_open[self.cols]
        cur = np.flatnonzero(frac > 0.5)  # one entry per point, sorted by point
        room = np.where(is_open, self.cap, 0.0) - np.bincount(
            self.cols[cur], weights=self.d[self.rows[cur]], minlength=self.m
        )
        keep_fill = self.share * self.cap if self.share > 0 else np.zeros(self.m)
        for _ in range(20):
            moved = False
            for i in range(self.n):
                if time.perf_counter() > deadline:
                    break
                a, b = self.row_start[i], self.row_start[i + 1]
                now = cur[i]
                jn = self.cols[now]
                if self.fixed[jn] and self.cap[jn] - room[jn] - self.d[i] < keep_fill[jn] - _TOL:
                    continue
                ent = np.arange(a, b)[ok[a:b] & (room[self.cols[a:b]] >= self.d[i] - _TOL)]
                if ent.size == 0:
                    continue
                best = ent[np.argmin(self.cv[ent])]
                if self.cv[best] < self.cv[now] - 1e-12:
                    room[jn] += self.d[i]
                    room[self.cols[best]] -= self.d[i]
                    frac[now], frac[best] = 0.0, 1.0
                    cur[i] = best
                    moved = True
            if not moved:
                break
        return frac

    # -- result ------------------------------------------------------------------

    def solution(
        self,
        best: tuple[np.ndarray, np.ndarray, float] | None,
        bound: float,
        lp_bound: float,
        status: Status,
        name: str,
        t0: float,
    ) -> Solution:
        n, m = self.n, self.m
        if best is None:
            return Solution(
                selected=np.zeros(0, dtype=np.int64),
                objective=math.inf,
                bound=bound,
                gap=math.inf,
                status="time_limit",
                seconds=time.perf_counter() - t0,
                sense="min",
                method=name,
                covered=np.zeros(n, dtype=bool),
                assignment=np.full(n, -1, dtype=np.int64),
                marginal=np.zeros(0),
                details={
                    "lp_bound": lp_bound,
                    "single_source": self.single,
                    "message": "no feasible assignment was found within the time limit",
                },
            )
        open_sites, frac, value = best
        chosen = np.setdiff1d(open_sites, self.ex).astype(np.int64)
        bound = min(bound, value)
        gap = relative_gap(value, bound)
        if gap <= 1e-9:
            status = "optimal"
        elif status == "optimal":
            status = "feasible"
        amount = frac * self.d[self.rows]
        allocation = sp.csr_array((amount, (self.rows, self.cols)), shape=(n, m))
        allocation.eliminate_zeros()
        assignment = np.full(n, -1, dtype=np.int64)
        score = frac + 1e-12 * (1.0 - np.arange(self.size) / max(self.size, 1))
        for i in range(n):
            a, b = self.row_start[i], self.row_start[i + 1]
            if b > a and frac[a:b].max() > 1e-9:
                assignment[i] = self.cols[a + int(np.argmax(score[a:b]))]
        load = np.bincount(self.cols, weights=amount, minlength=m)
        fixed_part = float(self.f[chosen].sum())
        return Solution(
            selected=chosen,
            objective=value,
            bound=bound,
            gap=gap,
            status=status,
            seconds=time.perf_counter() - t0,
            sense="min",
            method=name,
            covered=np.ones(n, dtype=bool),
            assignment=assignment,
            marginal=np.full(chosen.size, np.nan),
            details={
                "allocation": allocation,
                "fixed_cost": fixed_part,
                "allocation_cost": value - fixed_part,
                "existing": self.ex,
                "load": load[chosen],
                "lp_bound": lp_bound,
                "single_source": self.single,
            },
        )


def _less(time_limit: float | None, spent: float) -> float | None:
    """Return what is left of ``time_limit`` after ``spent`` seconds (None: no limit)."""
    return None if time_limit is None else max(time_limit - spent, 0.0)
