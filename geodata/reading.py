"""Reading planners' files into validated layers.

:func:`read_layer` accepts the files planners actually have: CSV in UTF-8,
UTF-8 with BOM or GBK/GB18030 (detected automatically), Excel workbooks,
GeoJSON, GeoPackage and zipped Shapefiles, from a path or from memory (an
upload in the app). It finds the table, hands it to
:func:`geodata.validation.validate_layer`, and returns a layer in EPSG:4326.
"""

from __future__ import annotations

import csv
import io
import os
import struct
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any, NoReturn

import geopandas as gpd
import pandas as pd

from . import crs as _crs
from ._errors import DataError, Problem
from .schema import layer_kind
from .validation import _bare, _blank, _known_names, _norm, validate_layer

_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "zip",
    ".shp": "shp",
}
_FORMATS = "CSV, XLSX, GeoJSON, GeoPackage (.gpkg) or a zipped Shapefile (.zip)"
_HEAD = 8192
_HEADER_SCAN = 10


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
        BOM; then GB18030, which covers GBK).
    lenient
        Skip rows with problems instead of raising (the skipped rows are
        reported); problems with the whole file still raise.
    return_report
        Also return the table of skipped rows: ``(layer, report)``.

    Returns
    -------
    geopandas.GeoDataFrame or tuple
        See :func:`geodata.validation.validate_layer`. Row numbers in
        problems and reports count data rows from 1 (the first row under the
        header is 1; it is line 2 in Excel).

    Raises
    ------
    FileNotFoundError
        If ``source`` is a path that does not exist.
    geodata.DataError
        If the file cannot be read or has problems; it lists all of them.
    """
    layer_kind(kind)
    _crs.parse_crs(crs)
    name, path, data = _open(source)
    head = data[:_HEAD] if data is not None else _read_head(path)
    fmt = _detect_format(name, head)
    if fmt == "xls":
        _fail(name, "old Excel .xls files are not supported: save the sheet as .xlsx or CSV")
    if fmt in ("csv", "xlsx"):
        content = data if data is not None else Path(str(path)).read_bytes()
        table: pd.DataFrame
        if fmt == "csv":
            table = _read_csv(content, name, encoding, kind)
        else:
            table = _read_xlsx(content, name, sheet, kind)
    else:
        if fmt == "shp" and path is None:
            _fail(name, "upload a Shapefile as one .zip holding its .shp, .shx, .dbf and .prj")
        with tempfile.TemporaryDirectory(prefix="infrasite-") as tmp:
            if path is None:
                path = Path(tmp) / _safe_name(name, fmt)
                path.write_bytes(data)  # type: ignore[arg-type]
            table = _read_vector(fmt, Path(path), Path(tmp), name, kind, layer, encoding)
    return validate_layer(
        table, kind, crs=crs, source=name, lenient=lenient, return_report=return_report
    )


def _fail(name: str, message: str) -> NoReturn:
    raise DataError([Problem(None, None, message)], source=name)


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


def _detect_format(name: str, head: bytes) -> str:
    ext = Path(name).suffix.lower()
    by_ext = _EXTENSIONS.get(ext)
    if head.startswith(b"PK\x03\x04"):
        looks_like_excel = b"[Content_Types].xml" in head or b"xl/" in head
        if by_ext == "xlsx" or (by_ext is None and looks_like_excel):
            return "xlsx"
        return "zip"
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if by_ext == "shp" or (by_ext is None and head[:4] == b"\x00\x00\x27\x0a"):
        return "shp"
    if by_ext in ("csv", "geojson"):
        return by_ext
    if by_ext in ("xlsx", "gpkg", "zip"):
        _fail(name, f"the file is not a valid {ext} file (its first bytes do not match)")
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "geojson"
    if by_ext is None and ext:
        _fail(name, f"unsupported file type {ext!r}: use {_FORMATS}")
    return "csv"


def _safe_name(name: str, fmt: str) -> str:
    stem = Path(name).stem or "upload"
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem)
    ext = {"geojson": ".geojson", "gpkg": ".gpkg", "zip": ".zip", "shp": ".shp"}[fmt]
    return stem + ext


def _decode(content: bytes, name: str, encoding: str | None) -> str:
    if encoding is not None:
        try:
            return content.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            _fail(name, f"could not decode the file as {encoding!r}: {exc}")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            _fail(name, f"could not decode the file as UTF-16: {exc}")
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(candidate)
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        _fail(name, "the file is neither UTF-8 nor GBK: pass encoding= (e.g. 'big5')")
    best = from_bytes(content).best()
    if best is None:
        _fail(name, "could not detect the text encoding: pass encoding= (e.g. 'gbk')")
    return str(best)


def _trim_blank_tail(table: pd.DataFrame) -> pd.DataFrame:
    """Drop wholly empty rows at the end and unnamed wholly empty columns."""
    blank = pd.DataFrame({c: _blank(table[c]) for c in table.columns}, index=table.index)
    filled = ~blank.all(axis=1).to_numpy()
    last = int(filled.nonzero()[0].max()) + 1 if filled.any() else 0
    table = table.iloc[:last]
    blank = blank.iloc[:last]
    drop = [c for c in table.columns if str(c).startswith("Unnamed:") and bool(blank[c].all())]
    return table.drop(columns=drop).reset_index(drop=True)


def _header_text(value: object, position: int) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip():
        return f"Unnamed: {position}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _with_header(grid: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Use the row naming the most known columns (among the first few) as the header.

    Spreadsheets often carry a title or notes above the header; data rows are
    counted from the row under the header whichever row that is.
    """
    if grid.empty:
        return pd.DataFrame()
    known = _known_names(layer_kind(kind))
    best, best_score = 0, 0
    for i in range(min(_HEADER_SCAN, len(grid))):
        score = sum(
            1
            for v in grid.iloc[i]
            if isinstance(v, str) and (_norm(v) in known or _bare(v) in known)
        )
        if score > best_score:
            best, best_score = i, score
    names: list[str] = []
    seen: dict[str, int] = {}
    for j, value in enumerate(grid.iloc[best]):
        text = _header_text(value, j)
        if text in seen:
            seen[text] += 1
            text = f"{text}.{seen[text]}"
        else:
            seen[text] = 0
        names.append(text)
    table = grid.iloc[best + 1 :].reset_index(drop=True)
    table.columns = pd.Index(names)
    return _trim_blank_tail(table)


