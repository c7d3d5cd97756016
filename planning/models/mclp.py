"""Maximal covering location: cover the most demand weight with p new sites.

:func:`solve_mclp` takes a boolean coverage matrix (rows = demand, columns =
candidate sites, e.g. from :func:`planning.coverage_matrix`) and demand
weights, and chooses at most ``p`` new sites, or sites whose costs fit a
budget, to maximise the covered weight. Demand already covered by existing
sites counts as covered; required sites are always chosen and forbidden ones
never.

Before solving, the model is reduced without changing its optimum: demand
already covered or coverable by no allowed site is set aside, demand points
with identical sets of covering sites are merged (weights summed), and
candidate sites whose coverage is contained in a no-more-expensive site's
are dropped. The reduced model is solved by a lazy greedy and, with a site
count, an iterated local search over exactly evaluated swaps
(:mod:`planning.models._mclp_ils`; a swap and perturbation search with a
budget; under a time limit a long search gets a second one in a helper process
when a core is spare, :mod:`planning.models._search_worker`), with a valid
upper bound (greedy-gain, dual-ascent and subgradient Lagrangian bounds), so
the answer always has a gap; then, when asked for or affordable, exactly as
a MILP on HiGHS started from the heuristic solution.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import scipy.sparse as sp

from ._args import (
    check_method,
    coverage_input,
    demand_vector,
    site_indices,
    site_vector,
    whole_number,
)
from ._cover_bounds import coverage_bound, lagrangian_bound, threshold_bound
from ._errors import SpecificationError
from ._greedy import (
    CoverState,
    lazy_greedy,
    perturbed_search,
    reset_to,
    swap_search,
)
from ._mclp_exact import _exact, _merge, _Model, _Models, _Reduced
from ._mclp_ils import MAX_DENSE, iterated_swap_search
from ._reduce import as_coverage, dominated_columns, merge_identical_rows
from ._search_worker import paired_search
from .solution import Solution, Status, relative_gap

Method = Literal["auto", "exact", "heuristic"]

_AUTO_EXACT_NNZ = 600_000
"""Largest reduced model (coverage entries) ``method="auto"`` hands to the MILP."""

_HEURISTIC_SECONDS = 0.5
"""Default time for the swap and perturbation phases of the heuristic."""

_PERTURB_NNZ = 5_000_000
"""Largest reduced model (coverage entries) the perturbation search runs on."""

_SEARCH_SHARE = 0.35
"""Share of a time limit the iterated local search may use before the exact phase."""

_MERGE_SHARE = 0.15
"""Share of the time left that solution merging may use."""

_MERGE_SECONDS = 10.0
"""Most seconds solution merging may use."""

_SMALL_SEARCH = 50_000
"""Largest ``columns x p`` for which the iterated local search is kept short."""

_SEARCH_RESTARTS = 3
"""Restarts of the iterated local search after it stalls, on models with fewer than
:data:`_LONG_SEARCH_COLUMNS` sites (the MILP soon proves those; the bests of the
runs join the elite for solution merging)."""

_LONG_SEARCH_COLUMNS = 1_000
"""Sites of a reduced model from which the search, followed by an exact phase, keeps
restarting for its whole share of the time (city-sized models: on the NewYork
instances this found better values at p = 70, 80; on the São José dos Campos ones,
500-600 sites after reduction, it only delayed the proofs)."""

_SEARCH_RESTARTS_ALONE = 1_000
"""Restarts of the search when no exact phase follows (it then runs for its whole time)."""

_BOUND_SECONDS_PER_ENTRY = 2e-8
"""About the time one round of a bound's sparse products takes, per coverage entry."""

_SEARCH_STALL = 200
"""Iterations without a new best after which the iterated local search stops."""

_SEARCH_KAPPA = (0.5, 1.0)
"""Acceptance values of the iterated local search, used in turn: close to the best,
then as far as the mean of recent local optima."""

_SEARCH_KAPPA_EPOCH = 100
"""Iterations without a new best after which the search moves to its next acceptance."""


@dataclass
class _Spec:
    """A checked specification on the original indices."""

    a: sp.csr_array
    w: np.ndarray
    p: int | None
    costs: np.ndarray | None
    budget: float | None
    pre_covered: np.ndarray
    existing_cover: np.ndarray
    required: np.ndarray
    free: np.ndarray


