"""Shared state, cached computations and error handling for the app's pages.

Pages only wire widgets to ``planning`` / ``geodata`` calls; what they share
lives here: the current :class:`geodata.PlanningData` (demo or uploaded),
cached indicators, the saved scenarios and the map renderer.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import geodata
from views.i18n import LANGUAGES, language, t, text_in, translator

APP_DIR = Path(__file__).resolve().parent.parent
STATIC_VENDOR = APP_DIR / "static" / "vendor"
STATIC_URL = "/app/static/vendor"
STATIC_MAP_DATA = APP_DIR / "static" / "mapdata"
STATIC_MAP_DATA_URL = "/app/static/mapdata"


# --------------------------------------------------------------------------- session


def init_session() -> None:
    """Set the session defaults once and draw the sidebar language switch.

    The language comes from ``?lang=`` on a fresh session and is written back
    to the address bar, so a reload or a bookmark keeps it.
    """
    state = st.session_state
    if "language" not in state:
        asked = st.query_params.get("lang", "zh")
        state["language"] = asked if asked in LANGUAGES else "zh"
    state.setdefault("uploads", {})
    state.setdefault("scenarios", {})
    state.setdefault("session_token", uuid.uuid4().hex)
    st.sidebar.radio(
        "语言 / Language",
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key="language",
        horizontal=True,
        on_change=_keep_widget_values,
    )
    if st.query_params.get("lang") != state["language"]:
        st.query_params["lang"] = state["language"]


_NOT_SETTABLE = (
    "FormSubmitter:", "dl_", "tpl_", "w_upload", "$$", "pj_do_", "pj_import", "sm_do_", "conflict_",
    "prog_upload",
)  # fmt: skip


def _keep_widget_values() -> None:
    """Keep every widget's value when the language changes.

    Choice widgets remember the *label* the browser showed; once the labels
    change language that label matches no option and the widget would show
    nothing selected. Writing each value back (it is still the option, not
    the label) makes the next run show the same choice in the new language.
    """
    state = st.session_state
    for key in list(state.keys()):
        name = str(key)
        if name == "language" or name.startswith(_NOT_SETTABLE):
            continue
        with contextlib.suppress(Exception):
            state[name] = state[name]


def log_run_time(page: str, seconds: float) -> None:
    """Append one line (time, session, page, seconds) to ``INFRASITE_RUN_LOG`` if it is set.

    A server operator (and the load test) reads how long each page's script
    ran on the server, apart from the time browsers take to draw it.
    """
    path = os.environ.get("INFRASITE_RUN_LOG", "").strip()
    if not path:
        return
    token = st.session_state.get("session_token", "")
    line = f"{time.time():.3f}\t{token}\t{page}\t{seconds:.4f}\n"
    with open(path, "a", encoding="utf-8") as out:
        out.write(line)


# --------------------------------------------------------------------------- projects


@st.cache_resource(show_spinner=False, max_entries=8)
def _workspace(location: str) -> Any:
    from planning.workspace import open_workspace

    return open_workspace(location)


def workspace() -> Any:
    """Return the workspace of projects (shared by every session of this server).

    Its location is :func:`planning.workspace.default_location`: the team
    server in ``INFRASITE_DATABASE_URL``, else the folder ``INFRASITE_HOME``,
    else the user data folder.
    """
    from planning.workspace import default_location

    return _workspace(default_location())


def _project_name() -> str | None:
    """Settle which project this session works in; create one from the demo on first start."""
    state = st.session_state
    ws = workspace()
    names = ws.projects()
    asked = st.query_params.get("project")
    current = state.get("project")
    if asked and asked != current:
        if asked in names:
            current = asked
        else:
            state["project_notice"] = ("project_missing", asked)
            current = None
    if current not in names:
        current = names[0] if names else None
    if current is None:
        current = t("project_first")
        with contextlib.suppress(FileExistsError):  # another session created it first
            ws.create_project(current, demo_data("chaoyang"))
    state["project"] = current
    if st.query_params.get("project") != current:
        st.query_params["project"] = current
    return current


def begin_run() -> None:
    """Start a script run: the open project is checked against the store once per run."""
    st.session_state["_project_checked"] = False
    st.session_state["_run_memo"] = {}
    st.session_state["_conflict_shown"] = False


def _per_run(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """Return ``compute()`` once per script run and ``key`` (a project version in the key)."""
    memo: dict[tuple[Any, ...], Any] = st.session_state.setdefault("_run_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def current_project() -> Any:
    """Return this session's open :class:`planning.workspace.Project`.

    The project named by ``?project=`` (else the first one; on a first start
    a copy of the demo city). When someone else changed it since this
    session last read it, it is read again and what they changed is kept in
    ``st.session_state["others_changes"]`` for the sidebar to show.
    """
    state = st.session_state
    project = state.get("project_obj")
    if project is not None and state.get("_project_checked"):
        return project
    name = _project_name()
    if project is None or project.name != name:
        project = workspace().project(name, user=user_name())
        state["project_obj"] = project
        state["others_changes"] = []
    elif project.stored_version() > project.version:
        state["others_changes"] = project.changes_by_others()
        project.reload()
    state["_project_checked"] = True
    return project


def user_name() -> str:
    """Return who this session's saves are recorded as (``?user=``, else the server login)."""
    asked = str(st.query_params.get("user", "")).strip()
    return asked or str(workspace().user)


