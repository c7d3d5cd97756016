import itertools
import time

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from planning import SpecificationError, solve_capacitated_location


def brute_single(
    cost, d, cap, f, *, p=None, exact_p=False, existing=(), required=(), forbidden=(), share=0.0
):
    """Least cost over every assignment of points to sites (m ** n of them)."""
    n, m = cost.shape
    allowed = [j for j in range(m) if j not in forbidden]
    fixed = set(existing) | set(required)
    best = np.inf
    for choice in itertools.product(allowed, repeat=n):
        if any(not np.isfinite(cost[i, j]) for i, j in enumerate(choice)):
            continue
        load = np.zeros(m)
        for i, j in enumerate(choice):
            load[j] += d[i]
        if (load > cap + 1e-9).any():
            continue
        if any(load[j] < share * cap[j] - 1e-9 for j in fixed):
            continue
        opened = (set(choice) | fixed) - set(existing)
        extra = 0.0
        if p is not None:
            if len(opened) > p:
                continue
            if exact_p and len(opened) < p:
                spare = sorted(f[j] for j in allowed if j not in opened and j not in existing)
                if len(spare) < p - len(opened):
                    continue
                extra = sum(spare[: p - len(opened)])
        value = sum(cost[i, j] for i, j in enumerate(choice)) + f[list(opened)].sum() + extra
        best = min(best, value)
    return best


def min_split_cost(cost, d, cap, open_sites):
    n = cost.shape[0]
    k = len(open_sites)
    if k == 0 or cap[list(open_sites)].sum() < d.sum() - 1e-9:
        return np.inf
    sub = cost[:, open_sites]
    ok = np.isfinite(sub).ravel()
    c = np.where(np.isfinite(sub), sub, 0.0).ravel()
    a_eq = np.kron(np.eye(n), np.ones(k))
    a_ub = np.zeros((k, n * k))
    for i in range(n):
        a_ub[:, i * k : (i + 1) * k] = d[i] * np.eye(k)
    bounds = [(0, 1 if good else 0) for good in ok]
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=cap[open_sites],
        A_eq=a_eq,
        b_eq=np.ones(n),
        bounds=bounds,
        method="highs",
    )
    return res.fun if res.status == 0 else np.inf


def brute_split_p(cost, d, cap, f, p, exact_p):
    m = cost.shape[1]
    sizes = [p] if exact_p else range(1, p + 1)
    best = np.inf
    for k in sizes:
        for combo in itertools.combinations(range(m), k):
            best = min(best, f[list(combo)].sum() + min_split_cost(cost, d, cap, list(combo)))
    return best


def instance(seed, n=6, m=4):
    rng = np.random.default_rng(seed)
    cost = rng.integers(1, 30, size=(n, m)).astype(float)
    cost[rng.random((n, m)) < 0.15] = np.inf
    d = rng.integers(1, 8, size=n).astype(float)
    cap = rng.integers(6, 16, size=m).astype(float)
    f = rng.integers(0, 20, size=m).astype(float)
    return cost, d, cap, f


def check(sol, cost, d, cap):
    alloc = sol.details["allocation"].toarray()
    np.testing.assert_allclose(alloc.sum(axis=1), d, atol=1e-6)
    assert (alloc.sum(axis=0) <= cap + 1e-6).all()
    assert not (alloc[~np.isfinite(cost)] > 1e-9).any()
    if sol.details["single_source"]:
        assert ((alloc > 1e-9).sum(axis=1) == 1).all()
        np.testing.assert_array_equal(alloc.argmax(axis=1), sol.assignment)
    served_by = np.flatnonzero(alloc.sum(axis=0) > 1e-9)
    assert set(served_by) <= set(sol.selected) | set(sol.details["existing"])


def solve_or_none(*args, **kwargs):
    try:
        return solve_capacitated_location(*args, **kwargs)
    except SpecificationError:
        return None


@pytest.mark.parametrize("seed", range(8))
def test_single_source_matches_brute_force(seed):
    cost, d, cap, f = instance(seed)
    best = brute_single(cost, d, cap, f)
    for method in ("exact", "heuristic"):
        sol = solve_or_none(cost, d, cap, f, single_source=True, method=method)
        if not np.isfinite(best):
            assert sol is None
            continue
        check(sol, cost, d, cap)
        assert sol.bound <= best + 1e-6 <= sol.objective + 2e-6
        if method == "exact":
            assert sol.status == "optimal"
            assert sol.objective == pytest.approx(best)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("exact_p", [True, False])
def test_single_source_p_median_matches_brute_force(seed, exact_p):
    cost, d, cap, _ = instance(100 + seed)
    f = np.zeros(cost.shape[1])
    p = 2 + seed % 2
    best = brute_single(cost, d, cap, f, p=p, exact_p=exact_p)
    sol = solve_or_none(cost, d, cap, None, single_source=True, p=p, exact_p=exact_p)
    if not np.isfinite(best):
        assert sol is None
        return
    check(sol, cost, d, cap)
    assert sol.objective == pytest.approx(best)
    assert len(sol.selected) == p if exact_p else len(sol.selected) <= p


