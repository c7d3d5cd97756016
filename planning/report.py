"""Printable Word reports of one siting scenario or of a comparison of scenarios.

:func:`scenario_report` and :func:`comparison_report` return the bytes of a
``.docx`` file a bureau can file: a summary of at most two pages (the
question, the answer, a static map drawn offline, the county table and the
coverage curve) and an appendix listing every proposed site. Maps and charts
are matplotlib images drawn with the CJK font the project brings
(:func:`planning.documents.cjk_font_path`), so Chinese labels print without
any font installed on the reader's machine and without a network.
"""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .export._labels import _check, _label, _percent, _value
from .export._tables import LANGUAGES, _headline, _question

if TYPE_CHECKING:
    from .scenarios import ScenarioResult

__all__ = ["comparison_report", "scenario_report"]

_SCENARIO_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")

_TEXT = {
    "title": ("选址方案报告", "Siting scenario report"),
    "compare_title": ("选址方案对比报告", "Siting scenarios compared"),
    "question": ("问题", "The question"),
    "answer": ("答案", "The answer"),
    "map": ("方案地图", "Map"),
    "county": ("分区县覆盖率", "Coverage by county"),
    "curve": ("覆盖率随站点数(或预算)变化", "Coverage against sites (or budget)"),
    "appendix": ("附录: 全部拟建站点", "Appendix: every proposed site"),
    "county_col": ("区县", "County"),
    "firms": ("企业数", "Firms"),
    "before": ("方案前覆盖率", "Coverage before"),
    "after": ("方案后覆盖率", "Coverage after"),
    "change": ("提升(百分点)", "Change (points)"),
    "proposed": ("拟建站点", "Proposed sites"),
    "newly": ("新覆盖企业", "Firms newly served"),
    "existing": ("现有站点", "Existing sites"),
    "sentence": (
        "新建 {sites} 个站点(总造价 {cost} 元),需求覆盖率从 {before} 提高到 {after},"
        "提升 {points} 个百分点,新覆盖企业 {newly} 家。求解状态: {status},最优性差距 {gap}。",
        "{sites} new sites (total cost {cost} CNY) raise demand coverage from {before} to "
        "{after}, {points} percentage points, serving {newly} more firms. Solver: {status}, "
        "optimality gap {gap}.",
    ),
    "synthetic": (
        "演示数据为合成数据,仅供演示,不代表真实情况。",
        "The demo data is synthetic: for demonstration only.",
    ),
    "note": (
        "规划测算结果,仅供内部规划参考;地图未经审图,覆盖半径为规划估算值。",
        "Planning estimate for internal use; the map has not been through map review and "
        "service radii are planning-level estimates.",
    ),
    "sites_axis": ("新增站点数", "New sites"),
    "budget_axis": ("预算(元)", "Budget (CNY)"),
    "share_axis": ("覆盖率(%)", "Coverage (%)"),
    "scenario": ("方案", "Scenario"),
    "date": ("生成日期", "Generated"),
}


def _t(key: str, language: str) -> str:
    zh, en = _TEXT[key]
    return zh if language == "zh" else en


# --------------------------------------------------------------------------- images


def _map_png(data: Any, results: Sequence[ScenarioResult], language: str) -> bytes:
    """County shares after the (first) scenario, proposed and newly served points."""
    from .documents import render_map_png
    from .documents.static_map import PointLayer

    areas = data.admin_areas.copy()
    ind = results[0].indicators
    shares: dict[str, float] = {}
    if "county" in ind.index.get_level_values(0):
        shares = {str(k): float(v) for k, v in ind.loc["county"]["share_after"].items()}
    key = "short_name" if "short_name" in areas else "name"
    values = [
        shares.get(str(n), shares.get(str(s), np.nan))
        for n, s in zip(areas["name"], areas[key], strict=True)
    ]
    areas["share_pct"] = 100 * np.asarray(values, dtype=float)
    points = []
    for i, result in enumerate(results):
        color = _SCENARIO_COLORS[i % len(_SCENARIO_COLORS)]
        served = result.served
        if len(results) == 1 and "newly_served" in served:
            newly = served[served["newly_served"].astype(bool)]
            points.append(PointLayer(newly, _t("newly", language), color="#ffd700", size=6))
        label = _t("proposed", language)
        if len(results) > 1:
            label = f"{_t('scenario', language)} {result.name}"
        points.append(PointLayer(result.proposed_sites, label, color=color, size=36, marker="^"))
    has_values = bool(np.isfinite(areas["share_pct"]).any())
    return render_map_png(
        areas,
        value_column="share_pct" if has_values else None,
        label_column="name",
        points=points,
        vmin=0,
        vmax=100,
        legend_title=_t("after", language) + " (%)",
        width_in=5.2,
        dpi=150,
    )


