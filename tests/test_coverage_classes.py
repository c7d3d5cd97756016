"""coverage_classes: demand merged by covering set, checked against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from planning.distances import coverage_classes, coverage_matrix
from planning.models import solve_mclp


def _brute(demand, sites, radius):
    d = np.hypot(demand[:, None, 0] - sites[None, :, 0], demand[:, None, 1] - sites[None, :, 1])
    return d <= np.broadcast_to(radius, (sites.shape[0],))[None, :]


@pytest.mark.parametrize(
    ("n", "m", "chunk", "per_site"),
    [(3000, 7, 10_000, False), (4000, 64, 333, False), (2500, 130, 1000, True), (50, 1, 7, False)],
)
def test_classes_match_brute_force(n, m, chunk, per_site):
    rng = np.random.default_rng(n + m)
    demand = rng.uniform(0, 500, (n, 2))
    sites = rng.uniform(0, 500, (m, 2))
    radius = rng.uniform(40, 120, m) if per_site else 90.0
    w = rng.integers(1, 101, n).astype(float)
    cc = coverage_classes(demand, sites, radius, w, chunk_size=chunk, return_inverse=True)
    full = _brute(demand, sites, radius)
    covered = full.any(axis=1)
    assert cc.matrix.shape == (len({row.tobytes() for row in full[covered]}), m)
    rows = cc.matrix.toarray()
    # every point's row is its own covering set; uncovered points have none
    assert (cc.inverse[~covered] == -1).all()
    assert (rows[cc.inverse[covered]] == full[covered]).all()
    # rows are distinct, weights and counts are the sums over their points
    assert len({r.tobytes() for r in rows}) == rows.shape[0]
    assert np.allclose(np.bincount(cc.inverse[covered], weights=w[covered]), cc.weights)
    assert (np.bincount(cc.inverse[covered]) == cc.counts).all()
    assert cc.uncovered_weight == pytest.approx(w[~covered].sum())
    assert cc.total_weight == pytest.approx(w.sum())
    # and the same coverage as coverage_matrix
    assert (coverage_matrix(demand, sites, radius).toarray() == full).all()


def test_merged_mclp_has_the_optimum_of_the_full_one():
    rng = np.random.default_rng(5)
    demand = rng.uniform(0, 30, (6000, 2))
    sites = rng.uniform(0, 30, (25, 2))
    w = rng.integers(1, 101, 6000).astype(float)
    cc = coverage_classes(demand, sites, 5.5, w)
    assert cc.matrix.shape[0] < 6000 / 5
    merged = solve_mclp(cc.matrix, cc.weights, 4)
    full = solve_mclp(coverage_matrix(demand, sites, 5.5), w, 4)
    assert merged.optimal and full.optimal
    assert merged.objective == pytest.approx(full.objective)


def test_inputs_are_checked():
    pts = np.zeros((3, 2)) + 100.0
    with pytest.raises(ValueError, match="look like longitude/latitude"):
        coverage_classes(np.array([[120.4, 41.5], [120.5, 41.6]]), np.array([[120.4, 41.5]]), 30)
    with pytest.raises(ValueError, match="weights must have one value per demand point"):
        coverage_classes(pts, pts[:1], 5.0, np.ones(2))
    with pytest.raises(ValueError, match="weights must be finite"):
        coverage_classes(pts, pts[:1], 5.0, np.array([1.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match="chunk_size"):
        coverage_classes(pts, pts[:1], 5.0, chunk_size=0)
    empty = coverage_classes(np.zeros((0, 2)), pts[:2], 5.0)
    assert empty.matrix.shape == (0, 2) and empty.total_weight == 0
