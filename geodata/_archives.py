"""Zip archives from planners: GBK member names, no path traversal, size limits.

An archive may unpack to at most :data:`MAX_UNPACKED_BYTES` in total, and no
member larger than :data:`RATIO_FLOOR_BYTES` may be compressed more than
:data:`MAX_RATIO` to 1 (a "zip bomb"). The limits are checked on the sizes
the archive declares and again while unpacking, so a lying header does not
get past them.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ._sniff import fail

MAX_UNPACKED_BYTES = 1 << 30
"""Largest total uncompressed size of an archive (1 GiB)."""
MAX_RATIO = 200
"""Largest compression ratio of one member larger than :data:`RATIO_FLOOR_BYTES`."""
RATIO_FLOOR_BYTES = 16 << 20
"""Members up to this size (16 MiB) may be compressed any amount."""
_CHUNK = 1 << 20


def member_name(info: zipfile.ZipInfo) -> str:
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


def check_limits(archive: zipfile.ZipFile, name: str) -> None:
    """Raise a DataError if the archive declares too much data or a bomb-like ratio."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        big = info.file_size > RATIO_FLOOR_BYTES
        if big and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            fail(name, "zip_ratio", member=member_name(info), ratio=ratio, limit=MAX_RATIO)
    if total > MAX_UNPACKED_BYTES:
        fail(name, "zip_too_big", size=total >> 20, limit=MAX_UNPACKED_BYTES >> 20)


def extract(archive: zipfile.ZipFile, folder: Path, name: str) -> None:
    """Extract every file of ``archive`` under ``folder`` (never outside it), within the limits."""
    check_limits(archive, name)
    root = folder.resolve()
    written = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        target = (folder / member_name(info)).resolve()
        if not target.is_relative_to(root):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as src, open(target, "wb") as dst:
            while chunk := src.read(_CHUNK):
                written += len(chunk)
                if written > MAX_UNPACKED_BYTES:
                    fail(name, "zip_too_big", size=written >> 20, limit=MAX_UNPACKED_BYTES >> 20)
                dst.write(chunk)


_TABLE_EXTENSIONS = (".csv", ".tsv", ".xlsx", ".geojson", ".json", ".gpkg")


def table_in_zip(source: bytes | Path, name: str) -> tuple[str, bytes] | None:
    """Return ``(member name, content)`` of the one table in a zip without a Shapefile."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            check_limits(zf, name)
            members = [
                i
                for i in zf.infolist()
                if not i.is_dir() and "__MACOSX" not in member_name(i).split("/")
            ]
            suffixes = [Path(member_name(i)).suffix.lower() for i in members]
            pairs = zip(members, suffixes, strict=True)
            tables = [i for i, ext in pairs if ext in _TABLE_EXTENSIONS]
            if ".shp" in suffixes or len(tables) != 1:
                return None
            return Path(member_name(tables[0])).name, zf.read(tables[0])
    except zipfile.BadZipFile as exc:
        fail(name, "bad_zip", reason=str(exc))
