"""The sidebar's project picker: open, create, duplicate, rename and delete projects.

Drawn by ``app.py`` on every page; the work itself is done by
:mod:`planning.workspace` through the helpers in :mod:`views.common`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

import geodata
from geodata.demo import list_demos
from planning.workspace import free_name
from views.common import current_project, demo_data, open_project, safe, user_name, workspace
from views.i18n import t


def _notice(key: str, **values: Any) -> None:
    st.session_state["project_notice"] = (key, values)


def _new_name(default: str) -> str | None:
    typed = str(st.session_state.get("pj_new_name", "")).strip()
    taken = workspace().projects()
    if typed:
        return None if typed in taken else typed
    return free_name(default, taken)


def _create(data: geodata.PlanningData | None) -> None:
    name = _new_name(t("project_first") if data is not None else t("project"))
    if name is None:
        _notice("project_name_bad")
        return
    if data is None:
        data = geodata.PlanningData(name=name)
    workspace().create_project(name, data, user=user_name())
    st.session_state["pj_new_name"] = ""
    open_project(name)
    _notice("project_created", name=name)


def _create_from_demo() -> None:
    _create(demo_data(str(st.session_state.get("pj_demo", "chaoyang"))))


def _create_empty() -> None:
    _create(None)


def _duplicate() -> None:
    source = st.session_state["project"]
    name = _new_name(source)
    if name is None:
        _notice("project_name_bad")
        return
    workspace().duplicate_project(source, name, user=user_name())
    st.session_state["pj_new_name"] = ""
    open_project(name)
    _notice("project_created", name=name)


def _rename() -> None:
    old = st.session_state["project"]
    new = str(st.session_state.get("pj_rename_to", "")).strip()
    if not new or new in workspace().projects():
        _notice("project_name_bad")
        return
    workspace().rename_project(old, new, user=user_name())
    st.session_state["pj_rename_to"] = ""
    open_project(new)
    _notice("project_renamed", name=new)


def _delete() -> None:
    name = st.session_state["project"]
    workspace().delete_project(name)
    st.session_state["pj_delete_ok"] = False
    st.session_state.pop("project", None)
    st.session_state.pop("project_obj", None)
    st.query_params.pop("project", None)
    _notice("project_deleted", name=name)


@st.cache_data(show_spinner=False, max_entries=4)
def _project_file(location: str, name: str, version: int) -> bytes:
    """Return the project as one GeoPackage (layers, scenarios, history), once per version."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="infrasite-export-") as tmp:
        path = workspace().export_project(name, Path(tmp) / "project.gpkg")
        return path.read_bytes()


def _import() -> None:
    import tempfile
    from pathlib import Path

    upload = st.session_state.get("pj_import_file")
    if upload is None:
        return
    with tempfile.TemporaryDirectory(prefix="infrasite-import-") as tmp:
        path = Path(tmp) / "project.gpkg"
        path.write_bytes(upload.getvalue())
        try:
            project = workspace().import_project(path, rename_if_taken=True, user=user_name())
            name = project.name
        except geodata.DataError as exc:
            st.session_state["project_notice"] = ("project_import_bad", {"error": str(exc)})
            return
    open_project(name)
    _notice("project_imported", name=name, file=upload.name)


def _switch() -> None:
    open_project(st.session_state["pj_pick"])


def _set_user() -> None:
    name = str(st.session_state.get("pj_user", "")).strip()
    if name:
        st.query_params["user"] = name
    else:
        st.query_params.pop("user", None)
    st.session_state.pop("project_obj", None)


def _action(action: str) -> str:
    """The history's action in the interface language (unknown actions as they are)."""
    label = t(f"action_{action}")
    return action.replace("_", " ") if label == f"action_{action}" else label


def _changes_text(changes: Any) -> str:
    rows = [
        f"{row.user} {_action(str(row.action))} {str(row.target).split(':', 1)[-1]}"
        for row in changes.itertuples()
    ]
    return "; ".join(rows[-5:])


def project_picker() -> None:
    """Draw the project picker in the sidebar; stop the page if no project can be opened."""
    side = st.sidebar
    try:
        project = current_project()
        names = workspace().projects()
    except (ConnectionError, OSError, geodata.DataError) as exc:
        side.error(t("project_unavailable", error=str(exc)))
        st.stop()
        return
    state = st.session_state
    if state.get("pj_pick") != project.name:
        state["pj_pick"] = project.name
    side.selectbox(
        t("project"), names, key="pj_pick", on_change=safe(_switch), help=t("project_help")
    )
    notice = state.pop("project_notice", None)
    if notice is not None:
        key, values = notice
        if isinstance(values, str):  # ("project_missing", asked)
            side.warning(t(key, name=values, opened=project.name))
        elif key == "project_name_bad":
            side.warning(t(key))
        elif key == "project_import_bad":
            side.error(t(key, **values))
        else:
            side.success(t(key, **values))
    changes = state.get("others_changes")
    if changes is not None and len(changes):
        side.info(t("project_changed", changes=_changes_text(changes)))
    with side.expander(t("project_manage"), icon=":material/folder_open:"):
        st.text_input(t("project_new_name"), key="pj_new_name")
        demos = list_demos()
        st.selectbox(t("demo_city"), demos, index=demos.index("chaoyang"), key="pj_demo")
        st.button(t("project_new_demo"), key="pj_do_new_demo", on_click=safe(_create_from_demo))
        st.button(t("project_new_empty"), key="pj_do_new_empty", on_click=safe(_create_empty))
        st.button(t("project_duplicate"), key="pj_do_duplicate", on_click=safe(_duplicate))
        st.divider()
        st.text_input(t("project_rename_to"), key="pj_rename_to")
        st.button(t("project_rename"), key="pj_do_rename", on_click=safe(_rename))
        st.divider()
        confirm = st.checkbox(t("project_delete_confirm", name=project.name), key="pj_delete_ok")
        st.button(
            t("project_delete"), key="pj_do_delete", on_click=safe(_delete), disabled=not confirm
        )
        st.divider()
        st.download_button(
            t("project_download"),
            partial(_project_file, workspace().location, project.name, project.stored_version()),
            file_name=f"{project.name}.gpkg",
            mime="application/geopackage+sqlite3",
            key="dl_project",
        )
        st.file_uploader(t("project_import"), type=["gpkg"], key="pj_import_file")
        st.button(t("project_import_go"), key="pj_do_import", on_click=safe(_import))
        st.divider()
        state.setdefault("pj_user", user_name())
        st.text_input(t("your_name"), key="pj_user", on_change=safe(_set_user))
        history = project.history().tail(8).iloc[::-1]
        st.caption(t("history"))
        for row in history.itertuples():
            at = row.at.tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M")
            st.caption(
                t(
                    "history_line",
                    at=at,
                    user=row.user,
                    action=_action(str(row.action)),
                    target=str(row.target).split(":", 1)[-1],
                )
            )
        st.caption(t("project_location", location=workspace().location))
