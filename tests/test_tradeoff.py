import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from planning import SpecificationError, budget_curve, coverage_curve, solve_mclp


def _random(n, m, seed, density=0.08):
    rng = np.random.default_rng(seed)
    a = sp.random_array((n, m), density=density, rng=rng, format="csr") > 0
    return a, rng.integers(1, 50, n).astype(float), rng.integers(1, 6, m).astype(float)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_coverage_curve_matches_single_solves(seed):
    a, w, _ = _random(60, 25, seed)
    ps = [6, 1, 3, 3]
    exact = coverage_curve(a, w, ps)
    heur = coverage_curve(a, w, ps, method="heuristic")
    assert exact["p"].tolist() == [1, 3, 6]
    for row, hrow in zip(exact.itertuples(), heur.itertuples(), strict=True):
        want = solve_mclp(a, w, row.p, method="exact").objective
        assert row.objective == pytest.approx(want)
        assert row.status == "optimal"
        assert len(row.sites) <= row.p
        assert hrow.objective <= want + 1e-9
        assert hrow.bound >= want - 1e-6
    assert np.all(np.diff(exact["objective"]) >= 0)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_budget_curve_matches_single_solves(seed):
    a, w, c = _random(50, 20, seed)
    c[0] = 1.0
    budgets = [2, 5, 9, 14]
    curve = budget_curve(a, w, c, budgets, required=[0])
    heur = budget_curve(a, w, c, budgets, required=[0], method="heuristic")
    assert list(curve.columns) == [
        "budget",
        "objective",
        "bound",
        "gap",
        "status",
        "seconds",
        "sites",
    ]
    for row, hrow in zip(curve.itertuples(), heur.itertuples(), strict=True):
        want = solve_mclp(a, w, None, costs=c, budget=row.budget, required=[0], method="exact")
        assert row.objective == pytest.approx(want.objective)
        assert c[row.sites].sum() <= row.budget + 1e-9
        assert 0 in row.sites
        assert hrow.objective <= want.objective + 1e-9
        assert hrow.bound >= want.objective - 1e-6


def test_curve_errors():
    a, w, c = _random(10, 5, 0)
    c[0] = 1.0
    with pytest.raises(SpecificationError, match="at least the 2 required"):
        coverage_curve(a, w, [1, 3], required=[0, 1])
    with pytest.raises(SpecificationError, match="every budget must cover"):
        budget_curve(a, w, c, [0.5, 10], required=[0])
    with pytest.raises(ValueError, match="at least one"):
        coverage_curve(a, w, [])
    with pytest.raises(ValueError, match="method must be"):
        coverage_curve(a, w, [1], method="auto")
