"""Readers for the OR-Library instances in tests/data/bench (set covering, capacitated location)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

BENCH = Path(__file__).parent / "data" / "bench"


def read_scp(path: Path) -> tuple[sp.csr_array, np.ndarray]:
    """Return the coverage matrix (rows x columns) and column costs of an OR-Library scp file."""
    tokens = iter(path.read_text().split())
    m, n = int(next(tokens)), int(next(tokens))
    costs = np.array([float(next(tokens)) for _ in range(n)])
    rows: list[int] = []
    cols: list[int] = []
    for i in range(m):
        k = int(next(tokens))
        for _ in range(k):
            rows.append(i)
            cols.append(int(next(tokens)) - 1)
    a = sp.csr_array((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(m, n))
    return a, costs


def read_cap(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (cost, demand, capacity, fixed_cost) of an OR-Library cap file.

    ``cost[i, j]`` is the cost of serving all of customer ``i``'s demand from
    warehouse ``j``.
    """
    tokens = iter(path.read_text().split())
    m, n = int(next(tokens)), int(next(tokens))
    capacity = np.empty(m)
    fixed = np.empty(m)
    for j in range(m):
        capacity[j] = float(next(tokens))
        fixed[j] = float(next(tokens))
    demand = np.empty(n)
    cost = np.empty((n, m))
    for i in range(n):
        demand[i] = float(next(tokens))
        cost[i] = [float(next(tokens)) for _ in range(m)]
    return cost, demand, capacity, fixed
