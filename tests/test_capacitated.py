import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from orlib import BENCH, read_cap
from scipy.optimize import linprog

from planning import SpecificationError, solve_capacitated_coverage, solve_capacitated_location


def max_served(a, d, site_cap):
    """Most demand servable with per-site capacities (transportation LP, by linprog)."""
    rows, cols = np.nonzero(a & (site_cap[None, :] > 0))
    if rows.size == 0:
        return 0.0
    e = rows.size
    a_ub = np.zeros((a.shape[0] + a.shape[1], e))
    a_ub[rows, np.arange(e)] = 1
    a_ub[a.shape[0] + cols, np.arange(e)] = 1
    res = linprog(-np.ones(e), A_ub=a_ub, b_ub=np.concatenate([d, site_cap]), method="highs")
    return -res.fun


def brute_coverage(a, d, cap, ecap, p=None, costs=None, budget=None, required=(), forbidden=()):
    m = a.shape[1]
    costs = np.ones(m) if costs is None else costs
    free = [j for j in range(m) if j not in required and j not in forbidden]
    best = -np.inf
    for k in range(len(free) + 1):
        for combo in itertools.combinations(free, k):
            chosen = list(required) + list(combo)
            if p is not None and len(chosen) > p:
                continue
            if budget is not None and costs[chosen].sum() > budget + 1e-9:
                continue
            site_cap = ecap.copy()
            site_cap[chosen] += cap[chosen]
            best = max(best, max_served(a, d, site_cap))
    return best


def min_split_cost(cost, d, cap, open_sites):
    """Cheapest split of all demand over ``open_sites`` (inf if impossible), by linprog."""
    n = cost.shape[0]
    k = len(open_sites)
    if k == 0 or cap[list(open_sites)].sum() < d.sum() - 1e-9:
        return np.inf
    c = cost[:, open_sites].ravel()
    a_eq = np.kron(np.eye(n), np.ones(k))
    a_ub = np.zeros((k, n * k))
    for i in range(n):
        a_ub[:, i * k : (i + 1) * k] = d[i] * np.eye(k)
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=cap[open_sites],
        A_eq=a_eq,
        b_eq=np.ones(n),
        bounds=(0, 1),
        method="highs",
    )
    return res.fun if res.status == 0 else np.inf


def brute_location(cost, d, cap, f, existing=(), required=(), forbidden=()):
    m = cost.shape[1]
    base = list(existing) + list(required)
    free = [j for j in range(m) if j not in base and j not in forbidden]
    best = np.inf
    for k in range(len(free) + 1):
        for combo in itertools.combinations(free, k):
            open_sites = sorted(base + list(combo))
            fixed = f[list(required) + list(combo)].sum()
            best = min(best, fixed + min_split_cost(cost, d, cap, open_sites))
    return best


def coverage_instance(rng, n, m, density):
    a = rng.random((n, m)) < density
    d = rng.integers(1, 10, size=n).astype(float)
    cap = rng.integers(3, 15, size=m).astype(float)
    return a, d, cap


def check_allocation(sol, a, d, cap, ecap):
    alloc = sol.details["allocation"].toarray()
    assert (alloc >= -1e-9).all()
    assert not (alloc[~a] > 1e-9).any()  # only on the coverage pattern
    assert (alloc.sum(axis=1) <= d + 1e-6).all()
    site_cap = ecap.copy()
    site_cap[sol.selected] += cap[sol.selected]
    assert (alloc.sum(axis=0) <= site_cap + 1e-6).all()
    assert alloc.sum() == pytest.approx(sol.objective, abs=1e-6)
    served = alloc.sum(axis=1)
    np.testing.assert_allclose(sol.details["served"], served, atol=1e-6)
    for i in range(a.shape[0]):
        if served[i] > 1e-9:
            assert alloc[i, sol.assignment[i]] == pytest.approx(alloc[i].max())
        else:
            assert sol.assignment[i] == -1


@pytest.mark.parametrize("seed", range(10))
def test_capacitated_coverage_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    a, d, cap = coverage_instance(rng, 8, 6, 0.35)
    ecap = np.where(rng.random(6) < 0.3, 4.0, 0.0)
    p = 1 + seed % 3
    best = brute_coverage(a, d, cap, ecap, p=p)
    for method in ("exact", "heuristic"):
        sol = solve_capacitated_coverage(a, d, cap, p, existing_capacity=ecap, method=method)
        assert len(sol.selected) <= p
        check_allocation(sol, a, d, cap, ecap)
        assert sol.objective <= best + 1e-6 <= sol.bound + 2e-6
        if method == "exact":
            assert sol.status == "optimal"
            assert sol.objective == pytest.approx(best)


@pytest.mark.parametrize("seed", range(6))
def test_capacitated_coverage_budget_and_roles(seed):
    rng = np.random.default_rng(50 + seed)
    a, d, cap = coverage_instance(rng, 8, 6, 0.4)
    costs = rng.integers(1, 5, size=6).astype(float)
    ecap = np.zeros(6)
    budget = 6.0
    best = brute_coverage(a, d, cap, ecap, costs=costs, budget=budget, required=[0], forbidden=[1])
    sol = solve_capacitated_coverage(
        a, d, cap, costs=costs, budget=budget, required=[0], forbidden=[1], method="exact"
    )
    assert 0 in sol.selected
    assert 1 not in sol.selected
    assert costs[sol.selected].sum() <= budget
    check_allocation(sol, a, d, cap, ecap)
    assert sol.objective == pytest.approx(best)


