"""Workspace and Project: the backend-independent API over a project store.

A :class:`Workspace` lists, creates, renames and deletes projects; a
:class:`Project` holds one project's planning data, saved scenarios, record
tables and settings. Every change goes through the store's ``apply`` in one
transaction that checks the project version this object last saw: when
someone else changed the same thing (or the data) since, it raises
:class:`ConflictError` naming who changed what, and nothing is written.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

import geodata

from ..scenarios import ScenarioResult
from ._changes import (
    HISTORY_COLUMNS,
    Change,
    ConflictError,
    ProjectDump,
    Seen,
    Store,
    check_name,
    conflicts,
    default_user,
    free_name,
    now,
)
from ._serialize import frame_to_bytes, record_to_result, renamed, result_to_record

_SAVE_ATTEMPTS = 20
"""How often a save without ``replace`` tries the next free name when others take it."""


class Project:
    """One planning project: data, scenarios, record tables, settings and history.

    Obtain it from :meth:`Workspace.project` or :meth:`Workspace.create_project`.
    ``version`` is the project version this object last read or wrote; saves
    based on an older version than a conflicting change raise
    :class:`ConflictError`.
    """

    def __init__(
        self,
        store: Store,
        name: str,
        *,
        user: str | None = None,
        shared: _SharedData | None = None,
    ) -> None:
        self._store = store
        self._user = user
        self._shared = shared
        self.name = name
        self._data: geodata.PlanningData | None = None
        self.reload()

    def __repr__(self) -> str:
        return f"Project({self.name!r}, version={self.version}, location={self._store.location!r})"

    def reload(self) -> Project:
        """Read the project again (its version, times and data); return self."""
        meta = self._store.meta(self.name)
        self.created = pd.Timestamp(meta["created"])
        self.modified = pd.Timestamp(meta["modified"])
        self._seen = Seen(int(meta["version"]))
        self._data = None
        return self

    @property
    def version(self) -> int:
        """The latest project version this object has read or written."""
        seen = self._seen
        return max([seen.loaded, *seen.targets.values(), *seen.mine])

    def stored_version(self) -> int:
        """Return the project's version as stored now (others' saves included)."""
        return int(self._store.meta(self.name)["version"])

    def changes_by_others(self) -> pd.DataFrame:
        """Return the history rows saved by other users since this object last read the project.

        Columns as :meth:`history`; empty when nobody else changed anything.
        """
        history = self.history()
        newer = history[history["version"] > self.version]
        if self._user is not None:
            newer = newer[newer["user"] != self._user]
        return newer.reset_index(drop=True)

    def _mark(self, target: str) -> None:
        """Record the current version as seen for ``target`` (call before reading it)."""
        version = int(self._store.meta(self.name)["version"])
        self._seen.targets[target] = max(version, self._seen.of(target))

    @property
    def data_version(self) -> int:
        """The project version of the last change to its planning data (as stored now)."""
        history = self._store.history(self.name)
        changed = [int(h["version"]) for h in history if h["target"] in ("data", "project")]
        return max(changed, default=0)

    @property
    def data(self) -> geodata.PlanningData:
        """The project's :class:`geodata.PlanningData` (read once, then kept).

        Projects opened from the same :class:`Workspace` share one copy of
        each version of the data; treat it as read-only and change it with
        :meth:`replace_data`.
        """
        if self._data is None:
            self._mark("data")
            if self._shared is None:
                self._data = self._store.load_data(self.name)
            else:
                key = (self.name, str(self.created), self.data_version)
                self._data = self._shared.get(key, lambda: self._store.load_data(self.name))
        return self._data

    # ------------------------------------------------------------------ changes

    def _apply(self, change: Change, user: str | None) -> None:
        at = now()
        who = user if user is not None else self._user
        version = self._store.apply(self.name, self._seen, change, who, at)
        self._seen.mine.add(version)
        self.modified = pd.Timestamp(at)

    def save_scenario(
        self, result: ScenarioResult, *, replace: bool = False, user: str | None = None
    ) -> str:
        """Save a scenario result; return the name it was saved under.

        Parameters
        ----------
        result
            A result of :func:`planning.scenarios.run_scenario`.
        replace
            Overwrite a saved scenario of the same name. When False and the
            name is taken, the result is saved under the first free name
            ``"<name> (2)"``, ``"<name> (3)"``, ...; nothing is overwritten.
        user
            Who saves, for the history (default: the workspace's user).

        Raises
        ------
        ConflictError
            If someone else changed the data since this project was read, or,
            with ``replace=True``, saved or removed this scenario name. Without
            ``replace``, a name someone else took meanwhile is skipped for the
            next free one.
        """
        if not isinstance(result, ScenarioResult):
            msg = f"result must be a ScenarioResult, got {type(result).__name__}"
            raise TypeError(msg)
        wanted = check_name(result.name, "scenario name")
        saved_by = user or self._user
        last: Exception | None = None
        for _ in range(_SAVE_ATTEMPTS):
            name = wanted if replace else free_name(wanted, self.scenarios())
            record = result_to_record(
                renamed(result, name) if name != result.name else result,
                saved=now(),
                saved_by=saved_by,
            )
            change = Change(
                "scenario", f"scenario:{name}", name=name, record=record, replace=replace
            )
            try:
                self._apply(change, user)
            except ConflictError as exc:
                # Someone saved a scenario of this very name meanwhile: when
                # nothing is to be overwritten, the next free name will do.
                if replace or any(row["target"] != change.target for row in exc.changes):
                    raise
                last = exc
            except ValueError as exc:
                if replace or name not in self.scenarios():
                    raise
                last = exc
            else:
                return name
        assert last is not None
        raise last

    def scenarios(self) -> list[str]:
        """Return the saved scenario names, in the order they were first saved."""
        return self._store.scenario_names(self.name)

    def load_scenario(self, name: str) -> ScenarioResult:
        """Return a saved scenario result.

        Raises
        ------
        KeyError
            If no scenario has that name.
        """
        self._mark(f"scenario:{name}")
        record = self._store.load_scenario(self.name, name)
        if record is None:
            msg = f"project {self.name!r} has no scenario {name!r}; saved: {self.scenarios()}"
            raise KeyError(msg)
        return record_to_result(record)

    def delete_scenario(self, name: str, *, user: str | None = None) -> None:
        """Delete a saved scenario.

        KeyError if there is none of that name; :class:`ConflictError` if
        someone else renamed or deleted it since this object last saw it.
        """
        change = Change("delete_scenario", f"scenario:{name}", name=name)
        if name not in self.scenarios():
            self._missing_scenario(name, change)
        self._apply(change, user)

    def rename_scenario(self, old: str, new: str, *, user: str | None = None) -> None:
        """Rename a saved scenario (KeyError: no ``old``; ValueError: ``new`` is taken)."""
        check_name(new, "new")
        names = self.scenarios()
        change = Change("rename_scenario", f"scenario:{old}", name=old, new_name=new)
        if old not in names:
            self._missing_scenario(old, change)
        if new in names:
            msg = f"new must be a free scenario name; {new!r} is already saved"
            raise ValueError(msg)
        self._apply(change, user)

    def _missing_scenario(self, name: str, change: Change) -> None:
        """Raise ConflictError if someone else removed ``name`` since we saw it, else KeyError."""
        clash = conflicts(change, self._store.history(self.name), self._seen)
        if clash:
            raise ConflictError(self.name, change.target, clash, self._seen.of(change.target))
        msg = f"project {self.name!r} has no scenario {name!r}"
        raise KeyError(msg)

    def replace_data(self, data: geodata.PlanningData, *, user: str | None = None) -> None:
        """Replace the project's planning data (saved scenarios keep their own tables)."""
        if not isinstance(data, geodata.PlanningData):
            msg = f"data must be a geodata.PlanningData, got {type(data).__name__}"
            raise TypeError(msg)
        self._apply(Change("data", "data", data=data), user)
        self._data = data

    def history(self) -> pd.DataFrame:
        """Return the change history: version, at (UTC), user, action, target."""
        frame = pd.DataFrame(self._store.history(self.name), columns=list(HISTORY_COLUMNS))
        frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601")
        return frame.sort_values("version", kind="stable").reset_index(drop=True)

    # ------------------------------------------------------------------ record tables

    def tables(self) -> list[str]:
        """Return the names of the saved record tables."""
        return self._store.table_names(self.name)

    def table(self, name: str) -> pd.DataFrame:
        """Return a saved record table as it was saved (dtypes and index kept).

        Raises
        ------
        KeyError
            If no table has that name.
        """
        from ._serialize import frame_from_bytes

        self._mark(f"table:{name}")
        blob = self._store.load_table(self.name, name)
        if blob is None:
            msg = f"project {self.name!r} has no table {name!r}; tables: {self.tables()}"
            raise KeyError(msg)
        return frame_from_bytes(blob)

    def save_table(self, name: str, frame: pd.DataFrame, *, user: str | None = None) -> None:
        """Save (or replace) a record table.

        Raises
        ------
        ConflictError
            If someone else saved this table since this project was read.
        """
        check_name(name, "name")
        if not isinstance(frame, pd.DataFrame):
            msg = f"frame must be a pandas DataFrame, got {type(frame).__name__}"
            raise TypeError(msg)
        self._apply(Change("table", f"table:{name}", name=name, blob=frame_to_bytes(frame)), user)

    # ------------------------------------------------------------------ settings

    @property
    def settings(self) -> dict[str, Any]:
        """The project's settings (a JSON-compatible dict; read fresh each time)."""
        self._mark("settings")
        value: dict[str, Any] = json.loads(self._store.settings(self.name))
        return value

    def save_settings(self, mapping: Mapping[str, Any], *, user: str | None = None) -> None:
        """Replace the project's settings with ``mapping`` (JSON-compatible values)."""
        if not isinstance(mapping, Mapping):
            msg = f"mapping must be a dict of settings, got {type(mapping).__name__}"
            raise TypeError(msg)
        try:
            text = json.dumps(dict(mapping), ensure_ascii=False)
        except TypeError as exc:
            msg = f"mapping must hold JSON-compatible values only: {exc}"
            raise ValueError(msg) from exc
        self._apply(Change("settings", "settings", text=text), user)


class _SharedData:
    """The last few versions of projects' planning data, shared by a workspace's projects."""

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str, int], geodata.PlanningData] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, key: tuple[str, str, int], load: Callable[[], geodata.PlanningData]
    ) -> geodata.PlanningData:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        data = load()
        with self._lock:
            self._items[key] = data
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return data


