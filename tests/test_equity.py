"""Equity-constrained coverage against brute force on small instances."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from planning import SpecificationError
from planning.models.equity import solve_equity_coverage


def _instance(seed, n=24, m=8, density=0.25):
    rng = np.random.default_rng(seed)
    cover = rng.random((n, m)) < density
    w = rng.integers(1, 10, n).astype(float)
    groups = np.array(["A", "B", "C"])[rng.integers(0, 3, n)]
    site_groups = np.array(["A", "B", "C"])[rng.integers(0, 3, m)]
    costs = rng.integers(1, 6, m).astype(float)
    return cover, w, groups, site_groups, costs


def _shares(cover, w, groups, chosen):
    covered = cover[:, list(chosen)].any(axis=1) if chosen else np.zeros(len(w), bool)
    return covered, {g: w[covered & (groups == g)].sum() / w[groups == g].sum() for g in "ABC"}


def _brute(
    cover,
    w,
    groups,
    site_groups,
    *,
    p=None,
    costs=None,
    budget=None,
    floor=0.0,
    smin=0,
    smax=99,
    target=None,
):
    m = cover.shape[1]
    best = None
    for r in range(m + 1):
        if p is not None and r > p:
            break
        for chosen in itertools.combinations(range(m), r):
            if budget is not None and costs[list(chosen)].sum() > budget:
                continue
            counts = [sum(site_groups[j] == g for j in chosen) for g in "ABC"]
            if any(c < smin or c > smax for c in counts):
                continue
            covered, share = _shares(cover, w, groups, chosen)
            if any(s < floor - 1e-9 for s in share.values()):
                continue
            if target is not None:
                if w[covered].sum() >= target * w.sum() - 1e-9:
                    return r
                continue
            value = w[covered].sum()
            best = value if best is None else max(best, value)
    return best


@pytest.mark.parametrize("seed", range(4))
def test_max_coverage_with_floors_matches_brute_force(seed):
    cover, w, groups, site_groups, _ = _instance(seed)
    for floor in (0.0, 0.3):
        expected = _brute(cover, w, groups, site_groups, p=3, floor=floor)
        sol = solve_equity_coverage(sp.csr_array(cover), w, 3, groups=groups, min_share=floor)
        if expected is None:
            assert not sol.details["floors_met"]
            continue
        assert sol.status == "optimal" and sol.gap == 0
        assert sol.objective == pytest.approx(expected)
        _, share = _shares(cover, w, groups, tuple(sol.selected))
        assert all(s >= floor - 1e-9 for s in share.values())
        assert len(sol.selected) <= 3


@pytest.mark.parametrize("seed", range(3))
def test_site_counts_and_budget_match_brute_force(seed):
    cover, w, groups, site_groups, costs = _instance(seed + 10)
    expected = _brute(cover, w, groups, site_groups, costs=costs, budget=8.0, smax=1)
    sol = solve_equity_coverage(
        sp.csr_array(cover),
        w,
        costs=costs,
        budget=8.0,
        groups=groups,
        site_groups=site_groups,
        max_sites_per_group=1,
    )
    assert sol.objective == pytest.approx(expected)
    assert costs[sol.selected].sum() <= 8.0
    table = sol.details["groups"].set_index("group")
    assert (table["sites"] <= 1).all()
    got = {g: int(sum(site_groups[j] == g for j in sol.selected)) for g in "ABC"}
    assert got == table["sites"].to_dict()


@pytest.mark.parametrize("seed", range(3))
def test_fewest_sites_with_floors_match_brute_force(seed):
    cover, w, groups, site_groups, _ = _instance(seed + 20, density=0.35)
    covered_all = cover.any(axis=1)
    reach = w[covered_all].sum() / w.sum()
    _, share_all = _shares(cover, w, groups, tuple(range(cover.shape[1])))
    floor = 0.5 * min(share_all.values())
    target = 0.8 * reach
    expected = _brute(cover, w, groups, site_groups, floor=floor, target=target)
    sol = solve_equity_coverage(
        sp.csr_array(cover), w, target=target, groups=groups, min_share=floor
    )
    assert sol.objective == expected == len(sol.selected)
    assert sol.sense == "min"


def test_unreachable_floor_reports_group_and_best_share():
    # group B's firms are reachable only by site 2, which covers half of them
    cover = np.zeros((6, 3), bool)
    cover[0:3, 0] = True  # A
    cover[3, 2] = True  # B (one of two)
    cover[5, 1] = True  # C
    groups = np.array(["A", "A", "A", "B", "B", "C"])
    w = np.ones(6)
    sol = solve_equity_coverage(sp.csr_array(cover), w, 2, groups=groups, min_share=0.8)
    table = sol.details["groups"].set_index("group")
    assert not sol.details["floors_met"]
    assert not table.loc["B", "met"] and table.loc["B", "best_share"] == pytest.approx(0.5)
    # relative shortfalls: {0, 1} leaves B 0.8 short; {0, 2} leaves B 0.3 and C 0.8 short
    assert list(sol.selected) == [0, 1]
    assert table.loc["B", "share"] == 0.0 and table.loc["B", "shortfall"] == pytest.approx(1.6)
    assert table.loc["A", "met"] and table.loc["C", "met"]


def test_existing_sites_count_toward_floors():
    cover = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]], bool)
    groups = np.array(["A", "A", "B", "B"])
    w = np.array([5.0, 1.0, 1.0, 1.0])
    # column 2 exists: B is already at 100 %; floor 1.0 on A forces both A sites
    sol = solve_equity_coverage(
        sp.csr_array(cover), w, 2, existing=[2], groups=groups, min_share=1.0
    )
    assert list(sol.selected) == [0, 1] and sol.objective == pytest.approx(8.0)


def test_bad_site_counts_are_reported_together():
    cover, w, groups, site_groups, _ = _instance(3)
    with pytest.raises(SpecificationError, match="per-group site counts cannot be met"):
        solve_equity_coverage(
            sp.csr_array(cover),
            w,
            2,
            groups=groups,
            site_groups=site_groups,
            min_sites_per_group=1,
        )
    with pytest.raises(SpecificationError, match="do not exist"):
        solve_equity_coverage(sp.csr_array(cover), w, 2, groups=groups, min_share={"Z": 0.5})
    with pytest.raises(ValueError, match="exactly one of"):
        solve_equity_coverage(sp.csr_array(cover), w, groups=groups)