def test_marginal_is_loss_when_site_removed():
    a = np.array([[1, 0], [1, 1], [0, 1]], dtype=bool)
    d = np.array([5.0, 5.0, 5.0])
    cap = np.array([10.0, 6.0])
    sol = solve_capacitated_coverage(a, d, cap, 2)
    assert sol.objective == pytest.approx(15.0)
    # without site 0 only 6 served (loss 9); without site 1 only 10 served (loss 5)
    np.testing.assert_allclose(sol.marginal, [9.0, 5.0])
    assert sol.covered.all()


def test_unservable_demand_and_existing_capacity():
    a = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 1]], dtype=bool)
    d = np.array([4.0, 4.0, 7.0, 3.0])
    cap = np.array([4.0, 4.0, 4.0])
    ecap = np.array([0.0, 0.0, 3.0])
    sol = solve_capacitated_coverage(a, d, cap, 1, existing_capacity=ecap, forbidden=[2])
    np.testing.assert_array_equal(sol.details["unservable"], [2])
    assert sol.details["unservable_demand"] == 7.0
    assert sol.objective == pytest.approx(7.0)  # one new site (4) + existing capacity (3)
    assert sol.details["served"][3] == pytest.approx(3.0)
    assert not sol.covered[2]
    assert sol.assignment[2] == -1


def test_expanding_an_existing_site():
    a = np.array([[1, 0], [1, 0]], dtype=bool)
    d = np.array([5.0, 5.0])
    sol = solve_capacitated_coverage(a, d, [4.0, 10.0], 1, existing_capacity=[3.0, 0.0])
    np.testing.assert_array_equal(sol.selected, [0])
    assert sol.objective == pytest.approx(7.0)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 15),
    m=st.integers(1, 8),
    p=st.integers(0, 4),
    density=st.floats(0.1, 0.7),
)
def test_coverage_exact_at_least_heuristic(seed, n, m, p, density):
    rng = np.random.default_rng(seed)
    a, d, cap = coverage_instance(rng, n, m, density)
    exact = solve_capacitated_coverage(sp.csr_array(a), d, cap, p, method="exact")
    heur = solve_capacitated_coverage(sp.csr_array(a), d, cap, p, method="heuristic")
    assert exact.status == "optimal"
    assert exact.objective >= heur.objective - 1e-6
    assert heur.bound >= exact.objective - 1e-6
    assert exact.bound >= exact.objective - 1e-9
    assert heur.objective <= d.sum() + 1e-9


@pytest.mark.parametrize("seed", range(8))
def test_capacitated_location_matches_brute_force(seed):
    rng = np.random.default_rng(200 + seed)
    n, m = 6, 5
    cost = rng.integers(1, 30, size=(n, m)).astype(float)
    d = rng.integers(1, 8, size=n).astype(float)
    cap = rng.integers(8, 20, size=m).astype(float)
    f = rng.integers(5, 40, size=m).astype(float)
    kwargs = {"existing": [0], "forbidden": [1]} if seed % 2 else {}
    best = brute_location(cost, d, cap, f, **kwargs)
    for method in ("exact", "heuristic"):
        sol = solve_capacitated_location(cost, d, cap, f, method=method, **kwargs)
        alloc = sol.details["allocation"].toarray()
        np.testing.assert_allclose(alloc.sum(axis=1), d, atol=1e-6)
        opened = np.union1d(sol.selected, kwargs.get("existing", []))
        assert (alloc.sum(axis=0) <= np.where(np.isin(np.arange(m), opened), cap, 0) + 1e-6).all()
        value = f[sol.selected].sum() + (alloc / d[:, None] * cost).sum()
        assert value == pytest.approx(sol.objective)
        assert sol.bound <= best + 1e-6 <= sol.objective + 2e-6
        if method == "exact":
            assert sol.objective == pytest.approx(best)
        if seed % 2:
            assert 0 not in sol.selected and 1 not in sol.selected


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 10), m=st.integers(1, 6))
def test_location_exact_at_most_heuristic(seed, n, m):
    rng = np.random.default_rng(seed)
    cost = rng.integers(1, 50, size=(n, m)).astype(float)
    d = rng.integers(1, 10, size=n).astype(float)
    cap = rng.integers(5, 30, size=m).astype(float)
    cap[0] = max(cap[0], d.sum())  # always feasible
    f = rng.integers(0, 60, size=m).astype(float)
    exact = solve_capacitated_location(cost, d, cap, f, method="exact")
    heur = solve_capacitated_location(cost, d, cap, f, method="heuristic")
    assert exact.objective <= heur.objective + 1e-6
    assert heur.bound <= exact.objective + 1e-6
    assert exact.bound <= exact.objective + 1e-9


