"""Projects in a PostgreSQL + PostGIS database: the team backend.

Tables (created on first use, with ``CREATE EXTENSION IF NOT EXISTS postgis``):
``infrasite_projects`` (name, times, version, settings, dataset name and
provenance), ``infrasite_layers`` (one row per planning layer of a project:
its geometry table, column names and pandas dtypes), one geometry table
``infrasite_layer_<project id>_<layer>`` per layer (EPSG:4326, GiST-indexed,
readable by QGIS), ``infrasite_scenarios`` (spec, figures, solution arrays),
``infrasite_frames`` (Parquet blobs of scenario and record tables) and
``infrasite_history``. Every change runs in one transaction that locks the
project row (``SELECT ... FOR UPDATE``) and compares versions, so of two
concurrent saves of the same thing the second gets a
:class:`~planning.workspace.ConflictError` and nothing is lost. Only
parameterised SQL is used; table and column names go through
:class:`psycopg.sql.Identifier`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geodata

from ._changes import Change, ConflictError, ProjectDump, Seen, conflicts
from ._serialize import FRAMES, ScenarioRecord, rename_json

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS infrasite_projects (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE,
        created text NOT NULL, modified text NOT NULL, version integer NOT NULL,
        settings text NOT NULL, data_name text NOT NULL, provenance text NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS infrasite_layers (
        project_id bigint NOT NULL REFERENCES infrasite_projects (id) ON DELETE CASCADE,
        layer text NOT NULL, table_name text NOT NULL, columns text NOT NULL,
        n integer NOT NULL, PRIMARY KEY (project_id, layer))""",
    """CREATE TABLE IF NOT EXISTS infrasite_scenarios (
        project_id bigint NOT NULL REFERENCES infrasite_projects (id) ON DELETE CASCADE,
        seq bigint GENERATED ALWAYS AS IDENTITY, name text NOT NULL, spec text NOT NULL,
        summary text NOT NULL, solution text NOT NULL, arrays bytea NOT NULL, saved text,
        saved_by text, PRIMARY KEY (project_id, name))""",
    """CREATE TABLE IF NOT EXISTS infrasite_frames (
        project_id bigint NOT NULL REFERENCES infrasite_projects (id) ON DELETE CASCADE,
        owner text NOT NULL, name text NOT NULL, part text NOT NULL, blob bytea NOT NULL,
        PRIMARY KEY (project_id, owner, name, part))""",
    """CREATE TABLE IF NOT EXISTS infrasite_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        project_id bigint NOT NULL REFERENCES infrasite_projects (id) ON DELETE CASCADE,
        version integer NOT NULL, at text NOT NULL, "user" text, action text NOT NULL,
        target text NOT NULL)""",
]
_SCHEMA_LOCK = 0x1F5A5E  # advisory lock key while creating the tables
_RESERVED = {"_row", "geom"}


