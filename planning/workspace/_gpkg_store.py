"""Projects as GeoPackage files in a folder: the embedded, crash-safe backend.

Each project is one ``<name>.gpkg`` that opens in QGIS: the planning layers
(as :meth:`geodata.PlanningData.to_gpkg` writes them), each scenario's
proposed sites as a layer ``scenario_<n>_sites``, and attribute tables
``infrasite_project`` (name, times, version, settings), ``infrasite_history``,
``infrasite_scenarios`` and ``infrasite_frames`` (Parquet blobs of the
scenario and record tables). Every change copies the file to a temporary
file in the same folder, changes the copy, flushes it and moves it over the
project file in one rename, under an exclusive lock: a crash at any instant
leaves the old or the new complete file, never a mix. A file without a
complete ``infrasite_project`` table is refused with :class:`geodata.DataError`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd

import geodata
from geodata.model import atomic_path

from ._changes import Change, ConflictError, ProjectDump, Seen, conflicts
from ._gpkg_points import write_point_layer
from ._serialize import FRAMES, ScenarioRecord, frame_from_bytes

FORMAT = "infrasite-project-1"
"""Value of the ``format`` key of a project file's ``infrasite_project`` table."""

_DATA_LAYERS = (*geodata.KINDS, "road_nodes", "road_edges", "infrasite_metadata")
_SAFE = set("-_ .()")

_SCHEMA = """
CREATE TABLE infrasite_project (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE infrasite_history (
    fid INTEGER PRIMARY KEY, version INTEGER NOT NULL, at TEXT NOT NULL, user TEXT,
    action TEXT NOT NULL, target TEXT NOT NULL);
CREATE TABLE infrasite_scenarios (
    fid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, layer TEXT NOT NULL, spec TEXT NOT NULL,
    summary TEXT NOT NULL, solution TEXT NOT NULL, arrays BLOB NOT NULL, saved TEXT,
    saved_by TEXT);
CREATE TABLE infrasite_frames (
    owner TEXT NOT NULL, name TEXT NOT NULL, part TEXT NOT NULL, blob BLOB NOT NULL,
    PRIMARY KEY (owner, name, part));
"""
_REGISTERED = {
    "infrasite_history": "InfraSite project change history",
    "infrasite_scenarios": "InfraSite saved scenarios (spec, figures)",
}


def encode_name(name: str) -> str:
    """Return a file stem for a project name (letters, digits and ``-_ .()`` kept)."""
    out = []
    for i, ch in enumerate(name):
        if (ch.isalnum() or ch in _SAFE) and not (i == 0 and ch == "."):
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


def decode_name(stem: str) -> str:
    """Return the project name of a file stem made by :func:`encode_name`."""
    from urllib.parse import unquote

    return unquote(stem)


def _refused(path: Path, why: str) -> geodata.DataError:
    message = f"not a complete InfraSite project file: {why}; nothing was loaded"
    return geodata.DataError([geodata.Problem(None, None, message)], source=str(path))


@contextmanager
def _read(path: Path) -> Iterator[sqlite3.Connection]:
    if not path.exists():
        msg = f"no project file {str(path)!r}"
        raise KeyError(msg)
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _refused(path, str(exc)) from exc
    with closing(con):
        try:
            yield con
        except sqlite3.DatabaseError as exc:
            raise _refused(path, f"SQLite cannot read it ({exc})") from exc


def _meta(con: sqlite3.Connection, path: Path) -> dict[str, str]:
    try:
        meta = dict(con.execute("SELECT key, value FROM infrasite_project").fetchall())
    except sqlite3.OperationalError as exc:
        raise _refused(path, "it has no infrasite_project table") from exc
    missing = {"format", "name", "created", "modified", "version", "settings"} - set(meta)
    if missing:
        raise _refused(path, f"infrasite_project lacks {sorted(missing)}")
    if meta["format"] != FORMAT:
        raise _refused(path, f"its format is {meta['format']!r}, this version reads {FORMAT!r}")
    return meta


def _file_state(path: Path) -> tuple[object, ...] | None:
    """Return what identifies one stored version of a project file (None if it is absent).

    Every change replaces the file by a new one in one rename, so the inode,
    size and times change with it; SQLite's change counter (bytes 24-28 of the
    header) grows with every write to the copy, so a reused inode of the same
    size is told apart too.
    """
    try:
        with open(path, "rb") as file:
            stat = os.fstat(file.fileno())
            header = file.read(100)
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, header[24:28])


_READS: dict[tuple[str, str], tuple[tuple[object, ...], Any]] = {}
"""The last metadata, history and scenario names read of each project file, with its state."""


