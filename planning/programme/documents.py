"""Spreadsheets that go upward: the monthly supervision sheet and the yearly ranking.

Both are ``.xlsx`` files written with openpyxl: a title, a synthetic-data note
when the records are synthetic, and the tables of :func:`.progress.progress`
and :func:`.ranking.ranking` with headers in the language asked for. Counties
behind the time schedule are filled red so that the sheet reads at a glance.
The quarterly bulletin (Word) is in :mod:`.quarterly`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._labels import column, label
from .progress import infrastructure_indicators, parse_month, progress, records_of
from .ranking import ranking

__all__ = ["ranking_sheet", "supervision_sheet"]

_RED = "F8CBAD"
_GREEN = "C6EFCE"
_AMBER = "FFEB9C"
_HEAD = "DDEBF7"


def _workbook() -> Any:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    return book


def _title(ws: Any, text: str, note: str) -> int:
    from openpyxl.styles import Font

    ws.cell(row=1, column=1, value=text).font = Font(bold=True, size=14)
    if note:
        ws.cell(row=2, column=1, value=note).font = Font(italic=True, color="C00000")
    return 4


def _write(
    ws: Any,
    frame: pd.DataFrame,
    start: int,
    headers: Sequence[str],
    *,
    percent: Sequence[str] = (),
    fills: Sequence[str | None] | None = None,
) -> int:
    """Write ``frame`` from row ``start``; return the next free row."""
    from openpyxl.styles import Font, PatternFill

    for j, text in enumerate(headers, start=1):
        cell = ws.cell(row=start, column=j, value=text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEAD)
        ws.column_dimensions[cell.column_letter].width = max(10, min(2 + 2 * len(text), 30))
    for i, row in enumerate(frame.itertuples(index=False), start=start + 1):
        fill = fills[i - start - 1] if fills is not None else None
        for j, (name, value) in enumerate(zip(frame.columns, row, strict=True), start=1):
            cell = ws.cell(row=i, column=j, value=_cell(value))
            if name in percent:
                cell.number_format = "0.0%"
            elif isinstance(value, float):
                cell.number_format = "0.##"
            if fill:
                cell.fill = PatternFill("solid", fgColor=fill)
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
    return start + len(frame) + 2


def _cell(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    return value


def _save(book: Any) -> bytes:
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _light_fill(light: str) -> str | None:
    return {"red": _RED, "amber": _AMBER, "green": _GREEN}.get(light)


def supervision_sheet(
    project_or_data: Any, month: str = "2026-11", *, language: str = "zh"
) -> bytes:
    """Return the monthly supervision sheet (月督导) as ``.xlsx`` bytes.

    Parameters
    ----------
    project_or_data
        A project, a :class:`geodata.PlanningData` or :class:`ProgrammeRecords`.
    month
        ``"YYYY-MM"``.
    language
        ``"zh"`` or ``"en"`` for the headers and titles.

    Returns
    -------
    bytes
        A workbook with the sheet of every indicator per county and for the
        city (traffic-light fills) and, when the records carry planning data,
        a sheet of the derived infrastructure indicators.
    """
    parse_month(month)
    rec = records_of(project_or_data)
    table = progress(rec, month=month, infrastructure=False, language=language)
    note = label("synthetic", language) if rec.synthetic else rec.note
    book = _workbook()
    ws = book.create_sheet("督导" if language == "zh" else "supervision")
    start = _title(ws, label("supervision_title", language, month=month), note)
    cols = ["name", "county", "unit", "target", "done", "share", "schedule_share", "gap",
            "change", "behind"]  # fmt: skip
    shown = table[cols].copy()
    shown["county"] = shown["county"].replace({"全市": label("city", language)})
    shown["behind"] = shown["behind"].map(
        lambda b: label("yes", language) if b else label("no", language)
    )
    _write(
        ws,
        shown,
        start,
        [column(c, language) for c in cols],
        percent=("share", "schedule_share", "gap"),
        fills=[_light_fill(x) for x in table["light"]],
    )
    if rec.data is not None:
        infra = infrastructure_indicators(rec).reset_index()
        infra["county"] = infra["county"].replace({"全市": label("city", language)})
        ws2 = book.create_sheet("基础设施" if language == "zh" else "infrastructure")
        start = _title(ws2, label("supervision_title", language, month=month), note)
        _write(
            ws2,
            infra,
            start,
            [column(c, language) for c in infra.columns],
            percent=[c for c in infra.columns if c.startswith("share")],
        )
    return _save(book)


def ranking_sheet(
    project_or_data: Any,
    year: int = 2026,
    weights: Mapping[str, float] | None = None,
    *,
    language: str = "zh",
) -> bytes:
    """Return the yearly county ranking (年度大排名) with its score breakdown as ``.xlsx``.

    Parameters
    ----------
    project_or_data
        A project, a :class:`geodata.PlanningData` or :class:`ProgrammeRecords`.
    year
        The programme year.
    weights
        Indicator id -> weight, or None for the saved weights.
    language
        ``"zh"`` or ``"en"``.

    Returns
    -------
    bytes
        A workbook: the ranking (rank, county, score, then share and points per
        indicator, ties named) and the weights used.
    """
    rec = records_of(project_or_data)
    rank = ranking(rec, year, weights)
    note = label("synthetic", language) if rec.synthetic else rec.note
    names = dict(zip(rec["indicators"]["id"], rec["indicators"][f"name_{language}"], strict=True))
    book = _workbook()
    ws = book.create_sheet("排名" if language == "zh" else "ranking")
    start = _title(ws, label("ranking_title", language, year=year, month=rank.attrs["month"]), note)
    shown = rank.reset_index()
    headers = []
    for c in shown.columns:
        if c.startswith("points_"):
            headers.append(f"{names[c.removeprefix('points_')]} {column('points', language)}")
        elif c.startswith("share_"):
            headers.append(f"{names[c.removeprefix('share_')]} {column('share', language)}")
        else:
            headers.append(column(c, language))
    _write(ws, shown, start, headers, percent=[c for c in shown.columns if c.startswith("share_")])
    ws2 = book.create_sheet("权重" if language == "zh" else "weights")
    w = pd.DataFrame(
        {
            "indicator": list(rank.attrs["weights"]),
            "name": [names[k] for k in rank.attrs["weights"]],
            "weight": list(rank.attrs["weights"].values()),
        }
    )
    start = _title(ws2, label("weights", language), label("ranking_note", language, cap="100%"))
    _write(ws2, w, start, [column(c, language) for c in w.columns])
    return _save(book)
