"""InfraSite planner app: a thin router over the pages in ``views/``."""

import streamlit as st

from views.common import init_session
from views.i18n import t

st.set_page_config(page_title="InfraSite", page_icon="📡", layout="wide")
init_session()
st.sidebar.title(t("app_title"))

pages = [
    st.Page("views/map_page.py", title=t("page_map"), icon="🗺️", default=True, url_path="map"),
    st.Page("views/scenario.py", title=t("page_scenario"), icon="📍", url_path="scenario"),
    st.Page("views/compare.py", title=t("page_compare"), icon="⚖️", url_path="compare"),
    st.Page("views/export.py", title=t("page_export"), icon="⬇️", url_path="export"),
    st.Page("views/programme.py", title=t("page_programme"), icon="📈", url_path="programme"),
    st.Page("views/data.py", title=t("page_data"), icon="🗂️", url_path="data"),
    st.Page("views/about.py", title=t("page_about"), icon="ℹ️", url_path="about"),
]
st.navigation(pages).run()