def test_sparse_cost_keeps_explicit_zero_and_missing_means_cannot_serve():
    rows = np.array([0, 0, 1])
    cols = np.array([0, 1, 1])
    cost = sp.csr_array((np.array([0.0, 5.0, 2.0]), (rows, cols)), shape=(2, 2))
    sol = solve_capacitated_location(cost, [1.0, 1.0], [1.0, 1.0], [1.0, 1.0])
    # point 1 can only use site 1; point 0 is served free from site 0 (stored zero)
    np.testing.assert_array_equal(sol.selected, [0, 1])
    assert sol.objective == pytest.approx(4.0)
    np.testing.assert_array_equal(sol.assignment, [0, 1])


def test_cap41_published_optimum():
    cost, d, cap, f = read_cap(BENCH / "cap41.txt")
    sol = solve_capacitated_location(cost, d, cap, f, time_limit=30)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(1040444.375, rel=1e-7)
    alloc = sol.details["allocation"]
    np.testing.assert_allclose(np.asarray(alloc.sum(axis=1)).ravel(), d, rtol=1e-7)
    assert sol.details["fixed_cost"] + sol.details["allocation_cost"] == pytest.approx(
        sol.objective
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"p": None}, "give p"),
        ({"p": 1, "required": [0, 1]}, "smaller than the 2 required"),
        ({"p": 2, "costs": [5.0, 5.0], "budget": 4.0, "required": [0]}, "below the cost"),
        ({"p": 2, "required": [0], "forbidden": [0]}, "required and forbidden"),
        ({"p": -1}, "non-negative integer"),
        ({"p": 1.5}, "non-negative integer"),
        ({"p": 1, "budget": float("nan")}, "budget"),
    ],
)
def test_coverage_bad_specifications(kwargs, match):
    a = np.eye(2, dtype=bool)
    p = kwargs.pop("p")
    with pytest.raises(SpecificationError, match=match):
        solve_capacitated_coverage(a, [1.0, 1.0], [1.0, 1.0], p, **kwargs)


def test_coverage_bad_arrays():
    a = np.eye(2, dtype=bool)
    with pytest.raises(ValueError, match="capacity must have one value per site"):
        solve_capacitated_coverage(a, [1.0, 1.0], [1.0], 1)
    with pytest.raises(ValueError, match="demand must be finite and non-negative"):
        solve_capacitated_coverage(a, [1.0, -1.0], [1.0, 1.0], 1)


def test_location_bad_specifications():
    cost = np.array([[1.0, np.inf], [np.inf, np.inf]])
    with pytest.raises(SpecificationError, match="no allowed site"):
        solve_capacitated_location(cost, [1.0, 1.0], [5.0, 5.0], [1.0, 1.0])
    cost = np.ones((2, 2))
    with pytest.raises(SpecificationError, match="can serve 3 in total"):
        solve_capacitated_location(cost, [2.0, 2.0], [1.0, 2.0], [1.0, 1.0])
    with pytest.raises(SpecificationError, match="no allowed site"):
        solve_capacitated_location(cost, [1.0, 1.0], [5.0, 5.0], [1.0, 1.0], forbidden=[0, 1])
    with pytest.raises(SpecificationError, match="existing and required"):
        solve_capacitated_location(
            cost, [1.0, 1.0], [5.0, 5.0], [1.0, 1.0], existing=[0], required=[0]
        )
    with pytest.raises(ValueError, match="NaN"):
        solve_capacitated_location(np.full((2, 2), np.nan), [1.0, 1.0], [5.0, 5.0], [1.0, 1.0])
    # capacities suffice in total but not for the allowed pairs
    cost = np.array([[1.0, np.inf], [1.0, np.inf]])
    with pytest.raises(SpecificationError, match="no split of the demand"):
        solve_capacitated_location(cost, [2.0, 2.0], [3.0, 5.0], [1.0, 1.0])


def test_geodataframe_adapter():
    import geopandas as gpd

    from planning.adapters import solve_capacitated_coverage_gdf

    firms = gpd.GeoDataFrame(
        {"sessions": [4.0, 4.0, 6.0]},
        geometry=gpd.points_from_xy([120.45, 120.451, 120.60], [41.57, 41.5705, 41.60]),
        crs="EPSG:4326",
    )
    sites = gpd.GeoDataFrame(
        {"capacity": [5.0, 6.0], "radius_m": [300.0, 300.0]},
        geometry=gpd.points_from_xy([120.4505, 120.60], [41.5702, 41.60]),
        crs="EPSG:4326",
    )
    sol = solve_capacitated_coverage_gdf(firms, sites, "radius_m", "sessions", "capacity", 1)
    np.testing.assert_array_equal(sol.selected, [1])  # 6 sessions beat 5 of capacity
    assert sol.objective == pytest.approx(6.0)
    sol = solve_capacitated_coverage_gdf(firms, sites, "radius_m", "sessions", "capacity", 2)
    assert sol.objective == pytest.approx(11.0)
    with pytest.raises(KeyError, match="names no column of demand"):
        solve_capacitated_coverage_gdf(firms, sites, 300.0, "ev", "capacity", 1)
