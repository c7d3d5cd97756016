"""Export: a scenario's sites and served firms, the offline map, a one-page summary."""

from functools import partial

import streamlit as st

from planning import maps
from planning.export import export_filename
from views.common import current_data, data_key, guard
from views.i18n import LANGUAGES, language, translator
from views.saved import scenario_key
from views.saved import scenarios as saved_scenarios

MIME = {
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "summary_html": "text/html",
    "summary_md": "text/markdown",
}
DOWNLOADS = [
    ("gpkg", None),
    ("xlsx", None),
    ("geojson", "proposed_sites"),
    ("geojson", "served_firms"),
    ("csv", "proposed_sites"),
    ("csv", "served_firms"),
    ("summary_html", None),
    ("summary_md", None),
]

t = translator()

st.header(t("page_export"))


@st.cache_data(show_spinner=False, max_entries=32)
def _export(_result, key: tuple, fmt: str, layer: str | None, lang: str) -> bytes:
    from planning.export import export_scenario

    if layer is None:
        return export_scenario(_result, fmt, language=lang)
    return export_scenario(_result, fmt, language=lang, layer=layer)


@st.cache_data(show_spinner=False, max_entries=8)
def _map_html(_data, _result, key: tuple, lang: str) -> bytes:
    m = maps.build_map(_data, scenario=_result, language=lang)
    return maps.standalone_html(m, title=f"InfraSite {_result.name}").encode("utf-8")


with guard():
    saved = saved_scenarios()
    if not saved:
        st.info(t("no_scenarios"))
    else:
        names = list(saved)
        pick = st.selectbox(t("export_pick"), names, index=len(names) - 1, key="ex_pick")
        lang = st.radio(
            t("export_language"),
            list(LANGUAGES),
            index=list(LANGUAGES).index(language()),
            format_func=LANGUAGES.__getitem__,
            horizontal=True,
            key="ex_lang",
        )
        result = saved[pick]
        key = (*scenario_key(pick), *data_key())
        cols = st.columns(4)
        for i, (fmt, layer) in enumerate(DOWNLOADS):
            label = t(f"export_fmt_{fmt}")
            if layer is not None:
                label = f"{label} · {t(f'layer_{layer}')}"
            with cols[i % 4], guard():
                st.download_button(
                    t("download", what=label),
                    partial(_export, result, key, fmt, layer, lang),  # built on click
                    file_name=export_filename(result, fmt, layer=layer),
                    mime=MIME[fmt],
                    key=f"dl_{fmt}" if layer is None else f"dl_{fmt}_{layer}",
                )
        st.download_button(
            t("download", what=t("export_map")),
            partial(_map_html, current_data(), result, key, lang),
            file_name=export_filename(result, "summary_html").replace("_summary", "_map"),
            mime="text/html",
            key="dl_map",
        )
        from views.report_button import report_buttons

        report_buttons([result])
        st.caption(t("internal_use"))
