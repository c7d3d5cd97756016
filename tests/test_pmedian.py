import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from pmed import BENCH, read_pmed

import planning
import planning.models.pmedian as pm
from planning import SpecificationError, solve_pmedian


def brute(cost, w, p, required=(), forbidden=()):
    """Optimum by enumeration; cost dense with inf for 'cannot serve'."""
    m = cost.shape[1]
    free = [j for j in range(m) if j not in forbidden and j not in required]
    best = np.inf
    for combo in itertools.combinations(free, p - len(required)):
        sites = list(required) + list(combo)
        d = cost[:, sites].min(axis=1)
        if np.isinf(d).any():
            continue
        best = min(best, float(w @ d))
    return best


def random_instance(rng, n, m, *, integer=True):
    xy = rng.random((n + m, 2)) * 100
    d = np.hypot(*(xy[:n, None, :] - xy[None, n:, :]).transpose(2, 0, 1))
    if integer:
        d = np.round(d)
    w = rng.integers(1, 10, n).astype(float)
    return d, w


@pytest.fixture(params=["tree", "milp"])
def path(request, monkeypatch):
    # force one exact path or the other: small p normally goes to the tree
    monkeypatch.setattr(pm, "_TREE_MAX_P", 10**6 if request.param == "tree" else -1)
    return request.param


def test_matches_brute_force_on_random_instances(path):
    rng = np.random.default_rng(7)
    for _ in range(12):
        n, m = int(rng.integers(5, 16)), int(rng.integers(3, 10))
        p = int(rng.integers(1, m + 1))
        d, w = random_instance(rng, n, m, integer=bool(rng.integers(2)))
        best = brute(d, w, p)
        sol = solve_pmedian(d, w, p, method="exact")
        assert sol.status == "optimal"
        assert sol.objective == pytest.approx(best)
        assert sol.bound == pytest.approx(best)
        assert len(sol.selected) == p
        # assignment is the closest open site and the objective its weighted sum
        closest = d[:, sol.selected].min(axis=1)
        assert np.allclose(d[np.arange(n), sol.assignment], closest)
        assert float(w @ closest) == pytest.approx(sol.objective)


def test_instance_needing_search_matches_brute_force(path):
    # an instance where the root bound does not settle it, so the tree / MILP runs
    rng = np.random.default_rng(4)
    d, w = random_instance(rng, 40, 25, integer=False)
    sol = solve_pmedian(d, w, 4, method="exact")
    assert ("nodes" if path == "tree" else "milp_rounds") in sol.details
    assert sol.details["lagrangian_bound"] < sol.objective
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(brute(d, w, 4))
    heur = solve_pmedian(d, w, 4, method="heuristic")
    assert heur.bound <= sol.objective <= heur.objective
    assert heur.status == "feasible" and heur.gap > 0


def test_required_and_forbidden_sites(path):
    rng = np.random.default_rng(11)
    for _ in range(8):
        d, w = random_instance(rng, 12, 8)
        p = 3
        req, forb = [int(rng.integers(8))], []
        forb = [j for j in rng.choice(8, 2, replace=False).tolist() if j not in req]
        sol = solve_pmedian(d, w, p, required=req, forbidden=forb, method="exact")
        assert sol.objective == pytest.approx(brute(d, w, p, req, forb))
        assert set(req) <= set(sol.selected.tolist())
        assert not set(forb) & set(sol.selected.tolist())


def test_sparse_cost_missing_entries_and_explicit_zeros(path):
    rng = np.random.default_rng(5)
    for _ in range(10):
        d, w = random_instance(rng, 14, 8)
        d[rng.random(d.shape) < 0.5] = np.inf
        d[np.arange(8), np.arange(8)] = 0.0  # demand point i sits on site i
        d[rng.integers(14), :] = np.inf
        d[:, 0] = np.where(np.isinf(d[:, 0]), 50.0, d[:, 0])  # keeps every row servable
        p = 3
        rows, cols = np.nonzero(np.isfinite(d))
        csr = sp.csr_array((d[rows, cols], (rows, cols)), shape=d.shape)
        assert csr.nnz == np.isfinite(d).sum()  # zeros are stored
        best = brute(d, w, p)
        sol = solve_pmedian(csr, w, p, method="exact")
        assert sol.objective == pytest.approx(best)
        assert np.isfinite(d[np.arange(14), sol.assignment]).all()
        assert (sol.covered).all()


def test_marginal_is_the_cost_of_closing_each_site():
    rng = np.random.default_rng(2)
    d, w = random_instance(rng, 30, 12)
    sol = solve_pmedian(d, w, 4)
    for site, extra in zip(sol.selected, sol.marginal, strict=True):
        rest = [j for j in sol.selected if j != site]
        assert float(w @ d[:, rest].min(axis=1)) - sol.objective == pytest.approx(extra)


