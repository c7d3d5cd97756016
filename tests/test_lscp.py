import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from orlib import BENCH, read_scp

from planning import SpecificationError, solve_lscp
from planning.models.lscp import _reduce_full, _reduce_partial


def brute_force(a, costs, weights, goal, *, existing=(), required=(), forbidden=()):
    """Least cost of new sites whose cover (with existing ones) reaches ``goal`` weight."""
    a = np.asarray(a, dtype=bool)
    m = a.shape[1]
    base = list(existing) + list(required)
    free = [j for j in range(m) if j not in base and j not in forbidden]
    best = np.inf
    for k in range(len(free) + 1):
        for combo in itertools.combinations(free, k):
            cols = base + list(combo)
            covered = a[:, cols].any(axis=1) if cols else np.zeros(a.shape[0], bool)
            if weights[covered].sum() >= goal - 1e-9:
                best = min(best, costs[list(required) + list(combo)].sum())
    return best


def random_instance(rng, n, m, density):
    a = rng.random((n, m)) < density
    costs = rng.integers(1, 6, size=m).astype(float)
    weights = rng.integers(0, 10, size=n).astype(float)
    return a, costs, weights


def check_cover(sol, a, weights, goal, existing=()):
    opened = np.union1d(sol.selected, np.asarray(existing, dtype=int)).astype(int)
    covered = a[:, opened].any(axis=1) if opened.size else np.zeros(a.shape[0], bool)
    np.testing.assert_array_equal(sol.covered, covered)
    assert weights[covered].sum() >= goal - 1e-9
    assert sol.bound <= sol.objective + 1e-9


@pytest.mark.parametrize("seed", range(12))
def test_full_cover_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    a, costs, _ = random_instance(rng, 12, 9, 0.25)
    w = np.ones(12)
    coverable = a.any(axis=1)
    best = brute_force(a, costs, w, coverable.sum())
    for method in ("exact", "heuristic", "auto"):
        sol = solve_lscp(sp.csr_array(a), costs=costs, method=method)
        check_cover(sol, a, w, coverable.sum())
        assert sol.bound <= best + 1e-9 <= sol.objective + 2e-9
        if method != "heuristic":
            assert sol.status == "optimal"
            assert sol.objective == pytest.approx(best)
    np.testing.assert_array_equal(sol.details["uncoverable"], np.flatnonzero(~coverable))


