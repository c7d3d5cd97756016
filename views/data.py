"""Data: choose the demo city or upload your own layers; templates to fill in."""

import streamlit as st

import geodata
from geodata.demo import list_demos
from geodata.templates import layer_template
from views.common import current_data, data_caption, guard, kind_label, show_problems
from views.i18n import LANGUAGES, language, t

CRS_CHOICES = {
    "wgs84": "WGS84 / CGCS2000",
    "gcj02": "GCJ-02 (AMap, Tencent)",
    "bd09": "BD-09 (Baidu)",
}

st.header(t("page_data"))
state = st.session_state

with guard():
    c1, c2 = st.columns(2)
    c1.radio(
        t("data_source"),
        ["demo", "uploaded"],
        format_func=lambda v: t(f"source_{v}"),
        horizontal=True,
        key="data_source",
    )
    demos = list_demos()
    c2.selectbox(t("demo_city"), demos, key="demo_name")
    st.checkbox(t("fill_from_demo"), key="fill_from_demo")

    st.subheader(t("upload_header"))
    with st.form("upload_form", clear_on_submit=False):
        c1, c2 = st.columns(2)
        kind = c1.selectbox(t("layer_kind"), list(geodata.KINDS), format_func=kind_label)
        crs = c2.selectbox(t("layer_crs"), list(CRS_CHOICES), format_func=CRS_CHOICES.__getitem__)
        upload = st.file_uploader(
            t("upload_file"), type=["csv", "xlsx", "geojson", "json", "gpkg", "zip"]
        )
        submitted = st.form_submit_button(t("load_layer"), type="primary")
    if submitted and upload is not None:
        try:
            layer = geodata.read_layer(upload, kind, crs=crs)
        except geodata.DataError as exc:
            show_problems(exc)
        else:
            state["uploads"] = {**state.get("uploads", {}), kind: layer}
            state["upload_version"] = state.get("upload_version", 0) + 1
            state["data_source"] = "uploaded"
            st.success(t("layer_loaded", kind=kind_label(kind), n=len(layer)))

    uploads = state.get("uploads", {})
    st.markdown(f"**{t('uploaded_layers')}**")
    if uploads:
        st.write({kind_label(k): len(v) for k, v in uploads.items()})
        if st.button(t("clear_uploads"), key="clear_uploads"):
            state["uploads"] = {}
            state["upload_version"] = state.get("upload_version", 0) + 1
            st.rerun()
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
                    t("template_download", kind=kind_label(k), fmt=fmt.upper()),
                    layer_template(k, language=tlang, fmt=fmt),
                    file_name=f"template_{k}_{tlang}.{fmt}",
                    key=f"tpl_{k}_{fmt}",
                )

    st.subheader(t("layers_summary"))
    data = current_data()
    data_caption(data)
    st.dataframe(data.summary(), hide_index=True)
