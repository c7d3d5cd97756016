"""A scenario turned into arrays: demand weights, allowed candidates, distance matrices."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from pyproj import CRS

import geodata

from .. import radio
from .._layers import layer_xy, operational_base_stations, resolve_crs
from ..demand import charging_sessions, sessions_per_pile
from ..distances import coverage_matrix, distance_matrix, prepare_roads, road_distance_matrix
from ..kind_demand import (
    fibre_connections,
    free_ports,
    h2_fleet_assumed,
    h2_trucks,
    hydrogen_kg_per_day,
    station_kg_per_day,
)
from .spec import DEFAULT_5G_BAND, Progress, ScenarioSpec, _demand_spec


def demand_weights(enterprises: pd.DataFrame, demand: str | Mapping[str, float]) -> np.ndarray:
    """Return the demand weight of each enterprise.

    Parameters
    ----------
    enterprises
        The enterprises layer.
    demand
        One of :data:`DEMANDS` or a mapping of them to mixing weights. A single
        name gives the raw column (``"firms"``: 1 per firm); a mapping gives
        the weighted sum of the columns each divided by its total, with the
        mixing weights rescaled to sum to 1.

    Returns
    -------
    numpy.ndarray
        Non-negative float weights, one per enterprise.

    Raises
    ------
    geodata.DataError
        If a column used is missing, negative or sums to zero.
    """
    mix = _demand_spec(demand)
    n = len(enterprises)
    columns: dict[str, np.ndarray] = {}
    problems = []
    for key in mix:
        if key == "firms":
            columns[key] = np.ones(n)
            continue
        if key == "h2_fleet":  # the firm's own column, or a stated share of ev_fleet
            columns[key] = h2_trucks(enterprises)
            continue
        if key not in enterprises:
            problems.append(geodata.Problem(None, key, "column needed for this demand is missing"))
            continue
        values = pd.to_numeric(enterprises[key], errors="coerce").fillna(0.0).to_numpy(float)
        bad = np.flatnonzero(values < 0)
        problems += [
            geodata.Problem(int(i) + 1, key, "demand must not be negative", str(values[i]))
            for i in bad[:20]
        ]
        columns[key] = values
    if problems:
        raise geodata.DataError(problems, source="enterprises")
    if isinstance(demand, str):
        if n and columns[demand].sum() <= 0:
            message = "column is zero for every firm, so there is no demand to serve"
            raise geodata.DataError([geodata.Problem(None, demand, message)], source="enterprises")
        return columns[demand]
    total_weight = sum(mix.values())
    weights = np.zeros(n)
    for key, share in mix.items():
        if share == 0:
            continue
        total = columns[key].sum()
        if total <= 0:
            problem = geodata.Problem(None, key, "column sums to zero, so it cannot be mixed")
            raise geodata.DataError([problem], source="enterprises")
        weights += (share / total_weight) * columns[key] / total
    return weights


@dataclass
class _Problem:
    """A scenario turned into arrays."""

    weights: np.ndarray
    candidates: gpd.GeoDataFrame
    distances: sp.csr_array  # firms x candidates, within the service radius
    before: np.ndarray  # per firm: served by an existing site
    existing_ids: np.ndarray  # ids of the existing sites used
    existing_dist: sp.csr_array  # firms x existing sites, within the radius
    crs: Any
    radii: np.ndarray | None = None  # per candidate, when 5G radii come from the link budget
    existing_layer: gpd.GeoDataFrame | None = None  # the existing sites used, in column order
    h2_assumed: bool = False  # hydrogen trucks taken as a share of ev_fleet (no h2_fleet)


def _prepare(
    data: geodata.PlanningData,
    spec: ScenarioSpec,
    report: Progress,
    context: gpd.GeoDataFrame | None = None,
) -> _Problem:
    """Turn the scenario into arrays; ``context`` is every firm (for site settings)."""
    firms = data.enterprises
    if len(firms) == 0:
        raise geodata.DataError(
            [geodata.Problem(None, None, "no enterprises: load the enterprises layer first")],
            source="enterprises",
        )
    if spec.objective in ("capacitated", "single_source"):
        weights = capacity_demand(firms, spec)
    else:
        weights = demand_weights(firms, spec.demand)
    candidates = _allowed_candidates(data, spec)
    crs = resolve_crs(data)
    radius = spec.service_radius()
    firm_xy = layer_xy(firms, crs)
    context_xy = firm_xy if context is None else layer_xy(context, crs)
    report(0.1, "preparing data")
    roads = _road_graph(data, spec)
    radii = None
    if spec.uses_link_budget():
        candidates = site_radii(candidates, context_xy, crs, spec)
        radii = candidates["radius_m"].to_numpy(float)
        distances = sp.csr_array(
            distance_matrix(firm_xy, layer_xy(candidates, crs), np.maximum(radii, 1e-6), crs=crs)
        )
        distances = _drop_zero_radius(distances, radii)
    else:
        distances = _distances(firms, candidates, crs, radius, spec, roads)
    report(0.25, "preparing data")
    before = np.zeros(len(firms), dtype=bool)
    existing_ids = np.empty(0, dtype=object)
    existing_dist = sp.csr_array((len(firms), 0), dtype=float)
    layer = None
    if spec.count_existing:
        if spec.kind.service == "link_budget":
            stations = operational_base_stations(data)
            stations = _fill_station_radii(stations, context_xy, crs, spec)
            cover = coverage_matrix(
                firm_xy, layer_xy(stations, crs), stations["radius_m"].to_numpy(float), crs=crs
            )
            existing_ids = stations["id"].astype(str).to_numpy(dtype=object)
            existing_dist = _cover_as_distance(firm_xy, layer_xy(stations, crs), cover)
        else:
            stations = existing_sites(data, spec)
            existing_ids = stations["id"].astype(str).to_numpy(dtype=object)
            existing_dist = _distances(firms, stations, crs, radius, spec, roads)
        layer = stations
        before = np.diff(existing_dist.indptr) > 0
    uses_h2 = spec.kind.capacity == "kg_per_day" or "h2_fleet" in _demand_spec(spec.demand)
    return _Problem(
        weights,
        candidates,
        distances,
        before,
        existing_ids,
        existing_dist,
        crs,
        radii,
        layer,
        h2_assumed=uses_h2 and h2_fleet_assumed(firms),
    )


def capacity_demand(firms: pd.DataFrame, spec: ScenarioSpec) -> np.ndarray:
    """Return each firm's demand in its kind's capacity unit (sessions, ports, kg a day)."""
    capacity = spec.kind.capacity
    if capacity == "ports":
        return fibre_connections(firms)
    if capacity == "kg_per_day":
        return hydrogen_kg_per_day(firms, kg_per_truck_day=spec.kg_per_truck_day)
    return charging_sessions(firms)


def existing_sites(data: geodata.PlanningData, spec: ScenarioSpec) -> gpd.GeoDataFrame:
    """Return the kind's existing sites that serve: in operation where a layer has a status."""
    layer = getattr(data, spec.kind.existing_layer)
    if spec.kind.capacity == "piles" or "status" not in layer:  # charging: every station
        return layer
    status = layer["status"].fillna("operational").astype(str)
    return layer[(status == "operational").to_numpy()]


