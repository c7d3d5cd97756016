"""Scenario page parts of the backup, dispersion, single-source and corridor objectives.

:func:`objectives_for` lists the objectives a planner can pick for a kind of
site, :func:`model_inputs` draws their own settings inside the scenario form,
and :func:`show_model_result` the figures that say what was asked and what
was achieved; :func:`curve_chart` draws each objective's trade-off curve.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from geodata.infrastructure import infrastructure_kind
from planning import scenarios
from views.charts import line_chart
from views.common import table

NOT_FOR_5G = ("capacitated", "single_source", "corridors")
"""Objectives 5G cannot take (kept for callers; the registry decides the menus)."""

NEEDS_N_SITES = ("max_coverage", "min_distance", "capacitated", *scenarios.MODEL_OBJECTIVES)
"""Objectives asked with a number of new sites."""


def objectives_for(infrastructure: str) -> list[str]:
    """Return the objectives offered for a kind of infrastructure, in menu order.

    The registry says which objectives a kind supports; the menu offers redundant cover
    (``"backup"``) only for radio (link-budget) kinds, where a second cover is what it means.
    """
    kind = infrastructure_kind(infrastructure)
    return [
        o
        for o in scenarios.OBJECTIVES
        if o in kind.objectives and (o != "backup" or kind.service == "link_budget")
    ]


def model_inputs(objective: str, t: Callable[..., str]) -> dict[str, Any]:
    """Draw the settings of a new objective inside the form; return them as spec fields."""
    out: dict[str, Any] = {}
    if objective == "backup":
        c1, c2 = st.columns(2)
        out["key_firms"] = c1.selectbox(
            t("key_firms"),
            list(scenarios.KEY_FIRMS),
            format_func=lambda v: t(f"key_firms_{v}"),
            key="sc_key_firms",
        )
        out["backup_weight"] = float(
            c2.number_input(
                t("backup_weight"), 0.0, 1.0, 1.0, 0.1, help=t("backup_weight_help"), key="sc_bw"
            )
        )
    elif objective == "corridors":
        out["vehicle_range_km"] = float(
            st.number_input(
                t("vehicle_range"),
                10.0,
                2000.0,
                scenarios.VEHICLE_RANGE_KM,
                10.0,
                help=t("vehicle_range_help"),
                key="sc_range",
            )
        )
    return out


def _km(t: Callable[..., str], metres: float) -> str:
    return t("km_value", value=metres / 1000.0)


def show_model_result(result: scenarios.ScenarioResult, t: Callable[..., str]) -> None:
    """Show what a new objective was asked and what it achieved, in the interface language."""
    s = result.summary
    objective = result.spec.objective
    if objective not in scenarios.MODEL_OBJECTIVES:
        return
    asked, sites = int(s["asked_sites"]), int(s["sites"])
    if sites < asked and objective != "single_source":
        st.info(t("fewer_sites", sites=sites, asked=asked))
    else:
        st.caption(t("asked_achieved", asked=asked, sites=sites))
    if objective == "backup":
        cols = st.columns(4)
        cols[0].metric(t("key_firm_count"), f"{s['key_firm_count']}")
        cols[1].metric(t("backup_possible"), f"{s['backup_possible_firms']}")
        cols[2].metric(
            t("firms_backed_up"),
            f"{s['firms_backed_up_after']}",
            f"{s['firms_backed_up_after'] - s['firms_backed_up_before']:+d}",
        )
        cols[3].metric(t("backup_share"), f"{s['backup_share_after']:.1%}")
        st.caption(
            t(
                "backup_note",
                after=s["firms_backed_up_after"],
                before=s["firms_backed_up_before"],
                possible=s["backup_possible_firms"],
                share=f"{s['backup_share_after']:.1%}",
            )
        )
    elif objective == "dispersion":
        cols = st.columns(3)
        cols[0].metric(t("min_spacing"), _km(t, s["min_spacing_m"]))
        cols[1].metric(t("spacing_bound"), _km(t, s["spacing_bound_m"]))
        cols[2].metric(t("mean_spacing"), _km(t, s["mean_spacing_m"]))
        pair = " / ".join(str(v) for v in s["closest_pair"])
        st.caption(t("spacing_note", n=sites, d=_km(t, s["min_spacing_m"]), pair=pair))
    elif objective == "single_source":
        cols = st.columns(2)
        cols[0].metric(t("sessions_assigned"), f"{s['share_sessions_served']:.1%}")
        mean = s.get("mean_station_distance_m", float("nan"))
        cols[1].metric(t("station_distance"), f"{mean:,.0f} m")
        st.caption(
            t(
                "single_note",
                served=s["sessions_served"],
                share=f"{s['share_sessions_served']:.1%}",
                unserved=s["unserved_sessions"],
            )
        )
    else:
        _show_corridors(result, t)


def _show_corridors(result: scenarios.ScenarioResult, t: Callable[..., str]) -> None:
    s = result.summary
    cols = st.columns(3)
    points = 100 * (s["share_flow_after"] - s["share_flow_before"])
    cols[0].metric(
        t("flow_share"), f"{s['share_flow_after']:.1%}", t("points_delta", value=f"{points:+.1f}")
    )
    cols[1].metric(
        t("corridors_passable"),
        t("corridors_count", after=s["corridors_refuelled_after"], total=s["corridors"]),
    )
    cols[2].metric(t("unrefuellable"), f"{s['unrefuellable_corridors']}")
    path = {"road": "path_road", "straight": "path_straight"}.get(s["path_source"], "path_mixed")
    (st.info if s["path_source"] == "road" else st.warning)(t(path))
    st.caption(
        t("corridor_note", range=f"{s['vehicle_range_km']:g}", buffer=s["corridor_buffer_m"])
    )
    if result.corridors is not None:
        st.markdown(f"**{t('corridors_table')}**")
        frame = pd.DataFrame(result.corridors.drop(columns=result.corridors.geometry.name))
        frame["path"] = [t(f"path_value_{v}") for v in frame["path"]]
        table(frame, hide_index=True)


_CURVES = {
    "backup": ("share", "curve_backup", "curve_y_backup", 100.0),
    "dispersion": ("spacing_m", "curve_spacing", "curve_y_spacing", 0.001),
    "single_source": ("share", "curve_sessions", "curve_y_sessions", 100.0),
    "corridors": ("share", "curve_flow", "curve_y_flow", 100.0),
}


def curve_chart(result: scenarios.ScenarioResult, t: Callable[..., str]) -> None:
    """Draw the trade-off curve of a scenario with its own axis titles."""
    curve = result.curve
    objective = result.spec.objective
    if objective in _CURVES:
        y, title, y_label, scale = _CURVES[objective]
        x, x_label = "sites", t("sites")
    else:
        x = "budget_cny" if "budget_cny" in curve else "sites"
        y, title, y_label, scale = "share", "curve", "share_after_pct", 100.0
        x_label = t("budget") if x == "budget_cny" else t("sites")
    st.markdown(f"**{t(title)}**")
    if len(curve) and x in curve and y in curve:
        points = pd.DataFrame({x: curve[x], y: scale * curve[y].astype(float)})
        line_chart(points, x=x, y=y, x_label=x_label, y_label=t(y_label))
