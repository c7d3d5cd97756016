"""OR-Library p-median instances pmed1-40 against their published optima.

Usage::

    python benchmarks/pmedian_orlib.py [DATA_DIR] [--only pmed1,pmed5] [--method exact]
                                       [--pcenter pmed1,pmed6]

DATA_DIR holds ``pmedN.txt`` and ``optima.csv`` (default: the copy in
``benchmarks/data/pmed``). Each file is "n edges p" and then "i j cost"
lines of an undirected graph; pairs repeat with different costs and the
*last* occurrence counts. Distances are all-pairs shortest paths. Every node
is both a demand point (weight 1) and a candidate site.

Prints one row per instance (instance, n, p, value, published optimum,
wall-clock and CPU seconds of the solve, status, method) and the totals;
with ``--pcenter`` also solves the p-center problem on the listed graphs (no
published table, value and bound only). Peak memory is from ``resource.getrusage``.
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planning.models.pmedian import solve_pmedian  # noqa: E402

DEFAULT_DIR = Path(__file__).resolve().parent / "data" / "pmed"


def read_pmed(path: Path) -> tuple[np.ndarray, int]:
    """Return the all-pairs shortest-path matrix and p of one instance."""
    with open(path) as fh:
        n, n_edges, p = (int(t) for t in fh.readline().split())
        edges = np.loadtxt(fh, dtype=np.int64, ndmin=2)[:n_edges]
    i = edges[:, 0] - 1
    j = edges[:, 1] - 1
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    key = lo * n + hi
    # keep the last occurrence of every pair
    _, last_rev = np.unique(key[::-1], return_index=True)
    last = key.size - 1 - last_rev
    g = sp.coo_array((edges[last, 2].astype(np.float64), (lo[last], hi[last])), shape=(n, n))
    dist = shortest_path(g.tocsr(), method="D", directed=False)
    return dist, p


def read_optima(directory: Path) -> dict[str, float]:
    """Return the published optimum of every instance listed in optima.csv."""
    with open(directory / "optima.csv", newline="") as fh:
        return {row["instance"]: float(row["optimum"]) for row in csv.DictReader(fh)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--only", default="", help="comma-separated instance names")
    ap.add_argument("--method", default="exact", choices=["auto", "exact", "heuristic"])
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--pcenter", default="", help="also solve p-center on these instances")
    args = ap.parse_args(argv)
    optima = read_optima(args.data_dir)
    names = args.only.split(",") if args.only else [f"pmed{k}" for k in range(1, 41)]
    header = (
        f"{'instance':<9}{'n':>5}{'p':>5}{'value':>9}{'optimum':>9}{'seconds':>9}{'cpu s':>9}"
        "  status  method"
    )
    print(header)
    print("-" * len(header))
    total = 0.0
    total_cpu = 0.0
    hits = 0
    for name in names:
        dist, p = read_pmed(args.data_dir / f"{name}.txt")
        t0, c0 = time.perf_counter(), time.process_time()
        sol = solve_pmedian(dist, 1.0, p, method=args.method, time_limit=args.time_limit)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        total += seconds
        total_cpu += cpu
        opt = optima.get(name, float("nan"))
        hit = round(sol.objective) == opt
        hits += int(hit)
        print(
            f"{name:<9}{dist.shape[0]:>5}{p:>5}{sol.objective:>9.0f}{opt:>9.0f}"
            f"{seconds:>9.2f}{cpu:>9.2f}  {sol.status}  {sol.method}"
            + ("" if hit else "  MISMATCH"),
            flush=True,
        )
    print("-" * len(header))
    print(
        f"{len(names)} instances, {hits} at the published optimum, "
        f"total {total:.1f} s wall, {total_cpu:.1f} s CPU"
    )
    if args.pcenter:
        from planning.models.pcenter import solve_pcenter

        print()
        print(
            f"{'p-center':<9}{'n':>5}{'p':>5}{'radius':>9}{'bound':>9}{'seconds':>9}{'cpu s':>9}"
            "  status"
        )
        for name in args.pcenter.split(","):
            dist, p = read_pmed(args.data_dir / f"{name}.txt")
            t0, c0 = time.perf_counter(), time.process_time()
            sol = solve_pcenter(dist, p, time_limit=args.time_limit)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            print(
                f"{name:<9}{dist.shape[0]:>5}{p:>5}{sol.objective:>9.0f}{sol.bound:>9.0f}"
                f"{seconds:>9.2f}{cpu:>9.2f}  {sol.status}",
                flush=True,
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")
    return 0 if hits == len(names) else 1


if __name__ == "__main__":
    raise SystemExit(main())
