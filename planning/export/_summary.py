"""One-page scenario summaries as self-contained HTML (inline SVG chart) and Markdown."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geodata.schema import CATEGORY_LABELS_ZH

if TYPE_CHECKING:
    from ..scenarios import ScenarioResult
from ._labels import _label, _percent, _t, _value
from ._tables import _headline, _question


def _indicator_rows(result: ScenarioResult, language: str) -> tuple[list[str], list[list[str]]]:
    cols = ["level", "group", "firms", "share_firms_before", "share_firms_after", "share_before"]
    cols += ["share_after", "change"]
    table = result.indicators.reset_index()
    header = [_label(c, language) for c in cols]
    rows = []
    for rec in table.to_dict("records"):
        row = []
        for c in cols:
            v = rec[c]
            if c == "level" or (c == "group" and v == "total"):
                row.append(str(_value(v, language)))
            elif c.startswith("share") or c == "change":
                row.append(_percent(v))
            else:
                row.append(str(v))
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
            if c in CATEGORY_LABELS_ZH:
                v = _value(v, language, c)
            if isinstance(v, float):
                v = f"{v:,.0f}" if c == "cost_cny" else f"{v:,.2f}"
            row.append("" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
        rows.append(row)
    return header, rows


def _curve_points(result: ScenarioResult) -> tuple[str, np.ndarray, np.ndarray]:
    curve = pd.DataFrame(result.curve)
    xcol = "budget_cny" if "budget_cny" in curve else "sites"
    if xcol not in curve or "share" not in curve or curve.empty:
        return xcol, np.empty(0), np.empty(0)
    return xcol, curve[xcol].to_numpy(float), curve["share"].to_numpy(float)


def _svg_chart(x: np.ndarray, y: np.ndarray, xlabel: str, ylabel: str) -> str:
    """Return an inline SVG line chart of ``y`` (a share) against ``x``."""
    w, h, left, bottom, top, right = 560, 240, 56, 36, 12, 16
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size == 0:
        return ""
    x0, x1 = float(x.min()), float(x.max())
    span = (x1 - x0) or 1.0
    y1 = min(1.0, math.ceil(float(y.max()) * 10 + 1e-9) / 10) if y.max() > 0 else 1.0

    def px(v: float) -> float:
        return left + (v - x0) / span * (w - left - right)

    def py(v: float) -> float:
        return h - bottom - v / y1 * (h - bottom - top)

    points = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(x, y, strict=True))
    dots = "".join(
        f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="2.5"/>' for a, b in zip(x, y, strict=True)
    )
    ticks = []
    for frac in (0, 0.25, 0.5, 0.75, 1.0):
        v = frac * y1
        ticks.append(
            f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{100 * v:.0f}%</text>'
            f'<line x1="{left}" x2="{w - right}" y1="{py(v):.1f}" y2="{py(v):.1f}" class="grid"/>'
        )
    for v in (x0, (x0 + x1) / 2, x1):
        ticks.append(
            f'<text x="{px(v):.1f}" y="{h - bottom + 16}" text-anchor="middle">{v:,.0f}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-label="{html.escape(ylabel)}">'
        + "".join(ticks)
        + f'<polyline fill="none" stroke="#1f6fb2" stroke-width="2" points="{points}"/>'
        + f'<g fill="#1f6fb2">{dots}</g>'
        + f'<text x="{(left + w - right) / 2}" y="{h - 4}" text-anchor="middle">'
        + f"{html.escape(xlabel)}</text></svg>"
    )


_CSS = (
    "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:960px;"
    "margin:2em auto;padding:0 1em;color:#222}"
    "h1{font-size:1.5em}h2{font-size:1.15em;border-bottom:1px solid #ccc;padding-bottom:.2em}"
    "table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}"
    "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}"
    "th{background:#f2f5f9}td.num{text-align:right}"
    "svg text{font-size:11px;fill:#444}svg .grid{stroke:#e5e5e5}"
    ".note{color:#666;font-size:.85em}"
)


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summary_html(result: ScenarioResult, language: str) -> str:
    title = f"{_t('title', language)}: {result.spec.name}"
    pair_header = [_label("parameter", language), _label("value", language)]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if language == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<h2>{html.escape(_t('question', language))}</h2>",
        _html_table(pair_header, [list(r) for r in _question(result, language)]),
        f"<h2>{html.escape(_t('results', language))}</h2>",
        _html_table(pair_header, [list(r) for r in _headline(result, language)]),
        f"<h2>{html.escape(_t('indicators', language))}</h2>",
        _html_table(*_indicator_rows(result, language)),
        f"<h2>{html.escape(_t('sites', language))}</h2>",
        _html_table(*_site_rows(result, language)),
    ]
    xcol, x, y = _curve_points(result)
    if x.size:
        key = "curve_budget" if xcol == "budget_cny" else "curve"
        parts += [
            f"<h2>{html.escape(_t(key, language))}</h2>",
            _svg_chart(x, y, _label(xcol, language), _label("share", language)),
        ]
    parts += [f'<p class="note">{html.escape(_t("note", language))}</p>', "</body></html>"]
    return "\n".join(parts)


def _md_cell(text: str) -> str:
    """Return text safe in a Markdown table cell: no raw HTML, no column breaks."""
    text = html.escape(str(text), quote=False).replace("\\", "\\\\")
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |"]
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _summary_md(result: ScenarioResult, language: str) -> str:
    title = f"{_t('title', language)}: {_md_cell(result.spec.name)}"
    pair_header = [_label("parameter", language), _label("value", language)]
    parts = [
        f"# {title}",
        f"## {_t('question', language)}",
        _md_table(pair_header, [list(r) for r in _question(result, language)]),
        f"## {_t('results', language)}",
        _md_table(pair_header, [list(r) for r in _headline(result, language)]),
        f"## {_t('indicators', language)}",
        _md_table(*_indicator_rows(result, language)),
        f"## {_t('sites', language)}",
        _md_table(*_site_rows(result, language)),
    ]
    xcol, x, y = _curve_points(result)
    if x.size:
        key = "curve_budget" if xcol == "budget_cny" else "curve"
        rows = [[f"{a:,.0f}", _percent(b)] for a, b in zip(x, y, strict=True)]
        parts += [
            f"## {_t(key, language)}",
            _md_table([_label(xcol, language), _label("share", language)], rows),
        ]
    parts.append(f"*{_t('note', language)}*")
    return "\n\n".join(parts) + "\n"
