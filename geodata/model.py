"""The :class:`PlanningData` value: every layer of one planning area."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ._errors import DataError, Problem
from .schema import KINDS, LAYER_KINDS

_META_TABLE = "infrasite_metadata"
_LAYERS_ROW = "__layers__"
_CRS = "EPSG:4326"
_FIRST_KINDS = KINDS[:6]
"""The layer kinds every InfraSite GeoPackage has had; later kinds may be absent."""


@dataclass(frozen=True)
class Provenance:
    """Where one layer came from.

    Parameters
    ----------
    source
        Who published the data, or the script that generated it.
    licence
        Licence or terms of use.
    synthetic
        True when the layer is generated rather than observed.
    datum
        Coordinate system of the original file (e.g. ``"GCJ-02"``, ``"WGS84"``).
    note
        Anything else a user should know (e.g. "approximate location").
    """

    source: str = "unknown"
    licence: str = "unknown"
    synthetic: bool = False
    datum: str = "WGS84"
    note: str = ""

    def label(self) -> str:
        """Return a one-line description for captions and tooltips."""
        kind = "synthetic" if self.synthetic else "real"
        text = f"{kind}; source: {self.source}; licence: {self.licence}"
        if self.note:
            text += f"; {self.note}"
        return text


def empty_layer(kind: str) -> gpd.GeoDataFrame:
    """Return an empty GeoDataFrame with the columns of ``kind``."""
    spec = LAYER_KINDS[kind]
    cols = {f.name: pd.Series(dtype=_pandas_dtype(f.type)) for f in spec.fields}
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=_CRS), crs=_CRS)


def _pandas_dtype(type_: str) -> str:
    return {"int": "int64", "float": "float64", "bool": "bool"}.get(type_, "object")


@dataclass
class PlanningData:
    """All layers of one planning area, in EPSG:4326.

    Attributes are named after the layer kinds. Missing layers are empty
    GeoDataFrames with the kind's columns, never None.

    Parameters
    ----------
    name
        Name of the area (e.g. ``"chaoyang"``).
    enterprises, parks, base_stations, charging_stations, candidate_sites, admin_areas
        One GeoDataFrame per layer kind.
    access_points, hydrogen_stations
        Existing gigabit broadband access points and hydrogen refuelling
        stations (layer kinds added after the first six; old files load them empty).
    roads
        Drivable road network as a networkx MultiDiGraph (osmnx style), or None.
    provenance
        Per-layer :class:`Provenance`, keyed by kind (and ``"roads"``).
    """

    name: str
    enterprises: gpd.GeoDataFrame = field(default_factory=lambda: empty_layer("enterprises"))
    parks: gpd.GeoDataFrame = field(default_factory=lambda: empty_layer("parks"))
    base_stations: gpd.GeoDataFrame = field(default_factory=lambda: empty_layer("base_stations"))
    charging_stations: gpd.GeoDataFrame = field(
        default_factory=lambda: empty_layer("charging_stations")
    )
    candidate_sites: gpd.GeoDataFrame = field(
        default_factory=lambda: empty_layer("candidate_sites")
    )
    admin_areas: gpd.GeoDataFrame = field(default_factory=lambda: empty_layer("admin_areas"))
    access_points: gpd.GeoDataFrame = field(default_factory=lambda: empty_layer("access_points"))
    hydrogen_stations: gpd.GeoDataFrame = field(
        default_factory=lambda: empty_layer("hydrogen_stations")
    )
    roads: Any = None
    provenance: dict[str, Provenance] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        for kind in KINDS:
            gdf = getattr(self, kind)
            if not isinstance(gdf, gpd.GeoDataFrame):
                problems.append(Problem(None, kind, "layer must be a GeoDataFrame"))
            elif gdf.crs is None or not gdf.crs.equals(_CRS):
                problems.append(
                    Problem(
                        None,
                        kind,
                        f"layer must be in EPSG:4326, not {gdf.crs}; use `to_crs('EPSG:4326')`",
                    )
                )
        if problems:
            raise DataError(problems, source=f"PlanningData {self.name!r}")

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the layers keyed by kind, in display order."""
        return {kind: getattr(self, kind) for kind in KINDS}

    def replace(self, **changes: Any) -> PlanningData:
        """Return a copy with some layers (or the name) replaced."""
        return replace(self, **changes)

    def summary(self) -> pd.DataFrame:
        """Return a table of layer kind, feature count and provenance."""
        rows = []
        for kind, gdf in self.layers().items():
            prov = self.provenance.get(kind, Provenance())
            rows.append(
                {
                    "layer": kind,
                    "features": len(gdf),
                    "synthetic": prov.synthetic,
                    "source": prov.source,
                    "licence": prov.licence,
                    "datum": prov.datum,
                    "note": prov.note,
                }
            )
        return pd.DataFrame(rows)

    def to_gpkg(self, path: str | os.PathLike[str]) -> Path:
        """Save every layer into one GeoPackage, atomically.

        Each kind becomes one layer named after it; provenance, the area name
        and the list of layers written go into an attributes table
        ``infrasite_metadata``. If a road graph is present it is saved as
        ``road_nodes`` and ``road_edges``. The file is first written under a
        temporary name in the same folder, flushed to disk and then moved
        over ``path`` in one step, so an interrupted save leaves the previous
        file (or no file) and never a partial one.

        Parameters
        ----------
        path
            Where to write; an existing file is replaced.

        Returns
        -------
        pathlib.Path
            The path written.
        """
        path = Path(path)
        with atomic_path(path) as tmp:
            self.write_layers(tmp)
        return path

    def write_layers(self, path: str | os.PathLike[str]) -> None:
        """Write the layers and metadata into a new GeoPackage at ``path`` (not atomic).

        The building block of :meth:`to_gpkg`; other writers that replace a
        whole file atomically (project stores) call it on their temporary file.
        """
        path = Path(path)
        counts: dict[str, int] = {}
        for kind, gdf in self.layers().items():
            out = gdf.copy()
            for col in out.columns:
                if out[col].dtype == bool:
                    out[col] = out[col].astype("int64")
            # an empty layer still gets its kind's geometry type (GIS shows "Unknown" otherwise)
            typed = {"geometry_type": LAYER_KINDS[kind].geometry} if out.empty else {}
            out.to_file(path, layer=kind, driver="GPKG", engine="pyogrio", **typed)
            counts[kind] = len(out)
        if self.roads is not None:
            from ._roads import roads_to_gdfs

            nodes, edges = roads_to_gdfs(self.roads)
            nodes.to_file(path, layer="road_nodes", driver="GPKG", engine="pyogrio")
            edges.to_file(path, layer="road_edges", driver="GPKG", engine="pyogrio")
            counts["road_nodes"], counts["road_edges"] = len(nodes), len(edges)
        self._write_metadata(path, counts)

    def _write_metadata(self, path: Path, counts: dict[str, int]) -> None:
        rows = [
            ("__dataset__", json.dumps({"name": self.name}, ensure_ascii=False)),
            (_LAYERS_ROW, json.dumps(counts)),
        ]
        for key, prov in self.provenance.items():
            rows.append((key, json.dumps(prov.__dict__, ensure_ascii=False)))
        with closing(sqlite3.connect(path)) as con, con:
            con.execute(
                f"CREATE TABLE {_META_TABLE} (fid INTEGER PRIMARY KEY, layer TEXT, info TEXT)"
            )
            con.executemany(f"INSERT INTO {_META_TABLE} (layer, info) VALUES (?, ?)", rows)
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
                "VALUES (?, 'attributes', ?, ?)",
                (_META_TABLE, _META_TABLE, "InfraSite dataset name and layer provenance"),
            )

    @classmethod
    def from_gpkg(cls, path: str | os.PathLike[str]) -> PlanningData:
        """Load a :class:`PlanningData` saved with :meth:`to_gpkg`.

        Parameters
        ----------
        path
            GeoPackage written by :meth:`to_gpkg` (or a project file of
            :mod:`planning.workspace`).

        Raises
        ------
        FileNotFoundError
            If ``path`` does not exist.
        geodata.DataError
            If the file is not a complete InfraSite GeoPackage: unreadable or
            truncated, without the ``infrasite_metadata`` table, or with a
            layer missing or shorter than the metadata records. Such a file is
            never loaded with layers silently empty; read single layers of
            other GeoPackages with :func:`geodata.read_layer`.
        """
        import pyogrio

        path = Path(path)
        if not path.exists():
            msg = f"path {str(path)!r} does not exist"
            raise FileNotFoundError(msg)
        name, provenance, counts = _read_metadata(path)
        try:
            available = {name for name, _ in pyogrio.list_layers(path)}
        except Exception as exc:  # GDAL refuses a damaged file
            raise _incomplete(path, f"GDAL cannot read it ({exc})") from exc
        if counts is None:  # written before layer counts were recorded: the first six kinds
            counts = {k: -1 for k in KINDS if k in _FIRST_KINDS or k in available}
            if {"road_nodes", "road_edges"} <= available:
                counts.update(road_nodes=-1, road_edges=-1)
        missing = [layer for layer in counts if layer not in available]
        if missing:
            raise _incomplete(path, f"layers {missing} recorded in its metadata are missing")
        layers: dict[str, gpd.GeoDataFrame] = {}
        try:
            for kind in KINDS:
                if kind not in counts:
                    continue
                gdf = gpd.read_file(path, layer=kind, engine="pyogrio")
                for f in LAYER_KINDS[kind].fields:
                    if f.type == "bool" and f.name in gdf:
                        gdf[f.name] = gdf[f.name].fillna(0).astype(bool)
                layers[kind] = gdf.to_crs(_CRS) if gdf.crs is not None else gdf.set_crs(_CRS)
            roads = None
            if {"road_nodes", "road_edges"} <= set(counts):
                from ._roads import roads_from_gdfs

                nodes = gpd.read_file(path, layer="road_nodes", engine="pyogrio")
                edges = gpd.read_file(path, layer="road_edges", engine="pyogrio")
                layers_read = {"road_nodes": nodes, "road_edges": edges}
                roads = roads_from_gdfs(nodes, edges)
            else:
                layers_read = {}
        except DataError:
            raise
        except Exception as exc:
            raise _incomplete(path, f"a layer cannot be read ({exc})") from exc
        layers_read.update(layers)
        short = [
            f"{layer} has {len(layers_read[layer])} of {n} features"
            for layer, n in counts.items()
            if n >= 0 and layer in layers_read and len(layers_read[layer]) != n
        ]
        if short:
            raise _incomplete(path, "; ".join(short))
        return cls(name=name or path.stem, roads=roads, provenance=provenance, **layers)


