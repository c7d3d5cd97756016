"""Tables as users see them: headers, category values and provenance in the interface language.

:func:`display_frame` renames every column to a readable header (Chinese or
English), turns category codes (sectors, operators, statuses, sources ...)
into words and booleans into yes/no, so no page shows a raw column name or a
code. Column names come from :data:`views.i18n.COLUMNS_ZH`, the schema's
Chinese field labels and :data:`COLUMNS_EN`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from views._kinds_strings import KINDS_COLUMNS_EN
from views._models_strings import MODELS_COLUMNS_EN

COLUMNS_EN = {
    "id": "ID",
    "name": "Name",
    "firms": "Firms",
    "firms_5g": "Firms with 5G",
    "share_firms_5g": "Share of firms with 5G",
    "employees": "Employees",
    "employees_5g": "Employees with 5G",
    "share_employees_5g": "Share of employees with 5G",
    "firms_charging": "Firms near charging",
    "share_firms_charging": "Share of firms near charging",
    "employees_charging": "Employees near charging",
    "share_employees_charging": "Share of employees near charging",
    "charging_distance_m": "Nearest charging (m)",
    "county": "County",
    "park": "Zone",
    "level": "Level",
    "group": "Group",
    "order": "Build order",
    "gain": "Demand newly covered",
    "marginal": "Marginal contribution",
    "firms_covered": "Firms in range",
    "firms_new": "Firms newly covered",
    "cost_cny": "Cost (CNY)",
    "firms_before": "Firms covered before",
    "firms_after": "Firms covered after",
    "weight": "Demand",
    "weight_before": "Demand covered before",
    "weight_after": "Demand covered after",
    "share_firms_before": "Firm coverage before",
    "share_firms_after": "Firm coverage after",
    "share_before": "Coverage before",
    "share_after": "Coverage after",
    "change": "Change (points)",
    "sites": "Sites",
    "share": "Coverage",
    "scenario": "Scenario",
    "objective": "Objective",
    "infrastructure": "Infrastructure",
    "gap": "Optimality gap",
    "status": "Status",
    "in": "Picked by (scenarios)",
    "firms_newly_served": "Firms newly served",
    "sites_in_common": "Sites in common",
    "sites_only_here": "Sites only here",
    "sector": "Sector",
    "output_value": "Output value (10k CNY)",
    "energy_use": "Energy use (tce)",
    "digital_status": "Digital transformation",
    "on_transform_list": "On the transformation list",
    "green_level": "Green factory level",
    "ev_fleet": "EVs",
    "operator": "Operator",
    "band": "Band",
    "height_m": "Height (m)",
    "radius_m": "Radius (m)",
    "piles": "Piles",
    "power_kw": "Power per pile (kW)",
    "access": "Access",
    "capacity": "Capacity",
    "source": "Source",
    "short_name": "Short name",
    "green_park": "Green park",
    "approximate": "Outline approximate",
    "lon": "Longitude",
    "lat": "Latitude",
    "layer": "Layer",
    "features": "Features",
    "synthetic": "Synthetic",
    "licence": "Licence",
    "datum": "Datum",
    "note": "Note",
    "covered": "Demand covered",
    "bound": "Bound",
    "budget_cny": "Budget (CNY)",
    "parameter": "Parameter",
    "value": "Value",
    "site": "Serving site",
    "distance_m": "Distance (m)",
    "newly_served": "Newly served",
    "covered_before": "Covered before",
    "covered_after": "Covered after",
    "in_5g": "In 5G coverage",
    "near_charging": "Near charging",
    "served": "Served",
    "serving_sites": "Serving sites",
    "field": "Field",
}
"""English headers of every column a page shows."""
COLUMNS_EN.update(MODELS_COLUMNS_EN)
COLUMNS_EN.update(KINDS_COLUMNS_EN)

EXTRA_ZH = {
    "lon": "经度",
    "lat": "纬度",
    "layer": "图层",
    "features": "要素数",
    "synthetic": "合成数据",
    "source": "来源",
    "licence": "许可",
    "datum": "坐标基准",
    "note": "说明",
    "covered": "覆盖需求",
    "bound": "上界",
    "budget_cny": "预算(元)",
    "parameter": "参数",
    "value": "取值",
    "capacity": "服务能力(仅充电站)",
    "site": "服务站点",
    "distance_m": "距离(米)",
    "newly_served": "新覆盖",
    "covered_before": "原已覆盖",
    "covered_after": "方案后覆盖",
    "in_5g": "5G覆盖",
    "near_charging": "充电可达",
    "served": "已覆盖",
    "serving_sites": "服务站点",
    "field": "字段",
    "short_name": "简称",
}
"""Chinese headers of columns not in :data:`views.i18n.COLUMNS_ZH` or the schema."""

NOTES_ZH = {
    "synthetic data for demonstration; not real facilities or firms": "合成演示数据,"
    "不代表真实设施或企业",
    "approximate location; synthetic outline (zone names are real or plausible)": "位置为近似,"
    "范围为合成(园区名称真实或近似)",
    "real county-level boundaries of Chaoyang (adcode 211300)": "朝阳市真实县级行政区界"
    "(行政区划代码 211300)",
    "uploaded file": "上传的文件",
    "user data": "用户数据",
    "CC0 (synthetic)": "CC0(合成数据)",
}
"""Chinese for the provenance texts the demo data carries (other text is shown as given)."""

_BOOL = {"zh": ("是", "否"), "en": ("yes", "no")}


def header(column: Any, lang: str) -> str:
    """Return the display header of one column in ``lang``."""
    from geodata.schema import LAYER_KINDS

    from .i18n import COLUMNS_ZH

    name = str(column)
    if name.endswith(" (before)"):
        return f"{name[: -len(' (before)')]} ({'方案前' if lang == 'zh' else 'before'})"
    if lang == "zh":
        fields = {f.name: f.label_zh for k in LAYER_KINDS.values() for f in k.fields}
        return COLUMNS_ZH.get(name) or EXTRA_ZH.get(name) or fields.get(name) or name
    if name in COLUMNS_EN:
        return COLUMNS_EN[name]
    return name.replace("_", " ").capitalize() if "_" in name else name


def note_text(text: Any, lang: str) -> str:
    """Return a provenance text in ``lang`` (known demo texts translated)."""
    value = "" if text is None else str(text)
    return NOTES_ZH.get(value, value) if lang == "zh" else value


def layer_name(kind: Any, lang: str) -> str:
    """Return the display name of a layer kind."""
    from .i18n import text_in

    label = text_in(lang, f"kind_{kind}")
    return str(kind) if label == f"kind_{kind}" else label


def display_value(column: str, value: Any, lang: str) -> Any:
    """Return one cell as shown: category codes as words, booleans as yes/no."""
    from planning.maps import _category_label
    from planning.maps._labels import CATEGORY_FIELDS

    if isinstance(value, bool | np.bool_):
        yes, no = _BOOL[lang]
        return yes if value else no
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    if column == "layer":
        return layer_name(value, lang)
    if column in ("source", "licence", "note") and not isinstance(value, int | float):
        translated = _category_label("source", value, lang) if column == "source" else None
        if translated is not None and translated != str(value).replace("_", " "):
            return translated
        return note_text(value, lang)
    if column in CATEGORY_FIELDS and isinstance(value, str):
        return _category_label(column, value, lang)
    return value


def display_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return ``frame`` with translated headers, category words and yes/no."""
    from planning.maps._labels import CATEGORY_FIELDS

    out = pd.DataFrame(frame).copy()
    for column in out.columns:
        col = str(column)
        series = out[column]
        if series.dtype == bool or col in CATEGORY_FIELDS or col in ("layer", "source", "note"):
            out[column] = [display_value(col, v, lang) for v in series]
        elif col == "licence":
            out[column] = [note_text(v, lang) for v in series]
        elif series.dtype == object and series.map(lambda v: isinstance(v, bool)).any():
            out[column] = [display_value(col, v, lang) for v in series]
    return out.rename(columns={c: header(c, lang) for c in out.columns})
