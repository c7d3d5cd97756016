"""Download buttons for the printable Word reports of one scenario or a comparison."""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from views.common import current_data, data_key, guard
from views.i18n import language, translator
from views.saved import scenario_key


@st.cache_data(show_spinner=False, max_entries=16)
def _report(_results: list[Any], _data: Any, key: tuple[Any, ...], lang: str) -> bytes:
    from planning.report import comparison_report, scenario_report

    if len(_results) == 1:
        return scenario_report(_results[0], _data, language=lang)
    return comparison_report(_results, _data, language=lang)


def report_buttons(results: list[Any], *, compare: bool = False) -> None:
    """Show the report download button for ``results`` (one scenario or several)."""
    t = translator()
    lang = language()
    st.subheader(t("report_header"))
    st.caption(t("report_help"))
    key = (
        *data_key(),
        tuple(scenario_key(r.name) for r in results),
        lang,
    )
    with guard():
        data = current_data()
        stem = "_vs_".join(str(r.name) for r in results)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem) or "report"
        st.download_button(
            t("report_compare") if compare else t("report_one"),
            partial(_report, results, data, key, lang),  # written when clicked
            file_name=f"{safe}_report.docx",
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            key="dl_report_compare" if compare else "dl_report",
            icon=":material/description:",
        )