@pytest.mark.parametrize("seed", range(6))
def test_single_source_roles_and_fill(seed):
    cost, d, cap, f = instance(300 + seed, n=6, m=5)
    kw = {"existing": [0], "required": [1], "forbidden": [2]}
    for share in (0.0, 0.5, 1.0):
        best = brute_single(cost, d, cap, f, p=3, share=share, **kw)
        sol = solve_or_none(
            cost, d, cap, f, single_source=True, p=3, fill_required=share or False, **kw
        )
        if not np.isfinite(best):
            assert sol is None
            continue
        check(sol, cost, d, cap)
        assert sol.objective == pytest.approx(best)
        assert 1 in sol.selected and 2 not in sol.selected and 0 not in sol.selected
        load = sol.details["allocation"].toarray().sum(axis=0)
        assert (load[[0, 1]] >= share * cap[[0, 1]] - 1e-6).all()


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("exact_p", [True, False])
def test_split_with_p_matches_brute_force(seed, exact_p):
    cost, d, cap, f = instance(400 + seed)
    best = brute_split_p(cost, d, cap, f, 2, exact_p)
    sol = solve_or_none(cost, d, cap, f, p=2, exact_p=exact_p)
    if not np.isfinite(best):
        assert sol is None
        return
    check(sol, cost, d, cap)
    assert sol.objective == pytest.approx(best)
    heur = solve_capacitated_location(cost, d, cap, f, p=2, exact_p=exact_p, method="heuristic")
    assert heur.bound <= best + 1e-6 <= heur.objective + 2e-6


def test_single_source_costs_more_than_split_and_can_be_infeasible():
    # two points of 6 each, two sites of 8 and 4: split fits (8 + 4 = 12), single-source cannot
    cost = np.array([[1.0, 2.0], [1.0, 2.0]])
    d = np.array([6.0, 6.0])
    cap = np.array([8.0, 4.0])
    split = solve_capacitated_location(cost, d, cap, [0.0, 0.0])
    assert split.objective == pytest.approx(1.0 + 2 / 6 * 1 + 4 / 6 * 2)
    with pytest.raises(SpecificationError, match="single-source"):
        solve_capacitated_location(cost, d, cap, [0.0, 0.0], single_source=True)
    cap = np.array([8.0, 6.0])
    single = solve_capacitated_location(cost, d, cap, [0.0, 0.0], single_source=True)
    assert single.objective == pytest.approx(3.0)
    np.testing.assert_array_equal(np.sort(single.assignment), [0, 1])


def test_infeasibility_messages_name_the_problem():
    cost = np.ones((3, 3))
    d = np.array([5.0, 5.0, 5.0])
    cap = np.array([6.0, 6.0, 20.0])
    with pytest.raises(SpecificationError, match="best p=1 sites is 6, below the total demand 15"):
        solve_capacitated_location(cost, d, cap, None, single_source=True, p=1, forbidden=[2])
    with pytest.raises(SpecificationError, match=r"p=2 is smaller than the 3 required"):
        solve_capacitated_location(cost, d, cap, None, p=2, required=[0, 1, 2])
    with pytest.raises(SpecificationError, match="exact_p=True needs p"):
        solve_capacitated_location(cost, d, cap, None, exact_p=True)
    with pytest.raises(SpecificationError, match="only 2 sites may be opened"):
        solve_capacitated_location(cost, d, cap, None, p=3, exact_p=True, forbidden=[0])
    with pytest.raises(SpecificationError, match=r"demand points \(e.g. \[0\]"):
        solve_capacitated_location(cost, np.array([30.0, 1, 1]), cap, None, single_source=True)
    with pytest.raises(SpecificationError, match="fill_required asks"):
        solve_capacitated_location(cost, d, cap, None, p=2, required=[2], fill_required=True)
    with pytest.raises(ValueError, match="fill_required must be"):
        solve_capacitated_location(cost, d, cap, None, p=2, fill_required=1.5)
    with pytest.raises(ValueError, match="demand must have one value per demand point"):
        solve_capacitated_location(cost, [1.0, 2.0], cap, None, p=2)


