"""Inputs are checked once, the same way, by every model (planning.models._args)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from planning.distances import coverage_matrix, distance_matrix
from planning.models import (
    SpecificationError,
    coverage_curve,
    solve_backup_coverage,
    solve_capacitated_coverage,
    solve_capacitated_location,
    solve_lscp,
    solve_mclp,
    solve_pcenter,
    solve_pdispersion,
    solve_pmedian,
)
from planning.models.equity import solve_equity_coverage
from planning.models.staged import solve_staged_coverage

COVER = np.array([[1, 0, 1, 0], [0, 1, 1, 0], [1, 1, 0, 1]], dtype=float)  # 3 demand x 4 sites
DIST = np.array(
    [[1.0, 5.0, 2.0, 9.0], [4.0, 1.0, 3.0, 8.0], [2.0, 2.0, 7.0, 1.0]]
)  # a cost matrix of the same shape


def _coverage_models(a):
    """Call every model that takes a coverage matrix on ``a``."""
    n, m = np.shape(a)[0], np.shape(a)[-1]
    yield lambda: solve_mclp(a, None, 2)
    yield lambda: solve_lscp(a)
    yield lambda: solve_capacitated_coverage(a, np.ones(n), np.full(m, 5.0), 2)
    yield lambda: coverage_curve(a, None, [1, 2])
    yield lambda: solve_backup_coverage(a, p=2)
    yield lambda: solve_backup_coverage(a)
    yield lambda: solve_equity_coverage(a, np.ones(n), 2)
    yield lambda: solve_staged_coverage(a, np.ones(n), stage_sites=[1, 1])


def _cost_models(d):
    n, m = np.shape(d)[0], np.shape(d)[-1]
    yield lambda: solve_pmedian(d, np.ones(n), 2)
    yield lambda: solve_pcenter(d, 2)
    yield lambda: solve_capacitated_location(d, np.ones(n), np.full(m, 5.0), np.ones(m))
    yield lambda: solve_capacitated_location(d, np.ones(n), np.full(m, 5.0), np.ones(m), p=2)
    yield lambda: solve_capacitated_location(
        d, np.ones(n), np.full(m, 5.0), np.ones(m), single_source=True
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_coverage_is_refused_with_its_cell(bad):
    a = COVER.copy()
    a[1, 3] = bad
    for call in _coverage_models(a):
        with pytest.raises(ValueError, match=r"NaN or infinite values in 1 cell \(row 1, column 3"):
            call()
    with pytest.raises(ValueError, match=r"row 1, column 3"):
        solve_mclp(sp.csr_array(a), None, 2)


def test_distance_matrix_passed_as_coverage_is_refused():
    # an explicit zero distance would otherwise read as "not covered"
    d = DIST.copy()
    d[0, 0] = 0.0
    for call in _coverage_models(d):
        with pytest.raises(ValueError, match="looks like a distance matrix"):
            call()
    sparse = distance_matrix(np.array([[0.0, 0.0], [50.0, 0.0]]), np.array([[0.0, 0.0]]), 100.0)
    assert sparse.nnz == 2  # one explicit zero, one 50 m entry
    with pytest.raises(ValueError, match=r"other than 0 and 1 in 1 cell \(row 1, column 0\)"):
        solve_mclp(sparse, None, 1)


def test_all_coverage_problems_are_reported_together():
    a = COVER.copy()
    a[0, 1] = np.nan
    a[2, 2] = 350.0
    with pytest.raises(ValueError) as err:
        solve_mclp(a, None, 1)
    text = str(err.value)
    assert "NaN or infinite values in 1 cell (row 0, column 1)" in text
    assert "values other than 0 and 1 in 1 cell (row 2, column 2) (e.g. 350)" in text


def test_zero_one_coverage_in_any_dtype_is_accepted():
    expect = solve_mclp(COVER.astype(bool), None, 2).objective
    for a in (COVER, COVER.astype(np.int8), sp.csr_array(COVER), sp.coo_array(COVER.astype(int))):
        assert solve_mclp(a, None, 2).objective == expect


def test_three_dimensional_input_gets_a_clear_message():
    cube = np.ones((2, 3, 4))
    for call in _coverage_models(cube):
        with pytest.raises(ValueError, match=r"2-D matrix.*3 dimensions with shape \(2, 3, 4\)"):
            call()
    for call in _cost_models(cube):
        with pytest.raises(ValueError, match=r"2-D matrix.*got 3 dimensions"):
            call()


def test_integral_p_is_accepted_the_same_way_everywhere():
    n, m = COVER.shape
    for p in (2, 2.0, np.int64(2), np.int32(2), np.float64(2.0)):
        assert len(solve_mclp(COVER, None, p).selected) <= 2
        assert solve_capacitated_coverage(COVER, np.ones(n), np.full(m, 5.0), p).objective == 3
        assert len(solve_pmedian(DIST, np.ones(n), p).selected) == 2
        assert len(solve_pcenter(DIST, p).selected) <= 2
        assert list(coverage_curve(COVER, None, [1, p])["p"]) == [1, 2]
    for p in (2.5, True, float("nan"), "2"):
        for call in (
            lambda p=p: solve_mclp(COVER, None, p),
            lambda p=p: solve_capacitated_coverage(COVER, np.ones(n), np.full(m, 5.0), p),
            lambda p=p: solve_pmedian(DIST, np.ones(n), p),
            lambda p=p: solve_pcenter(DIST, p),
            lambda p=p: coverage_curve(COVER, None, [p]),
        ):
            with pytest.raises(SpecificationError, match="whole number of sites"):
                call()


def test_vectors_of_the_other_length_hint_at_a_transposed_matrix():
    n, m = COVER.shape
    per_site, per_demand = np.ones(m), np.ones(n)
    calls = [
        lambda: solve_mclp(COVER, per_site, 2),
        lambda: solve_lscp(COVER, weights=per_site),
        lambda: solve_lscp(COVER, costs=per_demand),
        lambda: solve_capacitated_coverage(COVER, per_site, np.full(m, 5.0), 2),
        lambda: solve_capacitated_coverage(COVER, per_demand, per_demand, 2),
        lambda: solve_pmedian(DIST, per_site, 2),
        lambda: solve_pcenter(DIST, 2, weights=per_site),
        lambda: solve_capacitated_location(DIST, per_site, np.full(m, 5.0), np.ones(m)),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="is the matrix transposed"):
            call()
    # a length matching neither dimension says only what is needed
    with pytest.raises(ValueError, match=r"one value per demand row \(3\); got shape \(7,\)$"):
        solve_mclp(COVER, np.ones(7), 2)


def test_nan_weights_name_the_positions():
    w = np.array([1.0, np.nan, -2.0])
    with pytest.raises(ValueError, match=r"NaN at 1 entry \(1\); negative at 1 entry \(2\)"):
        solve_mclp(COVER, w, 2)
    with pytest.raises(SpecificationError, match=r"NaN at 1 entry \(1\)"):
        solve_pmedian(DIST, w, 2)


def test_lonlat_guard_reads_the_coordinates_not_the_radius():
    lonlat = np.array([[120.40, 41.50], [120.45, 41.52], [120.50, 41.60]])
    for radius in (0.5, 1.0, 800.0):  # a radius <= 1 no longer lets degrees through
        with pytest.raises(ValueError, match="look like longitude/latitude"):
            coverage_matrix(lonlat, lonlat, radius)
        with pytest.raises(ValueError, match="look like longitude/latitude"):
            distance_matrix(lonlat, lonlat, radius)
    # a genuine 90 m plan in metres with a 30 m radius is not refused
    rng = np.random.default_rng(3)
    plan = rng.random((40, 2)) * 90.0
    cov = coverage_matrix(plan, plan[:10], 30.0)
    d = np.hypot(*(plan[:, None, :] - plan[None, :10, :]).transpose(2, 0, 1))
    assert (cov.toarray() == (d <= 30.0)).all()
    # coordinates past the lon/lat box are metres, whatever the radius
    assert coverage_matrix(lonlat * 1000, lonlat * 1000, 0.5).nnz == 3


@pytest.mark.parametrize("bad", [np.nan, -1.0])
def test_nan_or_negative_cost_is_refused_by_every_cost_model(bad):
    d = DIST.copy()
    d[2, 1] = bad
    for call in _cost_models(d):
        with pytest.raises(SpecificationError, match="cost must"):
            call()
    for call in _cost_models(sp.csr_array(np.where(np.isnan(d), np.inf, d))):
        if bad < 0:
            with pytest.raises(SpecificationError, match="cost must be non-negative"):
                call()
    square = np.abs(DIST[:, :3] - DIST[:, :3].T)
    square[0, 1] = bad
    with pytest.raises(ValueError, match="distance must"):
        solve_pdispersion(square, 2)


def test_inf_in_a_sparse_cost_matrix_is_refused():
    d = sp.csr_array(np.where(DIST > 8, np.inf, DIST))
    for call in _cost_models(d):
        with pytest.raises(SpecificationError, match="finite values in its stored entries"):
            call()


def test_integral_p_is_accepted_by_the_other_models_too():
    n, m = COVER.shape
    square = np.array([[0, 3, 5, 9], [3, 0, 4, 8], [5, 4, 0, 2], [9, 8, 2, 0]], dtype=float)
    cap = np.full(m, 5.0)
    for p in (2, 2.0, np.int64(2), np.float64(2.0)):
        assert len(solve_backup_coverage(COVER, p=p).selected) <= 2
        assert len(solve_equity_coverage(COVER, np.ones(n), p).selected) <= 2
        assert len(solve_pdispersion(square, p).selected) == 2
        assert len(solve_staged_coverage(COVER, np.ones(n), stage_sites=[1, p - 1]).selected) <= 2
        sol = solve_capacitated_location(DIST, np.ones(n), cap, np.ones(m), p=p, exact_p=True)
        assert len(sol.selected) == 2
    for p in (2.5, True, float("nan"), "2"):
        for call in (
            lambda p=p: solve_backup_coverage(COVER, p=p),
            lambda p=p: solve_pdispersion(square, p),
            lambda p=p: solve_capacitated_location(DIST, np.ones(n), cap, np.ones(m), p=p),
            lambda p=p: solve_equity_coverage(COVER, np.ones(n), p),
            lambda p=p: solve_staged_coverage(COVER, np.ones(n), stage_sites=[1, p]),
        ):
            with pytest.raises(SpecificationError, match="whole number of sites"):
                call()


def test_transposed_coverage_is_named_by_the_newer_models():
    n, m = COVER.shape
    per_site = np.ones(m)
    calls = [
        lambda: solve_backup_coverage(COVER, weights=per_site, p=2),
        lambda: solve_backup_coverage(COVER, costs=np.ones(n), p=2),
        lambda: solve_equity_coverage(COVER, per_site, 2),
        lambda: solve_staged_coverage(COVER, per_site, stage_sites=[1]),
        lambda: solve_capacitated_location(DIST, per_site, np.full(m, 5.0), np.ones(m), p=2),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="is the matrix transposed"):
            call()
