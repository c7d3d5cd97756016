"""Argument checks shared by the siting models: matrices, vectors, counts, site indices.

Every model checks its inputs here, once, so the same mistake gets the same
message everywhere: NaN or infinite values, a distance matrix passed where
0/1 coverage is needed, vectors with one value per site where one per demand
point is needed (a transposed matrix), counts such as ``p`` given as ``3.0``
or a numpy integer, and arrays with the wrong number of dimensions.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._errors import SpecificationError


def site_vector(
    values: Any, m: int, name: str, *, default: float | None = None, n: int | None = None
) -> np.ndarray:
    """Return one finite non-negative float per site (``default`` when None).

    ``n`` (the number of demand points), when given, lets a vector with one
    value per demand point be reported as a sign of a transposed matrix.
    """
    if values is None:
        if default is None:
            msg = f"{name} is required: give one value per site ({m})"
            raise ValueError(msg)
        return np.full(m, float(default))
    return _vector(values, m, name, "site", other=(n, "demand point"))


def demand_vector(
    values: Any,
    n: int,
    name: str,
    *,
    default: float | None = None,
    m: int | None = None,
    what: str = "demand point",
) -> np.ndarray:
    """Return one finite non-negative float per demand point.

    ``m`` (the number of sites), when given, lets a vector with one value per
    site be reported as a sign of a transposed matrix.
    """
    if values is None:
        if default is None:
            msg = f"{name} is required: give one value per {what} ({n})"
            raise ValueError(msg)
        return np.full(n, float(default))
    return _vector(values, n, name, what, other=(m, "site"))


_TRANSPOSED = "; is the matrix transposed? Rows must be demand points and columns candidate sites"


def _vector(
    values: Any, size: int, name: str, what: str, other: tuple[int | None, str] = (None, "")
) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        msg = f"{name} must be numbers, one per {what} ({size}); got {type(values).__name__}"
        raise ValueError(msg) from None
    if arr.ndim == 0:
        arr = np.full(size, float(arr))
    if arr.shape != (size,):
        msg = f"{name} must have one value per {what} ({size}); got shape {arr.shape}"
        count, other_what = other
        if count is not None and count != size and arr.shape == (count,):
            msg += f", one per {other_what}{_TRANSPOSED}"
        raise ValueError(msg)
    problems = []
    nan = np.flatnonzero(np.isnan(arr))
    if nan.size:
        problems.append(f"NaN at {_where(nan)}")
    inf = np.flatnonzero(np.isinf(arr))
    if inf.size:
        problems.append(f"infinite at {_where(inf)}")
    neg = np.flatnonzero(arr < 0)
    if neg.size:
        problems.append(f"negative at {_where(neg)}")
    if problems:
        msg = f"{name} must be finite and non-negative: " + "; ".join(problems)
        raise ValueError(msg)
    return arr


def _where(idx: np.ndarray, limit: int = 5) -> str:
    """Describe index positions as ``"3 entries (0, 4, 7)"``."""
    shown = ", ".join(str(int(i)) for i in idx[:limit])
    more = ", ..." if idx.size > limit else ""
    noun = "entry" if idx.size == 1 else "entries"
    return f"{idx.size} {noun} ({shown}{more})"


def _cells(rows: np.ndarray, cols: np.ndarray, limit: int = 5) -> str:
    """Describe matrix cells as ``"2 cells (row 0, column 3), ..."``."""
    shown = ", ".join(
        f"(row {int(i)}, column {int(j)})" for i, j in zip(rows[:limit], cols[:limit], strict=True)
    )
    more = ", ..." if rows.size > limit else ""
    noun = "cell" if rows.size == 1 else "cells"
    return f"{rows.size} {noun} {shown}{more}"


def whole_number(value: Any, name: str, *, minimum: int = 0) -> int:
    """Return ``value`` as an int when it is a whole number of at least ``minimum``.

    Python and numpy integers and integral floats (``3.0``) are accepted the
    same way by every model; booleans, fractions, NaN and strings are not.
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    if ok:
        as_float = float(value)
        ok = bool(np.isfinite(as_float)) and as_float.is_integer() and as_float >= minimum
    if not ok:
        least = {0: "a non-negative", 1: "a positive"}.get(minimum, f"at least {minimum}: a")
        msg = (
            f"{name} must be {least} integer: {least} whole number of sites, "
            f"such as 3 or 3.0; got {value!r}"
        )
        raise SpecificationError(msg)
    return int(value)


