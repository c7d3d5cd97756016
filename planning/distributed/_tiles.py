"""Coverage and distance-within-cutoff matrices built by spatial tiles.

The demand points are cut into square tiles; each tile's points are matched
against only the sites within the tile grown by the largest radius, with the
same k-d tree search as :func:`planning.coverage_matrix`. A tile is a small,
independent task (its points and nearby sites in, its pairs out), so tiles
run one at a time in this process or spread over a Dask cluster with a
bounded number in flight, and the memory a worker needs is set by the tile,
not by the whole problem. The assembled matrix is identical to the one
built in one piece.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..distances.straight_line import _check_inputs, _pairs

DEFAULT_TILE_POINTS = 250_000
"""Demand points aimed at per tile when no tile size is given."""

_CHUNK = 200_000


@dataclass(frozen=True)
class Tile:
    """One tile: which demand points and which sites it matches.

    Parameters
    ----------
    demand
        Global indices of the tile's demand points.
    sites
        Global indices of the sites within the tile grown by the largest radius.
    """

    demand: np.ndarray
    sites: np.ndarray


def plan_tiles(
    demand_xy: np.ndarray, site_xy: np.ndarray, reach: float, tile_m: float
) -> Iterator[Tile]:
    """Yield the tiles of a square grid of side ``tile_m`` metres over the demand.

    Parameters
    ----------
    demand_xy, site_xy
        Planar coordinates in metres.
    reach
        Largest radius: a tile's sites are those within its square grown by it.
    tile_m
        Side of a tile in metres.
    """
    if len(demand_xy) == 0:
        return
    origin = demand_xy.min(axis=0)
    d_cell = np.floor((demand_xy - origin) / tile_m).astype(np.int64)
    s_cell = np.floor((site_xy - origin) / tile_m).astype(np.int64)
    if len(site_xy) == 0:
        s_cell = np.zeros((0, 2), dtype=np.int64)
    width = int(d_cell[:, 1].max()) + 1
    d_key = d_cell[:, 0] * width + d_cell[:, 1]
    order = np.argsort(d_key, kind="stable")
    keys, starts = np.unique(d_key[order], return_index=True)
    ends = np.append(starts[1:], len(order))
    # sites sorted by column of cells, then by y, for range look-ups; a little slack
    # for rounding keeps every pair at exactly the radius
    s_order = np.lexsort((site_xy[:, 1], s_cell[:, 0]))
    s_col = s_cell[s_order, 0]
    s_y = site_xy[s_order, 1]
    reach = reach * (1 + 1e-9) + 1e-6
    for key, start, end in zip(keys, starts, ends, strict=True):
        cx, cy = divmod(int(key), width)
        x0, y0 = origin[0] + cx * tile_m, origin[1] + cy * tile_m
        lo_col = int(np.floor((x0 - reach - origin[0]) / tile_m))
        hi_col = int(np.floor((x0 + tile_m + reach - origin[0]) / tile_m))
        a, b = np.searchsorted(s_col, [lo_col, hi_col + 1])
        found = []
        for col in range(lo_col, hi_col + 1):
            ca, cb = np.searchsorted(s_col[a:b], [col, col + 1])
            ca, cb = a + int(ca), a + int(cb)
            if ca == cb:
                continue
            ya = int(np.searchsorted(s_y[ca:cb], y0 - reach, side="left"))
            yb = int(np.searchsorted(s_y[ca:cb], y0 + tile_m + reach, side="right"))
            found.append(s_order[ca + ya : ca + yb])
        sites = np.sort(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
        yield Tile(np.sort(order[start:end]), sites)


def tile_pairs(
    demand_xy: np.ndarray,
    site_xy: np.ndarray,
    radii: np.ndarray,
    tile: Tile,
    *,
    keep_distance: bool,
    chunk_size: int = _CHUNK,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Return one tile's pairs within the radius as global ``(rows, cols, distances)``.

    ``demand_xy``, ``site_xy`` and ``radii`` are the tile's own points and
    sites (``demand_xy[tile.demand]`` ...), so that a task carries only them.
    """
    rows, cols, dist = _pairs(demand_xy, site_xy, radii, chunk_size, keep_distance=keep_distance)
    return tile.demand[rows], tile.sites[cols], dist


