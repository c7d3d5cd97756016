"""Changes, versions and conflicts: what every project store shares.

The store-independent pieces of a workspace: the change a save applies, the
versions a project object has seen, the conflict check, and the ``Store``
protocol both backends implement.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import geodata

from ._serialize import ScenarioRecord

HISTORY_COLUMNS = ("version", "at", "user", "action", "target")
"""Columns of :meth:`Project.history`."""

_NAME_MAX = 120


class ConflictError(RuntimeError):
    """A save that would overwrite a change made by someone else since the project was opened.

    Parameters
    ----------
    project
        Project name.
    target
        What this save wanted to change.
    changes
        The conflicting history rows (``version``, ``at``, ``user``,
        ``action``, ``target``), first one first.
    seen
        The project version the failed save was based on.
    """

    def __init__(self, project: str, target: str, changes: list[dict[str, Any]], seen: int):
        self.project = project
        self.target = target
        self.changes = changes
        self.seen = seen
        first = changes[0]
        who = first.get("user") or "someone"
        msg = (
            f"project {project!r}: {who} changed {first['target']!r} ({first['action']}) at "
            f"{first['at']} (version {first['version']}) after this copy was opened at version "
            f"{seen}; the save of {target!r} was not written. Reload the project and save again."
        )
        super().__init__(msg)


def free_name(name: str, taken: Any) -> str:
    """Return ``name``, or the first of ``"<name> (2)"``, ``"<name> (3)"``, ... not in ``taken``."""
    taken = set(taken)
    candidate, k = name, 2
    while candidate in taken:
        candidate, k = f"{name} ({k})", k + 1
    return candidate


@dataclass
class Change:
    """One change to a project, applied by a store in one transaction.

    ``op`` is one of ``"scenario"`` (put ``record``; ``replace`` allows an
    existing name), ``"delete_scenario"``, ``"rename_scenario"``, ``"data"``,
    ``"table"``, ``"settings"`` or ``"rename_project"``.
    """

    op: str
    target: str
    name: str = ""
    new_name: str = ""
    record: ScenarioRecord | None = None
    replace: bool = False
    data: geodata.PlanningData | None = None
    blob: bytes = b""
    text: str = ""

    def targets(self) -> set[str]:
        """Every history target this change touches."""
        out = {self.target}
        if self.op == "rename_scenario":
            out |= {f"scenario:{self.name}", f"scenario:{self.new_name}"}
        return out


@dataclass
class ProjectDump:
    """Everything in a project, for export, import and creation."""

    name: str
    data: geodata.PlanningData
    created: str
    modified: str
    version: int = 1
    scenarios: list[ScenarioRecord] = field(default_factory=list)
    tables: dict[str, bytes] = field(default_factory=dict)
    settings: str = "{}"
    history: list[dict[str, Any]] = field(default_factory=list)


class Store(Protocol):
    """What a backend provides (see ``_gpkg_store`` and ``_postgis_store``)."""

    location: str

    def names(self) -> list[str]: ...
    def create(self, dump: ProjectDump) -> None: ...
    def delete(self, name: str) -> None: ...
    def rename(self, old: str, new: str) -> None: ...
    def meta(self, name: str) -> dict[str, Any]: ...
    def load_data(self, name: str) -> geodata.PlanningData: ...
    def scenario_names(self, name: str) -> list[str]: ...
    def load_scenario(self, name: str, scenario: str) -> ScenarioRecord | None: ...
    def table_names(self, name: str) -> list[str]: ...
    def load_table(self, name: str, table: str) -> bytes | None: ...
    def settings(self, name: str) -> str: ...
    def history(self, name: str) -> list[dict[str, Any]]: ...
    def apply(self, name: str, seen: Seen, change: Change, user: str | None, at: str) -> int: ...


def now() -> str:
    """Return the current UTC time as ISO text (seconds and microseconds)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def default_user() -> str | None:
    """Return the login name of whoever runs the process, or None."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return None


def check_name(name: Any, what: str = "name") -> str:
    """Return a valid project, scenario or table name, or raise ValueError saying why."""
    if not isinstance(name, str) or not name.strip():
        msg = f"{what} must be a non-empty text, got {name!r}"
        raise ValueError(msg)
    if name != name.strip():
        msg = f"{what} must not start or end with spaces, got {name!r}"
        raise ValueError(msg)
    if len(name) > _NAME_MAX or re.search(r"[\x00-\x1f\x7f]", name):
        msg = f"{what} must be at most {_NAME_MAX} characters without control characters"
        raise ValueError(msg)
    return name


@dataclass
class Seen:
    """What a :class:`Project` object has seen: the basis of the optimistic check.

    Parameters
    ----------
    loaded
        Project version when the object was opened or reloaded.
    targets
        Version at which each target (``"data"``, ``"scenario:<name>"``,
        ``"table:<name>"``, ``"settings"``) was last read, where later.
    mine
        Versions this object wrote itself.
    """

    loaded: int
    targets: dict[str, int] = field(default_factory=dict)
    mine: set[int] = field(default_factory=set)

    def of(self, target: str) -> int:
        """Return the version at which ``target`` was last seen."""
        return self.targets.get(target, self.loaded)


def conflicts(change: Change, history: list[dict[str, Any]], seen: Seen) -> list[dict[str, Any]]:
    """Return the history rows that ``change`` must not overwrite.

    A change conflicts with a change by someone else, after this object last
    saw it, of the same target (scenario, table, settings) or of the planning
    data (a scenario run on old data, or a second data replacement).
    """
    mine = change.targets()
    out = []
    for row in history:
        version, target = int(row["version"]), str(row["target"])
        if version in seen.mine:
            continue
        if (target in mine or target == "data") and version > seen.of(target):
            out.append(row)
    return out
