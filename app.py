"""InfraSite: siting 5G base stations and EV charging stations (Streamlit entry point)."""

import streamlit as st

import geodata

st.set_page_config(page_title="InfraSite", layout="wide")
st.title("InfraSite")
st.write("Planning data layers:", list(geodata.KINDS))
