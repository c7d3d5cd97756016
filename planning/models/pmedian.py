"""The p-median model: open ``p`` sites to minimise total weighted distance.

Every demand point is served by its closest open site. Solving runs in
stages, each only when the previous one has not proven optimality:

1. greedy construction plus fast vertex substitution (interchange) gives an
   incumbent;
2. a Lagrangian relaxation of "every demand point is served once" gives a
   lower bound, and its penalty tests close every site that cannot be open
   (and open every site that must be) in any better solution; the
   relaxation's own choice of sites, improved by interchange, may replace
   the incumbent;
3. exact search on the remaining sites: depth-first branch and bound on
   Lagrangian bounds (warm-started multipliers, penalty tests at every
   node, each step restricted to the cheapest entries of each row that
   capped multipliers can reach). When there is no incumbent serving every
   demand point, or for very large ``p``, the *radius* formulation
   (Elloumi 2010; García, Labbé & Marín 2011) is solved on HiGHS instead:
   per demand point one variable per distinct distance level ("not yet
   served within this distance"), levels beyond the incumbent's distance
   left out (a relaxation) and added back only where the relaxed optimum
   needs them.

``method="heuristic"`` stops after stage 2, so its answer still has a gap.

A demand point that no allowed site may serve (an empty row of a sparse
``cost``, or all of its sites forbidden) is an error: the p-median serves
every demand point, so drop such points first.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

from ._args import check_time_limit
from ._costrows import CostRows, check_count, check_weights, cost_rows, site_masks
from ._errors import SpecificationError, TimeLimitError
from ._highs import build_model, interrupt_at, run_model
from ._substitution import (
    assignment_cost,
    greedy,
    interchange,
    lagrangian_bound,
    lagrangian_tree,
    penalty_for,
)
from .pcenter import _cover_exact, _greedy_cover
from .solution import Solution, Status, relative_gap

Method = Literal["auto", "exact", "heuristic"]

_EXACT_MAX_ENTRIES = 5_000_000
"""With ``method="auto"``, instances with more allowed pairs get the heuristic."""

_LEVEL_MARGIN = 1
"""Distance levels kept beyond the one a demand point gets in the incumbent."""

_TREE_MAX_P = 1000
"""Up to this many free sites to open, the exact method uses the Lagrangian tree
(deeper trees go to the radius MILP)."""


def solve_pmedian(
    cost: np.ndarray | sp.spmatrix | sp.sparray,
    weights: np.ndarray | float,
    p: int,
    *,
    required: np.ndarray | list[int] | None = None,
    forbidden: np.ndarray | list[int] | None = None,
    method: Method = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Choose ``p`` sites minimising the total weighted distance to demand.

    Parameters
    ----------
    cost
        Demand x sites distances (or travel times). Dense: ``inf`` marks a
        pair that cannot be served. Sparse: a missing entry marks such a
        pair; stored entries, explicit zeros included, are allowed.
    weights
        Demand weight per row (e.g. employees), or one value for all.
    p
        Number of sites to open, required sites included.
    required
        Sites that must be opened (indices or boolean mask).
    forbidden
        Sites that must not be opened (indices or boolean mask).
    method
        ``"exact"`` (Lagrangian branch and bound, or the radius MILP on
        HiGHS; proven optimal unless the time limit stops it),
        ``"heuristic"`` (greedy plus vertex substitution with a Lagrangian
        bound) or ``"auto"`` (exact unless the instance is very large).
    time_limit
        Seconds allowed overall; when reached, the best solution found is
        returned with status ``"time_limit"`` and its gap.

    Returns
    -------
    Solution
        ``objective`` is the total weighted distance; ``assignment`` the
        serving site per demand point; ``marginal`` per selected site the
        increase in objective if that site alone were closed (its demand
        going to the next closest open site; ``inf`` if some of it could
        not be served).

    Raises
    ------
    SpecificationError
        If the inputs are malformed, ``p`` does not fit the required and
        forbidden sites, some demand point has no allowed site, or no choice
        of ``p`` sites can serve every demand point.
    """
    t0 = time.perf_counter()
    if method not in ("auto", "exact", "heuristic"):
        msg = f"method must be 'auto', 'exact' or 'heuristic'; got {method!r}"
        raise SpecificationError(msg)
    check_time_limit(time_limit)
    deadline = math.inf if time_limit is None else t0 + float(time_limit)
    rows = cost_rows(cost)
    w = check_weights(weights, rows.n, m=rows.m)
    p = check_count(p)
    fixed, allowed = site_masks(required, forbidden, rows.m, p)
    site_ids = np.flatnonzero(allowed)
    sub = rows.subset(np.ones(rows.n, dtype=bool), allowed)
    empty = np.flatnonzero(sub.degree == 0)
    if empty.size:
        msg = (
            f"demand points {empty[:10].tolist()} (of {empty.size}) have no allowed site to "
            "be served from; drop them or allow a site within reach"
        )
        raise SpecificationError(msg)
    wc = sub.scaled(w)
    fix = fixed[allowed]
    exact = method == "exact" or (method == "auto" and wc.cost.size <= _EXACT_MAX_ENTRIES)

    penalty = penalty_for(wc)
    is_open = greedy(wc, p, fix, penalty, deadline=deadline)
    is_open, swaps = interchange(wc, is_open, fix, penalty, deadline=deadline)
    upper, _, served_cost = assignment_cost(wc, is_open, penalty)
    if upper >= penalty:
        # the greedy left demand unserved: look for p sites reaching every point first
        cover, proven = _serving_cover(wc, p, fix, deadline)
        if cover is None and proven:
            raise SpecificationError(_NO_CHOICE.format(p=p))
        if cover is not None:
            is_open = greedy(wc, p, cover, penalty, deadline=deadline)
            is_open, more = interchange(wc, is_open, fix, penalty, deadline=deadline)
            upper, _, served_cost = assignment_cost(wc, is_open, penalty)
            swaps += more
    integral = bool(np.all(wc.cost == np.round(wc.cost))) and upper < 2.0**52
    slack = 1.0 - 1e-6 if integral else 1e-9 * max(abs(upper), 1.0)
    details: dict[str, object] = {"heuristic_objective": upper, "swaps": swaps}
    # every point is served at least at its cheapest allowed site
    lower = float(wc.cost[wc.indptr[:-1]].sum()) if wc.n else 0.0
    closed = np.zeros(wc.m, dtype=bool)
    forced = np.zeros(wc.m, dtype=bool)
    lam = served_cost
    if upper < penalty:
        lag = lagrangian_bound(wc, p, fix, upper, served_cost, slack=slack, deadline=deadline)
        if lag.bound <= upper - slack and int(lag.pick.sum()) == p:
            # the relaxation's choice, improved by interchange, may beat the incumbent
            alt, more = interchange(wc, lag.pick, fix, penalty, deadline=deadline)
            value, _, alt_cost = assignment_cost(wc, alt, penalty)
            if value < upper:
                is_open, upper, served_cost, swaps = alt, value, alt_cost, swaps + more
                lag = lagrangian_bound(
                    wc, p, fix, upper, lag.lam, slack=slack, theta=0.5, deadline=deadline
                )
        lower, closed, forced, lam = max(lower, lag.bound), lag.closed, lag.forced & ~fix, lag.lam
        details["lagrangian_bound"] = lower
        details["sites_closed_by_bound"] = int(closed.sum())
    status: Status = "feasible"
    used = "greedy+interchange"
    tree = upper < penalty and p - int(fix.sum()) <= _TREE_MAX_P
    if exact and tree and upper - lower > slack:
        used = "lagrangian-tree"
        kept = ~closed
        red = wc.subset(np.ones(wc.n, dtype=bool), kept)
        if red.degree.min() == 0:
            lower = upper  # no better solution can serve every demand point
        else:
            found, value, low, nodes, stopped = lagrangian_tree(
                red,
                p,
                (fix | forced)[kept],
                np.zeros(red.m, dtype=bool),
                upper,
                lam,
                slack=slack,
                penalty=penalty,
                deadline=deadline,
            )
            if found is not None:
                is_open = np.zeros(wc.m, dtype=bool)
                is_open[np.flatnonzero(kept)[found]] = True
                upper = value
            lower = max(lower, low)
            details["nodes"] = nodes
            details["sites_in_tree"] = red.m
            if stopped:
                status = "time_limit"
    elif (exact or upper >= penalty) and upper - lower > slack:
        used = "radius-milp"
        kept = ~closed
        red = wc.subset(np.ones(wc.n, dtype=bool), kept)
        if red.degree.min() == 0:
            lower = upper  # no better solution can serve every demand point
        else:
            start = is_open[kept] if not is_open[closed].any() else None
            result = _radius_search(
                red,
                p,
                (fix | forced)[kept],
                upper,
                served_cost if upper < penalty else np.full(wc.n, np.inf),
                lower,
                slack,
                deadline,
                start,
            )
            if result.infeasible:
                raise SpecificationError(_NO_CHOICE.format(p=p))
            if result.is_open is not None:
                is_open = np.zeros(wc.m, dtype=bool)
                is_open[np.flatnonzero(kept)[result.is_open]] = True
                upper = result.upper
            lower = max(lower, result.lower)
            details.update(result.details)
            if result.timed_out:
                status = "time_limit"
    if upper >= penalty:
        if time_limit is not None and time.perf_counter() >= deadline:
            msg = (
                f"the time limit ({time_limit} s) ran out before a choice of p={p} sites "
                "serving every demand point was found; this does not mean there is none: "
                "raise time_limit"
            )
            raise TimeLimitError(msg)
        raise SpecificationError(_NO_CHOICE.format(p=p))
    if integral and math.isfinite(lower):
        lower = math.ceil(lower - 1e-6)
    lower = min(lower, upper)
    if upper - lower <= 1e-9 * max(abs(upper), 1.0):
        status = "optimal"
        lower = upper
    elif time_limit is not None and time.perf_counter() >= deadline:
        status = "time_limit"
    return _solution(wc, is_open, site_ids, upper, lower, status, used, t0, details)


