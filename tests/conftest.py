"""Shared fixtures: a private INFRASITE_HOME per test, a throwaway PostGIS server, the browser."""

from __future__ import annotations

import pytest

# The browser tests' fixtures, shared by every browser test module.
from browser_support import app_page, app_url, chromium  # noqa: F401


@pytest.fixture(autouse=True)
def _infrasite_home(tmp_path_factory, monkeypatch):
    """Keep projects out of the user's real data folder (and off any team server)."""
    home = tmp_path_factory.mktemp("infrasite_home")
    monkeypatch.setenv("INFRASITE_HOME", str(home))
    monkeypatch.delenv("INFRASITE_DATABASE_URL", raising=False)
    return home


@pytest.fixture
def fresh_streamlit_caches():
    """Empty Streamlit's caches before and after an app test (AppTest shares the process)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def postgis_server(request):
    """A PostgreSQL + PostGIS server on 127.0.0.1, started once and stopped at the end."""
    import pg_server

    server = pg_server.start()
    request.addfinalizer(lambda: pg_server.stop(server))
    return server