def test_pmed1_reaches_published_optimum():
    d, p = read_pmed(BENCH / "pmed1.txt")
    sol = solve_pmedian(d, 1.0, p)
    assert d.shape == (100, 100) and p == 5
    assert sol.objective == 5819
    assert sol.status == "optimal"
    heur = solve_pmedian(d, 1.0, p, method="heuristic")
    assert heur.bound <= 5819 <= heur.objective


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 25),
    m=st.integers(1, 12),
    frac=st.floats(0.0, 1.0),
)
def test_heuristic_and_exact_bracket_each_other(seed, n, m, frac):
    rng = np.random.default_rng(seed)
    d, w = random_instance(rng, n, m, integer=bool(seed % 2))
    p = max(1, round(frac * m))
    exact = solve_pmedian(d, w, p, method="exact")
    heur = solve_pmedian(d, w, p, method="heuristic")
    assert exact.status == "optimal"
    assert exact.objective <= heur.objective + 1e-9
    assert heur.bound <= exact.objective + 1e-6
    assert heur.bound <= heur.objective
    assert heur.gap >= 0 and exact.gap == 0


def test_time_limit_returns_a_solution_with_a_gap():
    rng = np.random.default_rng(9)
    d, w = random_instance(rng, 120, 120)
    sol = solve_pmedian(d, w, 8, time_limit=0.0)
    assert len(sol.selected) == 8
    assert sol.bound <= sol.objective
    assert sol.status in ("time_limit", "optimal")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"p": 0}, "p must be a positive integer"),
        ({"p": 9}, "only 6 of 6 sites"),
        ({"p": 2, "required": [0, 1, 2]}, "required names 3 sites"),
        ({"p": 2, "required": [1], "forbidden": [1]}, "both required and forbidden"),
        ({"p": 2, "forbidden": [7]}, "outside 0..5"),
        ({"p": 2, "method": "fast"}, "method must be"),
        ({"p": 2, "weights": np.ones(3)}, "one value per demand point"),
        ({"p": 2, "weights": -np.ones(4)}, "non-negative"),
        ({"p": 2, "time_limit": -1}, "time_limit"),
    ],
)
def test_bad_specifications(kwargs, match):
    d = np.arange(24, dtype=float).reshape(4, 6)
    weights = kwargs.pop("weights", np.ones(4))
    with pytest.raises(SpecificationError, match=match):
        solve_pmedian(d, weights, **kwargs)


def test_bad_cost_matrices():
    with pytest.raises(SpecificationError, match="NaN"):
        solve_pmedian(np.array([[1.0, np.nan]]), 1.0, 1)
    with pytest.raises(SpecificationError, match="non-negative"):
        solve_pmedian(np.array([[1.0, -2.0]]), 1.0, 1)
    with pytest.raises(SpecificationError, match="2-D"):
        solve_pmedian(np.ones(3), 1.0, 1)
    with pytest.raises(SpecificationError, match=r"demand points \[1\]"):
        solve_pmedian(np.array([[1.0, 2.0], [np.inf, np.inf]]), 1.0, 1)
    # every point servable, but no single site serves both
    with pytest.raises(SpecificationError, match="no choice of p=1 sites"):
        solve_pmedian(sp.csr_array(np.array([[1.0, 0.0], [0.0, 1.0]])), 1.0, 1)
    # forbidding the only site in reach of a point
    with pytest.raises(SpecificationError, match="no allowed site"):
        solve_pmedian(np.array([[1.0, np.inf], [1.0, 2.0]]), 1.0, 1, forbidden=[0])


def test_geodataframe_adapter_matches_array_core():
    gpd = pytest.importorskip("geopandas")
    rng = np.random.default_rng(12)
    # points around Chaoyang (about 120.45 E, 41.57 N) in WGS84
    dxy = np.column_stack([120.4 + rng.random(30) * 0.1, 41.55 + rng.random(30) * 0.05])
    sxy = np.column_stack([120.4 + rng.random(8) * 0.1, 41.55 + rng.random(8) * 0.05])
    demand = gpd.GeoDataFrame(
        {"employees": rng.integers(1, 50, 30)},
        geometry=gpd.points_from_xy(dxy[:, 0], dxy[:, 1]),
        crs="EPSG:4326",
    )
    sites = gpd.GeoDataFrame(geometry=gpd.points_from_xy(sxy[:, 0], sxy[:, 1]), crs="EPSG:4326")
    sol = planning.solve_pmedian_gdf(demand, sites, 3, cutoff=50_000, weights="employees")
    utm = demand.estimate_utm_crs()
    a = np.column_stack([demand.to_crs(utm).geometry.x, demand.to_crs(utm).geometry.y])
    b = np.column_stack([sites.to_crs(utm).geometry.x, sites.to_crs(utm).geometry.y])
    d = np.hypot(*(a[:, None, :] - b[None, :, :]).transpose(2, 0, 1))
    w = demand["employees"].to_numpy(float)
    assert sol.objective == pytest.approx(brute(d, w, 3), rel=1e-6)
    with pytest.raises(KeyError, match="names no column"):
        planning.solve_pmedian_gdf(demand, sites, 3, cutoff=50_000, weights="staff")


def test_edge_cases():
    d = np.array([[1.0, 2.0, 3.0], [4.0, 0.0, 6.0]])
    everything = solve_pmedian(d, 1.0, 3)
    assert everything.objective == 1 and everything.status == "optimal"
    assert solve_pmedian(d, 1.0, 2, required=[0, 2]).objective == 5
    assert solve_pmedian(d, 0.0, 1).objective == 0  # zero weights: any site is optimal
    empty = solve_pmedian(np.zeros((0, 3)), 1.0, 2)
    assert empty.objective == 0 and len(empty.selected) == 2
    assert np.all(empty.marginal == 0)
