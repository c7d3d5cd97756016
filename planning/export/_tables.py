"""The tables every export format is made of: sites, firms, indicators, curve, parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.schema import CATEGORY_LABELS_ZH, LAYER_KINDS

if TYPE_CHECKING:
    from ..scenarios import ScenarioResult
from ._labels import (
    _PARAM_LABELS,
    _check,
    _format_param,
    _label,
    _t,
    _value,
)

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
    "covered_after",
    "newly_served",
    "site",
    "distance_m",
    "travel_time_s",
)


def _layer(
    result: ScenarioResult, layer: str, language: str, *, flags_as_text: bool
) -> gpd.GeoDataFrame:
    """Return one layer with the export columns, translated."""
    wanted: tuple[str, ...]
    if layer == "proposed_sites":
        gdf, wanted = result.proposed_sites, _SITE_COLUMNS
        kind = "candidate_sites"
    else:
        gdf, wanted = result.served, _FIRM_COLUMNS  # every firm, served or not (flagged)
        kind = "enterprises"
    columns = [c for c in wanted if c in gdf.columns]
    out = gdf[[*columns, gdf.geometry.name]].copy()
    for col in columns:
        if col in CATEGORY_LABELS_ZH:
            out[col] = out[col].map(lambda v, c=col: _value(v, language, c))
        if flags_as_text and out[col].dtype == bool:
            yes, no = _t("yes", language), _t("no", language)
            out[col] = np.where(out[col].to_numpy(), yes, no)
    for col in ("distance_m", "travel_time_s", "weight", "gain", "marginal"):
        if col in out and pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(0 if col != "weight" else 2)
    names = {c: _column_label(c, kind, language) for c in columns}
    names.update({c: v for c, v in _capacity_labels(result, language).items() if c in names})
    out = out.rename(columns=names)
    out = out.rename_geometry("geometry") if out.geometry.name != "geometry" else out
    return gpd.GeoDataFrame(out, geometry="geometry", crs=gdf.crs).to_crs("EPSG:4326")


_CAPACITY_WORDS = {
    "sessions_total": ("需求", "Demand"),
    "sessions_served": ("满足的需求", "Demand served"),
    "share_sessions_served": ("需求满足率", "Share of demand served"),
    "unservable_sessions": ("无法满足的需求", "Demand out of reach"),
    "unserved_sessions": ("未分配的需求", "Demand no site takes"),
    "sessions": ("分配的需求", "Demand assigned"),
    "capacity_sessions": ("容量", "Capacity"),
    "piles": ("新建站点数", "New sites"),
}


def _capacity_labels(result: ScenarioResult, language: str) -> dict[str, str]:
    """Return capacity labels in the kind's unit (ports, kg/day) instead of charging sessions."""
    unit = result.summary.get("capacity_unit")
    if not unit:
        return {}
    zh_unit = {"ports": "端口", "kg/day": "公斤/日"}.get(str(unit), str(unit))
    out = {}
    for key, (zh, en) in _CAPACITY_WORDS.items():
        if key.startswith("share_") or key == "piles":
            out[key] = zh if language == "zh" else en
        else:
            out[key] = f"{zh}({zh_unit})" if language == "zh" else f"{en} ({unit})"
    return out


def _column_label(column: str, kind: str, language: str) -> str:
    if language == "zh" and column in ("name",):
        label = LAYER_KINDS[kind].field(column).label_zh
        return label or _label(column, language)
    return _label(column, language)


def _with_lonlat(gdf: gpd.GeoDataFrame, language: str) -> pd.DataFrame:
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    if len(gdf):
        pts = gdf.geometry.representative_point()
        table[_label("lon", language)] = np.round(pts.x.to_numpy(), 6)
        table[_label("lat", language)] = np.round(pts.y.to_numpy(), 6)
    else:
        table[_label("lon", language)] = pd.Series(dtype=float)
        table[_label("lat", language)] = pd.Series(dtype=float)
    return table


def _rounded(table: pd.DataFrame) -> pd.DataFrame:
    """Shares as percentages (one decimal), changes in points, other numbers rounded."""
    out = table.copy()
    for col in out.columns:
        name = str(col)
        if not pd.api.types.is_numeric_dtype(out[col]) or out[col].dtype == bool:
            continue
        if name.startswith("share") or name in ("gap", "change"):
            out[col] = (100 * out[col].astype(float)).round(1)
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(1)
    return out


def _percent_header(column: str, language: str) -> str:
    label = _label(column, language)
    if column == "change":
        return f"{label} ({'百分点' if language == 'zh' else 'points'})"
    if column.startswith("share") or column == "gap":
        return f"{label} (%)"
    return label


def _indicator_table(result: ScenarioResult, language: str) -> pd.DataFrame:
    table = _rounded(result.indicators.reset_index())
    table["level"] = table["level"].map(lambda v: _value(v, language))
    table["group"] = table["group"].map(lambda v: _value(v, language) if v == "total" else v)
    return table.rename(columns={c: _percent_header(c, language) for c in table.columns})


def _curve_table(result: ScenarioResult, language: str) -> pd.DataFrame:
    table = _rounded(pd.DataFrame(result.curve))
    if "status" in table:
        table["status"] = table["status"].map(lambda v: _value(v, language))
    return table.rename(columns={c: _percent_header(c, language) for c in table.columns})


