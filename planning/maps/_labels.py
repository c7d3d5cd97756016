"""Colours, layer and field names, and category labels of the maps in both languages.

Also the small text helpers every layer uses to escape values before they reach a page.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from geodata.infrastructure import INFRASTRUCTURE_KINDS

CLUSTER_THRESHOLD = 20_000
"""Above this many enterprises the layer is clustered by default."""

SECTOR_COLORS = {
    "steel_metallurgy": "#1f77b4",
    "new_materials": "#ff7f0e",
    "clean_energy": "#2ca02c",
    "agri_food": "#bcbd22",
    "culture_tourism": "#e377c2",
    "equipment_manufacturing": "#9467bd",
    "chemicals": "#d62728",
    "logistics": "#8c564b",
    "services": "#17becf",
    "other": "#7f7f7f",
}
STATUS_COLORS = {
    "none": "#9e9e9e",
    "planned": "#f4b400",
    "in_progress": "#4285f4",
    "completed": "#0f9d58",
}
OPERATOR_COLORS = {
    "China Mobile": "#0b7bc1",
    "China Unicom": "#d7191c",
    "China Telecom": "#1a9850",
    "China Broadnet": "#7b3294",
    "unknown": "#808080",
}
CHARGING_COLOR = "#111111"
"""Fill of charging stations (outlined in bright green), unlike any sector colour."""
CHARGING_EDGE = "#39ff14"
SCENARIO_COLORS = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#008080")

_SECTOR_EN = {
    "steel_metallurgy": "Steel & metallurgy",
    "new_materials": "New materials",
    "clean_energy": "Clean energy",
    "agri_food": "Agri-food processing",
    "culture_tourism": "Culture & tourism",
    "equipment_manufacturing": "Equipment manufacturing",
    "chemicals": "Chemicals",
    "logistics": "Logistics",
    "services": "Services",
    "other": "Other",
}
_STATUS_EN = {
    "none": "Not started",
    "planned": "Planned",
    "in_progress": "In progress",
    "completed": "Completed",
}

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "enterprises": "企业",
        "parks": "开发区",
        "admin_areas": "行政区",
        "coverage": "5G覆盖范围(合并)",
        "footprints": "5G基站覆盖",
        "charging": "充电站",
        "candidates": "候选站址",
        "name": "名称",
        "id": "编号",
        "county": "区县",
        "park": "园区",
        "sector": "行业",
        "digital_status": "数字化转型",
        "employees": "从业人数",
        "operator": "运营商",
        "band": "频段",
        "radius_m": "覆盖半径(米)",
        "piles": "充电桩数",
        "power_kw": "单桩功率(kW)",
        "access": "开放类型",
        "infrastructure": "设施类型",
        "source": "站址来源",
        "cost_cny": "造价(元)",
        "order": "选址顺序",
        "marginal": "边际贡献",
        "proposed": "新增站址",
        "newly_served": "新覆盖企业",
        "scenario": "方案",
        "size_note": "圆点大小: 从业人数",
        "legend": "图例",
        "existing": "现有",
        "stage": "建设年度",
        "stage_n": "第{n}年",
        "unreachable": "无站址可及的企业",
        "corridors": "货运走廊",
        "corridors_ok": "可往返的货运走廊",
        "corridors_no": "仍无法往返的货运走廊",
        "origin": "起点园区",
        "destination": "终点园区",
        "length_km": "里程(公里)",
        "refuelled_after": "方案后可往返",
        "yes": "是",
        "no": "否",
        "point_type": "接入点类型",
        "ports": "端口数",
        "ports_used": "已用端口数",
        "capacity_kg_per_day": "日加注能力(公斤)",
        "pressure_bar": "加注压力(bar)",
    },
    "en": {
        "enterprises": "Enterprises",
        "parks": "Development zones",
        "admin_areas": "Counties",
        "coverage": "5G coverage (dissolved)",
        "footprints": "5G site footprints",
        "charging": "Charging stations",
        "candidates": "Candidate sites",
        "name": "Name",
        "id": "ID",
        "county": "County",
        "park": "Zone",
        "sector": "Sector",
        "digital_status": "Digital transformation",
        "employees": "Employees",
        "operator": "Operator",
        "band": "Band",
        "radius_m": "Radius (m)",
        "piles": "Piles",
        "power_kw": "Power per pile (kW)",
        "access": "Access",
        "infrastructure": "Infrastructure",
        "source": "Source",
        "cost_cny": "Cost (CNY)",
        "order": "Order",
        "marginal": "Marginal contribution",
        "proposed": "proposed sites",
        "newly_served": "newly served firms",
        "scenario": "Scenario",
        "size_note": "Dot size: employees",
        "legend": "Legend",
        "existing": "existing",
        "stage": "Build year",
        "stage_n": "year {n}",
        "unreachable": "firms no site can reach",
        "corridors": "truck corridors",
        "corridors_ok": "corridors passable",
        "corridors_no": "corridors still not passable",
        "origin": "From zone",
        "destination": "To zone",
        "length_km": "Length (km)",
        "refuelled_after": "Passable after",
        "yes": "yes",
        "no": "no",
        "point_type": "Type",
        "ports": "Ports",
        "ports_used": "Ports used",
        "capacity_kg_per_day": "Capacity (kg/day)",
        "pressure_bar": "Pressure (bar)",
    },
}


def _label(key: str, language: str) -> str:
    return _TEXT[language][key]


_CATEGORY_EN: dict[str, dict[str, str]] = {
    "operator": {"unknown": "Unknown"},
    "source": {
        "tower": "Tower site",
        "rooftop": "Zone rooftop",
        "parking_lot": "Parking lot",
        "roadside": "Roadside",
        "other": "Other",
    },
    "status": {
        "operational": "Operational",
        "under_construction": "Under construction",
        "planned": "Planned",
        "optimal": "Optimal",
        "feasible": "Feasible (with a gap)",
        "time_limit": "Time limit reached",
        "infeasible": "Infeasible",
    },
    "access": {"public": "Public", "private": "Private"},
    "infrastructure": {k.code: k.site_en for k in INFRASTRUCTURE_KINDS.values()},
    "point_type": {"olt": "OLT site", "cabinet": "Fibre cabinet", "other": "Other"},
    "level": {"national": "National", "provincial": "Provincial", "municipal": "Municipal"},
    "green_level": {
        "none": "None",
        "municipal": "Municipal",
        "provincial": "Provincial",
        "national": "National",
    },
    "objective": {
        "max_coverage": "Most coverage with N sites",
        "budget": "Most coverage within a budget",
        "min_sites": "Fewest sites for a target",
        "min_distance": "Shortest mean distance",
        "capacitated": "Most demand served by N sites within their capacity",
        "backup": "Redundant 5G for key firms",
        "dispersion": "Spread pilot sites",
        "single_source": "One site per firm, within capacity",
        "corridors": "Truck corridors",
    },
    "demand": {
        "firms": "Firms",
        "employees": "Employees",
        "output_value": "Output value",
        "energy_use": "Energy use",
        "ev_fleet": "EV fleet",
    },
    "distance": {
        "straight": "Straight line",
        "road": "Road distance",
        "road_time": "Road travel time",
    },
}
_CATEGORY_ZH_EXTRA: dict[str, dict[str, str]] = {
    "status": {
        "optimal": "最优",
        "feasible": "可行(有差距)",
        "time_limit": "达到时限",
        "infeasible": "不可行",
    },
    "objective": {
        "max_coverage": "给定站点数覆盖最多",
        "budget": "给定预算覆盖最多",
        "min_sites": "最少站点达到目标",
        "min_distance": "平均距离最短",
        "capacitated": "给定站点数在容量内满足最多需求",
        "backup": "重点企业5G双重覆盖",
        "dispersion": "试点站址分散布局",
        "single_source": "每家企业对应一个站点(计容量)",
        "corridors": "货运走廊充电布局",
    },
    "demand": {
        "firms": "企业数",
        "employees": "从业人数",
        "output_value": "产值",
        "energy_use": "能耗",
        "ev_fleet": "新能源车辆",
    },
    "distance": {"straight": "直线距离", "road": "道路距离", "road_time": "道路行驶时间"},
    "operator": {"unknown": "未知"},
}

CATEGORY_FIELDS = (
    "sector",
    "digital_status",
    "operator",
    "source",
    "status",
    "access",
    "infrastructure",
    "level",
    "green_level",
    "objective",
    "demand",
    "distance",
)
"""Fields whose values are codes shown to users through :func:`_category_label`."""


def _category_label(field: str, value: Any, language: str) -> str:
    """Return the display text of a category code (``value`` itself if unknown)."""
    from geodata.schema import CATEGORY_LABELS_ZH

    if language == "zh":
        table = {**CATEGORY_LABELS_ZH.get(field, {}), **_CATEGORY_ZH_EXTRA.get(field, {})}
    elif field == "sector":
        table = _SECTOR_EN
    elif field == "digital_status":
        table = _STATUS_EN
    else:
        table = _CATEGORY_EN.get(field, {})
    text = table.get(str(value))
    if text is not None:
        return text
    return str(value) if field in ("operator",) else str(value).replace("_", " ")


def _present(value: Any) -> bool:
    if value is None:
        return False
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


def _text(value: Any) -> str:
    return html.escape(str(value)) if _present(value) else ""


def _number(value: Any, digits: int = 0) -> str:
    if not _present(value):
        return ""
    return f"{float(value):,.{digits}f}"
