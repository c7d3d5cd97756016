"""Map & statistics: every layer on one map, coverage shares beside it."""

import pandas as pd
import streamlit as st

from geodata.schema import DIGITAL_STATUS, SECTORS
from planning import indicators, maps
from views.common import (
    category_labeller,
    coverage,
    current_data,
    data_caption,
    data_key,
    guard,
    show_map,
    table,
    tianditu_default,
)
from views.i18n import language, translator

t = translator()

st.header(t("page_map"))

with guard():
    data = current_data()
    data_caption(data)
    firms = data.enterprises

    with st.sidebar.expander(t("filters"), expanded=True):
        counties = sorted(firms["county"].dropna().astype(str).unique()) if len(firms) else []
        zones = (
            sorted(z for z in firms["park"].dropna().astype(str).unique() if z)
            if len(firms)
            else []
        )
        pick_county = st.multiselect(
            t("filter_county"), counties, key="f_county", placeholder=t("choose")
        )
        pick_zone = st.multiselect(t("filter_park"), zones, key="f_zone", placeholder=t("choose"))
        pick_sector = st.multiselect(
            t("filter_sector"),
            list(SECTORS),
            format_func=category_labeller("sector"),
            key="f_sector",
            placeholder=t("choose"),
        )
        pick_status = st.multiselect(
            t("filter_status"),
            list(DIGITAL_STATUS),
            format_func=category_labeller("digital_status"),
            key="f_status",
            placeholder=t("choose"),
        )
    filters = {
        "counties": pick_county or None,
        "parks": pick_zone or None,
        "sectors": pick_sector or None,
        "statuses": pick_status or None,
    }

    c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
    color_by = c1.radio(
        t("color_by"),
        ["sector", "digital_status"],
        format_func=lambda v: t("color_sector") if v == "sector" else t("color_status"),
        horizontal=True,
        key="color_by",
    )
    basemap = c2.selectbox(
        t("basemap"), list(maps.BASEMAPS), format_func=lambda v: t(f"basemap_{v}"), key="basemap"
    )
    show_candidates = c3.checkbox(t("show_candidates"), key="show_candidates")
    charging_m = c4.number_input(
        t("charging_distance"), 100, 50_000, 2000, step=100, key="charging_m"
    )
    key = None
    if basemap == "tianditu":
        key = st.text_input(t("tianditu_key"), value=tianditu_default(), type="password")
        if not key:
            st.warning(t("tianditu_missing"))
            basemap = "none"

    shown = maps.filter_data(data, **filters)
    status = coverage(shown, (*data_key(), repr(sorted(filters.items()))), float(charging_m))

    left, right = st.columns([3, 2])
    with left:
        st.caption(t("firms_shown", n=f"{len(shown.enterprises):,}"))
        m = maps.build_map(
            shown,
            color_by=color_by,
            show_candidates=show_candidates,
            basemap=basemap,
            tianditu_key=key or None,
            language=language(),
        )
        show_map(m, key="main_map")
    with right:
        st.subheader(t("stats"))
        n = max(len(status), 1)
        k1, k2, k3 = st.columns(3)
        k1.metric(t("metric_5g"), f"{status['in_5g'].sum() / n:.1%}")
        k2.metric(t("metric_charging"), f"{status['near_charging'].sum() / n:.1%}")
        emp = shown.enterprises["employees"].astype(float) if len(shown.enterprises) else None
        share_emp = (
            float(emp[status["in_5g"].to_numpy()].sum() / emp.sum())
            if emp is not None and emp.sum() > 0
            else 0.0
        )
        k3.metric(t("metric_employees_5g"), f"{share_emp:.1%}")
        tab_county, tab_zone, tab_unc = st.tabs([t("by_county"), t("by_park"), t("uncovered")])
        with tab_county:
            table(indicators.coverage_stats(shown, status, by="county"))
        with tab_zone:
            table(indicators.coverage_stats(shown, status, by="park"))
        with tab_unc:
            what = st.radio(
                t("uncovered"),
                ["5g", "charging"],
                format_func=lambda v: t(f"uncovered_{v}"),
                horizontal=True,
                label_visibility="collapsed",
                key="uncovered_what",
            )
            missing = indicators.uncovered_firms(shown, status, what=what)
            listing = pd.DataFrame(missing.drop(columns=missing.geometry.name))
            listing["lon"] = missing.geometry.x.round(6)
            listing["lat"] = missing.geometry.y.round(6)
            table(listing, hide_index=True)
            st.download_button(
                t("download_csv"),
                listing.to_csv(index=False).encode("utf-8-sig"),
                file_name=f"uncovered_{what}.csv",
                mime="text/csv",
                key="dl_uncovered",
            )
