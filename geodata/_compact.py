"""Compact columns for layers read from large files, for :func:`geodata.validation.validate_parts`.

A CSV of two million firms held as Python objects costs about 70 bytes per
id and 120 per name, and 8 bytes per row for every other text column even
when it repeats seven county names. Read in blocks, a large file's text
fields become pyarrow text block by block (pandas' ``str`` dtype, the one
pandas 3 gives any text column and a layer read back from a project has),
so one block's Python strings are freed before the next block is read;
category fields and text fields with few distinct values (counties, zones)
become pandas categoricals of one byte per row, whose categories are the
values present. Duplicate ids are looked for among 64-bit hashes of the
ids, and only a clash makes the exact check compare the ids themselves.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

CATEGORY_SHARE = 0.01
"""A text field becomes a categorical when at most this share of its values are distinct ..."""
CATEGORY_MAX = 10_000
"""... and at most this many."""
_SAMPLE = 100_000
"""Rows looked at first to tell a column of many distinct values (names) cheaply."""


def string_dtype() -> Any:
    """Return pandas' pyarrow-backed text dtype (``str`` in pandas 3)."""
    try:
        return pd.StringDtype("pyarrow", na_value=np.nan)
    except TypeError:  # pandas before 2.3
        import pyarrow as pa

        return pd.ArrowDtype(pa.string())


def memory_pool() -> Any:
    """Return the pyarrow memory pool of large reads.

    It is the C library's allocator, whose freed memory the rest of the
    process (shapely, numpy) reuses; pyarrow's default pool keeps freed
    memory for pyarrow.
    """
    import pyarrow as pa

    return pa.system_memory_pool()


def arrow_text(values: np.ndarray) -> Any:
    """Return an object array of text as a pyarrow array."""
    import pyarrow as pa

    return pa.array(values, type=pa.string(), from_pandas=True, memory_pool=memory_pool())


def text_array(chunks: list[Any]) -> pd.api.extensions.ExtensionArray:
    """Return pyarrow text arrays as one pandas ``str`` array (the chunks are not copied)."""
    import pyarrow as pa

    joined = pa.chunked_array(chunks, type=pa.string())
    return pd.arrays.ArrowStringArray(joined, dtype=string_dtype())  # type: ignore[call-arg]


def category_part(values: np.ndarray, categories: list[str]) -> pd.Categorical:
    """Return one part of a category field (canonical values, None where unknown) as codes."""
    return pd.Categorical(values, categories=categories)


def join_categories(parts: list[pd.Categorical]) -> pd.Categorical:
    """Return the parts of a category field as one categorical of the values present."""
    codes = np.concatenate([p.codes for p in parts]) if len(parts) > 1 else parts[0].codes
    return pd.Categorical.from_codes(codes, dtype=parts[0].dtype).remove_unused_categories()


def id_hashes(ids: np.ndarray) -> np.ndarray:
    """Return 64-bit hashes of one part's ids, 0 for a missing id."""
    hashed = pd.util.hash_array(np.asarray(ids, dtype=object), categorize=False)
    hashed[pd.isna(ids) | (ids == "")] = 0
    return hashed


def maybe_duplicate(hashes: list[np.ndarray]) -> bool:
    """Return whether two filled ids may be equal (their hashes are)."""
    joined = np.concatenate(hashes) if hashes else np.zeros(0, np.uint64)
    joined = np.sort(joined[joined != 0])
    return bool((joined[1:] == joined[:-1]).any())


def compact_column(values: Any, n: int) -> Any:
    """Return a text column as a categorical if it has few distinct values, else unchanged."""
    limit = min(CATEGORY_MAX, max(CATEGORY_SHARE * n, 16))
    if len(pd.unique(values[:_SAMPLE])) > limit:
        return values
    codes, uniques = pd.factorize(values, sort=True)
    if len(uniques) > limit:
        return values
    return pd.Categorical.from_codes(codes, categories=uniques)


@cache
def _malloc_trim() -> Any:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc
        return None


def release_free_memory() -> None:
    """Hand memory freed by the C library's allocator back to the system (glibc only).

    Reading a large file frees many small blocks between long-lived ones;
    glibc keeps them resident until told, and the next large allocations
    (the joined columns) would come on top.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