def _curve_png(results: Sequence[ScenarioResult], language: str) -> bytes | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .documents import cjk_font_properties

    font = cjk_font_properties(8)
    fig, ax = plt.subplots(figsize=(6.0, 2.1), dpi=150)
    try:
        drawn = False
        xcol = "sites"
        for i, result in enumerate(results):
            curve = pd.DataFrame(result.curve)
            xcol = "budget_cny" if "budget_cny" in curve else "sites"
            if curve.empty or xcol not in curve or "share" not in curve:
                continue
            ax.plot(
                curve[xcol],
                100 * curve["share"],
                marker="o",
                markersize=3,
                color=_SCENARIO_COLORS[i % len(_SCENARIO_COLORS)],
                label=str(result.name),
            )
            drawn = True
        if not drawn:
            return None
        ax.set_xlabel(
            _t("budget_axis" if xcol == "budget_cny" else "sites_axis", language),
            fontproperties=font,
        )
        ax.set_ylabel(_t("share_axis", language), fontproperties=font)
        ax.grid(True, color="#e5e5e5")
        ax.tick_params(labelsize=7)
        if len(results) > 1:
            ax.legend(prop=font)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        return buf.getvalue()
    finally:
        plt.close(fig)


# --------------------------------------------------------------------------- tables


def _county_rows(
    results: Sequence[ScenarioResult], language: str
) -> tuple[list[str], list[list[str]]]:
    first = results[0].indicators
    counties = (
        first.loc["county"] if "county" in first.index.get_level_values(0) else first.iloc[:0]
    )
    header = [_t("county_col", language), _t("firms", language), _t("before", language)]
    if len(results) == 1:
        header += [_t("after", language), _t("change", language)]
    else:
        header += [f"{r.name}" for r in results]
    rows = []
    groups = list(counties.index)
    if "total" in first.index.get_level_values(0):
        groups.append(("total", "total"))
    for group in groups:
        level, name = group if isinstance(group, tuple) else ("county", group)
        rec = first.loc[(level, name)]
        label = str(_value(name, language)) if level == "total" else str(name)
        row = [label, f"{int(rec['firms']):,}", _percent(rec["share_before"])]
        if len(results) == 1:
            row += [_percent(rec["share_after"]), f"{100 * float(rec['change']):+.1f}"]
        else:
            for r in results:
                row.append(_percent(r.indicators.loc[(level, name)]["share_after"]))
        rows.append(row)
    return header, rows


def _site_rows(result: ScenarioResult, language: str) -> tuple[list[str], list[list[str]]]:
    cols = ["order", "id", "name", "source", "county", "cost_cny", "gain", "firms_new"]
    sites = result.proposed_sites
    cols = [c for c in cols if c in sites]
    header = [_label(c, language) for c in cols]
    rows = []
    for rec in sites[cols].to_dict("records"):
        row = []
        for c in cols:
            v = rec[c]
            if c == "source":
                from .maps import _category_label

                v = _category_label("source", v, language)
            if isinstance(v, float):
                v = "" if np.isnan(v) else f"{v:,.0f}"
            row.append("" if v is None else str(v))
        rows.append(row)
    return header, rows


# --------------------------------------------------------------------------- docx


def _document(language: str) -> Any:
    try:
        import docx
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt
    except ImportError as exc:  # pragma: no cover - a declared dependency
        msg = "Word reports need the 'python-docx' package: pip install python-docx"
        raise ImportError(msg) from exc
    doc = docx.Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    section.top_margin = section.bottom_margin = Cm(1.5)
    style = doc.styles["Normal"]
    style.font.size = Pt(9)
    style.font.name = "Noto Sans CJK SC"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    style.paragraph_format.space_after = Pt(2)
    for name in ("Heading 1", "Heading 2", "Title"):
        st = doc.styles[name]
        st.font.name = "Noto Sans CJK SC"
        st.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    doc.styles["Heading 2"].font.size = Pt(11)
    doc.styles["Title"].font.size = Pt(16)
    doc.core_properties.language = "zh-CN" if language == "zh" else "en"
    return doc


def _table(doc: Any, header: list[str], rows: list[list[str]], *, size: float = 8) -> Any:
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = str(text)
    for row in table.rows:
        for cell in row.cells:
            for par in cell.paragraphs:
                par.paragraph_format.space_after = Pt(0)
                for run in par.runs:
                    run.font.size = Pt(size)
    return table


def _pairs(doc: Any, rows: list[tuple[str, str]]) -> None:
    """Label/value pairs as a compact four-column table."""
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:]
    body = []
    for i in range(half):
        a = list(left[i])
        b = list(right[i]) if i < len(right) else ["", ""]
        body.append(a + b)
    _table(doc, ["", "", "", ""], body)
    doc.tables[-1]._tbl.remove(doc.tables[-1].rows[0]._tr)  # no header row


