"""Model reductions on sparse coverage matrices.

Coverage matrices are CSR, rows = demand, columns = candidate sites. The
reductions here never change the optimum of a coverage model:

- :func:`merge_identical_rows` merges demand points covered by exactly the
  same sites (their weights add up);
- :func:`dominated_columns` finds candidate sites whose coverage set is
  contained in another site's at no lower cost;
- :func:`nonempty_rows` / :func:`restrict` drop demand no site can cover and
  take sub-matrices while remembering original indices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

_MAX_OVERLAP_WORK = 400_000_000
"""Largest sum of squared row degrees :func:`dominated_columns` will attempt."""


def as_coverage(a: sp.spmatrix | sp.sparray | np.ndarray) -> sp.csr_array:
    """Return ``a`` as a canonical boolean CSR array (sorted, no duplicates).

    Parameters
    ----------
    a
        Coverage matrix (demand x sites) in any sparse format or dense.

    Returns
    -------
    scipy.sparse.csr_array
        Boolean CSR with sorted indices and no explicit zeros.
    """
    csr = sp.csr_array(a, dtype=bool)
    csr.eliminate_zeros()
    csr.sum_duplicates()
    csr.sort_indices()
    return csr


def nonempty_rows(a: sp.csr_array) -> np.ndarray:
    """Return a boolean mask of the rows with at least one entry."""
    return np.diff(a.indptr) > 0


def restrict(a: sp.csr_array, rows: np.ndarray | None, cols: np.ndarray | None) -> sp.csr_array:
    """Return the sub-matrix of ``a`` on ``rows`` and ``cols`` (index arrays or masks).

    None keeps every row (or column). Rows are sliced first, which is cheap
    on CSR; the column selection then renumbers columns ``0..len(cols)-1``.
    """
    out = a if rows is None else a[rows]
    if cols is not None:
        out = out[:, cols]
    return sp.csr_array(out)


@dataclass(frozen=True)
class MergedRows:
    """Demand rows merged by identical coverage sets.

    Parameters
    ----------
    matrix
        One row per distinct coverage set (CSR, same columns as the input).
    weights
        Summed weight of each merged row.
    inverse
        For each input row, the index of its merged row.
    """

    matrix: sp.csr_array
    weights: np.ndarray
    inverse: np.ndarray


def merge_identical_rows(a: sp.csr_array, weights: np.ndarray) -> MergedRows:
    """Merge rows of ``a`` with identical sets of columns, summing their weights.

    Rows are grouped by two independent 64-bit hashes of their column sets
    and their lengths, then every row is checked entry by entry against its
    group's first row, so the result is exact.

    Parameters
    ----------
    a
        Canonical boolean CSR (see :func:`as_coverage`).
    weights
        One weight per row.

    Returns
    -------
    MergedRows
        The merged matrix, weights and the map from input rows to merged rows.
    """
    n_rows, n_cols = a.shape
    weights = np.asarray(weights, dtype=np.float64)
    if n_rows == 0:
        return MergedRows(a, weights, np.zeros(0, dtype=np.int64))
    deg = np.diff(a.indptr).astype(np.int64)
    rng = np.random.default_rng(0x5EED)
    keys = [deg.astype(np.uint64)]
    for _ in range(2):
        salt = rng.integers(1, np.iinfo(np.uint64).max, size=n_cols, dtype=np.uint64)
        vals = salt[a.indices]
        h = np.zeros(n_rows, dtype=np.uint64)
        if vals.size:
            sums = np.add.reduceat(vals, a.indptr[:-1][deg > 0])
            h[deg > 0] = sums
        keys.append(h)
    # groups of equal keys, numbered in sorted key order, each with its first row
    order = np.lexsort(keys[::-1])
    stacked = np.stack(keys, axis=1)[order]
    starts = np.ones(n_rows, dtype=bool)
    starts[1:] = (stacked[1:] != stacked[:-1]).any(axis=1)
    group = np.empty(n_rows, dtype=np.int64)
    group[order] = np.cumsum(starts) - 1
    first = order[starts]
    rep = first[group]
    # Verify entry by entry the rows that are not their group's first; rows that
    # differ from their representative stay apart.
    check = np.flatnonzero(rep != np.arange(n_rows))
    lengths = deg[check]
    begin = np.repeat(a.indptr[check], lengths)
    offs = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    same = a.indices[begin + offs] == a.indices[np.repeat(a.indptr[rep[check]], lengths) + offs]
    bad = np.zeros(n_rows, dtype=bool)
    bad[check[np.repeat(np.arange(check.size), lengths)[~same]]] = True
    if bad.any():
        group = group.copy()
        extra = np.flatnonzero(bad)
        group[extra] = group.max() + 1 + np.arange(extra.size)
        _, first, group = np.unique(group, return_index=True, return_inverse=True)
    n_groups = first.size
    merged_w = np.bincount(group, weights=weights, minlength=n_groups)
    return MergedRows(sp.csr_array(a[first]), merged_w, group.astype(np.int64))


def dominated_columns(
    a: sp.csr_array,
    costs: np.ndarray | None = None,
    *,
    max_work: int = _MAX_OVERLAP_WORK,
) -> np.ndarray | None:
    """Return a mask of columns dominated by another column.

    Column ``j`` is dominated by ``k`` when every row ``j`` covers is also
    covered by ``k`` and ``k`` costs no more; among columns with equal sets
    and costs the lowest index is kept. Dominance is a strict partial order,
    so every dominated column is dominated by some kept column and removing
    all of them at once keeps an optimal solution of any coverage model whose
    objective only improves with coverage (maximal coverage with a site count
    or a budget, set covering).

    Parameters
    ----------
    a
        Canonical boolean CSR (see :func:`as_coverage`).
    costs
        Per-column costs, or None for equal costs.
    max_work
        Skip the check (return None) when the overlap computation would need
        more than this many multiply-adds (the sum of squared row degrees).

    Returns
    -------
    numpy.ndarray or None
        Boolean mask, True for dominated columns; None when skipped.
    """
    n_cols = a.shape[1]
    row_deg = np.diff(a.indptr).astype(np.int64)
    if int((row_deg * row_deg).sum()) > max_work:
        return None
    col_deg = np.bincount(a.indices, minlength=n_cols)
    ai = sp.csr_array(a, dtype=np.int32)
    overlap = sp.coo_array(ai.T @ ai)
    j, k, v = overlap.row, overlap.col, overlap.data
    sel = (j != k) & (v == col_deg[j]) & (col_deg[j] > 0)
    j, k = j[sel], k[sel]
    c = np.zeros(n_cols) if costs is None else np.asarray(costs, dtype=np.float64)
    equal_set = col_deg[j] == col_deg[k]
    cheaper = c[k] < c[j]
    same_cost = c[k] == c[j]
    dom = np.where(equal_set, cheaper | (same_cost & (k < j)), c[k] <= c[j])
    out = np.zeros(n_cols, dtype=bool)
    out[j[dom]] = True
    # A column covering nothing is dominated by any non-empty column of no
    # higher cost, and by an empty one that is cheaper (or as cheap, lower index).
    empty = col_deg == 0
    if empty.any():
        cmin = c[~empty].min() if (~empty).any() else np.inf
        out[empty & (c >= cmin)] = True
        idx = np.flatnonzero(empty)
        best = idx[np.lexsort((idx, c[idx]))[0]]
        out[idx[idx != best]] = True
    return out