def _labelled(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """Return a result table (stages, county floors) rounded and labelled."""
    table = _rounded(pd.DataFrame(frame))
    for col in table.columns:
        if table[col].dtype == bool:
            table[col] = table[col].map(lambda v: _t("yes" if v else "no", language))
    return table.rename(columns={c: _percent_header(str(c), language) for c in table.columns})


_PILES = ("n_sites", "pile_power_kw", "piles_min", "piles_max", "pile_cost_cny")
_OBJECTIVE_SETTINGS = {
    "max_coverage": ("n_sites",),
    "budget": ("budget_cny",),
    "min_sites": ("coverage_target",),
    "min_distance": ("n_sites",),
    "capacitated": _PILES,
    "backup": ("n_sites", "key_firms", "backup_weight"),
    "dispersion": ("n_sites",),
    "single_source": _PILES,
    "corridors": ("n_sites", "vehicle_range_km"),
}
_INFRASTRUCTURE_SETTINGS = {
    "5g": ("band", "radius_model", "environment", "indoor", "cell_edge_probability"),
}
_SKIP_SUMMARY = ("name", "infrastructure", "objective", "radius_unit", "radius")


def _parameter_rows(result: ScenarioResult, language: str) -> list[tuple[str, str]]:
    """Return (label, text) rows: the settings that apply, then the results."""
    rows = _setting_rows(result, language)
    capacity = _capacity_labels(result, language)
    spec = result.spec.to_dict()
    for key, value in result.summary.items():
        if key in _SKIP_SUMMARY or key in spec:
            continue
        label = capacity.get(key) or _label(key, language, _PARAM_LABELS)
        rows.append((label, _format_param(key, value, language)))
    return rows


def _setting_rows(result: ScenarioResult, language: str) -> list[tuple[str, str]]:
    spec = result.spec.to_dict()
    objective = spec.get("objective")
    others = {k for keys in _OBJECTIVE_SETTINGS.values() for k in keys}
    rows = []
    for key, value in spec.items():
        if key in others and key not in _OBJECTIVE_SETTINGS.get(str(objective), ()):
            continue  # a setting of another objective
        if key in _INFRASTRUCTURE_SETTINGS["5g"] and spec.get("infrastructure") != "5g":
            continue
        if key in ("equity_level", "stage_objective") and not (
            result.spec.equity if key == "equity_level" else result.spec.staged
        ):
            continue
        if key == "radius_m":
            rows.append((_label("radius", language, _PARAM_LABELS), _radius_text(result, language)))
            continue
        if value is None:
            continue
        rows.append(
            (_label(key, language, _PARAM_LABELS), _param_text(result, key, value, language))
        )
    return rows


_KIND_OBJECTIVES = {
    ("capacitated", "broadband"): (
        "给定光交箱数,接入最多企业(含端口容量)",
        "Connect the most firms with N cabinets (port capacity)",
    ),
    ("single_source", "broadband"): (
        "每家企业接入一个光交箱(含端口容量)",
        "One cabinet per firm (port capacity)",
    ),
    ("capacitated", "hydrogen"): (
        "给定站点数,满足最多加氢需求(含日加注能力)",
        "Serve the most hydrogen demand with N stations (kg/day)",
    ),
    ("single_source", "hydrogen"): (
        "每家企业对应一个加氢站(含日加注能力)",
        "One hydrogen station per firm (kg/day)",
    ),
}
"""The capacity objectives in the words of the kinds beyond charging."""


def _param_text(result: ScenarioResult, key: str, value: Any, language: str) -> str:
    spec = result.spec
    own = _KIND_OBJECTIVES.get((spec.objective, spec.infrastructure))
    if key == "objective" and own:
        return own[0] if language == "zh" else own[1]
    return _format_param(key, value, language)


def _parameters_frame(result: ScenarioResult, language: str) -> pd.DataFrame:
    rows = _parameter_rows(result, language)
    return pd.DataFrame(rows, columns=[_label("parameter", language), _label("value", language)])


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
    keys += list(_OBJECTIVE_SETTINGS.get(result.spec.objective, ("n_sites",)))
    keys += ["demand", "candidate_sources", "count_existing", "distance"]
    rows = [
        (_label(k, language, _PARAM_LABELS), _param_text(result, k, spec[k], language))
        for k in keys
    ]
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


LAYERS: tuple[str, ...] = ("proposed_sites", "served_firms")
LANGUAGES: tuple[str, ...] = ("zh", "en")


def parameter_table(result: ScenarioResult, *, language: str = "zh") -> pd.DataFrame:
    """Return a scenario's settings and headline figures as a readable two-column table.

    Only the settings that apply to the scenario's objective are listed, with
    units and percentages written out (no raw codes, no ``None``).

    Parameters
    ----------
    result
        Output of :func:`planning.scenarios.run_scenario`.
    language
        ``"zh"`` or ``"en"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter`` and ``value`` (both text).
    """
    _check("language", language, LANGUAGES)
    return pd.DataFrame(_parameter_rows(result, language), columns=["parameter", "value"])
