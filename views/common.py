"""Shared state, cached computations and error handling for the app's pages.

Pages only wire widgets to ``planning`` / ``geodata`` calls; what they share
lives here: the current :class:`geodata.PlanningData` (demo or uploaded),
cached indicators, the saved scenarios and the map renderer.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import streamlit as st

import geodata
from views.i18n import LANGUAGES, language, t, translator

APP_DIR = Path(__file__).resolve().parent.parent
STATIC_VENDOR = APP_DIR / "static" / "vendor"
STATIC_URL = "/app/static/vendor"


# --------------------------------------------------------------------------- session


def init_session() -> None:
    """Set the session defaults once and draw the sidebar language switch."""
    state = st.session_state
    state.setdefault("language", "zh")
    state.setdefault("data_source", "demo")
    state.setdefault("demo_name", "chaoyang")
    state.setdefault("uploads", {})
    state.setdefault("upload_version", 0)
    state.setdefault("fill_from_demo", False)
    state.setdefault("scenarios", {})
    st.sidebar.radio(
        "语言 / Language",
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key="language",
        horizontal=True,
    )


def data_key() -> tuple[Any, ...]:
    """Return a key that changes whenever the current data changes."""
    state = st.session_state
    if state.get("data_source") == "uploaded":
        return ("uploaded", state.get("upload_version", 0), bool(state.get("fill_from_demo")))
    return ("demo", state.get("demo_name", "chaoyang"))


@st.cache_resource(show_spinner=False, max_entries=4)
def _demo(name: str) -> geodata.PlanningData:
    from geodata import demo

    return demo.load_demo(name)


def current_data() -> geodata.PlanningData:
    """Return the planning data the pages work on (demo or uploaded)."""
    state = st.session_state
    if state.get("data_source") != "uploaded":
        return _demo(state.get("demo_name", "chaoyang"))
    layers = dict(state.get("uploads", {}))
    if state.get("fill_from_demo"):
        base = _demo(state.get("demo_name", "chaoyang"))
        return base.replace(name=f"{base.name}+uploaded", **layers)
    provenance = {
        kind: geodata.Provenance(source="uploaded file", licence="user data") for kind in layers
    }
    return geodata.PlanningData(name="uploaded", provenance=provenance, **layers)


def data_caption(data: geodata.PlanningData) -> None:
    """Show which data is loaded and, for synthetic layers, say so."""
    st.caption(t("dataset", name=data.name))
    synthetic = [p for p in data.provenance.values() if p.synthetic]
    if synthetic:
        st.info(t("synthetic_note"))
        prov = synthetic[0]
        if language() == "zh":
            text = f"合成数据; 生成方式: {prov.source}; 许可: {prov.licence}"
        else:
            text = prov.label()
        st.caption(t("provenance", text=text))


# --------------------------------------------------------------------------- cached work


@st.cache_data(show_spinner=False, max_entries=16)
def coverage(_data: geodata.PlanningData, key: tuple[Any, ...], charging_m: float) -> Any:
    """Return ``planning.indicators.coverage_status`` for the current data (cached by key)."""
    from planning import indicators

    return indicators.coverage_status(_data, charging_distance_m=charging_m)


@st.cache_resource(show_spinner=False)
def static_assets() -> str:
    """Write the map's Leaflet assets under ``static/vendor`` once; return their URL."""
    from planning.maps import install_assets

    install_assets(STATIC_VENDOR)
    return STATIC_URL


def show_map(m: Any, *, key: str, height: int = 620) -> None:
    """Render a folium map with locally served assets (no CDN, no reruns on pan)."""
    from streamlit_folium import st_folium

    from planning.maps import use_static_assets

    use_static_assets(m, base_url=static_assets())
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])


def scenarios() -> dict[str, Any]:
    """Return the scenarios saved in this session, by name."""
    saved: dict[str, Any] = st.session_state.setdefault("scenarios", {})
    return saved


def kind_labeller() -> Any:
    """Return a ``format_func`` giving layer-kind names in the current language."""
    tr = translator()
    return lambda kind: tr(f"kind_{kind}")


def category_labeller(field: str) -> Any:
    """Return a ``format_func`` giving category labels in the current language."""
    from planning.maps import _category_label

    lang = language()
    return lambda value: _category_label(field, value, lang)


def tianditu_default() -> str:
    """Return the Tianditu key from the environment or Streamlit secrets, or ``""``."""
    key = os.environ.get("TIANDITU_KEY", "")
    if key:
        return key
    try:
        return str(st.secrets.get("TIANDITU_KEY", ""))
    except Exception:  # no secrets file
        return ""


def table(frame: Any, *, percent: Any = (), **kwargs: Any) -> None:
    """Show a table with headers in the interface language (index names too).

    Shares (``share*``, ``change``, ``gap``) and the columns in ``percent``
    are shown as percentages.
    """
    from views.i18n import column_labels, row_label

    labels = column_labels(frame.columns)
    shown = frame.rename(columns=labels, index=row_label)
    names = [n for n in shown.index.names if n is not None]
    if names:
        shown = shown.rename_axis(index=column_labels(names))
    shares = [
        c
        for c in frame.columns
        if str(c).startswith("share") or c in ("change", "gap") or c in set(percent)
    ]
    config = {labels[c]: st.column_config.NumberColumn(format="percent") for c in shares}
    st.dataframe(shown, column_config=config, **kwargs)


# --------------------------------------------------------------------------- errors


def show_problems(error: geodata.DataError) -> None:
    """Show a DataError as a table of problems with row numbers."""
    st.error(t("error_data"))
    st.dataframe(error.to_frame(), hide_index=True)


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Turn errors into messages: a problems table for bad data, never a traceback."""
    try:
        yield
    except geodata.DataError as exc:
        show_problems(exc)
    except Exception as exc:
        st.error(t("error_generic", message=str(exc) or type(exc).__name__))
