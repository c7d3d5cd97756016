"""Compact columns for layers read from large files, for :func:`geodata.validation.validate_parts`.

A CSV of two million firms held as Python objects costs about 70 bytes per
id and 120 per name, and 8 bytes per row for every other text column even
when it repeats seven county names. Read in blocks, a large file's text
fields become pyarrow text block by block (pandas' ``str`` dtype, the one
pandas 3 gives any text column and a layer read back from a project has),
so one block's Python strings are freed before the next block is read;
category fields and text fields with few distinct values (counties, zones)
become pandas categoricals of one byte per row, whose categories are the
values present (a text field with more distinct values in a block, or in
the whole file, than :data:`CATEGORY_SHARE` allows is pyarrow text).
Whole-number fields stay int64, as the small-file reader has them (int32
would save about 24 MB at two million rows, and would overflow silently in
a product such as employees x fleet). Duplicate ids are looked for among 64-bit hashes of the
ids, and only a clash makes the exact check compare the ids themselves. The
parts of a categorical are joined code by code in the narrowest integers,
without the full-length 64-bit codes pandas' own functions make.

What stays is then mostly the geometry: a shapely point costs about 216
bytes, so two million firms need about 413 MiB of points, 110 MiB of ids
and names and 55 MiB of numbers.
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


class Compactor:
    """Turns each checked part's columns compact and joins them at the end.

    Parameters
    ----------
    text
        Text fields (``"id"`` among them, always pyarrow text).
    categories
        Per category field, every value it can hold.
    """

    def __init__(self, text: set[str], categories: dict[str, list[str]]) -> None:
        self.text, self.categories = text, categories
        self.few = text - {"id"}  # text fields held as categoricals so far
        self.hashes: list[np.ndarray] = []

    def part(self, values: dict[str, Any]) -> None:
        """Replace one part's object arrays of text (in ``values``) by compact ones."""
        self.hashes.append(id_hashes(values["id"]))
        for name in self.text:
            column = values.pop(name)
            if name in self.few:
                codes, uniques = pd.factorize(column)
                if len(uniques) <= max(16, CATEGORY_SHARE * len(column)):
                    values[name] = pd.Categorical.from_codes(codes, categories=uniques)
                    continue
                self.few.discard(name)  # names, addresses: text from here on
            values[name] = arrow_text(column)
        for name, categories in self.categories.items():
            values[name] = pd.Categorical(values.pop(name), categories=categories)

    def join(self, name: str, parts: list[Any], n: int) -> Any:
        """Return the parts of a compact field as one column of ``n`` rows."""
        if name in self.categories:
            every = parts[0].dtype.categories
            used = np.zeros(len(every) + 1, dtype=bool)  # the last for missing values (-1)
            for p in parts:
                used[np.unique(p.codes)] = True
            return _recoded(parts, every[used[:-1]])
        if name in self.few:
            joined = _recoded(parts, _union(parts))
            if len(joined.categories) <= min(CATEGORY_MAX, max(16, CATEGORY_SHARE * n)):
                return joined
            parts = [joined]
        return text_array([p if _is_arrow(p) else _categorical_text(p) for p in parts])

    def maybe_duplicate(self) -> bool:
        """Return whether two filled ids may be equal (their hashes are); forget the hashes."""
        joined = np.concatenate(self.hashes) if self.hashes else np.zeros(0, np.uint64)
        self.hashes.clear()
        joined.sort()  # in place; the missing ids' zeros come first
        filled = int(np.searchsorted(joined, 0, side="right"))
        return bool((joined[filled + 1 :] == joined[filled:-1]).any())


def _union(parts: list[pd.Categorical]) -> pd.Index:
    """Return the sorted union of the parts' categories (as ``union_categoricals`` has it)."""
    from pandas.api.types import union_categoricals

    alone = [pd.Categorical.from_codes(np.arange(len(p.categories)), dtype=p.dtype) for p in parts]
    return union_categoricals(alone, sort_categories=True).categories


def _recoded(parts: list[pd.Categorical], categories: pd.Index) -> pd.Categorical:
    """Return the parts as one categorical of ``categories``, which hold every value used.

    The codes are translated part by part, in the narrowest integers that
    hold them: no full-length array of 64-bit codes is made (pandas'
    ``union_categoricals`` and ``remove_unused_categories`` make two or three).
    """
    dtype = pd.CategoricalDtype(categories)
    width = np.int8 if len(categories) < 127 else np.int16 if len(categories) < 32767 else np.int32
    codes = []
    for p in parts:
        to = np.append(categories.get_indexer(p.categories), -1).astype(width)
        codes.append(to[p.codes])  # a missing value's -1 picks the last: -1
    return pd.Categorical.from_codes(np.concatenate(codes), dtype=dtype, validate=False)


def _is_arrow(values: Any) -> bool:
    return not isinstance(values, pd.Categorical)


def _categorical_text(values: pd.Categorical) -> Any:
    """Return a categorical of text (no missing values) as a pyarrow array."""
    labels = arrow_text(np.asarray(values.categories, dtype=object))
    return labels.take(values.codes)


def id_hashes(ids: np.ndarray) -> np.ndarray:
    """Return 64-bit hashes of one part's ids, 0 for a missing id."""
    hashed = pd.util.hash_array(np.asarray(ids, dtype=object), categorize=False)
    hashed[pd.isna(ids) | (ids == "")] = 0
    return hashed


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
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