class Workspace:
    """A collection of projects in one folder (GeoPackage) or one PostGIS database.

    Projects opened from one workspace share the planning data they read
    (a few versions are kept), so an app serving many sessions reads each
    version once.
    """

    def __init__(self, store: Store, *, user: str | None = None) -> None:
        self._store = store
        self.user = user if user is not None else default_user()
        self._shared = _SharedData()

    @property
    def location(self) -> str:
        """The folder or the database URL (password masked)."""
        return self._store.location

    def __repr__(self) -> str:
        return f"Workspace({self.location!r})"

    def projects(self) -> list[str]:
        """Return the project names, sorted."""
        return sorted(self._store.names())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._store.names()

    def create_project(
        self, name: str, data: geodata.PlanningData, *, user: str | None = None
    ) -> Project:
        """Create a project holding ``data``.

        Raises
        ------
        FileExistsError
            If a project of that name exists.
        """
        check_name(name)
        if not isinstance(data, geodata.PlanningData):
            msg = f"data must be a geodata.PlanningData, got {type(data).__name__}"
            raise TypeError(msg)
        at = now()
        who = user if user is not None else self.user
        history = [{"version": 1, "at": at, "user": who, "action": "create", "target": "project"}]
        self._store.create(ProjectDump(name, data, at, at, 1, history=history))
        return Project(self._store, name, user=self.user, shared=self._shared)

    def project(self, name: str, *, user: str | None = None) -> Project:
        """Open a project (KeyError naming the projects there are, if absent).

        ``user`` is who the returned object's saves are recorded as (default:
        the workspace's user); an app serving several people passes each
        person's name.
        """
        if name not in self._store.names():
            msg = f"no project {name!r} in {self.location}; projects: {self.projects()}"
            raise KeyError(msg)
        who = user if user is not None else self.user
        return Project(self._store, name, user=who, shared=self._shared)

    def delete_project(self, name: str) -> None:
        """Delete a project and everything in it (KeyError if absent)."""
        if name not in self._store.names():
            msg = f"no project {name!r} in {self.location}"
            raise KeyError(msg)
        self._store.delete(name)

    def rename_project(self, old: str, new: str, *, user: str | None = None) -> None:
        """Rename a project (KeyError if ``old`` is absent, FileExistsError if ``new`` is taken)."""
        check_name(new, "new")
        names = self._store.names()
        if old not in names:
            msg = f"no project {old!r} in {self.location}"
            raise KeyError(msg)
        if new in names:
            msg = f"new must be a free project name; {new!r} exists in {self.location}"
            raise FileExistsError(msg)
        self._store.rename(old, new)
        meta = self._store.meta(new)
        change = Change("rename_project", "project", name=old, new_name=new)
        who = user if user is not None else self.user
        self._store.apply(new, Seen(int(meta["version"])), change, who, now())

    def duplicate_project(self, name: str, new: str, *, user: str | None = None) -> Project:
        """Copy a project with everything in it under a new name."""
        check_name(new, "new")
        if new in self._store.names():
            msg = f"new must be a free project name; {new!r} exists in {self.location}"
            raise FileExistsError(msg)
        dump = dump_project(self._store, name)
        return self._create_from_dump(dump, new, f"duplicate of {name}", user)

    def export_project(self, name: str, path: str | Path) -> Path:
        """Write a project (layers, scenarios, tables, settings, history) to one GeoPackage."""
        from ._gpkg_store import write_project_file

        if name not in self._store.names():
            msg = f"no project {name!r} in {self.location}"
            raise KeyError(msg)
        path = Path(path)
        write_project_file(path, dump_project(self._store, name))
        return path

    def import_project(
        self,
        path: str | Path,
        name: str | None = None,
        *,
        rename_if_taken: bool = False,
        user: str | None = None,
    ) -> Project:
        """Create a project from a GeoPackage written by :meth:`export_project`.

        Parameters
        ----------
        path
            The exported file.
        name
            Name of the new project; None uses the name stored in the file.
        rename_if_taken
            When the name is taken, import as ``"<name> (2)"``, ``"<name> (3)"``, ...
            instead of raising.

        Raises
        ------
        geodata.DataError
            If the file is not a complete exported project.
        FileExistsError
            If the project name is taken.
        """
        from ._gpkg_store import read_project_file

        dump = read_project_file(Path(path))
        new = check_name(name if name is not None else dump.name)
        taken = set(self._store.names())
        if rename_if_taken:
            new = free_name(new, taken)
        if new in taken:
            msg = f"name must be a free project name; {new!r} exists in {self.location}"
            raise FileExistsError(msg)
        return self._create_from_dump(dump, new, f"import of {Path(path).name}", user)

    def _create_from_dump(
        self, dump: ProjectDump, new: str, target: str, user: str | None
    ) -> Project:
        at = now()
        dump.name = new
        dump.version += 1
        dump.modified = at
        who = user if user is not None else self.user
        dump.history.append(
            {"version": dump.version, "at": at, "user": who, "action": "create", "target": target}
        )
        self._store.create(dump)
        return Project(self._store, new, user=self.user, shared=self._shared)


def dump_project(store: Store, name: str) -> ProjectDump:
    """Read everything in a project."""
    meta = store.meta(name)
    scenarios = []
    for scen in store.scenario_names(name):
        record = store.load_scenario(name, scen)
        if record is not None:
            scenarios.append(record)
    tables = {}
    for table in store.table_names(name):
        blob = store.load_table(name, table)
        if blob is not None:
            tables[table] = blob
    return ProjectDump(
        name=name,
        data=store.load_data(name),
        created=str(meta["created"]),
        modified=str(meta["modified"]),
        version=int(meta["version"]),
        scenarios=scenarios,
        tables=tables,
        settings=store.settings(name),
        history=store.history(name),
    )
