"""Export a siting scenario: proposed sites and served firms as files, and a summary.

:func:`export_scenario` returns the bytes of one file, ready for a download
button or to be written to disk:

``"gpkg"``
    GeoPackage with the point layers ``proposed_sites`` and ``served_firms``
    and the tables ``indicators`` and ``parameters``.
``"geojson"``
    One layer (``layer=``) as an RFC 7946 FeatureCollection in WGS84.
``"csv"``
    One layer with ``lon``/``lat`` columns, UTF-8 with a byte-order mark so
    that Excel shows Chinese text correctly.
``"xlsx"``
    Excel workbook with the sheets parameters, proposed sites, served firms,
    indicators and the trade-off curve.
``"summary_html"`` / ``"summary_md"``
    A one-page summary a planner can forward: the question, the headline
    figures, indicators per county and zone, the proposed sites and the
    trade-off curve. The HTML is self-contained (inline style and SVG chart,
    no scripts or links) and every piece of user text is escaped.

With ``language="zh"`` column headers, sheet names, category values (sector,
site source, ...) and yes/no flags are in Chinese; with ``"en"`` in English.
Layer names inside a GeoPackage stay in English so that scripts can find them.
"""

from __future__ import annotations

import html
import io
import math
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.schema import CATEGORY_LABELS_ZH, LAYER_KINDS

if TYPE_CHECKING:
    from .scenarios import ScenarioResult

Format = Literal["gpkg", "geojson", "csv", "xlsx", "summary_html", "summary_md"]
Language = Literal["zh", "en"]
Layer = Literal["proposed_sites", "served_firms"]

FORMATS: tuple[str, ...] = ("gpkg", "geojson", "csv", "xlsx", "summary_html", "summary_md")
LAYERS: tuple[str, ...] = ("proposed_sites", "served_firms")
LANGUAGES: tuple[str, ...] = ("zh", "en")

MIME_TYPES: dict[str, str] = {
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "summary_html": "text/html",
    "summary_md": "text/markdown",
}
"""MIME type of each export format (for download buttons)."""

_EXTENSIONS = {
    "gpkg": "gpkg",
    "geojson": "geojson",
    "csv": "csv",
    "xlsx": "xlsx",
    "summary_html": "html",
    "summary_md": "md",
}

_SITE_COLUMNS = (
    "order",
    "id",
    "name",
    "infrastructure",
    "source",
    "county",
    "cost_cny",
    "capacity",
    "gain",
    "marginal",
    "firms_covered",
    "firms_new",
)
_FIRM_COLUMNS = (
    "id",
    "name",
    "county",
    "park",
    "sector",
    "employees",
    "output_value",
    "energy_use",
    "ev_fleet",
    "weight",
    "covered_before",
    "newly_served",
    "site",
    "distance_m",
    "travel_time_s",
)

