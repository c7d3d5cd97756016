"""Data: choose the demo city or upload your own layers; templates to fill in."""

import streamlit as st

import geodata
from geodata.demo import list_demos
from geodata.templates import layer_template
from views.common import (
    current_data,
    data_caption,
    guard,
    kind_labeller,
    show_problems,
    show_warnings,
    table,
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


def _keep(target: str, widget: str) -> None:
    """Copy a widget's value to a session key that survives page switches."""
    state[target] = state[widget]


def _load_upload() -> None:
    """Read the uploaded file as a layer; keep it only if it has no problems."""
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
    state["uploads"] = {**state.get("uploads", {}), kind: layer}
    state["upload_version"] = state.get("upload_version", 0) + 1
    state["data_source"] = state["w_data_source"] = "uploaded"
    state["upload_message"] = (kind, len(layer))
    state["upload_warnings"] = list(layer.attrs.get("warnings", []))


def _clear_uploads() -> None:
    state["uploads"] = {}
    state["upload_version"] = state.get("upload_version", 0) + 1
    state["data_source"] = state["w_data_source"] = "demo"


with guard():
    c1, c2 = st.columns(2)
    sources = ["demo", "uploaded"]
    c1.radio(
        t("data_source"),
        sources,
        index=sources.index(state.get("data_source", "demo")),
        format_func=lambda v: t(f"source_{v}"),
        horizontal=True,
        key="w_data_source",
        on_change=_keep,
        args=("data_source", "w_data_source"),
    )
    demos = list_demos()
    current = state.get("demo_name", demos[0])
    c2.selectbox(
        t("demo_city"),
        demos,
        index=demos.index(current) if current in demos else 0,
        key="w_demo_name",
        on_change=_keep,
        args=("demo_name", "w_demo_name"),
    )
    st.checkbox(
        t("fill_from_demo"),
        value=bool(state.get("fill_from_demo")),
        key="w_fill_from_demo",
        on_change=_keep,
        args=("fill_from_demo", "w_fill_from_demo"),
    )

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
        st.form_submit_button(t("load_layer"), type="primary", on_click=_load_upload)
    if state.get("upload_problems") is not None:
        show_problems(state["upload_problems"])
    if state.get("upload_message"):
        kind, n = state["upload_message"]
        st.success(t("layer_loaded", kind=kind_name(kind), n=n))
        show_warnings(state.get("upload_warnings", []))

    uploads = state.get("uploads", {})
    st.markdown(f"**{t('uploaded_layers')}**")
    if uploads:
        st.write({kind_name(k): len(v) for k, v in uploads.items()})
        st.button(t("clear_uploads"), key="clear_uploads", on_click=_clear_uploads)
    else:
        st.caption(t("no_uploads"))

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
                    layer_template(k, language=tlang, fmt=fmt),
                    file_name=f"template_{k}_{tlang}.{fmt}",
                    key=f"tpl_{k}_{fmt}",
                )

    st.subheader(t("layers_summary"))
    data = current_data()
    data_caption(data)
    table(data.summary(), hide_index=True)
