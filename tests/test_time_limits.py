"""Every model keeps its time limit, with a finite valid bound, on instances sized for CI.

These are not timed benchmarks (``benchmarks/time_limits.py`` is): each
instance needs longer than its limit to be solved to optimality, and the
checks allow a generous margin over ``limit x 1.1 + 1 s`` for a busy machine.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import scipy.sparse as sp

from planning.distances import coverage_matrix, distance_matrix
from planning.models import (
    SpecificationError,
    TimeLimitError,
    solve_backup_coverage,
    solve_capacitated_coverage,
    solve_capacitated_location,
    solve_mclp,
    solve_pcenter,
    solve_pmedian,
)

MARGIN = 4.0
"""Seconds allowed past ``limit x 1.1 + 1`` (CI machines are shared)."""


def _timed(call):
    t0 = time.perf_counter()
    out = call()
    return out, time.perf_counter() - t0


def _kept(seconds: float, limit: float) -> bool:
    return seconds <= limit * 1.1 + 1.0 + MARGIN


def _valid(sol, *, cap: float | None = None) -> None:
    assert math.isfinite(sol.bound)
    if sol.sense == "min":
        assert sol.bound <= sol.objective + 1e-9 * max(1.0, abs(sol.objective))
    else:
        assert sol.bound >= sol.objective - 1e-9 * max(1.0, abs(sol.objective))
    if cap is not None:
        assert sol.bound <= cap * (1 + 1e-9)
    assert sol.gap == pytest.approx(
        abs(sol.bound - sol.objective) / max(abs(sol.objective), 1e-9), abs=1e-9
    )


def _square(n: int, m: int, side: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0, side, (n, 2)), rng.uniform(0, side, (m, 2))


def test_pmedian_dense_keeps_a_short_limit_with_a_finite_bound():
    rng = np.random.default_rng(1)
    d = rng.uniform(0.0, 1000.0, (1500, 1500))  # real-valued, no structure: hard
    sol, seconds = _timed(lambda: solve_pmedian(d, 1.0, 25, method="exact", time_limit=1.0))
    assert _kept(seconds, 1.0)
    assert sol.status == "time_limit"
    assert len(sol.selected) == 25
    _valid(sol)


def test_pmedian_out_of_time_before_serving_everyone_says_so():
    # sites A (points 0-9) and B (10-19) serve everyone; the decoy C (0-5, 10-15)
    # reaches the most points, so greedy choices starting from it need three sites
    reach = {0: [*range(6), *range(10, 16)], 1: list(range(10)), 2: list(range(10, 20))}
    rows = [i for j in reach for i in reach[j]]
    cols = [j for j in reach for _ in reach[j]]
    cost = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(20, 3))
    sol = solve_pmedian(cost, 1.0, 2)
    assert sol.optimal and list(sol.selected) == [1, 2]
    with pytest.raises(TimeLimitError, match=r"time limit \(0.0 s\) ran out .* raise time_limit"):
        solve_pmedian(cost, 1.0, 2, time_limit=0.0)
    # too few sites is proven, and said differently
    with pytest.raises(SpecificationError, match="no choice of p=1 sites can serve"):
        solve_pmedian(cost, 1.0, 1)


def test_pcenter_keeps_a_short_limit():
    rng = np.random.default_rng(3)
    d = rng.uniform(0.0, 1000.0, (1200, 1200))
    sol, seconds = _timed(lambda: solve_pcenter(d, 30, method="exact", time_limit=1.0))
    assert _kept(seconds, 1.0)
    _valid(sol)


def test_capacitated_location_keeps_its_limit_when_the_lp_does_not_finish():
    demand_xy, site_xy = _square(2500, 400, 30_000.0, 4)
    dist = distance_matrix(demand_xy, site_xy, 8_000.0)
    rng = np.random.default_rng(4)
    w = rng.integers(1, 100, 2500).astype(float)
    cost = sp.csr_array(dist.multiply(w[:, None]))
    cap = np.full(400, 3 * w.sum() / 60)
    fixed = rng.uniform(1e5, 3e5, 400)
    for limit in (0.0, 1.0):
        sol, seconds = _timed(
            lambda limit=limit: solve_capacitated_location(cost, w, cap, fixed, time_limit=limit)
        )
        assert _kept(seconds, limit)
        assert sol.status in ("time_limit", "optimal")
        _valid(sol)
        served = np.asarray(sol.details["allocation"].sum(axis=1)).ravel()
        assert served == pytest.approx(w)


def test_capacitated_coverage_bound_never_exceeds_the_demand():
    demand_xy, site_xy = _square(20_000, 2_000, 60_000.0, 5)
    cover = coverage_matrix(demand_xy, site_xy, 2_000.0)
    w = np.random.default_rng(5).integers(1, 50, 20_000).astype(float)
    cap = np.full(2_000, w.sum() / 50 * 0.8)
    for limit in (0.0, 1.0):
        sol, seconds = _timed(
            lambda limit=limit: solve_capacitated_coverage(cover, w, cap, p=50, time_limit=limit)
        )
        assert _kept(seconds, limit)
        _valid(sol, cap=float(w.sum()))
        # never above the top-50 capacities either
        assert sol.bound <= 50 * cap[0] * (1 + 1e-9)


def test_mclp_and_backup_keep_a_short_limit():
    demand_xy, site_xy = _square(60_000, 6_000, 60_000.0, 6)
    cover = coverage_matrix(demand_xy, site_xy, 1_500.0)
    w = np.random.default_rng(6).integers(1, 101, 60_000).astype(float)
    sol, seconds = _timed(lambda: solve_mclp(cover, w, 60, time_limit=1.0))
    assert _kept(seconds, 1.0)
    _valid(sol, cap=float(w.sum()))
    sol, seconds = _timed(lambda: solve_backup_coverage(cover, weights=w, p=60, time_limit=1.0))
    assert _kept(seconds, 1.0)
    _valid(sol, cap=2 * float(w.sum()))


def test_equity_and_staged_keep_a_short_limit():
    from planning.models.equity import solve_equity_coverage
    from planning.models.staged import solve_staged_coverage

    demand_xy, site_xy = _square(40_000, 4_000, 60_000.0, 8)
    cover = coverage_matrix(demand_xy, site_xy, 1_500.0)
    rng = np.random.default_rng(8)
    w = rng.integers(1, 101, 40_000).astype(float)
    groups = rng.integers(0, 5, 40_000)
    sol, seconds = _timed(
        lambda: solve_equity_coverage(cover, w, 40, groups=groups, min_share=0.05, time_limit=1.0)
    )
    assert _kept(seconds, 1.0)
    assert math.isfinite(sol.bound) and sol.bound >= sol.objective
    sol, seconds = _timed(
        lambda: solve_staged_coverage(cover, w, stage_sites=[15, 15], time_limit=1.0)
    )
    assert _kept(seconds, 1.0)
    assert sol.objective <= float(w.sum())


def test_highs_model_building_counts_against_the_limit():
    from planning.models._highs import solve_milp_checked

    c, big, lo, hi, up, kinds = _covering_model(40_000, 400, 0.02, 7, p=20)
    t0 = time.perf_counter()
    res = solve_milp_checked(
        c,
        big,
        lo,
        hi,
        col_upper=up,
        integrality=kinds,
        sense="max",
        start=None,
        time_limit=0.5,
    )
    assert _kept(time.perf_counter() - t0, 0.5)
    assert res.status in ("time_limit", "optimal")


def _covering_model(n: int, m: int, density: float, seed: int, *, p: int = 5):
    """Return a random MCLP as MILP arrays: ``(c, a, row_lower, row_upper, col_upper, kinds)``."""
    rng = np.random.default_rng(seed)
    a = sp.random_array((n, m), density=density, rng=rng, format="csr")
    a.data[:] = 1.0
    w = rng.integers(1, 100, n).astype(float)
    big = sp.vstack(
        [
            sp.hstack([-a, sp.eye_array(n)]),
            sp.csr_array(np.r_[np.ones(m), np.zeros(n)][None, :]),
        ],
        format="csr",
    )
    return (
        np.r_[np.zeros(m), w],
        big,
        np.r_[np.full(n, -np.inf), 0.0],
        np.r_[np.zeros(n), float(p)],
        np.ones(m + n),
        np.r_[np.ones(m), np.zeros(n)],
    )


def test_feasibility_jump_runs_only_with_time_for_it():
    from planning.models import _highs

    c, a, lo, hi, up, kinds = _covering_model(300, 40, 0.05, 10)
    h = _highs.build_model(c, a, lo, hi, col_upper=up, integrality=kinds, sense="max")
    jump = "mip_heuristic_run_feasibility_jump"
    res = _highs.run_model(h, time_limit=None)
    assert res.status == "optimal"
    assert h.getOptionValue(jump)[1] is True
    # too little time for its (uninterruptible) work on this many nonzeros: off
    short = 0.5 * _highs._JUMP_SECONDS_PER_NONZERO * h.getNumNz()
    _highs.run_model(h, time_limit=short)
    assert h.getOptionValue(jump)[1] is False
    res = _highs.run_model(h, time_limit=30.0)  # enough again: on, and still exact
    assert h.getOptionValue(jump)[1] is True
    assert res.status == "optimal"
    _highs.run_model(h, time_limit=short, options={jump: True})  # the caller's choice wins
    assert h.getOptionValue(jump)[1] is True


def test_a_milp_without_time_for_its_root_is_not_started():
    from planning.models._highs import solve_milp_checked

    c, a, lo, hi, up, kinds = _covering_model(300, 40, 0.05, 11)
    args = {"col_upper": up, "integrality": kinds, "sense": "max", "start": None}
    exact = solve_milp_checked(c, a, lo, hi, time_limit=None, **args)
    # small models still get solved exactly under a limit with the guard on
    res = solve_milp_checked(c, a, lo, hi, time_limit=10.0, root_seconds_per_nonzero=5e-6, **args)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(exact.objective)
    res, seconds = _timed(
        lambda: solve_milp_checked(
            c, a, lo, hi, time_limit=1.0, root_seconds_per_nonzero=1.0, **args
        )
    )
    assert res.x is None and res.status == "time_limit" and res.bound == math.inf
    assert seconds < 1.0


def _groups_instance(n: int, m: int, seed: int):
    demand_xy, site_xy = _square(n, m, 60_000.0, seed)
    cover = coverage_matrix(demand_xy, site_xy, 1_500.0)
    rng = np.random.default_rng(seed)
    return cover, rng.integers(1, 101, n).astype(float), rng.integers(0, 5, n)


def test_equity_and_staged_answer_a_short_limit_with_a_greedy_and_a_tight_bound():
    from planning.models.equity import solve_equity_coverage
    from planning.models.staged import solve_staged_coverage

    cover, w, groups = _groups_instance(40_000, 4_000, 12)
    # the best 40 sites' own weights bound any 40 sites' coverage
    own = np.sort(np.asarray(cover.T.astype(float) @ w))[::-1]
    sol, seconds = _timed(
        lambda: solve_equity_coverage(cover, w, 40, groups=groups, min_share=0.05, time_limit=1.0)
    )
    assert _kept(seconds, 1.0)
    _valid(sol, cap=float(own[:40].sum()))
    assert sol.objective >= 0.5 * sol.bound  # a greedy answer, not nothing
    assert sol.details["floors_met"]
    sol, seconds = _timed(
        lambda: solve_staged_coverage(cover, w, stage_sites=[15, 15], time_limit=1.0)
    )
    assert _kept(seconds, 1.0)
    _valid(sol, cap=float(own[:30].sum()))
    assert sol.objective >= 0.5 * sol.bound
    stages = sol.details["stages"]
    assert (stages["bound"] >= stages["covered"] - 1e-6).all()
    assert list(stages["new_sites"]) == [15, 15]


def test_equity_and_staged_small_models_stay_exact_under_a_limit():
    from planning.models.equity import solve_equity_coverage
    from planning.models.staged import solve_staged_coverage

    cover, w, groups = _groups_instance(600, 60, 13)
    for limit in (None, 30.0):
        sol = solve_equity_coverage(cover, w, 5, groups=groups, min_share=0.05, time_limit=limit)
        assert sol.status == "optimal"
        if limit is None:
            best = sol.objective
        else:
            assert sol.objective == pytest.approx(best)
    for limit in (None, 30.0):
        sol = solve_staged_coverage(cover, w, stage_sites=[2, 3], time_limit=limit)
        assert sol.status == "optimal"
        if limit is None:
            best = sol.objective
        else:
            assert sol.objective == pytest.approx(best)


def test_coverage_curve_keeps_its_limit_over_all_points_set_up_included():
    from planning import coverage_curve

    cover, w, _ = _groups_instance(60_000, 6_000, 14)
    limit = 1.0
    frame, seconds = _timed(lambda: coverage_curve(cover, w, [10, 30, 60], time_limit=limit))
    assert _kept(seconds, 3 * limit)
    assert np.isfinite(frame["bound"]).all()
    assert (frame["bound"] >= frame["objective"] - 1e-6).all()
    assert (frame["bound"] <= float(w.sum()) * (1 + 1e-9)).all()


def _single_source_instance(n: int, m: int, seed: int):
    rng = np.random.default_rng(seed)
    p = m // 2
    d = rng.integers(5, 35, n).astype(float)
    cap = np.full(m, 1.5 * d.sum() / p)
    cxy, sxy = rng.uniform(0, 100, (n, 2)), rng.uniform(0, 100, (m, 2))
    dist = np.hypot(cxy[:, None, 0] - sxy[None, :, 0], cxy[:, None, 1] - sxy[None, :, 1])
    return d[:, None] * dist, d, cap, p


def test_single_source_small_model_stays_exact_under_a_limit():
    cost, d, cap, p = _single_source_instance(40, 8, 20)
    kw = {"single_source": True, "p": p, "exact_p": True}
    best = solve_capacitated_location(cost, d, cap, None, **kw)
    assert best.status == "optimal"
    sol = solve_capacitated_location(cost, d, cap, None, time_limit=30.0, **kw)
    assert sol.status == "optimal" and sol.method == "milp"
    assert sol.objective == pytest.approx(best.objective)


def test_single_source_without_time_for_the_lp_keeps_the_limit_with_a_lagrangian_bound():
    # 32,000 pairs: 128,000 nonzeros need 1.3 s left for the LP to be set up
    cost, d, cap, p = _single_source_instance(400, 80, 21)
    kw = {"single_source": True, "p": p, "exact_p": True}
    sol, seconds = _timed(
        lambda: solve_capacitated_location(cost, d, cap, None, time_limit=1.0, **kw)
    )
    assert _kept(seconds, 1.0)
    assert sol.method == "lagrangian-seeded+local-search"
    _valid(sol)
    assert len(sol.selected) == p
    served = np.asarray(sol.details["allocation"].sum(axis=1)).ravel()
    assert served == pytest.approx(d)
    # never above the LP relaxation's value, of which it is a relaxation, and close to it
    lp = solve_capacitated_location(cost, d, cap, None, method="heuristic", **kw)
    assert sol.bound <= lp.details["lp_bound"] * (1 + 1e-9)
    assert sol.bound >= 0.98 * lp.details["lp_bound"]
    assert sol.gap < 0.05


@pytest.mark.parametrize("seed", range(6))
def test_single_source_lagrangian_bound_is_valid(seed, monkeypatch):
    from planning.models import _single_source_problem

    rng = np.random.default_rng(seed)
    n, m = 24, 6
    d = rng.integers(1, 20, n).astype(float)
    cost = rng.uniform(1, 100, (n, m)) * d[:, None]
    cost[rng.random((n, m)) < 0.2] = np.inf
    cap = np.full(m, d.sum() / 2.5)
    fixed = rng.uniform(0, 300, m) if seed % 2 else None
    kw = {"single_source": seed % 3 != 2, "p": 3 + seed % 2, "exact_p": seed < 3}
    if seed == 4:
        kw["required"] = [0]
    try:
        exact = solve_capacitated_location(cost, d, cap, fixed, **kw)
    except SpecificationError:
        pytest.skip("no feasible assignment")
    assert exact.status == "optimal"
    # as if the model were too large for its LP in the time
    monkeypatch.setattr(_single_source_problem, "ROOT_SECONDS_PER_NONZERO", 1e9)
    sol = solve_capacitated_location(cost, d, cap, fixed, time_limit=5.0, **kw)
    assert sol.method == "lagrangian-seeded+local-search"
    assert math.isfinite(sol.bound)
    assert sol.bound <= exact.objective * (1 + 1e-9)
    assert sol.objective >= exact.objective * (1 - 1e-9)


def _backup_square(n: int, seed: int):
    m = n // 10
    demand_xy, site_xy = _square(n, m, 10_000.0, seed)
    cover = coverage_matrix(demand_xy, site_xy, 10_000.0 * np.sqrt(4.0 / (np.pi * m)))
    w = np.random.default_rng(seed).integers(1, 100, n).astype(float)
    return sp.csr_array(cover), w


def test_backup_covering_form_keeps_a_short_limit_with_a_lagrangian_bound():
    cover, w = _backup_square(40_000, 22)
    reach = np.asarray(cover.astype(float).sum(axis=1)).ravel()
    twice = float(w[reach >= 2].sum())  # the trivial bound: all that two sites reach
    sol, seconds = _timed(lambda: solve_backup_coverage(cover, weights=w, time_limit=1.0))
    assert _kept(seconds, 1.0)
    _valid(sol, cap=twice)
    assert sol.bound < 0.95 * twice
    assert sol.details["backup_weight"] == pytest.approx(sol.objective)


def test_backup_small_model_stays_exact_under_a_limit():
    cover, w = _backup_square(2_000, 23)
    for p in (None, 40):
        best = solve_backup_coverage(cover, weights=w, p=p)
        sol = solve_backup_coverage(cover, weights=w, p=p, time_limit=30.0)
        assert best.status == sol.status == "optimal"
        assert sol.objective == pytest.approx(best.objective)


@pytest.mark.parametrize("form", ["covering", "p", "budget"])
def test_backup_lagrangian_bound_is_valid(form, monkeypatch):
    from planning.models import backup

    rng = np.random.default_rng(24)
    cover = sp.csr_array((rng.random((200, 25)) < 0.12).astype(float))
    w = rng.integers(1, 50, 200).astype(float)
    costs = rng.uniform(1, 10, 25)
    kw = {"covering": {}, "p": {"p": 6, "backup_weight": 0.5}, "budget": {"budget": 20.0}}[form]
    kw = {**kw, "costs": costs, "existing": [0], "required": [1]}
    exact = solve_backup_coverage(cover, weights=w, **kw)
    assert exact.status == "optimal"
    # as if the model were too large for its LP and MILP in the time
    monkeypatch.setattr(backup, "ROOT_SECONDS_PER_NONZERO", 1e9)
    sol = solve_backup_coverage(cover, weights=w, time_limit=2.0, **kw)
    assert sol.method.endswith("greedy+swap")
    assert math.isfinite(sol.bound)
    assert sol.bound >= exact.objective * (1 - 1e-9)
    assert sol.objective <= exact.objective * (1 + 1e-9)
