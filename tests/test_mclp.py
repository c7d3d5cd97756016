import itertools
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from planning import Solution, SpecificationError, solve_mclp
from planning.models._cover_bounds import coverage_bound, lagrangian_bound
from planning.models._greedy import CoverState, lazy_greedy
from planning.models._reduce import as_coverage, dominated_columns, merge_identical_rows


def brute(a, w, p, *, costs=None, budget=None, pre=None, required=(), forbidden=()):
    n, m = a.shape
    pre = np.zeros(n, dtype=bool) if pre is None else pre
    cols = [j for j in range(m) if j not in set(forbidden)]
    best = -1.0
    top = m if p is None else p
    for k in range(top + 1):
        for s in itertools.combinations(cols, k):
            if not set(required) <= set(s):
                continue
            if budget is not None and costs[list(s)].sum() > budget + 1e-9:
                continue
            cov = pre | a[:, list(s)].any(axis=1) if s else pre
            best = max(best, float(w[cov].sum()))
    return best


@st.composite
def instances(draw):
    n = draw(st.integers(1, 10))
    m = draw(st.integers(1, 7))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    a = rng.random((n, m)) < rng.uniform(0.1, 0.6)
    w = rng.integers(0, 10, n).astype(float)
    kind = draw(st.sampled_from(["p", "budget", "both"]))
    p = int(rng.integers(0, m + 1)) if kind != "budget" else None
    costs = budget = None
    if kind != "p":
        costs = rng.integers(0, 5, m).astype(float)
        budget = float(rng.integers(0, 10))
    pre = rng.random(n) < 0.2 if draw(st.booleans()) else None
    forbidden = [j for j in range(m) if rng.random() < 0.15]
    required = [j for j in range(m) if j not in forbidden and rng.random() < 0.1]
    if p is not None and len(required) > p:
        required = required[:p]
    if budget is not None and costs[required].sum() > budget:
        required = []
    return a, w, p, costs, budget, pre, required, forbidden


def _check(sol, a, w, p, costs, budget, required, forbidden, pre):
    sel = sol.selected.tolist()
    assert sel == sorted(set(sel))
    assert set(required) <= set(sel)
    assert not set(forbidden) & set(sel)
    if p is not None:
        assert len(sel) <= p
    if budget is not None:
        assert costs[sel].sum() <= budget + 1e-9
    cov = a[:, sel].any(axis=1) if sel else np.zeros(a.shape[0], dtype=bool)
    if pre is not None:
        cov = cov | pre
    np.testing.assert_array_equal(sol.covered, cov)
    assert sol.objective == pytest.approx(w[cov].sum())
    assert sol.bound >= sol.objective - 1e-9


@settings(max_examples=120, deadline=None)
@given(instances())
def test_matches_brute_force(inst):
    a, w, p, costs, budget, pre, required, forbidden = inst
    want = brute(
        a, w, p, costs=costs, budget=budget, pre=pre, required=required, forbidden=forbidden
    )
    kw = dict(
        costs=costs,
        budget=budget,
        existing=pre,
        required=required or None,
        forbidden=forbidden or None,
    )
    exact = solve_mclp(sp.csr_array(a), w, p, method="exact", **kw)
    heur = solve_mclp(a, w, p, method="heuristic", **kw)
    auto = solve_mclp(a, w, p, **kw)
    for sol in (exact, heur, auto):
        _check(sol, a, w, p, costs, budget, required, forbidden, pre)
        assert sol.bound >= want - 1e-6
        assert sol.objective <= want + 1e-6
    assert exact.objective == pytest.approx(want)
    assert exact.status == "optimal"
    assert exact.gap == 0
    assert auto.objective == pytest.approx(want)
    assert exact.objective >= heur.objective - 1e-9


def _random(n, m, seed, density=0.05):
    rng = np.random.default_rng(seed)
    a = sp.random_array((n, m), density=density, rng=rng, format="csr") > 0
    return a, rng.integers(1, 100, n).astype(float)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.integers(1, 8))
