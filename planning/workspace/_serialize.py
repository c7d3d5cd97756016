"""Scenario results and record tables to storable parts (JSON text, NumPy and Parquet bytes).

A :class:`~planning.scenarios.ScenarioResult` becomes a :class:`ScenarioRecord`:
its spec, summary and solution figures as JSON text, the solution's arrays as
one ``.npz`` blob, and each table (proposed sites, served firms, indicators,
trade-off curve) as Parquet bytes, which keep dtypes, indexes (also
MultiIndexes) and, for GeoDataFrames, geometry and CRS exactly. Both storage
backends keep these parts as they are, so a loaded scenario equals the saved
one. Nothing is pickled: a shared database never runs code on load.
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..models import Solution
from ..scenarios import ScenarioResult, ScenarioSpec

FRAMES = ("proposed_sites", "served", "indicators", "curve")
"""The tables of a scenario result, stored one Parquet blob each."""

OPTIONAL_FRAMES = ("equity", "stages", "corridors")
"""Tables only some scenarios have (county floors, a staged rollout, truck corridors);
stored when present."""

_SOLUTION_SCALARS = ("objective", "bound", "gap", "status", "seconds", "sense", "method")
_SOLUTION_ARRAYS = ("selected", "covered", "assignment", "marginal")


@dataclass
class ScenarioRecord:
    """A scenario result in storable parts.

    Parameters
    ----------
    name
        Scenario name (unique within a project).
    spec, summary, solution
        JSON text of the spec, the headline figures and the solution scalars
        (with the JSON-compatible ``details``).
    arrays
        ``.npz`` bytes with the solution's arrays and array-valued details.
    frames
        Parquet bytes of each table in :data:`FRAMES`.
    saved, saved_by
        ISO time (UTC) and user of the save.
    """

    name: str
    spec: str
    summary: str
    solution: str
    arrays: bytes
    frames: dict[str, bytes] = field(default_factory=dict)
    saved: str = ""
    saved_by: str | None = None


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def dumps(value: Any) -> str:
    """Return JSON text (NaN and infinities allowed, non-ASCII kept)."""
    return json.dumps(_jsonable(value), ensure_ascii=False, allow_nan=True)


def frame_to_bytes(frame: pd.DataFrame) -> bytes:
    """Return Parquet bytes of a DataFrame or GeoDataFrame (GeoParquet, CRS kept)."""
    buf = io.BytesIO()
    if isinstance(frame, gpd.GeoDataFrame):
        frame.to_parquet(buf, index=None)
    else:
        frame.to_parquet(buf, index=None, engine="pyarrow")
    return buf.getvalue()


def frame_from_bytes(blob: bytes) -> pd.DataFrame:
    """Return the DataFrame (GeoDataFrame if it has geometry) of :func:`frame_to_bytes`."""
    import pyarrow.parquet as pq

    buf = io.BytesIO(blob)
    meta = pq.read_schema(buf).metadata or {}
    buf.seek(0)
    if b"geo" not in meta:
        return pd.read_parquet(buf, engine="pyarrow")
    geo = json.loads(meta[b"geo"])
    columns = geo.get("columns", {})
    if any(info.get("encoding", "WKB") != "WKB" for info in columns.values()):
        return gpd.read_parquet(buf)
    # Decoded here rather than by geopandas so that each CRS (PROJJSON,
    # tens of milliseconds to parse) is parsed once per process, not per frame.
    frame = pq.read_table(buf).to_pandas()
    for column, info in columns.items():
        crs = json.dumps(info["crs"], sort_keys=True) if "crs" in info else _CRS84
        frame[column] = gpd.GeoSeries.from_wkb(
            frame[column].to_numpy(), crs=_crs_of(crs), index=frame.index
        )
    return gpd.GeoDataFrame(frame, geometry=geo["primary_column"])


_CRS84 = json.dumps("OGC:CRS84")
"""A GeoParquet column without ``crs`` is in OGC:CRS84 (longitude, latitude)."""


@functools.lru_cache(maxsize=32)
def _crs_of(text: str) -> Any:
    """Return the pyproj CRS of JSON ``text`` (PROJJSON, a string, or null for none)."""
    import pyproj

    value = json.loads(text)
    return None if value is None else pyproj.CRS.from_user_input(value)


def result_to_record(result: ScenarioResult, *, saved: str, saved_by: str | None) -> ScenarioRecord:
    """Return the storable parts of a scenario result."""
    sol = result.solution
    arrays: dict[str, np.ndarray] = {}
    for key in _SOLUTION_ARRAYS:
        value = getattr(sol, key)
        if value is not None:
            arrays[key] = np.asarray(value)
    details: dict[str, Any] = {}
    frame_parts: dict[str, bytes] = {}
    for key, value in sol.details.items():
        if isinstance(value, np.ndarray):
            arrays[f"details.{key}"] = value
            details[key] = {"__array__": key}
        elif isinstance(value, pd.DataFrame):
            frame_parts[f"details.{key}"] = frame_to_bytes(value)
            details[key] = {"__frame__": key}
        elif sp.issparse(value):
            csr = sp.csr_array(value)
            for part in ("data", "indices", "indptr"):
                arrays[f"sparse.{key}.{part}"] = getattr(csr, part)
            details[key] = {"__sparse__": key, "shape": list(csr.shape)}
        else:
            details[key] = _jsonable(value)
    solution = {k: getattr(sol, k) for k in _SOLUTION_SCALARS}
    solution["details"] = details
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    frames = {key: frame_to_bytes(getattr(result, key)) for key in FRAMES}
    for key in OPTIONAL_FRAMES:
        table = getattr(result, key)
        if table is not None:
            frames[key] = frame_to_bytes(table)
    frames.update(frame_parts)
    return ScenarioRecord(
        name=result.name,
        spec=dumps(result.spec.to_dict()),
        summary=dumps(result.summary),
        solution=dumps(solution),
        arrays=buf.getvalue(),
        frames=frames,
        saved=saved,
        saved_by=saved_by,
    )


def record_to_result(record: ScenarioRecord) -> ScenarioResult:
    """Rebuild the :class:`ScenarioResult` of a record."""
    spec = ScenarioSpec.from_dict(json.loads(record.spec))
    summary = json.loads(record.summary)
    sol = json.loads(record.solution)
    with np.load(io.BytesIO(record.arrays), allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    details: dict[str, Any] = {}
    for key, value in sol.pop("details", {}).items():
        if isinstance(value, dict) and "__array__" in value:
            details[key] = arrays[f"details.{key}"]
        elif isinstance(value, dict) and "__frame__" in value:
            details[key] = frame_from_bytes(record.frames[f"details.{key}"])
        elif isinstance(value, dict) and "__sparse__" in value:
            parts = [arrays[f"sparse.{key}.{p}"] for p in ("data", "indices", "indptr")]
            details[key] = sp.csr_array(tuple(parts), shape=tuple(value["shape"]))
        else:
            details[key] = value
    solution = Solution(
        selected=arrays["selected"],
        objective=sol["objective"],
        bound=sol["bound"],
        gap=sol["gap"],
        status=sol["status"],
        seconds=sol["seconds"],
        sense=sol["sense"],
        method=sol["method"],
        covered=arrays.get("covered"),
        assignment=arrays.get("assignment"),
        marginal=arrays.get("marginal"),
        details=details,
    )
    frames = {key: frame_from_bytes(record.frames[key]) for key in FRAMES}
    return ScenarioResult(
        spec=spec,
        solution=solution,
        proposed_sites=frames["proposed_sites"],
        served=frames["served"],
        indicators=frames["indicators"],
        curve=frames["curve"],
        summary=summary,
        **{
            key: frame_from_bytes(record.frames[key])
            for key in OPTIONAL_FRAMES
            if key in record.frames
        },
    )


def renamed(result: ScenarioResult, name: str) -> ScenarioResult:
    """Return ``result`` under another scenario name (spec and summary follow)."""
    return result.renamed(name)


def rename_json(text: str, name: str) -> str:
    """Return JSON text of an object with its ``"name"`` key set to ``name`` (if it has one)."""
    value = json.loads(text)
    if isinstance(value, dict) and "name" in value:
        value["name"] = name
    return dumps(value)
