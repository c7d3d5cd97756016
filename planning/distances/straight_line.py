"""Coverage and distance-within-cutoff matrices between demand and sites.

The array functions take planar coordinates in metres and return
:mod:`scipy.sparse` CSR arrays with one row per demand point and one column
per candidate site. They are built chunk by chunk with a k-d tree
(:class:`scipy.spatial.cKDTree`), never as a dense demand x sites matrix,
with 32-bit indices wherever they fit.

Distance matrices follow one convention everywhere in :mod:`planning`: the
*sparsity pattern* says which pairs are within the cutoff (a missing entry
means "cannot be served from there"), and a pair at distance exactly 0 is an
explicitly stored 0. Do not call ``eliminate_zeros()`` on them; use
``matrix.indptr`` / ``matrix.indices`` (or :func:`within_cutoff`) for the
pattern.

The ``*_gdf`` adapters take GeoDataFrames in any CRS and project them to the
local UTM zone first.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

_CHUNK = 200_000
"""Demand points per k-d tree query; bounds the temporary pair list."""

_MAX_RADIUS_GROUPS = 8
"""Per-site radii with more distinct values than this are queried at the largest one."""


def coverage_matrix(
    demand_xy: np.ndarray,
    site_xy: np.ndarray,
    radius: float | np.ndarray,
    *,
    crs: Any = None,
    chunk_size: int = _CHUNK,
) -> sp.csr_array:
    """Return which sites cover which demand points.

    Demand point ``i`` is covered by site ``j`` when their planar distance is
    at most the site's radius.

    Parameters
    ----------
    demand_xy
        Demand coordinates in metres, shape ``(n, 2)``.
    site_xy
        Candidate-site coordinates in metres, shape ``(m, 2)``.
    radius
        Coverage radius in metres: one value for all sites or one per site.
    crs
        CRS of the coordinates, if known (anything :class:`pyproj.CRS`
        accepts). A geographic CRS is refused; a projected one disables the
        longitude/latitude guess.
    chunk_size
        Demand points handled per k-d tree query (bounds peak memory).

    Returns
    -------
    scipy.sparse.csr_array
        Boolean ``(n, m)`` matrix, True where the site covers the demand.

    Raises
    ------
    ValueError
        If the coordinates look like longitude/latitude, or the shapes or
        radii are invalid.
    """
    demand, sites, radii = _check_inputs(demand_xy, site_xy, radius, "radius", crs)
    n, m = demand.shape[0], sites.shape[0]
    if n == 0 or m == 0:
        return sp.csr_array((n, m), dtype=bool)
    rows, cols, _ = _pairs(demand, sites, radii, chunk_size, keep_distance=False)
    return _to_csr(rows, cols, np.ones(rows.size, dtype=bool), (n, m))


def distance_matrix(
    demand_xy: np.ndarray,
    site_xy: np.ndarray,
    cutoff: float | np.ndarray,
    *,
    crs: Any = None,
    chunk_size: int = _CHUNK,
) -> sp.csr_array:
    """Return planar distances between demand and sites, up to a cutoff.

    Parameters
    ----------
    demand_xy
        Demand coordinates in metres, shape ``(n, 2)``.
    site_xy
        Candidate-site coordinates in metres, shape ``(m, 2)``.
    cutoff
        Largest distance kept, in metres: one value or one per site.
    crs
        CRS of the coordinates, if known; see :func:`coverage_matrix`.
    chunk_size
        Demand points handled per k-d tree query (bounds peak memory).

    Returns
    -------
    scipy.sparse.csr_array
        Float64 ``(n, m)`` matrix of distances in metres. Only pairs within
        the cutoff are stored; pairs at distance 0 are stored as explicit
        zeros, so the sparsity pattern (not the values) tells which pairs are
        within the cutoff.

    Raises
    ------
    ValueError
        If the coordinates look like longitude/latitude, or the shapes or
        cutoffs are invalid.
    """
    demand, sites, radii = _check_inputs(demand_xy, site_xy, cutoff, "cutoff", crs)
    n, m = demand.shape[0], sites.shape[0]
    if n == 0 or m == 0:
        return sp.csr_array((n, m), dtype=np.float64)
    rows, cols, dist = _pairs(demand, sites, radii, chunk_size, keep_distance=True)
    assert dist is not None
    return _to_csr(rows, cols, dist, (n, m))


def within_cutoff(distances: sp.csr_array | sp.csr_matrix) -> sp.csr_array:
    """Return the boolean pattern of a distance matrix, zero distances included.

    Parameters
    ----------
    distances
        CSR distance matrix as returned by :func:`distance_matrix`.

    Returns
    -------
    scipy.sparse.csr_array
        Boolean matrix, True for every stored pair.
    """
    csr = sp.csr_array(distances)
    data = np.ones(csr.indices.size, dtype=bool)
    return sp.csr_array((data, csr.indices.copy(), csr.indptr.copy()), shape=csr.shape)


def coverage_matrix_gdf(
    demand: Any,
    sites: Any,
    radius: float | str | np.ndarray,
    *,
    chunk_size: int = _CHUNK,
) -> sp.csr_array:
    """Return the coverage matrix between two GeoDataFrames.

    Both layers are projected to the UTM zone of their combined extent before
    distances are measured; non-point geometries are represented by their
    centroids (taken in the metric CRS).

    Parameters
    ----------
    demand
        Demand layer (e.g. enterprises), a GeoDataFrame with a CRS.
    sites
        Candidate sites, a GeoDataFrame with a CRS.
    radius
        Radius in metres: a number, one value per site, or the name of a
        column of ``sites`` (e.g. ``"radius_m"``).
    chunk_size
        Demand points handled per k-d tree query.

    Returns
    -------
    scipy.sparse.csr_array
        Boolean matrix, rows in ``demand`` order, columns in ``sites`` order.
    """
    radii = _radius_values(sites, radius, "radius")
    demand_xy, site_xy, crs = _project_pair(demand, sites)
    return coverage_matrix(demand_xy, site_xy, radii, crs=crs, chunk_size=chunk_size)


def distance_matrix_gdf(
    demand: Any,
    sites: Any,
    cutoff: float | str | np.ndarray,
    *,
    chunk_size: int = _CHUNK,
) -> sp.csr_array:
    """Return the distance-within-cutoff matrix between two GeoDataFrames.

    Projects like :func:`coverage_matrix_gdf`; see :func:`distance_matrix`
    for the storage convention.

    Parameters
    ----------
    demand
        Demand layer, a GeoDataFrame with a CRS.
    sites
        Candidate sites, a GeoDataFrame with a CRS.
    cutoff
        Largest distance kept, in metres: a number, one value per site, or
        the name of a column of ``sites``.
    chunk_size
        Demand points handled per k-d tree query.

    Returns
    -------
    scipy.sparse.csr_array
        Float64 distances in metres, rows in ``demand`` order.
    """
    cutoffs = _radius_values(sites, cutoff, "cutoff")
    demand_xy, site_xy, crs = _project_pair(demand, sites)
    return distance_matrix(demand_xy, site_xy, cutoffs, crs=crs, chunk_size=chunk_size)


def _radius_values(sites: Any, radius: float | str | np.ndarray, name: str) -> Any:
    if isinstance(radius, str):
        if radius not in sites.columns:
            msg = (
                f"{name} names column {radius!r}, which sites does not have; "
                f"columns are {', '.join(map(str, sites.columns))}"
            )
            raise ValueError(msg)
        return sites[radius].to_numpy(dtype=np.float64)
    return radius


def _project_pair(demand: Any, sites: Any) -> tuple[np.ndarray, np.ndarray, Any]:
    for label, gdf in (("demand", demand), ("sites", sites)):
        if getattr(gdf, "crs", None) is None:
            msg = (
                f"{label} must be a GeoDataFrame with a CRS; set one with "
                "`GeoDataFrame.set_crs('EPSG:4326')` if it is longitude/latitude"
            )
            raise ValueError(msg)
    metric = _metric_crs(demand, sites)
    return _xy(demand.to_crs(metric)), _xy(sites.to_crs(metric)), metric


def _xy(gdf: Any) -> np.ndarray:
    geom = gdf.geometry
    if len(geom) and not (geom.geom_type == "Point").all():
        geom = geom.centroid
    return np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()]).astype(np.float64)


def _metric_crs(demand: Any, sites: Any) -> Any:
    import pandas as pd

    from geodata.crs import local_metric_crs

    both = pd.concat(
        [demand.geometry.to_crs("EPSG:4326"), sites.geometry.to_crs("EPSG:4326")],
        ignore_index=True,
    )
    both = both[~both.is_empty & both.notna()]
    if len(both) == 0:
        msg = "demand and sites have no geometries to project"
        raise ValueError(msg)
    return local_metric_crs(tuple(both.total_bounds))


def _check_inputs(
    demand_xy: np.ndarray,
    site_xy: np.ndarray,
    radius: float | np.ndarray,
    name: str,
    crs: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    demand = _as_xy(demand_xy, "demand_xy")
    sites = _as_xy(site_xy, "site_xy")
    radii = np.asarray(radius, dtype=np.float64)
    if radii.ndim == 0:
        radii = np.full(sites.shape[0], float(radii))
    elif radii.shape != (sites.shape[0],):
        msg = (
            f"{name} must be one number or one value per site ({sites.shape[0]}); "
            f"got shape {radii.shape}"
        )
        raise ValueError(msg)
    if radii.size and (not np.isfinite(radii).all() or (radii < 0).any()):
        msg = f"{name} must be finite and non-negative metres"
        raise ValueError(msg)
    _refuse_lonlat(demand, sites, radii, name, crs)
    return demand, sites, radii


def _as_xy(xy: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(xy, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        msg = f"{name} must have shape (n, 2) with x, y in metres; got shape {arr.shape}"
        raise ValueError(msg)
    if not np.isfinite(arr).all():
        msg = f"{name} must not contain NaN or infinite coordinates"
        raise ValueError(msg)
    return arr


_LONLAT_HINT = (
    "Project to a metric CRS first, e.g. with `geodata.crs.to_metric()` / "
    "`GeoDataFrame.to_crs()`, or use the `*_gdf` functions, which project for you"
)


def _refuse_lonlat(
    demand: np.ndarray, sites: np.ndarray, radii: np.ndarray, name: str, crs: Any
) -> None:
    if crs is not None:
        from pyproj import CRS

        parsed = CRS.from_user_input(crs)
        if parsed.is_geographic:
            msg = (
                f"crs {parsed.name!r} is geographic (longitude/latitude), but planar "
                f"distances need metres. {_LONLAT_HINT}"
            )
            raise ValueError(msg)
        return
    pts = np.concatenate([demand, sites])
    if pts.size == 0:
        return
    if _looks_lonlat(pts):
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        msg = (
            f"demand_xy and site_xy look like longitude/latitude degrees (x in "
            f"[{lo[0]:g}, {hi[0]:g}], y in [{lo[1]:g}, {hi[1]:g}]: within "
            f"[-180, 180] x [-90, 90] and spanning under {_LONLAT_SPAN:g} units), but "
            f"{name} needs metres. {_LONLAT_HINT}. If the coordinates really are metres, "
            "pass their projected crs=..."
        )
        raise ValueError(msg)


_LONLAT_SPAN = 20.0
"""Coordinates spanning less than this (in both axes) inside the lon/lat box read as degrees."""

_ORIGIN_BOX = 2.0
"""Coordinates all this close to the origin read as a synthetic unit-square plan, not degrees."""


def _looks_lonlat(pts: np.ndarray) -> bool:
    """Tell longitude/latitude degrees from metres by the coordinates' ranges alone.

    Degrees lie in [-180, 180] x [-90, 90] and a city or region spans a few
    degrees at most; a plan in metres that fits the same box spans tens of
    metres or more (a 90 m plan spans 90 units). Points all near the origin
    are taken as a synthetic plan: in degrees they would be in the open sea
    of the Gulf of Guinea.
    """
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    inside = lo[0] >= -180 and hi[0] <= 180 and lo[1] >= -90 and hi[1] <= 90
    if not inside:
        return False
    if float(np.abs(pts).max()) <= _ORIGIN_BOX:
        return False
    return bool((hi - lo).max() < _LONLAT_SPAN)


def _pairs(
    demand: np.ndarray,
    sites: np.ndarray,
    radii: np.ndarray,
    chunk_size: int,
    *,
    keep_distance: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    from scipy.spatial import cKDTree

    if chunk_size < 1:
        msg = f"chunk_size must be a positive integer; got {chunk_size}"
        raise ValueError(msg)
    values = np.unique(radii)
    if values.size <= _MAX_RADIUS_GROUPS:
        groups = [(float(r), np.flatnonzero(radii == r)) for r in values]
        exact = True
    else:
        groups = [(float(values[-1]), np.arange(sites.shape[0]))]
        exact = False
    trees = [(r, idx, cKDTree(sites[idx])) for r, idx in groups]
    idx_type = np.int32 if max(demand.shape[0], sites.shape[0]) < 2**31 - 1 else np.int64
    rows_out: list[np.ndarray] = []
    cols_out: list[np.ndarray] = []
    dist_out: list[np.ndarray] = []
    for start in range(0, demand.shape[0], chunk_size):
        block = cKDTree(demand[start : start + chunk_size])
        for r, idx, tree in trees:
            found = block.sparse_distance_matrix(tree, r, output_type="ndarray")
            if found.size == 0:
                continue
            cols = idx[found["j"]]
            keep = None if exact else found["v"] <= radii[cols]
            rows = found["i"] + start
            if keep is not None:
                rows, cols = rows[keep], cols[keep]
            rows_out.append(rows.astype(idx_type))
            cols_out.append(cols.astype(idx_type))
            if keep_distance:
                d = found["v"] if keep is None else found["v"][keep]
                dist_out.append(d.astype(np.float64))
            del found
    if not rows_out:
        empty = np.zeros(0, dtype=idx_type)
        return empty, empty, (np.zeros(0) if keep_distance else None)
    rows = np.concatenate(rows_out)
    del rows_out
    cols = np.concatenate(cols_out)
    del cols_out
    dist = np.concatenate(dist_out) if keep_distance else None
    return rows, cols, dist


def _to_csr(rows: np.ndarray, cols: np.ndarray, data: np.ndarray, shape: tuple[int, int]) -> Any:
    """Build CSR by a counting sort on rows; explicit zeros in ``data`` are kept."""
    n = shape[0]
    counts = np.bincount(rows, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    order = np.argsort(rows, kind="stable")
    indices = cols[order]
    values = data[order]
    del order
    if indptr[-1] < 2**31 - 1 and shape[1] < 2**31 - 1:
        indptr = indptr.astype(np.int32)
        indices = indices.astype(np.int32, copy=False)
    out = sp.csr_array((values, indices, indptr), shape=shape)
    out.sort_indices()
    return out
