"""Export: a scenario's sites and served firms, the offline map, a one-page summary."""

import re

import streamlit as st

from planning import maps
from views.common import current_data, guard
from views.common import scenarios as saved_scenarios
from views.i18n import LANGUAGES, language, translator

FORMATS = {
    "gpkg": ("gpkg", "application/geopackage+sqlite3"),
    "geojson": ("geojson", "application/geo+json"),
    "csv": ("csv", "text/csv"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "summary_html": ("html", "text/html"),
    "summary_md": ("md", "text/markdown"),
}

t = translator()

st.header(t("page_export"))


@st.cache_data(show_spinner=False, max_entries=32)
def _export(_result, key: tuple, fmt: str, lang: str) -> bytes:
    from planning.export import export_scenario

    return export_scenario(_result, fmt, language=lang)


@st.cache_data(show_spinner=False, max_entries=8)
def _map_html(_data, _result, key: tuple, lang: str) -> bytes:
    m = maps.build_map(_data, scenario=_result, language=lang)
    return maps.standalone_html(m, title=f"InfraSite {key[0]}").encode("utf-8")


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
        key = (pick, id(result))
        stem = re.sub(r"[^\w\-]+", "_", pick) or "scenario"
        cols = st.columns(3)
        for i, (fmt, (ext, mime)) in enumerate(FORMATS.items()):
            label = t(f"export_fmt_{fmt}")
            with cols[i % 3], guard():
                st.download_button(
                    t("download", what=label),
                    _export(result, key, fmt, lang),
                    file_name=f"infrasite_{stem}.{ext}"
                    if not fmt.startswith("summary")
                    else f"infrasite_{stem}_summary.{ext}",
                    mime=mime,
                    key=f"dl_{fmt}",
                )
        st.download_button(
            t("download", what=t("export_map")),
            _map_html(current_data(), result, key, lang),
            file_name=f"infrasite_{stem}_map.html",
            mime="text/html",
            key="dl_map",
        )
        st.caption(t("internal_use"))