def _picture(doc: Any, png: bytes | None, width_cm: float) -> None:
    from docx.shared import Cm

    if png:
        doc.add_picture(io.BytesIO(png), width=Cm(width_cm))


def _sentence(result: ScenarioResult, language: str) -> str:
    s = result.summary
    return _t("sentence", language).format(
        sites=s.get("sites", 0),
        cost=f"{float(s.get('cost_cny', 0)):,.0f}",
        before=_percent(s.get("share_before")),
        after=_percent(s.get("share_after")),
        points=f"{100 * (float(s['share_after']) - float(s['share_before'])):+.1f}",
        newly=s.get("firms_newly_served", 0),
        status=_value(s.get("status"), language) if language == "zh" else s.get("status"),
        gap=_percent(s.get("gap")),
    )


def _finish(doc: Any, data: Any, results: Sequence[ScenarioResult], language: str) -> bytes:
    doc.add_heading(_t("county", language), level=2)
    _table(doc, *_county_rows(results, language))
    doc.add_heading(_t("curve", language), level=2)
    _picture(doc, _curve_png(results, language), 15.5)
    doc.add_paragraph(_t("note", language)).runs[0].italic = True
    doc.add_page_break()
    doc.add_heading(_t("appendix", language), level=1)
    for result in results:
        if len(results) > 1:
            doc.add_heading(f"{_t('scenario', language)} {result.name}", level=2)
        _table(doc, *_site_rows(result, language), size=7)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _header(doc: Any, title: str, data: Any, language: str) -> None:
    doc.add_heading(title, level=0)
    synthetic = any(p.synthetic for p in data.provenance.values())
    today = _dt.date.today().isoformat()
    line = f"{_t('date', language)}: {today} · {data.name}"
    doc.add_paragraph(line + (f" · {_t('synthetic', language)}" if synthetic else ""))


def scenario_report(result: ScenarioResult, data: Any, *, language: str = "zh") -> bytes:
    """Return a Word report of one scenario.

    Parameters
    ----------
    result
        Output of :func:`planning.scenarios.run_scenario`.
    data : geodata.PlanningData
        The data the scenario ran on (for the county outlines of the map).
    language
        ``"zh"`` or ``"en"``.

    Returns
    -------
    bytes
        The ``.docx`` file.
    """
    _check("language", language, LANGUAGES)
    doc = _document(language)
    _header(doc, f"{_t('title', language)}: {result.name}", data, language)
    doc.add_heading(_t("question", language), level=2)
    _pairs(doc, _question(result, language))
    doc.add_heading(_t("answer", language), level=2)
    doc.add_paragraph(_sentence(result, language))
    _pairs(doc, _headline(result, language))
    doc.add_heading(_t("map", language), level=2)
    _picture(doc, _map_png(data, [result], language), 11.5)
    return _finish(doc, data, [result], language)


def comparison_report(
    results: Sequence[ScenarioResult], data: Any, *, language: str = "zh"
) -> bytes:
    """Return a Word report comparing several scenarios run on the same data.

    Parameters
    ----------
    results
        Two or more scenario results.
    data : geodata.PlanningData
        The data they ran on.
    language
        ``"zh"`` or ``"en"``.

    Returns
    -------
    bytes
        The ``.docx`` file.

    Raises
    ------
    ValueError
        If fewer than two results are given.
    """
    _check("language", language, LANGUAGES)
    results = list(results)
    if len(results) < 2:
        msg = f"results must hold at least two scenarios to compare, got {len(results)}"
        raise ValueError(msg)
    from .scenarios import compare_scenarios

    doc = _document(language)
    names = " / ".join(str(r.name) for r in results)
    _header(doc, f"{_t('compare_title', language)}: {names}", data, language)
    doc.add_heading(_t("answer", language), level=2)
    for result in results:
        doc.add_paragraph(f"{result.name}: {_sentence(result, language)}")
    summary = compare_scenarios(results)["summary"].reset_index()
    cols = [
        c
        for c in (
            "scenario",
            "sites",
            "cost_cny",
            "share_before",
            "share_after",
            "firms_newly_served",
            "sites_in_common",
            "sites_only_here",
        )
        if c in summary
    ]
    header = [_label(c, language) if c != "scenario" else _t("scenario", language) for c in cols]
    rows = []
    for rec in summary[cols].to_dict("records"):
        row = []
        for c in cols:
            v = rec[c]
            if c.startswith("share"):
                row.append(_percent(v))
            elif isinstance(v, float):
                row.append(f"{v:,.0f}")
            else:
                row.append(str(v))
        rows.append(row)
    _table(doc, header, rows)
    doc.add_heading(_t("map", language), level=2)
    _picture(doc, _map_png(data, results, language), 11.5)
    return _finish(doc, data, results, language)
