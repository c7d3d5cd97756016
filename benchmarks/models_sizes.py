"""How large an instance each newer model solves to proven optimality within a time limit.

Usage::

    python benchmarks/models_sizes.py [--time-limit 60] [--models backup,pdispersion,...]
                                      [--max-minutes 20] [--seed 0] [--cap-only cap41,...]

For each model, seeded random instances of growing size are solved with
``time_limit`` seconds each, and one row per size is printed: the size, wall
time, status and gap (``relative_gap(objective, bound)``; 0 means proven
optimal). A model's ladder stops after two sizes in a row that are not
proven optimal (the first shows the gap just beyond the largest optimal
size) or when it has used its share of ``--max-minutes`` (split evenly over
the models and the OR-Library set). The models:

- ``backup``: :func:`planning.solve_backup_coverage` with ``p`` sites
  (maximal form: covered once plus covered twice), ``n`` demand points and
  ``m = n / 10`` sites in a square, each point reached by about four sites;
- ``backup_cover``: the covering form (fewest sites covering everything, then
  most covered twice) on the same instances;
- ``pdispersion``: :func:`planning.solve_pdispersion`, ``p = 10`` of ``m``
  sites in a square;
- ``single_source``: :func:`planning.solve_capacitated_location` with
  ``single_source=True, exact_p=True`` (the capacitated p-median): ``n``
  customers, ``m = n / 10`` sites of equal capacity, ``p = m / 2`` of them
  holding 1.5 times the demand; then the OR-Library capacitated warehouse
  instances of ``benchmarks/data/cap`` single-sourced (their fixed costs,
  no ``p``), where the published split-demand optimum is a lower bound;
- ``frlm``: :func:`planning.solve_flow_refuelling` on a random road network
  of ``nodes`` nodes (each joined to its four nearest), ``2 x nodes``
  origin-destination shortest paths with gravity flows, every node a
  candidate, ``p = nodes / 10`` stations and a range of half the mean path
  length.

Times are wall-clock on whatever machine runs it (shared machines are slower
and noisier); peak memory is printed at the end.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cap_orlib import read_cap, read_optima  # noqa: E402

from planning import (  # noqa: E402
    SpecificationError,
    solve_backup_coverage,
    solve_capacitated_location,
    solve_flow_refuelling,
    solve_pdispersion,
)
from planning.distances import coverage_matrix  # noqa: E402

CAP_DIR = Path(__file__).resolve().parent / "data" / "cap"
CAP_DEFAULT = "cap41,cap61,cap64,cap71,cap74,cap91,cap94,cap101,cap104,cap121,cap124,cap131,cap134"
"""One instance that cannot be single-sourced (a customer's demand exceeds every capacity)
and the others of each capacity class that can."""

SIZES = {
    "backup": [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 400_000],
    "backup_cover": [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000],
    "pdispersion": [100, 200, 500, 1_000, 2_000, 3_000, 5_000],
    "single_source": [50, 100, 200, 400, 800, 1_600, 3_200],
    "frlm": [25, 50, 100, 200, 400, 800, 1_600],
}


def _backup_instance(n: int, rng: np.random.Generator) -> tuple[sp.csr_array, np.ndarray, int]:
    m = max(n // 10, 10)
    side = 10_000.0
    demand = rng.uniform(0, side, (n, 2))
    sites = rng.uniform(0, side, (m, 2))
    radius = side * np.sqrt(4.0 / (np.pi * m))  # about four sites reach a point
    cover = sp.csr_array(coverage_matrix(demand, sites, radius))
    return cover, rng.integers(1, 100, n).astype(float), max(m // 10, 2)


def backup(n: int, rng: np.random.Generator, limit: float) -> tuple[str, Any]:
    cover, w, p = _backup_instance(n, rng)
    sol = solve_backup_coverage(cover, weights=w, p=p, time_limit=limit)
    return f"n={n} m={cover.shape[1]} p={p}", sol


def backup_cover(n: int, rng: np.random.Generator, limit: float) -> tuple[str, Any]:
    cover, w, _ = _backup_instance(n, rng)
    sol = solve_backup_coverage(cover, weights=w, time_limit=limit)
    return f"n={n} m={cover.shape[1]} (cover all)", sol


def pdispersion(m: int, rng: np.random.Generator, limit: float) -> tuple[str, Any]:
    xy = rng.uniform(0, 10_000, (m, 2))
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    sol = solve_pdispersion(d, 10, time_limit=limit)
    return f"m={m} p=10", sol


def single_source(n: int, rng: np.random.Generator, limit: float) -> tuple[str, Any]:
    m = max(n // 10, 4)
    p = m // 2
    demand = rng.integers(5, 35, n).astype(float)
    capacity = np.full(m, 1.5 * demand.sum() / p)
    cxy = rng.uniform(0, 100, (n, 2))
    sxy = rng.uniform(0, 100, (m, 2))
    dist = np.hypot(cxy[:, None, 0] - sxy[None, :, 0], cxy[:, None, 1] - sxy[None, :, 1])
    sol = solve_capacitated_location(
        demand[:, None] * dist,
        demand,
        capacity,
        np.zeros(m),
        single_source=True,
        p=p,
        exact_p=True,
        time_limit=limit,
    )
    return f"n={n} m={m} p={p}", sol


def frlm(nodes: int, rng: np.random.Generator, limit: float) -> tuple[str, Any]:
    from _synthetic import flow_instance

    paths, flows, keep, lengths = flow_instance(nodes, rng)
    sol = solve_flow_refuelling(
        paths,
        flows,
        keep,
        vehicle_range_m=0.5 * float(lengths.mean()),
        p=max(nodes // 10, 2),
        time_limit=limit,
    )
    return f"nodes={len(keep)} paths={len(paths)} p={max(nodes // 10, 2)}", sol


def cap_instances(names: list[str], limit: float) -> Iterator[tuple[str, Any, float]]:
    optima = read_optima(CAP_DIR)
    for name in names:
        cost, demand, capacity, fixed = read_cap(CAP_DIR / f"{name}.txt")
        t0 = time.perf_counter()
        try:
            sol = solve_capacitated_location(
                cost, demand, capacity, fixed, single_source=True, time_limit=limit
            )
        except SpecificationError as error:
            too_big = int((demand > capacity.max()).sum())
            sol = _Refused(f"{too_big} customers exceed every capacity ({str(error)[:40]}...)")
            yield f"{name} m={cost.shape[1]} n={cost.shape[0]}", sol, time.perf_counter() - t0
            continue
        ratio = sol.objective / optima[name] if name in optima else float("nan")
        label = f"{name} m={cost.shape[1]} n={cost.shape[0]} (x{ratio:.4f} of split opt.)"
        yield label, sol, time.perf_counter() - t0


class _Refused:
    """A row for an instance the model refuses as infeasible."""

    def __init__(self, why: str) -> None:
        self.status = "infeasible"
        self.gap = float("nan")
        self.method = why


MODELS: dict[str, Callable[[int, np.random.Generator, float], tuple[str, Any]]] = {
    "backup": backup,
    "backup_cover": backup_cover,
    "pdispersion": pdispersion,
    "single_source": single_source,
    "frlm": frlm,
}


def _row(model: str, label: str, seconds: float, sol: Any) -> str:
    return f"| {model} | {label} | {seconds:.1f} | {sol.status} | {sol.gap:.2e} | {sol.method} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--max-minutes", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cap-only", default=CAP_DEFAULT, help="OR-Library cap instances")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    models = args.models.split(",")
    slots = len(models) + (1 if "single_source" in models and args.cap_only else 0)
    budget = 60.0 * args.max_minutes / slots  # each model (and the cap set) gets its share
    print(f"time limit {args.time_limit:g} s per instance, seed {args.seed}")
    print("| model | size | wall s | status | gap | method |")
    print("|---|---|---:|---|---:|---|")
    summary: dict[str, tuple[str, str]] = {}
    for model in models:
        solve = MODELS[model]
        misses = 0
        best, beyond = "-", "-"
        begun = time.perf_counter()
        for size in SIZES[model]:
            if time.perf_counter() - begun > budget:
                print(f"| {model} | (stopped: its {budget / 60:.1f} min used) | | | | |")
                break
            rng = np.random.default_rng(args.seed + size)
            t0 = time.perf_counter()
            label, sol = solve(size, rng, args.time_limit)
            seconds = time.perf_counter() - t0
            print(_row(model, label, seconds, sol), flush=True)
            if sol.status == "optimal":
                best, misses = label, 0
            else:
                if misses == 0:
                    beyond = f"{label}: gap {sol.gap:.2%}"
                misses += 1
                if misses >= 2:
                    break
        summary[model] = (best, beyond)
        if model == "single_source" and args.cap_only:
            begun = time.perf_counter()
            for label, sol, seconds in cap_instances(args.cap_only.split(","), args.time_limit):
                print(_row("single_source (OR-Lib cap)", label, seconds, sol), flush=True)
                if time.perf_counter() - begun > budget:
                    print(f"| single_source (OR-Lib cap) | (stopped: {budget / 60:.1f} min) |||||")
                    break
    print()
    print("| model | largest proven optimal | first beyond |")
    print("|---|---|---|")
    for model, (best, beyond) in summary.items():
        print(f"| {model} | {best} | {beyond} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\ntotal {time.perf_counter() - started:.0f} s; peak memory {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
