"""Find a firm: search by name or id, or click it on the map; see how it is served."""

import pandas as pd
import streamlit as st

from geodata.infrastructure import infrastructure_kind
from planning import firms as firm_lookup
from planning import maps
from views.common import current_data, data_caption, data_key, guard, show_map
from views.i18n import language, translator
from views.labels import display_value, header
from views.saved import scenarios as saved_scenarios

t = translator()
state = st.session_state

st.header(t("page_firm"))


def _label(data, index) -> str:
    firms = data.enterprises
    if index not in firms.index:
        return str(index)
    rec = firms.loc[index]
    return f"{rec.get('name', '')} ({rec['id']})"


def _details(data, index) -> None:
    lang = language()
    details = firm_lookup.firm_details(data, index, scenarios=list(saved_scenarios().values()))
    st.subheader(f"{t('firm_details')}: {_label(data, index)}")
    if len(data.base_stations):
        if details.in_5g:
            sites = ", ".join(f"{name} ({sid})" for sid, name in details.covering_5g)
            st.success(t("firm_by_sites", sites=sites), icon=":material/cell_tower:")
        else:
            st.warning(t("firm_not_5g"), icon=":material/signal_cellular_off:")
    else:
        st.warning(t("layer_absent", layers=t("kind_base_stations")))
    if details.nearest_charging is None:
        st.info(t("firm_no_charging"))
    else:
        sid, name, dist = details.nearest_charging
        st.markdown(
            f"**{t('firm_nearest_charging')}**: "
            + t("firm_charging_distance", name=f"{name} ({sid})", distance=f"{dist:,.0f}")
        )
    for code, (sid, site, dist, served) in details.nearest_other.items():
        kind = infrastructure_kind(code)
        st.markdown(
            f"**{t('firm_nearest_kind', kind=kind.site_zh if lang == 'zh' else kind.site_en)}**: "
            + t(
                "firm_kind_distance",
                name=f"{site} ({sid})",
                distance=f"{dist:,.0f}",
                measure=kind.distance_measure_zh if lang == "zh" else kind.distance_measure_en,
            )
            + (f" · {t('firm_within_reach')}" if served else f" · {t('firm_out_of_reach')}")
        )
    for name, rec in details.scenarios.items():
        if rec["covered_before"]:
            text = t("firm_scenario_before")
        elif rec["covered_after"] and rec["site"]:
            dist = "-" if rec["distance_m"] is None else f"{rec['distance_m']:,.0f}"
            text = t(
                "firm_scenario_served", site=f"{rec['site_name']} ({rec['site']})", distance=dist
            )
        else:
            text = t("firm_scenario_not")
        st.markdown(t("firm_scenario", name=name) + text)
    rows = [
        (header(k, lang), str(display_value(k, v, lang)) if v is not None else "")
        for k, v in details.fields.items()
    ]
    st.dataframe(
        pd.DataFrame(rows, columns=[header("field", lang), header("value", lang)]),
        hide_index=True,
        key="firm_fields",
    )


def _searched() -> None:
    """A new search or pick wins over an earlier map click."""
    state["firm_current"] = None


with guard():
    data = current_data()
    data_caption(data)
    firms = data.enterprises
    query = st.text_input(
        t("firm_search"), key="firm_query", help=t("firm_search_help"), on_change=_searched
    )
    if query.strip():
        hits = firm_lookup.find_firms(data, query)
        if hits.empty:
            st.info(t("firm_none", query=query.strip()), icon=":material/search_off:")
        else:
            options = list(hits.index)
            if state.get("firm_selected") not in options:
                state["firm_selected"] = options[0]
            st.selectbox(
                t("firm_pick"),
                options,
                format_func=lambda i: _label(data, i),
                key="firm_selected",
                on_change=_searched,
            )
    left, right = st.columns([3, 2])
    with left:
        st.caption(t("firm_click_map"))
        lang = language()
        clicked = show_map(
            lambda: maps.build_map(data, language=lang),
            cache_key=("firm", *data_key(), lang),
            key="firm_map",
            height=560,
            clicks=True,
        )
        if clicked and clicked != state.get("firm_last_click"):
            state["firm_last_click"] = clicked
            index = firm_lookup.nearest_firm(data, clicked["lng"], clicked["lat"])
            if index is not None:
                state["firm_current"] = index
                st.caption(t("firm_clicked", name=_label(data, index)))
    with right:
        chosen = state.get("firm_current")
        if chosen is None:
            chosen = state.get("firm_selected") if query.strip() else None
        if chosen is not None and chosen in firms.index:
            _details(data, chosen)
