"""Maximal covering on the NewYork instance of Máximo, Cordeau & Nascimento.

Usage::

    python benchmarks/newyork.py [DATA_DIR] [--p 50,60,70,80,90,100] [--time-limit 60]
                                 [--method auto]

DATA_DIR holds ``NewYork.txt`` and ``optima.csv`` (default: the copy in
``benchmarks/data/mclp/maximo``). The file lists 2,713 nodes as latitude and
longitude in degrees, then one integer demand per node; every node is both a
demand point and a candidate site. As in the authors' code, the distance is
the spherical law of cosines on a sphere of radius 6,378,100 m, evaluated in
double precision and stored as float32, and a node covers another when that
distance is at most S = 400 m.

Prints one row per p (value, published value, relative difference, bound,
seconds, status) and the peak memory from ``resource.getrusage``.
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

from planning.models.mclp import solve_mclp  # noqa: E402

DEFAULT_DIR = Path(__file__).resolve().parent / "data" / "mclp" / "maximo"
EARTH_RADIUS_M = 6378100.0
S_METRES = 400.0


def read_instance(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return (lat/lon degrees, demand) of a TSPLIB-like MCLP file."""
    lines = [ln.strip() for ln in path.read_text().splitlines()]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("NODE_COORD_SECTION"))
    dem = lines.index("DEMAND_SECTION")
    end = lines.index("EOF") if "EOF" in lines else len(lines)
    coords = np.array([[float(v) for v in ln.split()[:2]] for ln in lines[start + 1 : dem] if ln])
    demand = np.array([float(ln.split()[-1]) for ln in lines[dem + 1 : end] if ln])
    return coords, demand


def coverage(latlon: np.ndarray, radius: float = S_METRES) -> sp.csr_array:
    """Return the coverage matrix with the authors' distance, row block by row block."""
    lat = np.radians(latlon[:, 0])
    lon = np.radians(latlon[:, 1])
    rows = []
    for s in range(0, lat.size, 512):
        la, lo = lat[s : s + 512, None], lon[s : s + 512, None]
        cosd = np.cos(la) * np.cos(lat) * np.cos(lo - lon) + np.sin(la) * np.sin(lat)
        dist = (np.arccos(np.clip(cosd, -1.0, 1.0)) * EARTH_RADIUS_M).astype(np.float32)
        rows.append(sp.csr_array(dist <= np.float32(radius)))
    return sp.csr_array(sp.vstack(rows, format="csr"))


def read_optima(path: Path) -> dict[int, tuple[float, bool]]:
    with path.open(newline="") as fh:
        return {
            int(r["p"]): (
                float(r["published_value"]),
                r["optimal_flag_in_Instancias_java"] == "true",
            )
            for r in csv.DictReader(fh)
            if r["instance"] == "NewYork"
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--p", default="50,60,70,80,90,100")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--method", default="auto", choices=["auto", "exact", "heuristic"])
    args = parser.parse_args(argv)
    latlon, demand = read_instance(args.data_dir / "NewYork.txt")
    optima = read_optima(args.data_dir / "optima.csv")
    t = time.perf_counter()
    a = coverage(latlon)
    print(
        f"NewYork: {latlon.shape[0]} nodes, {a.nnz} coverage pairs, "
        f"matrix {time.perf_counter() - t:.2f} s, time limit {args.time_limit:g} s"
    )
    header = (
        f"{'p':>4} {'value':>10} {'published':>10} {'diff':>8} {'bound':>12} "
        f"{'gap':>7} {'seconds':>8}  status"
    )
    print(header)
    for p in [int(v) for v in args.p.split(",")]:
        sol = solve_mclp(a, demand, p, method=args.method, time_limit=args.time_limit)
        pub, flagged = optima.get(p, (float("nan"), False))
        diff = (sol.objective - pub) / pub
        mark = "" if flagged else " (published value not proven optimal)"
        print(
            f"{p:>4} {sol.objective:>10.0f} {pub:>10.0f} {diff:>8.3%} {sol.bound:>12.1f} "
            f"{sol.gap:>7.3%} {sol.seconds:>8.2f}  {sol.status}{mark}",
            flush=True,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
