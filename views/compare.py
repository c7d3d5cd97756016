"""Compare: several saved scenarios side by side and on one map."""

import streamlit as st

from planning import maps, scenarios
from views.common import current_data, guard, show_map
from views.common import scenarios as saved_scenarios
from views.common import table as show_table
from views.i18n import language, translator

t = translator()

st.header(t("page_compare"))

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
                show_table(table, percent=picked if title == "indicators" else ())
            st.subheader(t("compare_map"))
            m = maps.build_map(current_data(), scenario=results, language=language())
            show_map(m, key="compare_map", height=560)