def cost_entries(
    cost: Any, name: str = "cost"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Return the allowed pairs of a demand x sites cost or distance matrix.

    Dense: ``inf`` means "cannot be served from there". Sparse: a missing
    entry means that; stored entries (explicit zeros included) are allowed
    pairs, duplicates summed. Returns ``(rows, sites, values, n, m)``.

    Raises
    ------
    SpecificationError
        If the matrix is not two-dimensional, or holds NaN, negative or
        (sparse) infinite values.
    """
    if sp.issparse(cost):
        coo = sp.coo_array(cost)
        coo.sum_duplicates()
        if coo.ndim != 2:
            msg = f"{name} must be a 2-D matrix (demand x sites); got {coo.ndim} dimensions"
            raise SpecificationError(msg)
        n, m = (int(s) for s in coo.shape)
        rows = np.asarray(coo.row, dtype=np.int64)
        sites = np.asarray(coo.col, dtype=np.int64)
        vals = np.asarray(coo.data, dtype=np.float64)
        if not np.all(np.isfinite(vals)):
            msg = f"{name} must hold finite values in its stored entries (leave a pair out instead)"
            raise SpecificationError(msg)
    else:
        arr = np.asarray(cost, dtype=np.float64)
        if arr.ndim != 2:
            msg = f"{name} must be a 2-D matrix (demand x sites); got {arr.ndim} dimensions"
            raise SpecificationError(msg)
        if np.isnan(arr).any():
            msg = f"{name} must not contain NaN; use inf for a pair that cannot be served"
            raise SpecificationError(msg)
        n, m = arr.shape
        rows, sites = np.nonzero(arr < np.inf)
        rows = rows.astype(np.int64)
        sites = sites.astype(np.int64)
        vals = arr[rows, sites]
    if vals.size and vals.min() < 0:
        msg = f"{name} must be non-negative; smallest entry is {vals.min()}"
        raise SpecificationError(msg)
    return rows, sites, vals, int(n), int(m)


def coverage_input(coverage: Any, name: str = "coverage") -> sp.csr_array:
    """Return a 0/1 coverage matrix as canonical boolean CSR, or say what is wrong.

    Refused, all problems in one message: anything not two-dimensional,
    NaN or infinite entries (which a plain cast would count as covered) and
    values other than 0 and 1, such as the distances of a distance matrix
    (where an explicit zero distance would read as "not covered").
    """
    shape = tuple(coverage.shape) if sp.issparse(coverage) else np.shape(coverage)
    if len(shape) != 2:
        msg = (
            f"{name} must be a 2-D matrix (demand points x candidate sites); "
            f"got {len(shape)} dimension{'' if len(shape) == 1 else 's'} with shape {shape}"
        )
        raise ValueError(msg)
    if sp.issparse(coverage):
        csr = sp.csr_array(coverage)
        if csr.dtype == bool:
            return _canonical(csr)
        csr.sum_duplicates()
        data = csr.data

        def cells(pos: np.ndarray) -> str:
            rows = np.searchsorted(csr.indptr, pos, side="right") - 1
            return _cells(np.asarray(rows), csr.indices[pos])
    else:
        arr = np.asarray(coverage)
        if arr.dtype == bool:
            return _canonical(sp.csr_array(arr))
        flat = arr.ravel()
        nz = np.flatnonzero(flat)
        data = flat[nz]

        def cells(pos: np.ndarray) -> str:
            return _cells(nz[pos] // shape[1], nz[pos] % shape[1])

    try:
        values = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        msg = f"{name} must hold True/False or 0/1 values; got {data.dtype}"
        raise ValueError(msg) from None
    problems = []
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        problems.append(f"NaN or infinite values in {cells(bad)}")
    other = np.flatnonzero(np.isfinite(values) & (values != 0) & (values != 1))
    if other.size:
        problems.append(
            f"values other than 0 and 1 in {cells(other)}"
            f" (e.g. {values[other[0]]:g}); this looks like a distance matrix: "
            "pass coverage such as `distances <= radius`, or "
            "`planning.within_cutoff(distances)` for a sparse one"
        )
    if problems:
        msg = f"{name} must hold True/False or 0/1 values: " + "; ".join(problems)
        raise ValueError(msg)
    if sp.issparse(coverage):
        return _canonical(csr)
    return _canonical(sp.csr_array(np.asarray(coverage) != 0))


def _canonical(csr: sp.csr_array) -> sp.csr_array:
    csr = sp.csr_array(csr, dtype=bool)
    csr.eliminate_zeros()
    csr.sum_duplicates()
    csr.sort_indices()
    return csr


def layer_values(layer: Any, values: Any, name: str, layer_name: str) -> Any:
    """Return the numeric column ``values`` names in ``layer``, or ``values`` itself."""
    if not isinstance(values, str):
        return values
    if values not in layer.columns:
        msg = (
            f"{name}={values!r} names no column of {layer_name}; "
            f"its columns are {', '.join(map(str, layer.columns))}"
        )
        raise KeyError(msg)
    import pandas as pd

    column = pd.to_numeric(layer[values], errors="coerce")
    if column.isna().any():
        msg = f"column {values!r} of {layer_name} ({name}) must be numeric with no missing values"
        raise ValueError(msg)
    return column.to_numpy(dtype=np.float64)


def site_indices(values: Any, m: int, name: str) -> np.ndarray:
    """Return sorted unique site indices from indices or a boolean mask."""
    if values is None:
        return np.zeros(0, dtype=np.int64)
    arr = np.asarray(values)
    if arr.dtype == bool:
        if arr.shape != (m,):
            msg = f"{name} as a mask must have one entry per site ({m}); got shape {arr.shape}"
            raise ValueError(msg)
        return np.flatnonzero(arr).astype(np.int64)
    arr = arr.ravel()
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        msg = f"{name} must hold integer site indices or be a boolean mask; got {arr.dtype}"
        raise ValueError(msg)
    arr = arr.astype(np.int64)
    if ((arr < 0) | (arr >= m)).any():
        msg = f"{name} must hold site indices in 0..{m - 1}; got indices outside that range"
        raise ValueError(msg)
    return np.unique(arr)


def check_roles(**roles: np.ndarray) -> None:
    """Raise :class:`SpecificationError` if a site has two roles."""
    names = list(roles)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            both = np.intersect1d(roles[first], roles[second])
            if both.size:
                msg = (
                    f"sites {both[:5].tolist()} are both {first} and {second}; "
                    "a site can have only one role"
                )
                raise SpecificationError(msg)


def check_method(method: str) -> None:
    """Raise ValueError unless ``method`` is auto, exact or heuristic."""
    if method not in ("auto", "exact", "heuristic"):
        msg = f"method must be 'auto', 'exact' or 'heuristic'; got {method!r}"
        raise ValueError(msg)


def check_time_limit(time_limit: float | None) -> None:
    """Raise :class:`SpecificationError` unless ``time_limit`` is None or seconds >= 0.

    Zero asks for the quickest answer (the heuristic start with its bound).
    """
    ok = time_limit is None or (
        isinstance(time_limit, numbers.Real)
        and not isinstance(time_limit, bool | np.bool_)
        and float(time_limit) >= 0
    )
    if not ok:
        msg = f"time_limit must be a non-negative number of seconds or None; got {time_limit!r}"
        raise SpecificationError(msg)
