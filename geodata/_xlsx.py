"""Reading Excel workbooks: the sheet holding the table, merged cells, formulas without results."""

from __future__ import annotations

import io
import warnings
import zipfile
from typing import Any

import pandas as pd

from ._archives import check_limits
from ._errors import Problem
from ._grid import HEADER_SCAN, drop_total, header_score, with_header
from ._sniff import fail
from ._tables import known_names
from .schema import layer_kind


def _sheet_grid(ws: Any) -> tuple[list[list[Any]], dict[int, int]]:
    """Return a sheet's cell values with merged ranges filled, and filled cells per column."""
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    filled: dict[int, int] = {}
    for rng in list(ws.merged_cells.ranges):
        r0, c0, r1, c1 = rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1
        if r0 >= len(grid):
            continue
        value = grid[r0][c0] if c0 < len(grid[r0]) else None
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, len(grid[r]) - 1) + 1):
                if (r, c) != (r0, c0):
                    grid[r][c] = value
                    if r1 > r0:
                        filled[c] = filled.get(c, 0) + 1
    return grid, filled


def read_xlsx(
    content: bytes, name: str, sheet: str | int | None, kind: str
) -> tuple[pd.DataFrame, int, list[Problem]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            check_limits(archive, name)
    except zipfile.BadZipFile as exc:
        fail(name, "bad_workbook", reason=str(exc))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            fail(name, "bad_workbook", reason=str(exc))
    names = list(book.sheetnames)
    listed = ", ".join(repr(str(s)) for s in names)
    notes: list[Problem] = []
    if isinstance(sheet, int) and not 0 <= sheet < len(names):
        fail(name, "no_sheet", sheet=str(sheet), listed=listed)
    if isinstance(sheet, str) and sheet not in names:
        fail(name, "no_sheet", sheet=repr(sheet), listed=listed)
    known = known_names(layer_kind(kind))
    if sheet is None:
        scores = [
            header_score(pd.DataFrame(_sheet_grid(book[s])[0][:HEADER_SCAN]), known)[1]
            for s in names
        ]
        chosen = names[max(range(len(names)), key=lambda i: (scores[i], -i))] if names else ""
        if chosen != names[0] and scores[0] == 0:
            notes.append(
                Problem.make("other_sheet", severity="warning", chosen=chosen, first=names[0])
            )
    else:
        chosen = names[sheet] if isinstance(sheet, int) else sheet
    grid, filled = _sheet_grid(book[chosen])
    _check_formulas(content, chosen, grid, name)
    frame = pd.DataFrame(grid, dtype=object)
    table, header_line = with_header(frame, kind, name)
    table = drop_total(table, notes)
    for col, n in sorted(filled.items()):
        if col < len(table.columns) and n:
            label = str(table.columns[col])
            notes.append(Problem.make("merged_filled", None, label, severity="warning", n=n))
    return table, header_line, notes


def _check_formulas(content: bytes, sheet: str, grid: list[list[Any]], name: str) -> None:
    """Raise if cells hold formulas whose results were never saved (values read as empty)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    empty = {(r, c) for r, row in enumerate(grid) for c, v in enumerate(row) if v is None}
    if not empty:
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    cells = []
    for r, row in enumerate(book[sheet].iter_rows(values_only=True)):
        for c, v in enumerate(row):
            if (r, c) in empty and isinstance(v, str) and v.startswith("="):
                cells.append(f"{get_column_letter(c + 1)}{r + 1}")
    book.close()
    if cells:
        fail(name, "formula_no_value", n=len(cells), cell=cells[0])
