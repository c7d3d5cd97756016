"""Capacitated location with a site count, single sourcing and filled sites.

:func:`solve_sized_location` is the engine behind
:func:`planning.solve_capacitated_location` when one of its options
``single_source``, ``p``, ``exact_p`` or ``fill_required`` is used:

- ``single_source=True``: every demand point is served by exactly one open
  site (a firm's staff charge at one station, a firm connects to one access
  point), so a point's whole demand must fit in that site's capacity;
- ``p`` / ``exact_p``: at most (or exactly) ``p`` sites are opened, the
  capacitated p-median when the fixed costs are zero;
- ``fill_required``: the existing and required sites must be filled to
  (a share of) their capacity before new sites take demand.

The model is a MILP on HiGHS with assignment variables only on the allowed
(point, site) pairs, the strong links ``assign <= open`` and a total
capacity row. Its LP relaxation is solved first: it is the lower bound of
every answer, and its open sites seed a heuristic (opening the sites the LP
uses, fitting the count ``p``, then assigning points by regret and
improving by shifts and closures), whose answer starts the MILP. Under a
time limit too short for HiGHS to set up the LP (or the MILP) of a large
model, neither is started: a Lagrangian relaxation of the assignment rows
gives the bound and seeds the heuristic instead (also before a large LP that
may not be solved in time).
"""

from __future__ import annotations

import math
import numbers
import time
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from ._args import (
    check_method,
    check_roles,
    check_time_limit,
    cost_entries,
    demand_vector,
    site_indices,
    site_vector,
    whole_number,
)
from ._errors import SpecificationError
from ._single_source_bound import lagrangian_bound
from ._single_source_problem import _Problem
from .solution import Solution, Status

Method = Literal["auto", "exact", "heuristic"]

_EXACT_MAX_ENTRIES = 1_000_000
"""Largest number of allowed pairs ``method="auto"`` hands to the MILP."""

_LAGRANGIAN_FIRST_NONZEROS = 200_000
"""From this size of the LP on, a time-limited solve finds a Lagrangian bound before it."""


