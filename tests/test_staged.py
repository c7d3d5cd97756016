"""Staged rollout against brute force: nested stages within their budgets."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from planning.models.staged import solve_staged_coverage


def _instance(seed, n=20, m=6):
    rng = np.random.default_rng(seed)
    cover = rng.random((n, m)) < 0.3
    w = rng.integers(1, 10, n).astype(float)
    costs = rng.integers(1, 5, m).astype(float)
    return cover, w, costs


def _plans(m, stages, costs, budgets, counts, carry):
    for stage_of in itertools.product(range(stages + 1), repeat=m):
        stage_of = np.array(stage_of)
        ok = True
        for t in range(1, stages + 1):
            new = stage_of == t
            if counts is not None and new.sum() > counts[t - 1]:
                ok = False
            if budgets is not None:
                if carry:
                    spent = costs[(stage_of >= 1) & (stage_of <= t)].sum()
                    ok &= spent <= sum(budgets[:t]) + 1e-9
                else:
                    ok &= costs[new].sum() <= budgets[t - 1] + 1e-9
        if ok:
            yield stage_of


def _coverage(cover, w, stage_of, stages):
    out = []
    for t in range(1, stages + 1):
        built = (stage_of >= 1) & (stage_of <= t)
        out.append(w[cover[:, built].any(axis=1)].sum() if built.any() else 0.0)
    return out


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("objective", ["each", "sum"])
@pytest.mark.parametrize("carry", [False, True])
def test_matches_brute_force(seed, objective, carry):
    cover, w, costs = _instance(seed)
    budgets = [3.0, 2.0, 4.0]
    best = None
    for stage_of in _plans(cover.shape[1], 3, costs, budgets, None, carry):
        cov = _coverage(cover, w, stage_of, 3)
        key = tuple(cov) if objective == "each" else sum(cov)
        best = key if best is None else max(best, key)
    sol = solve_staged_coverage(
        sp.csr_array(cover),
        w,
        stage_budgets=budgets,
        costs=costs,
        objective=objective,
        carry_over=carry,
    )
    stages = sol.details["stages"]
    got = tuple(stages["covered"])
    if objective == "each":
        assert got == pytest.approx(best)
    else:
        assert sum(got) == pytest.approx(best)
        assert sol.objective == pytest.approx(best)
    assert sol.status == "optimal" and sol.gap == 0
    # nested and within budget, recomputed from the plan itself
    stage_of = np.zeros(cover.shape[1], int)
    stage_of[sol.selected] = sol.details["stage_of"]
    assert tuple(_coverage(cover, w, stage_of, 3)) == pytest.approx(got)
    spent = [costs[stage_of == t].sum() for t in (1, 2, 3)]
    if carry:
        assert all(np.cumsum(spent) <= np.cumsum(budgets) + 1e-9)
    else:
        assert all(s <= b + 1e-9 for s, b in zip(spent, budgets, strict=True))
    assert list(stages["spent"]) == pytest.approx(spent)
    assert list(stages["sites"]) == sorted(stages["sites"])


def test_site_counts_and_existing():
    cover, w, costs = _instance(7, m=7)
    existing = [6]
    sol = solve_staged_coverage(
        sp.csr_array(cover), w, stage_sites=[1, 2], existing=existing, objective="each"
    )
    base = cover[:, 6]
    best = None
    for stage_of in _plans(6, 2, costs[:6], None, [1, 2], False):
        cov = []
        for t in (1, 2):
            built = (stage_of >= 1) & (stage_of <= t)
            cov.append(w[base | cover[:, :6][:, built].any(axis=1)].sum())
        best = tuple(cov) if best is None else max(best, tuple(cov))
    assert tuple(sol.details["stages"]["covered"]) == pytest.approx(best)
    assert 6 not in sol.selected
    assert list(sol.details["stages"]["new_sites"]) <= [1, 2]


def test_bad_arguments():
    cover, w, costs = _instance(1)
    with pytest.raises(ValueError, match="stage_budgets and/or stage_sites"):
        solve_staged_coverage(sp.csr_array(cover), w)
    with pytest.raises(ValueError, match="same, non-zero number"):
        solve_staged_coverage(
            sp.csr_array(cover), w, stage_budgets=[1, 2], stage_sites=[1], costs=costs
        )
    with pytest.raises(ValueError, match="need costs"):
        solve_staged_coverage(sp.csr_array(cover), w, stage_budgets=[1, 2])
    with pytest.raises(ValueError, match="objective must be"):
        solve_staged_coverage(sp.csr_array(cover), w, stage_sites=[1], objective="min")