_NO_CHOICE = (
    "no choice of p={p} sites can serve every demand point; raise p or "
    "allow more sites within reach of the demand"
)


def _serving_cover(
    rows: CostRows, p: int, fixed: np.ndarray, deadline: float
) -> tuple[np.ndarray | None, bool]:
    """Return at most ``p`` sites reaching every row, and whether None is proven.

    The greedy cover of the p-center model first, then its exact cover check
    (within ``deadline``).
    """
    top = float(rows.cost.max()) if rows.cost.size else 0.0
    cover = _greedy_cover(rows, top, p, fixed)
    if cover is not None or time.perf_counter() >= deadline:
        return cover, False
    return _cover_exact(rows, top, p, fixed, deadline)


@dataclass(frozen=True)
class _RadiusResult:
    is_open: np.ndarray | None
    upper: float
    lower: float
    timed_out: bool
    infeasible: bool
    details: dict[str, object]


@dataclass(frozen=True)
class _Levels:
    """Distinct cost levels per row of a :class:`CostRows`."""

    of_entry: np.ndarray  # level id of every entry
    row: np.ndarray  # row of every level
    cost: np.ndarray  # cost of every level
    first: np.ndarray  # first level id of every row
    count: np.ndarray  # number of levels of every row
    rank: np.ndarray  # position of every level within its row


