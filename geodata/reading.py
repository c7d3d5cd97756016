"""Reading planners' files into validated layers.

:func:`read_layer` accepts the files planners actually have: CSV in UTF-8,
UTF-8 with BOM, GBK/GB18030, Big5 or UTF-16 (detected), with any of
``,`` ``;`` tab ``|`` as delimiter (title lines above the header skipped,
decimal commas under ``;`` read), Excel workbooks (merged cells filled down,
the sheet holding the table found), GeoJSON, GeoPackage and zipped Shapefiles
(10-character column names matched), from a path or from memory (an upload in
the app). The format is told from the content (:mod:`geodata._sniff`). It
finds the table, hands it to :func:`geodata.validation.validate_layer`, and
returns a layer in EPSG:4326; anything it cannot read is a
:class:`~geodata.DataError` naming the cause and the fix.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from . import crs as _crs
from ._archives import table_in_zip
from ._bigcsv import HEAD_BYTES, Irregular, open_csv
from ._csv import MAX_ROWS, read_csv
from ._errors import DataError, Problem, shift_lines
from ._sniff import detect_format, fail, unreadable
from ._vector import read_vector, untruncate
from ._xlsx import read_xlsx
from .schema import layer_kind
from .validation import validate_parts

__all__ = ["FAST_CSV_BYTES", "MAX_CSV_BYTES", "MAX_ROWS", "SMALL_CSV_BYTES", "read_layer"]

_HEAD = 8192
MAX_CSV_BYTES = 512 << 20
"""Largest CSV read (512 MiB, about 4.5 million rows of enterprises); split larger files."""
SMALL_CSV_BYTES = 64 << 20
"""Largest CSV with rows of differing lengths (read whole, row by row, padded)."""
FAST_CSV_BYTES = 4 << 20
"""CSVs larger than this are parsed by pyarrow in blocks (:mod:`geodata._bigcsv`)."""
_MAX_XLSX_BYTES = 32 << 20
_MAX_VECTOR_BYTES = 512 << 20


def read_layer(
    source: Any,
    kind: str,
    *,
    crs: Any = "wgs84",
    sheet: str | int | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    lenient: bool = False,
    return_report: bool = False,
    study_area: Any = None,
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Read a planner's file as a validated layer of one kind.

    Parameters
    ----------
    source
        A path, or an upload in memory: ``bytes`` or a binary file-like
        object (such as Streamlit's ``UploadedFile``), whose ``name``
        attribute, if any, gives the file extension. The format is detected
        from the extension and the file's first bytes: CSV, XLSX, GeoJSON,
        GeoPackage, zipped Shapefile (or a ``.shp`` path).
    kind
        Layer kind, one of :data:`geodata.schema.KINDS`.
    crs
        Coordinate system the coordinates are in: ``"wgs84"``,
        ``"cgcs2000"``, ``"gcj02"`` (AMap, Tencent, DataV), ``"bd09"``
        (Baidu) or an EPSG code. A spatial file's own coordinate system
        (GeoJSON, GeoPackage, a Shapefile's ``.prj``) takes precedence,
        except that ``"gcj02"`` and ``"bd09"`` always apply: such files
        claim EPSG:4326 but hold shifted numbers.
    sheet
        Workbook sheet, by name or 0-based position; default the first.
    layer
        GeoPackage layer, or the Shapefile inside a zip (by file stem);
        default the layer named like ``kind``, else the only layer.
    encoding
        Text encoding of a CSV or a Shapefile's ``.dbf``; default detected
        (UTF-16 with BOM, as Excel's "Unicode text"; UTF-8 with or without
        BOM; GB18030, which covers GBK; Big5 when the text decoded as
        GB18030 is mostly rare characters).
    lenient
        Skip rows with problems instead of raising (the skipped rows are
        reported); problems with the whole file still raise.
    return_report
        Also return the table of skipped rows: ``(layer, report)``.
    study_area
        Optional area (shapely geometry or GeoDataFrame): features outside
        it are warned about.

    Returns
    -------
    geopandas.GeoDataFrame or tuple
        See :func:`geodata.validation.validate_layer`. ``attrs["warnings"]``
        lists :class:`~geodata.Problem` records with ``severity="warning"``:
        what was done for the user (merged cells filled down, decimal commas
        read, Big5 detected, another sheet read, Shapefile-truncated column
        names mapped, ids generated) and the plausibility checks;
        ``attrs["header_line"]`` is the line the header was found on. A CSV
        over :data:`FAST_CSV_BYTES` keeps its text fields as pandas ``str``
        columns (pyarrow), its category fields and few-valued text fields
        (counties, zones) as categoricals, to save memory. Each
        problem's ``row`` counts data rows from 1; its ``line`` is the line a
        spreadsheet shows (the header is line 1, title lines above count).

    Raises
    ------
    FileNotFoundError
        If ``source`` is a path that does not exist.
    geodata.DataError
        If the file cannot be read or has problems; it lists all of them.
        Limits: archives unpack to at most 1 GiB with a compression ratio of
        at most 200:1 (:mod:`geodata._archives`); a CSV may have at most
        :data:`MAX_CSV_BYTES` bytes and :data:`MAX_ROWS` rows, and one over
        :data:`SMALL_CSV_BYTES` must have as many values on every row as
        its header has columns.
    """
    layer_kind(kind)
    _crs.parse_crs(crs)
    name, path, data = _open(source)
    checks = {"crs": crs, "lenient": lenient, "return_report": return_report}
    options = {"sheet": sheet, "layer": layer, "encoding": encoding}
    try:
        try:
            result, header_line, notes = _load(name, path, data, kind, options, checks, study_area)
        except Irregular:
            result, header_line, notes = _load(
                name, path, data, kind, {**options, "fast": False}, checks, study_area
            )
    except DataError:
        raise
    except (MemoryError, RecursionError, OSError, ValueError, KeyError, IndexError) as exc:
        unreadable(name, exc)
    except shapely.errors.GEOSException as exc:
        unreadable(name, exc)
    out = result[0] if isinstance(result, tuple) else result
    out.attrs["warnings"] = shift_lines(notes + out.attrs.get("warnings", []), header_line)
    out.attrs["header_line"] = header_line
    return result


