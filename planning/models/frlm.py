"""The flow refuelling location model: stations along origin-destination flows.

For charging or hydrogen along truck corridors (between the steel,
new-materials and logistics zones, say) demand is not at points but on
journeys: a truck needs stations spaced so that it can make its round trip
within its range. :func:`solve_flow_refuelling` chooses ``p`` stations (or
stations within a budget) maximising the flow (trips x volume) whose round
trips can be completed, after Kuby & Lim (2005).

A path is a sequence of network nodes with the cumulative distance from
the origin. Its round trip origin -> destination -> origin is treated as a
cycle that repeats, so the fuel left on coming back to the origin is what
the next trip starts with (no full tank is assumed at an origin without a
station). The trip can be made when the stations on the cycle are never
more than ``vehicle_range_m`` apart along it. Equivalently (Capar & Kuby
2012), every arc of the cycle has an open station within range before its
end. Two formulations give the same optimum:

- ``"arc-cover"`` (default): one row per arc, ``refuelled_q <= sum of the
  stations that reach the arc's end``; compact for long paths;
- ``"combinations"``: Kuby & Lim's own, with the minimal station
  combinations that refuel each path enumerated up front
  (:func:`refuelling_combinations`); grows exponentially with the number of
  candidate nodes on a path.

Both are MILPs on HiGHS started from a greedy (adding the station that
completes the most flow, or brings it closest to completion); with
``method="heuristic"`` the greedy and swaps run alone and the LP relaxation
gives the bound.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Hashable, Sequence
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from ._args import (
    check_method,
    check_roles,
    check_time_limit,
    site_indices,
    site_vector,
    whole_number,
)
from ._errors import SpecificationError
from ._frlm_paths import (
    _MAX_PATH_CANDIDATES,
    PathSpec,
    _arc_sets,
    _check_paths,
    _combos,
    _Cycle,
    _refuelled,
    refuelling_combinations,
)
from ._highs import PRESOLVE_OFF, solve_milp
from .lscp import solve_milp_checked
from .solution import Solution, Status, relative_gap

Method = Literal["auto", "exact", "heuristic"]
Formulation = Literal["arc-cover", "combinations"]

__all__ = ["refuelling_combinations", "solve_flow_refuelling"]

_HEURISTIC_SECONDS = 10.0
"""Time for the greedy and swaps when no time limit is given."""

_EXACT_MAX_NNZ = 3_000_000
"""Largest arc-cover matrix (entries) ``method="auto"`` hands to the MILP."""

_PRESOLVE_MAX_NNZ = 50_000
"""Above this many nonzeros a time-limited MILP skips HiGHS presolve."""


def solve_flow_refuelling(
    paths: Sequence[PathSpec],
    flows: np.ndarray | Sequence[float],
    candidates: Sequence[Hashable],
    *,
    vehicle_range_m: float,
    p: int | None = None,
    budget: float | None = None,
    costs: np.ndarray | None = None,
    existing: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    formulation: Formulation = "arc-cover",
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Choose refuelling stations that let the most flow complete its round trips.

    Parameters
    ----------
    paths
        One ``(nodes, cumulative)`` pair per origin-destination path: node
        ids along the path (origin first) and the distance in metres from
        the origin to each, non-decreasing and starting at 0. Build them
        from a road graph with :func:`planning.flow_paths` or give them.
    flows
        Flow on each path (e.g. truck trips per day).
    candidates
        Node ids where stations may be built; site ``j`` is ``candidates[j]``.
    vehicle_range_m
        Distance a vehicle covers on a full tank or charge, in metres.
    p
        Largest number of new stations (required included, existing not).
    budget
        Largest total cost of the new stations (with ``costs``).
    costs
        Cost of each candidate, for ``budget``; default 1 each.
    existing
        Candidate indices of stations already built (they refuel for free).
    required, forbidden
        Candidate indices (or boolean masks) that must / must not be chosen.
    formulation
        ``"arc-cover"`` or ``"combinations"`` (see the module notes).
    method
        ``"exact"`` (MILP on HiGHS), ``"heuristic"`` (greedy and swaps; the
        bound is the LP relaxation) or ``"auto"``.
    time_limit
        Seconds allowed, or None.

    Returns
    -------
    Solution
        ``sense="max"``, ``objective`` the refuelled flow. ``covered`` is,
        per *path*, whether its round trip can be made; ``marginal`` the
        flow lost if that station alone were removed (NaN for the stations
        not reached before ``time_limit`` ran out). ``details`` holds
        ``total_flow``, ``refuelled_share``, ``unrefuellable`` (paths no
        choice of the allowed stations refuels), ``unrefuellable_flow`` and
        ``formulation``.

    Raises
    ------
    SpecificationError
        If neither ``p`` nor ``budget`` is given, there are more required
        stations than ``p`` or they cost more than ``budget``, or a station
        has two roles.
    ValueError
        If a path is malformed (lengths differ, distances decrease, an empty
        or zero-length path) or another argument is invalid.
    """
    t0 = time.perf_counter()
    cand = list(candidates)
    m = len(cand)
    index: dict[Hashable, int] = {}
    for j, v in enumerate(cand):
        if v in index:
            msg = f"candidates lists node {v!r} twice (positions {index[v]} and {j})"
            raise ValueError(msg)
        index[v] = j
    if not (isinstance(vehicle_range_m, numbers.Real) and vehicle_range_m > 0):
        msg = f"vehicle_range_m must be a positive distance in metres; got {vehicle_range_m!r}"
        raise ValueError(msg)
    rng = float(vehicle_range_m)
    cycles = _check_paths(paths, index)
    f = np.asarray(flows, dtype=np.float64)
    if f.shape != (len(cycles),) or not np.isfinite(f).all() or (f < 0).any():
        msg = f"flows must hold one finite non-negative value per path ({len(cycles)})"
        raise ValueError(msg)
    c = site_vector(costs, m, "costs", default=1.0)
    check_method(method)
    check_time_limit(time_limit)
    if formulation not in ("arc-cover", "combinations"):
        msg = f"formulation must be 'arc-cover' or 'combinations'; got {formulation!r}"
        raise ValueError(msg)
    ex = site_indices(existing, m, "existing")
    req = site_indices(required, m, "required")
    forb = site_indices(forbidden, m, "forbidden")
    check_roles(existing=ex, required=req, forbidden=forb)
    if p is None and budget is None:
        msg = "give p (the number of stations) or budget (with costs), or both"
        raise SpecificationError(msg)
    if p is not None:
        p = whole_number(p, "p")
        if req.size > p:
            msg = f"p={p} is smaller than the {req.size} required stations; raise p"
            raise SpecificationError(msg)
    if budget is not None:
        if not (isinstance(budget, numbers.Real) and math.isfinite(budget) and budget >= 0):
            msg = f"budget must be a finite non-negative number; got {budget!r}"
            raise SpecificationError(msg)
        if float(c[req].sum()) > budget * (1 + 1e-12) + 1e-9:
            msg = f"the required stations cost {c[req].sum():g}, more than the budget {budget:g}"
            raise SpecificationError(msg)
    deadline = math.inf if time_limit is None else t0 + float(time_limit)

    allowed = np.ones(m, dtype=bool)
    allowed[forb] = False
    model = _Model(cycles, f, c, rng, allowed, ex, req, p, budget)
    model.build(formulation)
    use_exact = method == "exact" or (method == "auto" and model.nnz <= _EXACT_MAX_NNZ)
    share = 0.3 if use_exact else 1.0
    quick = t0 + (_HEURISTIC_SECONDS if time_limit is None else share * float(time_limit))
    quick = min(quick, deadline)
    # the greedy answer comes first, whatever the share: it is the answer a short limit gets
    chosen = model.local_search(model.greedy(deadline), quick)
    bound = float(f[model.possible].sum())
    status: Status = "feasible"
    name = "greedy+swap"
    if use_exact and time.perf_counter() < deadline:
        res = model.milp(relax=False, start=chosen, deadline=deadline)
        if res.status not in ("optimal", "time_limit"):
            msg = f"HiGHS failed on the flow refuelling model (status {res.status!r})"
            raise RuntimeError(msg)
        if res.x is not None:
            trial = model.decode(res.x)
            if model.value(trial) >= model.value(chosen) - 1e-9:
                chosen = trial
        if math.isfinite(res.bound):
            bound = min(bound, float(res.bound))
        status = "optimal" if res.status == "optimal" else "time_limit"
        name = "milp"
    elif time.perf_counter() < deadline:
        res = model.milp(relax=True, start=None, deadline=deadline)
        if res.x is not None and res.status == "optimal":
            bound = min(bound, float(res.objective))
    value = model.value(chosen)
    bound = max(bound, value)
    gap = relative_gap(value, bound)
    if gap <= 1e-9:
        status = "optimal"
    elif status == "optimal":
        status = "feasible"
    elif time.perf_counter() >= deadline:
        status = "time_limit"
    done = model.refuelled(chosen)
    # the flow each station alone carries, while time remains (NaN after the limit)
    marginal = np.full(chosen.size, np.nan)
    for k, j in enumerate(chosen.tolist()):
        if time.perf_counter() >= deadline:
            break
        marginal[k] = value - model.value(chosen[chosen != j])
    total = float(f.sum())
    unref = np.flatnonzero(~model.possible)
    return Solution(
        selected=chosen,
        objective=value,
        bound=bound,
        gap=gap,
        status=status,
        seconds=time.perf_counter() - t0,
        sense="max",
        method=f"{name} ({formulation})",
        covered=done,
        marginal=marginal,
        details={
            "total_flow": total,
            "refuelled_share": value / total if total > 0 else 1.0,
            "unrefuellable": unref,
            "unrefuellable_flow": float(f[unref].sum()),
            "formulation": formulation,
            "existing": ex,
            "cost": float(c[chosen].sum()),
        },
    )


