"""Blank layer files planners can fill in and load back with :func:`read_layer`."""

from __future__ import annotations

import csv
import io
from typing import Literal

from .schema import CATEGORY_LABELS_ZH, Field, LayerKind, layer_kind

_LANGUAGES = ("zh", "en")
_FORMATS = ("csv", "xlsx")
_EXAMPLE_LON, _EXAMPLE_LAT = 120.4502, 41.5783
_EXAMPLE_WKT = "POLYGON ((120.44 41.57, 120.46 41.57, 120.46 41.585, 120.44 41.585, 120.44 41.57))"
_NAMES = {
    "enterprises": ("示例企业有限公司", "Example Co., Ltd."),
    "parks": ("示例经济开发区", "Example Development Zone"),
    "base_stations": ("示例5G基站", "Example 5G site"),
    "charging_stations": ("示例充电站", "Example charging station"),
    "candidate_sites": ("示例候选站址", "Example candidate site"),
    "admin_areas": ("双塔区", "Shuangta District"),
    "access_points": ("示例光交箱", "Example fibre cabinet"),
    "hydrogen_stations": ("示例加氢站", "Example hydrogen station"),
}
_IDS = {"admin_areas": "211302"}
_NUMBERS = {
    "radius_m": 500,
    "piles": 8,
    "cost_cny": 200_000,
    "employees": 120,
    "output_value": 5_000,
    "energy_use": 800,
    "ev_fleet": 3,
    "ports": 144,
    "ports_used": 40,
    "capacity_kg_per_day": 1000,
}
_TEXTS = {"county": ("双塔区", "Shuangta District"), "short_name": ("双塔", "Shuangta")}


def _header(f: Field, language: str) -> str:
    return f.label_zh if language == "zh" and f.label_zh else f.name


def _example(f: Field, spec: LayerKind, language: str) -> str:
    zh = language == "zh"
    if f.name == "id":
        return _IDS.get(spec.name, "1001")
    if f.name == "name":
        return _NAMES[spec.name][0 if zh else 1]
    if f.name in _TEXTS:
        return _TEXTS[f.name][0 if zh else 1]
    if f.type == "category":
        value = str(f.default) if f.default is not None else f.allowed[0]
        labels = CATEGORY_LABELS_ZH.get(f.name, {})
        return labels.get(value, value) if zh else value
    if f.type == "bool":
        value_bool = bool(f.default)
        if zh:
            return "是" if value_bool else "否"
        return "yes" if value_bool else "no"
    if f.type in ("int", "float"):
        number = _NUMBERS.get(f.name, f.default if f.default is not None else f.minimum or 1)
        return f"{number:g}" if isinstance(number, float) else str(number)
    return ""


def _rows(spec: LayerKind, language: str) -> tuple[list[str], list[str]]:
    header = [_header(f, language) for f in spec.fields]
    example = [_example(f, spec, language) for f in spec.fields]
    if spec.geometry == "Point":
        header += ["经度", "纬度"] if language == "zh" else ["lon", "lat"]
        example += [f"{_EXAMPLE_LON}", f"{_EXAMPLE_LAT}"]
    else:
        header.append("几何(WKT)" if language == "zh" else "wkt")
        example.append(_EXAMPLE_WKT)
    return header, example


def _field_notes(spec: LayerKind, language: str) -> list[list[str]]:
    zh = language == "zh"
    head = (
        ["列名", "字段", "类型", "必填", "单位", "可选值", "说明"]
        if zh
        else ["column", "field", "type", "required", "unit", "allowed values", "description"]
    )
    rows = [head]
    for f in spec.fields:
        labels = CATEGORY_LABELS_ZH.get(f.name, {})
        allowed = ", ".join(f"{labels[a]} / {a}" if zh and a in labels else a for a in f.allowed)
        required = ("是" if f.required else "否") if zh else ("yes" if f.required else "no")
        rows.append(
            [_header(f, language), f.name, f.type, required, f.unit, allowed, f.description]
        )
    return rows


def layer_template(
    kind: str,
    *,
    language: Literal["zh", "en"] = "zh",
    fmt: Literal["csv", "xlsx"] = "csv",
) -> bytes:
    """Return a template file for one layer kind, with one example row.

    Parameters
    ----------
    kind
        Layer kind, one of :data:`geodata.schema.KINDS`.
    language
        ``"zh"`` for Chinese headers and category labels (经度/纬度 columns),
        ``"en"`` for the schema's English names (lon/lat columns).
    fmt
        ``"csv"`` (UTF-8 with BOM, which Excel opens correctly) or ``"xlsx"``
        (the data sheet first, then a sheet describing every column).

    Returns
    -------
    bytes
        The file's content. Point kinds get longitude/latitude columns,
        polygon kinds a WKT column; :func:`geodata.read_layer` reads the
        file back unchanged.
    """
    spec = layer_kind(kind)
    if language not in _LANGUAGES:
        msg = f"language must be one of {', '.join(_LANGUAGES)}; got {language!r}"
        raise ValueError(msg)
    if fmt not in _FORMATS:
        msg = f"fmt must be one of {', '.join(_FORMATS)}; got {fmt!r}"
        raise ValueError(msg)
    header, example = _rows(spec, language)
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerows([header, example])
        return text.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    book = Workbook()
    data = book.worksheets[0]
    data.title = spec.label_zh if language == "zh" and spec.label_zh else spec.name
    data.append(header)
    data.append(example)
    for cell in data[2]:
        cell.number_format = "@"
    notes = book.create_sheet("说明" if language == "zh" else "columns")
    for row in _field_notes(spec, language):
        notes.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