def test_bounds_and_reductions_keep_the_optimum(seed, p):
    a, w = _random(80, 30, seed, density=0.08)
    exact = solve_mclp(a, w, p, method="exact")
    heur = solve_mclp(a, w, p, method="heuristic")
    assert exact.status == "optimal"
    assert heur.objective <= exact.objective + 1e-9
    assert heur.bound >= exact.objective - 1e-6
    # bounds from the greedy state and the Lagrangian are valid
    state = CoverState.empty(as_coverage(a), w)
    lazy_greedy(state, p=p)
    assert coverage_bound(state, p=p) >= exact.objective - 1e-6
    assert lagrangian_bound(as_coverage(a), w, p=p, lower=state.value) >= exact.objective - 1e-6
    # solving the reduced matrix by hand gives the same optimum
    cov = as_coverage(a)
    merged = merge_identical_rows(cov, w)
    dom = dominated_columns(merged.matrix)
    reduced = solve_mclp(merged.matrix[:, ~dom], merged.weights, p, method="exact")
    assert reduced.objective == pytest.approx(exact.objective)


def test_existing_required_forbidden_and_marginal():
    # rows: 0..5 ; sites: 0 covers {0,1}, 1 covers {1,2}, 2 covers {3}, 3 covers {4,5}
    a = np.zeros((6, 4), dtype=bool)
    a[[0, 1], 0] = a[[1, 2], 1] = a[3, 2] = a[[4, 5], 3] = True
    w = np.array([5.0, 1, 1, 10, 2, 2])
    sol = solve_mclp(a, w, 2)
    assert sol.selected.tolist() == [0, 2]
    assert sol.objective == 16
    assert sol.marginal.tolist() == [6.0, 10.0]
    assert isinstance(sol, Solution)
    assert sol.sense == "max"
    # existing coverage of row 3 (mask) makes site 2 worthless
    sol = solve_mclp(a, w, 2, existing=np.array([0, 0, 0, 1, 0, 0], dtype=bool))
    assert sol.selected.tolist() == [0, 3]
    assert sol.objective == 20
    assert sol.details["existing_weight"] == 10
    # existing sites given as column indices are not proposed again
    sol = solve_mclp(a, w, 1, existing=np.array([2]))
    assert sol.selected.tolist() == [0]
    assert sol.objective == 16
    sol = solve_mclp(a, w, 2, required=[1], forbidden=[0])
    assert sol.selected.tolist() == [1, 2]
    assert sol.objective == 12
    # uncoverable demand is reported
    a2 = np.vstack([a, np.zeros((1, 4), dtype=bool)])
    sol = solve_mclp(a2, np.r_[w, 7.0], 4)
    assert sol.details["uncoverable_weight"] == 7
    assert sol.objective == 21


def test_budget_version():
    a = np.eye(4, dtype=bool)
    w = np.array([10.0, 6, 6, 1])
    costs = np.array([10.0, 5, 5, 1])
    sol = solve_mclp(a, w, None, costs=costs, budget=10)
    assert sol.objective == 12
    assert sol.selected.tolist() == [1, 2]
    sol = solve_mclp(a, w, 1, costs=costs, budget=10)
    assert sol.objective == 10


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"p": 1, "required": [0, 1]}, "raise p"),
        ({"p": 2, "required": [0], "forbidden": [0]}, "both required and forbidden"),
        ({"p": None}, "give p"),
        ({"p": 2, "budget": 3.0}, "needs costs"),
        ({"p": 2, "costs": np.ones(3)}, "without a budget"),
        (
            {"p": None, "costs": np.array([5.0, 1, 1]), "budget": 2.0, "required": [0]},
            "raise the budget",
        ),
        ({"p": -1}, "non-negative whole"),
        ({"p": 2, "existing": np.array([1]), "required": [1]}, "existing and required"),
    ],
)
def test_specification_errors(kwargs, match):
    a = np.ones((2, 3), dtype=bool)
    p = kwargs.pop("p")
    with pytest.raises(SpecificationError, match=match):
        solve_mclp(a, None, p, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weights": np.ones(5)}, "one value per demand row"),
        ({"weights": -np.ones(2)}, "non-negative"),
        ({"required": [7]}, "outside"),
        ({"method": "fast"}, "method must be"),
        ({"existing": np.ones(3, dtype=bool)}, "one value per demand row"),
    ],
)
def test_bad_arrays(kwargs, match):
    a = np.ones((2, 3), dtype=bool)
    args = {"weights": None} | kwargs
    with pytest.raises(ValueError, match=match):
        solve_mclp(a, args.pop("weights"), 1, **args)


