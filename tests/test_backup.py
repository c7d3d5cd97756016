import itertools
import time

import numpy as np
import pytest
import scipy.sparse as sp

from planning import SpecificationError, solve_backup_coverage


def counts(a, sites, existing=()):
    cols = list(sites) + list(existing)
    return a[:, cols].sum(axis=1) if cols else np.zeros(a.shape[0], dtype=int)


def brute_covering(a, w, c, existing=(), required=(), forbidden=()):
    """(least cost of a full cover, most weight covered twice at that cost)."""
    m = a.shape[1]
    allowed = [j for j in range(m) if j not in forbidden and j not in existing]
    reach = counts(a, allowed, existing)
    must = (reach > 0) & (w > 0)
    best = (np.inf, -np.inf)
    free = [j for j in allowed if j not in required]
    for k in range(len(free) + 1):
        for combo in itertools.combinations(free, k):
            sites = list(required) + list(combo)
            cnt = counts(a, sites, existing)
            if (cnt[must] == 0).any():
                continue
            cost = c[sites].sum()
            backup = w[cnt >= 2].sum()
            if cost < best[0] - 1e-9 or (abs(cost - best[0]) <= 1e-9 and backup > best[1]):
                best = (cost, backup)
    return best


def brute_maximal(a, w, p, beta, c=None, budget=None, existing=(), required=(), forbidden=()):
    m = a.shape[1]
    c = np.ones(m) if c is None else c
    free = [j for j in range(m) if j not in forbidden and j not in existing and j not in required]
    best = -np.inf
    for k in range(len(free) + 1):
        for combo in itertools.combinations(free, k):
            sites = list(required) + list(combo)
            if p is not None and len(sites) > p:
                continue
            if budget is not None and c[sites].sum() > budget + 1e-9:
                continue
            cnt = counts(a, sites, existing)
            best = max(best, w[cnt >= 1].sum() + beta * w[cnt >= 2].sum())
    return best


def instance(seed, n=12, m=7, density=0.3):
    rng = np.random.default_rng(seed)
    a = rng.random((n, m)) < density
    w = rng.integers(0, 10, size=n).astype(float)
    c = rng.integers(1, 5, size=m).astype(float)
    return a, w, c


def check_details(sol, a, w, existing=()):
    cnt = counts(a, sol.selected, existing)
    np.testing.assert_array_equal(sol.details["cover_count"], cnt)
    np.testing.assert_array_equal(sol.covered, cnt >= 1)
    assert sol.details["backup_weight"] == pytest.approx(w[cnt >= 2].sum())
    assert sol.bound >= sol.objective - 1e-9


@pytest.mark.parametrize("seed", range(10))
def test_covering_form_matches_brute_force(seed):
    a, w, c = instance(seed)
    for costs in (None, c):
        cost, backup = brute_covering(a, w, np.ones(a.shape[1]) if costs is None else c)
        for method in ("exact", "heuristic"):
            sol = solve_backup_coverage(sp.csr_array(a), weights=w, costs=costs, method=method)
            check_details(sol, a, w)
            assert sol.details["form"] == "covering"
            # every coverable point with weight is covered
            reach = a.sum(axis=1) > 0
            assert sol.covered[reach & (w > 0)].all()
            if method == "exact":
                assert sol.status == "optimal"
                assert sol.details["cost"] == pytest.approx(cost)
                assert sol.objective == pytest.approx(backup)
            else:
                assert sol.bound >= backup - 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_covering_form_with_roles(seed):
    a, w, c = instance(40 + seed, m=8)
    kw = {"existing": [0], "required": [1], "forbidden": [2]}
    cost, backup = brute_covering(a, w, c, **kw)
    sol = solve_backup_coverage(a, weights=w, costs=c, method="exact", **kw)
    check_details(sol, a, w, existing=[0])
    assert 1 in sol.selected and 0 not in sol.selected and 2 not in sol.selected
    assert sol.details["cost"] == pytest.approx(cost)
    assert sol.objective == pytest.approx(backup)


@pytest.mark.parametrize("seed", range(10))
def test_maximal_form_matches_brute_force(seed):
    a, w, _ = instance(80 + seed)
    p = 1 + seed % 4
    beta = [1.0, 0.5, 0.0][seed % 3]
    best = brute_maximal(a, w, p, beta)
    for method in ("exact", "heuristic"):
        sol = solve_backup_coverage(a, weights=w, p=p, backup_weight=beta, method=method)
        check_details(sol, a, w)
        assert len(sol.selected) <= p
        cnt = counts(a, sol.selected)
        assert sol.objective == pytest.approx(w[cnt >= 1].sum() + beta * w[cnt >= 2].sum())
        assert sol.objective <= best + 1e-6 <= sol.bound + 2e-6
        if method == "exact":
            assert sol.status == "optimal"
            assert sol.objective == pytest.approx(best)


