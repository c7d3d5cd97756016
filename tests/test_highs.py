import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from planning.models._highs import build_model, run_model, solve_milp
from planning.models._reduce import as_coverage, dominated_columns, merge_identical_rows


@pytest.mark.parametrize("seed", range(5))
def test_knapsack_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    value = rng.integers(1, 20, 8).astype(float)
    weight = rng.integers(1, 10, 8).astype(float)
    cap = float(weight.sum() // 2)
    res = solve_milp(
        value,
        sp.csr_array(weight[None, :]),
        [-np.inf],
        [cap],
        col_upper=np.ones(8),
        integrality=np.ones(8),
        sense="max",
    )
    best = max(
        value[list(s)].sum()
        for k in range(9)
        for s in itertools.combinations(range(8), k)
        if weight[list(s)].sum() <= cap
    )
    assert res.status == "optimal"
    assert res.objective == pytest.approx(best)
    assert res.bound == pytest.approx(best)
    assert weight @ np.round(res.x) <= cap


def test_lp_duals_infeasible_and_restart():
    a = sp.csr_array(np.array([[1.0, 1.0]]))
    lp = solve_milp(np.array([1.0, 2.0]), a, [-np.inf], [1.0], col_upper=np.ones(2), sense="max")
    assert lp.objective == pytest.approx(2.0)
    assert lp.row_dual is not None
    assert lp.col_dual is not None
    bad = solve_milp(np.ones(2), a, [3.0], [np.inf], col_upper=np.ones(2), integrality=np.ones(2))
    assert bad.status == "infeasible"
    assert bad.x is None
    h = build_model(
        np.array([1.0, 2.0]),
        a,
        [-np.inf],
        [1.0],
        col_upper=np.ones(2),
        integrality=np.ones(2),
        sense="max",
    )
    first = run_model(h, start=np.array([1.0, 0.0]), time_limit=10)
    h.changeRowBounds(0, -np.inf, 2.0)
    second = run_model(h)
    assert (first.objective, second.objective) == (2.0, 3.0)
    with pytest.raises(ValueError, match="one column per entry"):
        build_model(np.ones(3), a, [0.0], [1.0])
    with pytest.raises(ValueError, match="sense"):
        build_model(np.ones(2), a, [0.0], [1.0], sense="up")


def test_reductions():
    a = as_coverage(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1], [0, 0, 0]], dtype=bool))
    merged = merge_identical_rows(a, np.array([1.0, 2.0, 3.0, 4.0]))
    assert merged.matrix.shape == (3, 3)
    assert merged.inverse[0] == merged.inverse[1]
    assert merged.weights[merged.inverse[0]] == 3.0
    # column 0 covers {0, 1}, contained in column 1 {0, 1, 2}; column 2 {2} too
    assert dominated_columns(a).tolist() == [True, False, True]
    # unless the bigger column costs more
    assert dominated_columns(a, np.array([1.0, 5.0, 1.0])).tolist() == [False, False, False]


def test_solving_prints_nothing():
    # HiGHS writes a banner to descriptor 1 at the first solver object of a process
    code = (
        "import numpy as np, scipy.sparse as sp\n"
        "from planning.models._highs import solve_milp\n"
        "r = solve_milp(np.ones(2), sp.csr_array(np.ones((1, 2))), [1.0], [np.inf],\n"
        "               col_upper=np.ones(2), integrality=np.ones(2))\n"
        "assert r.status == 'optimal'\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout == ""
