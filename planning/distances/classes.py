"""Demand points merged by the set of sites that cover them.

With few candidate sites (a few hundred at most) and very many demand
points, most points share their covering set with many others. Points with
the same set are interchangeable in every coverage model (maximal covering,
set covering, backup coverage): one row per distinct set, weighted by the
summed demand, gives the same optima. :func:`coverage_classes` finds those
sets chunk by chunk, as bit signatures of ``ceil(m / 64)`` words per point,
so the demand x sites matrix is never built, not even sparse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .straight_line import _check_inputs

_CLASS_CHUNK = 1_000_000
"""Demand points whose signatures are computed at once (about 50 MB of temporaries)."""

_MAX_SITES = 4096
"""More sites than this make signatures too long to be worth it; use coverage_matrix."""


@dataclass(frozen=True)
class CoverageClasses:
    """Demand merged by covering set.

    Parameters
    ----------
    matrix
        Boolean ``(k, m)`` CSR coverage matrix, one row per distinct non-empty
        set of covering sites.
    weights
        Summed demand weight of each row's points.
    counts
        Number of demand points in each row.
    uncovered_weight
        Summed weight of the points no site covers (left out of ``matrix``).
    inverse
        Per demand point its row of ``matrix`` (-1 when uncovered), or None
        unless asked for.
    """

    matrix: sp.csr_array
    weights: np.ndarray
    counts: np.ndarray
    uncovered_weight: float
    inverse: np.ndarray | None = None

    @property
    def total_weight(self) -> float:
        """Summed weight of every demand point, covered or not."""
        return float(self.weights.sum()) + self.uncovered_weight


def coverage_classes(
    demand_xy: np.ndarray,
    site_xy: np.ndarray,
    radius: float | np.ndarray,
    weights: np.ndarray | float = 1.0,
    *,
    crs: object = None,
    chunk_size: int = _CLASS_CHUNK,
    return_inverse: bool = False,
) -> CoverageClasses:
    """Merge demand points that the same sites cover, summing their weight.

    Point ``i`` is covered by site ``j`` when their planar distance is at most
    the site's radius, as in :func:`planning.distances.coverage_matrix`.

    Parameters
    ----------
    demand_xy
        Demand coordinates in metres, shape ``(n, 2)``.
    site_xy
        Site coordinates in metres, shape ``(m, 2)``; at most 4,096 sites.
    radius
        Coverage radius in metres: one value or one per site.
    weights
        Demand weight per point, or one value for all.
    crs
        CRS of the coordinates, if known; see
        :func:`planning.distances.coverage_matrix`.
    chunk_size
        Points handled at once (bounds the temporary memory).
    return_inverse
        Also return each point's row (an ``int32`` or ``int64`` array of
        ``n`` entries).

    Returns
    -------
    CoverageClasses
        The merged coverage matrix and weights; rows sorted by signature.

    Raises
    ------
    ValueError
        If the coordinates look like longitude/latitude, the shapes or radii
        are invalid, the weights are not finite and non-negative, or there are
        more than 4,096 sites.
    """
    demand, sites, radii = _check_inputs(demand_xy, site_xy, radius, "radius", crs)
    n, m = demand.shape[0], sites.shape[0]
    if m > _MAX_SITES:
        msg = (
            f"site_xy has {m} sites; coverage_classes is meant for at most {_MAX_SITES} "
            "(use coverage_matrix and merge rows instead)"
        )
        raise ValueError(msg)
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim == 0:
        w = np.full(n, float(w))
    if w.shape != (n,):
        msg = f"weights must have one value per demand point ({n}); got shape {w.shape}"
        raise ValueError(msg)
    if not np.isfinite(w).all() or (w < 0).any():
        msg = "weights must be finite and non-negative"
        raise ValueError(msg)
    if not (isinstance(chunk_size, int) and chunk_size > 0):
        msg = f"chunk_size must be a positive integer; got {chunk_size!r}"
        raise ValueError(msg)
    words = max((m + 63) // 64, 1)
    sigs: list[np.ndarray] = []
    sums: list[np.ndarray] = []
    nums: list[np.ndarray] = []
    local: list[np.ndarray] = []
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        bits = _signatures(demand[start:stop], sites, radii, words)
        uniq, inv = _unique_rows(bits)
        sigs.append(uniq)
        sums.append(np.bincount(inv, weights=w[start:stop], minlength=uniq.shape[0]))
        nums.append(np.bincount(inv, minlength=uniq.shape[0]))
        if return_inverse:
            local.append(inv)
    weight: np.ndarray
    count: np.ndarray
    if sigs:
        every = np.concatenate(sigs)
        uniq, inv = _unique_rows(every)
        weight = np.bincount(inv, weights=np.concatenate(sums), minlength=uniq.shape[0])
        count = np.bincount(inv, weights=np.concatenate(nums), minlength=uniq.shape[0])
    else:
        uniq, inv = np.zeros((0, words), dtype=np.uint64), np.zeros(0, dtype=np.int64)
        weight = count = np.zeros(0)
    empty = ~uniq.any(axis=1)
    keep = np.flatnonzero(~empty)
    row_of = np.full(uniq.shape[0], -1, dtype=np.int64)
    row_of[keep] = np.arange(keep.size)
    inverse = None
    if return_inverse:
        dtype = np.int32 if keep.size < 2**31 else np.int64
        inverse = np.empty(n, dtype=dtype)
        offset = 0
        start = 0
        for chunk_sigs, chunk_inv in zip(sigs, local, strict=True):
            to_global = row_of[inv[offset : offset + chunk_sigs.shape[0]]]
            inverse[start : start + chunk_inv.size] = to_global[chunk_inv]
            offset += chunk_sigs.shape[0]
            start += chunk_inv.size
    return CoverageClasses(
        matrix=_bits_to_csr(uniq[keep], m),
        weights=weight[keep],
        counts=count[keep].astype(np.int64),
        uncovered_weight=float(weight[empty].sum()),
        inverse=inverse,
    )


def _signatures(pts: np.ndarray, sites: np.ndarray, radii: np.ndarray, words: int) -> np.ndarray:
    """Return one row of ``words`` uint64 bit words per point: bit j set when site j covers it.

    The points are sorted by x once, so each site only looks at the slice
    within its radius in x.
    """
    order = np.argsort(pts[:, 0], kind="stable")
    x, y = pts[order, 0], pts[order, 1]
    out = np.zeros((pts.shape[0], words), dtype=np.uint64)
    for j in range(sites.shape[0]):
        sx, sy, r = sites[j, 0], sites[j, 1], radii[j]
        lo = int(np.searchsorted(x, sx - r, side="left"))
        hi = int(np.searchsorted(x, sx + r, side="right"))
        if hi <= lo:
            continue
        dx = x[lo:hi] - sx
        dy = y[lo:hi] - sy
        inside = dx * dx + dy * dy <= r * r
        out[lo:hi, j // 64] |= inside.astype(np.uint64) << np.uint64(j % 64)
    bits = np.empty_like(out)
    bits[order] = out
    return bits


def _unique_rows(bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct rows of a uint64 matrix (sorted) and each row's index among them."""
    if bits.shape[0] == 0:
        return bits, np.zeros(0, dtype=np.int64)
    order = np.lexsort(bits.T[::-1])
    ordered = bits[order]
    new = np.ones(bits.shape[0], dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    group = np.cumsum(new) - 1
    inv = np.empty(bits.shape[0], dtype=np.int64)
    inv[order] = group
    return ordered[new], inv


def _bits_to_csr(bits: np.ndarray, m: int) -> sp.csr_array:
    """Return the boolean ``(k, m)`` matrix of bit signatures, column by column."""
    k = bits.shape[0]
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for j in range(m):
        hit = np.flatnonzero((bits[:, j // 64] >> np.uint64(j % 64)) & np.uint64(1))
        rows.append(hit)
        cols.append(np.full(hit.size, j, dtype=np.int64))
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    matrix = sp.csr_array((np.ones(r.size, dtype=bool), (r, c)), shape=(k, m))
    matrix.sort_indices()
    return matrix