@pytest.mark.parametrize("seed", range(6))
def test_maximal_form_budget_and_roles(seed):
    a, w, c = instance(120 + seed, m=8)
    kw = {"existing": [3], "required": [0], "forbidden": [1]}
    best = brute_maximal(a, w, None, 1.0, c=c, budget=7.0, **kw)
    sol = solve_backup_coverage(a, weights=w, costs=c, budget=7.0, method="exact", **kw)
    check_details(sol, a, w, existing=[3])
    assert c[sol.selected].sum() <= 7.0
    assert sol.objective == pytest.approx(best)
    best_p = brute_maximal(a, w, 3, 1.0, c=c, budget=7.0, **kw)
    sol = solve_backup_coverage(a, weights=w, costs=c, budget=7.0, p=3, **kw)
    assert sol.objective == pytest.approx(best_p)


def test_backup_share_counts_only_demand_two_sites_can_reach():
    # point 0 reachable by sites 0 and 1, point 1 by sites 0 and 2, point 2 by site 2 only,
    # point 3 by none
    a = np.array([[1, 1, 0], [1, 0, 1], [0, 0, 1], [0, 0, 0]], dtype=bool)
    w = np.array([3.0, 2.0, 5.0, 7.0])
    sol = solve_backup_coverage(a, weights=w)
    np.testing.assert_array_equal(sol.selected, [0, 2])  # two sites; point 1 is covered twice
    assert sol.objective == pytest.approx(2.0)
    assert sol.details["cost"] == 2.0
    assert sol.details["backup_possible_weight"] == pytest.approx(5.0)
    assert sol.details["backup_share"] == pytest.approx(0.4)  # not (2 + 5) / 10
    assert sol.details["backup_share_of_total"] == pytest.approx(2.0 / 17.0)
    np.testing.assert_array_equal(sol.details["uncoverable"], [3])
    np.testing.assert_array_equal(sol.details["cover_count"], [1, 2, 1, 0])
    # the maximal form with the same two sites: 10 covered + 2 covered twice
    sol = solve_backup_coverage(a, weights=w, p=2)
    assert sol.objective == pytest.approx(12.0)
    sol = solve_backup_coverage(a, weights=w, p=3)
    assert sol.objective == pytest.approx(15.0)
    assert sol.details["backup_share"] == pytest.approx(1.0)


def test_checks_name_the_argument():
    a = np.eye(3, dtype=bool)
    with pytest.raises(ValueError, match="backup_weight must be"):
        solve_backup_coverage(a, p=2, backup_weight=2.0)
    with pytest.raises(SpecificationError, match="budget needs costs"):
        solve_backup_coverage(a, budget=2.0)
    with pytest.raises(SpecificationError, match="p=1 is smaller than the 2 required"):
        solve_backup_coverage(a, p=1, required=[0, 1])
    with pytest.raises(ValueError, match="weights must have one value per demand point"):
        solve_backup_coverage(a, weights=[1.0])
    with pytest.raises(SpecificationError, match="both required and forbidden"):
        solve_backup_coverage(a, required=[0], forbidden=[0])


@pytest.mark.parametrize("form", ["covering", "maximal"])
def test_time_limit_kept(form):
    rng = np.random.default_rng(5)
    n, m = 3000, 400
    a = sp.random_array((n, m), density=0.02, rng=rng, format="csr").astype(bool)
    w = rng.integers(1, 50, size=n).astype(float)
    limit = 1.5
    t0 = time.perf_counter()
    p = 25 if form == "maximal" else None
    sol = solve_backup_coverage(a, weights=w, p=p, time_limit=limit)
    assert time.perf_counter() - t0 <= limit * 1.1 + 1.0
    assert np.isfinite(sol.bound) and sol.bound >= sol.objective - 1e-6
    assert sol.details["form"] == form


def test_geodataframe_adapter_matches_array_model():
    import geopandas as gpd

    from planning import coverage_matrix_gdf, solve_backup_coverage_gdf

    rng = np.random.default_rng(2)
    firms = gpd.GeoDataFrame(
        {"employees": rng.integers(1, 100, size=40)},
        geometry=gpd.points_from_xy(120.40 + rng.random(40) * 0.1, 41.55 + rng.random(40) * 0.1),
        crs="EPSG:4326",
    )
    sites = gpd.GeoDataFrame(
        {"cost": rng.integers(1, 5, size=12).astype(float)},
        geometry=gpd.points_from_xy(120.40 + rng.random(12) * 0.1, 41.55 + rng.random(12) * 0.1),
        crs="EPSG:4326",
    )
    sol = solve_backup_coverage_gdf(firms, sites, 3000.0, weights="employees", p=4)
    cover = coverage_matrix_gdf(firms, sites, 3000.0)
    ref = solve_backup_coverage(cover, weights=firms["employees"].to_numpy(float), p=4)
    assert sol.objective == pytest.approx(ref.objective)
    assert sol.optimal
    with pytest.raises(KeyError, match="names no column"):
        solve_backup_coverage_gdf(firms, sites, 3000.0, weights="staff", p=4)