def _load(
    name: str,
    path: Path | None,
    data: bytes | None,
    kind: str,
    options: dict[str, Any],
    checks: dict[str, Any],
    study_area: Any,
) -> tuple[Any, int, list[Problem]]:
    """Read and validate; problems are numbered by spreadsheet line."""
    parts, header_line, notes = _read_parts(name, path, data, kind, **options)
    compact = not isinstance(parts, list)  # a large CSV, read in blocks
    try:
        result = validate_parts(
            parts, kind, source=name, study_area=study_area, compact=compact, **checks
        )
    except DataError as exc:
        raise DataError(shift_lines(exc.problems, header_line), source=name) from None
    return result, header_line, notes


def _read_parts(
    name: str,
    path: Path | None,
    data: bytes | None,
    kind: str,
    *,
    sheet: str | int | None,
    layer: str | None,
    encoding: str | None,
    fast: bool = True,
) -> tuple[Iterable[pd.DataFrame], int, list[Problem]]:
    """Return ``(parts of the table, line of the header, notes)``; large CSVs come in blocks."""
    size = len(data) if data is not None else Path(str(path)).stat().st_size
    if fast and size > FAST_CSV_BYTES:
        head = data[:HEAD_BYTES] if data is not None else _read_head(path, HEAD_BYTES)
        if detect_format(name, head[:_HEAD], size, data, path) == "csv":
            if size > MAX_CSV_BYTES:
                limit = MAX_CSV_BYTES >> 20
                fail(name, "too_big", size=size >> 20, limit=limit, what="CSV", alt="a GeoPackage")
            source = data if data is not None else Path(str(path))
            return open_csv(source, head, name, encoding, kind, max_rows=MAX_ROWS)
    if not fast and size > SMALL_CSV_BYTES:
        limit = SMALL_CSV_BYTES >> 20
        fail(name, "ragged_rows", size=size >> 20, limit=limit)
    table, header_line, notes = _read_table(
        name, path, data, kind, sheet=sheet, layer=layer, encoding=encoding
    )
    return [table], header_line, notes