def _levels(rows: CostRows) -> _Levels:
    new = np.ones(rows.cost.size, dtype=bool)
    new[1:] = (rows.rows[1:] != rows.rows[:-1]) | (rows.cost[1:] != rows.cost[:-1])
    of_entry = np.cumsum(new) - 1
    row = rows.rows[new]
    first = of_entry[rows.indptr[:-1]]
    count = np.bincount(row, minlength=rows.n)
    rank = np.arange(row.size) - first[row]
    return _Levels(of_entry, row, rows.cost[new], first, count, rank)


def _served_rank(rows: CostRows, lv: _Levels, is_open: np.ndarray) -> np.ndarray:
    """Return per row the level rank of its closest open site (``count`` if none)."""
    (e1,) = rows.open_entries(is_open)
    rank = lv.count.copy()
    ok = e1 >= 0
    rank[ok] = lv.of_entry[e1[ok]] - lv.first[ok]
    return rank


def _radius_search(
    rows: CostRows,
    p: int,
    fixed: np.ndarray,
    incumbent: float,
    reach: np.ndarray,
    lower: float,
    slack: float,
    deadline: float,
    start: np.ndarray | None,
) -> _RadiusResult:
    """Look for a solution better than ``incumbent - slack`` with the radius MILP.

    Row ``i`` first keeps the levels up to ``reach[i]`` (its cost in the
    incumbent) plus a margin; the rest are left out, which relaxes the model.
    If the MILP optimum serves a row beyond its kept levels, that row gets
    more levels and the MILP is solved again; otherwise the optimum of the
    relaxed model is exact.

    Returns the best open set found (None if nothing beat the incumbent) and
    a lower bound on the optimum.
    """
    lv = _levels(rows)
    penalty = penalty_for(rows)
    within = np.bincount(lv.row[lv.cost <= reach[lv.row]], minlength=rows.n)
    keep = np.minimum(within + 1 + _LEVEL_MARGIN, lv.count)
    options = {"objective_bound": incumbent}
    best = incumbent
    best_open: np.ndarray | None = None
    rounds = 0
    timed_out = infeasible = False
    while best - lower > slack:
        remaining = _remaining(deadline)
        if remaining is not None and remaining <= 0:
            timed_out = True
            break
        rounds += 1
        h, _ = _build_radius(rows, lv, keep, p, fixed, mip=True)
        current = best_open if best_open is not None else start
        x0 = _radius_start(rows, lv, keep, current) if current is not None else None
        remaining = _remaining(deadline)
        if remaining is not None:
            interrupt_at(h, deadline)
            remaining = max(remaining, 0.0)
        res = run_model(h, time_limit=remaining, start=x0, options=options)
        if res.status == "infeasible":
            # no solution of the relaxed model beats the incumbent
            infeasible = best_open is None and incumbent >= penalty
            lower = best
            break
        if res.status not in ("optimal", "time_limit"):
            timed_out = True
            break
        lower = max(lower, min(res.bound, best))
        if res.x is None:
            timed_out = res.status == "time_limit"
            if not timed_out:
                lower = best
            break
        y = res.x[: rows.m] > 0.5
        value, _, _ = assignment_cost(rows, y, penalty)
        if value < best:
            best, best_open = value, y
        if res.status != "optimal":
            timed_out = True
            break
        rank = _served_rank(rows, lv, y)
        short = rank >= keep
        if not short.any():
            lower = max(lower, min(value, best))
            break
        keep[short] = np.minimum(rank[short] + 1 + _LEVEL_MARGIN, lv.count[short])
    details: dict[str, object] = {
        "milp_rounds": rounds,
        "levels": int(keep.sum()),
        "levels_total": int(lv.count.sum()),
        "sites_in_milp": rows.m,
    }
    return _RadiusResult(best_open, best, lower, timed_out, infeasible, details)


