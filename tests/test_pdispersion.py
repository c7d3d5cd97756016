import itertools
import time

import numpy as np
import pytest
import scipy.sparse as sp

from planning import SpecificationError, solve_pdispersion


def euclid(xy):
    return np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))


def brute(d, p, required=(), forbidden=()):
    m = d.shape[0]
    sym = np.minimum(d, d.T)
    free = [j for j in range(m) if j not in required and j not in forbidden]
    best = -np.inf
    for combo in itertools.combinations(free, p - len(required)):
        s = list(required) + list(combo)
        value = min(sym[i, j] for i, j in itertools.combinations(s, 2))
        best = max(best, value)
    return best


def min_pair(d, s):
    sym = np.minimum(d, d.T)
    return min(sym[i, j] for i, j in itertools.combinations(s, 2))


MILP_CHECKS = []


@pytest.mark.parametrize("seed", range(12))
def test_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    m = 10
    d = euclid(rng.random((m, 2))) if seed % 2 else rng.integers(1, 20, size=(m, m)).astype(float)
    p = 2 + seed % 4
    best = brute(d, p)
    for method in ("exact", "heuristic"):
        sol = solve_pdispersion(d, p, method=method)
        assert len(sol.selected) == p
        assert sol.objective == pytest.approx(min_pair(d, sol.selected))
        assert sol.objective <= best + 1e-9 <= sol.bound + 1e-9
        if method == "exact":
            assert sol.status == "optimal"
            assert sol.objective == pytest.approx(best)
            MILP_CHECKS.append(sol.details["milp_checks"])


@pytest.mark.parametrize("seed", range(8))
def test_required_and_forbidden(seed):
    rng = np.random.default_rng(100 + seed)
    m = 10
    d = euclid(rng.random((m, 2)))
    req, forb = [seed % m], [(seed + 3) % m, (seed + 5) % m]
    p = 3 + seed % 3
    best = brute(d, p, req, forb)
    sol = solve_pdispersion(d, p, required=req, forbidden=forb)
    assert req[0] in sol.selected
    assert not set(forb) & set(sol.selected)
    assert sol.objective == pytest.approx(best)
    assert sol.status == "optimal"


def test_milp_level_checks_are_exercised_and_exact():
    # clustered points make the greedy independent set fall short at some levels
    rng = np.random.default_rng(3)
    centres = rng.random((6, 2)) * 10
    xy = np.concatenate([c + rng.normal(scale=0.8, size=(4, 2)) for c in centres])[:22]
    d = euclid(xy)
    checks = 0
    for p in (5, 7, 9):
        sol = solve_pdispersion(d, p, method="exact")
        assert sol.status == "optimal"
        checks += sol.details["milp_checks"]
        if p <= 7:
            assert sol.objective == pytest.approx(brute(d, p))
        else:
            heur = solve_pdispersion(d, p, method="heuristic")
            assert heur.objective <= sol.objective + 1e-9 <= heur.bound + 1e-9
    assert checks + sum(MILP_CHECKS) > 0


def test_textbook_layouts():
    line = np.arange(11, dtype=float)[:, None]
    d = np.abs(line - line.T)
    sol = solve_pdispersion(d, 3)
    np.testing.assert_array_equal(sol.selected, [0, 5, 10])
    assert sol.objective == 5.0 and sol.optimal
    grid = np.array([(x, y) for x in range(3) for y in range(3)], dtype=float)
    sol = solve_pdispersion(euclid(grid), 4)
    np.testing.assert_array_equal(sol.selected, [0, 2, 6, 8])  # the corners
    assert sol.objective == pytest.approx(2.0)
    assert sol.details["closest_pair"][0] in sol.selected
    np.testing.assert_allclose(sol.marginal, 2.0)


def test_asymmetric_sparse_and_infinite_distances():
    d = np.array([[0, 5, 1], [2, 0, 9], [1, 9, 0]], dtype=float)
    sol = solve_pdispersion(d, 2)
    np.testing.assert_array_equal(sol.selected, [1, 2])  # min(9, 9) beats min(5, 2) and 1
    assert sol.objective == 9.0
    # a missing sparse entry is far apart (inf)
    s = sp.csr_array(np.array([[0, 3, 0], [3, 0, 4], [0, 4, 0]], dtype=float))
    sol = solve_pdispersion(s, 2)
    np.testing.assert_array_equal(sol.selected, [0, 2])
    assert sol.objective == np.inf
    sol = solve_pdispersion(s, 3)
    assert sol.objective == 3.0 and sol.optimal


def test_only_required_sites():
    d = euclid(np.random.default_rng(1).random((6, 2)))
    sol = solve_pdispersion(d, 2, required=[1, 4])
    np.testing.assert_array_equal(sol.selected, [1, 4])
    assert sol.objective == pytest.approx(d[1, 4]) and sol.optimal


def test_checks_name_the_argument():
    d = euclid(np.random.default_rng(1).random((5, 2)))
    with pytest.raises(SpecificationError, match="at least 2"):
        solve_pdispersion(d, 1)
    with pytest.raises(SpecificationError, match="more than the 3 sites"):
        solve_pdispersion(d, 4, forbidden=[0, 1])
    with pytest.raises(SpecificationError, match="smaller than the 3 required"):
        solve_pdispersion(d, 2, required=[0, 1, 2])
    with pytest.raises(ValueError, match="square"):
        solve_pdispersion(d[:, :3], 2)
    with pytest.raises(ValueError, match="non-negative"):
        solve_pdispersion(-d, 2)
    with pytest.raises(ValueError, match="required must hold site indices"):
        solve_pdispersion(d, 2, required=[9])


def test_time_limit_kept_with_valid_bound():
    rng = np.random.default_rng(11)
    d = euclid(rng.random((1200, 2)))
    limit = 1.5
    t0 = time.perf_counter()
    sol = solve_pdispersion(d, 60, time_limit=limit)
    assert time.perf_counter() - t0 <= limit * 1.1 + 1.0
    assert sol.bound >= sol.objective > 0
    assert len(sol.selected) == 60


def test_geodataframe_adapter_uses_metres():
    import geopandas as gpd

    from planning import solve_pdispersion_gdf

    # four points on a parallel near Chaoyang, 0.01 degree of longitude apart (~830 m)
    sites = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([120.40, 120.41, 120.42, 120.45], [41.6] * 4), crs="EPSG:4326"
    )
    sol = solve_pdispersion_gdf(sites, 2)
    np.testing.assert_array_equal(sol.selected, [0, 3])
    assert 4000 < sol.objective < 4300  # 0.05 degree at 41.6 N is about 4.16 km
    sol = solve_pdispersion_gdf(sites, 2, forbidden=[3])
    np.testing.assert_array_equal(sol.selected, [0, 2])
    assert 1600 < sol.objective < 1700
    sol = solve_pdispersion_gdf(sites, 3, forbidden=[3])
    assert 800 < sol.objective < 870