def _incomplete(path: Path, why: str) -> DataError:
    message = f"not a complete InfraSite GeoPackage: {why}; nothing was loaded"
    return DataError([Problem(None, None, message)], source=str(path))


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success move it over ``path`` atomically.

    The temporary file lives in the same folder (so the final
    :func:`os.replace` is one atomic rename), is flushed to disk with
    ``fsync`` before the rename, and is removed if the block raises. Its name
    starts with a dot and ends with ``.tmp.gpkg``.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:12]}.tmp{path.suffix}")
    try:
        yield tmp
        fsync_file(tmp)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            with suppress(FileNotFoundError):
                leftover.unlink()


def fsync_file(path: str | os.PathLike[str]) -> None:
    """Flush a file's content to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Flush a folder's entries to disk (a rename is durable after it); no-op on Windows."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_metadata(path: Path) -> tuple[str | None, dict[str, Provenance], dict[str, int] | None]:
    provenance: dict[str, Provenance] = {}
    name = None
    counts: dict[str, int] | None = None
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _incomplete(path, f"SQLite cannot open it ({exc})") from exc
    try:
        with closing(con):
            exists = con.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?", (_META_TABLE,)
            ).fetchone()[0]
            if not exists:
                why = (
                    f"it has no {_META_TABLE} table (a file from another program, or a save "
                    "that did not finish)"
                )
                raise _incomplete(path, why)
            rows = con.execute(f"SELECT layer, info FROM {_META_TABLE}").fetchall()
    except sqlite3.Error as exc:
        raise _incomplete(path, f"SQLite cannot read it ({exc})") from exc
    for layer, info in rows:
        data = json.loads(info)
        if layer == "__dataset__":
            name = data.get("name")
        elif layer == _LAYERS_ROW:
            counts = {str(k): int(v) for k, v in data.items()}
        else:
            provenance[layer] = Provenance(**data)
    if name is None:
        raise _incomplete(path, f"its {_META_TABLE} table has no __dataset__ row")
    return name, provenance, counts