Block = tuple[np.ndarray, np.ndarray, np.ndarray | None]
"""A tile's pairs as a CSR block over its own demand rows: ``(counts, cols, distances)``."""


def tile_block(
    demand_xy: np.ndarray,
    site_xy: np.ndarray,
    radii: np.ndarray,
    tile: Tile,
    keep_distance: bool,
    chunk_size: int = _CHUNK,
) -> Block:
    """Return one tile's pairs as a CSR block, rows in the order of ``tile.demand``.

    ``counts[i]`` is the number of sites within reach of demand point
    ``tile.demand[i]``; ``cols`` (global site indices, ascending within each
    row) and ``distances`` follow row by row. The sorting is done here, on
    the worker, so that the client only places each block (no global sort).
    """
    rows, cols, dist = _pairs(demand_xy, site_xy, radii, chunk_size, keep_distance=keep_distance)
    order = np.lexsort((cols, rows))
    counts = np.bincount(rows, minlength=len(tile.demand)).astype(np.int32)
    global_cols = tile.sites[cols[order]]
    col_type = np.int32 if len(global_cols) == 0 or global_cols.max() < 2**31 - 1 else np.int64
    return counts, global_cols.astype(col_type), None if dist is None else dist[order]


def tiled_coverage_matrix(
    demand_xy: np.ndarray,
    site_xy: np.ndarray,
    radius: float | np.ndarray,
    *,
    crs: Any = None,
    client: Any = None,
    tile_m: float | None = None,
    max_in_flight: int | None = None,
    chunk_size: int = _CHUNK,
    progress: Callable[[int, int], Any] | None = None,
) -> sp.csr_array:
    """Return which sites cover which demand points, built tile by tile.

    The result equals :func:`planning.coverage_matrix` on the same input.

    Parameters
    ----------
    demand_xy, site_xy, radius, crs, chunk_size
        As for :func:`planning.coverage_matrix`.
    client
        A ``dask.distributed.Client`` to run the tiles on, or None to run
        them one after the other in this process.
    tile_m
        Side of a tile in metres; default aims at
        :data:`DEFAULT_TILE_POINTS` demand points per tile.
    max_in_flight
        Tiles sent to the cluster at a time (default twice the workers'
        threads); bounds the memory held for pending tiles.
    progress
        Called as ``progress(tiles_done, tiles_total)``.

    Returns
    -------
    scipy.sparse.csr_array
        Boolean ``(n, m)`` matrix.
    """
    return _tiled(
        demand_xy, site_xy, radius, "radius", crs, client, tile_m, max_in_flight, chunk_size,
        progress, keep_distance=False,
    )  # fmt: skip


def tiled_distance_matrix(
    demand_xy: np.ndarray,
    site_xy: np.ndarray,
    cutoff: float | np.ndarray,
    *,
    crs: Any = None,
    client: Any = None,
    tile_m: float | None = None,
    max_in_flight: int | None = None,
    chunk_size: int = _CHUNK,
    progress: Callable[[int, int], Any] | None = None,
) -> sp.csr_array:
    """Return distances within a cutoff, built tile by tile.

    The result equals :func:`planning.distance_matrix` (explicit zeros
    kept); parameters as for :func:`tiled_coverage_matrix`.
    """
    return _tiled(
        demand_xy, site_xy, cutoff, "cutoff", crs, client, tile_m, max_in_flight, chunk_size,
        progress, keep_distance=True,
    )  # fmt: skip


def default_tile_m(demand_xy: np.ndarray, reach: float, points: int = DEFAULT_TILE_POINTS) -> float:
    """Return a tile side giving about ``points`` demand points per tile (at least 2 x reach)."""
    if len(demand_xy) == 0:
        return max(1.0, 2 * reach)
    span = demand_xy.max(axis=0) - demand_xy.min(axis=0)
    area = float(max(span[0], 1.0) * max(span[1], 1.0))
    side = math.sqrt(area * points / len(demand_xy))
    return max(side, 2 * reach, 1.0)


