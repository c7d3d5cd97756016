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

import contextlib
import csv
import io
import os
import struct
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from . import crs as _crs
from ._archives import check_limits, extract
from ._errors import DataError, Problem, shift_lines
from ._sniff import decimal_comma, decode, detect_format, fail, sniff_delimiter, to_decimal_point
from ._tables import LAT_NAMES, LON_NAMES, bare, blank, known_names, norm
from .schema import layer_kind
from .validation import validate_layer

_HEAD = 8192
_HEADER_SCAN = 10
MAX_CSV_BYTES = 64 << 20
"""Largest CSV read (64 MiB, about 600,000 rows of enterprises); split larger files."""
MAX_ROWS = 1_000_000
"""Most rows in one layer."""
_FAST_BYTES = 4 << 20
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
        names mapped, ids generated) and the plausibility checks. Each
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
        :data:`MAX_CSV_BYTES` bytes and :data:`MAX_ROWS` rows.
    """
    layer_kind(kind)
    _crs.parse_crs(crs)
    name, path, data = _open(source)
    try:
        table, header_line, notes = _read_table(
            name, path, data, kind, sheet=sheet, layer=layer, encoding=encoding
        )
        try:
            result = validate_layer(
                table,
                kind,
                crs=crs,
                source=name,
                lenient=lenient,
                return_report=return_report,
                study_area=study_area,
            )
        except DataError as exc:
            raise DataError(shift_lines(exc.problems, header_line), source=name) from None
    except DataError:
        raise
    except (MemoryError, RecursionError, OSError, ValueError, KeyError, IndexError) as exc:
        _unreadable(name, exc)
    except shapely.errors.GEOSException as exc:
        _unreadable(name, exc)
    out = result[0] if isinstance(result, tuple) else result
    out.attrs["warnings"] = notes + shift_lines(out.attrs.get("warnings", []), header_line)
    return result


def _unreadable(name: str, exc: BaseException) -> Any:
    reason = str(exc) or type(exc).__name__
    tmp = tempfile.gettempdir()
    if tmp in reason:
        reason = " ".join(
            Path(w).name if w.strip("'\"").startswith(tmp) else w for w in reason.split()
        )
    if "closed" in reason.lower() and "ring" in reason.lower():
        fail(name, "unclosed_ring")
    if isinstance(exc, MemoryError):
        reason = "not enough memory"
    fail(name, "unreadable", reason=reason)


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
        return _read_csv(content, name, encoding, kind)
    if fmt == "xlsx":
        if size > _MAX_XLSX_BYTES:
            limit = _MAX_XLSX_BYTES >> 20
            fail(name, "too_big", size=size >> 20, limit=limit, what="XLSX", alt="CSV")
        content = data if data is not None else Path(str(path)).read_bytes()
        table, header_line, more = _read_xlsx(content, name, sheet, kind)
        return table, header_line, notes + more
    if fmt == "shp" and path is None:
        fail(name, "shp_upload")
    if size > _MAX_VECTOR_BYTES:
        limit = _MAX_VECTOR_BYTES >> 20
        fail(name, "too_big", size=size >> 20, limit=limit, what="GIS", alt="a GeoPackage")
    with tempfile.TemporaryDirectory(prefix="infrasite-") as tmp:
        if path is None:
            path = Path(tmp) / _safe_name(name, fmt)
            path.write_bytes(data)  # type: ignore[arg-type]
        frame = _read_vector(fmt, Path(path), Path(tmp), name, kind, layer, encoding)
    if fmt in ("zip", "shp"):
        frame, more = _untruncate(frame, kind)
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


def _read_head(path: Path | None) -> bytes:
    if path is None:
        return b""
    with open(path, "rb") as fh:
        return fh.read(_HEAD)


def _safe_name(name: str, fmt: str) -> str:
    stem = Path(name).stem or "upload"
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem)
    ext = {"geojson": ".geojson", "gpkg": ".gpkg", "zip": ".zip", "shp": ".shp"}[fmt]
    return stem + ext


def _trim_blank_tail(table: pd.DataFrame) -> pd.DataFrame:
    """Drop wholly empty rows at the end and unnamed wholly empty columns."""
    empty = pd.DataFrame({i: blank(table.iloc[:, i]) for i in range(table.shape[1])})
    if not table.shape[1]:
        return table.reset_index(drop=True)
    filled = ~empty.all(axis=1).to_numpy()
    last = int(filled.nonzero()[0].max()) + 1 if filled.any() else 0
    table = table.iloc[:last]
    empty = empty.iloc[:last]
    keep = [
        i
        for i, c in enumerate(table.columns)
        if not (str(c).startswith("Unnamed:") and bool(empty[i].all()))
    ]
    return table.iloc[:, keep].reset_index(drop=True)


def _header_text(value: object, position: int) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip():
        return f"Unnamed: {position}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_score(grid: pd.DataFrame, known: set[str]) -> tuple[int, int]:
    """Return ``(row index, score)`` of the row naming the most known columns."""
    best, best_score = 0, 0
    for i in range(min(_HEADER_SCAN, len(grid))):
        score = sum(
            1 for v in grid.iloc[i] if isinstance(v, str) and (norm(v) in known or bare(v) in known)
        )
        if score > best_score:
            best, best_score = i, score
    return best, best_score


def _with_header(grid: pd.DataFrame, kind: str, name: str) -> tuple[pd.DataFrame, int]:
    """Use the row naming the most known columns (among the first few) as the header.

    Spreadsheets often carry a title or notes above the header; data rows are
    counted from the row under the header whichever row that is. Returns the
    table and the header's line (1-based). Values beyond the header's last
    column are an error (an unquoted comma, usually).
    """
    if grid.empty:
        return pd.DataFrame(), 1
    best, _ = _header_score(grid, known_names(layer_kind(kind)))
    header = list(grid.iloc[best])
    width = max(
        (j + 1 for j, v in enumerate(header) if not _header_text(v, j).startswith("Unnamed: ")),
        default=0,
    )
    body = grid.iloc[best + 1 :].reset_index(drop=True)
    if body.shape[1] > width:
        extra = body.iloc[:, width:]
        over = ~pd.DataFrame({i: blank(extra.iloc[:, i]) for i in range(extra.shape[1])}).all(
            axis=1
        )
        rows = over.to_numpy().nonzero()[0]
        if len(rows):
            problems = []
            for pos in rows:
                cells = body.iloc[pos]
                n = int(
                    max(j + 1 for j in range(len(cells)) if not blank(cells.iloc[j : j + 1])[0])
                )
                problems.append(
                    Problem.make("extra_fields", int(pos) + 1, None, None, n=n, width=width)
                )
            raise DataError(shift_lines(problems, best + 1), source=name)
    names = [_header_text(v, j) for j, v in enumerate(header)]
    table = body.copy()
    table.columns = pd.Index(names)
    return _trim_blank_tail(table), best + 1


def _read_csv(
    content: bytes, name: str, encoding: str | None, kind: str
) -> tuple[pd.DataFrame, int, list[Problem]]:
    text, used = decode(content, name, encoding)
    notes: list[Problem] = []
    if used == "big5" and encoding is None:
        notes.append(Problem.make("big5_detected", severity="warning"))
    sep = sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        fail(name, "bad_csv", reason=str(exc))
    if len(rows) > MAX_ROWS + _HEADER_SCAN:
        fail(name, "too_many_rows", limit=MAX_ROWS)
    _check_quotes(rows, sep, name)
    if sep != ",":
        cells = [c for r in rows[1:200] for c in r]
        if decimal_comma(cells):
            rows = [[to_decimal_point(c) for c in r] for r in rows]
            example = next(c for c in cells if to_decimal_point(c) != c)
            notes.append(Problem.make("decimal_comma", severity="warning", example=example))
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    table, header_line = _with_header(grid, kind, name)
    return table, header_line, notes


def _check_quotes(rows: list[list[str]], sep: str, name: str) -> None:
    """Raise if a stray quote swallowed following lines into one value."""
    for pos, row in enumerate(rows):
        for cell in row:
            if "\n" in cell:
                parts = cell.split("\n")
                if sum(sep in part for part in parts[1:]) >= 1:
                    problem = Problem.make("unbalanced_quote", pos, None, n=len(parts) - 1)
                    raise DataError([problem], source=name)


def _sheet_grid(ws: Any) -> tuple[list[list[Any]], dict[int, int]]:
    """Return a sheet's cell values with merged ranges filled, and filled cells per column."""
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    filled: dict[int, int] = {}
    for rng in list(ws.merged_cells.ranges):
        r0, c0, r1, c1 = rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1
        if r0 >= len(grid):
            continue
        value = grid[r0][c0] if c0 < len(grid[r0]) else None
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, len(grid[r]) - 1) + 1):
                if (r, c) != (r0, c0):
                    grid[r][c] = value
                    if r1 > r0:
                        filled[c] = filled.get(c, 0) + 1
    return grid, filled