def _remaining(deadline: float) -> float | None:
    return None if math.isinf(deadline) else deadline - time.perf_counter()


def _build_radius(
    rows: CostRows, lv: _Levels, keep: np.ndarray, p: int, fixed: np.ndarray, *, mip: bool
) -> tuple[object, np.ndarray]:
    """Return the HiGHS radius model with ``keep`` levels per row, and z column ids.

    Columns: ``y`` (one per site, binary) then ``z`` (one per kept level that
    is not its row's last, "row not served within this level"). Rows: per kept
    level ``g`` of row ``i`` with rank ``k``,
    ``z_g - z_(g-1) + sum(y_j at level g) >= [k == 0]`` (``z_g`` absent on the
    row's last level, ``z_(g-1)`` absent for ``k == 0``), and ``sum(y) == p``.
    The second value maps a level id to its z column minus ``m``.
    """
    m = rows.m
    kept = lv.rank < keep[lv.row]
    has_z = kept & (lv.rank < lv.count[lv.row] - 1)
    z_id = np.cumsum(has_z) - 1
    row_id = np.cumsum(kept) - 1
    n_rows = int(kept.sum())
    n_z = int(has_z.sum())
    e = np.flatnonzero(kept[lv.of_entry])
    g_z = np.flatnonzero(has_z)
    g_prev = np.flatnonzero(kept & (lv.rank >= 1))
    r = np.concatenate([row_id[lv.of_entry[e]], row_id[g_z], row_id[g_prev], np.full(m, n_rows)])
    c = np.concatenate([rows.sites[e], m + z_id[g_z], m + z_id[g_prev - 1], np.arange(m)])
    v = np.concatenate([np.ones(e.size), np.ones(g_z.size), -np.ones(g_prev.size), np.ones(m)])
    a = sp.csr_array((v, (r, c)), shape=(n_rows + 1, m + n_z))
    row_lower = np.append((lv.rank[kept] == 0).astype(np.float64), p)
    row_upper = np.append(np.full(n_rows, np.inf), p)
    obj = np.concatenate([np.zeros(m), lv.cost[g_z + 1] - lv.cost[g_z]])
    col_lower = np.concatenate([fixed.astype(np.float64), np.zeros(n_z)])
    integrality = np.concatenate([np.ones(m, dtype=np.int8), np.zeros(n_z, dtype=np.int8)])
    h = build_model(
        obj,
        a,
        row_lower,
        row_upper,
        col_lower=col_lower,
        col_upper=np.ones(m + n_z),
        integrality=integrality if mip else None,
        offset=float(lv.cost[lv.first].sum()),
    )
    return h, z_id


