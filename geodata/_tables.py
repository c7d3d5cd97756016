"""Helpers shared by validation and reading: column names, blanks, numbers, problems."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ._errors import Problem
from .schema import LayerKind

LON_NAMES = ("lon", "lng", "long", "longitude", "x", "经度", "东经", "經度", "東經")
LAT_NAMES = ("lat", "latitude", "y", "纬度", "北纬", "緯度", "北緯")
WKT_NAMES = ("wkt", "geometry", "geom", "几何")
_WIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "　": " "})
_FULL_DIGITS = str.maketrans("０１２３４５６７８９．－＋，", "0123456789.-+,")
_THOUSANDS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"


def norm(name: object) -> str:
    """Return a column name folded for matching: half-width, no spaces, case-folded."""
    text = str(name).translate(_WIDTH).strip().casefold()
    return re.sub(r"\s+", "", text)


def bare(name: object) -> str:
    """Return a normalised name without a trailing unit in parentheses."""
    return re.sub(r"\(.*?\)$", "", norm(name)) or norm(name)


def cat_key(value: object) -> str:
    """Return a category value folded for matching."""
    return re.sub(r"[\s_\-]+", "", str(value).translate(_WIDTH).strip().casefold())


class Collector:
    """Problems found so far, and which data rows (0-based) they make unusable."""

    def __init__(self) -> None:
        self.file: list[Problem] = []
        self.rows: list[Problem] = []
        self.warnings: list[Problem] = []
        self.bad: set[int] = set()

    def whole(self, code: str, column: str | None, value: object = None, **params: Any) -> None:
        """Record a problem with the whole file."""
        self.file.append(Problem.make(code, None, column, value, **params))

    def row(
        self,
        pos: int | np.integer[Any],
        code: str,
        column: str | None,
        value: object = None,
        **params: Any,
    ) -> None:
        """Record a problem that makes data row ``pos`` (0-based) unusable."""
        text = None if value is None or is_missing(value) else str(value)
        self.rows.append(Problem.make(code, int(pos) + 1, column, text, **params))
        self.bad.add(int(pos))

    def warn(
        self, code: str, column: str | None = None, row: int | None = None, **params: Any
    ) -> None:
        """Record a warning (the layer still loads)."""
        self.warnings.append(Problem.make(code, row, column, severity="warning", **params))

    def ordered(self, columns: list[object] | None = None) -> list[Problem]:
        """Return the problems in file order: whole-file ones, then by row and column."""
        return self.file + self.sorted_rows(columns)

    def sorted_rows(self, columns: list[object] | None = None) -> list[Problem]:
        """Return the row problems by row, then by column order."""
        order = {str(c): i for i, c in enumerate(columns or [])}
        return sorted(self.rows, key=lambda p: (p.row or 0, order.get(str(p.column), len(order))))


def is_missing(value: object) -> bool:
    """Return whether one value is missing: None, NaN, NA or blank text."""
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


def arrow_text(values: pd.Series) -> Any:
    """Return a column of text held by pyarrow as a ``ChunkedArray``, or None for other columns."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return values.array.__arrow_array__()
    if isinstance(dtype, pd.ArrowDtype) and str(dtype.pyarrow_dtype) in ("string", "large_string"):
        return values.array.__arrow_array__()
    return None


def _arrow_stripped(arr: Any) -> tuple[Any, np.ndarray]:
    import pyarrow.compute as pc

    stripped = pc.utf8_trim_whitespace(arr)
    missing = pc.or_kleene(pc.is_null(stripped), pc.equal(stripped, ""))
    return stripped, np.asarray(pc.fill_null(missing, True), dtype=bool)


def blank(values: pd.Series) -> np.ndarray:
    """Return which values are missing: NA, None or whitespace-only text."""
    arr = arrow_text(values)
    if arr is not None:
        return _arrow_stripped(arr)[1]
    na = np.asarray(values.isna(), dtype=bool)
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return na
    text = values.astype(object).where(~na, "").astype(str)
    return na | np.asarray(text.str.strip().eq(""), dtype=bool)


def numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(numbers, missing, bad)`` for a column of numbers or text.

    Text may have spaces, full-width digits (``１２０．４５``) and thousands
    separators in groups of three (``12,345.5``); any other comma (``1234,5``)
    makes the value not a number rather than a number ten times too big.
    """
    arr = arrow_text(values)
    if arr is not None:
        fast = _arrow_numbers(arr)
        if fast is not None:
            return fast
    missing = blank(values)
    if pd.api.types.is_bool_dtype(values):
        nums = np.full(len(values), np.nan)
        return nums, missing, ~missing
    if pd.api.types.is_numeric_dtype(values):
        nums = np.array(values, dtype="float64")
    else:
        obj = values.astype(object)
        if pd.api.types.infer_dtype(obj, skipna=True) in ("string", "empty"):
            is_bool = np.zeros(len(obj), dtype=bool)
        else:
            is_bool = np.asarray(obj.map(lambda v: isinstance(v, bool | np.bool_)), dtype=bool)
        text = obj.where(~missing & ~is_bool, "").astype(str)
        cleaned = text.str.translate(_FULL_DIGITS).str.replace(r"\s", "", regex=True)
        grouped = cleaned.str.match(_THOUSANDS)
        if bool(grouped.any()):
            cleaned = cleaned.where(~grouped, cleaned.str.replace(",", "", regex=False))
        nums = np.array(pd.to_numeric(cleaned, errors="coerce"), dtype="float64")
        nums[is_bool] = np.inf
    bad = ~missing & ~np.isfinite(nums)
    nums[missing | bad] = np.nan
    return nums, missing, bad


def _arrow_numbers(arr: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Return ``(numbers, missing, bad)`` if every filled value is a plain number, else None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    stripped, missing = _arrow_stripped(arr)
    try:
        cast = pc.cast(pc.if_else(pa.array(missing), None, stripped), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    nums = np.asarray(cast.to_numpy(zero_copy_only=False), dtype="float64").copy()
    bad = ~missing & ~np.isfinite(nums)
    nums[missing | bad] = np.nan
    return nums, missing, bad


def texts(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(codes, uniques)``: each value's position in the distinct values as text.

    Text is stripped, a whole float is written without ``.0`` and a missing
    value is None; ``codes`` index ``uniques`` (so ``uniques[codes]`` is the
    column as text, equal values sharing one string).
    """
    arr = arrow_text(values)
    if arr is not None:
        return _arrow_texts(arr)
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        out = np.empty(len(values) + 1, dtype=object)
        out[:-1] = [_text(v) for v in values.astype(object)]
        out[-1] = None
        return np.arange(len(values)), out[:-1]
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    labels = np.empty(len(uniques) + 1, dtype=object)
    labels[: len(uniques)] = [_text(v) for v in uniques]
    labels[-1] = None
    codes = np.where(codes < 0, len(uniques), codes)
    return codes, labels


def _arrow_texts(arr: Any) -> tuple[np.ndarray, np.ndarray]:
    import pyarrow as pa
    import pyarrow.compute as pc

    stripped = pc.utf8_trim_whitespace(arr).combine_chunks()
    stripped = pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), stripped)
    encoded = pc.dictionary_encode(stripped)
    dictionary = encoded.dictionary
    labels = np.empty(len(dictionary) + 1, dtype=object)
    labels[:-1] = dictionary.to_numpy(zero_copy_only=False)
    labels[-1] = None
    codes = pc.fill_null(encoded.indices, len(dictionary)).to_numpy(zero_copy_only=False)
    return np.asarray(codes, dtype=np.int64), labels


def _text(value: object) -> str | None:
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() or None


def find_named(
    columns: Iterable[object],
    names: tuple[str, ...],
    what: str,
    found: Collector,
    table: pd.DataFrame | None = None,
) -> object | None:
    """Return the column whose name is in ``names``.

    Without ``table`` the earliest name wins. With it, every column named so
    must hold the same values (``lon`` and a copy in ``经度``); two that
    differ (``经度`` and a shifted ``lng``, or ``经度`` and ``x`` in metres)
    are ambiguous: a problem, never a silent choice.
    """
    best: dict[int, list[object]] = {}
    for col in columns:
        for key in (norm(col), bare(col)):
            if key in names:
                best.setdefault(names.index(key), []).append(col)
                break
    if not best:
        return None
    cols = best[min(best)]
    if table is not None and len(cols) == 1:
        every = [c for i in sorted(best) for c in best[i]]
        first = table[cols[0]].astype(object).to_numpy()
        differ = [
            c for c in every[1:] if not np.array_equal(table[c].astype(object).to_numpy(), first)
        ]
        if differ:
            cols = [cols[0], *differ]
    if len(cols) > 1:
        listed = " and ".join(repr(str(c)) for c in cols)
        found.whole("ambiguous_coord", None, listed=listed, what=what)
        return None
    return cols[0]


def known_names(spec: LayerKind) -> set[str]:
    """Return every normalised column name that means something for ``spec``."""
    names = {*LON_NAMES, *LAT_NAMES, *WKT_NAMES}
    for f in spec.fields:
        for alias in (f.name, f.label_zh, *f.aliases):
            if alias:
                names |= {norm(alias), bare(alias)}
    return names
