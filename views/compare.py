"""Compare: several saved scenarios side by side and on one map."""

import pandas as pd
import streamlit as st

from planning import maps, scenarios
from views.common import current_data, data_key, guard, show_map
from views.common import table as show_table
from views.i18n import language, translator
from views.saved import scenario_key
from views.saved import scenarios as saved_scenarios

t = translator()

st.header(t("page_compare"))


def _site_names(results: list, sites: pd.DataFrame) -> pd.DataFrame:
    """Put each picked site's name and county beside its id."""
    names: dict = {}
    counties: dict = {}
    for r in results:
        ps = r.proposed_sites
        for rec in ps[[c for c in ("id", "name", "county") if c in ps]].to_dict("records"):
            names.setdefault(rec["id"], rec.get("name"))
            counties.setdefault(rec["id"], rec.get("county"))
    out = sites.copy()
    out.insert(0, "name", [names.get(i) for i in out.index])
    if any(counties.values()):
        out.insert(1, "county", [counties.get(i) for i in out.index])
    return out


with guard():
    saved = saved_scenarios()
    if not saved:
        st.info(t("no_scenarios"))
    else:
        names = list(saved)
        picked = st.multiselect(t("compare_pick"), names, default=names[-2:], key="cmp_pick")
        if len(picked) < 2:
            st.warning(t("compare_need_two"))
        else:
            results = [saved[n] for n in picked]
            tables = scenarios.compare_scenarios(results)
            for title, table in tables.items():
                heading = t(f"cmp_{title}")
                st.markdown(f"**{heading if not heading.startswith('cmp_') else title}**")
                if title == "sites":
                    table = _site_names(results, table)
                percent = list(table.columns) if title == "indicators" else ()
                show_table(table, percent=percent)
            st.subheader(t("compare_map"))
            lang = language()
            show_map(
                lambda: maps.build_map(current_data(), scenario=results, language=lang),
                cache_key=(
                    "compare",
                    *data_key(),
                    tuple(scenario_key(n) for n in picked),
                    lang,
                ),
                key="compare_map",
                height=560,
            )
            from views.report_button import report_buttons

            report_buttons(results, compare=True)
