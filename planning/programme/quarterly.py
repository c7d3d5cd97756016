"""The quarterly bulletin (季通报) as a Word document, drawn offline.

The bulletin holds the headline figures of every indicator, a per-county
table of the headline indicator with the counties behind the time schedule
marked red, the share of every target done per county, a month-by-month trend
chart, a map of the counties coloured by share done with the firms on the
transformation list by status, and the ranking at the quarter's end. Charts
and map are matplotlib images with a CJK font an installed package brings
(:mod:`planning.documents`), so nothing needs the network or a system font.
"""

from __future__ import annotations

import io
import re
from types import SimpleNamespace
from typing import Any

import numpy as np

from ..documents import cjk_font_properties, render_map_png
from ..documents.static_map import PointLayer
from ..models import SpecificationError
from ._labels import column, label, status_word
from .progress import list_status, progress, records_of, trend
from .ranking import ranking
from .records import CITY, ProgrammeRecords

__all__ = ["STATUS_COLOURS", "bulletin", "parse_quarter", "progress_map_png", "trend_png"]

STATUS_COLOURS = {"planned": "#9e9e9e", "in_progress": "#f39c12", "completed": "#1a9850"}
"""Marker colour of the transformation-list firms by status, on maps."""

_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
_RED = "F8CBAD"


def parse_quarter(quarter: str) -> tuple[int, int]:
    """Return ``(year, q)`` of ``"2026Q3"``.

    Raises
    ------
    SpecificationError
        When ``quarter`` is not written like ``"2026Q3"``.
    """
    hit = _QUARTER.match(str(quarter).strip())
    if not hit:
        msg = f"quarter must be written like '2026Q3', got {quarter!r}"
        raise SpecificationError(msg)
    return int(hit.group(1)), int(hit.group(2))


def _rows(frame: Any) -> list[Any]:
    """Rows of a frame as objects with attribute access (typed loosely on purpose)."""
    return [SimpleNamespace(**r) for r in frame.to_dict("records")]


def _pct(x: float) -> str:
    return "-" if x is None or np.isnan(x) else f"{100 * x:.1f}%"