def open_project(name: str) -> None:
    """Switch this session to project ``name`` (the address bar follows)."""
    state = st.session_state
    state["project"] = name
    state.pop("project_obj", None)
    state["others_changes"] = []
    st.query_params["project"] = name


def reload_project() -> None:
    """Forget this session's copy of the project so the next run reads it again."""
    st.session_state.pop("project_obj", None)


def data_key() -> tuple[Any, ...]:
    """Return a key that changes whenever the current data changes."""
    project = current_project()
    where = workspace().location
    key = ("data_version", project.name, project.version)
    version = _per_run(key, lambda: project.data_version)
    return ("project", where, project.name, str(project.created), version)


@st.cache_resource(show_spinner=False, max_entries=4)
def demo_data(name: str) -> geodata.PlanningData:
    """Return demo city ``name`` (read once per server; a template, never written)."""
    from geodata import demo

    return demo.load_demo(name)


def current_data() -> geodata.PlanningData:
    """Return the planning data of the open project."""
    data: geodata.PlanningData = current_project().data
    return data


def data_caption(data: geodata.PlanningData) -> None:
    """Show which data is loaded and, for synthetic layers, say so."""
    from views.labels import note_text

    st.caption(t("dataset", name=data.name))
    synthetic = [p for p in data.provenance.values() if p.synthetic]
    if synthetic:
        st.info(t("synthetic_note"))
        prov = synthetic[0]
        lang = language()
        st.caption(
            t(
                "provenance_line",
                source=note_text(prov.source, lang),
                licence=note_text(prov.licence, lang),
            )
        )


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


@st.cache_resource(show_spinner=False, max_entries=48)
def _map_payload(key: tuple[Any, ...], _build: Callable[[], Any]) -> dict[str, Any]:
    """Build and render a folium map once per ``key``, for every session.

    ``key`` must name everything the map depends on (data version, filters,
    language, scenario); the result holds the strings ``st_folium`` sends to
    the browser, so identical maps are byte-identical across reruns and users.
    The big point layers are written once as static files the map fetches, so
    a rerun sends the browser only the map's script, not its data.
    """
    from streamlit_folium import _get_header, _get_html, _get_map_string, get_full_id

    from planning.maps import serve_point_rows, use_static_assets

    m = use_static_assets(_build(), base_url=static_assets())
    data_files = serve_point_rows(m, STATIC_MAP_DATA, base_url=STATIC_MAP_DATA_URL)
    m.get_root().render()
    m.render()
    html = _get_html(m)
    header = _get_header(m)
    leaflet = _get_map_string(m)
    css: list[str] = []
    js: list[str] = []
    stack = [m]
    while stack:
        element = stack.pop(0)
        css += [href for _, href in getattr(element, "default_css", [])]
        js += [src for _, src in getattr(element, "default_js", [])]
        stack += list(getattr(element, "_children", {}).values())
    bounds = m.get_bounds()  # walks every feature's coordinates: once
    (s, w), (n, e) = bounds if bounds[0][0] is not None else ((0, 0), (0, 0))
    return {
        "script": leaflet,
        "header": header,
        "html": html,
        "id": get_full_id(m),
        "css_links": list(dict.fromkeys(css)),
        "js_links": list(dict.fromkeys(js)),
        "bounds": {"_southWest": {"lat": s, "lng": w}, "_northEast": {"lat": n, "lng": e}},
        "zoom": m.options.get("zoom"),
        "data_files": data_files,
        "lock": threading.Lock(),
    }


