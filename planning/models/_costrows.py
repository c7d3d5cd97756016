"""Assignment costs as per-demand sorted lists, shared by the distance models.

A cost matrix has one row per demand point and one column per candidate
site. It may be a dense array, where ``inf`` marks a pair that cannot be
served, or a :mod:`scipy.sparse` matrix, where a *missing* entry marks such a
pair and every *stored* entry is an allowed pair, including explicitly stored
zeros (a distance of 0 stays distinguishable from "cannot be served").
:class:`CostRows` keeps the allowed pairs of every row sorted by cost, which
is what the p-median and p-center solvers work on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._args import cost_entries, demand_vector, whole_number
from ._errors import SpecificationError


@dataclass(frozen=True)
class CostRows:
    """The allowed (demand, site, cost) triples, each row sorted by cost.

    Parameters
    ----------
    n, m
        Number of demand points (rows) and candidate sites (columns).
    indptr
        Row ``i`` owns entries ``indptr[i]:indptr[i + 1]``.
    rows, sites, cost
        Per entry: demand index, site index and cost; ascending cost within
        each row (ties by site index).
    """

    n: int
    m: int
    indptr: np.ndarray
    rows: np.ndarray
    sites: np.ndarray
    cost: np.ndarray

    @property
    def degree(self) -> np.ndarray:
        """Number of allowed sites per demand point."""
        return np.diff(self.indptr)

    def scaled(self, factor: np.ndarray) -> CostRows:
        """Return the rows with every cost multiplied by its row's ``factor``.

        Parameters
        ----------
        factor
            One non-negative value per row (e.g. demand weights).

        Returns
        -------
        CostRows
            Same entries; order stays sorted because factors are non-negative.
        """
        if np.all(factor == 1.0):
            return self
        return CostRows(
            self.n, self.m, self.indptr, self.rows, self.sites, self.cost * factor[self.rows]
        )

    def subset(self, keep_rows: np.ndarray, keep_sites: np.ndarray) -> CostRows:
        """Return the rows and sites selected by two boolean masks, renumbered.

        Parameters
        ----------
        keep_rows
            Boolean mask over rows.
        keep_sites
            Boolean mask over sites.

        Returns
        -------
        CostRows
            The sub-problem; row and site indices count the kept ones only.
        """
        if keep_rows.all() and keep_sites.all():
            return self
        mask = keep_rows[self.rows] & keep_sites[self.sites]
        row_new = np.cumsum(keep_rows) - 1
        site_new = np.cumsum(keep_sites) - 1
        rows = row_new[self.rows[mask]]
        n = int(keep_rows.sum())
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        return CostRows(
            n, int(keep_sites.sum()), indptr, rows, site_new[self.sites[mask]], self.cost[mask]
        )

    def columns(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (entry positions ordered by site, site pointer) for column access.

        Site ``j`` owns entries ``order[ptr[j]:ptr[j + 1]]``.
        """
        order = np.argsort(self.sites, kind="stable")
        ptr = np.zeros(self.m + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.sites, minlength=self.m), out=ptr[1:])
        return order, ptr

    def keep_entries(self, mask: np.ndarray) -> CostRows:
        """Return the rows with only the entries selected by a boolean mask."""
        rows = self.rows[mask]
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=self.n), out=indptr[1:])
        return CostRows(self.n, self.m, indptr, rows, self.sites[mask], self.cost[mask])

    def open_entries(self, is_open: np.ndarray, *, second: bool = False) -> tuple[np.ndarray, ...]:
        """Return, per row, the entry of its cheapest open site (and runner-up).

        Parameters
        ----------
        is_open
            Boolean mask over sites.
        second
            Also return the entry of the second cheapest open site.

        Returns
        -------
        tuple of numpy.ndarray
            One or two arrays of entry positions, ``-1`` where a row has no
            (second) open site.
        """
        pos = np.flatnonzero(is_open[self.sites])
        rows = self.rows[pos]
        first = np.ones(pos.size, dtype=bool)
        first[1:] = rows[1:] != rows[:-1]
        e1 = np.full(self.n, -1, dtype=np.int64)
        e1[rows[first]] = pos[first]
        if not second:
            return (e1,)
        nxt = np.zeros(pos.size, dtype=bool)
        nxt[1:] = first[:-1] & ~first[1:]
        e2 = np.full(self.n, -1, dtype=np.int64)
        e2[rows[nxt]] = pos[nxt]
        return e1, e2

    def best_open(self, is_open: np.ndarray, *, second: bool = False) -> tuple[np.ndarray, ...]:
        """Return, per row, the cheapest open site and its cost (and the runner-up).

        Parameters
        ----------
        is_open
            Boolean mask over sites.
        second
            Also return the second cheapest open site and its cost.

        Returns
        -------
        tuple of numpy.ndarray
            ``(site1, cost1)`` or ``(site1, cost1, site2, cost2)``; ``-1`` and
            ``inf`` where a row has no (second) open site.
        """
        out: list[np.ndarray] = []
        for e in self.open_entries(is_open, second=second):
            ok = e >= 0
            safe = np.where(ok, e, 0)
            if self.sites.size == 0:
                out += [np.full(self.n, -1, dtype=np.int64), np.full(self.n, np.inf)]
                continue
            out.append(np.where(ok, self.sites[safe], -1))
            out.append(np.where(ok, self.cost[safe], np.inf))
        return tuple(out)