def solve_mclp(
    coverage: sp.sparray | sp.spmatrix | np.ndarray,
    weights: np.ndarray | None,
    p: int | None,
    *,
    costs: np.ndarray | None = None,
    budget: float | None = None,
    existing: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Choose sites that cover the most demand weight.

    Parameters
    ----------
    coverage
        Boolean matrix (demand x candidate sites), True where the site covers
        the demand point; scipy sparse (CSR preferred) or dense.
    weights
        Demand weight per row (non-negative), or None for 1 each.
    p
        Largest number of sites to choose (required ones included), or None
        when only a budget limits the choice. Sites that would add no
        coverage are not proposed, so fewer than ``p`` may be chosen.
    costs
        Cost per candidate site (non-negative); needed with ``budget``.
    budget
        Largest total cost of the chosen sites (required ones included).
    existing
        Coverage that already exists, as either a boolean mask with one
        value per demand point (True = already covered), or an integer array
        of column indices of sites that are already built. Already-covered
        demand counts towards the objective; existing sites are never
        proposed again and do not count towards ``p`` or the budget.
    required
        Column indices (or a boolean mask over columns) of sites that must be
        chosen.
    forbidden
        Column indices (or a boolean mask over columns) of sites that must
        not be chosen.
    method
        ``"exact"`` (MILP on HiGHS, started from the heuristic solution),
        ``"heuristic"`` (lazy greedy, swap and perturbation search with an
        upper bound), or ``"auto"`` (the heuristic, then the MILP when the
        reduced model is small enough, within the time limit).
    time_limit
        Seconds to spend at most (roughly, excluding checks and reductions),
        or None. When it runs out the best solution found is returned with
        its gap and status ``"time_limit"``.

    Returns
    -------
    Solution
        ``objective`` is the covered weight (existing coverage included),
        ``bound`` an upper bound on the best possible covered weight,
        ``covered`` a per-demand mask, ``marginal`` the weight each chosen
        site alone covers, and ``details`` holds ``covered_weight``,
        ``total_weight``, ``existing_weight`` (covered before any new site),
        ``uncoverable_weight`` (coverable by no allowed site),
        ``sites`` and the reduction statistics.

    Raises
    ------
    SpecificationError
        If the specification cannot be met (more required sites than ``p``,
        required sites over budget, a site both required and forbidden, a
        budget without costs, ...).
    ValueError
        If the arrays have the wrong shapes or invalid values.
    """
    t0 = time.perf_counter()
    check_method(method)
    if time_limit is not None and not (time_limit >= 0):
        msg = f"time_limit must be a non-negative number of seconds or None; got {time_limit!r}"
        raise ValueError(msg)
    spec = _check(coverage, weights, p, costs, budget, existing, required, forbidden)
    red = _reduce(spec)
    chosen, bound, status, info = _solve_reduced(red, method, time_limit, t0)
    selected = np.union1d(spec.required, red.cols[chosen]).astype(np.int64)
    return _solution(spec, red, selected, bound, status, info, t0)


def _check(
    coverage: Any,
    weights: Any,
    p: Any,
    costs: Any,
    budget: Any,
    existing: Any,
    required: Any,
    forbidden: Any,
) -> _Spec:
    a = coverage_input(coverage)
    n, m = a.shape
    w = demand_vector(weights, n, "weights", default=1.0, m=m, what="demand row")
    if p is None and budget is None:
        msg = "give p (the number of sites) or costs and a budget"
        raise SpecificationError(msg)
    if p is not None:
        p = whole_number(p, "p")
    c = None if costs is None else site_vector(costs, m, "costs", n=n)
    if budget is not None:
        if c is None:
            msg = "budget needs costs: pass one cost per candidate site"
            raise SpecificationError(msg)
        budget = float(budget)
        if not math.isfinite(budget) or budget < 0:
            msg = f"budget must be a finite non-negative number; got {budget!r}"
            raise SpecificationError(msg)
    elif c is not None:
        msg = "costs were given without a budget: pass budget=... (or drop costs)"
        raise SpecificationError(msg)
    req = site_indices(required, m, "required")
    forb = site_indices(forbidden, m, "forbidden")
    pre_covered = np.zeros(n, dtype=bool)
    existing_cols = np.zeros(0, dtype=np.int64)
    if existing is not None:
        ex = np.asarray(existing)
        if ex.dtype == bool:
            if ex.shape != (n,):
                msg = (
                    f"existing as a boolean mask must have one value per demand row ({n}); "
                    f"got shape {ex.shape}. Pass integer column indices for existing sites"
                )
                if ex.shape == (m,) and m != n:
                    msg += " (a mask with one value per site is not accepted)"
                raise ValueError(msg)
            pre_covered |= ex
        else:
            existing_cols = site_indices(ex, m, "existing")
    both = np.intersect1d(req, forb)
    if both.size:
        msg = f"sites {both[:10].tolist()} are both required and forbidden"
        raise SpecificationError(msg)
    both = np.intersect1d(req, existing_cols)
    if both.size:
        msg = f"sites {both[:10].tolist()} are both existing and required; list them only once"
        raise SpecificationError(msg)
    if p is not None and req.size > p:
        msg = f"{req.size} sites are required but p is {p}: raise p to at least {req.size}"
        raise SpecificationError(msg)
    if budget is not None:
        assert c is not None
        need = float(c[req].sum())
        if need > budget * (1 + 1e-12) + 1e-9:
            msg = (
                f"the required sites cost {need:g}, more than the budget {budget:g}: "
                f"raise the budget to at least {need:g}"
            )
            raise SpecificationError(msg)
    existing_cover = pre_covered.copy()
    if existing_cols.size:
        existing_cover |= _covered_by(a, existing_cols)
    pre = existing_cover | (_covered_by(a, req) if req.size else False)
    free = np.ones(m, dtype=bool)
    free[req] = False
    free[forb] = False
    free[existing_cols] = False
    return _Spec(
        a=a,
        w=w,
        p=p,
        costs=c,
        budget=budget,
        pre_covered=np.asarray(pre, dtype=bool),
        existing_cover=existing_cover,
        required=req,
        free=free,
    )


def _covered_by(a: sp.csr_array, cols: np.ndarray) -> np.ndarray:
    sel = np.zeros(a.shape[1], dtype=np.float64)
    sel[cols] = 1.0
    return np.asarray(a @ sel) > 0


def _reduce(spec: _Spec) -> _Reduced:
    a, w = spec.a, spec.w
    n, m = a.shape
    cols = np.flatnonzero(spec.free)
    sub = a[:, cols] if cols.size < m else a
    sub = sp.csr_array(sub)
    coverable = np.diff(sub.indptr) > 0
    active = coverable & ~spec.pre_covered & (w > 0)
    rows = np.flatnonzero(active)
    sub = as_coverage(sub[rows])
    ww = w[rows]
    costs = spec.costs[cols] if spec.costs is not None else None
    stats: dict[str, Any] = {
        "rows": n,
        "cols": m,
        "rows_active": int(rows.size),
        "cols_free": int(cols.size),
    }
    p_free = None if spec.p is None else spec.p - spec.required.size
    budget_free = None
    if spec.budget is not None:
        assert spec.costs is not None
        budget_free = max(spec.budget - float(spec.costs[spec.required].sum()), 0.0)
        if costs is not None:
            keep = costs <= budget_free + 1e-9
            if not keep.all():
                cols, sub, costs = cols[keep], sp.csr_array(sub[:, keep]), costs[keep]
    dominated_total = 0
    for _ in range(3):
        merged = merge_identical_rows(sub, ww)
        sub, ww = merged.matrix, merged.weights
        dom = dominated_columns(sub, costs)
        if dom is None or not dom.any():
            break
        dominated_total += int(dom.sum())
        keep = ~dom
        cols, sub = cols[keep], as_coverage(sub[:, keep])
        costs = costs[keep] if costs is not None else None
        nonempty = np.diff(sub.indptr) > 0
        sub, ww = sub[nonempty], ww[nonempty]
    stats.update(
        rows_reduced=int(sub.shape[0]),
        cols_reduced=int(sub.shape[1]),
        dominated_cols=dominated_total,
        nnz_reduced=int(sub.nnz),
    )
    return _Reduced(
        matrix=as_coverage(sub),
        weights=ww,
        costs=costs,
        cols=cols,
        p=p_free,
        budget=budget_free,
        stats=stats,
    )


def _solve_reduced(
    red: _Reduced, method: Method, time_limit: float | None, t0: float
) -> tuple[np.ndarray, float, str, dict[str, Any]]:
    """Return chosen reduced columns, an upper bound on their covered weight, status, info."""
    a, w = red.matrix, red.weights
    n, m = a.shape
    info: dict[str, Any] = {}
    total = float(w.sum())
    if m == 0 or n == 0 or red.p == 0:
        return np.zeros(0, dtype=np.int64), 0.0, "optimal", info

    def left() -> float | None:
        if time_limit is None:
            return None
        return max(time_limit - (time.perf_counter() - t0), 0.0)

    exact = method == "exact" or (method == "auto" and a.nnz <= _AUTO_EXACT_NNZ)
    heuristic_time = _HEURISTIC_SECONDS
    bound_time = min(0.5 * heuristic_time, 5.0)
    if time_limit is not None:
        # the search for a strong incumbent is worth a good share of a long run
        # (it stops early once it stalls); the rest goes to bounds and the MILP,
        # or, without an exact phase, mostly to the Lagrangian bound
        share = _SEARCH_SHARE if exact else 0.85
        heuristic_time = max(heuristic_time, share * time_limit)
        avail = max(time_limit - (time.perf_counter() - t0), 0.0)
        bound_time = min(0.5 * heuristic_time, 5.0) if exact else 0.12 * time_limit
        # the search leaves time for the bounds and the answer's own set-up
        reserve = min(bound_time, 0.3 * avail) + 2 * _BOUND_SECONDS_PER_ENTRY * a.nnz
        heuristic_time = min(heuristic_time, max(avail - reserve, 0.0))
    elite: list[tuple[float, np.ndarray]] = []
    long_search = not exact or red.matrix.shape[1] >= _LONG_SEARCH_COLUMNS
    restarts = _SEARCH_RESTARTS_ALONE if long_search else _SEARCH_RESTARTS
    state, bound = _heuristic(red, heuristic_time, bound_time, info, left, elite, restarts)
    value = state.value
    info["heuristic_value"] = value
    info["heuristic_bound"] = bound
    chosen = np.flatnonzero(state.chosen)
    if value >= total - 1e-9 * max(total, 1.0) or relative_gap(value, bound) <= 1e-9:
        return chosen, min(bound, total), "optimal", info
    remaining = left()
    if not exact or (remaining is not None and remaining <= 0):
        status = "time_limit" if (remaining is not None and remaining <= 0) else "feasible"
        return chosen, bound, status, info
    models = _Models()
    build = (a.nnz + n + m) / 1e6  # about the seconds a HiGHS model takes to build
    if len(elite) >= 2 and (remaining is None or remaining > 4.0 * build + 1.0):
        # solution merging: the best solution over the sites of the elite ones
        models.mip = _Model(red, integer=True)
        rest = left()
        spend = _MERGE_SECONDS if rest is None else min(_MERGE_SHARE * rest, _MERGE_SECONDS)
        _merge(red, state, [c for _, c in elite], spend, info, models.mip)
        remaining = left()
    chosen, value, bound, status = _exact(red, state, remaining, bound, info, models)
    return chosen, bound, status, info


def _heuristic(
    red: _Reduced,
    seconds: float,
    bound_seconds: float,
    info: dict[str, Any],
    left: Any,
    elite: list[tuple[float, np.ndarray]] | None = None,
    restarts: int = 0,
) -> tuple[CoverState, float]:
    """Return the best cover state found in about ``seconds`` and an upper bound.

    The Lagrangian bound gets about ``bound_seconds`` more.

    ``left`` gives the seconds left of the whole time limit (or None); the
    bounds never run past it.
    """
    a, w = red.matrix, red.weights
    t = time.perf_counter()
    state = CoverState.empty(a, w)
    trajectory = lazy_greedy(state, p=red.p, costs=red.costs, budget=red.budget)
    cardinality = red.budget is None and red.costs is None and red.p is not None
    if state.value >= float(w.sum()) * (1 - 1e-12):
        return state, state.value  # everything coverable is covered
    if cardinality and red.p is not None and red.p > 0 and a.shape[1] * red.p <= MAX_DENSE:
        rest = max(seconds - (time.perf_counter() - t), 0.0)
        small = a.shape[1] * red.p <= _SMALL_SEARCH
        if small:
            # the MILP settles small models at once: a short search is enough
            rest = min(rest, 1.0)
        options: dict[str, Any] = dict(
            max_stall=_SEARCH_STALL // 4 if small else _SEARCH_STALL,
            restarts=0 if small else restarts,
            kappa=_SEARCH_KAPPA,
            kappa_epoch=_SEARCH_KAPPA_EPOCH,
        )
        chosen = np.flatnonzero(state.chosen)
        if small or left() is None or elite is None:
            best, value, stats = iterated_swap_search(
                a, w, red.p, chosen, time_limit=rest, elite=elite, **options
            )
        else:  # a long search: a second one beside it on another core
            best, value, stats = paired_search(
                a, w, red.p, chosen, time_limit=rest, elite=elite, options=options
            )
        info["search"] = stats
        if value > state.value:
            reset_to(state, best)
    else:
        # under a limit the greedy's own time counts (a swap round's first scoring
        # is not interrupted: none is started without time left)
        rest = seconds if left() is None else max(seconds - (time.perf_counter() - t), 0.0)
        if rest > 0:
            swap_search(state, costs=red.costs, budget=red.budget, time_limit=rest)
        rest = max(seconds - (time.perf_counter() - t), 0.0)
        if rest > 0 and a.nnz <= _PERTURB_NNZ:
            perturbed_search(state, p=red.p, costs=red.costs, budget=red.budget, time_limit=rest)
    bound = coverage_bound(state, p=red.p, costs=red.costs, budget=red.budget)
    if relative_gap(state.value, bound) > 1e-9:
        # price of a site: about the last greedy gain (per unit cost with a budget)
        last = trajectory[-1] - trajectory[-2] if len(trajectory) > 1 else state.value
        if red.p is None and red.costs is not None and len(trajectory):
            spent = float(red.costs[state.chosen].sum())
            last = state.value / max(spent, 1e-12) * 0.5
        # the greedy's last gain first: usually the best price, kept when time runs short
        prices = max(last, 1e-12) * np.array([1.0, 1.4, 0.7])
        # each bound costs about a round of sparse products before it can stop: it
        # is left out when the time left does not allow for that
        least = _BOUND_SECONDS_PER_ENTRY * a.nnz
        remaining = left()
        thr, lam = math.inf, None
        if remaining is None or remaining >= 2 * least:  # the answer's set-up needs time too
            thr, lam = threshold_bound(
                a, w, p=red.p, costs=red.costs, budget=red.budget, prices=prices,
                time_limit=None if remaining is None else 0.75 * (remaining - least),
                csc=state.csc,
            )  # fmt: skip
        start = lam if lam is not None and thr < bound else np.where(state.count == 0, w, 0.0)
        budget_s = max(bound_seconds, a.nnz / 5e6)
        remaining = left()
        if remaining is not None:
            budget_s = min(budget_s, 0.5 * remaining)
        lag = math.inf
        if remaining is None or budget_s >= least:
            lag = lagrangian_bound(
                a,
                w,
                p=red.p,
                costs=red.costs,
                budget=red.budget,
                lower=state.value,
                start=start,
                iterations=3000,
                time_limit=budget_s,
                patience=40,
                first_step=2.0,
                csc=state.csc,
            )
        bound = min(bound, thr, lag)
    return state, max(bound, state.value)


def _solution(
    spec: _Spec,
    red: _Reduced,
    selected: np.ndarray,
    reduced_bound: float,
    status: str,
    info: dict[str, Any],
    t0: float,
) -> Solution:
    a, w = spec.a, spec.w
    new_cover = _covered_by(a, selected) if selected.size else np.zeros(a.shape[0], dtype=bool)
    covered = spec.existing_cover | new_cover
    objective = float(w[covered].sum())
    base = float(w[spec.pre_covered].sum())
    # never above what the allowed sites could cover at all
    coverable_weight = base + float(red.weights.sum())
    bound = max(min(base + reduced_bound, coverable_weight), objective)
    total = float(w.sum())
    count = np.asarray(a[:, selected].sum(axis=1)).ravel() if selected.size else None
    if count is not None:
        only = (count == 1) & ~spec.existing_cover
        marginal = np.asarray(a[:, selected].T @ np.where(only, w, 0.0), dtype=np.float64)
    else:
        marginal = np.zeros(0)
    coverable = np.diff(a.indptr) > 0
    allowed = np.union1d(np.flatnonzero(spec.free), spec.required)
    uncoverable = ~spec.pre_covered & ~_covered_by(a, allowed)
    gap = relative_gap(objective, bound)
    final: Status = cast(Status, status)
    if gap <= 1e-9:
        # within the optimality tolerance (a bound off by rounding): proven
        final = "optimal"
        bound, gap = objective, 0.0
    elif status == "optimal":
        final = "feasible"
    method = "greedy+swap" if "milp_status" not in info else "greedy+swap+milp"
    details = {
        "covered_weight": objective,
        "total_weight": total,
        "existing_weight": float(w[spec.existing_cover].sum()),
        "uncoverable_weight": float(w[uncoverable].sum()),
        "sites": int(selected.size),
        "coverable_rows": int(coverable.sum()),
        "reductions": red.stats,
        **info,
    }
    return Solution(
        selected=selected,
        objective=objective,
        bound=bound,
        gap=gap,
        status=final,
        seconds=time.perf_counter() - t0,
        sense="max",
        method=method,
        covered=covered,
        marginal=marginal,
        details=details,
    )