_LABELS: dict[str, tuple[str, str]] = {
    # column: (Chinese, English)
    "order": ("建设次序", "Build order"),
    "id": ("编号", "ID"),
    "name": ("名称", "Name"),
    "infrastructure": ("设施类型", "Infrastructure"),
    "source": ("站址来源", "Site source"),
    "county": ("区县", "County"),
    "park": ("所在园区", "Development zone"),
    "sector": ("行业", "Sector"),
    "employees": ("从业人数", "Employees"),
    "output_value": ("年产值(万元)", "Output value (10k CNY)"),
    "energy_use": ("综合能耗(吨标煤)", "Energy use (tce)"),
    "ev_fleet": ("新能源车辆数", "EV fleet"),
    "cost_cny": ("造价(元)", "Cost (CNY)"),
    "capacity": ("服务能力", "Capacity"),
    "gain": ("新增覆盖需求", "Added demand covered"),
    "marginal": ("边际贡献", "Marginal contribution"),
    "firms_covered": ("覆盖企业数", "Firms in reach"),
    "firms_new": ("新覆盖企业数", "Firms newly served"),
    "weight": ("需求权重", "Demand weight"),
    "covered_before": ("原已覆盖", "Served before"),
    "covered_after": ("方案后覆盖", "Served after"),
    "newly_served": ("新覆盖", "Newly served"),
    "site": ("服务站点", "Serving site"),
    "distance_m": ("距离(米)", "Distance (m)"),
    "travel_time_s": ("行车时间(秒)", "Driving time (s)"),
    "lon": ("经度", "Longitude"),
    "lat": ("纬度", "Latitude"),
    "level": ("层级", "Level"),
    "group": ("分组", "Group"),
    "firms": ("企业数", "Firms"),
    "firms_before": ("原覆盖企业数", "Firms served before"),
    "firms_after": ("方案后覆盖企业数", "Firms served after"),
    "weight_before": ("原覆盖需求", "Demand served before"),
    "weight_after": ("方案后覆盖需求", "Demand served after"),
    "share_firms_before": ("原企业覆盖率", "Share of firms before"),
    "share_firms_after": ("方案后企业覆盖率", "Share of firms after"),
    "share_before": ("原需求覆盖率", "Share of demand before"),
    "share_after": ("方案后需求覆盖率", "Share of demand after"),
    "change": ("覆盖率提升", "Change"),
    "sites": ("站点数", "Sites"),
    "budget_cny": ("预算(元)", "Budget (CNY)"),
    "covered": ("覆盖需求", "Demand covered"),
    "share": ("覆盖率", "Share covered"),
    "parameter": ("参数", "Parameter"),
    "value": ("取值", "Value"),
}

_PARAM_LABELS: dict[str, tuple[str, str]] = {
    "name": ("方案名称", "Scenario"),
    "infrastructure": ("设施类型", "Infrastructure"),
    "objective": ("目标", "Objective"),
    "n_sites": ("新建站点数", "New sites"),
    "budget_cny": ("预算(元)", "Budget (CNY)"),
    "coverage_target": ("覆盖目标", "Coverage target"),
    "radius_m": ("服务半径(米)", "Service radius (m)"),
    "band": ("频段", "Band"),
    "travel_minutes": ("车程(分钟)", "Travel time (min)"),
    "demand": ("需求口径", "Demand"),
    "candidate_sources": ("候选站址来源", "Candidate sources"),
    "count_existing": ("计入现有站点", "Count existing sites"),
    "distance": ("距离类型", "Distance"),
    "time_limit": ("求解时限(秒)", "Time limit (s)"),
    "sites": ("拟建站点数", "Proposed sites"),
    "cost_cny": ("总造价(元)", "Total cost (CNY)"),
    "radius": ("服务半径", "Service radius"),
    "existing_sites": ("现有站点数", "Existing sites"),
    "candidates": ("候选站点数", "Candidate sites"),
    "firms": ("企业数", "Firms"),
    "firms_before": ("原覆盖企业数", "Firms served before"),
    "firms_after": ("方案后覆盖企业数", "Firms served after"),
    "firms_newly_served": ("新覆盖企业数", "Firms newly served"),
    "unreachable_firms": ("无法覆盖企业数", "Firms out of reach"),
    "unserved_firms": ("方案后未覆盖企业数", "Firms not served after"),
    "radius_unit": ("半径单位", "Radius unit"),
    "weight_total": ("需求总量", "Total demand"),
    "covered_before": ("原覆盖需求", "Demand served before"),
    "covered_after": ("方案后覆盖需求", "Demand served after"),
    "share_before": ("原覆盖率", "Share before"),
    "share_after": ("方案后覆盖率", "Share after"),
    "mean_distance_m": ("平均距离", "Mean distance"),
    "mean_travel_time_s": ("平均行车时间", "Mean driving time"),
    "objective_value": ("目标值", "Objective value"),
    "bound": ("最优界", "Bound"),
    "gap": ("最优性差距", "Optimality gap"),
    "status": ("求解状态", "Status"),
    "method": ("求解方法", "Method"),
    "solver_seconds": ("求解耗时(秒)", "Solver time (s)"),
    "seconds": ("总耗时(秒)", "Total time (s)"),
}