def test_sparse_cost_and_time_limit_kept():
    rng = np.random.default_rng(7)
    n, m = 300, 40
    xy_d, xy_s = rng.random((n, 2)), rng.random((m, 2))
    dist = np.hypot(*(xy_d[:, None, :] - xy_s[None, :, :]).transpose(2, 0, 1))
    d = rng.integers(1, 20, size=n).astype(float)
    cost = np.where(dist < 0.35, dist * d[:, None], np.inf)
    cap = np.full(m, d.sum() / 8)
    limit = 2.0
    t0 = time.perf_counter()
    sol = solve_capacitated_location(
        cost, d, cap, None, single_source=True, p=12, exact_p=True, time_limit=limit
    )
    wall = time.perf_counter() - t0
    assert wall <= limit * 1.1 + 1.0
    assert np.isfinite(sol.bound)
    assert sol.bound <= sol.objective + 1e-6
    if np.isfinite(sol.objective):
        assert len(sol.selected) == 12
        check(sol, cost, d, cap)
    # the same model as a sparse matrix (stored entries = allowed pairs) gives the same answer
    small = cost[:40, :8].copy()
    rows, cols = np.nonzero(np.isfinite(small))
    sparse = sp.csr_array((small[rows, cols], (rows, cols)), shape=small.shape)
    dd = d[:40]
    capp = np.full(8, dd.sum() / 3)
    a = solve_or_none(small, dd, capp, None, single_source=True, p=4)
    b = solve_or_none(sparse, dd, capp, None, single_source=True, p=4)
    assert (a is None) == (b is None)
    if a is not None:
        assert a.objective == pytest.approx(b.objective)


def test_geodataframe_adapter_one_station_per_firm():
    import geopandas as gpd

    from planning import distance_matrix_gdf, solve_capacitated_location_gdf

    rng = np.random.default_rng(4)
    firms = gpd.GeoDataFrame(
        {"sessions": rng.integers(1, 6, size=8).astype(float)},
        geometry=gpd.points_from_xy(120.40 + rng.random(8) * 0.05, 41.55 + rng.random(8) * 0.05),
        crs="EPSG:4326",
    )
    sites = gpd.GeoDataFrame(
        {"piles": np.full(5, 16.0)},
        geometry=gpd.points_from_xy(120.40 + rng.random(5) * 0.05, 41.55 + rng.random(5) * 0.05),
        crs="EPSG:4326",
    )
    sol = solve_capacitated_location_gdf(
        firms, sites, "sessions", "piles", cutoff=10_000.0, p=3, exact_p=True
    )
    sparse = distance_matrix_gdf(firms, sites, 10_000.0)
    dist = np.full(sparse.shape, np.inf)
    rows, cols = sparse.nonzero()
    dist[rows, cols] = sparse[rows, cols]
    d = firms["sessions"].to_numpy()
    best = brute_single_p(dist * d[:, None], d, np.full(5, 16.0), 3)
    assert sol.objective == pytest.approx(best)
    assert len(sol.selected) == 3
    assert ((sol.details["allocation"].toarray() > 0).sum(axis=1) == 1).all()


def brute_single_p(cost, d, cap, p):
    """Exactly p sites, each firm to its cheapest open site with room, by MILP-free enumeration."""
    m = cost.shape[1]
    best = np.inf
    for combo in itertools.combinations(range(m), p):
        sub = cost[:, combo]
        value = brute_single(sub, d, cap[list(combo)], np.zeros(p))
        best = min(best, value)
    return best


def test_regret_assignment_stops_at_its_deadline():
    """The point-by-point assignment checks the clock, so a huge instance keeps the limit."""
    from planning.models._single_source_problem import _Problem

    rng = np.random.default_rng(3)
    n, m = 5000, 20
    rows, cols = np.repeat(np.arange(n), m), np.tile(np.arange(m), n)
    d = np.ones(n)
    prob = _Problem(
        rows=rows,
        cols=cols,
        cv=rng.random(n * m),
        d=d,
        cap=np.full(m, n / 10),
        f=np.zeros(m),
        allowed=np.arange(m),
        ex=np.array([], dtype=int),
        req=np.array([], dtype=int),
        p=None,
        exact_p=False,
        share=0.0,
        single=True,
    )
    prob.index()
    everything = np.arange(m)
    assert prob._regret(everything, time.perf_counter() - 1.0) is None
    frac = prob._regret(everything, time.perf_counter() + 60.0)
    assert frac is not None and np.bincount(rows, weights=frac, minlength=n).tolist() == [1.0] * n


def test_lp_bound_is_nan_when_the_lp_was_not_solved():
    rng = np.random.default_rng(5)
    n, m = 60, 10
    cost = rng.random((n, m)) * 10
    d = np.ones(n)
    cap = np.full(m, n / 4)
    solved = solve_capacitated_location(cost, d, cap, np.ones(m), single_source=True, p=5)
    assert np.isfinite(solved.details["lp_bound"])
    assert solved.bound >= solved.details["lp_bound"] * (1 - 1e-9)
    rushed = solve_capacitated_location(
        cost, d, cap, np.ones(m), single_source=True, p=5, time_limit=0.0
    )
    assert rushed.status == "time_limit"
    assert np.isnan(rushed.details["lp_bound"])  # not solved: not a bound of 0
    assert np.isfinite(rushed.bound) and 0.0 <= rushed.bound <= solved.objective
