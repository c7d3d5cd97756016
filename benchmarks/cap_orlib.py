"""OR-Library capacitated warehouse location (cap41-cap134) against the published optima.

Usage::

    python benchmarks/cap_orlib.py [DATA_DIR] [--only cap41,cap131] [--method exact]
                                   [--time-limit 60]

DATA_DIR holds ``capNN.txt`` and ``capopt.txt`` (default: the copy in
``benchmarks/data/cap``). Each file is "m n"; m lines "capacity fixed_cost";
then per customer its demand followed by the m costs of serving all of its
demand from each warehouse. Demand may be split across warehouses, which is
the model :func:`planning.solve_capacitated_location` solves.

Prints one row per instance (instance, sites, customers, value, published
optimum, relative difference, seconds, status, gap) and the total time and
peak memory (``resource.getrusage``). OR-Library notes that machines may give
slightly different values through rounding, so a value within 1e-6 relative
of the optimum counts as a match.
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planning.models.capacitated import solve_capacitated_location  # noqa: E402

DEFAULT_DIR = Path(__file__).resolve().parent / "data" / "cap"


def read_cap(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (cost, demand, capacity, fixed_cost) of one instance; cost is customers x sites."""
    values = np.array(path.read_text().split(), dtype=np.float64)
    m, n = int(values[0]), int(values[1])
    head = values[2 : 2 + 2 * m].reshape(m, 2)
    body = values[2 + 2 * m : 2 + 2 * m + n * (m + 1)].reshape(n, m + 1)
    return body[:, 1:], body[:, 0], head[:, 0], head[:, 1]


def read_optima(directory: Path) -> dict[str, float]:
    """Return the published optimum of each capNN instance listed in capopt.txt."""
    optima = {}
    for line in (directory / "capopt.txt").read_text().splitlines():
        match = re.match(r"\s*(cap\d+)\s+([\d.]+)", line)
        if match:
            optima[match.group(1)] = float(match.group(2))
    return optima


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--only", help="comma-separated instance names")
    parser.add_argument("--method", default="exact", choices=["auto", "exact", "heuristic"])
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args(argv)

    optima = read_optima(args.data_dir)
    names = sorted(
        (p.stem for p in args.data_dir.glob("cap*.txt") if p.stem[3:].isdigit()),
        key=lambda s: int(s[3:]),
    )
    if args.only:
        names = [s for s in names if s in args.only.split(",")]
    header = (
        f"{'instance':<8} {'sites':>5} {'cust':>5} {'value':>14} {'optimum':>14} {'rel.diff':>9} "
        f"{'seconds':>8} {'status':<10} {'gap':>8}"
    )
    print(header)
    print("-" * len(header))
    total = 0.0
    matched = 0
    for name in names:
        cost, demand, capacity, fixed = read_cap(args.data_dir / f"{name}.txt")
        t0 = time.perf_counter()
        sol = solve_capacitated_location(
            cost, demand, capacity, fixed, method=args.method, time_limit=args.time_limit
        )
        seconds = time.perf_counter() - t0
        total += seconds
        opt = optima.get(name, float("nan"))
        diff = (sol.objective - opt) / opt
        matched += abs(diff) <= 1e-6
        print(
            f"{name:<8} {cost.shape[1]:>5} {cost.shape[0]:>5} {sol.objective:>14.3f} {opt:>14.3f} "
            f"{diff:>9.1e} {seconds:>8.2f} {sol.status:<10} {sol.gap:>8.2e}",
            flush=True,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("-" * len(header))
    print(
        f"{matched}/{len(names)} within 1e-6 of the published optimum; total {total:.1f} s; "
        f"peak memory {peak:.0f} MB; method {args.method}, time limit {args.time_limit:g} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
