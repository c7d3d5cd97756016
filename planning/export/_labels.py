"""Headers, parameter names, category values and number formats of exports, in zh and en."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from geodata.infrastructure import INFRASTRUCTURE_KINDS
from geodata.schema import CATEGORY_LABELS_ZH

from ._model_labels import (
    MODEL_COLUMN_LABELS,
    MODEL_PARAM_LABELS,
    MODEL_VALUES_EN,
    MODEL_VALUES_ZH,
    PATH_SOURCE,
)

if TYPE_CHECKING:
    pass


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
    "stage": ("建设年度", "Build year"),
    "budget": ("年度预算(元)", "Budget (CNY)"),
    "max_sites": ("年度站点上限", "Most new sites"),
    "spent": ("年度投资(元)", "Spent (CNY)"),
    "new_sites": ("当年新建站点", "New sites"),
    "floor": ("覆盖率底线", "Floor"),
    "shortfall": ("差额", "Shortfall"),
    "met": ("是否达到", "Met"),
    "best_share": ("最高可达覆盖率", "Best reachable share"),
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
    "bound": ("最优界", "Bound"),
    "status": ("求解状态", "Solver status"),
    "gap": ("最优性差距", "Optimality gap"),
    "value": ("取值", "Value"),
}


_PARAM_LABELS: dict[str, tuple[str, str]] = {
    "name": ("方案名称", "Scenario"),
    "infrastructure": ("设施类型", "Infrastructure"),
    "objective": ("目标", "Objective"),
    "n_sites": ("设定新建站点数", "Sites asked for"),
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
    "sites": ("方案新建站点数", "Sites proposed"),
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
    **{k.code: k.site_zh for k in INFRASTRUCTURE_KINDS.values()},
    "h2_fleet": "氢燃料车辆数",
}


_LABELS.update(MODEL_COLUMN_LABELS)
_PARAM_LABELS.update(MODEL_PARAM_LABELS)
_VALUE_LABELS_ZH.update(MODEL_VALUES_ZH)


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
    "stages_sheet": ("分年度建设", "stages"),
    "equity_sheet": ("分区县底线", "county floors"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "none": ("无", "none"),
}


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


_GUESS_FIELDS = ("objective", "distance", "status", "infrastructure", "demand")


def _value(value: Any, language: str, column: str | None = None) -> Any:
    if not isinstance(value, str):
        return value
    if language != "zh":
        from ..maps._labels import CATEGORY_FIELDS, _category_label

        if value in MODEL_VALUES_EN:
            return MODEL_VALUES_EN[value]

        fields = [column] if column in CATEGORY_FIELDS else list(_GUESS_FIELDS)
        for name in fields:
            text = _category_label(str(name), value, "en")
            if text not in (value, value.replace("_", " ")):
                return text
        return value
    if column is not None and column in CATEGORY_LABELS_ZH:
        return CATEGORY_LABELS_ZH[column].get(value, value)
    return _VALUE_LABELS_ZH.get(value, value)


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
    if key == "path_source" and value in PATH_SOURCE:
        return PATH_SOURCE[value][0 if language == "zh" else 1]
    if key in ("gap", "coverage_target") or key.startswith(("share", "backup_share", "utilis")):
        return _percent(value)
    finite = isinstance(value, float) and math.isfinite(value)
    if key.endswith("_m") and finite and key not in ("radius_m",):
        return f"{value:,.0f} m"
    if key.endswith("_km") and finite:
        return f"{value:,.0f} km"
    if key.endswith("_time_s") and finite:
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