def _drop_zero_radius(distances: sp.csr_array, radii: np.ndarray) -> sp.csr_array:
    """Remove the columns of sites whose radius is 0 (the budget fails at 10 m)."""
    dead = radii <= 0
    if not dead.any():
        return distances
    coo = sp.coo_array(distances)
    keep = ~dead[coo.col]
    return sp.csr_array((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=distances.shape)


def site_environments(
    sites: gpd.GeoDataFrame, firm_xy: np.ndarray, crs: Any, spec: ScenarioSpec
) -> np.ndarray:
    """Return each site's setting: the spec's, the site's own column, or by firm density."""
    if spec.environment is not None:
        return np.full(len(sites), spec.environment, dtype=object)
    guessed = radio.classify_environment(layer_xy(sites, crs), firm_xy)
    if "environment" in sites:
        own = sites["environment"].astype(object).to_numpy()
        ok = np.isin(own, list(radio.ENVIRONMENTS))
        guessed = np.where(ok, own, guessed)
    return guessed


def _heights(sites: gpd.GeoDataFrame) -> np.ndarray:
    source = (
        sites["source"].fillna("other").astype(str)
        if "source" in sites
        else pd.Series("other", index=sites.index)
    )
    default = source.map(lambda v: radio.SOURCE_HEIGHT_M.get(v, radio.SOURCE_HEIGHT_M["other"]))
    if "height_m" in sites:
        own = pd.to_numeric(sites["height_m"], errors="coerce")
        default = own.where(own > 0, default)
    return default.to_numpy(float)


@functools.lru_cache(maxsize=4096)
def _cell_radius(
    band: str, env: str, height: float, indoor: str | None, edge: float | None
) -> float:
    """Return :func:`radio.cell_radius` once per process for each combination (it is pure)."""
    return radio.cell_radius(
        band,
        env,
        height,
        indoor=indoor,  # type: ignore[arg-type]
        cell_edge_probability=edge,
    )


def _radius(band: str, env: str, height: float, spec: ScenarioSpec) -> float:
    """Return the cell radius at ``height`` clipped to the model's range, to the decimetre."""
    model = radio.ENVIRONMENTS[env].model
    low, high = radio.HEIGHT_RANGE_M[model]
    h = round(float(min(max(height, low), high)), 1)
    return _cell_radius(band, env, h, spec.indoor, spec.cell_edge_probability)


def site_radii(
    sites: gpd.GeoDataFrame, firm_xy: np.ndarray, crs: Any, spec: ScenarioSpec
) -> gpd.GeoDataFrame:
    """Return the 5G sites with ``environment``, ``height_m`` and link-budget ``radius_m``.

    Heights outside the path-loss model's range are clipped to it.
    """
    band = spec.band or DEFAULT_5G_BAND
    out = sites.copy()
    env = site_environments(sites, firm_xy, crs, spec)
    heights = _heights(sites)
    out["environment"] = env
    out["height_m"] = heights
    out["radius_m"] = [_radius(band, e, h, spec) for e, h in zip(env, heights, strict=True)]
    return out


def _fill_station_radii(
    stations: gpd.GeoDataFrame, firm_xy: np.ndarray, crs: Any, spec: ScenarioSpec
) -> gpd.GeoDataFrame:
    """Give existing base stations without a radius one from their band and height."""
    radius = pd.to_numeric(stations.get("radius_m"), errors="coerce")
    missing = ~(radius > 0)
    if not missing.any():
        return stations
    out = stations.copy()
    rows = out[missing.to_numpy()]
    env = site_environments(rows, firm_xy, crs, replace(spec, environment=None))
    heights = _heights(rows)
    bands = rows["band"].astype(str) if "band" in rows else pd.Series("", index=rows.index)
    values = [
        _radius(b if b in radio.BAND_FREQUENCY_GHZ else DEFAULT_5G_BAND, e, h, spec)
        for b, e, h in zip(bands, env, heights, strict=True)
    ]
    out.loc[missing.to_numpy(), "radius_m"] = values
    out["radius_computed"] = missing.to_numpy()
    return out


def _allowed_candidates(data: geodata.PlanningData, spec: ScenarioSpec) -> gpd.GeoDataFrame:
    sites = data.candidate_sites
    mask = sites["infrastructure"].astype(str) == spec.infrastructure
    if spec.candidate_sources is not None:
        source = sites["source"] if "source" in sites else pd.Series("other", index=sites.index)
        mask &= source.fillna("other").astype(str).isin(spec.candidate_sources)
    allowed = sites[mask.to_numpy()]
    if len(allowed) == 0:
        sources = "any source" if spec.candidate_sources is None else list(spec.candidate_sources)
        message = (
            f"no candidate sites for infrastructure {spec.infrastructure!r} from {sources}: "
            "add candidate sites or allow more candidate_sources"
        )
        raise geodata.DataError(
            [geodata.Problem(None, "source", message)], source="candidate_sites"
        )
    if spec.objective == "budget":
        costs = pd.to_numeric(allowed["cost_cny"], errors="coerce")
        bad = np.flatnonzero(~np.isfinite(costs.to_numpy(float)) | (costs.to_numpy(float) < 0))
        if bad.size:
            problems = [
                geodata.Problem(
                    None,
                    "cost_cny",
                    "a budget scenario needs a non-negative cost for every site",
                    str(allowed["id"].iloc[i]),
                )
                for i in bad[:20]
            ]
            raise geodata.DataError(problems, source="candidate_sites")
    return allowed


def _road_graph(data: geodata.PlanningData, spec: ScenarioSpec) -> Any:
    """Return ``(prepared road network, its CRS)`` for a road distance, or None."""
    if spec.distance == "straight":
        return None
    if data.roads is None:
        message = f"distance={spec.distance!r} needs a road network; load roads or use 'straight'"
        raise geodata.DataError([geodata.Problem(None, None, message)], source="roads")
    weight = "travel_time" if spec.distance == "road_time" else "length"
    crs = data.roads.graph.get("crs", "EPSG:4326")
    return prepare_roads(data.roads, weight=weight), crs


def _distances(
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    crs: Any,
    radius: float,
    spec: ScenarioSpec,
    roads: Any,
) -> sp.csr_array:
    """Return firm-to-site distances within ``radius`` (straight or by road)."""
    if spec.distance == "straight":
        detour = spec.detour()
        if detour == 1.0:
            return sp.csr_array(
                distance_matrix(layer_xy(demand, crs), layer_xy(sites, crs), radius, crs=crs)
            )
        # a cable (or a drive) follows streets: straight line x detour factor
        straight = sp.csr_array(
            distance_matrix(layer_xy(demand, crs), layer_xy(sites, crs), radius / detour, crs=crs)
        )
        straight.data = straight.data * detour
        return straight
    if len(sites) == 0:
        return sp.csr_array((len(demand), 0), dtype=float)
    network, road_crs = roads
    road_crs = CRS.from_user_input(road_crs)
    return sp.csr_array(
        road_distance_matrix(
            network,
            layer_xy(demand, road_crs),
            layer_xy(sites, road_crs),
            radius,
            weight=network.weight,
        )
    )


def _cover_as_distance(
    firm_xy: np.ndarray, site_xy: np.ndarray, cover: sp.csr_array
) -> sp.csr_array:
    """Return the planar distances on the pattern of a coverage matrix."""
    cover = sp.csr_array(cover)
    rows = np.repeat(np.arange(cover.shape[0]), np.diff(cover.indptr))
    cols = cover.indices
    dist = np.hypot(*(firm_xy[rows] - site_xy[cols]).T)
    return sp.csr_array((dist, cols.copy(), cover.indptr.copy()), shape=cover.shape)


def _pattern(dist: sp.csr_array) -> sp.csr_array:
    return sp.csr_array(
        (np.ones(dist.indices.size, dtype=bool), dist.indices, dist.indptr), shape=dist.shape
    )


def _costs(problem: _Problem) -> np.ndarray:
    return pd.to_numeric(problem.candidates["cost_cny"], errors="coerce").fillna(0).to_numpy(float)


def _capacities(problem: _Problem, spec: ScenarioSpec) -> tuple[np.ndarray, np.ndarray, float]:
    """Return the capacity of each new and each existing site, and of one pile (module).

    Charging stations are sized by piles; a broadband access point or a
    hydrogen station is one module of its capacity (the spec's
    ``site_capacity``, else the candidate's positive ``capacity``, else the
    kind's default), so the module size returned is 0 for them.
    """
    n_cand = problem.distances.shape[1]
    n_old = problem.existing_ids.size
    kind = spec.kind
    if kind.capacity in ("ports", "kg_per_day"):
        if spec.site_capacity is not None:
            new = np.full(n_cand, float(spec.site_capacity))
        else:
            own = (
                pd.to_numeric(problem.candidates["capacity"], errors="coerce")
                .fillna(0.0)
                .to_numpy(float)
                if "capacity" in problem.candidates
                else np.zeros(n_cand)
            )
            new = np.where(own > 0, own, kind.site_capacity)
        layer = problem.existing_layer
        old = np.zeros(n_old)
        if layer is not None and n_old:
            old = free_ports(layer) if kind.capacity == "ports" else station_kg_per_day(layer)
        return new, old, 0.0
    per_pile = float(sessions_per_pile(spec.pile_power_kw))
    new = np.full(n_cand, spec.piles_max * per_pile)
    old = np.zeros(n_old)
    layer = problem.existing_layer
    if layer is not None and n_old:
        piles = pd.to_numeric(layer["piles"], errors="coerce").fillna(0).to_numpy(float)
        power = (
            pd.to_numeric(layer["power_kw"], errors="coerce").fillna(60.0).to_numpy(float)
            if "power_kw" in layer
            else np.full(n_old, 60.0)
        )
        old = piles * np.asarray(sessions_per_pile(power), dtype=float)
    return new, old, per_pile


def size_sites(
    load: np.ndarray, capacity: np.ndarray, per_pile: float, spec: ScenarioSpec
) -> tuple[np.ndarray, np.ndarray]:
    """Return the piles and the capacity of chosen new sites carrying ``load``.

    A charging station gets the fewest piles (``piles_min`` to ``piles_max``)
    that carry its load; a site without modules (``per_pile`` 0) keeps its
    ``capacity`` as one module.
    """
    if per_pile <= 0:
        return np.ones(load.size, dtype=np.int64), np.asarray(capacity, dtype=float)
    piles = np.clip(np.ceil(load / per_pile - 1e-9), spec.piles_min, spec.piles_max)
    return piles.astype(np.int64), piles * per_pile