def show_map(
    build: Callable[[], Any],
    *,
    cache_key: tuple[Any, ...],
    key: str,
    height: int = 620,
    clicks: bool = False,
) -> dict[str, Any] | None:
    """Show a folium map built once per ``cache_key`` and shared by every session.

    ``build`` returns the :func:`planning.maps.build_map` result; it runs only
    when no session has drawn this map yet. Assets are served locally (no
    CDN); pans and zooms never rerun the script. With ``clicks`` the last
    clicked feature's position is returned (``{"lat": ..., "lng": ...}``).
    """
    from streamlit_folium import _component_func, generate_js_hash

    from planning.maps import ensure_point_rows

    payload = _map_payload(cache_key, build)
    ensure_point_rows(STATIC_MAP_DATA, payload["data_files"])
    returned = ["last_object_clicked"] if clicks else []
    defaults = {"last_object_clicked": None} if clicks else {}
    hash_key = generate_js_hash(payload["script"], key, False)

    def _on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    value = _component_func(
        script=payload["script"],
        header=payload["header"],
        html=payload["html"],
        id=payload["id"],
        key=hash_key,
        height=height,
        width=None,
        returned_objects=returned,
        default=defaults,
        zoom=None,
        center=None,
        feature_group=None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=payload["css_links"],
        js_links=payload["js_links"],
        on_change=_on_change,
        wrap_longitude=False,
    )
    if not clicks or not isinstance(value, dict):
        return None
    clicked = value.get("last_object_clicked")
    return clicked if isinstance(clicked, dict) else None


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


def table(
    frame: Any,
    *,
    percent: Any = (),
    decimals: Any = None,
    cache_key: tuple[Any, ...] | None = None,
    **kwargs: Any,
) -> None:
    """Show a table as users read it: headers, category values and rows in their language.

    Shares (``share*``, ``gap``) and the columns in ``percent`` are shown as
    percentages, ``change`` as percentage points; other numbers are rounded
    (whole numbers without decimals, the rest to one decimal, or to
    ``decimals[column]`` places for the columns named there).

    With ``cache_key`` (naming everything the table depends on, e.g. the data
    version and filters), ``frame`` may be a function returning the table: it
    is computed and labelled once per key and language for every session.
    """
    lang = language()
    percent = tuple(percent)
    decimals = tuple(sorted((decimals or {}).items()))
    if cache_key is None:
        shown, config = _table_view(frame() if callable(frame) else frame, percent, decimals, lang)
    else:
        shown, config = _shared_table_view(cache_key, percent, decimals, lang, frame)
    st.dataframe(shown, column_config=config, **kwargs)


