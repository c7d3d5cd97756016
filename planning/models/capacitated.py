"""Capacitated siting: sites that can serve only so much demand.

Two models, both with demand that may be split across several sites:

- :func:`solve_capacitated_coverage` maximises the demand served (e.g.
  charging sessions per day) by ``p`` new sites or by sites within a budget,
  where each site serves only demand it covers and at most its capacity
  (e.g. charging piles x sessions per pile per day), on top of the capacity
  already in place;
- :func:`solve_capacitated_location` serves all demand at the least fixed
  plus allocation cost (the capacitated facility location problem with
  single-source relaxed, as in OR-Library's capacitated warehouse set).

Both build a sparse MILP with allocation variables only on the allowed
(demand, site) pairs and the strong linking rows ``allocation <= amount x
open``, solve it on HiGHS, and otherwise fall back to a heuristic (greedy
opening, or rounding and closing from the LP relaxation) whose bound is the
LP relaxation, so every answer has a gap.
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
    coverage_input,
    demand_vector,
    site_indices,
    site_vector,
    whole_number,
)
from ._capacitated_coverage import (
    _CoverageModel,
    _Pattern,
)
from ._capacitated_location import _LocationModel
from ._costrows import cost_rows
from ._errors import SpecificationError
from ._reduce import as_coverage, merge_identical_rows
from .solution import Solution, relative_gap

Method = Literal["auto", "exact", "heuristic"]


# ---------------------------------------------------------------------------
# Capacitated coverage


def solve_capacitated_coverage(
    coverage: sp.spmatrix | sp.sparray | np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
    p: int | None = None,
    *,
    costs: np.ndarray | None = None,
    budget: float | None = None,
    existing_capacity: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Choose sites with capacities to serve the most demand.

    Demand point ``i`` may be served by any site that covers it, split
    across several sites; site ``j`` serves at most
    ``existing_capacity[j] + capacity[j]`` if selected, else at most
    ``existing_capacity[j]``. Selecting a site that already has capacity
    means expanding it. At most ``p`` sites are selected and/or their
    ``costs`` stay within ``budget``.

    Parameters
    ----------
    coverage
        Boolean coverage matrix, demand x sites (scipy sparse or dense).
    demand
        Amount of demand at each point (e.g. charging sessions per day).
    capacity
        Capacity a selected site adds, one value per site.
    p
        Largest number of sites to select (required ones included), or None
        for no limit on the number (then ``budget`` is needed).
    costs
        Cost of selecting each site, for ``budget``; default 1 each.
    budget
        Largest total cost of the selected sites, or None.
    existing_capacity
        Capacity already in place at each site (0 where there is none);
        it serves for free and does not count towards ``p`` or ``budget``.
    required
        Indices of sites that must be selected.
    forbidden
        Indices of sites that must not be selected (their existing capacity
        still serves).
    method
        ``"exact"`` (MILP on HiGHS), ``"heuristic"`` (greedy opening with
        the best allocation of the chosen sites; the bound is the LP
        relaxation) or ``"auto"`` (exact unless the model is very large).
    time_limit
        Seconds allowed for the exact solve, or None; when it runs out the
        best solution found is returned with status ``"time_limit"``.

    Returns
    -------
    Solution
        ``sense="max"``, objective = demand served. ``covered`` is True
        where a point's demand is fully served; ``assignment`` is the site
        serving the largest share (-1 for none); ``marginal`` is the served
        demand lost if that site alone were removed (re-solved; for more
        than 100 selected sites, or once ``time_limit`` has run out, the
        demand the site serves, an upper bound). ``details`` holds
        ``allocation`` (sparse demand x sites matrix of served amounts),
        ``served`` (per point), ``unservable`` (indices of points with
        demand no site can reach) and ``unservable_demand``.

    Raises
    ------
    SpecificationError
        If neither ``p`` nor ``budget`` is given, more sites are required
        than ``p``, the required sites cost more than ``budget``, or a site
        is both required and forbidden.
    ValueError
        If an argument has the wrong shape or invalid values.
    """
    t0 = time.perf_counter()
    a = coverage_input(coverage)
    n, m = a.shape
    d = demand_vector(demand, n, "demand", m=m)
    cap = site_vector(capacity, m, "capacity", n=n)
    c = site_vector(costs, m, "costs", default=1.0, n=n)
    ecap = site_vector(existing_capacity, m, "existing_capacity", default=0.0, n=n)
    check_method(method)
    check_time_limit(time_limit)
    req = site_indices(required, m, "required")
    forb = site_indices(forbidden, m, "forbidden")
    check_roles(required=req, forbidden=forb)
    if p is None and budget is None:
        msg = "give p (the number of sites) or budget (the largest total cost), or both"
        raise SpecificationError(msg)
    if p is not None:
        p = whole_number(p, "p")
        if req.size > p:
            msg = f"p={p} is smaller than the {req.size} required sites; raise p to {req.size}"
            raise SpecificationError(msg)
    if budget is not None:
        if not (isinstance(budget, numbers.Real) and math.isfinite(budget) and budget >= 0):
            msg = f"budget must be a finite non-negative number; got {budget!r}"
            raise SpecificationError(msg)
        need = float(c[req].sum())
        if need > budget * (1 + 1e-12) + 1e-12:
            msg = f"budget={budget:g} is below the cost of the required sites ({need:g})"
            raise SpecificationError(msg)

    # reductions: candidates that add capacity; pairs with a site able to serve
    cand = np.ones(m, dtype=bool)
    cand[forb] = False
    cand &= cap > 0
    cand[req] = True
    if budget is not None:
        cand &= (c <= budget * (1 + 1e-12) + 1e-12) | np.isin(np.arange(m), req)
    usable = cand | (ecap > 0)
    a = as_coverage(a[:, usable.nonzero()[0]])
    a = sp.csr_array((a.data, usable.nonzero()[0][a.indices], a.indptr), shape=(n, m))
    reachable = (np.diff(a.indptr) > 0) & (d > 0)
    unservable = np.flatnonzero(~reachable & (d > 0))
    # points with the same sites are interchangeable: merge them, summing demand
    live = np.flatnonzero(reachable)
    merged = merge_identical_rows(as_coverage(a[live]), d[live])
    coo = sp.coo_array(merged.matrix)
    order = np.lexsort((coo.col, coo.row))
    groups = merged.weights.size
    pat = _Pattern(coo.row[order], coo.col[order], groups, m)
    # candidates serving nobody are pointless unless required
    cand &= (np.bincount(pat.cols, minlength=m) > 0) | np.isin(np.arange(m), req)
    model = _CoverageModel(pat, merged.weights, cap, ecap, c, np.flatnonzero(cand), req, p, budget)

    limit = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.0)
    chosen, z, value, bound, status, name = model.solve(method, limit)

    # split each merged point's allocation among its members in proportion to demand
    share = sp.csr_array(
        (d[live] / merged.weights[merged.inverse], (live, merged.inverse)), shape=(n, groups)
    )
    allocation = sp.csr_array(share @ pat.matrix(z))
    allocation.eliminate_zeros()
    served = np.asarray(allocation.sum(axis=1)).ravel()
    deadline = math.inf if time_limit is None else t0 + time_limit
    marginal = model.marginals(chosen, z, value, deadline)
    gap = relative_gap(value, bound)
    if gap <= 1e-9:
        status = "optimal"
    details: dict[str, Any] = {
        "allocation": allocation,
        "served": served,
        "unservable": unservable,
        "unservable_demand": float(d[unservable].sum()),
        "total_demand": float(d.sum()),
        "served_share": value / float(d.sum()) if d.sum() > 0 else 1.0,
        "cost": float(c[chosen].sum()),
    }
    return Solution(
        selected=chosen,
        objective=value,
        bound=bound,
        gap=gap,
        status=status,
        seconds=time.perf_counter() - t0,
        sense="max",
        method=name,
        covered=served >= d - 1e-9 * np.maximum(1.0, d),
        assignment=_largest_share(allocation),
        marginal=marginal,
        details=details,
    )


