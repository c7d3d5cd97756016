"""The second search in a helper process: its answers, its failures, no process left behind."""

import itertools
import subprocess
import time

import numpy as np
import pytest
import scipy.sparse as sp

from planning import solve_mclp
from planning.models import _search_worker
from planning.models._search_worker import SearchWorker, paired_search


def _clustered(n: int, m: int, seed: int) -> tuple[sp.csr_array, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 10_000, (6, 2))
    demand = centres[rng.integers(0, 6, n)] + rng.normal(0, 900, (n, 2))
    sites = centres[rng.integers(0, 6, m)] + rng.normal(0, 900, (m, 2))
    d = np.hypot(*(demand[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    return sp.csr_array(d <= 700.0), rng.integers(1, 100, n).astype(float)


def _value(a: sp.csr_array, w: np.ndarray, cols: np.ndarray) -> float:
    x = np.zeros(a.shape[1])
    x[cols] = 1.0
    return float(w[(a @ x) > 0].sum())


@pytest.fixture
def children(monkeypatch):
    """Record the helper processes started, so that a test can check they have ended."""
    started: list[subprocess.Popen] = []
    real = subprocess.Popen

    def popen(*args, **kwargs):
        proc = real(*args, **kwargs)
        started.append(proc)
        return proc

    monkeypatch.setattr(_search_worker.subprocess, "Popen", popen)
    monkeypatch.setattr(_search_worker, "spare_core", lambda: True)
    return started


def test_the_helper_alone_finds_the_optimum_of_a_small_model(children):
    a, w = _clustered(120, 24, seed=3)
    p = 3
    best = max(_value(a, w, np.array(s)) for s in itertools.combinations(range(24), p))
    worker = SearchWorker(
        a, w, p, np.arange(p), deadline=time.time() + 1.5, options={"max_stall": 50, "seed": 2}
    )
    answer = worker.result(time.time() + 1.5)
    worker.stop()
    assert answer is not None
    cols, value, stats, elite = answer
    assert value == pytest.approx(best)
    assert _value(a, w, cols) == pytest.approx(value)
    assert stats["iterations"] > 0 and elite
    assert all(proc.poll() is not None for proc in children)


def test_paired_search_returns_the_better_answer_and_the_helper_elite(children, monkeypatch):
    monkeypatch.setattr(_search_worker, "HELPER_SECONDS", 1.0)
    a, w = _clustered(900, 300, seed=5)
    elite: list[tuple[float, np.ndarray]] = []
    t = time.perf_counter()
    cols, value, stats = paired_search(
        a, w, 12, np.arange(12), time_limit=2.0, elite=elite, options={"max_stall": 100}
    )
    assert time.perf_counter() - t < 2.0 * 1.1 + 1.0
    assert stats["helper"] in ("kept", "behind")
    assert value >= stats["helper_value"]
    assert _value(a, w, cols) == pytest.approx(value)
    assert len(children) == 1 and children[0].poll() is not None
    # the elite holds distinct solutions, best first, the helper's among them
    values = [v for v, _ in elite]
    assert values == sorted(values, reverse=True)
    assert stats["helper_value"] <= values[0] + 1e-9


def test_a_helper_that_fails_leaves_the_callers_answer(children, monkeypatch):
    monkeypatch.setattr(_search_worker, "HELPER_SECONDS", 0.5)
    monkeypatch.setattr(_search_worker.sys, "executable", "/bin/false")
    a, w = _clustered(400, 120, seed=7)
    cols, value, stats = paired_search(
        a, w, 8, np.arange(8), time_limit=1.0, elite=[], options={"max_stall": 50}
    )
    assert stats["helper"] == "no answer"
    assert _value(a, w, cols) == pytest.approx(value)
    assert all(proc.poll() is not None for proc in children)


def test_a_helper_that_cannot_start_leaves_the_callers_answer(children, monkeypatch):
    monkeypatch.setattr(_search_worker, "HELPER_SECONDS", 0.5)
    monkeypatch.setattr(_search_worker.sys, "executable", "/nonexistent/python")
    a, w = _clustered(400, 120, seed=8)
    cols, value, stats = paired_search(
        a, w, 8, np.arange(8), time_limit=0.6, elite=[], options={"max_stall": 20}
    )
    assert stats["helper"] == "not started"
    assert _value(a, w, cols) == pytest.approx(value)


def test_no_helper_without_a_spare_core(monkeypatch):
    monkeypatch.setattr(_search_worker, "HELPER_SECONDS", 0.5)
    monkeypatch.setattr(_search_worker, "spare_core", lambda: False)
    a, w = _clustered(400, 120, seed=9)
    _, _, stats = paired_search(
        a, w, 8, np.arange(8), time_limit=0.6, elite=[], options={"max_stall": 20}
    )
    assert "helper" not in stats


def test_solve_mclp_with_a_helper_keeps_its_limit_and_bound(children, monkeypatch):
    monkeypatch.setattr(_search_worker, "HELPER_SECONDS", 1.0)
    a, w = _clustered(1500, 1200, seed=11)
    t = time.perf_counter()
    sol = solve_mclp(a, w, 80, method="heuristic", time_limit=4.0)
    assert time.perf_counter() - t <= 4.0 * 1.1 + 1.0
    assert sol.details["search"]["helper"] in ("kept", "behind")
    assert sol.objective <= sol.bound <= float(w.sum())
    assert _value(a, w, sol.selected) == pytest.approx(sol.objective)
    assert children and all(proc.poll() is not None for proc in children)
