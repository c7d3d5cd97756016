"""Colours, layer and field names, and category labels of the maps in both languages.

Also the small text helpers every layer uses to escape values before they reach a page.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

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
    "China Telecom": "#2b83ba",
    "China Broadnet": "#7b3294",
    "unknown": "#808080",
}
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
    },
}


def _label(key: str, language: str) -> str:
    return _TEXT[language][key]


def _category_label(field: str, value: str, language: str) -> str:
    from geodata.schema import (
        CANDIDATE_SOURCE_LABELS_ZH,
        DIGITAL_STATUS_LABELS_ZH,
        OPERATOR_LABELS_ZH,
        SECTOR_LABELS_ZH,
    )

    zh = {
        "sector": SECTOR_LABELS_ZH,
        "digital_status": DIGITAL_STATUS_LABELS_ZH,
        "operator": OPERATOR_LABELS_ZH,
        "source": CANDIDATE_SOURCE_LABELS_ZH,
    }
    en = {"sector": _SECTOR_EN, "digital_status": _STATUS_EN}
    table = (zh if language == "zh" else en).get(field, {})
    return table.get(value, str(value).replace("_", " "))


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