def _read_once(path: Path, what: str, read: Callable[[sqlite3.Connection], Any]) -> Any:
    """Return ``read`` of the project file, read again only when the file has changed.

    Every session of the app asks for the project's version and history on
    every rerun; they change only when a change is saved.
    """
    state = _file_state(path)
    key = (str(path), what)
    kept = _READS.get(key)
    if state is not None and kept is not None and kept[0] == state:
        return kept[1]
    with _read(path) as con:
        value = read(con)
    if state is not None:
        _READS[key] = (state, value)
    return value


def _scenario_names(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT name FROM infrasite_scenarios ORDER BY fid")]


def _history(con: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT version, at, user, action, target FROM infrasite_history ORDER BY version, fid"
    ).fetchall()
    return [dict(zip(("version", "at", "user", "action", "target"), r, strict=True)) for r in rows]


def _drop_layer(con: sqlite3.Connection, table: str) -> None:
    rows = con.execute(
        "SELECT extension_name, column_name FROM gpkg_extensions WHERE table_name = ?", (table,)
    ).fetchall()
    for ext, column in rows:
        if ext == "gpkg_rtree_index":
            con.execute(f'DROP TABLE IF EXISTS "rtree_{table}_{column}"')
    con.execute(f'DROP TABLE IF EXISTS "{table}"')
    for meta in ("gpkg_contents", "gpkg_geometry_columns", "gpkg_extensions", "gpkg_ogr_contents"):
        con.execute(f"DELETE FROM {meta} WHERE table_name = ?", (table,))


def _sites(record: ScenarioRecord) -> gpd.GeoDataFrame:
    sites = frame_from_bytes(record.frames["proposed_sites"])
    assert isinstance(sites, gpd.GeoDataFrame)
    return sites.reset_index(drop=True)


def _write_sites(path: Path, layer: str, sites: gpd.GeoDataFrame) -> None:
    typed = {"geometry_type": "Point"} if sites.empty else {}
    sites.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", **typed)


def _label_sites(con: sqlite3.Connection, layer: str, scenario: str) -> None:
    con.execute(
        "UPDATE gpkg_contents SET identifier = ?, description = ? WHERE table_name = ?",
        (f"{scenario}: proposed sites", f"Scenario {scenario!r}: proposed sites", layer),
    )


def _put_record(con: sqlite3.Connection, fid: int, layer: str, rec: ScenarioRecord) -> None:
    con.execute(
        "INSERT OR REPLACE INTO infrasite_scenarios (fid, name, layer, spec, summary, solution, "
        "arrays, saved, saved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            fid,
            rec.name,
            layer,
            rec.spec,
            rec.summary,
            rec.solution,
            rec.arrays,
            rec.saved,
            rec.saved_by,
        ),
    )
    con.execute("DELETE FROM infrasite_frames WHERE owner = 'scenario' AND name = ?", (rec.name,))
    con.executemany(
        "INSERT INTO infrasite_frames (owner, name, part, blob) VALUES ('scenario', ?, ?, ?)",
        [(rec.name, part, blob) for part, blob in rec.frames.items()],
    )
    _label_sites(con, layer, rec.name)


def write_project_file(path: Path, dump: ProjectDump) -> None:
    """Write a whole project into one GeoPackage at ``path``, atomically."""
    with atomic_path(path) as tmp:
        dump.data.write_layers(tmp)
        layers = []
        for i, record in enumerate(dump.scenarios, start=1):
            layer = f"scenario_{i}_sites"
            _write_sites(tmp, layer, _sites(record))
            layers.append((i, layer, record))
        with closing(sqlite3.connect(tmp)) as con, con:
            con.executescript(_SCHEMA)
            for table, text in _REGISTERED.items():
                con.execute(
                    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
                    "VALUES (?, 'attributes', ?, ?)",
                    (table, table, text),
                )
            meta = {
                "format": FORMAT,
                "name": dump.name,
                "created": dump.created,
                "modified": dump.modified,
                "version": str(dump.version),
                "settings": dump.settings,
            }
            con.executemany("INSERT INTO infrasite_project VALUES (?, ?)", list(meta.items()))
            con.executemany(
                "INSERT INTO infrasite_history (version, at, user, action, target) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (h["version"], str(h["at"]), h["user"], h["action"], h["target"])
                    for h in dump.history
                ],
            )
            for fid, layer, record in layers:
                _put_record(con, fid, layer, record)
            con.executemany(
                "INSERT INTO infrasite_frames (owner, name, part, blob) VALUES ('table', ?, '', ?)",
                list(dump.tables.items()),
            )