# ---------------------------------------------------------------------------
# Capacitated facility location


def solve_capacitated_location(
    cost: sp.spmatrix | sp.sparray | np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
    fixed_cost: np.ndarray,
    *,
    existing: np.ndarray | None = None,
    required: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
    single_source: bool = False,
    p: int | None = None,
    exact_p: bool = False,
    fill_required: bool | float = False,
) -> Solution:
    """Open sites and split all demand among them at the least total cost.

    Minimises the fixed cost of the opened sites plus the allocation cost,
    where a share ``f`` of point ``i``'s demand served from site ``j`` costs
    ``f * cost[i, j]`` and site ``j`` serves at most ``capacity[j]``.

    Parameters
    ----------
    cost
        Cost of serving *all* of a point's demand from a site, demand x
        sites (OR-Library convention; for a per-unit cost pass
        ``demand[:, None] * unit_cost``). Dense, where ``inf`` means the
        site cannot serve that point, or sparse, where a missing entry means
        that; explicitly stored zeros are allowed pairs at zero cost (build
        the matrix without ``eliminate_zeros``).
    demand
        Demand of each point.
    capacity
        Capacity of each site.
    fixed_cost
        Cost of opening each site.
    existing
        Indices of sites already open: they serve without fixed cost and
        are not listed in ``selected``.
    required
        Indices of sites that must be opened (their fixed cost counts).
    forbidden
        Indices of sites that must not be opened.
    method
        ``"exact"`` (MILP on HiGHS), ``"heuristic"`` (LP rounding then
        closing sites while that saves cost; the bound is the LP relaxation)
        or ``"auto"`` (exact unless the model is very large).
    time_limit
        Seconds allowed for the exact solve, or None; when it runs out the
        best solution found is returned with status ``"time_limit"``.
    single_source
        Serve each point wholly from one site (see
        :func:`planning.models.single_source.solve_sized_location`, which
        also handles the three options below).
    p
        Largest number of sites to open (required included, existing not
        counted), or None; with zero fixed costs, the capacitated p-median.
    exact_p
        Open exactly ``p`` sites.
    fill_required
        True (or a share in (0, 1]): existing and required sites must serve
        at least that share of their capacity.

    Returns
    -------
    Solution
        ``sense="min"``. ``assignment`` is the site serving the largest
        share of each point; ``marginal`` is the cost increase if that site
        alone were closed (``inf`` when the rest cannot serve all demand;
        NaN for more than 100 selected sites or once ``time_limit`` has run
        out).
        ``details`` holds ``allocation`` (sparse demand x sites matrix of
        served amounts), ``fixed_cost`` and ``allocation_cost``.

    Raises
    ------
    SpecificationError
        If some demand point has no site allowed to serve it, the allowed
        sites lack the capacity for the total demand, or a site has two
        roles.
    ValueError
        If an argument has the wrong shape or invalid values.
    """
    if single_source or p is not None or exact_p or fill_required:
        from .single_source import solve_sized_location

        kw: dict[str, Any] = {"existing": existing, "required": required, "forbidden": forbidden}
        kw |= {"p": p, "exact_p": exact_p, "fill_required": fill_required, "method": method}
        kw |= {"single_source": single_source, "time_limit": time_limit}
        return solve_sized_location(cost, demand, capacity, fixed_cost, **kw)
    t0 = time.perf_counter()
    entries = cost_rows(cost)
    n, m = entries.n, entries.m
    rows, cols, vals = entries.rows, entries.sites, entries.cost
    d = demand_vector(demand, n, "demand", m=m)
    cap = site_vector(capacity, m, "capacity", n=n)
    f = site_vector(fixed_cost, m, "fixed_cost", n=n)
    check_method(method)
    check_time_limit(time_limit)
    ex = site_indices(existing, m, "existing")
    req = site_indices(required, m, "required")
    forb = site_indices(forbidden, m, "forbidden")
    check_roles(existing=ex, required=req, forbidden=forb)

    allowed = np.ones(m, dtype=bool)
    allowed[forb] = False
    keep = allowed[cols]
    order = np.lexsort((cols[keep], rows[keep]))
    pat = _Pattern(rows[keep][order], cols[keep][order], n, m)
    cv = vals[keep][order]
    reach = np.bincount(pat.rows, minlength=n)
    stranded = np.flatnonzero(reach == 0)
    if stranded.size:
        msg = (
            f"{stranded.size} demand points (e.g. {stranded[:5].tolist()}) have no allowed site "
            "that can serve them; add entries to cost or allow more sites"
        )
        raise SpecificationError(msg)
    if cap[allowed].sum() < d.sum() * (1 - 1e-12):
        msg = (
            f"the allowed sites can serve {cap[allowed].sum():g} in total but the demand is "
            f"{d.sum():g}; raise capacity or allow more sites"
        )
        raise SpecificationError(msg)
    fixed_open = f.copy()
    fixed_open[ex] = 0.0
    model = _LocationModel(pat, cv, d, cap, fixed_open, np.flatnonzero(allowed), ex, req)

    limit = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.0)
    open_sites, frac, value, bound, status, name = model.solve(method, limit)
    chosen = np.setdiff1d(open_sites, ex)
    allocation = pat.matrix(frac * d[pat.rows])
    allocation.eliminate_zeros()
    gap = relative_gap(value, bound)
    if gap <= 1e-9:
        status = "optimal"
    fixed_part = float(f[chosen].sum())
    deadline = math.inf if time_limit is None else t0 + time_limit
    marginal = model.marginals(open_sites, chosen, value, deadline)
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
        assignment=_largest_share(allocation),
        marginal=marginal,
        details={
            "allocation": allocation,
            "fixed_cost": fixed_part,
            "allocation_cost": value - fixed_part,
            "existing": ex,
        },
    )


# ---------------------------------------------------------------------------
# Shared helpers


def _largest_share(allocation: sp.csr_array) -> np.ndarray:
    """Per row, the column with the largest entry (-1 for an empty row)."""
    n = allocation.shape[0]
    out = np.full(n, -1, dtype=np.int64)
    if allocation.nnz == 0:
        return out
    coo = sp.coo_array(allocation)
    order = np.lexsort((coo.col, -coo.data, coo.row))
    rows = coo.row[order]
    first = np.ones(rows.size, dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    out[rows[first]] = coo.col[order][first]
    return out
