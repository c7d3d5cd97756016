"""Coverage with fairness: per-group coverage floors and per-group site counts.

:func:`solve_equity_coverage` answers "cover the most demand with N sites (or
within a budget), or reach a target with the fewest sites, while every
county reaches at least X % and gets between k_min and k_max new sites".

Model (after merging demand rows with the same candidate set and group)::

    max  sum_k w_k y_k                      (or min sum_j x_j for a target)
    s.t. y_k <= sum_{j covers k} x_j        y in [0, 1], x binary
         sum_j x_j <= p   or   sum_j c_j x_j <= B
         sum_{k in g} w_k y_k + s_g >= f_g W_g - E_g      (floors, s_g >= 0)
         lo_g <= sum_{j in G_g} x_j <= hi_g               (sites per group)

``W_g`` is group g's total demand and ``E_g`` what existing sites already
cover there. A first solve minimises the relative shortfall
``sum_g s_g / W_g``; when it is zero every floor holds and the coverage
solve keeps ``s = 0``, otherwise the shortfalls are capped at their minimum
and each short group's best reachable share (its own coverage maximised
under the same site limits, ignoring the other floors) is reported instead
of failing. Both solves are exact HiGHS MILPs; when the time limit stops
HiGHS before it finds a solution, a floor-first greedy answer is returned
with HiGHS's (or the LP relaxation's) bound.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._args import whole_number
from ._coverrows import (
    check_cover,
    per_group,
    reduce_cover,
    relaxed_bound,
    run_milp,
)
from ._errors import SpecificationError
from ._highs import ROOT_SECONDS_PER_NONZERO
from .solution import Solution, relative_gap

_TOL = 1e-7

_GREEDY_SHARE = 0.5
"""Most of a time limit the first, floor-first greedy answer may use."""


def solve_equity_coverage(
    cover: Any,
    weights: Any,
    n_sites: int | None = None,
    *,
    costs: Any = None,
    budget: float | None = None,
    target: float | None = None,
    existing: Any = None,
    groups: Any = None,
    min_share: float | dict[Any, float] | None = None,
    site_groups: Any = None,
    min_sites_per_group: int | dict[Any, int] | None = None,
    max_sites_per_group: int | dict[Any, int] | None = None,
    time_limit: float | None = None,
) -> Solution:
    """Cover the most demand (or reach a target) with per-group floors and site counts.

    Parameters
    ----------
    cover
        Sparse ``(n, m)`` coverage matrix, True where site j covers demand i.
    weights
        Demand weight per row.
    n_sites
        Largest number of new sites (the "max coverage" question).
    costs
        Cost per column (with ``budget``).
    budget
        Largest total cost of the new sites.
    target
        Share of all demand weight to cover with the fewest sites; the
        target is lowered to the coverable share when out of reach.
    existing
        Columns that are already built (always open, never counted).
    groups
        Group label per demand row (e.g. county); None for one group.
    min_share
        Coverage floor per group: one share for every group, or a mapping
        ``{label: share}``; None for no floors.
    site_groups
        Group label per column (the county a site stands in); needed for
        per-group site counts.
    min_sites_per_group, max_sites_per_group
        Least / most new sites per group: one number or a mapping.
    time_limit
        Seconds for the solves together.

    Returns
    -------
    Solution
        ``details["groups"]`` has one row per group: ``weight``, ``floor``,
        ``share`` reached, ``shortfall``, ``met``, ``best_share`` (best
        reachable share of a group whose floor cannot be met, else NaN),
        ``sites``, ``min_sites``, ``max_sites``; ``details["floors_met"]``
        says whether every floor holds.

    Raises
    ------
    SpecificationError
        If the site counts cannot be satisfied (e.g. more sites required per
        group than the group has candidates, or than ``n_sites`` allows).
    """
    started = time.perf_counter()
    a, w, ex = check_cover(cover, weights, existing)
    n, m = a.shape
    modes = [n_sites is not None, budget is not None, target is not None]
    if sum(modes) != 1:
        msg = "give exactly one of n_sites, budget (with costs) or target"
        raise ValueError(msg)
    if n_sites is not None:
        n_sites = whole_number(n_sites, "n_sites")
    labels_d, codes_d = _labels(groups, n, "groups")
    floors = per_group(min_share, labels_d, "min_share")
    bad = np.isfinite(floors) & ~((floors >= 0) & (floors <= 1))
    if bad.any():
        msg = f"min_share must be shares in [0, 1], got {floors[bad].tolist()}"
        raise ValueError(msg)
    red = reduce_cover(a, w, ex, codes_d)
    mc = red.candidates.size
    k = red.weight.size
    c_cost = (
        np.zeros(mc)
        if costs is None
        else np.asarray(costs, dtype=float).ravel()[red.candidates]
        if np.asarray(costs).size == m
        else _bad_costs(m)
    )
    # site groups
    if site_groups is None and (min_sites_per_group is not None or max_sites_per_group is not None):
        msg = "site_groups (the group of each site) is needed for per-group site counts"
        raise ValueError(msg)
    if site_groups is not None:
        sg = np.asarray(site_groups, dtype=object).ravel()
        if sg.size != m:
            msg = f"site_groups must have one label per column ({m}), got {sg.size}"
            raise ValueError(msg)
        labels_s = sorted({str(v) for v in sg[red.candidates]} | {str(v) for v in labels_d})
        code_of = {g: i for i, g in enumerate(labels_s)}
        codes_s = np.array([code_of[str(v)] for v in sg[red.candidates]], dtype=np.int64)
    else:
        labels_s, codes_s = [], np.zeros(mc, dtype=np.int64)
    smin = per_group(min_sites_per_group, labels_s, "min_sites_per_group", default=0)
    smax = per_group(max_sites_per_group, labels_s, "max_sites_per_group", default=math.inf)
    _check_site_counts(labels_s, codes_s, smin, smax, n_sites)

    g_total = np.bincount(codes_d, weights=w, minlength=len(labels_d))
    g_base = np.bincount(codes_d, weights=w * red.base, minlength=len(labels_d))
    total = float(w.sum())
    base_w = float(w[red.base].sum())
    ng = len(labels_d)
    has_floor = np.isfinite(floors) & (floors > 0) & (g_total > 0)
    floor_need = np.where(has_floor, floors * g_total - g_base, 0.0)
    floor_rows = np.flatnonzero(has_floor & (floor_need > _TOL))

    # variables: x (mc), y (k), s (len(floor_rows))
    nf = floor_rows.size
    nv = mc + k + nf
    rows: list[sp.csr_array] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []
    # y_k - sum x <= 0
    link = sp.hstack(
        [-red.cover, sp.identity(k, format="csr"), sp.csr_array((k, nf))], format="csr"
    )
    rows.append(link)
    lo.append(np.full(k, -np.inf))
    hi.append(np.zeros(k))
    if n_sites is not None:
        rows.append(sp.csr_array(np.concatenate([np.ones(mc), np.zeros(k + nf)])[None, :]))
        lo.append(np.array([-np.inf]))
        hi.append(np.array([float(n_sites)]))
    if budget is not None:
        if costs is None:
            msg = "budget needs costs (one per column)"
            raise ValueError(msg)
        rows.append(sp.csr_array(np.concatenate([c_cost, np.zeros(k + nf)])[None, :]))
        lo.append(np.array([-np.inf]))
        hi.append(np.array([float(budget)]))
    # floors
    for r, g in enumerate(floor_rows):
        coef = np.zeros(nv)
        coef[mc : mc + k] = np.where(red.group == g, red.weight, 0.0)
        coef[mc + k + r] = 1.0
        rows.append(sp.csr_array(coef[None, :]))
        lo.append(np.array([floor_need[g]]))
        hi.append(np.array([np.inf]))
    # site counts
    for gi in range(len(labels_s)):
        if smin[gi] <= 0 and not np.isfinite(smax[gi]):
            continue
        coef = np.zeros(nv)
        coef[:mc] = codes_s == gi
        rows.append(sp.csr_array(coef[None, :]))
        lo.append(np.array([smin[gi]]))
        hi.append(np.array([smax[gi]]))
    coverable = float(red.weight.sum())
    if target is not None:
        if not 0 < target <= 1:
            msg = f"target must be a share in (0, 1], got {target!r}"
            raise ValueError(msg)
        need = min(target * total, base_w + coverable) - base_w
        coef = np.zeros(nv)
        coef[mc : mc + k] = red.weight
        rows.append(sp.csr_array(coef[None, :]))
        lo.append(np.array([need - 1e-9 * max(total, 1.0)]))
        hi.append(np.array([np.inf]))
    A = sp.vstack(rows, format="csr") if rows else sp.csr_array((0, nv))
    lower, upper = np.concatenate(lo), np.concatenate(hi)
    integrality = np.concatenate([np.ones(mc), np.zeros(k + nf)])
    col_upper = np.concatenate([np.ones(mc + k), np.full(nf, np.inf)])

    def remaining() -> float | None:
        if time_limit is None:
            return None
        return max(0.0, time_limit - (time.perf_counter() - started))

    maximize = target is None
    start = start2 = None
    if time_limit is not None:
        # under a limit, a floor-first greedy answer first: it starts both MILPs, may
        # show that every floor can be met (no first solve then), and is the answer
        # when HiGHS finds none better in time
        share = _GREEDY_SHARE
        if (1 - share) * time_limit < ROOT_SECONDS_PER_NONZERO * A.nnz:
            share = 0.9  # too short for the MILP (see run_milp): the greedy is the answer
        gx = _greedy(
            red, c_cost, n_sites, budget, codes_s, smin, smax, floor_need, target, total,
            started + share * time_limit,
        )  # fmt: skip
        start = _start_vector(red, gx, floor_need[floor_rows], floor_rows, nv)
        if not _feasible(start, A, lower, upper, col_upper):
            start = None
    shortfall = np.zeros(nf)
    phase1_status = "optimal"
    if nf and start is not None and start[mc + k :].sum() <= _TOL * max(total, 1.0):
        pass  # the greedy meets every floor: the least shortfall is zero
    elif nf:
        c1 = np.zeros(nv)
        c1[mc + k :] = 1.0 / g_total[floor_rows]
        budget1 = None if time_limit is None else 0.4 * time_limit
        ans = run_milp(
            c1, A, lower, upper, integrality, col_upper=col_upper, time_limit=budget1, start=start
        )
        if ans.x is None:
            if ans.status == "infeasible":
                msg = "the site limits cannot be met together (check per-group site counts)"
                raise SpecificationError(msg)
            shortfall = np.maximum(floor_need[floor_rows], 0.0)
            if start is not None:
                shortfall = start[mc + k :].copy()
            phase1_status = "time_limit"
        else:
            shortfall = np.maximum(ans.x[mc + k :], 0.0)
            shortfall[shortfall < _TOL * max(total, 1.0)] = 0.0
            phase1_status = ans.status
    col_upper2 = col_upper.copy()
    col_upper2[mc + k :] = shortfall * (1 + 1e-9) + _TOL * max(total, 1.0) * (shortfall > 0)
    if start is not None and _feasible(start, A, lower, upper, col_upper2):
        start2 = start
    if target is not None:
        c2 = np.concatenate([np.ones(mc), np.zeros(k + nf)])
    else:
        c2 = np.concatenate([np.zeros(mc), red.weight, np.zeros(nf)])
    ans2 = run_milp(
        c2,
        A,
        lower,
        upper,
        integrality,
        col_upper=col_upper2,
        time_limit=remaining(),
        maximize=maximize,
        start=start2,
    )
    method = "milp"
    if ans2.x is None and ans2.status == "infeasible":
        msg = "the coverage target cannot be reached together with the floors and site limits"
        raise SpecificationError(msg)
    if start2 is not None:
        # the greedy start, when HiGHS found nothing better
        mine = float(c2 @ start2)
        ahead = (mine - ans2.objective) * (1.0 if maximize else -1.0)
        if ans2.x is None or ahead > 1e-9 * max(1.0, abs(mine)):
            ans2 = replace(ans2, x=start2, objective=mine, status="time_limit")
            method = "greedy+milp"
    if ans2.x is None:
        x = _greedy(
            red, c_cost, n_sites, budget, codes_s, smin, smax, floor_need, target, total,
            # past the limit the greedy still gets a short grace, so there is an answer
            math.inf if time_limit is None else max(started + time_limit, _now() + 0.5),
        )  # fmt: skip
        method = "greedy"
    if ans2.x is None or not np.isfinite(ans2.bound):
        lp = run_milp(
            c2, A, lower, upper, np.zeros(nv), col_upper=col_upper2, maximize=maximize,
            time_limit=remaining(),
        )  # fmt: skip
        bound = ans2.bound if np.isfinite(ans2.bound) else lp.bound
        if not np.isfinite(bound):  # no time for the LP either
            bound = float(red.weight.sum()) if maximize else 0.0
        if ans2.x is not None:
            x = ans2.x[:mc]
            bound = max(bound, ans2.objective) if maximize else min(bound, ans2.objective)
        status = "time_limit"
    else:
        x = ans2.x[:mc]
        bound = ans2.bound
        status = ans2.status if phase1_status == "optimal" else "time_limit"
    if maximize and time_limit is not None:
        # never above what the sites could cover without the floors
        reached = float(red.weight @ ((red.cover @ (x > 0.5)) > 0))
        bound = max(min(bound, relaxed_bound(red, c_cost, n_sites, budget)), reached)
    chosen = np.flatnonzero(x > 0.5)
    selected = np.sort(red.candidates[chosen])
    covered = red.base.copy()
    if selected.size:
        covered |= np.asarray(a[:, selected].sum(axis=1)).ravel() > 0
    covered_w = float(w[covered].sum())
    if target is not None:
        objective = float(selected.size)
        bound_total = float(bound)
    else:
        objective = covered_w
        bound_total = float(bound) + base_w
    # per-group table
    g_cov = np.bincount(codes_d, weights=w * covered, minlength=ng)
    share = np.divide(g_cov, g_total, out=np.full(ng, np.nan), where=g_total > 0)
    short = np.zeros(ng)
    short[floor_rows] = shortfall
    met = ~has_floor | (share >= floors - 1e-9)
    best = np.full(ng, np.nan)
    for g in np.flatnonzero(~met):
        best[g] = _best_share(
            int(g),
            red,
            A,
            lower,
            upper,
            integrality,
            col_upper,
            mc,
            k,
            g_total,
            g_base,
            remaining(),
            target is not None,
        )
    sites_per = np.bincount(codes_s[chosen], minlength=len(labels_s)) if labels_s else np.zeros(0)
    table = pd.DataFrame(
        {
            "group": labels_d,
            "weight": g_total,
            "floor": np.where(has_floor, floors, np.nan),
            "share": share,
            "shortfall": short,
            "met": met,
            "best_share": best,
        }
    )
    if labels_s:
        per_site = pd.DataFrame(
            {"group": labels_s, "sites": sites_per, "min_sites": smin, "max_sites": smax}
        )
        table = table.merge(per_site, on="group", how="outer")
        table["sites"] = table["sites"].fillna(0).astype(int)
    gap = relative_gap(objective, bound_total) if np.isfinite(bound_total) else math.inf
    if status == "optimal":
        gap = 0.0 if gap < 1e-7 else gap
    return Solution(
        selected=selected,
        objective=objective,
        bound=bound_total,
        gap=gap,
        status="optimal" if status == "optimal" else "time_limit",
        seconds=time.perf_counter() - started,
        sense="min" if target is not None else "max",
        method=method,
        covered=covered,
        details={
            "groups": table,
            "floors_met": bool(met.all()),
            "covered_weight": covered_w,
            "uncoverable": ~red.base & (red.row_of < 0) & (np.diff(a.indptr) == 0),
        },
    )


def _bad_costs(m: int) -> np.ndarray:
    msg = f"costs must have one value per column ({m})"
    raise ValueError(msg)


def _labels(values: Any, n: int, name: str) -> tuple[list[Any], np.ndarray]:
    if values is None:
        return ["all"], np.zeros(n, dtype=np.int64)
    arr = np.asarray(values, dtype=object).ravel()
    if arr.size != n:
        msg = f"{name} must have one label per demand row ({n}), got {arr.size}"
        raise ValueError(msg)
    text = np.array([str(v) for v in arr], dtype=object)
    labels = sorted(set(text))
    code_of = {g: i for i, g in enumerate(labels)}
    return labels, np.array([code_of[v] for v in text], dtype=np.int64)


def _check_site_counts(
    labels: list[Any], codes: np.ndarray, smin: np.ndarray, smax: np.ndarray, n_sites: int | None
) -> None:
    problems = []
    for gi, g in enumerate(labels):
        have = int((codes == gi).sum())
        if smin[gi] > smax[gi]:
            problems.append(f"{g}: at least {smin[gi]:g} but at most {smax[gi]:g} sites")
        elif smin[gi] > have:
            problems.append(f"{g}: at least {smin[gi]:g} sites but only {have} candidates")
    if n_sites is not None and smin.sum() > n_sites:
        problems.append(f"the minimum sites per group add up to {smin.sum():g} > n_sites {n_sites}")
    if problems:
        msg = "per-group site counts cannot be met: " + "; ".join(problems)
        raise SpecificationError(msg)


def _best_share(
    g: int,
    red: Any,
    A: sp.csr_array,
    lower: np.ndarray,
    upper: np.ndarray,
    integrality: np.ndarray,
    col_upper: np.ndarray,
    mc: int,
    k: int,
    g_total: np.ndarray,
    g_base: np.ndarray,
    time_limit: float | None,
    target_mode: bool,
) -> float:
    """Return the best share group ``g`` alone can reach under the site limits.

    The floors' slacks are freed (so no other floor binds) and a coverage
    target row, if any, is dropped.
    """
    cu = col_upper.copy()
    cu[mc + k :] = np.inf
    lw = lower.copy()
    if target_mode:
        lw[-1] = -np.inf
    c = np.zeros(A.shape[1])
    c[mc : mc + k] = np.where(red.group == g, red.weight, 0.0)
    ans = run_milp(c, A, lw, upper, integrality, col_upper=cu, time_limit=time_limit, maximize=True)
    got = ans.bound if ans.x is None else ans.objective
    if not np.isfinite(got) or g_total[g] <= 0:
        return math.nan
    return float((got + g_base[g]) / g_total[g])


def _greedy(
    red: Any,
    costs: np.ndarray,
    n_sites: int | None,
    budget: float | None,
    codes_s: np.ndarray,
    smin: np.ndarray,
    smax: np.ndarray,
    floor_need: np.ndarray,
    target: float | None,
    total: float,
    deadline: float = math.inf,
) -> np.ndarray:
    """Floor-first greedy: first groups below their floor, then total coverage.

    Each step scores every site at once (sparse products); no site is added
    past ``deadline``.
    """
    mc = red.cover.shape[1]
    cover_t = sp.csr_array(sp.csc_array(red.cover, dtype=np.float64).T)  # sites x rows
    col = sp.csc_array(red.cover)
    x = np.zeros(mc)
    done = np.zeros(red.weight.size, dtype=bool)
    have = np.zeros(max(len(smin), 1))
    got = np.zeros(max(floor_need.size, 1))
    spent = 0.0
    need_total = math.inf if target is None else target * total
    groups = np.asarray(red.group, dtype=np.int64)
    n_groups = max(int(groups.max()) + 1 if groups.size else 1, floor_need.size)
    while time.perf_counter() < deadline:
        ok = x == 0
        if n_sites is not None and x.sum() >= n_sites:
            break
        if budget is not None:
            ok &= spent + costs <= budget + 1e-9
        if len(smin):
            ok &= have[codes_s] < smax[codes_s]
        if not ok.any():
            break
        live = red.weight * ~done
        gain = np.asarray(cover_t @ live).ravel()
        need = np.zeros(n_groups)
        need[: floor_need.size] = np.maximum(floor_need - got[: floor_need.size], 0.0)
        short = np.flatnonzero(need > 0)
        floor_gain = np.zeros(mc)
        if short.size:  # per site, what it adds to each group still below its floor
            live_by_group = np.zeros((groups.size, short.size))
            at = np.flatnonzero(np.isin(groups, short))
            live_by_group[at, np.searchsorted(short, groups[at])] = live[at]
            per_group = np.asarray(cover_t @ live_by_group)
            floor_gain = np.minimum(per_group, need[short][None, :]).sum(axis=1)
        below_min = have[codes_s] < smin[codes_s] if len(smin) else np.zeros(mc, dtype=bool)
        cand = np.flatnonzero(ok)
        order = np.lexsort((-cand, gain[cand], floor_gain[cand], below_min[cand]))
        best = int(cand[order[-1]])
        if not below_min[best] and gain[best] <= 0:
            break
        x[best] = 1
        spent += costs[best]
        if len(smin):
            have[codes_s[best]] += 1
        rows = col.indices[col.indptr[best] : col.indptr[best + 1]]
        rows = rows[~done[rows]]
        np.add.at(got, groups[rows], red.weight[rows])
        done[rows] = True
        if target is not None and float(red.weight[done].sum()) >= need_total:
            break
    return x


def _start_vector(
    red: Any, x: np.ndarray, need: np.ndarray, floor_rows: np.ndarray, nv: int
) -> np.ndarray:
    """Return the full column vector (sites, covered rows, floor shortfalls) of sites ``x``."""
    mc, k = x.size, red.weight.size
    y = (red.cover @ x) > 0.5
    got = np.bincount(
        red.group, weights=red.weight * y, minlength=int(floor_rows.max(initial=0)) + 1
    )
    z = np.zeros(nv)
    z[:mc] = x
    z[mc : mc + k] = y
    z[mc + k :] = np.maximum(need - got[floor_rows], 0.0)
    return z


def _feasible(
    z: np.ndarray, a: sp.csr_array, lower: np.ndarray, upper: np.ndarray, col_upper: np.ndarray
) -> bool:
    """Return whether ``z`` keeps every row and column bound (to a small tolerance)."""
    r = a @ z
    tol = 1e-6 * np.maximum(1.0, np.abs(r))
    ok_rows = bool(np.all(r >= lower - tol) and np.all(r <= upper + tol))
    return ok_rows and bool(np.all(z >= -1e-9) and np.all(z <= col_upper * (1 + 1e-9) + 1e-9))


def _now() -> float:
    return time.perf_counter()
