"""Reader for the OR-Library p-median files in tests/data/bench (pmedN.txt)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

BENCH = Path(__file__).parent / "data" / "bench"


def read_pmed(path: Path) -> tuple[np.ndarray, int]:
    """Return the all-pairs shortest-path matrix and p of a pmed file.

    Vertex pairs repeat with different costs; the last occurrence counts.
    """
    with open(path) as fh:
        n, n_edges, p = (int(t) for t in fh.readline().split())
        edges = np.loadtxt(fh, dtype=np.int64, ndmin=2)[:n_edges]
    lo = np.minimum(edges[:, 0], edges[:, 1]) - 1
    hi = np.maximum(edges[:, 0], edges[:, 1]) - 1
    key = lo * n + hi
    _, last_rev = np.unique(key[::-1], return_index=True)
    last = key.size - 1 - last_rev
    g = sp.coo_array((edges[last, 2].astype(np.float64), (lo[last], hi[last])), shape=(n, n))
    return shortest_path(g.tocsr(), method="D", directed=False), p