def _read_xlsx(
    content: bytes, name: str, sheet: str | int | None, kind: str
) -> tuple[pd.DataFrame, int, list[Problem]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            check_limits(archive, name)
    except zipfile.BadZipFile as exc:
        fail(name, "bad_workbook", reason=str(exc))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            fail(name, "bad_workbook", reason=str(exc))
    names = list(book.sheetnames)
    listed = ", ".join(repr(str(s)) for s in names)
    notes: list[Problem] = []
    if isinstance(sheet, int) and not 0 <= sheet < len(names):
        fail(name, "no_sheet", sheet=str(sheet), listed=listed)
    if isinstance(sheet, str) and sheet not in names:
        fail(name, "no_sheet", sheet=repr(sheet), listed=listed)
    known = known_names(layer_kind(kind))
    if sheet is None:
        scores = [
            _header_score(pd.DataFrame(_sheet_grid(book[s])[0][:_HEADER_SCAN]), known)[1]
            for s in names
        ]
        chosen = names[max(range(len(names)), key=lambda i: (scores[i], -i))] if names else ""
        if chosen != names[0] and scores[0] == 0:
            notes.append(
                Problem.make("other_sheet", severity="warning", chosen=chosen, first=names[0])
            )
    else:
        chosen = names[sheet] if isinstance(sheet, int) else sheet
    grid, filled = _sheet_grid(book[chosen])
    _check_formulas(content, chosen, grid, name)
    frame = pd.DataFrame(grid, dtype=object)
    table, header_line = _with_header(frame, kind, name)
    for col, n in sorted(filled.items()):
        if col < len(table.columns) and n:
            label = str(table.columns[col])
            notes.append(Problem.make("merged_filled", None, label, severity="warning", n=n))
    return table, header_line, notes


def _check_formulas(content: bytes, sheet: str, grid: list[list[Any]], name: str) -> None:
    """Raise if cells hold formulas whose results were never saved (values read as empty)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    empty = {(r, c) for r, row in enumerate(grid) for c, v in enumerate(row) if v is None}
    if not empty:
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    cells = []
    for r, row in enumerate(book[sheet].iter_rows(values_only=True)):
        for c, v in enumerate(row):
            if (r, c) in empty and isinstance(v, str) and v.startswith("="):
                cells.append(f"{get_column_letter(c + 1)}{r + 1}")
    book.close()
    if cells:
        fail(name, "formula_no_value", n=len(cells), cell=cells[0])


def _choose(options: list[str], wanted: str | None, kind: str, what: str, name: str) -> str:
    listed = ", ".join(repr(o) for o in options) or "none"
    if wanted is not None:
        if wanted not in options:
            fail(name, "no_choice", what=what, wanted=wanted, listed=listed)
        return wanted
    for option in options:
        if Path(option).stem.casefold() == kind.casefold():
            return option
    if len(options) == 1:
        return options[0]
    fail(name, "several", what=what, listed=listed)


def _dbf_encoding(shp: Path) -> str | None:
    """Return an encoding for a ``.dbf`` without a ``.cpg``: None means GDAL's choice."""
    if any(shp.with_suffix(ext).exists() for ext in (".cpg", ".CPG")):
        return None
    dbf = next((p for p in (shp.with_suffix(".dbf"), shp.with_suffix(".DBF")) if p.exists()), None)
    if dbf is None:
        return None
    raw = dbf.read_bytes()
    if len(raw) < 32:
        return None
    if raw[29] == 0x4D:
        return "GB18030"
    header = struct.unpack("<H", raw[8:10])[0]
    names = [raw[i : i + 11].split(b"\x00", 1)[0] for i in range(32, header - 1, 32)]
    body = b"".join(names) + raw[header:]
    if body.isascii():
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "GB18030"
    return "UTF-8"


def _check_parts(shp: Path, name: str) -> None:
    """Raise if a Shapefile lacks its attribute table or index."""
    for part, what in ((".dbf", "attribute table"), (".shx", "index")):
        if not any(shp.with_suffix(s).exists() for s in (part, part.upper())):
            fail(name, "shp_part_missing", stem=shp.stem, part=part, what=what)


def _read_vector(
    fmt: str,
    path: Path,
    tmp: Path,
    name: str,
    kind: str,
    layer: str | None,
    encoding: str | None,
) -> gpd.GeoDataFrame:
    import pyogrio

    options: dict[str, Any] = {}
    try:
        if fmt == "gpkg":
            listing = pyogrio.list_layers(path)
            spatial = [str(n) for n, g in listing if g is not None]
            others = [str(n) for n, g in listing if g is None]
            options["layer"] = _choose(spatial or others, layer, kind, "layer", name)
            if layer is not None and layer in others:
                options["layer"] = layer
        elif fmt in ("zip", "shp"):
            if fmt == "zip":
                folder = tmp / "unzipped"
                with zipfile.ZipFile(path) as archive:
                    extract(archive, folder, name)
                shps = sorted(
                    p
                    for p in folder.rglob("*")
                    if p.suffix.lower() == ".shp" and "__MACOSX" not in p.parts
                )
                if not shps:
                    found = ", ".join(sorted(p.name for p in folder.rglob("*") if p.is_file()))
                    fail(name, "no_shapefile", found=found or "nothing")
                by_stem = {p.stem: p for p in shps}
                path = by_stem[_choose(list(by_stem), layer, kind, "layer", name)]
            _check_parts(path, name)
            dbf_encoding = encoding or _dbf_encoding(path)
            if dbf_encoding is not None:
                options["encoding"] = dbf_encoding
        elif encoding is not None:
            options["encoding"] = encoding
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return gpd.read_file(path, engine="pyogrio", **options)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        _unreadable(name, exc)
    except shapely.errors.GEOSException as exc:
        _unreadable(name, exc)
    except zipfile.BadZipFile as exc:
        fail(name, "bad_zip", reason=str(exc))


def _untruncate(frame: gpd.GeoDataFrame, kind: str) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Map Shapefile column names cut to 10 bytes to the field they uniquely begin."""
    spec = layer_kind(kind)
    known = known_names(spec)
    aliases: list[tuple[str, str]] = [(n, n) for n in (*LON_NAMES, *LAT_NAMES)]
    for f in spec.fields:
        aliases += [(norm(a), f.name) for a in (f.name, f.label_zh, *f.aliases) if a]
    renames: dict[str, str] = {}
    notes: list[Problem] = []
    for col in frame.columns:
        text = str(col)
        if col == frame.geometry.name or norm(text) in known or bare(text) in known:
            continue
        with contextlib.suppress(UnicodeEncodeError):
            if len(text) < 4 or len(text.encode("gb18030")) < 9:
                continue
        fields = {fname for alias, fname in aliases if alias.startswith(norm(text))}
        if len(fields) == 1:
            target = fields.pop()
            if target not in renames.values() and target not in frame.columns:
                renames[text] = target
                notes.append(
                    Problem.make("truncated_name", None, text, severity="warning", field=target)
                )
    return frame.rename(columns=renames), notes