@st.cache_data(show_spinner=False, max_entries=128)
def _shared_table_view(
    key: tuple[Any, ...],
    percent: tuple[Any, ...],
    decimals: tuple[Any, ...],
    lang: str,
    _frame: Any,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    return _table_view(_frame() if callable(_frame) else _frame, percent, decimals, lang)


def _table_view(
    frame: Any, percent: tuple[Any, ...], decimals: tuple[Any, ...], lang: str
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Return the labelled table and its column formats."""
    import pandas as pd

    from views.i18n import row_label
    from views.labels import display_frame, header

    frame = pd.DataFrame(frame)
    places = dict(decimals)
    shown = display_frame(frame, lang).rename(index=lambda v: row_label(v, lang))
    names = [n for n in shown.index.names if n is not None]
    if names:
        shown = shown.rename_axis(index=[header(n, lang) if n else n for n in shown.index.names])
    config: dict[str, Any] = {}
    for column in frame.columns:
        label = header(column, lang)
        name = str(column)
        values = frame[column]
        if name.startswith("share") or name == "gap" or column in set(percent):
            config[label] = st.column_config.NumberColumn(format="percent")
        elif name == "change":
            config[label] = st.column_config.NumberColumn(format=text_in(lang, "points_format"))
            shown[label] = (values * 100).round(1).to_numpy()
        elif column in places:
            config[label] = st.column_config.NumberColumn(format=f"%.{int(places[column])}f")
        elif pd.api.types.is_float_dtype(values):
            whole = bool(((values.dropna() % 1) == 0).all())
            config[label] = st.column_config.NumberColumn(format="%.0f" if whole else "%.1f")
    return shown, config


@st.cache_data(show_spinner=False, max_entries=64)
def shared(key: tuple[Any, ...], _compute: Callable[[], Any]) -> Any:
    """Return ``_compute()`` once per ``key`` for every session (``key`` names its inputs)."""
    return _compute()


# --------------------------------------------------------------------------- errors


def problems_table(error: geodata.DataError, lang: str | None = None) -> pd.DataFrame:
    """Return a DataError's problems as the page shows them, in ``lang`` (default: the session's).

    Messages are rendered in the interface language and rows are numbered as
    the planner's spreadsheet shows them (the header is line 1).
    """
    lang = lang or language()
    frame = error.to_frame(language=lang, lines=True).drop(columns="row")
    frame["line"] = frame["line"].astype("Int64")
    return frame.rename(columns={c: text_in(lang, f"problem_{c}") for c in frame.columns})


def show_problems(error: geodata.DataError) -> None:
    """Show a DataError as a table of problems, in the interface language, by spreadsheet line."""
    st.error(t("error_data"))
    st.dataframe(problems_table(error), hide_index=True)


def show_warnings(warnings: list[geodata.Problem]) -> None:
    """Show what a loaded layer's reader warns about (plausibility, what was done for the user)."""
    if not warnings:
        return
    lang = language()
    lines = []
    for w in warnings:
        message = w.text(lang)
        if w.line is not None:
            message = text_in(lang, "warning_line", line=w.line, message=message)
        lines.append(f"- {message}")
    st.warning(t("load_warnings") + "\n\n" + "\n".join(lines))


_CALLBACK_ERROR = "_callback_error"


def safe(callback: Callable[..., Any]) -> Callable[..., None]:
    """Return ``callback`` for a widget's ``on_click``/``on_change``, its errors kept.

    Streamlit runs callbacks before the script, outside any :func:`guard`, so
    an error there would reach the user as a traceback; this keeps it for the
    run's first :func:`guard` to show as a message.
    """

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            callback(*args, **kwargs)
        except Exception as exc:
            st.session_state[_CALLBACK_ERROR] = exc

    return run


def _show_error(exc: BaseException) -> None:
    from planning.workspace import ConflictError

    if isinstance(exc, geodata.DataError):
        show_problems(exc)
    elif isinstance(exc, ConflictError):
        st.warning(t("project_conflict", message=str(exc)))
        if not st.session_state.get("_conflict_shown"):
            st.session_state["_conflict_shown"] = True
            st.button(t("project_reload"), key="conflict_reload", on_click=safe(reload_project))
    elif isinstance(exc, KeyError) and exc.args:
        st.error(t("error_generic", message=str(exc.args[0])))
    else:
        st.error(t("error_generic", message=str(exc) or type(exc).__name__))


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Turn errors into messages: a problems table for bad data, never a traceback.

    A save that lost a race with someone else's (:class:`ConflictError`)
    says who changed what and offers to reload the project. An error kept
    by a :func:`safe` callback is shown first.
    """
    pending = st.session_state.pop(_CALLBACK_ERROR, None)
    if pending is not None:
        _show_error(pending)
    try:
        yield
    except Exception as exc:
        _show_error(exc)
