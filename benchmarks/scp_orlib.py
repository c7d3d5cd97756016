"""OR-Library set covering instances (scp4x, 5x, 6x, a-e) against their published optima.

Usage::

    python benchmarks/scp_orlib.py [DATA_DIR] [--only scp41,scpa1] [--method exact]
                                   [--time-limit 60]

DATA_DIR holds ``scpXX.txt`` and ``optima.csv`` (default: the copy in
``benchmarks/data/scp``). Each file is "m n", the n column costs, then per
row the number of columns covering it and their (1-based) indices. Rows are
demand points, columns candidate sites; :func:`planning.solve_lscp` finds the
least-cost cover.

Prints one row per instance (instance, rows, columns, value, published
optimum, seconds, status, gap) and the total time and peak memory
(``resource.getrusage``).
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planning.models.lscp import solve_lscp  # noqa: E402

DEFAULT_DIR = Path(__file__).resolve().parent / "data" / "scp"
SETS = ("scp4", "scp5", "scp6", "scpa", "scpb", "scpc", "scpd", "scpe")


def read_scp(path: Path) -> tuple[sp.csr_array, np.ndarray]:
    """Return the coverage matrix (rows x columns) and the column costs of one file."""
    values = np.array(path.read_text().split(), dtype=np.int64)
    m, n = int(values[0]), int(values[1])
    costs = values[2 : 2 + n].astype(np.float64)
    pos = 2 + n
    rows, cols = [], []
    for i in range(m):
        k = int(values[pos])
        cols.append(values[pos + 1 : pos + 1 + k] - 1)
        rows.append(np.full(k, i))
        pos += 1 + k
    r, c = np.concatenate(rows), np.concatenate(cols)
    a = sp.csr_array((np.ones(r.size, dtype=bool), (r, c)), shape=(m, n))
    return a, costs


def read_optima(directory: Path) -> dict[str, float]:
    """Return the published optimum of every instance in optima.csv."""
    with open(directory / "optima.csv", newline="") as fh:
        return {row["instance"]: float(row["optimum"]) for row in csv.DictReader(fh)}


def _instances(directory: Path, only: list[str] | None) -> list[str]:
    names = [p.stem for p in directory.glob("scp*.txt")]
    names = [s for s in names if s[:4] in SETS and s[4:].isdigit()]
    names.sort(key=lambda s: (SETS.index(s[:4]), int(s[4:])))
    if only:
        names = [s for s in names if s in only]
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--only", help="comma-separated instance names")
    parser.add_argument("--method", default="exact", choices=["auto", "exact", "heuristic"])
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args(argv)

    optima = read_optima(args.data_dir)
    names = _instances(args.data_dir, args.only.split(",") if args.only else None)
    header = (
        f"{'instance':<9} {'rows':>5} {'cols':>5} {'value':>8} {'optimum':>8} {'match':>5} "
        f"{'seconds':>8} {'status':<10} {'gap':>7}"
    )
    print(header)
    print("-" * len(header))
    total = 0.0
    matched = 0
    for name in names:
        a, costs = read_scp(args.data_dir / f"{name}.txt")
        t0 = time.perf_counter()
        sol = solve_lscp(a, costs=costs, method=args.method, time_limit=args.time_limit)
        seconds = time.perf_counter() - t0
        total += seconds
        opt = optima.get(name, float("nan"))
        ok = abs(sol.objective - opt) < 1e-6
        matched += ok
        print(
            f"{name:<9} {a.shape[0]:>5} {a.shape[1]:>5} {sol.objective:>8.0f} {opt:>8.0f} "
            f"{'yes' if ok else 'NO':>5} {seconds:>8.2f} {sol.status:<10} {sol.gap:>7.2%}",
            flush=True,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("-" * len(header))
    print(
        f"{matched}/{len(names)} at the published optimum; total {total:.1f} s; "
        f"peak memory {peak:.0f} MB; method {args.method}, time limit {args.time_limit:g} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
