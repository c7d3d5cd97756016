"""A small point layer written straight into an open GeoPackage.

A saved scenario's proposed sites (a few to a few hundred points) go into
the project file as a GeoPackage feature table so that the file opens in
QGIS with them. Going through GDAL for that opens the whole project file
again and holds the interpreter for about a tenth of a second per save; the
table, its ``gpkg_contents`` and ``gpkg_geometry_columns`` rows and the
GeoPackage geometry blobs (OGC 12-128r18, clause 2.1.3) are simple enough to
write with the connection the save already has open.
"""

from __future__ import annotations

import functools
import math
import sqlite3
import struct
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely


@functools.lru_cache(maxsize=32)
def _epsg(srs: str) -> int | None:
    """Return the EPSG code of a CRS given as text (identifying it takes pyproj ~0.05 s)."""
    return pyproj.CRS.from_user_input(srs).to_epsg()


def _srs_id(con: sqlite3.Connection, frame: gpd.GeoDataFrame) -> int | None:
    """Return the ``srs_id`` of the frame's CRS in the file (added if needed); None if unknown."""
    if frame.crs is None:
        return None
    code = _epsg(frame.crs.srs)
    if code is None:
        return None
    known = con.execute(
        "SELECT srs_id FROM gpkg_spatial_ref_sys WHERE organization = 'EPSG' "
        "AND organization_coordsys_id = ?",
        (code,),
    ).fetchone()
    if known is not None:
        return int(known[0])
    taken = con.execute("SELECT 1 FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (code,)).fetchone()
    if taken is not None:
        return None
    con.execute(
        "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, "
        "organization_coordsys_id, definition) VALUES (?, ?, 'EPSG', ?, ?)",
        (frame.crs.name, code, code, frame.crs.to_wkt("WKT1_GDAL")),
    )
    return code


def _column_type(series: pd.Series) -> str:
    """Return the GeoPackage column type of ``series``."""
    if pd.api.types.is_bool_dtype(series):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(series):
        return "INTEGER"
    if pd.api.types.is_float_dtype(series):
        return "REAL"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "DATETIME"
    return "TEXT"


def _cell(value: object, kind: str) -> object:
    """Return ``value`` as SQLite stores it in a column of GeoPackage type ``kind``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind in ("BOOLEAN", "INTEGER"):
        return int(value)  # type: ignore[call-overload]
    if kind == "REAL":
        return float(value)  # type: ignore[arg-type]
    if kind == "DATETIME":
        return pd.Timestamp(value).isoformat()  # type: ignore[arg-type]
    return str(value)


def _blob(wkb: bytes | None, srs_id: int) -> bytes | None:
    """Return a GeoPackage geometry blob: header (no envelope, little-endian) and WKB."""
    if wkb is None:
        return None
    return b"GP\x00\x01" + struct.pack("<i", srs_id) + wkb


def write_point_layer(
    con: sqlite3.Connection, table: str, frame: gpd.GeoDataFrame, *, column: str = "geom"
) -> bool:
    """Write ``frame`` as the feature table ``table``; return False when it cannot.

    It cannot when the geometries are not all points (missing ones aside),
    or when the CRS has no EPSG code: write those with GDAL instead. The
    table must not exist yet. Nothing is committed: the caller's
    transaction holds the change.
    """
    geoms = frame.geometry.to_numpy()
    present = ~shapely.is_missing(geoms)
    kinds = shapely.get_type_id(geoms[present])
    if np.any(kinds != shapely.GeometryType.POINT) or np.any(shapely.is_empty(geoms[present])):
        return False
    srs_id = _srs_id(con, frame)
    if srs_id is None:
        return False
    names = [str(c) for c in frame.columns if c != frame.geometry.name]
    if column in names or "fid" in names:
        return False
    types = {name: _column_type(frame[name]) for name in names}
    defs = "".join(f', "{name}" {kind}' for name, kind in types.items())
    key = "fid INTEGER PRIMARY KEY AUTOINCREMENT"
    con.execute(f'CREATE TABLE "{table}" ({key}, "{column}" POINT{defs})')
    wkbs = shapely.to_wkb(geoms, output_dimension=2, byte_order=1)
    columns = [frame[name].astype(object).tolist() for name in names]
    kinds_of = [types[name] for name in names]
    rows = [
        (_blob(wkb, srs_id), *(_cell(col[i], k) for k, col in zip(kinds_of, columns, strict=True)))
        for i, wkb in enumerate(wkbs)
    ]
    marks = ", ".join("?" * (len(names) + 1))
    quoted = "".join(f', "{name}"' for name in names)
    con.executemany(f'INSERT INTO "{table}" ("{column}"{quoted}) VALUES ({marks})', rows)
    bounds = shapely.total_bounds(geoms[present]) if present.any() else [None] * 4
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, last_change, "
        "min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?)",
        (table, table, now, *(None if b is None else float(b) for b in bounds), srs_id),
    )
    con.execute(
        "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, "
        "srs_id, z, m) VALUES (?, ?, 'POINT', ?, 0, 0)",
        (table, column, srs_id),
    )
    counted = con.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gpkg_ogr_contents'"
    ).fetchone()
    if counted is not None:
        con.execute(
            "INSERT INTO gpkg_ogr_contents (table_name, feature_count) VALUES (?, ?)",
            (table, len(frame)),
        )
    return True
