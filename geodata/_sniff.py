"""Telling what a file is from its content: format, text encoding, delimiter, decimal mark.

The extension is a hint; the first bytes decide (an ``.xlsx`` named ``.csv``
is read as a workbook, a PDF named ``.csv`` is refused with a clear reason).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from ._errors import DataError, Problem

EXTENSIONS = {
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
FORMATS = "CSV, XLSX, GeoJSON, GeoPackage (.gpkg) or a zipped Shapefile (.zip)"
_DELIMITERS = (",", "\t", ";", "|")
_SNIFF_LINES = 30
_DECIMAL_COMMA = re.compile(r"^\s*-?\d+(?:\.\d{3})*,\d+\s*$")
_UNAMBIGUOUS_COMMA = re.compile(r"^\s*-?\d+,(?:\d{1,2}|\d{4,})\s*$")
_NUMBER_LIKE = re.compile(r"^[+-]?\d+(?:[.,]\d+)*$")


def fail(name: str, code: str, **params: Any) -> NoReturn:
    """Raise a DataError with one whole-file problem."""
    raise DataError([Problem.make(code, **params)], source=name)


def detect_format(name: str, head: bytes, size: int, data: bytes | None, path: Path | None) -> str:
    """Return ``csv``, ``xlsx``, ``xls``, ``geojson``, ``gpkg``, ``zip`` or ``shp``."""
    ext = Path(name).suffix.lower()
    by_ext = EXTENSIONS.get(ext)
    if size == 0:
        fail(name, "empty_file")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "xlsx" if _zip_is_workbook(data, path, head) else "zip"
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"%PDF"):
        fail(name, "pdf_file")
    if by_ext == "shp" or (by_ext is None and head[:4] == b"\x00\x00\x27\x0a"):
        return "shp"
    if by_ext in ("xlsx", "gpkg", "zip"):
        fail(name, "not_valid_ext", ext=ext)
    if _is_binary(head):
        fail(name, "binary_file", formats=FORMATS)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml", b"<meta")):
        fail(name, "html_file", ext=ext or "?")
    if start.startswith(b"[") and (by_ext == "geojson" or start[1:].lstrip()[:1] in (b"{", b"[")):
        fail(name, "json_not_geojson")
    if start.startswith(b"{"):
        if b'"type"' not in head and b'"features"' not in head:
            fail(name, "json_not_geojson")
        return "geojson"
    if by_ext == "geojson":
        return "geojson"
    if by_ext is None and ext:
        fail(name, "unsupported_type", ext=ext, formats=FORMATS)
    return "csv"


def _zip_is_workbook(data: bytes | None, path: Path | None, head: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else str(path)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return b"[Content_Types].xml" in head or b"xl/" in head
    return "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names)


def _is_binary(head: bytes) -> bool:
    """Whether the first bytes cannot be text in any encoding read here."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    sample = head[:4096]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 12))
    return controls > max(4, len(sample) // 50)


def _gb2312_share(text: str) -> float:
    """Share of the CJK characters of ``text`` that are in GB2312 (common simplified)."""
    cjk = [ch for ch in text if "\u3400" <= ch <= "\u9fff"]
    if not cjk:
        return 1.0
    sample = cjk[:20000]
    common = 0
    for ch in sample:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(sample)


def decode(content: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """Return ``(text, encoding used)``; Big5 is told from GBK by how common the characters are."""
    if encoding is not None:
        try:
            return content.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            fail(name, "decode_failed", encoding=encoding, reason=str(exc))
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            fail(name, "decode_failed", encoding="utf-16", reason=str(exc))
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    gb: str | None
    try:
        gb = content.decode("gb18030")
    except UnicodeDecodeError:
        gb = None
    if gb is not None and _gb2312_share(gb) >= 0.9:
        return gb, "gb18030"
    for big5 in ("big5", "big5hkscs", "cp950"):
        try:
            text = content.decode(big5)
        except UnicodeDecodeError:
            continue
        if gb is None or _gb2312_share(gb) < 0.9:
            return text, "big5"
    if gb is not None:
        return gb, "gb18030"
    fail(name, "unknown_encoding")


def sniff_delimiter(text: str) -> str:
    """Return the delimiter giving the most lines with one consistent field count.

    Title lines above the header (one field, or a different count) do not
    decide it: the count shared by most of the first lines does.
    """
    lines = [ln for ln in text.splitlines()[:_SNIFF_LINES] if ln.strip()]
    best, best_score = ",", 0
    for sep in _DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=sep)]
        except csv.Error:
            continue
        widths: dict[int, int] = {}
        for c in counts:
            if c > 1:
                widths[c] = widths.get(c, 0) + 1
        if not widths:
            continue
        width, support = max(widths.items(), key=lambda kv: (kv[1], kv[0]))
        score = support * 1000 + width
        if score > best_score:
            best, best_score = sep, score
    return best


def decimal_comma(cells: list[str]) -> bool:
    """Whether numbers with a decimal comma are unambiguously used (``1234,5``)."""
    seen = False
    for cell in cells:
        if _UNAMBIGUOUS_COMMA.match(cell):
            seen = True
        elif re.match(r"^\s*-?\d+\.\d+\s*$", cell):
            return False
    return seen


def to_decimal_point(cell: str) -> str:
    """Return ``1.234,5`` as ``1234.5``; other text unchanged."""
    if _DECIMAL_COMMA.match(cell):
        return cell.strip().replace(".", "").replace(",", ".")
    return cell


def fix_decimal_commas(table: pd.DataFrame, everywhere: bool) -> tuple[pd.DataFrame, str | None]:
    """Read decimal commas in the number columns of a table whose delimiter is not a comma.

    A column is a number column when every value in it is a number written
    with ``.`` or ``,``. In it, ``1234,5`` (a comma not followed by exactly
    three digits) can only be a decimal comma and is read as ``1234.5``; when
    the file writes decimals with commas throughout (``everywhere``, see
    :func:`decimal_comma`), ``1.234,5`` and ``1,234`` are read that way too.
    Text columns (ids, names) are left alone. Returns the table and an
    example of a converted value, or None when nothing was converted.
    """
    example: str | None = None
    out = table
    for i in range(table.shape[1]):
        col = table.iloc[:, i]
        if pd.api.types.is_numeric_dtype(col):
            continue
        text = col.astype(object).where(col.notna(), "").astype(str).str.strip()
        filled = text != ""
        if not bool(filled.any()) or not bool(text[filled].str.match(_NUMBER_LIKE).all()):
            continue
        if everywhere:
            hit = text.str.match(_DECIMAL_COMMA) & text.str.contains(",", regex=False)
            fixed = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        else:
            hit = text.str.match(_UNAMBIGUOUS_COMMA)
            fixed = text.str.replace(",", ".", regex=False)
        if not bool(hit.any()):
            continue
        if example is None:
            example = str(text[hit].iloc[0])
        if out is table:
            out = table.copy()
        out.iloc[:, i] = text.where(~hit, fixed).where(filled, col).to_numpy(dtype=object)
    return out, example


def swallowed_rows(cell: str, sep: str, width: int) -> bool:
    """Whether a value's later lines look like rows of the table (a quote left open).

    A line break inside a quoted value is fine (an address on two lines); a
    later line with about as many delimiters as a row has is a row that an
    unclosed quote swallowed.
    """
    need = max(1, (width - 1) // 2)
    return any(part.count(sep) >= need for part in cell.split("\n")[1:])


def unreadable(name: str, exc: BaseException) -> NoReturn:
    """Raise a DataError for an exception a reader library raised, without temporary paths."""
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
