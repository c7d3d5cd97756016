"""About: what the tool does and where its data comes from."""

import streamlit as st

from views.common import current_data, guard, table
from views.i18n import translator

t = translator()

st.header(t("page_about"))
st.write(t("about_text"))
st.caption(t("internal_use"))

with guard():
    data = current_data()
    st.subheader(t("about_sources"))
    table(data.summary(), hide_index=True)
    if any(p.synthetic for p in data.provenance.values()):
        st.info(t("synthetic_note"))