def cost_rows(cost: np.ndarray | sp.spmatrix | sp.sparray, *, name: str = "cost") -> CostRows:
    """Return the allowed pairs of a dense or sparse cost matrix, sorted per row.

    Parameters
    ----------
    cost
        Demand x sites matrix of non-negative costs. Dense: ``inf`` means
        "cannot be served from there". Sparse: a missing entry means that;
        stored entries (explicit zeros included) are allowed pairs, and
        duplicate entries are summed as scipy does.
    name
        Argument name used in error messages.

    Returns
    -------
    CostRows
        The allowed pairs.

    Raises
    ------
    SpecificationError
        If the matrix is not two-dimensional, or holds NaN, negative or
        (sparse) infinite values.
    """
    if not sp.issparse(cost):
        arr = np.asarray(cost, dtype=np.float64)
        if arr.ndim == 2 and arr.size and not np.isnan(arr).any() and arr.min() >= 0:
            return _dense_rows(arr)
    rows, sites, vals, n, m = cost_entries(cost, name)
    # by row, then cost, then site: two stable sorts (the entries come by row, then site)
    order = np.argsort(vals, kind="stable")
    order = order[np.argsort(rows[order], kind="stable")]
    rows, sites, vals = rows[order], sites[order], vals[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return CostRows(n, m, indptr, rows, sites, vals)


def _dense_rows(arr: np.ndarray) -> CostRows:
    """Return the finite entries of a checked dense matrix, each row sorted by cost then site."""
    n, m = arr.shape
    order = np.argsort(arr, axis=1)
    vals = np.take_along_axis(arr, order, axis=1)
    if (vals[:, 1:] == vals[:, :-1]).any():  # ties: keep them by site, as a stable sort does
        order = np.argsort(arr, axis=1, kind="stable")
        vals = np.take_along_axis(arr, order, axis=1)
    finite = vals < np.inf
    if finite.all():
        counts = np.full(n, m, dtype=np.int64)
        sites, vals = order.astype(np.int64).ravel(), vals.ravel()
    else:
        counts = finite.sum(axis=1)
        sites, vals = order[finite].astype(np.int64), vals[finite]
    rows = np.repeat(np.arange(n, dtype=np.int64), counts)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return CostRows(n, m, indptr, rows, sites, vals)


def site_masks(
    required: np.ndarray | list[int] | None,
    forbidden: np.ndarray | list[int] | None,
    m: int,
    p: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Return boolean masks (required, allowed) over ``m`` sites, checked against ``p``.

    Parameters
    ----------
    required, forbidden
        Site indices or boolean masks of length ``m``, or None.
    m
        Number of candidate sites.
    p
        Number of sites to open.

    Returns
    -------
    tuple of numpy.ndarray
        Mask of required sites and mask of sites that may be opened.

    Raises
    ------
    SpecificationError
        If an index is out of range, a site is both required and forbidden,
        more sites are required than ``p``, or fewer than ``p`` are allowed.
    """
    req = _mask(required, m, "required")
    forb = _mask(forbidden, m, "forbidden")
    both = np.flatnonzero(req & forb)
    if both.size:
        msg = f"sites {both[:10].tolist()} are both required and forbidden; drop them from one"
        raise SpecificationError(msg)
    if int(req.sum()) > p:
        msg = f"required names {int(req.sum())} sites but p is {p}; raise p or require fewer"
        raise SpecificationError(msg)
    allowed = ~forb
    if int(allowed.sum()) < p:
        msg = (
            f"p is {p} but only {int(allowed.sum())} of {m} sites may be opened; "
            "lower p or forbid fewer sites"
        )
        raise SpecificationError(msg)
    return req, allowed


def _mask(sites: np.ndarray | list[int] | None, m: int, name: str) -> np.ndarray:
    out = np.zeros(m, dtype=bool)
    if sites is None:
        return out
    arr = np.asarray(sites)
    if arr.dtype == bool:
        if arr.shape != (m,):
            msg = f"{name} as a boolean mask must have one entry per site ({m}); got {arr.shape}"
            raise SpecificationError(msg)
        return arr.copy()
    if arr.size == 0:
        return out
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        msg = f"{name} must be a list of integer site indices or a boolean mask"
        raise SpecificationError(msg)
    bad = arr[(arr < 0) | (arr >= m)]
    if bad.size:
        msg = f"{name} holds site indices outside 0..{m - 1}: {bad[:10].tolist()}"
        raise SpecificationError(msg)
    out[arr] = True
    return out


def check_count(p: object, name: str = "p") -> int:
    """Return ``p`` as a positive int or raise :class:`SpecificationError`."""
    return whole_number(p, name, minimum=1)


def check_weights(
    weights: object, n: int, name: str = "weights", *, m: int | None = None
) -> np.ndarray:
    """Return demand weights as a float array of length ``n``, finite and non-negative.

    ``m``, the number of sites, lets weights given per site be reported as a
    sign of a transposed cost matrix.
    """
    try:
        return demand_vector(weights, n, name, m=m)
    except SpecificationError:
        raise
    except ValueError as err:
        raise SpecificationError(str(err)) from None
