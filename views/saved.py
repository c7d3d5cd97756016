"""Saved scenarios and record versions, read once and shared by every session.

A saved scenario is read from the store once per saved version, and what is
drawn from it (its map, export and report) is keyed by that version, so
every planner looking at it shares one copy. Work that several sessions may
start at the same instant (the same scenario run) is done once with
:func:`shared_once`, the others waiting for its answer.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from views.common import _per_run, current_project, workspace


@st.cache_resource(show_spinner=False, max_entries=256)
def _saved_result(location: str, project: str, name: str, stamp: int, _project: Any) -> Any:
    """Read one saved scenario once per version, for every session."""
    return _project.load_scenario(name)


def scenarios() -> dict[str, Any]:
    """Return the open project's saved scenarios, by name, in the order they were saved.

    A copy is kept in ``st.session_state["scenarios"]``.
    """
    project = current_project()
    return dict(_per_run(("scenarios", project.name, project.version), lambda: _load_all(project)))


def _target_versions(project: Any) -> tuple[Any, int]:
    """Return the latest version per history target and of the last rename, once per run."""

    def compute() -> tuple[Any, int]:
        history = project.history()
        renamed = history.loc[history["action"] == "rename_scenario", "version"]
        return history.groupby("target")["version"].max(), int(renamed.max()) if len(renamed) else 0

    return _per_run(("target_versions", project.name, project.version), compute)


def tables_version() -> tuple[Any, ...]:
    """Return a key that changes when the open project's record tables or data change.

    Saving a scenario leaves it as it is, so what is drawn from the records
    (the programme page) is shared across scenario saves and sessions.
    """
    project = current_project()
    stamps, _ = _target_versions(project)
    mine = [int(v) for k, v in stamps.items() if k == "data" or str(k).startswith("table:")]
    return (workspace().location, project.name, str(project.created), max(mine, default=0))


def _scenario_versions(project: Any) -> dict[str, int]:
    """Return each saved scenario's version (a rename counts for all), once per run."""

    def compute() -> dict[str, int]:
        stamps, last_rename = _target_versions(project)
        return {
            name: max(int(stamps.get(f"scenario:{name}", 0)), last_rename)
            for name in project.scenarios()
        }

    return _per_run(("scenario_versions", project.name, project.version), compute)


def _load_all(project: Any) -> dict[str, Any]:
    location = workspace().location
    saved = {
        name: _saved_result(location, project.name, name, version, project)
        for name, version in _scenario_versions(project).items()
    }
    st.session_state["scenarios"] = saved
    return saved


def scenario_key(name: str) -> tuple[Any, ...]:
    """Return a key naming saved scenario ``name`` as it is now, the same in every session.

    With :func:`data_key`, it keys what is drawn from the scenario (its map,
    its report) so that every planner looking at it shares one copy.
    """
    return ("saved_scenario", name, _scenario_versions(current_project()).get(name))


@st.cache_resource(show_spinner=False)
def _once_registry() -> dict[str, Any]:
    return {"lock": threading.Lock(), "values": OrderedDict(), "running": {}}


def shared_once(
    key: Hashable,
    compute: Callable[[], Any],
    *,
    max_entries: int = 32,
    keep: Callable[[Any], bool] | None = None,
    brief_seconds: float = 120.0,
) -> Any:
    """Return ``compute()``, computed once per ``key`` for every session.

    A session asking for a ``key`` that another session is computing waits
    for that answer instead of computing it again. Unlike Streamlit's caches,
    ``compute`` may draw on the page (a progress bar): nothing is replayed.
    A failed ``compute`` is not kept, and the next caller tries again. An
    answer for which ``keep`` says False (an answer a rerun might better,
    such as a solve stopped by its time limit) is shared only for
    ``brief_seconds``, with those asking at about the same time.
    """
    registry = _once_registry()
    values: OrderedDict[Hashable, tuple[Any, float]] = registry["values"]

    def _known() -> tuple[bool, Any]:
        if key in values:
            value, until = values[key]
            if time.monotonic() <= until:
                values.move_to_end(key)
                return True, value
            del values[key]
        return False, None

    with registry["lock"]:
        found, value = _known()
        if found:
            return value
        running = registry["running"].setdefault(key, threading.Lock())
    with running:
        with registry["lock"]:
            found, value = _known()
            if found:
                return value
        try:
            value = compute()
        finally:
            with registry["lock"]:
                registry["running"].pop(key, None)
        lasting = keep is None or keep(value)
        with registry["lock"]:
            values[key] = (value, math.inf if lasting else time.monotonic() + brief_seconds)
            while len(values) > max_entries:
                values.popitem(last=False)
    return value
