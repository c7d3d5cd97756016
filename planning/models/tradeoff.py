"""Coverage trade-off curves: covered weight against the number of sites or the budget.

Planners ask "what does each extra site (or each extra million) buy?". The
curves here answer it for many values at once without solving each from
scratch: the model is checked and reduced once, the greedy trajectory gives a
starting solution for every value, each point's heuristic solution seeds the
next, and in exact mode one LP and one MILP model are kept and only their
site-count or budget limit changes between solves (the LP is re-solved from
the previous basis).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import mclp as _mclp
from ._args import whole_number
from ._cover_bounds import coverage_bound, lagrangian_bound
from ._greedy import (
    CoverState,
    lazy_greedy,
    reset_to,
    swap_search,
)
from ._mclp_exact import _exact, _Models
from .solution import relative_gap

CurveMethod = Literal["exact", "heuristic"]

_COLUMNS = ["objective", "bound", "gap", "status", "seconds", "sites"]


def coverage_curve(
    coverage: sp.sparray | sp.spmatrix | np.ndarray,
    weights: np.ndarray | None,
    p_values: Any,
    *,
    existing: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: CurveMethod = "exact",
    time_limit: float | None = None,
) -> pd.DataFrame:
    """Return the best covered weight for each number of sites.

    Parameters
    ----------
    coverage
        Boolean matrix (demand x candidate sites), as for
        :func:`planning.solve_mclp`.
    weights
        Demand weight per row, or None for 1 each.
    p_values
        Numbers of sites to evaluate (each at least the number of required
        sites).
    existing, required, forbidden
        As for :func:`planning.solve_mclp`.
    method
        ``"exact"`` (each point proven optimal unless the time limit stops
        it) or ``"heuristic"`` (greedy plus swaps, with an upper bound).
    time_limit
        Seconds per point, or None. The whole curve, its checks and
        reductions included, keeps within this times the number of points:
        time a point leaves goes to the next ones.

    Returns
    -------
    pandas.DataFrame
        One row per value of ``p`` (sorted), with columns ``p``,
        ``objective``, ``bound``, ``gap``, ``status``, ``seconds`` and
        ``sites`` (the chosen site indices).
    """
    started = time.perf_counter()
    values = sorted({whole_number(v, "p_values") for v in np.atleast_1d(np.asarray(p_values))})
    if not values:
        msg = "p_values must list at least one number of sites"
        raise ValueError(msg)
    spec = _mclp._check(coverage, weights, values[-1], None, None, existing, required, forbidden)
    if values[0] < spec.required.size:
        msg = (
            f"every p must be at least the {spec.required.size} required sites; got p = {values[0]}"
        )
        raise _mclp.SpecificationError(msg)
    red = _mclp._reduce(spec)
    limits = [replace(red, p=v - spec.required.size) for v in values]
    frame = _curve(spec, red, limits, method, time_limit, started)
    frame.insert(0, "p", values)
    return frame


def budget_curve(
    coverage: sp.sparray | sp.spmatrix | np.ndarray,
    weights: np.ndarray | None,
    costs: np.ndarray,
    budgets: Any,
    *,
    p: int | None = None,
    existing: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: CurveMethod = "exact",
    time_limit: float | None = None,
) -> pd.DataFrame:
    """Return the best covered weight for each budget.

    Parameters
    ----------
    coverage
        Boolean matrix (demand x candidate sites).
    weights
        Demand weight per row, or None for 1 each.
    costs
        Cost per candidate site.
    budgets
        Budgets to evaluate (each at least the cost of the required sites).
    p
        Largest number of sites at every budget, or None.
    existing, required, forbidden
        As for :func:`planning.solve_mclp`.
    method
        ``"exact"`` or ``"heuristic"``, as for :func:`coverage_curve`.
    time_limit
        Seconds per point, or None. The whole curve, its checks and
        reductions included, keeps within this times the number of points:
        time a point leaves goes to the next ones.

    Returns
    -------
    pandas.DataFrame
        One row per budget (sorted), with columns ``budget``, ``objective``,
        ``bound``, ``gap``, ``status``, ``seconds`` and ``sites``.
    """
    started = time.perf_counter()
    values = sorted({float(v) for v in np.atleast_1d(np.asarray(budgets, dtype=np.float64))})
    if not values:
        msg = "budgets must list at least one budget"
        raise ValueError(msg)
    spec = _mclp._check(coverage, weights, p, costs, values[-1], existing, required, forbidden)
    assert spec.costs is not None
    need = float(spec.costs[spec.required].sum())
    if values[0] < need - 1e-9:
        msg = f"every budget must cover the required sites ({need:g}); got {values[0]:g}"
        raise _mclp.SpecificationError(msg)
    red = _mclp._reduce(spec)
    limits = [replace(red, budget=max(v - need, 0.0)) for v in values]
    frame = _curve(spec, red, limits, method, time_limit, started)
    frame.insert(0, "budget", values)
    return frame


def _curve(
    spec: Any,
    red: Any,
    limits: list[Any],
    method: CurveMethod,
    time_limit: float | None,
    started: float,
) -> pd.DataFrame:
    if method not in ("exact", "heuristic"):
        msg = f"method must be 'exact' or 'heuristic'; got {method!r}"
        raise ValueError(msg)
    a, w = red.matrix, red.weights
    rows: list[dict[str, Any]] = []
    models = _Models()
    state = CoverState.empty(a, w)
    for done, lim in enumerate(limits, start=1):
        t0 = time.perf_counter()
        info: dict[str, Any] = {}
        # each point may use what is left of the time of the points so far
        point_limit = None if time_limit is None else max(started + done * time_limit - t0, 0.0)
        if a.shape[1] == 0 or a.shape[0] == 0 or lim.p == 0:
            chosen = np.zeros(0, dtype=np.int64)
            bound, status = 0.0, "optimal"
        else:
            chosen, bound, status = _point(lim, state, models, method, point_limit, t0, info)
        selected = np.union1d(spec.required, red.cols[chosen]).astype(np.int64)
        sol = _mclp._solution(spec, lim, selected, bound, status, info, t0)
        rows.append(
            {
                "objective": sol.objective,
                "bound": sol.bound,
                "gap": sol.gap,
                "status": sol.status,
                "seconds": sol.seconds,
                "sites": sol.selected.tolist(),
            }
        )
    return pd.DataFrame(rows, columns=_COLUMNS)


def _point(
    lim: Any,
    state: CoverState,
    models: Any,
    method: CurveMethod,
    time_limit: float | None,
    t0: float,
    info: dict[str, Any],
) -> tuple[np.ndarray, float, str]:
    """Solve one point of a curve, starting from the previous point's solution."""
    # The previous (smaller) point's solution stays feasible only for a larger
    # limit; it is a good start for the greedy, which then fills the slack.
    if lim.budget is not None and lim.costs is not None:
        spent = float(lim.costs[state.chosen].sum())
        if spent > lim.budget + 1e-9:
            reset_to(state, np.zeros(0, dtype=np.int64))
    if lim.p is not None and int(state.chosen.sum()) > lim.p:
        reset_to(state, np.zeros(0, dtype=np.int64))

    def left() -> float | None:
        return None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.0)

    lazy_greedy(state, p=lim.p, costs=lim.costs, budget=lim.budget)
    rest = left()
    swap_search(
        state, costs=lim.costs, budget=lim.budget, time_limit=None if rest is None else 0.3 * rest
    )
    bound = coverage_bound(state, p=lim.p, costs=lim.costs, budget=lim.budget)
    total = float(lim.weights.sum())
    if state.value >= total - 1e-9 * max(total, 1.0) or relative_gap(state.value, bound) <= 1e-9:
        return np.flatnonzero(state.chosen), min(bound, total), "optimal"
    rest = left()
    if method == "exact" and rest is not None:
        # under a limit the exact phase may not get far: a Lagrangian bound first
        lag = _lagrangian(
            lim, state, iterations=3000, time_limit=0.25 * rest, patience=40, first_step=2.0
        )
        bound = max(min(bound, lag), state.value)
    if method == "heuristic":
        lag = _lagrangian(lim, state, iterations=100, time_limit=time_limit)
        return np.flatnonzero(state.chosen), max(min(bound, lag), state.value), "feasible"
    chosen, _, bound, status = _exact(lim, state, left(), bound, info, models)
    reset_to(state, chosen)
    return chosen, bound, status


def _lagrangian(lim: Any, state: CoverState, **search: Any) -> float:
    """Return the Lagrangian bound of one point, started from the weights left uncovered."""
    return lagrangian_bound(
        lim.matrix,
        lim.weights,
        p=lim.p,
        costs=lim.costs,
        budget=lim.budget,
        lower=state.value,
        start=np.where(state.count == 0, lim.weights, 0.0),
        **search,
    )
