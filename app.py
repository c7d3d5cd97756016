"""InfraSite planner app: a thin router over the pages in ``views/``."""

import time
from pathlib import Path

import streamlit as st

from views.common import begin_run, init_session, log_run_time
from views.i18n import t
from views.project_picker import project_picker

started = time.perf_counter()
ICON = Path(__file__).parent / "static" / "infrasite.png"
st.set_page_config(page_title="InfraSite", page_icon=str(ICON), layout="wide")
begin_run()
init_session()
st.sidebar.title(t("app_title"))
project_picker()

_PAGES = [
    ("views/map_page.py", "page_map", "map", "map"),
    ("views/scenario.py", "page_scenario", "add_location_alt", "scenario"),
    ("views/firm.py", "page_firm", "person_search", "firm"),
    ("views/compare.py", "page_compare", "compare", "compare"),
    ("views/export.py", "page_export", "download", "export"),
    ("views/programme.py", "page_programme", "trending_up", "programme"),
    ("views/data.py", "page_data", "database", "data"),
    ("views/about.py", "page_about", "info", "about"),
]
pages = [
    st.Page(path, title=t(title), icon=f":material/{icon}:", url_path=url, default=url == "map")
    for path, title, icon, url in _PAGES
]
page = st.navigation(pages)
try:
    page.run()
finally:
    log_run_time(page.url_path or "map", time.perf_counter() - started)
