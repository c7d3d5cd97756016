"""Exact MCLP: the reduced model as a MILP on HiGHS, LP-guided and LNS incumbents.

:func:`_exact` proves (or bounds) the optimum of a reduced maximal covering
model: LP bound and reduced-cost fixing against the heuristic incumbent, an
LP-guided refill, a large-neighbourhood search with exact repair when the LP
gap is wide, and the MILP over the fixed model.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._greedy import CoverState, lazy_greedy, reset_to, swap_search
from ._highs import build_model, run_model


@dataclass
class _Reduced:
    """The reduced model and how to map it back."""

    matrix: sp.csr_array
    weights: np.ndarray
    costs: np.ndarray | None
    cols: np.ndarray
    p: int | None
    budget: float | None
    stats: dict[str, Any] = field(default_factory=dict)


class _Model:
    """The MILP ``max w @ y`` s.t. ``y_i <= sum_j a_ij x_j``, site limits, as a HiGHS model."""

    def __init__(self, red: _Reduced, *, integer: bool) -> None:
        a, w = red.matrix, red.weights
        n, m = a.shape
        self.n, self.m = n, m
        ai = sp.csr_array(a, dtype=np.float64)
        blocks = [sp.hstack([-ai, sp.eye_array(n, format="csr")], format="csr")]
        lower = [np.full(n, -np.inf)]
        upper = [np.zeros(n)]
        self.p_row = self.budget_row = -1
        if red.p is not None:
            self.p_row = n
            blocks.append(sp.csr_array(np.r_[np.ones(m), np.zeros(n)][None, :]))
            lower.append(np.array([-np.inf]))
            upper.append(np.array([float(red.p)]))
        if red.budget is not None:
            assert red.costs is not None
            self.budget_row = n + len(blocks) - 1
            blocks.append(sp.csr_array(np.r_[red.costs, np.zeros(n)][None, :]))
            lower.append(np.array([-np.inf]))
            upper.append(np.array([red.budget]))
        self.col_lower = np.zeros(m + n)
        self.col_upper = np.ones(m + n)
        self.highs = build_model(
            np.r_[np.zeros(m), w],
            sp.vstack(blocks, format="csr"),
            np.concatenate(lower),
            np.concatenate(upper),
            col_lower=self.col_lower,
            col_upper=self.col_upper,
            integrality=np.r_[np.ones(m), np.zeros(n)] if integer else None,
            sense="max",
        )

    def limits(self, red: _Reduced) -> None:
        """Set the site-count and budget limits to those of ``red``."""
        if self.p_row >= 0 and red.p is not None:
            self.highs.changeRowBounds(self.p_row, -np.inf, float(red.p))
        if self.budget_row >= 0 and red.budget is not None:
            self.highs.changeRowBounds(self.budget_row, -np.inf, float(red.budget))

    def fix(self, lower: np.ndarray, upper: np.ndarray) -> None:
        """Change the bounds of every column (x then y)."""
        idx = np.arange(self.m + self.n, dtype=np.int32)
        self.highs.changeColsBounds(idx.size, idx, lower, upper)

    def start(self, state: CoverState) -> np.ndarray:
        """Return the column vector of a cover state."""
        return np.r_[state.chosen.astype(np.float64), (state.count > 0).astype(np.float64)]


_LNS_GAP = 1e-3
"""Relative LP gap above which the exact solver first runs the neighbourhood search."""


_LNS_SECONDS = 20.0
"""Time for the neighbourhood search when no time limit is given."""


_LNS_SHARE = 0.6
"""Share of the time left that the neighbourhood search may use before the last MILP."""


_BRIEF_LP_SHARE = 0.1
"""The first, brief MILP attempt is skipped when the LP took more than this share of it."""


_FIRST_MILP_SECONDS = 10.0
"""Time for the first, short MILP attempt on a wide LP gap when no time limit is given."""


_LNS_STALL = 60
"""Neighbourhood-search rounds without improvement before it gives up."""


_LP_OPTIONS = {"solver": "simplex", "simplex_strategy": 4}
"""Primal simplex: far faster than dual simplex on these degenerate covering LPs."""


_LARGE_NNZ = 30_000
"""Reduced models with at least this many coverage entries use :data:`_LARGE_LP_OPTIONS`
and, after the search, :data:`_SEARCHED_MIP_OPTIONS` (on smaller ones, such as the
São José dos Campos files, the defaults proved sooner: 7-9 s against 20-31 s)."""


_LARGE_LP_OPTIONS = {"solver": "ipm"}
"""Interior point with crossover for the first LP of a large model: on 2,700-site
city models it took 0.6 s where primal simplex took 1.5-3.4 s, and its vertex
fixed more sites by reduced cost (431 against 321 on NewYork p = 60)."""


_LP_WARM_OPTIONS = _LP_OPTIONS
"""Primal simplex from the previous basis for the LPs that follow a first one (named
again because a large model's first LP leaves the interior-point solver set)."""


_MIP_OPTIONS: dict[str, Any] = {}
"""HiGHS defaults for the MILP: after fixing, node LPs warm-start best with dual simplex."""


_SEARCHED_MIP_OPTIONS: dict[str, Any] = {
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_allow_restart": False,
}
"""MILP options after the iterated local search, which gives a strong start: a
proof, not a search. HiGHS's own primal heuristics (sub-MIPs at the root) took
about a third of the root time on 2,700-site city models (NewYork p = 60 with the
optimum as start: 43 s to prove with them, 30 s without); a heuristic effort of 0
still leaves its RINS, RENS and root reduced-cost sub-MIPs (10 s at the root of
NewYork p = 70), and the restart after the root cuts (2 % of the sites fixed)
doubled the tree there: from the optimum as start, p = 70 was proven in 52-57 s
and 495 nodes without them, against 150 s and 1,660 nodes with them."""


def _lp_guided(
    red: _Reduced, state: CoverState, x: np.ndarray, time_limit: float | None = None
) -> float:
    """Try a solution built from the LP's sites; keep it in ``state`` if better.

    Returns the value of the solution left in ``state``.
    """
    before = np.flatnonzero(state.chosen)
    value = state.value
    reset_to(state, np.zeros(0, dtype=np.int64))
    support = x > 1e-6
    lazy_greedy(state, p=red.p, costs=red.costs, budget=red.budget, allowed=support)
    lazy_greedy(state, p=red.p, costs=red.costs, budget=red.budget)
    swap_search(state, costs=red.costs, budget=red.budget, time_limit=time_limit)
    if state.value <= value:
        reset_to(state, before)
    return state.value


def _lns(
    red: _Reduced,
    state: CoverState,
    time_limit: float,
    info: dict[str, Any],
    seed: int = 0,
    model: _Model | None = None,
) -> float:
    """Improve ``state`` by large-neighbourhood search with exact repair.

    Each round picks a few chosen sites close to each other, frees them and
    every site whose coverage overlaps theirs, fixes all other sites to the
    incumbent, and solves that small MILP on HiGHS (one model, only column
    bounds change between rounds). Keeps the best solution in ``state`` and
    returns its value.
    """
    t0 = time.perf_counter()
    n, m = red.matrix.shape
    if m == 0 or not state.chosen.any():
        return state.value
    rng = np.random.default_rng(seed)
    model = _Model(red, integer=True) if model is None else model
    best = np.flatnonzero(state.chosen)
    best_value = state.value
    y_lower, y_upper = np.zeros(n), np.ones(n)
    rounds = improved = stall = 0
    while stall < _LNS_STALL:
        left = time_limit - (time.perf_counter() - t0)
        if left <= 0.05:
            break
        rounds += 1
        centre = int(rng.choice(best))
        k = int(rng.integers(3, 9))
        group = _near_chosen(state, centre, k)
        free = _overlapping(state, group)
        lo = np.zeros(m)
        lo[best] = 1.0
        up = lo.copy()
        lo[free] = 0.0
        up[free] = 1.0
        model.fix(np.r_[lo, y_lower], np.r_[up, y_upper])
        res = run_model(model.highs, time_limit=min(left, 5.0), start=model.start(state))
        if res.x is None:
            continue
        reset_to(state, np.flatnonzero(res.x[:m] > 0.5))
        if state.value > best_value + 1e-9 * max(1.0, abs(best_value)):
            best_value = state.value
            best = np.flatnonzero(state.chosen)
            improved += 1
            stall = 0
        else:
            stall += 1
            reset_to(state, best)
    info["lns_rounds"] = rounds
    info["lns_improved"] = improved
    return state.value


def _merge(
    red: _Reduced,
    state: CoverState,
    elite: list[np.ndarray],
    time_limit: float,
    info: dict[str, Any],
    model: _Model,
) -> float:
    """Improve ``state`` by the best solution made of the sites of some good solutions.

    Sites in every solution are fixed in, sites in none fixed out, and the
    small MILP over the rest is solved on HiGHS (solution merging). Keeps
    the better solution in ``state`` and returns its value.
    """
    n, m = red.matrix.shape
    sets = [np.asarray(c, dtype=np.int64) for c in elite] + [np.flatnonzero(state.chosen)]
    union = np.unique(np.concatenate(sets))
    common = sets[0]
    for c in sets[1:]:
        common = np.intersect1d(common, c)
    lo, up = np.zeros(m), np.zeros(m)
    up[union] = 1.0
    lo[common] = 1.0
    model.fix(np.r_[lo, np.zeros(n)], np.r_[up, np.ones(n)])
    res = run_model(model.highs, time_limit=time_limit, start=model.start(state))
    info["merge_free_sites"] = int(union.size - common.size)
    before, value = np.flatnonzero(state.chosen), state.value
    if res.x is not None:
        reset_to(state, np.flatnonzero(res.x[:m] > 0.5))
        if state.value <= value:
            reset_to(state, before)
    info["merge_value"] = state.value
    return state.value


def _near_chosen(state: CoverState, j: int, k: int) -> np.ndarray:
    """Return ``j`` and up to ``k - 1`` chosen sites whose coverage is near ``j``'s."""
    near = _overlapping(state, np.array([j]))
    close = _overlapping(state, near)
    mine = close[state.chosen[close] & (close != j)]
    return np.r_[j, mine[: max(k - 1, 0)]].astype(np.int64)


def _overlapping(state: CoverState, cols: np.ndarray) -> np.ndarray:
    """Return the sites that cover at least one row covered by ``cols``."""
    csc, csr = state.csc, state.csr
    rows = np.unique(np.concatenate([csc.indices[csc.indptr[j] : csc.indptr[j + 1]] for j in cols]))
    if rows.size == 0:
        return np.asarray(cols, dtype=np.int64)
    found = np.concatenate([csr.indices[csr.indptr[i] : csr.indptr[i + 1]] for i in rows])
    return np.unique(np.r_[found, cols]).astype(np.int64)


def _consistent(red: _Reduced, x: np.ndarray, objective: float) -> bool:
    """Return whether a MILP solution's own value matches the reported objective."""
    m = red.matrix.shape[1]
    value = float(red.weights @ x[m:])
    return abs(value - objective) <= 1e-6 * max(1.0, abs(objective))


@dataclass
class _Models:
    """LP and MILP models kept across solves that differ only in their limits."""

    lp: _Model | None = None
    mip: _Model | None = None


def _exact(
    red: _Reduced,
    state: CoverState,
    time_limit: float | None,
    bound: float,
    info: dict[str, Any],
    models: _Models | None = None,
) -> tuple[np.ndarray, float, float, str]:
    """Solve the reduced model exactly: LP bound, reduced-cost fixing, then the MILP.

    The LP relaxation gives a bound ``z`` and reduced costs ``d``; with the
    heuristic value ``lb``, a site whose reduced cost says that switching it
    (on, or off) cannot lead above ``lb`` is fixed, and likewise demand rows.
    Any solution better than ``lb`` satisfies the fixings, so the MILP over
    the fixed model proves the optimum of the whole model.
    """
    t0 = time.perf_counter()
    n, m = red.matrix.shape
    incumbent = np.flatnonzero(state.chosen)
    lb = state.value
    tol = 1e-9 * max(1.0, abs(lb))
    models = _Models() if models is None else models

    def left() -> float | None:
        return None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.0)

    # building a HiGHS model takes about a second per million coverage entries
    build = (red.matrix.nnz + n + m) / 1e6
    rest = left()
    if models.lp is None and rest is not None and rest < 2.0 * build:
        return incumbent, lb, max(lb, bound), "time_limit"
    if models.lp is None:
        models.lp = _Model(red, integer=False)
        large = red.matrix.nnz >= _LARGE_NNZ
        lp_options: dict[str, Any] = _LARGE_LP_OPTIONS if large else _LP_OPTIONS
    else:
        lp_options = _LP_WARM_OPTIONS  # warm start from the previous basis
    models.lp.limits(red)
    lp = run_model(models.lp.highs, time_limit=left(), options=lp_options)
    info["lp_seconds"] = lp.seconds
    lp_ok = lp.status == "optimal" and lp.x is not None and lp.col_dual is not None
    z, lz = math.inf, math.inf
    x = d = np.zeros(m + n)
    integral = bool(np.all(red.weights == np.round(red.weights)))
    # With integer weights every objective value is an integer: the LP bound
    # rounds down, and a fixing may keep solutions that only tie the incumbent.
    slack = 1.0 - 1e-6 if integral else -1e-9 * max(1.0, abs(lb))
    if lp_ok:
        assert lp.x is not None and lp.col_dual is not None
        x, d, lz = lp.x, lp.col_dual, lp.objective
        info["lp_bound"] = lz
        z = float(np.floor(lz + 1e-6)) if integral else lz
        bound = min(bound, max(z, lb))
        # LP-guided incumbent: refill from the sites the LP uses, then swap.
        rest = left()
        guided = _lp_guided(red, state, x[:m], None if rest is None else 0.2 * rest)
        if guided > lb:
            lb, incumbent = guided, np.flatnonzero(state.chosen)
            info["lp_guided_value"] = guided

    def closed() -> bool:
        return lp_ok and (z - lb <= max(tol, 1e-6) or (integral and z <= lb))

    def fixings() -> tuple[np.ndarray, np.ndarray]:
        lower, upper = np.zeros(m + n), np.ones(m + n)
        if lp_ok:
            at0 = (x <= 1e-9) & (lz + d < lb + slack)
            at1 = (x >= 1 - 1e-9) & (lz - d < lb + slack)
            upper[at0] = 0.0
            lower[at1] = 1.0
            info["lp_fixed_sites"] = int(at0[:m].sum() + at1[:m].sum())
            info["lp_fixed_rows"] = int(at0[m:].sum() + at1[m:].sum())
        return lower, upper

    # A wide LP gap means a hard MILP: try it briefly, then search hard for a
    # strong incumbent (which also fixes more sites), then run it again.
    wide = not lp_ok or z - lb > _LNS_GAP * max(abs(lb), 1.0)
    rest = left()
    if models.mip is None and rest is not None and rest < 2.0 * build:
        return incumbent, lb, max(lb, min(bound, z)), "time_limit"
    if models.mip is None:
        models.mip = _Model(red, integer=True)
    model = models.mip
    model.limits(red)
    searched = red.p is not None and red.budget is None and red.costs is None
    searched = searched and red.matrix.nnz >= _LARGE_NNZ
    mip_options = _SEARCHED_MIP_OPTIONS if searched else _MIP_OPTIONS
    bound_mip = math.inf
    for phase in (0, 1) if wide else (1,):
        if closed():
            return incumbent, lb, max(lb, min(bound, z)), "optimal"
        if phase == 1 and wide:
            rest = left()
            spend = _LNS_SECONDS if rest is None else _LNS_SHARE * rest
            if spend > 0:
                value = _lns(red, state, spend, info, model=model)
                if value > lb:
                    lb, incumbent = value, np.flatnonzero(state.chosen)
                    info["lns_value"] = value
            if closed():
                return incumbent, lb, max(lb, min(bound, z)), "optimal"
        rest = left()
        if rest is not None and rest <= 0:
            break
        limit = rest
        if phase == 0:
            limit = _FIRST_MILP_SECONDS if rest is None else min(rest, 0.1 * rest + 1.0)
            if limit is not None and lp.seconds > _BRIEF_LP_SHARE * limit:
                # HiGHS's root (its LP, cuts, restarts) would not end in the
                # brief attempt: keep the time for the neighbourhood search and
                # the last MILP
                continue
        lower, upper = fixings()
        model.fix(lower, upper)
        res = run_model(
            model.highs, time_limit=limit, start=model.start(state), options=mip_options
        )
        if res.x is not None and not _consistent(red, res.x, res.objective):
            # HiGHS (1.16) can report an objective its own solution does not
            # reach (seen after presolve on fixed models); solve once more on a
            # fresh model without presolve
            info["milp_rebuilt"] = True
            model = models.mip = _Model(red, integer=True)
            model.limits(red)
            model.fix(lower, upper)
            rest = left()
            res = run_model(
                model.highs,
                time_limit=rest if limit is None or rest is None else min(limit, rest),
                start=model.start(state),
                options={**mip_options, "presolve": "off"},
            )
            if res.x is not None and not _consistent(red, res.x, res.objective):
                # trust neither its claim nor its bound
                res = replace(res, status="error", bound=math.inf)
        info["milp_nodes"] = info.get("milp_nodes", 0) + res.nodes
        info["milp_seconds"] = info.get("milp_seconds", 0.0) + res.seconds
        info["milp_status"] = res.status
        if res.x is not None:
            reset_to(state, np.flatnonzero(res.x[:m] > 0.5))
            if state.value > lb:
                lb, incumbent = state.value, np.flatnonzero(state.chosen)
            reset_to(state, incumbent)
        if res.status == "infeasible":
            # no solution satisfies the fixings: none beats the incumbent
            return incumbent, lb, max(lb, min(bound, lb)), "optimal"
        if res.status == "optimal":
            return incumbent, lb, max(lb, min(bound, max(res.bound, lb))), "optimal"
        bound_mip = min(bound_mip, max(res.bound, lb))
    return incumbent, lb, max(lb, min(bound, bound_mip)), "time_limit"
