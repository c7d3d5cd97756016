"""Round trips of the flow refuelling model: cycles, arc sets and station combinations.

Private to :mod:`planning.models.frlm`; ``refuelling_combinations`` is public through it.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from ._errors import SpecificationError

PathSpec = tuple[Sequence[Hashable], Sequence[float]]

_MAX_PATH_CANDIDATES = 16
"""Most candidate nodes on one path the combinations formulation enumerates."""


@dataclass(frozen=True)
class _Cycle:
    """One path's round trip: candidate index and position of each stop, and the length."""

    sites: np.ndarray
    pos: np.ndarray
    length: float


def _cycle(nodes: Sequence[Hashable], cum: np.ndarray, index: dict[Hashable, int]) -> _Cycle:
    """Return the stops of the round trip O..D..O (D once, O once) and their positions."""
    total = float(cum[-1])
    fwd = [(index.get(v, -1), float(c)) for v, c in zip(nodes, cum, strict=True)]
    inner = zip(nodes[1:-1], cum[1:-1], strict=True)
    back = [(index.get(v, -1), 2 * total - float(c)) for v, c in inner][::-1]
    stops = fwd + back
    return _Cycle(
        np.array([s for s, _ in stops], dtype=np.int64),
        np.array([q for _, q in stops], dtype=np.float64),
        2 * total,
    )


def _refuelled(cyc: _Cycle, is_open: np.ndarray, rng: float) -> bool:
    """Return whether the open stations on the cycle are never more than ``rng`` apart."""
    on = cyc.sites >= 0
    on[on] = is_open[cyc.sites[on]]
    q = cyc.pos[on]
    if q.size == 0:
        return False
    gaps = np.diff(np.append(q, q[0] + cyc.length))
    return bool(gaps.max() <= rng * (1 + 1e-12))


def _arc_sets(cyc: _Cycle, rng: float) -> list[np.ndarray] | None:
    """Return per arc of the cycle the candidate sites within range before its end.

    Only the minimal sets are returned: an arc whose set contains another
    arc's set adds nothing (covering the smaller set covers it), and equal
    sets are listed once. None when an arc is longer than the range (the
    path can never be refuelled).
    """
    n = cyc.pos.size
    tol = rng * (1 + 1e-12)
    ends = np.append(cyc.pos[1:], cyc.pos[0] + cyc.length)
    arcs = ends - cyc.pos
    if (arcs > tol).any():
        return None
    live = np.flatnonzero(arcs > 0)  # two stops at the same place make no arc
    # stop k of the unrolled cycle: k < n is stop k one lap earlier, k >= n stop k - n
    unrolled = np.concatenate([cyc.pos - cyc.length, cyc.pos])
    ends = ends[live]
    lo = np.searchsorted(unrolled, ends - tol - 1e-9 * max(1.0, rng), side="left")
    lo = np.maximum(lo, live + 1)  # at most one full lap back
    for _ in range(n + 1):  # exact test of the original rule at the window's edge
        bad = (lo < live + n) & (ends - unrolled[np.minimum(lo, 2 * n - 1)] > tol)
        if not bad.any():
            break
        lo[bad] += 1
    # a window [lo, t + n] holding the previous arc's window is not minimal
    keep = np.ones(live.size, dtype=bool)
    keep[1:] = lo[1:] > lo[:-1]
    if live.size > 1 and lo[-1] >= lo[0] + n:
        keep[0] = False
    ends_k, starts = live[keep] + n, lo[keep]
    # every window's stops at once: the sites of each, sorted, without repeats
    pos, sizes = _ranges(starts, ends_k + 1)
    sites = cyc.sites[pos % n]
    owner = np.repeat(np.arange(starts.size), sizes)
    on = sites >= 0
    sites, owner = sites[on], owner[on]
    order = np.lexsort((sites, owner))
    sites, owner = sites[order], owner[order]
    first = np.ones(sites.size, dtype=bool)
    first[1:] = (sites[1:] != sites[:-1]) | (owner[1:] != owner[:-1])
    sites, owner = sites[first], owner[first]
    cuts = np.cumsum(np.bincount(owner, minlength=starts.size))[:-1]
    out: list[np.ndarray] = []
    seen: set[bytes] = set()
    for window in np.split(sites, cuts):
        key = window.tobytes()
        if key not in seen:
            seen.add(key)
            out.append(window)
    return out