def _record(con: sqlite3.Connection, name: str) -> ScenarioRecord | None:
    row = con.execute(
        "SELECT name, spec, summary, solution, arrays, saved, saved_by FROM infrasite_scenarios "
        "WHERE name = ?",
        (name,),
    ).fetchone()
    if row is None:
        return None
    frames = dict(
        con.execute(
            "SELECT part, blob FROM infrasite_frames WHERE owner = 'scenario' AND name = ?",
            (name,),
        ).fetchall()
    )
    record = ScenarioRecord(
        name=row[0],
        spec=row[1],
        summary=row[2],
        solution=row[3],
        arrays=bytes(row[4]),
        frames={k: bytes(v) for k, v in frames.items()},
        saved=row[5],
        saved_by=row[6],
    )
    missing = [part for part in FRAMES if part not in frames]
    if missing:
        msg = f"scenario {name!r} lacks its tables {missing}"
        raise ValueError(msg)
    return record


def read_project_file(path: Path) -> ProjectDump:
    """Read a whole project file (raises DataError if it is incomplete)."""
    if not Path(path).exists():
        msg = f"path {str(path)!r} does not exist"
        raise FileNotFoundError(msg)
    with _read(path) as con:
        meta = _meta(con, path)
        names = [r[0] for r in con.execute("SELECT name FROM infrasite_scenarios ORDER BY fid")]
        try:
            scenarios = [_record(con, n) for n in names]
        except ValueError as exc:
            raise _refused(path, str(exc)) from exc
        tables = dict(
            con.execute("SELECT name, blob FROM infrasite_frames WHERE owner = 'table'").fetchall()
        )
        history = _history(con)
    data = geodata.PlanningData.from_gpkg(path)
    return ProjectDump(
        name=meta["name"],
        data=data,
        created=meta["created"],
        modified=meta["modified"],
        version=int(meta["version"]),
        scenarios=[s for s in scenarios if s is not None],
        tables=tables,
        settings=meta["settings"],
        history=history,
    )


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed) across processes."""
    with open(path, "a+b") as handle:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
            try:
                yield
            finally:
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


class GpkgStore:
    """One GeoPackage per project in ``folder``."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder).expanduser()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.location = str(self.folder)

    def path(self, name: str) -> Path:
        """Return the project file of ``name``."""
        return self.folder / f"{encode_name(name)}.gpkg"

    def _lock(self, name: str | None = None) -> Any:
        stem = ".workspace" if name is None else f".{encode_name(name)}"
        return _locked(self.folder / f"{stem}.lock")

    def names(self) -> list[str]:
        return [
            decode_name(p.stem)
            for p in self.folder.glob("*.gpkg")
            if not p.name.startswith(".") and not p.name.endswith(".tmp.gpkg")
        ]

    def create(self, dump: ProjectDump) -> None:
        path = self.path(dump.name)
        with self._lock():
            if path.exists():
                msg = f"a project {dump.name!r} exists in {self.location}"
                raise FileExistsError(msg)
            with self._lock(dump.name):
                write_project_file(path, dump)

    def delete(self, name: str) -> None:
        with self._lock(), self._lock(name):
            self.path(name).unlink()

    def rename(self, old: str, new: str) -> None:
        with self._lock():
            target = self.path(new)
            if target.exists():
                msg = f"a project {new!r} exists in {self.location}"
                raise FileExistsError(msg)
            with self._lock(old), self._lock(new):
                os.rename(self.path(old), target)

    def meta(self, name: str) -> dict[str, Any]:
        path = self.path(name)
        return dict(_read_once(path, "meta", lambda con: _meta(con, path)))

    def load_data(self, name: str) -> geodata.PlanningData:
        with _read(self.path(name)) as con:
            _meta(con, self.path(name))
        return geodata.PlanningData.from_gpkg(self.path(name))

    def scenario_names(self, name: str) -> list[str]:
        return list(_read_once(self.path(name), "scenarios", _scenario_names))

    def load_scenario(self, name: str, scenario: str) -> ScenarioRecord | None:
        path = self.path(name)
        with _read(path) as con:
            try:
                return _record(con, scenario)
            except ValueError as exc:
                raise _refused(path, str(exc)) from exc

    def table_names(self, name: str) -> list[str]:
        with _read(self.path(name)) as con:
            rows = con.execute(
                "SELECT name FROM infrasite_frames WHERE owner = 'table' ORDER BY name"
            )
            return [r[0] for r in rows]

    def load_table(self, name: str, table: str) -> bytes | None:
        with _read(self.path(name)) as con:
            row = con.execute(
                "SELECT blob FROM infrasite_frames WHERE owner = 'table' AND name = ?", (table,)
            ).fetchone()
        return None if row is None else bytes(row[0])

    def settings(self, name: str) -> str:
        return self.meta(name)["settings"]

    def history(self, name: str) -> list[dict[str, Any]]:
        return [dict(row) for row in _read_once(self.path(name), "history", _history)]

    def apply(self, name: str, seen: Seen, change: Change, user: str | None, at: str) -> int:
        path = self.path(name)
        with self._lock(name):
            with _read(path) as con:
                version = int(_meta(con, path)["version"])
                clash = conflicts(change, _history(con), seen)
                row, top = None, 0
                if change.op in ("scenario", "delete_scenario", "rename_scenario"):
                    row = con.execute(
                        "SELECT fid, layer FROM infrasite_scenarios WHERE name = ?",
                        (change.name,),
                    ).fetchone()
                    top = con.execute("SELECT max(fid) FROM infrasite_scenarios").fetchone()[0] or 0
            if clash:
                raise ConflictError(name, change.target, clash, seen.of(change.target))
            with atomic_path(path) as tmp:
                shutil.copyfile(path, tmp)
                self._change(tmp, change, row, 0 if row is not None else top + 1)
                with closing(sqlite3.connect(tmp)) as con, con:
                    con.executemany(
                        "UPDATE infrasite_project SET value = ? WHERE key = ?",
                        [(str(version + 1), "version"), (at, "modified")],
                    )
                    con.execute(
                        "INSERT INTO infrasite_history (version, at, user, action, target) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (version + 1, at, user, change.op, change.target),
                    )
        return version + 1

    def _change(self, tmp: Path, change: Change, row: Any, new_fid: int) -> None:
        op = change.op
        if op == "scenario":
            assert change.record is not None
            if row is not None and not change.replace:
                msg = f"scenario {change.name!r} exists; pass replace=True to overwrite it"
                raise ValueError(msg)
            fid = row[0] if row is not None else new_fid
            layer = f"scenario_{fid}_sites"
            sites = _sites(change.record)
            with closing(sqlite3.connect(tmp)) as con, con:
                _drop_layer(con, layer)
                written = write_point_layer(con, layer, sites)
                if written:
                    _put_record(con, fid, layer, change.record)
            if not written:  # not points, or a CRS without an EPSG code: GDAL writes it
                _write_sites(tmp, layer, sites)
                with closing(sqlite3.connect(tmp)) as con, con:
                    _put_record(con, fid, layer, change.record)
        elif op == "data":
            assert change.data is not None
            with closing(sqlite3.connect(tmp)) as con, con:
                for layer in _DATA_LAYERS:
                    _drop_layer(con, layer)
            change.data.write_layers(tmp)
        else:
            with closing(sqlite3.connect(tmp)) as con, con:
                self._relational(con, change, row)

    @staticmethod
    def _relational(con: sqlite3.Connection, change: Change, row: Any) -> None:
        op = change.op
        if op == "delete_scenario":
            if row is None:
                msg = f"no scenario {change.name!r}"
                raise KeyError(msg)
            _drop_layer(con, row[1])
            con.execute("DELETE FROM infrasite_scenarios WHERE name = ?", (change.name,))
            con.execute(
                "DELETE FROM infrasite_frames WHERE owner = 'scenario' AND name = ?",
                (change.name,),
            )
        elif op == "rename_scenario":
            if row is None:
                msg = f"no scenario {change.name!r}"
                raise KeyError(msg)
            old, new = change.name, change.new_name
            con.execute("UPDATE infrasite_scenarios SET name = ? WHERE name = ?", (new, old))
            con.execute(
                "UPDATE infrasite_frames SET name = ? WHERE owner = 'scenario' AND name = ?",
                (new, old),
            )
            _rename_record(con, new)
            _label_sites(con, row[1], new)
        elif op == "table":
            con.execute(
                "INSERT OR REPLACE INTO infrasite_frames (owner, name, part, blob) "
                "VALUES ('table', ?, '', ?)",
                (change.name, change.blob),
            )
        elif op == "settings":
            con.execute(
                "UPDATE infrasite_project SET value = ? WHERE key = 'settings'", (change.text,)
            )
        elif op == "rename_project":
            con.execute(
                "UPDATE infrasite_project SET value = ? WHERE key = 'name'", (change.new_name,)
            )
        else:  # pragma: no cover - programming error
            msg = f"unknown change {op!r}"
            raise ValueError(msg)


def _rename_record(con: sqlite3.Connection, new: str) -> None:
    """Set the name inside a renamed scenario's spec and summary JSON."""
    from ._serialize import rename_json

    spec, summary = con.execute(
        "SELECT spec, summary FROM infrasite_scenarios WHERE name = ?", (new,)
    ).fetchone()
    con.execute(
        "UPDATE infrasite_scenarios SET spec = ?, summary = ? WHERE name = ?",
        (rename_json(spec, new), rename_json(summary, new), new),
    )