def _radius_start(rows: CostRows, lv: _Levels, keep: np.ndarray, is_open: np.ndarray) -> np.ndarray:
    """Return the radius-model column vector of an open set."""
    kept = lv.rank < keep[lv.row]
    has_z = kept & (lv.rank < lv.count[lv.row] - 1)
    rank = _served_rank(rows, lv, is_open)
    z = (lv.rank < rank[lv.row])[has_z].astype(np.float64)
    return np.concatenate([is_open.astype(np.float64), z])


def _solution(
    rows: CostRows,
    is_open: np.ndarray,
    site_ids: np.ndarray,
    upper: float,
    lower: float,
    status: Status,
    method: str,
    t0: float,
    details: dict[str, object],
) -> Solution:
    s1, c1, _, c2 = rows.best_open(is_open, second=True)
    served = s1 >= 0
    loss = np.bincount(s1[served], weights=(c2 - c1)[served], minlength=rows.m).astype(float)
    no_backup = np.zeros(rows.m, dtype=bool)
    no_backup[s1[served & np.isinf(c2)]] = True
    loss[no_backup] = np.inf
    chosen = np.flatnonzero(is_open)
    assignment = np.where(served, site_ids[np.maximum(s1, 0)], -1)
    return Solution(
        selected=site_ids[chosen],
        objective=float(upper),
        bound=float(lower),
        gap=relative_gap(upper, lower),
        status=status,
        seconds=time.perf_counter() - t0,
        sense="min",
        method=method,
        covered=served,
        assignment=assignment,
        marginal=loss[chosen],
        details=details,
    )