def _read_table(
    name: str,
    path: Path | None,
    data: bytes | None,
    kind: str,
    *,
    sheet: str | int | None,
    layer: str | None,
    encoding: str | None,
) -> tuple[pd.DataFrame, int, list[Problem]]:
    """Return ``(table, line of the header, notes)`` for any supported file."""
    size = len(data) if data is not None else Path(str(path)).stat().st_size
    head = data[:_HEAD] if data is not None else _read_head(path)
    fmt = detect_format(name, head, size, data, path)
    notes: list[Problem] = []
    ext = Path(name).suffix.lower()
    if fmt == "xlsx" and ext in (".csv", ".txt", ".tsv", ".zip"):
        notes.append(Problem.make("wrong_extension", severity="warning", ext=ext, actual="XLSX"))
    if fmt == "xls":
        fail(name, "xls_old")
    if fmt == "csv":
        if size > MAX_CSV_BYTES:
            limit = MAX_CSV_BYTES >> 20
            fail(name, "too_big", size=size >> 20, limit=limit, what="CSV", alt="a GeoPackage")
        content = data if data is not None else Path(str(path)).read_bytes()
        return read_csv(content, name, encoding, kind)
    if fmt == "xlsx":
        if size > _MAX_XLSX_BYTES:
            limit = _MAX_XLSX_BYTES >> 20
            fail(name, "too_big", size=size >> 20, limit=limit, what="XLSX", alt="CSV")
        content = data if data is not None else Path(str(path)).read_bytes()
        table, header_line, more = read_xlsx(content, name, sheet, kind)
        return table, header_line, notes + more
    if fmt == "zip":
        inner = table_in_zip(data if data is not None else Path(str(path)), name)
        if inner is not None:
            member, content = inner
            return _read_table(
                member, None, content, kind, sheet=sheet, layer=layer, encoding=encoding
            )
    if fmt == "shp" and path is None:
        fail(name, "shp_upload")
    if size > _MAX_VECTOR_BYTES:
        limit = _MAX_VECTOR_BYTES >> 20
        fail(name, "too_big", size=size >> 20, limit=limit, what="GIS", alt="a GeoPackage")
    with tempfile.TemporaryDirectory(prefix="infrasite-") as tmp:
        if path is None:
            path = Path(tmp) / _safe_name(name, fmt)
            path.write_bytes(data)  # type: ignore[arg-type]
        frame = read_vector(fmt, Path(path), Path(tmp), name, kind, layer, encoding)
    if fmt in ("zip", "shp"):
        frame, more = untruncate(frame, kind)
        notes += more
    return frame, 1, notes


def _open(source: Any) -> tuple[str, Path | None, bytes | None]:
    """Return ``(display name, path or None, bytes or None)``."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.exists():
            msg = f"source {str(path)!r} does not exist"
            raise FileNotFoundError(msg)
        if path.is_dir():
            msg = f"source must be a file, not the folder {str(path)!r}"
            raise ValueError(msg)
        return path.name, path, None
    if isinstance(source, bytes | bytearray | memoryview):
        return "upload", None, bytes(source)
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        content = source.read()
        if isinstance(content, str):
            content = content.encode("utf-8")
        name = Path(str(getattr(source, "name", "") or "upload")).name
        return name, None, bytes(content)
    msg = (
        "source must be a path, bytes, or a binary file-like object with .read(); "
        f"got {type(source).__name__}"
    )
    raise TypeError(msg)


def _read_head(path: Path | None, n: int = _HEAD) -> bytes:
    if path is None:
        return b""
    with open(path, "rb") as fh:
        return fh.read(n)


def _safe_name(name: str, fmt: str) -> str:
    stem = Path(name).stem or "upload"
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem)
    ext = {"geojson": ".geojson", "gpkg": ".gpkg", "zip": ".zip", "shp": ".shp"}[fmt]
    return stem + ext