def _ranges(starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the integers of every range ``[starts[i], stops[i])`` in turn, and the lengths."""
    sizes = np.maximum(stops - starts, 0)
    total = int(sizes.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), sizes
    offsets = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes)
    return np.arange(total, dtype=np.int64) + offsets, sizes


def refuelling_combinations(
    nodes: Sequence[Hashable],
    cumulative: Sequence[float],
    candidates: Sequence[Hashable],
    *,
    vehicle_range_m: float,
    max_candidates: int = _MAX_PATH_CANDIDATES,
) -> list[tuple[int, ...]]:
    """List the minimal sets of candidate sites that refuel one path's round trip.

    Parameters
    ----------
    nodes
        Node ids along the path, origin first.
    cumulative
        Distance from the origin to each node (metres), non-decreasing.
    candidates
        Node ids where stations may be built; results are indices into it.
    vehicle_range_m
        Distance a vehicle covers on a full tank or charge.
    max_candidates
        Refuse paths with more candidate nodes than this (the enumeration
        is exponential).

    Returns
    -------
    list of tuple of int
        Each minimal combination (no proper subset refuels the path), as
        sorted candidate indices; empty when no combination does.
    """
    index = {v: j for j, v in enumerate(candidates)}
    cyc = _cycle(list(nodes), np.asarray(cumulative, dtype=np.float64), index)
    on_path = np.unique(cyc.sites[cyc.sites >= 0])
    if on_path.size > max_candidates:
        msg = (
            f"the path has {on_path.size} candidate nodes, more than max_candidates="
            f"{max_candidates}; use the arc-cover formulation"
        )
        raise SpecificationError(msg)
    return _combos(cyc, on_path, np.ones(len(candidates), dtype=bool), float(vehicle_range_m))


def _check_paths(paths: Sequence[PathSpec], index: dict[Hashable, int]) -> list[_Cycle]:
    cycles: list[_Cycle] = []
    problems: list[str] = []
    for q, spec in enumerate(paths):
        try:
            nodes, cum = spec
        except (TypeError, ValueError):
            problems.append(f"path {q} is not a (nodes, cumulative distances) pair")
            continue
        nodes = list(nodes)
        arr = np.asarray(cum, dtype=np.float64)
        if len(nodes) < 2 or arr.shape != (len(nodes),):
            problems.append(f"path {q} needs at least two nodes and one distance per node")
            continue
        if not np.isfinite(arr).all() or arr[0] != 0 or (np.diff(arr) < 0).any():
            problems.append(f"path {q}: distances must start at 0, be finite and never decrease")
            continue
        if arr[-1] <= 0:
            problems.append(f"path {q} has zero length (origin = destination)")
            continue
        cycles.append(_cycle(nodes, arr, index))
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        msg = "paths: " + "; ".join(problems[:5]) + more
        raise ValueError(msg)
    return cycles


def _combos(cy: _Cycle, on: np.ndarray, usable: np.ndarray, rng: float) -> list[tuple[int, ...]]:
    found: list[tuple[int, ...]] = []
    is_open = np.zeros(usable.size, dtype=bool)
    for size in range(1, on.size + 1):
        for combo in itertools.combinations(on.tolist(), size):
            if any(set(h) <= set(combo) for h in found):
                continue
            is_open[:] = False
            is_open[list(combo)] = True
            if _refuelled(cy, is_open, rng):
                found.append(tuple(int(k) for k in combo))
    return found
