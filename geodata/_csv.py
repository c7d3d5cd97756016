"""Reading CSV text: encoding, delimiter, quotes, decimal commas, into a table of strings."""

from __future__ import annotations

import csv
import io

import pandas as pd

from ._errors import DataError, Problem
from ._grid import HEADER_SCAN, drop_total, with_header
from ._sniff import (
    decimal_comma,
    decode,
    fail,
    fix_decimal_commas,
    sniff_delimiter,
    swallowed_rows,
)

MAX_ROWS = 3_000_000
"""Most rows in one layer."""


def read_csv(
    content: bytes, name: str, encoding: str | None, kind: str
) -> tuple[pd.DataFrame, int, list[Problem]]:
    text, used = decode(content, name, encoding)
    notes: list[Problem] = []
    if used == "big5" and encoding is None:
        notes.append(Problem.make("big5_detected", severity="warning"))
    sep = sniff_delimiter(text)
    csv.field_size_limit(max(csv.field_size_limit(), min(len(text) + 1, 2**31 - 1)))
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        fail(name, "bad_csv", reason=str(exc))
    if len(rows) > MAX_ROWS + HEADER_SCAN:
        fail(name, "too_many_rows", limit=MAX_ROWS)
    _check_quotes(rows, sep, name)
    everywhere = sep != "," and decimal_comma([c for r in rows[1:200] for c in r])
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    table, header_line = with_header(grid, kind, name)
    table = drop_total(table, notes)
    if sep != ",":
        table, example = fix_decimal_commas(table, everywhere)
        if example is not None:
            notes.append(Problem.make("decimal_comma", severity="warning", example=example))
    return table, header_line, notes


def _check_quotes(rows: list[list[str]], sep: str, name: str) -> None:
    """Raise if a stray quote swallowed following lines into one value."""
    width = max((len(r) for r in rows), default=0)
    for pos, row in enumerate(rows):
        for cell in row:
            if "\n" in cell and swallowed_rows(cell, sep, width):
                problem = Problem.make("unbalanced_quote", pos, None, n=cell.count("\n"))
                raise DataError([problem], source=name)
