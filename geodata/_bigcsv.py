"""Reading large CSV files in parts with pyarrow's parser, for :func:`geodata.read_layer`.

The first megabyte decides what the small-file reader decides from the whole
file: the encoding, the delimiter, the title lines above the header, whether
decimals are written with commas. The rest is parsed by pyarrow, streamed in
blocks of :data:`BLOCK_BYTES`, every value as text (so ids keep their leading
zeros), and handed to :func:`geodata.validation.validate_parts` one block at
a time: memory holds one block of text, not the whole file as Python
strings.

Rows whose number of values differs from the header's are what the
small-file reader pads or reports one by one: here a row with extra values
is the same problem (an unquoted comma), a quote left open the same
``unbalanced_quote``; a short row makes :class:`Irregular` raise, and the
caller reads the file the small-file way if it is small enough for that.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._compact import memory_pool, string_dtype
from ._errors import DataError, Problem
from ._grid import HEADER_SCAN, drop_total, header_score, header_text
from ._sniff import (
    decimal_comma,
    decode,
    fail,
    fix_decimal_commas,
    sniff_delimiter,
    swallowed_rows,
)
from ._tables import blank, known_names
from .schema import layer_kind

HEAD_BYTES = 1 << 20
"""How much of the file decides the encoding, the delimiter and the header."""
BLOCK_BYTES = 4 << 20
"""Bytes of CSV parsed at a time."""


class Irregular(Exception):
    """Some rows have fewer values than the header: read the file the small-file way."""


def _head_text(head: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """Decode the first bytes, cut so that no character is split."""
    if encoding is None and head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="ignore"), "utf-16"
    cut = head.rfind(b"\n")
    return decode(head[: cut + 1] if cut > 0 else head, name, encoding)


def open_csv(
    source: Path | bytes,
    head: bytes,
    name: str,
    encoding: str | None,
    kind: str,
    *,
    max_rows: int,
) -> tuple[Iterator[pd.DataFrame], int, list[Problem]]:
    """Return ``(parts, header line, notes)`` for a large CSV.

    Raises
    ------
    geodata.DataError
        For what can be told from the head (no header, an undecodable file);
        later problems are raised while the parts are read.
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    text, used = _head_text(head[:HEAD_BYTES], name, encoding)
    notes: list[Problem] = []
    if used == "big5" and encoding is None:
        notes.append(Problem.make("big5_detected", severity="warning"))
    sep = sniff_delimiter(text)
    lines = text.splitlines()[: HEADER_SCAN + 1]
    rows = list(csv.reader(lines, delimiter=sep))
    width_all = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [""] * (width_all - len(r)) for r in rows], dtype=object)
    best, _ = header_score(grid, known_names(layer_kind(kind)))
    header = [header_text(v, j) for j, v in enumerate(rows[best] if rows else [])]
    width = len(header)
    body = text.splitlines()[best + 1 : best + 200]
    sample = [c for r in csv.reader(body, delimiter=sep) for c in r]
    everywhere = sep != "," and decimal_comma(sample)
    irregular: list[tuple[int, int, str]] = []

    def invalid(row: Any) -> str:
        irregular.append((int(row.number or 0), int(row.actual_columns), str(row.text)))
        return "skip"

    stream = pa.BufferReader(source) if isinstance(source, bytes) else pa.OSFile(str(source))
    try:
        reader = pcsv.open_csv(
            stream,
            memory_pool=memory_pool(),
            read_options=pcsv.ReadOptions(
                use_threads=False,
                block_size=BLOCK_BYTES,
                skip_rows=best,
                autogenerate_column_names=True,
                encoding="utf8" if used == "utf-8" else used,
            ),
            parse_options=pcsv.ParseOptions(
                delimiter=sep,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=invalid,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(width)},
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        fail(name, "bad_csv", reason=str(exc).splitlines()[0])
    header_line = best + 1
    parts = _parts(reader, header, sep, everywhere, irregular, header_line, name, notes, max_rows)
    return parts, header_line, notes


def _parts(
    reader: Any,
    header: list[str],
    sep: str,
    everywhere: bool,
    irregular: list[tuple[int, int, str]],
    header_line: int,
    name: str,
    notes: list[Problem],
    max_rows: int,
) -> Iterator[pd.DataFrame]:
    """Yield the data rows block by block; hold blank rows back until data follows them."""
    import pyarrow as pa

    width = len(header)
    text = string_dtype()
    carried: pd.DataFrame | None = None
    ready: pd.DataFrame | None = None
    done = 0
    first = True
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            fail(name, "bad_csv", reason=str(exc).splitlines()[0])
        _check_irregular(irregular, width, sep, header_line, name)
        frame = batch.to_pandas(types_mapper=lambda t: text if t == pa.string() else None)
        frame.columns = pd.Index(header)
        if first:
            frame = frame.iloc[1:]
            first = False
        _check_newlines(frame, sep, done + (0 if carried is None else len(carried)), name)
        if carried is not None:
            frame = pd.concat([carried, frame], ignore_index=True)
        frame = frame.reset_index(drop=True)
        filled = ~pd.DataFrame({i: blank(frame.iloc[:, i]) for i in range(width)}).all(axis=1)
        last = int(np.flatnonzero(filled.to_numpy()).max()) + 1 if bool(filled.any()) else 0
        carried = frame.iloc[last:] if last < len(frame) else None
        body = frame.iloc[:last]
        if sep != ",":
            body, example = fix_decimal_commas(body, everywhere)
            if example is not None and not any(n.code == "decimal_comma" for n in notes):
                notes.append(Problem.make("decimal_comma", severity="warning", example=example))
        if ready is not None:
            done += len(ready)
            if done > max_rows:
                fail(name, "too_many_rows", limit=max_rows)
            yield ready
        ready = body
    _check_irregular(irregular, width, sep, header_line, name)
    if ready is not None:
        yield drop_total(ready, notes, offset=done)


def _check_irregular(
    irregular: list[tuple[int, int, str]], width: int, sep: str, header_line: int, name: str
) -> None:
    """Raise for rows pyarrow set aside: extra values, an open quote; or hand over short rows."""
    if not irregular:
        return
    problems = []
    short = False
    for line, actual, text in irregular:
        row = line - header_line
        cells = next(csv.reader(io.StringIO(text, newline=""), delimiter=sep), [])
        if "\n" in text and swallowed_rows(text, sep, width):
            problems.append(Problem.make("unbalanced_quote", row, None, n=text.count("\n")))
            break
        if actual > width and any(c.strip() for c in cells[width:]):
            problems.append(Problem.make("extra_fields", row, None, None, n=actual, width=width))
        else:
            short = True
    if problems:
        raise DataError(problems, source=name)
    if short:
        raise Irregular


def _check_newlines(frame: pd.DataFrame, sep: str, done: int, name: str) -> None:
    """Raise if a value holds lines that look like rows: a quote left open."""
    for i in range(frame.shape[1]):
        col = frame.iloc[:, i]
        multi = col.str.contains("\n", regex=False).fillna(False).to_numpy(dtype=bool)
        for pos in np.flatnonzero(multi):
            cell = str(col.iloc[pos])
            if swallowed_rows(cell, sep, frame.shape[1]):
                row = done + int(pos) + 1
                problem = Problem.make("unbalanced_quote", row, None, n=cell.count("\n"))
                raise DataError([problem], source=name)
