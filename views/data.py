"""Data: the open project's layers; upload your own files into it; templates to fill in."""

from functools import partial

import streamlit as st

import geodata
from geodata.templates import layer_template
from views.common import (
    current_data,
    current_project,
    data_caption,
    guard,
    kind_labeller,
    safe,
    show_problems,
    show_warnings,
    table,
    user_name,
)
from views.i18n import LANGUAGES, language, translator

CRS_CHOICES = {
    "wgs84": "WGS84 / CGCS2000",
    "gcj02": "GCJ-02 (AMap, Tencent)",
    "bd09": "BD-09 (Baidu)",
}

t = translator()
kind_name = kind_labeller()

st.header(t("page_data"))
state = st.session_state


def _load_upload() -> None:
    """Read the uploaded file as a layer; save it into the project only if it has no problems."""
    upload = state.get("w_upload")
    state["upload_problems"] = None
    state["upload_message"] = None
    state["upload_warnings"] = []
    if upload is None:
        return
    kind = state["w_kind"]
    try:
        layer = geodata.read_layer(upload, kind, crs=state["w_crs"])
    except geodata.DataError as exc:
        state["upload_problems"] = exc
        return
    project = current_project()
    data = project.data
    provenance = {
        **data.provenance,
        kind: geodata.Provenance(
            source=f"uploaded file {upload.name}",
            licence="user data",
            datum=CRS_CHOICES[state["w_crs"]],
        ),
    }
    project.replace_data(data.replace(**{kind: layer}, provenance=provenance), user=user_name())
    state["uploads"] = {**state.get("uploads", {}), kind: layer}
    state["upload_message"] = (kind, len(layer), project.name)
    state["upload_warnings"] = list(layer.attrs.get("warnings", []))


with guard():
    project = current_project()
    st.caption(t("project_template_note", name=project.name))
    st.subheader(t("upload_header"))
    with st.form("upload_form", clear_on_submit=False):
        c1, c2 = st.columns(2)
        c1.selectbox(t("layer_kind"), list(geodata.KINDS), format_func=kind_name, key="w_kind")
        c2.selectbox(
            t("layer_crs"), list(CRS_CHOICES), format_func=CRS_CHOICES.__getitem__, key="w_crs"
        )
        st.file_uploader(
            t("upload_file"), type=["csv", "xlsx", "geojson", "json", "gpkg", "zip"], key="w_upload"
        )
        st.form_submit_button(t("load_layer"), type="primary", on_click=safe(_load_upload))
    if state.get("upload_problems") is not None:
        show_problems(state["upload_problems"])
    if state.get("upload_message"):
        kind, n, saved_in = state["upload_message"]
        st.success(t("layer_loaded", kind=kind_name(kind), n=n))
        st.caption(t("data_saved_project", project=saved_in))
        show_warnings(state.get("upload_warnings", []))

    st.subheader(t("templates"))
    tlang = st.radio(
        t("template_lang"),
        list(LANGUAGES),
        index=list(LANGUAGES).index(language()),
        format_func=LANGUAGES.__getitem__,
        horizontal=True,
        key="tpl_lang",
    )
    cols = st.columns(3)
    for i, k in enumerate(geodata.KINDS):
        with cols[i % 3]:
            for fmt in ("csv", "xlsx"):
                st.download_button(
                    t("template_download", kind=kind_name(k), fmt=fmt.upper()),
                    partial(layer_template, k, language=tlang, fmt=fmt),  # built on click
                    file_name=f"template_{k}_{tlang}.{fmt}",
                    key=f"tpl_{k}_{fmt}",
                )

    st.subheader(t("layers_summary"))
    data = current_data()
    data_caption(data)
    table(data.summary(), hide_index=True)
