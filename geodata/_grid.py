"""The table in a grid of cells: the header row under title lines, blank tails, totals rows.

Shared by the CSV and workbook readers: both turn a file into a grid of cells
first, and this finds the header (the row among the first few naming the most
known columns), the data under it, and what to leave out at the end.
"""

from __future__ import annotations

import re

import pandas as pd

from ._errors import DataError, Problem, shift_lines
from ._tables import bare, blank, known_names, norm
from .schema import layer_kind

HEADER_SCAN = 10
"""How many rows at the top of a sheet may hold the header."""


_TOTALS = re.compile(
    r"^(合计|總計|总计|合計|小计|小計|总数|共计|total|totals|sum|grandtotal)[:：]?$"
)


def _total_row(table: pd.DataFrame) -> int | None:
    """Return the position of a totals row (``合计``, ``Total``) ending the table, if any.

    It is the last row, and its first filled cell is a word for total.
    """
    if not len(table) or not table.shape[1]:
        return None
    last = table.iloc[-1]
    filled = [v for v in last if not pd.isna(v) and str(v).strip()]
    if filled and _TOTALS.match(re.sub(r"\s+", "", str(filled[0])).casefold()):
        return len(table) - 1
    return None


def drop_total(table: pd.DataFrame, notes: list[Problem], offset: int = 0) -> pd.DataFrame:
    """Leave out a totals row ending the table, with a note (rows counted after ``offset``)."""
    pos = _total_row(table)
    if pos is None:
        return table
    word = next(str(v).strip() for v in table.iloc[pos] if not pd.isna(v) and str(v).strip())
    row = offset + pos + 1
    notes.append(Problem.make("total_row", row, None, word, severity="warning", word=word))
    return table.iloc[:pos]


def _trim_blank_tail(table: pd.DataFrame) -> pd.DataFrame:
    """Drop wholly empty rows at the end and unnamed wholly empty columns."""
    empty = pd.DataFrame({i: blank(table.iloc[:, i]) for i in range(table.shape[1])})
    if not table.shape[1]:
        return table.reset_index(drop=True)
    filled = ~empty.all(axis=1).to_numpy()
    last = int(filled.nonzero()[0].max()) + 1 if filled.any() else 0
    table = table.iloc[:last]
    empty = empty.iloc[:last]
    keep = [
        i
        for i, c in enumerate(table.columns)
        if not (str(c).startswith("Unnamed:") and bool(empty[i].all()))
    ]
    return table.iloc[:, keep].reset_index(drop=True)


def header_text(value: object, position: int) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip():
        return f"Unnamed: {position}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def header_score(grid: pd.DataFrame, known: set[str]) -> tuple[int, int]:
    """Return ``(row index, score)`` of the row naming the most known columns (distinct names)."""
    best, best_score = 0, 0
    for i in range(min(HEADER_SCAN, len(grid))):
        score = len(
            {
                bare(v)
                for v in grid.iloc[i]
                if isinstance(v, str) and (norm(v) in known or bare(v) in known)
            }
        )
        if score > best_score:
            best, best_score = i, score
    return best, best_score


def with_header(grid: pd.DataFrame, kind: str, name: str) -> tuple[pd.DataFrame, int]:
    """Use the row naming the most known columns (among the first few) as the header.

    Spreadsheets often carry a title or notes above the header; data rows are
    counted from the row under the header whichever row that is. Returns the
    table and the header's line (1-based). Values beyond the header's last
    column are an error (an unquoted comma, usually).
    """
    if grid.empty:
        return pd.DataFrame(), 1
    best, _ = header_score(grid, known_names(layer_kind(kind)))
    header = list(grid.iloc[best])
    width = max(
        (j + 1 for j, v in enumerate(header) if not header_text(v, j).startswith("Unnamed: ")),
        default=0,
    )
    body = grid.iloc[best + 1 :].reset_index(drop=True)
    if body.shape[1] > width:
        extra = body.iloc[:, width:]
        over = ~pd.DataFrame({i: blank(extra.iloc[:, i]) for i in range(extra.shape[1])}).all(
            axis=1
        )
        rows = over.to_numpy().nonzero()[0]
        if len(rows):
            problems = []
            for pos in rows:
                cells = body.iloc[pos]
                n = int(
                    max(j + 1 for j in range(len(cells)) if not blank(cells.iloc[j : j + 1])[0])
                )
                problems.append(
                    Problem.make("extra_fields", int(pos) + 1, None, None, n=n, width=width)
                )
            raise DataError(shift_lines(problems, best + 1), source=name)
    names = [header_text(v, j) for j, v in enumerate(header)]
    table = body.copy()
    table.columns = pd.Index(names)
    return _trim_blank_tail(table), best + 1