_VALUE_LABELS_ZH: dict[str, str] = {
    "max_coverage": "给定站点数最大覆盖",
    "budget": "给定预算最大覆盖",
    "min_sites": "达到覆盖目标最少站点",
    "min_distance": "平均距离最短",
    "straight": "直线距离",
    "road": "道路距离",
    "road_time": "道路车程",
    "firms": "企业数",
    "employees": "从业人数",
    "output_value": "年产值",
    "energy_use": "综合能耗",
    "ev_fleet": "新能源车辆数",
    "optimal": "最优",
    "feasible": "可行(有差距)",
    "time_limit": "达到时限",
    "infeasible": "不可行",
    "county": "区县",
    "park": "园区",
    "total": "全市",
    "5g": "5G基站",
    "charging": "充电站",
}

_TEXT: dict[str, tuple[str, str]] = {
    "title": ("选址方案摘要", "Siting scenario summary"),
    "question": ("方案设定", "The question"),
    "results": ("主要结果", "Headline figures"),
    "indicators": ("分区县、分园区指标", "Indicators by county and zone"),
    "sites": ("拟建站点", "Proposed sites"),
    "curve": ("覆盖率与站点数", "Coverage against number of sites"),
    "curve_budget": ("覆盖率与预算", "Coverage against budget"),
    "note": (
        "规划测算结果，仅供内部规划参考；覆盖半径等为规划估算值。",
        "Planning estimate for internal use; service radii are planning-level estimates.",
    ),
    "proposed_sites": ("拟建站点", "proposed sites"),
    "served_firms": ("服务企业", "served firms"),
    "parameters": ("参数", "parameters"),
    "curve_sheet": ("覆盖曲线", "curve"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "none": ("无", "none"),
}


def export_scenario(
    result: ScenarioResult,
    fmt: Format,
    *,
    language: Language = "zh",
    layer: Layer = "proposed_sites",
) -> bytes:
    """Return a scenario as the bytes of a file.

    Parameters
    ----------
    result
        Output of :func:`planning.scenarios.run_scenario`.
    fmt
        One of :data:`FORMATS` (see the module documentation).
    language
        ``"zh"`` or ``"en"``: language of headers, sheet names and labels.
    layer
        ``"proposed_sites"`` or ``"served_firms"``: which layer a
        single-layer format (``"geojson"``, ``"csv"``) holds.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    ValueError
        If ``fmt``, ``language`` or ``layer`` is not one of the allowed values.
    """
    _check("fmt", fmt, FORMATS)
    _check("language", language, LANGUAGES)
    _check("layer", layer, LAYERS)
    if fmt == "gpkg":
        return _gpkg(result, language)
    if fmt == "geojson":
        gdf = _layer(result, layer, language, flags_as_text=False)
        return gdf.to_json(ensure_ascii=False, drop_id=True, na="null").encode("utf-8")
    if fmt == "csv":
        table = _with_lonlat(_layer(result, layer, language, flags_as_text=True), language)
        return table.to_csv(index=False).encode("utf-8-sig")
    if fmt == "xlsx":
        return _xlsx(result, language)
    if fmt == "summary_md":
        return _summary_md(result, language).encode("utf-8")
    return _summary_html(result, language).encode("utf-8")


def export_filename(result: ScenarioResult, fmt: Format, *, layer: Layer | None = None) -> str:
    """Return a file name for an export: the scenario name, the layer and the extension.

    Characters that are unsafe in file names are replaced by ``_``.
    """
    _check("fmt", fmt, FORMATS)
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(result.spec.name))
    stem = stem.strip("._") or "scenario"
    if fmt in ("geojson", "csv"):
        stem = f"{stem}_{layer or 'proposed_sites'}"
    elif fmt.startswith("summary"):
        stem = f"{stem}_summary"
    return f"{stem}.{_EXTENSIONS[fmt]}"


