import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from pmed import BENCH, read_pmed

from planning import SpecificationError, solve_pcenter


def brute(cost, p, weights=None, required=(), forbidden=()):
    """Smallest largest (weighted) distance by enumeration; inf marks 'cannot serve'."""
    c = cost if weights is None else cost * weights[:, None]
    free = [j for j in range(cost.shape[1]) if j not in forbidden and j not in required]
    best = np.inf
    for combo in itertools.combinations(free, p - len(required)):
        best = min(best, float(c[:, list(required) + list(combo)].min(axis=1).max()))
    return best


def random_instance(rng, n, m):
    xy = rng.random((n + m, 2)) * 100
    return np.round(np.hypot(*(xy[:n, None, :] - xy[None, n:, :]).transpose(2, 0, 1)), 1)


@pytest.mark.parametrize("method", ["exact", "auto"])
def test_matches_brute_force(method):
    rng = np.random.default_rng(1)
    for _ in range(15):
        n, m = int(rng.integers(3, 15)), int(rng.integers(2, 9))
        p = int(rng.integers(1, m + 1))
        d = random_instance(rng, n, m)
        sol = solve_pcenter(d, p, method=method)
        best = brute(d, p)
        assert sol.status == "optimal"
        assert sol.objective == pytest.approx(best)
        assert len(sol.selected) == p
        assert d[np.arange(n), sol.assignment].max() == pytest.approx(best)


def test_weighted_required_forbidden():
    rng = np.random.default_rng(4)
    for _ in range(10):
        d = random_instance(rng, 12, 8)
        w = rng.integers(1, 5, 12).astype(float)
        req = [int(rng.integers(8))]
        forb = [j for j in rng.choice(8, 2, replace=False).tolist() if j not in req]
        sol = solve_pcenter(d, 3, weights=w, required=req, forbidden=forb)
        assert sol.objective == pytest.approx(brute(d, 3, w, req, forb))
        assert set(req) <= set(sol.selected.tolist())
        assert not set(forb) & set(sol.selected.tolist())


def test_sparse_cost_with_missing_entries():
    rng = np.random.default_rng(8)
    for _ in range(10):
        d = random_instance(rng, 12, 7)
        d[rng.random(d.shape) < 0.5] = np.inf
        d[:, 0] = np.where(np.isinf(d[:, 0]), 120.0, d[:, 0])
        d[3, 2] = 0.0  # an explicit zero distance stays an allowed pair
        rows, cols = np.nonzero(np.isfinite(d))
        csr = sp.csr_array((d[rows, cols], (rows, cols)), shape=d.shape)
        sol = solve_pcenter(csr, 2)
        assert sol.objective == pytest.approx(brute(d, 2))
        assert np.isfinite(d[np.arange(12), sol.assignment]).all()


def test_marginal_is_growth_of_the_radius():
    rng = np.random.default_rng(3)
    d = random_instance(rng, 25, 10)
    sol = solve_pcenter(d, 3)
    for site, extra in zip(sol.selected, sol.marginal, strict=True):
        rest = [j for j in sol.selected if j != site]
        assert d[:, rest].min(axis=1).max() - sol.objective == pytest.approx(extra)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 20), m=st.integers(1, 10))
def test_heuristic_bound_brackets_exact(seed, n, m):
    rng = np.random.default_rng(seed)
    d = random_instance(rng, n, m)
    p = int(rng.integers(1, m + 1))
    exact = solve_pcenter(d, p, method="exact")
    heur = solve_pcenter(d, p, method="heuristic")
    assert exact.status == "optimal"
    assert heur.bound <= exact.objective <= heur.objective
    assert exact.bound == exact.objective


def test_pmed_graph():
    d, _ = read_pmed(BENCH / "pmed1.txt")
    sol = solve_pcenter(d, 5)
    heur = solve_pcenter(d, 5, method="heuristic")
    assert sol.status == "optimal"
    assert heur.bound <= sol.objective <= heur.objective
    # no single swap can improve a proven optimum
    opened = set(sol.selected.tolist())
    for out in list(opened)[:2]:
        for inn in range(0, 100, 7):
            if inn not in opened:
                trial = sorted(opened - {out} | {inn})
                assert d[:, trial].min(axis=1).max() >= sol.objective


def test_bad_specifications():
    d = np.arange(12, dtype=float).reshape(3, 4)
    with pytest.raises(SpecificationError, match="p must be a positive integer"):
        solve_pcenter(d, 0)
    with pytest.raises(SpecificationError, match="only 4 of 4 sites"):
        solve_pcenter(d, 5)
    with pytest.raises(SpecificationError, match="both required and forbidden"):
        solve_pcenter(d, 2, required=[0], forbidden=[0])
    with pytest.raises(SpecificationError, match="weights must have one value"):
        solve_pcenter(d, 2, weights=np.ones(2))
    with pytest.raises(SpecificationError, match="method must be"):
        solve_pcenter(d, 2, method="quick")
    with pytest.raises(SpecificationError, match="no allowed site"):
        solve_pcenter(np.array([[1.0, np.inf], [1.0, 1.0]]), 1, forbidden=[0])
    with pytest.raises(SpecificationError, match="no choice of p=1 sites"):
        solve_pcenter(sp.csr_array(np.array([[1.0, 0.0], [0.0, 1.0]])), 1)


def test_time_limit_zero_still_answers():
    rng = np.random.default_rng(0)
    d = random_instance(rng, 150, 150)
    sol = solve_pcenter(d, 10, time_limit=0.0)
    assert len(sol.selected) == 10
    assert sol.bound <= sol.objective
    assert sol.status in ("time_limit", "optimal")


def test_geodataframe_adapter_matches_array_core():
    gpd = pytest.importorskip("geopandas")
    from planning.adapters import solve_pcenter_gdf

    rng = np.random.default_rng(13)
    dxy = np.column_stack([120.4 + rng.random(25) * 0.1, 41.55 + rng.random(25) * 0.05])
    sxy = np.column_stack([120.4 + rng.random(7) * 0.1, 41.55 + rng.random(7) * 0.05])
    demand = gpd.GeoDataFrame(geometry=gpd.points_from_xy(dxy[:, 0], dxy[:, 1]), crs="EPSG:4326")
    sites = gpd.GeoDataFrame(geometry=gpd.points_from_xy(sxy[:, 0], sxy[:, 1]), crs="EPSG:4326")
    sol = solve_pcenter_gdf(demand, sites, 2, cutoff=50_000)
    utm = demand.estimate_utm_crs()
    a = np.column_stack([demand.to_crs(utm).geometry.x, demand.to_crs(utm).geometry.y])
    b = np.column_stack([sites.to_crs(utm).geometry.x, sites.to_crs(utm).geometry.y])
    d = np.hypot(*(a[:, None, :] - b[None, :, :]).transpose(2, 0, 1))
    assert sol.objective == pytest.approx(brute(d, 2), rel=1e-6)


def test_edge_cases():
    d = np.array([[1.0, 2.0, 3.0], [4.0, 0.0, 6.0]])
    assert solve_pcenter(d, 3).objective == 1
    assert solve_pcenter(d, 1, weights=np.zeros(2)).objective == 0
    empty = solve_pcenter(np.zeros((0, 3)), 2)
    assert empty.objective == 0 and len(empty.selected) == 2