def test_time_limit_returns_best_with_gap():
    a, w = _random(3000, 300, 1, density=0.02)
    sol = solve_mclp(a, w, 20, time_limit=0.3)
    assert sol.status in ("time_limit", "optimal", "feasible")
    assert sol.bound >= sol.objective
    assert len(sol.selected) <= 20
    assert sol.seconds < 5


def _newyork():
    path = Path(__file__).parent / "data" / "bench" / "NewYork.txt"
    lines = [ln.strip() for ln in path.read_text().splitlines()]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("NODE_COORD_SECTION"))
    dem = lines.index("DEMAND_SECTION")
    end = lines.index("EOF")
    latlon = np.radians([[float(v) for v in ln.split()] for ln in lines[start + 1 : dem] if ln])
    demand = np.array([float(ln) for ln in lines[dem + 1 : end] if ln])
    lat, lon = latlon[:, 0], latlon[:, 1]
    cosd = np.cos(lat)[:, None] * np.cos(lat) * np.cos(lon[:, None] - lon) + np.outer(
        np.sin(lat), np.sin(lat)
    )
    dist = (np.arccos(np.clip(cosd, -1, 1)) * 6378100.0).astype(np.float32)
    return sp.csr_array(dist <= np.float32(400.0)), demand


def test_newyork_published_optimum_is_bracketed():
    # Máximo, Cordeau & Nascimento (2023): optimum 1,153,640 for S = 400 m, p = 50
    cov, demand = _newyork()
    assert cov.shape == (2713, 2713)
    sol = solve_mclp(cov, demand, 50, method="heuristic", time_limit=3)
    assert sol.objective <= 1_153_640
    assert sol.bound >= 1_153_640
    assert sol.objective >= 0.985 * 1_153_640
    assert sol.gap < 0.05


def test_geodataframe_adapter_covers_in_metres():
    import geopandas as gpd

    from planning import solve_mclp_gdf

    # firms near Chaoyang city in WGS84; site 0 reaches the two western firms (~85 m apart),
    # site 1 only the heavy eastern firm
    firms = gpd.GeoDataFrame(
        {"employees": [10, 20, 300]},
        geometry=gpd.points_from_xy([120.450, 120.451, 120.600], [41.570, 41.5705, 41.600]),
        crs="EPSG:4326",
    )
    sites = gpd.GeoDataFrame(
        {"cost_cny": [2.0, 5.0], "radius_m": [200.0, 200.0]},
        geometry=gpd.points_from_xy([120.4505, 120.6005], [41.5702, 41.6]),
        crs="EPSG:4326",
    )
    by_count = solve_mclp_gdf(firms, sites, "radius_m", 1)
    assert by_count.selected.tolist() == [0] and by_count.objective == 2
    by_staff = solve_mclp_gdf(firms, sites, 200.0, 1, weights="employees")
    assert by_staff.selected.tolist() == [1] and by_staff.objective == 300
    cheap = solve_mclp_gdf(
        firms, sites, 200.0, None, weights="employees", costs="cost_cny", budget=3.0
    )
    assert cheap.selected.tolist() == [0] and cheap.objective == 30
    with pytest.raises(KeyError, match="names no column of demand"):
        solve_mclp_gdf(firms, sites, 200.0, 1, weights="staff")