def solve_sized_location(
    cost: sp.spmatrix | sp.sparray | np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
    fixed_cost: np.ndarray | None,
    *,
    single_source: bool = True,
    p: int | None = None,
    exact_p: bool = False,
    fill_required: bool | float = False,
    existing: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Open sites and assign all demand to them at the least total cost.

    Minimises the fixed cost of the opened sites plus the assignment cost:
    serving point ``i`` wholly from site ``j`` costs ``cost[i, j]`` (a
    share ``f`` of it costs ``f * cost[i, j]`` when demand may be split).

    Parameters
    ----------
    cost
        Cost of serving *all* of a point's demand from a site, demand x
        sites; dense with ``inf`` for a pair that is not allowed, or sparse
        where a missing entry is not allowed (stored zeros are allowed pairs).
    demand
        Demand of each point.
    capacity
        Capacity of each site.
    fixed_cost
        Cost of opening each site, or None for 0 (the capacitated p-median).
    single_source
        True: each point is served by one site; False: its demand may be split.
    p
        Largest number of sites to open (required ones included, existing
        ones not counted), or None for no limit.
    exact_p
        Open exactly ``p`` sites.
    fill_required
        True (or a share in (0, 1]): every existing and required site must
        serve at least that share of its capacity.
    existing, required, forbidden
        Site indices (or boolean masks): already open (no fixed cost, not in
        ``selected``), to be opened, never to be opened.
    method
        ``"exact"`` (MILP on HiGHS), ``"heuristic"`` (LP-seeded opening with
        regret assignment and local search; bound from the LP relaxation) or
        ``"auto"`` (exact unless the model has more than a million pairs).
        Under a time limit without the time to set up the LP or MILP, the
        Lagrangian bound and its seeded heuristic answer (``method`` of the
        result ``"lagrangian-seeded+local-search"``).
    time_limit
        Seconds allowed, or None.

    Returns
    -------
    Solution
        ``sense="min"``; ``assignment`` the site serving each point (the
        largest share when split); ``marginal`` NaN (not computed).
        ``details`` holds ``allocation`` (sparse demand x sites served
        amounts), ``fixed_cost``, ``allocation_cost``, ``existing``,
        ``load`` (per selected site), ``lp_bound`` (NaN when the LP
        relaxation was not solved in the time) and ``single_source``.
        When no feasible answer was found within ``time_limit``,
        ``objective`` is ``inf`` and ``selected`` is empty.

    Raises
    ------
    SpecificationError
        If the specification cannot be met: a point no allowed site can
        serve (or, single-sourced, none with room for its whole demand),
        the capacity of the best ``p`` sites below the total demand, more
        required sites than ``p``, fill targets above the demand, or a model
        HiGHS proves infeasible.
    ValueError
        If an argument has the wrong shape or invalid values.
    """
    t0 = time.perf_counter()
    rows, cols, vals, n, m = _parse_cost(cost)
    d = demand_vector(demand, n, "demand", m=m)
    cap = site_vector(capacity, m, "capacity", n=n)
    f = site_vector(fixed_cost, m, "fixed_cost", default=0.0, n=n)
    check_method(method)
    check_time_limit(time_limit)
    ex = site_indices(existing, m, "existing")
    req = site_indices(required, m, "required")
    forb = site_indices(forbidden, m, "forbidden")
    check_roles(existing=ex, required=req, forbidden=forb)
    p = _check_p(p, exact_p, req)
    share = _fill_share(fill_required)

    allowed = np.ones(m, dtype=bool)
    allowed[forb] = False
    keep = allowed[cols]
    if single_source:
        keep &= d[rows] <= cap[cols] * (1 + 1e-12)
    order = np.lexsort((cols[keep], rows[keep]))
    prob = _Problem(
        rows=rows[keep][order],
        cols=cols[keep][order],
        cv=vals[keep][order],
        d=d,
        cap=cap,
        f=np.where(np.isin(np.arange(m), ex), 0.0, f),
        allowed=np.flatnonzero(allowed),
        ex=ex,
        req=req,
        p=p,
        exact_p=exact_p,
        share=share,
        single=bool(single_source),
    )
    prob.check_feasible()
    prob.index()

    deadline = math.inf if time_limit is None else t0 + float(time_limit)
    early: tuple[np.ndarray, np.ndarray, float] | None = None
    if time_limit is not None:
        # under a limit, an answer without the LP first (largest capacities), in a third of it
        early = prob.heuristic(np.ones(prob.k), t0 + float(time_limit) / 3)
    lagrangian = -math.inf
    if time_limit is not None:
        # a Lagrangian bound, whose site choices seed the heuristic, where the LP may not
        # be solved in time: in half the time left when the LP could not even start
        now = time.perf_counter()
        fits = prob.fits(deadline - now)
        if not fits or prob.nonzeros() >= _LAGRANGIAN_FIRST_NONZEROS:
            upper = math.inf if early is None else early[2]
            stop = now + (0.25 if fits else 0.5) * max(deadline - now, 0.0)
            lagrangian, seed = lagrangian_bound(prob, upper, stop)
            if seed is not None:
                early = _better(early, prob.heuristic(seed, deadline))
    lp = prob.milp(relax=True, time_limit=_left(deadline), start=None)
    if lp.status == "infeasible":
        msg = (
            "no assignment of the demand fits the capacities of the allowed sites "
            f"under these options{prob.option_text()}; raise capacity, p or allow more sites"
        )
        raise SpecificationError(msg)
    solved = lp.x is not None and lp.status == "optimal"
    lp_bound = float(lp.objective) if solved else math.nan  # NaN: the LP was not solved
    best: tuple[np.ndarray, np.ndarray, float] | None = None
    if lp.x is not None:
        best = prob.heuristic(lp.x[: prob.k], deadline)
    best = _better(best, early)
    use_exact = method == "exact" or (method == "auto" and prob.size <= _EXACT_MAX_ENTRIES)
    status: Status = "feasible"
    name = "lp-seeded+local-search"
    if lp.x is None:
        name = "lagrangian-seeded+local-search" if math.isfinite(lagrangian) else "local-search"
    bound = lp_bound if solved else 0.0
    if use_exact and time.perf_counter() < deadline:
        start = None if best is None else prob.start_vector(best[0], best[1])
        res = prob.milp(relax=False, time_limit=_left(deadline), start=start)
        if res.status == "infeasible":
            msg = (
                "HiGHS proves that no "
                + ("single-source " if prob.single else "")
                + f"assignment fits the capacities{prob.option_text()}; "
                "raise capacity, p or allow more sites"
            )
            raise SpecificationError(msg)
        if res.status not in ("optimal", "time_limit"):
            msg = f"HiGHS failed on the capacitated location model (status {res.status!r})"
            raise RuntimeError(msg)
        if res.x is not None and (best is None or res.objective <= best[2] + 1e-9):
            best = prob.decode(res.x)
        if math.isfinite(res.bound):
            bound = max(bound, float(res.bound))
        status = "optimal" if res.status == "optimal" else "time_limit"
        if res.x is not None or res.seconds > 0:  # not when left unstarted for lack of time
            name = "milp"
    elif time_limit is not None and time.perf_counter() >= deadline:
        status = "time_limit"
    bound = max(bound, lagrangian, _cheap_bound(prob.rows, prob.cv, prob.n))
    return prob.solution(best, bound, lp_bound, status, name, t0)


def _better(
    a: tuple[np.ndarray, np.ndarray, float] | None, b: tuple[np.ndarray, np.ndarray, float] | None
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Return the cheaper of two heuristic answers (either may be None)."""
    if a is None or (b is not None and b[2] < a[2]):
        return b
    return a


def _cheap_bound(rows: np.ndarray, cv: np.ndarray, n: int) -> float:
    """Return each point served at its cheapest allowed site: a bound found without solving."""
    if rows.size == 0:
        return 0.0
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    return float(np.minimum.reduceat(cv, starts).sum())


# ---------------------------------------------------------------------------


def _left(deadline: float) -> float | None:
    if not math.isfinite(deadline):
        return None
    return max(deadline - time.perf_counter(), 0.0)


def _parse_cost(cost: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    return cost_entries(cost)


def _check_p(p: Any, exact_p: bool, req: np.ndarray) -> int | None:
    if not isinstance(exact_p, bool | np.bool_):
        msg = f"exact_p must be True or False; got {exact_p!r}"
        raise ValueError(msg)
    if p is None:
        if exact_p:
            msg = "exact_p=True needs p, the number of sites to open"
            raise SpecificationError(msg)
        return None
    p = whole_number(p, "p")
    if req.size > p:
        msg = f"p={p} is smaller than the {req.size} required sites; raise p to {req.size}"
        raise SpecificationError(msg)
    return int(p)


def _fill_share(fill: Any) -> float:
    if fill is False or fill is None:
        return 0.0
    if fill is True:
        return 1.0
    if isinstance(fill, numbers.Real) and 0.0 < float(fill) <= 1.0:
        return float(fill)
    msg = f"fill_required must be True, False or a share of capacity in (0, 1]; got {fill!r}"
    raise ValueError(msg)
