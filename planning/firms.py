"""Find one enterprise and say how it is served: search, details, nearest to a map click.

:func:`find_firms` matches a name or id fragment; :func:`nearest_firm` maps a
clicked map position back to the firm drawn there; :func:`firm_details`
gathers everything a planner asks about one firm: its fields, which
operational 5G base stations cover it, the nearest charging station and its
distance, and for each scenario whether a proposed site serves it. Distances
are planar, in the area's local metric projection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

import geodata

from ._layers import layer_xy, operational_base_stations, resolve_crs
from .distances import coverage_matrix
from .indicators import _in_operation, other_kinds

__all__ = ["FirmDetails", "find_firms", "firm_details", "nearest_firm"]


@dataclass(frozen=True)
class FirmDetails:
    """Everything known about one enterprise and the infrastructure serving it.

    Attributes
    ----------
    fields
        The firm's attributes (column -> value), geometry as ``lon``/``lat``.
    covering_5g
        Ids and names of the operational base stations whose radius reaches it.
    nearest_charging
        ``(id, name, distance_m)`` of the nearest charging station, or None.
    scenarios
        Per scenario name: ``{"covered_before", "covered_after", "site",
        "site_name", "distance_m"}``.
    nearest_other
        Per other kind of infrastructure with sites (broadband, hydrogen):
        ``(id, name, distance_m, served)`` of its nearest site in operation,
        the distance straight x the kind's detour factor, ``served`` when it
        is within the kind's service distance.
    """

    fields: dict[str, Any]
    covering_5g: list[tuple[str, str]] = field(default_factory=list)
    nearest_charging: tuple[str, str, float] | None = None
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)
    nearest_other: dict[str, tuple[str, str, float, bool]] = field(default_factory=dict)

    @property
    def in_5g(self) -> bool:
        """Whether any operational base station covers the firm."""
        return bool(self.covering_5g)


def find_firms(data: geodata.PlanningData, query: str, *, limit: int = 50) -> pd.DataFrame:
    """Return the firms whose name or id contains ``query`` (case-insensitive).

    Parameters
    ----------
    data
        The planning area.
    query
        Text to look for; exact id matches come first.
    limit
        At most this many rows.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``name``, ``county`` (when present), indexed like
        ``data.enterprises``.
    """
    if limit < 1:
        msg = f"limit must be a positive number of rows, got {limit!r}"
        raise ValueError(msg)
    firms = data.enterprises
    cols = [c for c in ("id", "name", "county") if c in firms]
    text = str(query).strip().lower()
    if not text or len(firms) == 0:
        return pd.DataFrame(firms[cols]).iloc[:0]
    ids = firms["id"].astype(str).str.lower()
    names = firms["name"].astype(str).str.lower() if "name" in firms else ids
    hit = ids.str.contains(text, regex=False) | names.str.contains(text, regex=False)
    exact = (ids == text) | (names == text)
    order = np.lexsort((np.arange(len(firms)), ~exact.to_numpy()))
    picked = firms.iloc[order][hit.to_numpy()[order]]
    return pd.DataFrame(picked[cols]).head(limit)


def nearest_firm(data: geodata.PlanningData, lon: float, lat: float) -> Any:
    """Return the index label of the firm nearest to a clicked position (WGS84).

    Returns None when there are no firms.
    """
    firms = data.enterprises
    if len(firms) == 0:
        return None
    crs = resolve_crs(data, None)
    import geopandas as gpd
    from shapely.geometry import Point

    click = gpd.GeoSeries([Point(float(lon), float(lat))], crs="EPSG:4326").to_crs(crs)
    xy = np.column_stack([click.x.to_numpy(), click.y.to_numpy()])
    _, pos = cKDTree(layer_xy(firms, crs)).query(xy, k=1)
    return firms.index[int(np.asarray(pos).ravel()[0])]


def firm_details(
    data: geodata.PlanningData, firm: Any, *, scenarios: Sequence[Any] = ()
) -> FirmDetails:
    """Return the details of one firm (an index label of ``data.enterprises``).

    Parameters
    ----------
    data
        The planning area.
    firm
        Index label of the firm in ``data.enterprises``.
    scenarios
        :class:`planning.scenarios.ScenarioResult` values run on the same data.

    Raises
    ------
    KeyError
        If ``firm`` is not an index label of ``data.enterprises``.
    """
    firms = data.enterprises
    if firm not in firms.index:
        msg = f"firm must be an index label of data.enterprises; got {firm!r}"
        raise KeyError(msg)
    row = firms.loc[[firm]]
    geom = row.geometry.iloc[0]
    fields = {c: row[c].iloc[0] for c in firms.columns if c != firms.geometry.name}
    fields["lon"] = round(float(geom.x), 6)
    fields["lat"] = round(float(geom.y), 6)
    crs = resolve_crs(data, None)
    point = layer_xy(row, crs)

    covering: list[tuple[str, str]] = []
    stations = operational_base_stations(data)
    if len(stations):
        cover = coverage_matrix(
            point, layer_xy(stations, crs), stations["radius_m"].to_numpy(float), crs=crs
        )
        cols = np.asarray(cover[[0], :].nonzero()[1])
        for j in sorted(cols.tolist()):
            rec = stations.iloc[j]
            covering.append((str(rec["id"]), str(rec.get("name", rec["id"]))))

    nearest = None
    charging = data.charging_stations
    if len(charging):
        dist, pos = cKDTree(layer_xy(charging, crs)).query(point, k=1)
        rec = charging.iloc[int(np.asarray(pos).ravel()[0])]
        nearest = (
            str(rec["id"]),
            str(rec.get("name", rec["id"])),
            float(np.asarray(dist).ravel()[0]),
        )

    per_scenario: dict[str, dict[str, Any]] = {}
    for result in scenarios:
        served = result.served
        if firm not in served.index:
            continue
        rec = served.loc[firm]
        site = rec.get("site")
        names = (
            result.proposed_sites.set_index("id")["name"] if "name" in result.proposed_sites else {}
        )
        per_scenario[str(result.name)] = {
            "covered_before": bool(rec.get("covered_before", False)),
            "covered_after": bool(rec.get("covered_after", False)),
            "site": None if pd.isna(site) else str(site),
            "site_name": None if pd.isna(site) else str(names.get(site, site)),
            "distance_m": None if pd.isna(rec.get("distance_m")) else float(rec["distance_m"]),
        }
    return FirmDetails(fields, covering, nearest, per_scenario, _nearest_other(data, point, crs))


def _nearest_other(
    data: geodata.PlanningData, point: np.ndarray, crs: Any
) -> dict[str, tuple[str, str, float, bool]]:
    out = {}
    for kind in other_kinds():
        sites = _in_operation(getattr(data, kind.existing_layer))
        if not len(sites):
            continue
        dist, pos = cKDTree(layer_xy(sites, crs)).query(point, k=1)
        rec = sites.iloc[int(np.asarray(pos).ravel()[0])]
        metres = float(np.asarray(dist).ravel()[0]) * kind.detour_factor
        out[kind.code] = (
            str(rec["id"]),
            str(rec.get("name", rec["id"])),
            metres,
            metres <= kind.radius_m,
        )
    return out