def mask(url: str) -> str:
    """Return ``url`` with any password replaced by ``***``."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


class PostgisStore:
    """Projects in the database at ``url``."""

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - psycopg is a main dependency
            msg = "a postgresql:// workspace needs psycopg 3: pip install 'psycopg[binary]'"
            raise ImportError(msg) from exc
        self._psycopg = psycopg
        self.url = url
        self.location = mask(url)
        with self._tx() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
            if cur.fetchone() is None:
                cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            for statement in _SCHEMA:
                cur.execute(statement)

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        psycopg = self._psycopg
        try:
            con = psycopg.connect(self.url, connect_timeout=10)
        except psycopg.OperationalError as exc:
            msg = (
                f"cannot reach the project database {self.location} ({exc}); check the URL "
                "(INFRASITE_DATABASE_URL) and that the server accepts connections"
            )
            raise ConnectionError(msg) from exc
        with con, con.cursor() as cur:
            yield cur

    @staticmethod
    def _id(cur: Any, name: str, *, lock: bool = False) -> tuple[int, int]:
        query = "SELECT id, version FROM infrasite_projects WHERE name = %s"
        cur.execute(query + (" FOR UPDATE" if lock else ""), (name,))
        row = cur.fetchone()
        if row is None:
            msg = f"no project {name!r}"
            raise KeyError(msg)
        return int(row[0]), int(row[1])

    # ------------------------------------------------------------------ projects

    def names(self) -> list[str]:
        with self._tx() as cur:
            cur.execute("SELECT name FROM infrasite_projects")
            return [r[0] for r in cur.fetchall()]

    def create(self, dump: ProjectDump) -> None:
        psycopg = self._psycopg
        data = dump.data
        provenance = {k: p.__dict__ for k, p in data.provenance.items()}
        try:
            with self._tx() as cur:
                cur.execute(
                    "INSERT INTO infrasite_projects (name, created, modified, version, settings, "
                    "data_name, provenance) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                    (
                        dump.name,
                        dump.created,
                        dump.modified,
                        dump.version,
                        dump.settings,
                        data.name,
                        json.dumps(provenance, ensure_ascii=False),
                    ),
                )
                pid = int(cur.fetchone()[0])
                _write_layers(cur, pid, data)
                for record in dump.scenarios:
                    _put_scenario(cur, pid, record, exists=False)
                for table, blob in dump.tables.items():
                    _put_frame(cur, pid, "table", table, "", blob)
                cur.executemany(
                    'INSERT INTO infrasite_history (project_id, version, at, "user", action, '
                    "target) VALUES (%s, %s, %s, %s, %s, %s)",
                    [
                        (pid, h["version"], str(h["at"]), h["user"], h["action"], h["target"])
                        for h in dump.history
                    ],
                )
        except psycopg.errors.UniqueViolation as exc:
            msg = f"a project {dump.name!r} exists in {self.location}"
            raise FileExistsError(msg) from exc

    def delete(self, name: str) -> None:
        from psycopg import sql

        with self._tx() as cur:
            pid, _ = self._id(cur, name, lock=True)
            _drop_layers(cur, pid, sql)
            cur.execute("DELETE FROM infrasite_projects WHERE id = %s", (pid,))

    def rename(self, old: str, new: str) -> None:
        psycopg = self._psycopg
        try:
            with self._tx() as cur:
                pid, _ = self._id(cur, old, lock=True)
                cur.execute("UPDATE infrasite_projects SET name = %s WHERE id = %s", (new, pid))
        except psycopg.errors.UniqueViolation as exc:
            msg = f"a project {new!r} exists in {self.location}"
            raise FileExistsError(msg) from exc

    def meta(self, name: str) -> dict[str, Any]:
        with self._tx() as cur:
            cur.execute(
                "SELECT created, modified, version, settings FROM infrasite_projects "
                "WHERE name = %s",
                (name,),
            )
            row = cur.fetchone()
        if row is None:
            msg = f"no project {name!r} in {self.location}"
            raise KeyError(msg)
        return dict(zip(("created", "modified", "version", "settings"), row, strict=True))

    def load_data(self, name: str) -> geodata.PlanningData:
        with self._tx() as cur:
            cur.execute(
                "SELECT id, data_name, provenance FROM infrasite_projects WHERE name = %s",
                (name,),
            )
            row = cur.fetchone()
            if row is None:
                msg = f"no project {name!r} in {self.location}"
                raise KeyError(msg)
            pid, data_name, provenance = row
            layers = _read_layers(cur, int(pid))
        roads = None
        if {"road_nodes", "road_edges"} <= set(layers):
            from geodata._roads import roads_from_gdfs

            roads = roads_from_gdfs(layers.pop("road_nodes"), layers.pop("road_edges"))
        prov = {k: geodata.Provenance(**v) for k, v in json.loads(provenance).items()}
        return geodata.PlanningData(name=data_name, roads=roads, provenance=prov, **layers)

    # ------------------------------------------------------------------ contents

    def scenario_names(self, name: str) -> list[str]:
        with self._tx() as cur:
            pid, _ = self._id(cur, name)
            cur.execute(
                "SELECT name FROM infrasite_scenarios WHERE project_id = %s ORDER BY seq", (pid,)
            )
            return [r[0] for r in cur.fetchall()]

    def load_scenario(self, name: str, scenario: str) -> ScenarioRecord | None:
        with self._tx() as cur:
            pid, _ = self._id(cur, name)
            cur.execute(
                "SELECT name, spec, summary, solution, arrays, saved, saved_by "
                "FROM infrasite_scenarios WHERE project_id = %s AND name = %s",
                (pid, scenario),
            )
            row = cur.fetchone()
            if row is None:
                return None
            cur.execute(
                "SELECT part, blob FROM infrasite_frames "
                "WHERE project_id = %s AND owner = 'scenario' AND name = %s",
                (pid, scenario),
            )
            frames = {part: bytes(blob) for part, blob in cur.fetchall()}
        missing = [p for p in FRAMES if p not in frames]
        if missing:
            msg = f"scenario {scenario!r} of project {name!r} lacks its tables {missing}"
            raise ValueError(msg)
        return ScenarioRecord(
            name=row[0],
            spec=row[1],
            summary=row[2],
            solution=row[3],
            arrays=bytes(row[4]),
            frames=frames,
            saved=row[5],
            saved_by=row[6],
        )

    def table_names(self, name: str) -> list[str]:
        with self._tx() as cur:
            pid, _ = self._id(cur, name)
            cur.execute(
                "SELECT name FROM infrasite_frames WHERE project_id = %s AND owner = 'table' "
                "ORDER BY name",
                (pid,),
            )
            return [r[0] for r in cur.fetchall()]

    def load_table(self, name: str, table: str) -> bytes | None:
        with self._tx() as cur:
            pid, _ = self._id(cur, name)
            cur.execute(
                "SELECT blob FROM infrasite_frames WHERE project_id = %s AND owner = 'table' "
                "AND name = %s",
                (pid, table),
            )
            row = cur.fetchone()
        return None if row is None else bytes(row[0])

    def settings(self, name: str) -> str:
        return str(self.meta(name)["settings"])

    def history(self, name: str) -> list[dict[str, Any]]:
        with self._tx() as cur:
            pid, _ = self._id(cur, name)
            return _history(cur, pid, 0)

    # ------------------------------------------------------------------ changes

    def apply(self, name: str, seen: Seen, change: Change, user: str | None, at: str) -> int:
        from psycopg import sql

        with self._tx() as cur:
            pid, version = self._id(cur, name, lock=True)
            clash = conflicts(change, _history(cur, pid, seen.loaded), seen)
            if clash:
                raise ConflictError(name, change.target, clash, seen.of(change.target))
            cur.execute(
                "SELECT 1 FROM infrasite_scenarios WHERE project_id = %s AND name = %s",
                (pid, change.name),
            )
            exists = cur.fetchone() is not None
            op = change.op
            if op == "scenario":
                assert change.record is not None
                if exists and not change.replace:
                    msg = f"scenario {change.name!r} exists; pass replace=True to overwrite it"
                    raise ValueError(msg)
                _put_scenario(cur, pid, change.record, exists=exists)
            elif op in ("delete_scenario", "rename_scenario") and not exists:
                msg = f"no scenario {change.name!r} in project {name!r}"
                raise KeyError(msg)
            elif op == "delete_scenario":
                cur.execute(
                    "DELETE FROM infrasite_scenarios WHERE project_id = %s AND name = %s",
                    (pid, change.name),
                )
                cur.execute(
                    "DELETE FROM infrasite_frames WHERE project_id = %s AND owner = 'scenario' "
                    "AND name = %s",
                    (pid, change.name),
                )
            elif op == "rename_scenario":
                _rename_scenario(cur, pid, change.name, change.new_name)
            elif op == "data":
                assert change.data is not None
                data = change.data
                _drop_layers(cur, pid, sql)
                _write_layers(cur, pid, data)
                provenance = {k: p.__dict__ for k, p in data.provenance.items()}
                cur.execute(
                    "UPDATE infrasite_projects SET data_name = %s, provenance = %s WHERE id = %s",
                    (data.name, json.dumps(provenance, ensure_ascii=False), pid),
                )
            elif op == "table":
                _put_frame(cur, pid, "table", change.name, "", change.blob)
            elif op == "settings":
                cur.execute(
                    "UPDATE infrasite_projects SET settings = %s WHERE id = %s", (change.text, pid)
                )
            elif op != "rename_project":  # pragma: no cover - programming error
                msg = f"unknown change {op!r}"
                raise ValueError(msg)
            cur.execute(
                "UPDATE infrasite_projects SET version = %s, modified = %s WHERE id = %s",
                (version + 1, at, pid),
            )
            cur.execute(
                'INSERT INTO infrasite_history (project_id, version, at, "user", action, target) '
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (pid, version + 1, at, user, op, change.target),
            )
        return version + 1


def _history(cur: Any, pid: int, since: int) -> list[dict[str, Any]]:
    cur.execute(
        'SELECT version, at, "user", action, target FROM infrasite_history '
        "WHERE project_id = %s AND version > %s ORDER BY version, id",
        (pid, since),
    )
    keys = ("version", "at", "user", "action", "target")
    return [dict(zip(keys, r, strict=True)) for r in cur.fetchall()]


def _put_frame(cur: Any, pid: int, owner: str, name: str, part: str, blob: bytes) -> None:
    cur.execute(
        "INSERT INTO infrasite_frames (project_id, owner, name, part, blob) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (project_id, owner, name, part) "
        "DO UPDATE SET blob = EXCLUDED.blob",
        (pid, owner, name, part, blob),
    )


def _put_scenario(cur: Any, pid: int, rec: ScenarioRecord, *, exists: bool) -> None:
    values = (rec.spec, rec.summary, rec.solution, rec.arrays, rec.saved, rec.saved_by)
    if exists:
        cur.execute(
            "UPDATE infrasite_scenarios SET spec = %s, summary = %s, solution = %s, "
            "arrays = %s, saved = %s, saved_by = %s WHERE project_id = %s AND name = %s",
            (*values, pid, rec.name),
        )
    else:
        cur.execute(
            "INSERT INTO infrasite_scenarios (project_id, name, spec, summary, solution, "
            "arrays, saved, saved_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (pid, rec.name, *values),
        )
    for part, blob in rec.frames.items():
        _put_frame(cur, pid, "scenario", rec.name, part, blob)


def _rename_scenario(cur: Any, pid: int, old: str, new: str) -> None:
    cur.execute(
        "SELECT spec, summary FROM infrasite_scenarios WHERE project_id = %s AND name = %s",
        (pid, old),
    )
    spec, summary = cur.fetchone()
    cur.execute(
        "UPDATE infrasite_scenarios SET name = %s, spec = %s, summary = %s "
        "WHERE project_id = %s AND name = %s",
        (new, rename_json(spec, new), rename_json(summary, new), pid, old),
    )
    cur.execute(
        "UPDATE infrasite_frames SET name = %s WHERE project_id = %s AND owner = 'scenario' "
        "AND name = %s",
        (new, pid, old),
    )


# ---------------------------------------------------------------------- layers as tables


def _drop_layers(cur: Any, pid: int, sql: Any) -> None:
    cur.execute("SELECT table_name FROM infrasite_layers WHERE project_id = %s", (pid,))
    for (table,) in cur.fetchall():
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
    cur.execute("DELETE FROM infrasite_layers WHERE project_id = %s", (pid,))


def _pg_type(dtype: Any) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(dtype):
        return "double precision"
    return "text"


def _column_values(series: pd.Series) -> list[Any]:
    kind = _pg_type(series.dtype)
    if kind != "text":
        return list(series.tolist())
    out: list[Any] = []
    for v in series.tolist():
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            out.append(None)
        elif isinstance(v, str):
            out.append(v)
        elif isinstance(v, pd.Timestamp):
            out.append(v.isoformat())
        else:
            out.append(str(v))
    return out


def _layer_frames(data: geodata.PlanningData) -> dict[str, gpd.GeoDataFrame]:
    frames = dict(data.layers())
    if data.roads is not None:
        from geodata._roads import roads_to_gdfs

        frames["road_nodes"], frames["road_edges"] = roads_to_gdfs(data.roads)
    return frames


def _write_layers(cur: Any, pid: int, data: geodata.PlanningData) -> None:
    from psycopg import sql

    for layer, gdf in _layer_frames(data).items():
        table = f"infrasite_layer_{pid}_{layer}"
        geom_name = gdf.geometry.name
        attrs = [c for c in gdf.columns if c != geom_name]
        columns = []  # [original name, column in the table, pandas dtype]
        for i, col in enumerate(attrs):
            db = str(col)
            if db in _RESERVED or len(db.encode("utf-8")) > 63 or db.startswith("c__"):
                db = f"c__{i}"
            columns.append([col, db, str(gdf[col].dtype)])
        defs: list[Any] = [sql.SQL("_row integer PRIMARY KEY")]
        defs += [
            sql.SQL("{} {}").format(sql.Identifier(db), sql.SQL(_pg_type(gdf[col].dtype)))
            for col, db, _ in columns
        ]
        defs.append(sql.SQL("geom geometry(Geometry, 4326)"))
        cur.execute(
            sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(table), sql.SQL(", ").join(defs))
        )
        geoms = shapely.set_srid(np.asarray(gdf.geometry.values, dtype=object), 4326)
        wkb = shapely.to_wkb(geoms, hex=True, include_srid=True)
        values = [_column_values(gdf[col]) for col, _, _ in columns]
        names = [sql.Identifier("_row")] + [sql.Identifier(db) for _, db, _ in columns]
        names.append(sql.Identifier("geom"))
        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(names)
        )
        with cur.copy(copy) as out:
            for i in range(len(gdf)):
                out.write_row([i, *(v[i] for v in values), wkb[i]])
        cur.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(sql.Identifier(table)))
        meta = {"columns": columns, "geometry": geom_name}
        cur.execute(
            "INSERT INTO infrasite_layers (project_id, layer, table_name, columns, n) "
            "VALUES (%s, %s, %s, %s, %s)",
            (pid, layer, table, json.dumps(meta, ensure_ascii=False), len(gdf)),
        )


def _read_layers(cur: Any, pid: int) -> dict[str, gpd.GeoDataFrame]:
    from psycopg import sql

    cur.execute(
        "SELECT layer, table_name, columns, n FROM infrasite_layers WHERE project_id = %s",
        (pid,),
    )
    out: dict[str, gpd.GeoDataFrame] = {}
    for layer, table, meta_text, n in cur.fetchall():
        meta = json.loads(meta_text)
        columns = meta["columns"]
        fields: list[Any] = [sql.Identifier(db) for _, db, _ in columns]
        fields.append(sql.SQL("ST_AsBinary(geom)"))
        cur.execute(
            sql.SQL("SELECT {} FROM {} ORDER BY _row").format(
                sql.SQL(", ").join(fields), sql.Identifier(table)
            )
        )
        rows = cur.fetchall()
        if len(rows) != n:
            msg = f"layer {layer!r} has {len(rows)} of {n} rows in {table}"
            raise geodata.DataError([geodata.Problem(None, layer, msg)], source="PostGIS")
        cols = list(zip(*rows, strict=True)) if rows else [()] * (len(columns) + 1)
        frame = {}
        for (name, _, dtype), values in zip(columns, cols[:-1], strict=True):
            series = pd.Series(list(values), dtype=object)
            try:
                frame[name] = series.astype(dtype) if dtype != "object" else series
            except (TypeError, ValueError):
                frame[name] = series
        geometry = shapely.from_wkb([None if g is None else bytes(g) for g in cols[-1]])
        gdf = gpd.GeoDataFrame(
            frame,
            geometry=gpd.GeoSeries(geometry, crs="EPSG:4326", name=meta["geometry"]),
            crs="EPSG:4326",
        )
        out[layer] = (
            gdf.rename_geometry(meta["geometry"]) if gdf.geometry.name != meta["geometry"] else gdf
        )
    return out