def _num(x: float) -> str:
    if x is None or np.isnan(x):
        return "-"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def trend_png(
    project_or_data: Any, indicator: str, year: int, *, through: int = 12, language: str = "zh"
) -> bytes:
    """Return a PNG chart of an indicator month by month: counties, city and schedule.

    Parameters
    ----------
    project_or_data
        Anything :func:`records_of` accepts.
    indicator
        Indicator id.
    year
        Programme year.
    through
        Last month drawn.
    language
        ``"zh"`` or ``"en"``.

    Returns
    -------
    bytes
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rec = records_of(project_or_data)
    ind = rec.indicator(indicator)
    table = trend(rec, indicator, year, through=through)
    font, small = cjk_font_properties(10), cjk_font_properties(8)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.4), dpi=150)
    try:
        months = np.arange(1, len(table) + 1)
        ax1.plot(months, table[CITY], marker="o", color="#1f4e79", label=label("city", language))
        ax1.plot(
            months,
            table["schedule"],
            ls="--",
            color="#c00000",
            label=label("schedule_line", language),
        )
        ax1.set_title(
            label("trend_title", language, name=ind[f"name_{language}"]), fontproperties=font
        )
        counties = [c for c in table.columns if c not in (CITY, "schedule")]
        for c in counties:
            ax2.plot(months, table[c], lw=1.2, label=_short(rec, c))
        for ax in (ax1, ax2):
            ax.set_xticks(months)
            ax.set_xlabel(label("month_axis", language), fontproperties=small)
            ax.grid(alpha=0.3)
            ax.legend(prop=small, fontsize=7)
        ax2.set_title(column("county", language), fontproperties=font)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)


def _short(rec: ProgrammeRecords, county: str) -> str:
    c = rec["counties"]
    hit = c.loc[c["county"] == county, "short_name"]
    return str(hit.iloc[0]) if len(hit) and hit.iloc[0] else county


def progress_map_png(
    project_or_data: Any, indicator: str, month: str, *, language: str = "zh"
) -> bytes:
    """Return a PNG map: counties coloured by share done, list firms by status.

    Raises
    ------
    SpecificationError
        When the records carry no planning data (no county outlines).
    """
    rec = records_of(project_or_data)
    data = rec.data
    if data is None or len(data.admin_areas) == 0:
        msg = "the records carry no planning data with county outlines to draw a map from"
        raise SpecificationError(msg)
    table = progress(rec, month=month, indicators=[indicator], infrastructure=False)
    share = table.set_index("county")["share"]
    areas = data.admin_areas.copy()
    areas["share"] = areas["name"].map(share).astype(float)
    areas["label"] = [
        f"{_short(rec, n)}\n{_pct(s)}" for n, s in zip(areas["name"], areas["share"], strict=True)
    ]
    status = list_status(rec, month).set_index("firm_id")["status"]
    firms = data.enterprises
    listed = firms[firms["id"].isin(status.index)].copy()
    listed["status"] = listed["id"].map(status)
    layers = [
        PointLayer(listed[listed["status"] == s], status_word(s, language), colour, size=14)
        for s, colour in STATUS_COLOURS.items()
    ]
    ind = rec.indicator(indicator)
    title = label("map_title", language, name=ind[f"name_{language}"], month=month)
    if rec.synthetic:
        title += f" ({label('synthetic_short', language)})"
    return render_map_png(
        areas,
        value_column="share",
        label_column="label",
        points=layers,
        title=title,
        vmin=0.0,
        vmax=1.0,
        legend_title=label("map_legend", language),
    )


def _set_font(document: Any) -> None:
    from docx.oxml.ns import qn

    style = document.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), "宋体")


def _shade(cell: Any, colour: str) -> None:
    from docx.oxml.ns import qn

    props = cell._tc.get_or_add_tcPr()
    shd = props.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:fill"): colour})
    props.append(shd)


def _table(document: Any, header: list[str], rows: list[list[str]], red: list[bool]) -> Any:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for values, mark in zip(rows, red, strict=True):
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
            if mark:
                _shade(cell, _RED)
    return table


def _picture(document: Any, png: bytes, description: str, width_cm: float) -> None:
    from docx.shared import Cm

    shape = document.add_picture(io.BytesIO(png), width=Cm(width_cm))
    shape._inline.docPr.set("descr", description)


def bulletin(
    project_or_data: Any,
    quarter: str = "2026Q3",
    language: str = "zh",
    *,
    headline: str = "digital_transformation",
) -> bytes:
    """Return the quarterly bulletin as the bytes of a ``.docx`` file.

    Parameters
    ----------
    project_or_data
        A project, a :class:`geodata.PlanningData` or :class:`ProgrammeRecords`.
    quarter
        ``"YYYYQn"``: figures are taken at the end of the quarter's last month.
    language
        ``"zh"`` or ``"en"``.
    headline
        Indicator shown per county, in the trend chart and on the map.

    Returns
    -------
    bytes
        The Word document. Its pictures carry the descriptions
        ``"trend chart"`` and ``"county map"``.
    """
    from docx import Document
    from docx.shared import Pt, RGBColor

    year, q = parse_quarter(quarter)
    label("city", language)  # checks the language
    month = f"{year:04d}-{3 * q:02d}"
    rec = records_of(project_or_data)
    table = progress(rec, month=month, infrastructure=False, language=language)
    if table.empty:
        msg = rec.note or f"no targets for {year}: nothing to report in a bulletin"
        raise SpecificationError(msg)
    prev = (
        progress(rec, month=f"{year:04d}-{3 * q - 3:02d}", infrastructure=False)
        if q > 1
        else table.assign(done=0.0)
    )
    document = Document()
    _set_font(document)
    document.add_heading(label("bulletin_title", language), level=0)
    document.add_paragraph(label("bulletin_sub", language, year=year, q=q, month=month))
    if rec.synthetic:
        run = document.add_paragraph().add_run(label("synthetic", language))
        run.italic = True
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)

    document.add_heading(label("headline", language), level=1)
    city = table[table["county"] == CITY]
    prev_city = prev[prev["county"] == CITY].set_index("indicator")["done"]
    for row in _rows(city):
        gap = 100 * row.gap
        verdict = (
            label("ahead", language, gap=f"{gap:.1f}")
            if gap > 0.05
            else label("behind_by", language, gap=f"{-gap:.1f}")
            if gap < -0.05
            else label("on_schedule", language)
        )
        text = label(
            "headline_line",
            language,
            name=row.name,
            done=_num(row.done),
            unit=row.unit,
            target=_num(row.target),
            share=_pct(row.share),
            schedule=_pct(row.schedule_share),
            verdict=verdict,
        )
        change = row.done - float(prev_city.get(row.indicator, 0.0))
        text += " " + label("quarter_change", language, change=_num(change), unit=row.unit)
        document.add_paragraph(text, style="List Bullet")

    ind = rec.indicator(headline)
    document.add_heading(label("county_section", language, name=ind[f"name_{language}"]), level=1)
    document.add_paragraph(label("county_note", language))
    rows = table[table["indicator"] == headline]
    cols = ["county", "target", "done", "share", "schedule_share", "gap", "behind"]
    body = []
    for r in _rows(rows):
        body.append(
            [
                label("city", language) if r.county == CITY else r.county,
                _num(r.target),
                _num(r.done),
                _pct(r.share),
                _pct(r.schedule_share),
                _pct(r.gap),
                label("yes", language) if r.behind else label("no", language),
            ]
        )
    _table(document, [column(c, language) for c in cols], body, list(rows["behind"]))

    document.add_heading(label("matrix_section", language), level=1)
    matrix = table.pivot_table(index="county", columns="indicator", values="share", sort=False)
    behind = table.pivot_table(index="county", columns="indicator", values="gap", sort=False) < 0
    names = dict(zip(rec["indicators"]["id"], rec["indicators"][f"name_{language}"], strict=True))
    header = [column("county", language), *[names[c] for c in matrix.columns]]
    body = [
        [label("city", language) if c == CITY else str(c), *[_pct(v) for v in matrix.loc[c]]]
        for c in matrix.index
    ]
    mtable = _table(document, header, body, [False] * len(body))
    for i, c in enumerate(matrix.index, start=1):
        for j, col in enumerate(matrix.columns, start=1):
            if bool(behind.loc[c, col]):
                _shade(mtable.rows[i].cells[j], _RED)
    for cell in (c for r in mtable.rows for c in r.cells):
        for run in cell.paragraphs[0].runs:
            run.font.size = Pt(8)

    document.add_heading(label("trend_section", language), level=1)
    _picture(
        document,
        trend_png(rec, headline, year, through=3 * q, language=language),
        "trend chart",
        16,
    )
    if rec.data is not None and len(rec.data.admin_areas):
        document.add_heading(label("map_section", language), level=1)
        png = progress_map_png(rec, headline, month, language=language)
        _picture(document, png, "county map", 15)
        document.add_paragraph(label("internal", language)).runs[0].italic = True

    document.add_heading(label("ranking_section", language), level=1)
    rank = ranking(rec, year, month=3 * q)
    document.add_paragraph(label("ranking_note", language, cap="100%"))
    keys = [k for k in rank.attrs["weights"]]
    header = [column("rank", language), column("county", language), column("score", language)]
    header += [f"{names[k]} ({_num(rank.attrs['weights'][k])})" for k in keys]
    body = [
        [str(r["rank"]), str(c), f"{r['score']:.2f}", *[f"{r[f'points_{k}']:.2f}" for k in keys]]
        for c, r in rank.iterrows()
    ]
    rtable = _table(document, header, body, [False] * len(body))
    for cell in (c for r in rtable.rows for c in r.cells):
        for run in cell.paragraphs[0].runs:
            run.font.size = Pt(8)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