class _Model:
    """Arc sets (or combinations) per path and the MILP over them."""

    def __init__(
        self,
        cycles: list[_Cycle],
        f: np.ndarray,
        c: np.ndarray,
        rng: float,
        allowed: np.ndarray,
        ex: np.ndarray,
        req: np.ndarray,
        p: int | None,
        budget: float | None,
    ) -> None:
        self.cycles, self.f, self.c, self.rng = cycles, f, c, rng
        self.m = c.size
        self.allowed, self.ex, self.req, self.p, self.budget = allowed, ex, req, p, budget
        usable = allowed.copy()
        usable[ex] = True
        self.usable = usable
        self.possible = np.array([_refuelled(cy, usable, rng) for cy in cycles], dtype=bool)
        self.nnz = 0

    def build(self, formulation: str) -> None:
        """Rows ``y_q <= sum_{k in S} x_k`` per arc (or per combination via ``v_h``)."""
        self.formulation = formulation
        rows: list[tuple[int, np.ndarray]] = []  # (path, site set)
        is_ex = np.zeros(self.m, dtype=bool)
        is_ex[self.ex] = True
        for q, cy in enumerate(self.cycles):
            if not self.possible[q] or self.f[q] <= 0:
                continue
            if formulation == "arc-cover":
                sets = _arc_sets(cy, self.rng) or []
                for s in sets:
                    s = s[self.allowed[s] | is_ex[s]]
                    if not is_ex[s].any():  # an existing station already covers the arc
                        rows.append((q, s))
            else:
                on = np.unique(cy.sites[cy.sites >= 0])
                on = on[self.usable[on]]
                if on.size > _MAX_PATH_CANDIDATES:
                    msg = (
                        f"path {q} has {on.size} candidate nodes, too many to enumerate "
                        f"combinations (limit {_MAX_PATH_CANDIDATES}); use formulation='arc-cover'"
                    )
                    raise SpecificationError(msg)
                combos = _combos(cy, on, self.usable, self.rng)
                rows.extend((q, np.asarray([k for k in h if not is_ex[k]])) for h in combos)
        self.rows = rows
        self.nnz = sum(s.size + 1 for _, s in rows)
        # arc rows for the heuristic (whatever the formulation): arcs x sites, and paths x arcs
        arcs = rows
        if formulation != "arc-cover":
            arcs = []
            for q, cy in enumerate(self.cycles):
                if self.possible[q] and self.f[q] > 0:
                    for a in _arc_sets(cy, self.rng) or []:
                        a = a[self.allowed[a] | is_ex[a]]
                        if not is_ex[a].any():
                            arcs.append((q, a))
        na = len(arcs)
        sizes = np.array([a.size for _, a in arcs], dtype=np.int64)
        cols = np.concatenate([a for _, a in arcs]) if na else np.zeros(0, np.int64)
        self.arc_site = sp.csr_array(
            (np.ones(cols.size), (np.repeat(np.arange(na), sizes), cols)), shape=(na, self.m)
        )
        owner = np.array([q for q, _ in arcs], dtype=np.int64)
        self.path_arc = sp.csr_array(
            (np.ones(na), (owner, np.arange(na))), shape=(len(self.cycles), na)
        )
        self.arcs_per_path = np.bincount(owner, minlength=len(self.cycles))
        self.live = self.possible & (self.f > 0)

    def refuelled(self, chosen: np.ndarray) -> np.ndarray:
        is_open = np.zeros(self.m, dtype=bool)
        is_open[chosen] = True
        is_open[self.ex] = True
        return np.array([_refuelled(cy, is_open, self.rng) for cy in self.cycles], dtype=bool)

    def _open(self, chosen: np.ndarray) -> np.ndarray:
        o = np.zeros(self.m)
        o[np.asarray(chosen, dtype=np.int64)] = 1.0
        return o

    def _uncovered(self, chosen: np.ndarray) -> np.ndarray:
        return (self.arc_site @ self._open(chosen)) <= 0

    def _fast_value(self, unc: np.ndarray) -> float:
        left = self.path_arc @ unc.astype(np.float64)
        return float(self.f[self.live & (left == 0)].sum())

    def value(self, chosen: np.ndarray) -> float:
        return float(self.f[self.refuelled(chosen)].sum())

    def _gains(self, unc: np.ndarray, partial: bool) -> np.ndarray:
        """Per site, the flow its opening completes (plus half the flow share of arcs it covers)."""
        pa = self.path_arc
        # paths x uncovered arcs (the covered ones dropped), times arcs x sites
        keep = unc[pa.indices]
        open_arcs = sp.csr_array(
            (pa.data[keep], pa.indices[keep], np.r_[0, np.cumsum(keep)][pa.indptr]), shape=pa.shape
        )
        need = open_arcs @ np.ones(pa.shape[1])  # uncovered arcs per path
        hit = sp.csr_array(open_arcs @ self.arc_site)
        q = np.repeat(np.arange(hit.shape[0]), np.diff(hit.indptr))
        j, k = hit.indices, hit.data
        done = self.live[q] & (need[q] > 0) & (k >= need[q] - 1e-9)
        g = np.bincount(j[done], weights=self.f[q[done]], minlength=self.m).astype(np.float64)
        if partial:
            share = k / np.maximum(self.arcs_per_path[q], 1)
            g += 0.5 * np.bincount(j, weights=self.f[q] * share * ~done, minlength=self.m)
        return g

    def _room(self, chosen: np.ndarray) -> np.ndarray:
        ok = self.allowed.copy()
        ok[self.ex] = False
        ok[np.asarray(chosen, dtype=np.int64)] = False
        if self.p is not None and chosen.size + 1 > self.p:
            ok[:] = False
        if self.budget is not None:
            spent = float(self.c[np.asarray(chosen, dtype=np.int64)].sum())
            ok &= spent + self.c <= self.budget * (1 + 1e-12) + 1e-9
        return ok

    def greedy(self, deadline: float) -> np.ndarray:
        """Add the station completing the most flow (or getting closest) while allowed."""
        chosen = np.asarray(self.req, dtype=np.int64)
        while time.perf_counter() < deadline:
            ok = self._room(chosen)
            if not ok.any():
                break
            g = self._gains(self._uncovered(chosen), partial=True)
            if self.budget is not None and self.p is None:
                g = g / np.maximum(self.c, 1e-12)
            g[~ok] = -1.0
            j = int(np.argmax(g))
            if g[j] <= 1e-12:
                break
            chosen = np.sort(np.append(chosen, j))
        return chosen

    def local_search(self, chosen: np.ndarray, deadline: float) -> np.ndarray:
        """Swap one non-required station for the best other while the refuelled flow rises."""
        value = self._fast_value(self._uncovered(chosen))
        fixed = set(self.req.tolist())
        improved = True
        while improved and time.perf_counter() < deadline:
            improved = False
            for r in [j for j in chosen.tolist() if j not in fixed]:
                if time.perf_counter() > deadline:
                    break
                rest = chosen[chosen != r]
                unc = self._uncovered(rest)
                ok = self._room(rest)
                ok[r] = False
                if not ok.any():
                    continue
                g = self._gains(unc, partial=False)
                g[~ok] = -1.0
                j = int(np.argmax(g))
                base = self._fast_value(unc)
                if base + g[j] > value + 1e-9:
                    chosen = np.sort(np.append(rest, j))
                    value = base + float(g[j])
                    improved = True
                    break
        return chosen

    def milp(self, *, relax: bool, start: np.ndarray | None, deadline: float) -> Any:
        live = np.flatnonzero(self.possible & (self.f > 0))
        ypos = np.full(len(self.cycles), -1)
        ypos[live] = np.arange(live.size)
        m, ny = self.m, live.size
        if self.formulation == "arc-cover":
            # y_q - sum_{k in S_a} x_k <= 0
            r_i, c_i, v_i = [], [], []
            for r, (q, s) in enumerate(self.rows):
                r_i += [r] * (s.size + 1)
                c_i += [m + int(ypos[q]), *s.tolist()]
                v_i += [1.0] + [-1.0] * s.size
            nv = 0
            a = sp.csr_array((v_i, (r_i, c_i)), shape=(len(self.rows), m + ny))
            lo, hi = np.full(len(self.rows), -np.inf), np.zeros(len(self.rows))
        else:
            # combinations h: v_h - x_k <= 0 (k in h), y_q - sum_h v_h <= 0
            nv = len(self.rows)
            r_i, c_i, v_i = [], [], []
            r = 0
            for h, (_, s) in enumerate(self.rows):
                for k in s.tolist():
                    r_i += [r, r]
                    c_i += [m + ny + h, k]
                    v_i += [1.0, -1.0]
                    r += 1
            by_path: dict[int, list[int]] = {}
            for h, (q, _) in enumerate(self.rows):
                by_path.setdefault(q, []).append(h)
            for q in live.tolist():
                hs = by_path.get(q, [])
                r_i += [r] * (len(hs) + 1)
                c_i += [m + int(ypos[q])] + [m + ny + h for h in hs]
                v_i += [1.0] + [-1.0] * len(hs)
                r += 1
            a = sp.csr_array((v_i, (r_i, c_i)), shape=(r, m + ny + nv))
            lo, hi = np.full(r, -np.inf), np.zeros(r)
        width = m + ny + nv
        extra_a, extra_lo, extra_hi = [], [], []
        counted = np.zeros(width)
        counted[:m] = 1.0
        counted[self.ex] = 0.0
        if self.p is not None:
            extra_a.append(counted[None, :])
            extra_lo.append(-np.inf)
            extra_hi.append(float(self.p))
        if self.budget is not None:
            row = np.zeros(width)
            row[:m] = self.c
            row[self.ex] = 0.0
            extra_a.append(row[None, :])
            extra_lo.append(-np.inf)
            extra_hi.append(self.budget * (1 + 1e-12) + 1e-9)
        if extra_a:
            a = sp.vstack([a, sp.csr_array(np.vstack(extra_a))], format="csr")
            lo = np.concatenate([lo, extra_lo])
            hi = np.concatenate([hi, extra_hi])
        obj = np.zeros(width)
        obj[m : m + ny] = self.f[live]
        col_lo = np.zeros(width)
        col_lo[self.req] = 1.0
        col_lo[self.ex] = 1.0
        col_hi = np.ones(width)
        col_hi[:m][~self.allowed] = 0.0
        col_hi[self.ex] = 1.0
        left = None if not math.isfinite(deadline) else max(deadline - time.perf_counter(), 0.0)
        if relax:
            return solve_milp(
                obj, a, lo, hi, col_lower=col_lo, col_upper=col_hi, sense="max", time_limit=left
            )
        x0 = None
        if start is not None:
            x0 = np.zeros(width)
            x0[start] = 1.0
            x0[self.ex] = 1.0
            x0[m : m + ny] = self.refuelled(start)[live]
            if nv:
                is_open = x0[:m] > 0.5
                x0[m + ny :] = [float(is_open[s].all()) for _, s in self.rows]
        integrality = np.zeros(width)
        integrality[:m] = 1.0
        return solve_milp_checked(
            obj,
            a,
            lo,
            hi,
            col_lower=col_lo,
            col_upper=col_hi,
            integrality=integrality,
            sense="max",
            time_limit=left,
            start=x0,
            # HiGHS presolve, which the deadline cannot stop, ran 60 s on 1,600 nodes
            options=None if left is None or a.nnz < _PRESOLVE_MAX_NNZ else PRESOLVE_OFF,
        )

    def decode(self, x: np.ndarray) -> np.ndarray:
        pick = np.flatnonzero(x[: self.m] > 0.5)
        return np.sort(pick[~np.isin(pick, self.ex)]).astype(np.int64)