def _tiled(
    demand_xy: np.ndarray,
    site_xy: np.ndarray,
    radius: float | np.ndarray,
    name: str,
    crs: Any,
    client: Any,
    tile_m: float | None,
    max_in_flight: int | None,
    chunk_size: int,
    progress: Callable[[int, int], Any] | None,
    *,
    keep_distance: bool,
) -> sp.csr_array:
    demand, sites, radii = _check_inputs(demand_xy, site_xy, radius, name, crs)
    if chunk_size < 1:
        msg = f"chunk_size must be a positive integer; got {chunk_size}"
        raise ValueError(msg)
    n, m = len(demand), len(sites)
    dtype = np.float64 if keep_distance else bool
    if n == 0 or m == 0:
        return sp.csr_array((n, m), dtype=dtype)
    reach = float(radii.max())
    side = default_tile_m(demand, reach) if tile_m is None else float(tile_m)
    if not (math.isfinite(side) and side > 0):
        msg = f"tile_m must be a positive number of metres, got {tile_m!r}"
        raise ValueError(msg)
    tiles = [t for t in plan_tiles(demand, sites, reach, side) if len(t.sites)]
    report = progress or (lambda done, total: None)
    parts: list[tuple[Tile, Block]] = []
    if client is None:
        for i, tile in enumerate(tiles):
            block = tile_block(
                demand[tile.demand],
                sites[tile.sites],
                radii[tile.sites],
                tile,
                keep_distance,
                chunk_size,
            )
            parts.append((tile, block))
            report(i + 1, len(tiles))
    else:
        parts = _on_cluster(
            client, demand, sites, radii, tiles, keep_distance, chunk_size, max_in_flight, report
        )
    return _assemble(parts, (n, m), keep_distance)


def _on_cluster(
    client: Any,
    demand: np.ndarray,
    sites: np.ndarray,
    radii: np.ndarray,
    tiles: list[Tile],
    keep_distance: bool,
    chunk_size: int,
    max_in_flight: int | None,
    report: Callable[[int, int], Any],
) -> list[tuple[Tile, Block]]:
    from distributed import as_completed

    if max_in_flight is None:
        threads = sum(client.nthreads().values()) or 1
        max_in_flight = 2 * threads
    pending = iter(tiles)
    parts: list[tuple[Tile, Block]] = []
    tile_of: dict[str, Tile] = {}

    def submit(tile: Tile) -> Any:
        args = client.scatter(
            [demand[tile.demand], sites[tile.sites], radii[tile.sites], tile], hash=False
        )
        future = client.submit(tile_block, *args, keep_distance, chunk_size, pure=False)
        tile_of[future.key] = tile
        return future

    first = [submit(t) for _, t in zip(range(max_in_flight), pending, strict=False)]
    queue = as_completed(first)
    for done, future in enumerate(queue, start=1):
        parts.append((tile_of.pop(future.key), future.result()))
        future.release()
        report(done, len(tiles))
        following = next(pending, None)
        if following is not None:
            queue.add(submit(following))
    return parts


def _assemble(
    parts: list[tuple[Tile, Block]], shape: tuple[int, int], keep_distance: bool
) -> sp.csr_array:
    """Place each tile's block into one CSR matrix (rows of tiles are disjoint)."""
    n, m = shape
    dtype = np.float64 if keep_distance else bool
    counts = np.zeros(n, dtype=np.int64)
    for tile, (tile_counts, _, _) in parts:
        counts[tile.demand] = tile_counts
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    del counts
    nnz = int(indptr[-1])
    small = nnz < 2**31 - 1 and m < 2**31 - 1
    indices = np.empty(nnz, dtype=np.int32 if small else np.int64)
    data = np.empty(nnz, dtype=np.float64) if keep_distance else np.ones(nnz, dtype=bool)
    while parts:
        tile, (tile_counts, cols, dist) = parts.pop()
        if cols.size == 0:
            continue
        local = np.zeros(len(tile_counts), dtype=np.int64)
        np.cumsum(tile_counts[:-1], out=local[1:])
        # entry k of a tile's row i goes to indptr[row] + (k - start of row i in the block)
        where = np.repeat(indptr[tile.demand] - local, tile_counts)
        where += np.arange(cols.size, dtype=np.int64)
        indices[where] = cols
        if keep_distance:
            data[where] = dist
    out = sp.csr_array((data, indices, indptr.astype(indices.dtype)), shape=(n, m), dtype=dtype)
    out.has_sorted_indices = True  # each block's columns are sorted within rows
    return out