@pytest.mark.parametrize("seed", range(10))
def test_partial_cover_with_roles_matches_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    a, costs, w = random_instance(rng, 14, 9, 0.3)
    existing, required, forbidden = [0], [1], [2, 3]
    target = [0.5, 0.7, 0.9][seed % 3]
    goal = min(target * w.sum(), w[a[:, [j for j in range(9) if j not in forbidden]].any(1)].sum())
    best = brute_force(a, costs, w, goal, existing=existing, required=required, forbidden=forbidden)
    for method in ("exact", "heuristic"):
        sol = solve_lscp(
            a,
            costs=costs,
            weights=w,
            target=target,
            existing=existing,
            required=required,
            forbidden=forbidden,
            method=method,
        )
        check_cover(sol, a, w, goal, existing)
        assert 1 in sol.selected
        assert 0 not in sol.selected
        assert not set(forbidden) & set(sol.selected.tolist())
        assert sol.bound <= best + 1e-9 <= sol.objective + 2e-9
        if method == "exact":
            assert sol.objective == pytest.approx(best)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 12),
    m=st.integers(1, 9),
    density=st.floats(0.1, 0.6),
)
def test_reductions_keep_the_optimum(seed, n, m, density):
    rng = np.random.default_rng(seed)
    a, costs, w = random_instance(rng, n, m, density)
    a = a[a.any(axis=1)]
    w = w[: a.shape[0]] + 1
    # full covering: fixed sites plus the reduced optimum equal the optimum
    best = brute_force(a, costs, np.ones(a.shape[0]), a.shape[0])
    red = _reduce_full(sp.csr_array(a), costs)
    fixed = np.concatenate(red.fixed) if red.fixed else np.zeros(0, int)
    reduced_best = brute_force(
        red.a.toarray(), costs[red.cols], np.ones(red.a.shape[0]), red.a.shape[0]
    )
    assert costs[fixed].sum() + reduced_best == pytest.approx(best)
    assert red.a.shape[0] == 0 or red.a.toarray().any(axis=1).all()
    # partial covering: merged rows keep their total weight, the optimum is unchanged
    goal = 0.6 * w.sum()
    best = brute_force(a, costs, w, goal)
    red = _reduce_partial(sp.csr_array(a), costs, w)
    assert red.w.sum() == pytest.approx(w.sum())
    assert brute_force(red.a.toarray(), costs[red.cols], red.w, goal) == pytest.approx(best)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 25),
    m=st.integers(1, 12),
    density=st.floats(0.05, 0.6),
    target=st.sampled_from([0.3, 0.8, 1.0]),
    unit=st.booleans(),
)
def test_exact_never_worse_than_heuristic(seed, n, m, density, target, unit):
    rng = np.random.default_rng(seed)
    a, costs, w = random_instance(rng, n, m, density)
    if unit:
        costs = None
    exact = solve_lscp(a, costs=costs, weights=w, target=target, method="exact")
    heur = solve_lscp(a, costs=costs, weights=w, target=target, method="heuristic")
    assert exact.status == "optimal"
    assert exact.objective <= heur.objective + 1e-9
    assert heur.bound <= exact.objective + 1e-9
    assert exact.bound <= exact.objective + 1e-9
    goal = exact.details["target_weight"]
    assert heur.details["target_weight"] == pytest.approx(goal)
    assert w[heur.covered].sum() >= goal - 1e-9
    assert w[exact.covered].sum() >= goal - 1e-9


def test_uncoverable_demand_is_reported_not_infeasible():
    a = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 1], [0, 0, 1]], dtype=bool)
    w = np.array([1.0, 2.0, 5.0, 1.0, 1.0])
    sol = solve_lscp(a, weights=w, forbidden=[2])
    assert sol.status == "optimal"
    np.testing.assert_array_equal(sol.selected, [0, 1])
    np.testing.assert_array_equal(sol.details["uncoverable"], [2, 3, 4])
    assert sol.details["uncoverable_weight"] == pytest.approx(7.0)
    assert sol.details["target_capped"]
    assert sol.details["covered_share"] == pytest.approx(3 / 10)
    np.testing.assert_array_equal(sol.assignment, [0, 1, -1, -1, -1])


def test_target_above_coverable_share_is_capped():
    a = np.array([[1, 0], [0, 1], [0, 0]], dtype=bool)
    sol = solve_lscp(a, target=0.9)
    assert sol.details["target_capped"]
    assert sol.details["target_weight"] == pytest.approx(2.0)
    np.testing.assert_array_equal(sol.selected, [0, 1])
    sol = solve_lscp(a, target=0.3)
    assert not sol.details["target_capped"]
    assert sol.objective == 1


def test_existing_sites_cover_for_free_and_marginals():
    a = np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1], [1, 0, 0]], dtype=bool)
    w = np.array([3.0, 4.0, 5.0, 6.0])
    sol = solve_lscp(a, weights=w, existing=[2])
    np.testing.assert_array_equal(sol.selected, [0])
    assert sol.objective == 1
    assert sol.covered.all()
    np.testing.assert_allclose(sol.marginal, [9.0])  # rows 0 and 3 only site 0 covers
    np.testing.assert_array_equal(sol.details["existing"], [2])


