"""Argument checks shared by the siting models (vectors, site indices, layer columns)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ._errors import SpecificationError


def site_vector(values: Any, m: int, name: str, *, default: float | None = None) -> np.ndarray:
    """Return one finite non-negative float per site (``default`` when None)."""
    if values is None:
        if default is None:
            msg = f"{name} is required: give one value per site ({m})"
            raise ValueError(msg)
        return np.full(m, float(default))
    return _vector(values, m, name, "site")


def demand_vector(values: Any, n: int, name: str, *, default: float | None = None) -> np.ndarray:
    """Return one finite non-negative float per demand point."""
    if values is None:
        if default is None:
            msg = f"{name} is required: give one value per demand point ({n})"
            raise ValueError(msg)
        return np.full(n, float(default))
    return _vector(values, n, name, "demand point")


def _vector(values: Any, size: int, name: str, what: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(size, float(arr))
    if arr.shape != (size,):
        msg = f"{name} must have one value per {what} ({size}); got shape {arr.shape}"
        raise ValueError(msg)
    if not np.isfinite(arr).all() or (arr < 0).any():
        msg = f"{name} must be finite and non-negative"
        raise ValueError(msg)
    return arr


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
    """Raise ValueError unless ``time_limit`` is None or a positive number."""
    if time_limit is not None and not (isinstance(time_limit, numbers.Real) and time_limit > 0):
        msg = f"time_limit must be a positive number of seconds or None; got {time_limit!r}"
        raise ValueError(msg)
