"""Reading GIS files: GeoJSON, GeoPackage layers and zipped Shapefiles.

Shapefiles bring their own trouble: a ``.dbf`` in GBK without a ``.cpg``,
missing parts, and column names cut to 10 bytes.
"""

from __future__ import annotations

import contextlib
import struct
import warnings
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from ._archives import extract
from ._errors import Problem
from ._sniff import fail, unreadable
from ._tables import LAT_NAMES, LON_NAMES, bare, known_names, norm
from .schema import layer_kind


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


def read_vector(
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
        unreadable(name, exc)
    except shapely.errors.GEOSException as exc:
        unreadable(name, exc)
    except zipfile.BadZipFile as exc:
        fail(name, "bad_zip", reason=str(exc))


def untruncate(frame: gpd.GeoDataFrame, kind: str) -> tuple[gpd.GeoDataFrame, list[Problem]]:
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
