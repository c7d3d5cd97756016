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
    shared,
    show_map,
    table,
    tianditu_default,
)
from views.i18n import language, translator

t = translator()
state = st.session_state

st.header(t("page_map"))


def _filters(data) -> dict:
    firms = data.enterprises
    with st.expander(t("filters"), expanded=True, icon=":material/filter_alt:"):
        f1, f2, f3, f4 = st.columns(4)
        counties = sorted(firms["county"].dropna().astype(str).unique()) if len(firms) else []
        pick_county = f1.multiselect(
            t("filter_county"), counties, key="f_county", placeholder=t("choose")
        )
        # zones of the chosen counties only (a zone lies in one county)
        scope = firms[firms["county"].astype(str).isin(pick_county)] if pick_county else firms
        zones = sorted(z for z in scope["park"].dropna().astype(str).unique() if z)
        if any(z not in zones for z in state.get("f_zone", [])):
            state["f_zone"] = [z for z in state["f_zone"] if z in zones]
        pick_zone = f2.multiselect(t("filter_park"), zones, key="f_zone", placeholder=t("choose"))
        pick_sector = f3.multiselect(
            t("filter_sector"),
            list(SECTORS),
            format_func=category_labeller("sector"),
            key="f_sector",
            placeholder=t("choose"),
        )
        pick_status = f4.multiselect(
            t("filter_status"),
            list(DIGITAL_STATUS),
            format_func=category_labeller("digital_status"),
            key="f_status",
            placeholder=t("choose"),
        )
    return {
        "counties": pick_county or None,
        "parks": pick_zone or None,
        "sectors": pick_sector or None,
        "statuses": pick_status or None,
    }


_UNCOVERED_SHOWN = (
    "id",
    "name",
    "county",
    "park",
    "sector",
    "employees",
    "digital_status",
    "charging_distance_m",
    "lon",
    "lat",
)


def _uncovered_listing(shown, status, what: str) -> pd.DataFrame:
    uncovered = indicators.uncovered_firms(shown, status, what=what)
    listing = pd.DataFrame(uncovered.drop(columns=uncovered.geometry.name))
    listing["lon"] = uncovered.geometry.x.round(6)
    listing["lat"] = uncovered.geometry.y.round(6)
    return listing


@st.fragment
def _map_and_stats(data) -> None:
    """Filters, map and statistics: changing them reruns only this part of the page."""
    with guard():
        _map_and_stats_body(data)


def _map_and_stats_body(data) -> None:
    filters = _filters(data)
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

    filter_key = repr(sorted(filters.items()))
    shown = maps.filter_data(data, **filters)
    status_key = (*data_key(), filter_key, float(charging_m))
    status = coverage(shown, status_key[:-1], float(charging_m))
    missing = [
        t(f"kind_{kind}")
        for kind, layer in (
            ("base_stations", data.base_stations),
            ("charging_stations", data.charging_stations),
        )
        if len(layer) == 0
    ]
    if missing:
        st.warning(
            t(
                "layer_absent",
                layers="、".join(missing) if language() == "zh" else ", ".join(missing),
            ),
            icon=":material/layers_clear:",
        )

    left, right = st.columns([3, 2])
    with left:
        n_firms = len(shown.enterprises)
        if n_firms == 0:
            st.info(t("nothing_matches"), icon=":material/search_off:")
        else:
            st.caption(t("firms_shown", n=f"{n_firms:,}"))
        lang = language()
        filtered = any(v is not None for v in filters.values())
        show_map(
            lambda: maps.build_map(
                shown,
                color_by=color_by,
                show_candidates=show_candidates,
                basemap=basemap,
                tianditu_key=key or None,
                language=lang,
                zoom_to="enterprises" if filtered and n_firms else "area",
            ),
            cache_key=(
                "main",
                *data_key(),
                filter_key,
                color_by,
                show_candidates,
                basemap,
                key or "",
                lang,
            ),
            key="main_map",
        )
    with right:
        st.subheader(t("stats"))
        n = max(len(status), 1)
        k1, k2, k3 = st.columns(3)
        k1.metric(
            t("metric_5g"), f"{status['in_5g'].sum() / n:.1%}" if len(data.base_stations) else "—"
        )
        k2.metric(
            t("metric_charging"),
            f"{status['near_charging'].sum() / n:.1%}" if len(data.charging_stations) else "—",
        )
        emp = shown.enterprises["employees"].astype(float) if n_firms else None
        share_emp = (
            float(emp[status["in_5g"].to_numpy()].sum() / emp.sum())
            if emp is not None and emp.sum() > 0
            else 0.0
        )
        k3.metric(t("metric_employees_5g"), f"{share_emp:.1%}" if len(data.base_stations) else "—")
        # the other kinds' shares, one line each (the three headline metrics stay 5G and charging)
        for kind in indicators.other_kinds():
            if not len(getattr(data, kind.existing_layer)):
                continue
            measure = kind.distance_measure_zh if language() == "zh" else kind.distance_measure_en
            share = f"{status[f'near_{kind.code}'].sum() / n:.1%}"
            st.caption(
                f"**{t('metric_kind', kind=kind.label(language()))}: {share}** · "
                + t("metric_kind_help", reach=f"{kind.radius_m:,.0f} m", distance=measure)
            )
        tab_county, tab_zone, tab_unc = st.tabs([t("by_county"), t("by_park"), t("uncovered")])
        with tab_county:
            table(
                lambda: indicators.coverage_stats(shown, status, by="county"),
                cache_key=("by_county", *status_key),
            )
        with tab_zone:
            table(
                lambda: indicators.coverage_stats(shown, status, by="park"),
                cache_key=("by_park", *status_key),
            )
        with tab_unc:
            kinds_shown = ["5g", "charging"] + [
                k.code for k in indicators.other_kinds() if len(getattr(data, k.existing_layer))
            ]
            what = st.radio(
                t("uncovered"),
                kinds_shown,
                format_func=lambda v: t(f"uncovered_{v}"),
                horizontal=True,
                label_visibility="collapsed",
                key="uncovered_what",
            )
            listing = shared(
                ("uncovered", what, *status_key),
                lambda: _uncovered_listing(shown, status, what),
            )
            # the page shows the columns a planner reads; the download keeps every column
            brief = [c for c in _UNCOVERED_SHOWN if c in listing.columns]
            table(
                lambda: listing[brief],
                hide_index=True,
                cache_key=("uncovered", what, *status_key),
            )
            from views.labels import display_frame

            st.download_button(
                t("download_csv"),
                lambda: display_frame(listing, lang).to_csv(index=False).encode("utf-8-sig"),
                file_name=f"uncovered_{what}.csv",
                mime="text/csv",
                key="dl_uncovered",
                icon=":material/download:",
            )


with guard():
    data = current_data()
    data_caption(data)
    _map_and_stats(data)
