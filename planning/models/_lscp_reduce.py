"""Reductions of a set-covering core that keep its optimum.

Identical and superset rows are merged or dropped, a site that is the only
cover of a row is fixed, and a site is dropped when another covers a superset
at no higher cost or when the cheapest other covers of its rows cost less.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ._reduce import as_coverage, dominated_columns, merge_identical_rows

_ROW_DOMINANCE_WORK = 50_000_000
"""Largest sum of squared column degrees the row-dominance test will attempt."""


_COLUMN_DOMINANCE_WORK = 50_000_000
"""Largest sum of squared row degrees the column-dominance test will attempt."""


@dataclass
class _Reduced:
    a: sp.csr_array
    cols: np.ndarray
    w: np.ndarray
    fixed: list[np.ndarray] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)


def _reduce_full(a: sp.csr_array, c: np.ndarray) -> _Reduced:
    """Reduce a set-covering instance (every row must be covered)."""
    red = _Reduced(a, np.arange(a.shape[1]), np.ones(a.shape[0]))
    for _ in range(50):
        a = red.a
        changed = False
        # a site that is the only cover of some point is in every cover
        deg = np.diff(a.indptr)
        if (deg == 1).any():
            ess = np.zeros(a.shape[1], dtype=bool)
            ess[a.indices[a.indptr[:-1][deg == 1]]] = True
            red.fixed.append(red.cols[ess])
            _keep(red, ~hits(a, ess), ~ess)
            changed = True
        if red.a.shape[0] == 0:
            break
        merged = merge_identical_rows(red.a, np.ones(red.a.shape[0]))
        if merged.matrix.shape[0] < red.a.shape[0]:
            red.a = as_coverage(merged.matrix)
            red.w = np.ones(red.a.shape[0])
            changed = True
        drop_rows = _superset_rows(red.a, red.skipped)
        if drop_rows is not None and drop_rows.any():
            _keep(red, ~drop_rows, None)
            changed = True
        cr = c[red.cols]
        drop_cols = np.diff(sp.csc_array(red.a).indptr) == 0
        dom = dominated_columns(red.a, cr, max_work=_COLUMN_DOMINANCE_WORK)
        if dom is None:
            red.skipped.add("column dominance")
        else:
            drop_cols |= dom
        drop_cols |= _cheaper_by_others(red.a, cr)
        if drop_cols.any():
            _keep(red, None, ~drop_cols)
            changed = True
        if not changed:
            break
    red.w = np.ones(red.a.shape[0])
    return red


def _reduce_partial(a: sp.csr_array, c: np.ndarray, w: np.ndarray) -> _Reduced:
    """Reduce a partial-covering instance (merge rows, drop dominated sites)."""
    merged = merge_identical_rows(a, w)
    red = _Reduced(as_coverage(merged.matrix), np.arange(a.shape[1]), merged.weights)
    drop = np.diff(sp.csc_array(red.a).indptr) == 0
    dom = dominated_columns(red.a, c, max_work=_COLUMN_DOMINANCE_WORK)
    if dom is None:
        red.skipped.add("column dominance")
    else:
        drop |= dom
    _keep(red, None, ~drop)
    return red


def _keep(red: _Reduced, rows: np.ndarray | None, cols: np.ndarray | None) -> None:
    a = red.a if rows is None else red.a[rows]
    if rows is not None:
        red.w = red.w[rows]
    if cols is not None:
        a = a[:, cols]
        red.cols = red.cols[cols]
    red.a = as_coverage(a)


def _superset_rows(a: sp.csr_array, skipped: set[str]) -> np.ndarray | None:
    """Mask rows whose set of sites contains another row's set (never both of two equal rows)."""
    col_deg = np.bincount(a.indices, minlength=a.shape[1]).astype(np.int64)
    if int((col_deg * col_deg).sum()) > _ROW_DOMINANCE_WORK:
        skipped.add("row dominance")
        return None
    ai = sp.csr_array(a, dtype=np.int32)
    overlap = sp.coo_array(ai @ ai.T)
    k, i, v = overlap.row, overlap.col, overlap.data
    deg = np.diff(a.indptr)
    sel = (k != i) & (v == deg[k]) & ((deg[k] < deg[i]) | (k < i))
    out = np.zeros(a.shape[0], dtype=bool)
    out[i[sel]] = True
    return out


def _cheaper_by_others(a: sp.csr_array, c: np.ndarray) -> np.ndarray:
    """Mask sites costing more than the cheapest other covers of all their points.

    Such a site is in no optimal cover: replacing it by those covers keeps
    every point covered at strictly lower cost.
    """
    n = a.shape[0]
    deg = np.diff(a.indptr)
    if n == 0 or a.nnz == 0:
        return np.zeros(a.shape[1], dtype=bool)
    row = np.repeat(np.arange(n), deg)
    ce = c[a.indices]
    order = np.lexsort((ce, row))
    first = order[a.indptr[:-1]]
    min1 = ce[first]
    arg1 = a.indices[first]
    second = order[np.minimum(a.indptr[:-1] + 1, a.nnz - 1)]
    min2 = np.where(deg >= 2, ce[second], np.inf)
    replace = np.where(a.indices == arg1[row], min2[row], min1[row])
    others = np.bincount(a.indices, weights=replace, minlength=a.shape[1])
    return c > others + 1e-9 * np.maximum(1.0, np.abs(others))


def hits(a: sp.csr_array, columns: np.ndarray) -> np.ndarray:
    """Return per row whether any of the masked ``columns`` covers it."""
    if a.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    return np.asarray(a @ columns.astype(np.float64)) > 0
