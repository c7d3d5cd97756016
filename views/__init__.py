"""Pages of the InfraSite Streamlit app (run with ``streamlit run app.py``)."""