def _check(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        msg = f"{name} must be one of {allowed}, got {value!r}"
        raise ValueError(msg)


def _t(key: str, language: str) -> str:
    zh, en = _TEXT[key]
    return zh if language == "zh" else en


def _label(column: str, language: str, labels: Mapping[str, tuple[str, str]] = _LABELS) -> str:
    pair = labels.get(column)
    if pair is None:
        return column
    return pair[0] if language == "zh" else pair[1]


def _value(value: Any, language: str, column: str | None = None) -> Any:
    if language != "zh" or not isinstance(value, str):
        return value
    if column is not None and column in CATEGORY_LABELS_ZH:
        return CATEGORY_LABELS_ZH[column].get(value, value)
    return _VALUE_LABELS_ZH.get(value, value)


def _layer(
    result: ScenarioResult, layer: str, language: str, *, flags_as_text: bool
) -> gpd.GeoDataFrame:
    """Return one layer with the export columns, translated."""
    wanted: tuple[str, ...]
    if layer == "proposed_sites":
        gdf, wanted = result.proposed_sites, _SITE_COLUMNS
        kind = "candidate_sites"
    else:
        served = result.served
        gdf, wanted = served[served["covered_after"].astype(bool).to_numpy()], _FIRM_COLUMNS
        kind = "enterprises"
    columns = [c for c in wanted if c in gdf.columns]
    out = gdf[[*columns, gdf.geometry.name]].copy()
    for col in columns:
        if col in CATEGORY_LABELS_ZH and language == "zh":
            out[col] = out[col].map(lambda v, c=col: _value(v, language, c))
        if flags_as_text and out[col].dtype == bool:
            yes, no = _t("yes", language), _t("no", language)
            out[col] = np.where(out[col].to_numpy(), yes, no)
    names = {c: _column_label(c, kind, language) for c in columns}
    out = out.rename(columns=names)
    out = out.rename_geometry("geometry") if out.geometry.name != "geometry" else out
    return gpd.GeoDataFrame(out, geometry="geometry", crs=gdf.crs).to_crs("EPSG:4326")


def _column_label(column: str, kind: str, language: str) -> str:
    if language == "zh" and column in ("name",):
        label = LAYER_KINDS[kind].field(column).label_zh
        return label or _label(column, language)
    return _label(column, language)


def _with_lonlat(gdf: gpd.GeoDataFrame, language: str) -> pd.DataFrame:
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    if len(gdf):
        pts = gdf.geometry.representative_point()
        table[_label("lon", language)] = np.round(pts.x.to_numpy(), 7)
        table[_label("lat", language)] = np.round(pts.y.to_numpy(), 7)
    else:
        table[_label("lon", language)] = pd.Series(dtype=float)
        table[_label("lat", language)] = pd.Series(dtype=float)
    return table


def _indicator_table(result: ScenarioResult, language: str) -> pd.DataFrame:
    table = result.indicators.reset_index()
    table["level"] = table["level"].map(lambda v: _value(v, language))
    table["group"] = table["group"].map(lambda v: _value(v, language) if v == "total" else v)
    return table.rename(columns={c: _label(c, language) for c in table.columns})


def _curve_table(result: ScenarioResult, language: str) -> pd.DataFrame:
    table = pd.DataFrame(result.curve).copy()
    return table.rename(columns={c: _label(c, language) for c in table.columns})


def _parameter_rows(result: ScenarioResult, language: str) -> list[tuple[str, str]]:
    rows = []
    for key, value in result.spec.to_dict().items():
        rows.append((_label(key, language, _PARAM_LABELS), _format_param(key, value, language)))
    for key, value in result.summary.items():
        if key in ("name", "infrastructure", "objective", "radius_unit"):
            continue
        text = _format_param(key, value, language)
        if key == "radius":
            text = _radius_text(result, language)
        rows.append((_label(key, language, _PARAM_LABELS), text))
    return rows


def _format_param(key: str, value: Any, language: str) -> str:
    if value is None:
        return "-" if key != "radius_m" else _t("none", language)
    if isinstance(value, bool):
        return _t("yes" if value else "no", language)
    if isinstance(value, dict):
        return ", ".join(f"{_value(k, language)} × {v:g}" for k, v in value.items())
    if isinstance(value, list | tuple):
        labels = CATEGORY_LABELS_ZH.get("source", {}) if language == "zh" else {}
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if key in ("share_before", "share_after", "gap", "coverage_target"):
        return _percent(value)
    if key == "mean_distance_m" and isinstance(value, float) and math.isfinite(value):
        return f"{value:,.0f} m"
    if key == "mean_travel_time_s" and isinstance(value, float) and math.isfinite(value):
        return f"{value / 60:,.1f} min"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "-"
        return f"{value:,.2f}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(_value(value, language, None))


def _percent(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "-"
    return "-" if not math.isfinite(number) else f"{100 * number:.1f}%"


def _parameters_frame(result: ScenarioResult, language: str) -> pd.DataFrame:
    rows = _parameter_rows(result, language)
    return pd.DataFrame(rows, columns=[_label("parameter", language), _label("value", language)])


def _gpkg(result: ScenarioResult, language: str) -> bytes:
    import pyogrio

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.gpkg"
        for name in LAYERS:
            gdf = _layer(result, name, language, flags_as_text=False)
            for col in gdf.columns:
                if gdf[col].dtype == object and col != gdf.geometry.name:
                    gdf[col] = gdf[col].map(lambda v: v if v is None else str(v))
            pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG", geometry_type="Point")
        pyogrio.write_dataframe(_indicator_table(result, language), path, layer="indicators")
        pyogrio.write_dataframe(_parameters_frame(result, language), path, layer="parameters")
        return path.read_bytes()


def _xlsx(result: ScenarioResult, language: str) -> bytes:
    import openpyxl

    sheets = {
        _t("parameters", language): _parameters_frame(result, language),
        _t("proposed_sites", language): _with_lonlat(
            _layer(result, "proposed_sites", language, flags_as_text=True), language
        ),
        _t("served_firms", language): _with_lonlat(
            _layer(result, "served_firms", language, flags_as_text=True), language
        ),
        _t("indicators", language): _indicator_table(result, language),
        _t("curve_sheet", language): _curve_table(result, language),
    }
    book = openpyxl.Workbook(write_only=True)
    for name, frame in sheets.items():
        sheet = book.create_sheet(name[:31])
        for i, col in enumerate(frame.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
            letter = openpyxl.utils.get_column_letter(i)
            sheet.column_dimensions[letter].width = min(60, 2 + 1.6 * width)
        sheet.append([str(c) for c in frame.columns])
        values = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
        for row in values:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- summaries


def _headline(result: ScenarioResult, language: str) -> list[tuple[str, str]]:
    s = result.summary
    keys = [
        "sites",
        "cost_cny",
        "firms_newly_served",
        "share_before",
        "share_after",
        "unreachable_firms",
        "mean_travel_time_s" if "mean_travel_time_s" in s else "mean_distance_m",
        "gap",
        "status",
        "seconds",
    ]
    return [
        (_label(k, language, _PARAM_LABELS), _format_param(k, s[k], language))
        for k in keys
        if k in s
    ]


def _question(result: ScenarioResult, language: str) -> list[tuple[str, str]]:
    spec = result.spec.to_dict()
    keys = ["name", "infrastructure", "objective"]
    keys += {
        "max_coverage": ["n_sites"],
        "budget": ["budget_cny"],
        "min_sites": ["coverage_target"],
        "min_distance": ["n_sites"],
    }[result.spec.objective]
    keys += ["demand", "candidate_sources", "count_existing", "distance"]
    rows = [(_label(k, language, _PARAM_LABELS), _format_param(k, spec[k], language)) for k in keys]
    rows.append((_label("radius", language, _PARAM_LABELS), _radius_text(result, language)))
    return rows


def _radius_text(result: ScenarioResult, language: str) -> str:
    radius = result.spec.service_radius()
    if result.spec.distance == "road_time":
        return f"{radius / 60:g} {'分钟' if language == 'zh' else 'min'}"
    s = result.summary
    if s.get("radius_model") == "link_budget" and "radius_median_m" in s:
        label = "链路预算, 中位" if language == "zh" else "link budget, median"
        return (
            f"{label} {s['radius_median_m']:,.0f} m "
            f"({s['radius_min_m']:,.0f}-{s['radius_max_m']:,.0f} m)"
        )
    return f"{radius:,.0f} m"


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
