"""The capacitated facility location model: LP rounding, closing, MILP, marginals.

Used by :func:`planning.models.capacitated.solve_capacitated_location`. Every
step (the LP relaxation, each allocation LP of the rounding and closing
heuristic, the MILP and the marginals) shares one deadline; when the LP has
not finished, a greedy split over all sites gives the first answer and a
bound found without solving (cheapest site per point plus the least fixed
cost of enough capacity) keeps the gap finite.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._capacitated_coverage import _EXACT_MAX_ENTRIES, _MARGINAL_MAX_SITES, _check, _left, _Pattern
from ._errors import SpecificationError, TimeLimitError
from ._highs import PRESOLVE_OFF, MilpResult, solve_milp_checked
from .solution import Status

_GREEDY_FIRST_MAX_POINTS = 50_000
"""Up to this many demand points, a time-limited solve starts with the greedy split."""

_PRESOLVE_MAX_ENTRIES = 200_000
"""Above this many allocation entries a time-limited solve skips HiGHS presolve, which the
deadline cannot interrupt (the demo's 3,665 x 679 LP ran 9.9 s past a 2.7 s limit in it)."""


@dataclass
class _LocationModel:
    pat: _Pattern
    cv: np.ndarray
    d: np.ndarray
    cap: np.ndarray
    f: np.ndarray
    sites: np.ndarray
    ex: np.ndarray
    req: np.ndarray

    def _milp(
        self, *, relax: bool, time_limit: float | None, start: np.ndarray | None
    ) -> MilpResult:
        t_in = time.perf_counter()
        pat, d, cap = self.pat, self.d, self.cap
        k, e = self.sites.size, pat.size
        pos = np.full(pat.m, -1)
        pos[self.sites] = np.arange(k)
        ycol = pos[pat.cols]
        r = np.arange(e)
        blocks = [
            # every point fully served
            sp.hstack([sp.csr_array((pat.n, k)), pat.by_row()], format="csr"),
            # capacity: sum_i d_i f_ij - cap_j y_j <= 0
            sp.hstack(
                [
                    sp.csr_array((-cap[self.sites], (np.arange(k), np.arange(k))), shape=(k, k)),
                    sp.csr_array((d[pat.rows], (ycol, r)), shape=(k, e)),
                ],
                format="csr",
            ),
            # strong links: f_ij - y_j <= 0
            sp.hstack(
                [
                    sp.csr_array((-np.ones(e), (r, ycol)), shape=(e, k)),
                    sp.eye_array(e, format="csr"),
                ],
                format="csr",
            ),
            # total open capacity covers total demand
            sp.csr_array(np.concatenate([cap[self.sites], np.zeros(e)])[None, :]),
        ]
        lo = np.concatenate([np.ones(pat.n), np.full(k, -np.inf), np.full(e, -np.inf), [d.sum()]])
        hi = np.concatenate([np.ones(pat.n), np.zeros(k), np.zeros(e), [np.inf]])
        ylb = np.zeros(k)
        ylb[pos[self.ex]] = 1.0
        ylb[pos[self.req]] = 1.0
        if time_limit is not None:  # building the rows counts against the limit
            time_limit = max(time_limit - (time.perf_counter() - t_in), 0.0)
        return solve_milp_checked(
            np.concatenate([self.f[self.sites], self.cv]),
            sp.vstack(blocks, format="csr"),
            lo,
            hi,
            col_lower=np.concatenate([ylb, np.zeros(e)]),
            col_upper=np.ones(k + e),
            integrality=None if relax else np.concatenate([np.ones(k), np.zeros(e)]),
            time_limit=time_limit,
            start=start,
            options=PRESOLVE_OFF if time_limit is not None and e > _PRESOLVE_MAX_ENTRIES else None,
        )

    def serve(
        self, open_sites: np.ndarray, deadline: float = math.inf
    ) -> tuple[np.ndarray, float] | None:
        """Return the cheapest split (fractions per entry) and total cost, or inf if infeasible.

        None when ``deadline`` passes before the allocation LP is solved.
        """
        pat = self.pat
        frac = np.zeros(pat.size)
        is_open = np.zeros(pat.m, dtype=bool)
        is_open[open_sites] = True
        idx = np.flatnonzero(is_open[pat.cols])
        if self.cap[open_sites].sum() < self.d.sum() * (1 - 1e-12):
            return frac, math.inf
        left = _left(deadline)
        if left is not None and left <= 0:
            return None
        sub = _Pattern(pat.rows[idx], pat.cols[idx], pat.n, pat.m)
        a = sp.vstack([sub.by_row(), sub.by_col(self.d[sub.rows])], format="csr")
        res = solve_milp_checked(
            self.cv[idx],
            a,
            np.concatenate([np.ones(pat.n), np.full(pat.m, -np.inf)]),
            np.concatenate([np.ones(pat.n), np.where(is_open, self.cap, 0.0)]),
            col_upper=np.ones(idx.size),
            start=None,
            time_limit=left,
        )
        if res.status == "infeasible":
            return frac, math.inf
        if res.status != "optimal" or res.x is None:
            return None
        frac[idx] = np.clip(res.x, 0.0, 1.0)
        return frac, float(res.objective) + float(self.f[open_sites].sum())

    def greedy_split(self, open_sites: np.ndarray) -> tuple[np.ndarray, float]:
        """Split demand greedily over ``open_sites``; fractions and total cost.

        Points with the fewest open sites go first, each to its cheapest sites
        with room left; the cost is inf when some demand finds no room.
        """
        pat, d = self.pat, self.d
        frac = np.zeros(pat.size)
        room = np.zeros(pat.m)
        room[open_sites] = self.cap[open_sites]
        starts = np.searchsorted(pat.rows, np.arange(pat.n + 1))
        is_open = room > 0
        usable = np.bincount(pat.rows[is_open[pat.cols]], minlength=pat.n)
        for i in np.argsort(usable, kind="stable").tolist():
            left = float(d[i])
            ent = np.arange(starts[i], starts[i + 1])
            for e in ent[np.argsort(self.cv[ent], kind="stable")].tolist():
                if left <= 0:
                    break
                j = pat.cols[e]
                take = min(left, room[j])
                if take > 0:
                    room[j] -= take
                    left -= take
                    frac[e] = take / d[i] if d[i] > 0 else 0.0
            if d[i] > 0 and left > 1e-9 * max(1.0, float(d[i])):
                return frac, math.inf
            if d[i] == 0:
                frac[starts[i]] = 1.0
        used = np.unique(pat.cols[frac > 0])
        value = float(self.cv @ frac) + float(self.f[np.union1d(used, self.req)].sum())
        return frac, value

    def cheap_bound(self) -> float:
        """Return a lower bound found without solving anything.

        Each point served from its cheapest site, plus the least fixed cost
        (fractional knapsack) of enough capacity for all demand.
        """
        pat = self.pat
        starts = np.searchsorted(pat.rows, np.arange(pat.n))
        alloc = float(np.minimum.reduceat(self.cv, starts).sum()) if pat.size else 0.0
        forced = np.union1d(self.ex, self.req)
        need = float(self.d.sum()) - float(self.cap[forced].sum())
        fixed = float(self.f[self.req].sum())
        free = np.setdiff1d(self.sites, forced)
        free = free[self.cap[free] > 0]
        for j in free[np.argsort(self.f[free] / self.cap[free], kind="stable")].tolist():
            if need <= 0:
                break
            take = min(1.0, need / self.cap[j])
            fixed += take * self.f[j]
            need -= take * self.cap[j]
        return alloc + fixed

    def solve(
        self, method: str, time_limit: float | None
    ) -> tuple[np.ndarray, np.ndarray, float, float, Status, str]:
        t0 = time.perf_counter()
        deadline = math.inf if time_limit is None else t0 + time_limit
        # under a limit, a greedy answer first, so that little is left after the deadline
        early = time_limit is not None and self.pat.n <= _GREEDY_FIRST_MAX_POINTS
        first = self._greedy_answer() if early else None
        relaxed = self._milp(relax=True, time_limit=_left(deadline), start=None)
        if relaxed.status == "infeasible":
            msg = (
                "no split of the demand fits the capacities of the allowed sites; "
                "raise capacity or allow more sites"
            )
            raise SpecificationError(msg)
        lp_x = relaxed.x if relaxed.status == "optimal" else None
        lp_done = lp_x is not None
        cheap = self.cheap_bound()
        lp_bound = max(float(relaxed.objective), cheap) if lp_done else cheap
        y = lp_x[: self.sites.size] if lp_x is not None else np.ones(self.sites.size)
        open_sites, frac, value = self._round_and_close(y, deadline)
        if first is None and not math.isfinite(value):
            first = self._greedy_answer()
        if first is not None and first[2] < value:
            open_sites, frac, value = first
        use_exact = method == "exact" or (method == "auto" and self.pat.size <= _EXACT_MAX_ENTRIES)
        if not use_exact:
            if not math.isfinite(value):
                _out_of_time(time_limit)
            status: Status = "feasible" if lp_done else "time_limit"
            return open_sites, frac, value, min(lp_bound, value), status, "lp-rounding+close"
        left = _left(deadline)
        res = None
        if left is None or left > 0:
            start = None
            if math.isfinite(value):
                y0 = np.isin(self.sites, open_sites).astype(np.float64)
                start = np.concatenate([y0, frac])
            res = self._milp(relax=False, time_limit=left, start=start)
            _check(res, "capacitated location")
            k = self.sites.size
            if res.x is not None and res.objective <= value + 1e-9:
                open_sites = np.sort(self.sites[res.x[:k] > 0.5])
                frac = np.clip(res.x[k:], 0.0, 1.0)
                value = float(res.objective)
        if not math.isfinite(value):
            _out_of_time(time_limit)
        status = "optimal" if res is not None and res.status == "optimal" else "time_limit"
        bound = lp_bound
        if res is not None and math.isfinite(res.bound):
            bound = max(res.bound, lp_bound)
        return open_sites, frac, value, min(bound, value), status, "milp"

    def _greedy_answer(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Return the greedy split over every allowed site, with the sites it uses."""
        frac, value = self.greedy_split(np.union1d(self.sites, self.ex).astype(np.int64))
        used = np.union1d(np.unique(self.pat.cols[frac > 0]), self.req)
        return np.union1d(used, self.ex).astype(np.int64), frac, value

    def _round_and_close(
        self, y: np.ndarray, deadline: float
    ) -> tuple[np.ndarray, np.ndarray, float]:
        """Open every site the LP uses, then close sites one by one while that saves cost."""
        fixed = np.union1d(self.ex, self.req)
        open_sites = np.union1d(self.sites[y > 1e-9], fixed).astype(np.int64)
        first = self.serve(open_sites, deadline)
        if first is not None and not math.isfinite(first[1]):
            open_sites = np.union1d(self.sites, fixed).astype(np.int64)
            first = self.serve(open_sites, deadline)
        if first is None:
            return open_sites, np.zeros(self.pat.size), math.inf
        frac, value = first
        # up to three passes, least-used sites first, keeping every closure that saves
        for _ in range(3):
            improved = False
            for j in sorted(
                np.setdiff1d(open_sites, fixed), key=lambda s: y[_where(self.sites, s)]
            ):
                if time.perf_counter() > deadline:
                    return open_sites, frac, value
                trial = open_sites[open_sites != j]
                again = self.serve(trial, deadline)
                if again is None:
                    return open_sites, frac, value
                tfrac, tvalue = again
                if tvalue < value - 1e-9 * max(1.0, abs(value)):
                    open_sites, frac, value = trial, tfrac, tvalue
                    improved = True
            if not improved:
                break
        return open_sites, frac, value

    def marginals(
        self, open_sites: np.ndarray, chosen: np.ndarray, value: float, deadline: float
    ) -> np.ndarray:
        """Re-solve without each site; NaN past ``deadline`` or for many sites."""
        out = np.full(chosen.size, np.nan)
        if chosen.size > _MARGINAL_MAX_SITES:
            return out
        for k, j in enumerate(chosen):
            if time.perf_counter() > deadline:
                break
            again = self.serve(open_sites[open_sites != j], deadline)
            if again is None:
                break
            out[k] = again[1] - value
        return out


def _out_of_time(time_limit: float | None) -> None:
    msg = (
        f"the time limit ({time_limit} s) ran out before any split of the demand over the "
        "sites was found; this does not mean there is none: raise time_limit"
    )
    raise TimeLimitError(msg)


def _where(sorted_values: np.ndarray, value: int) -> int:
    return int(np.searchsorted(sorted_values, value))