def test_costs_change_the_answer():
    a = np.array([[1, 1, 0], [1, 0, 1]], dtype=bool)
    assert solve_lscp(a).selected.tolist() == [0]
    sol = solve_lscp(a, costs=[10.0, 1.0, 1.0])
    assert sol.selected.tolist() == [1, 2]
    assert sol.objective == 2


def test_scp41_published_optimum():
    a, costs = read_scp(BENCH / "scp41.txt")
    sol = solve_lscp(a, costs=costs, time_limit=30)
    assert sol.status == "optimal"
    assert sol.objective == 429
    assert sol.covered.all()
    heur = solve_lscp(a, costs=costs, method="heuristic")
    assert heur.bound <= 429 <= heur.objective
    assert heur.gap < 0.1
    assert heur.covered.all()


def test_time_limit_returns_a_cover_with_its_gap():
    a, costs = read_scp(BENCH / "scp41.txt")
    sol = solve_lscp(a, costs=costs, method="exact", time_limit=1e-6)
    assert sol.status in ("time_limit", "optimal")
    assert sol.covered.all()
    assert sol.bound <= 429 <= sol.objective


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"required": [0], "forbidden": [0]}, SpecificationError, "required and forbidden"),
        ({"existing": [1], "required": [1]}, SpecificationError, "existing and required"),
        ({"target": 0.0}, SpecificationError, "target"),
        ({"target": 1.5}, SpecificationError, "target"),
        ({"costs": [1.0, 2.0]}, ValueError, "costs must have one value per site"),
        ({"costs": [1.0, -1.0, 1.0]}, ValueError, "non-negative"),
        ({"weights": [1.0]}, ValueError, "weights must have one value per demand point"),
        ({"required": [7]}, ValueError, "required must hold site indices"),
        ({"forbidden": [0.5]}, ValueError, "forbidden must hold integer"),
        ({"method": "fast"}, ValueError, "method must be"),
        ({"time_limit": -1}, ValueError, "time_limit"),
    ],
)
def test_bad_specifications(kwargs, error, match):
    a = np.array([[1, 0, 1], [0, 1, 1]], dtype=bool)
    with pytest.raises(error, match=match):
        solve_lscp(a, **kwargs)


def test_required_sites_count_in_objective_and_bound():
    a = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=bool)
    sol = solve_lscp(a, costs=[2.0, 3.0, 4.0], required=[0], target=0.3)
    np.testing.assert_array_equal(sol.selected, [0])
    assert sol.objective == 2.0
    assert sol.bound == 2.0


def _layers():
    import geopandas as gpd

    # a few firms and sites near Chaoyang city, in WGS84
    firms = gpd.GeoDataFrame(
        {"employees": [10, 20, 30, 40]},
        geometry=gpd.points_from_xy(
            [120.45, 120.452, 120.50, 120.60], [41.57, 41.571, 41.58, 41.60]
        ),
        crs="EPSG:4326",
    )
    sites = gpd.GeoDataFrame(
        {"cost_cny": [5.0, 1.0, 1.0], "radius_m": [500.0, 500.0, 20_000.0]},
        geometry=gpd.points_from_xy([120.451, 120.50, 120.55], [41.570, 41.58, 41.59]),
        crs="EPSG:4326",
    )
    return firms, sites


def test_geodataframe_adapter_matches_array_core():
    from planning import coverage_matrix_gdf
    from planning.adapters import solve_lscp_gdf

    firms, sites = _layers()
    sol = solve_lscp_gdf(firms, sites, "radius_m", costs="cost_cny", weights="employees")
    cover = coverage_matrix_gdf(firms, sites, "radius_m")
    ref = solve_lscp(cover, costs=sites["cost_cny"].to_numpy(), weights=[10, 20, 30, 40])
    np.testing.assert_array_equal(sol.selected, ref.selected)
    assert sol.objective == ref.objective
    assert sol.covered.all()
    with pytest.raises(KeyError, match="names no column of sites"):
        solve_lscp_gdf(firms, sites, 500.0, costs="price")
