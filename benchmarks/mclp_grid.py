"""Maximal covering with huge demand: up to 20 million points, 100 sites.

Usage::

    python benchmarks/mclp_grid.py [--sizes 100k,1m,5m,20m] [--p 10] [--radius 5.5]
                                   [--side 30] [--time-limit 600] [--seed 0]

The instances follow the recipe of Cordeau, Furini and Ljubić's large
maximal-covering benchmark ("Benders decomposition for very large scale
partial set covering and maximal covering location problems", EJOR 2019),
as we read it: 100 candidate sites and ``n`` demand points placed uniformly
at random in a square, integer demand uniform in 1-100, unit site costs with
a budget of ``p`` sites, and a point covered by a site within Euclidean
distance ``R``. We use a square of side 30 and ``R = 5.5`` (each site then
reaches about a tenth of the square) unless ``--side`` / ``--radius`` say
otherwise. The data are synthetic, drawn from a seeded generator.

Each size runs in a fresh child process so its peak memory (VmHWM, the
resident high-water mark) is its own. The child draws the points, merges
them by the set of sites covering them with
:func:`planning.distances.coverage_classes` (chunks of a million points,
never a demand x sites matrix), and solves the merged MCLP exactly with
:func:`planning.solve_mclp`. Merging is exact: points with the same covering
set are covered together or not at all. The row says whether the optimum is
proven (status ``optimal``, gap 0) and times each step. Times are wall-clock
on whatever machine runs it (shared machines are slower and noisier).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

SIZES = {"100k": 100_000, "1m": 1_000_000, "5m": 5_000_000, "20m": 20_000_000}


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(n: int, p: int, radius: float, side: float, limit: float, seed: int) -> dict:
    """Draw, merge and solve one instance; return its row."""
    sys.path.insert(0, str(ROOT))
    from planning import solve_mclp
    from planning.distances import coverage_classes

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    sites = rng.uniform(0.0, side, (100, 2))
    demand = rng.uniform(0.0, side, (n, 2))
    weight = rng.integers(1, 101, n).astype(np.float64)
    t1 = time.perf_counter()
    classes = coverage_classes(demand, sites, radius, weight)
    total = classes.total_weight
    del demand, weight
    t2 = time.perf_counter()
    sol = solve_mclp(classes.matrix, classes.weights, p, time_limit=limit)
    t3 = time.perf_counter()
    return {
        "n": n,
        "classes": int(classes.matrix.shape[0]),
        "status": sol.status,
        "objective": sol.objective,
        "bound": sol.bound,
        "gap": sol.gap,
        "covered_share": sol.objective / total if total else 1.0,
        "draw_s": t1 - t0,
        "merge_s": t2 - t1,
        "solve_s": t3 - t2,
        "total_s": t3 - t0,
        "peak_mb": _peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100k,1m,5m,20m")
    parser.add_argument("--p", type=int, default=10)
    parser.add_argument("--radius", type=float, default=5.5)
    parser.add_argument("--side", type=float, default=30.0)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        row = run_one(args.child, args.p, args.radius, args.side, args.time_limit, args.seed)
        print(json.dumps(row))
        return
    print(
        f"MCLP grid (synthetic): 100 sites, square {args.side:g}, radius {args.radius:g}, "
        f"p={args.p}, demand 1-100, seed {args.seed}"
    )
    head = (
        f"{'points':>11} {'classes':>8} {'status':>9} {'objective':>14} {'gap':>7} "
        f"{'covered':>8} {'draw s':>7} {'merge s':>8} {'solve s':>8} {'total s':>8} {'peak MB':>8}"
    )
    print(head)
    for label in args.sizes.split(","):
        n = SIZES.get(label.strip().lower())
        if n is None:
            n = int(float(label))
        cmd = [sys.executable, __file__, "--child", str(n), "--p", str(args.p)]
        cmd += ["--radius", str(args.radius), "--side", str(args.side)]
        cmd += ["--time-limit", str(args.time_limit), "--seed", str(args.seed)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(f"{n:>11,} failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['n']:>11,} {r['classes']:>8,} {r['status']:>9} {r['objective']:>14,.0f} "
            f"{r['gap']:>7.2%} {r['covered_share']:>8.2%} {r['draw_s']:>7.1f} "
            f"{r['merge_s']:>8.1f} {r['solve_s']:>8.1f} {r['total_s']:>8.1f} "
            f"{r['peak_mb']:>8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