def _read_csv(content: bytes, name: str, encoding: str | None, kind: str) -> pd.DataFrame:
    text = _decode(content, name, encoding)
    first = text.lstrip("\r\n").split("\n", 1)[0]
    sep = max([",", "\t", ";", "|"], key=first.count)
    if first.count(sep) == 0:
        sep = ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        _fail(name, f"could not read the file as CSV: {exc}")
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    return _with_header(grid, kind)


def _read_xlsx(content: bytes, name: str, sheet: str | int | None, kind: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            book = pd.ExcelFile(io.BytesIO(content), engine="openpyxl")
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            _fail(name, f"could not read the file as an Excel workbook: {exc}")
        names = list(book.sheet_names)
        chosen: str | int = 0 if sheet is None else sheet
        listed = ", ".join(repr(str(s)) for s in names)
        if isinstance(chosen, int) and not 0 <= chosen < len(names):
            _fail(name, f"sheet {chosen} does not exist; the workbook has sheets {listed}")
        if isinstance(chosen, str) and chosen not in names:
            _fail(name, f"sheet {chosen!r} does not exist; the workbook has sheets {listed}")
        grid = pd.read_excel(book, sheet_name=chosen, header=None, dtype=object)
    return _with_header(grid, kind)


def _choose(options: list[str], wanted: str | None, kind: str, what: str, name: str) -> str:
    listed = ", ".join(repr(o) for o in options) or "none"
    if wanted is not None:
        if wanted not in options:
            _fail(name, f"{what} {wanted!r} does not exist; the file has {what}s {listed}")
        return wanted
    for option in options:
        if Path(option).stem.casefold() == kind.casefold():
            return option
    if len(options) == 1:
        return options[0]
    _fail(name, f"the file has several {what}s ({listed}): choose one with {what}=")


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


def _member_name(info: zipfile.ZipInfo) -> str:
    """Return a zip member's name, decoding GBK names written by Chinese Windows tools."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _extract(archive: zipfile.ZipFile, folder: Path) -> None:
    """Extract every file of ``archive`` under ``folder`` (never outside it)."""
    root = folder.resolve()
    for info in archive.infolist():
        if info.is_dir():
            continue
        target = (folder / _member_name(info)).resolve()
        if not target.is_relative_to(root):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.read(info))


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
                    _extract(archive, folder)
                shps = sorted(
                    p
                    for p in folder.rglob("*")
                    if p.suffix.lower() == ".shp" and "__MACOSX" not in p.parts
                )
                if not shps:
                    found = ", ".join(sorted(p.name for p in folder.rglob("*") if p.is_file()))
                    _fail(name, f"the zip file holds no Shapefile (.shp); it holds: {found}")
                by_stem = {p.stem: p for p in shps}
                path = by_stem[_choose(list(by_stem), layer, kind, "layer", name)]
            dbf_encoding = encoding or _dbf_encoding(path)
            if dbf_encoding is not None:
                options["encoding"] = dbf_encoding
        elif encoding is not None:
            options["encoding"] = encoding
        return gpd.read_file(path, engine="pyogrio", **options)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        _fail(name, f"could not read the file: {exc}")
    except zipfile.BadZipFile as exc:
        _fail(name, f"could not open the zip file: {exc}")
