"""Maximal covering on city instances: NewYork, São José dos Campos and synthetic cities.

Usage::

    python benchmarks/mclp_city.py [--time-limit 60] [--sets newyork,sjc,synthetic]
                                   [--only NAME[,NAME...]] [--method auto]

Instances (every node is both a demand point and a candidate site):

- ``newyork``: the NewYork file of Máximo, Cordeau & Nascimento (2023), S = 400 m,
  p = 50..100, read and measured as :mod:`benchmarks.newyork` does; best known
  values are the published ones (``data/mclp/maximo/optima.csv``).
- ``sjc``: the São José dos Campos files SJC324/402/500/708/818 of Lorena &
  Pereira (2002), planar coordinates in metres and Euclidean distance, with
  the service distances S = 150 m and 200 m used for these files in the MCLP
  literature, and for SJC324, SJC500 and SJC818 the p lists used there (p up
  to n/3); SJC402 and SJC708, rarely reported, get lists of the same shape.
  The published value tables are not in the repository, so the best known
  values are this engine's proven optima (``data/mclp/best_known.csv`` says
  how each was obtained).
- ``synthetic``: seeded city-like instances (labelled synthetic): 4,000-8,000
  nodes drawn from a mixture of dense centres, elongated corridors and a
  sparse background over a 16 km x 16 km square, integer populations
  (log-normal, denser near centres), radius 600-800 m, p = 50..100. Best
  known values are the best found over long runs (``best_known.csv`` says
  how each was obtained).

Prints one row per instance: value, best known, relative difference, bound,
gap, seconds and status, and a summary (how many within 0.1 % of the best
known, how many proven optimal). Times are wall time of ``solve_mclp``
(coverage matrix excluded, printed separately).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import newyork  # noqa: E402

from planning.models.mclp import solve_mclp  # noqa: E402

DATA = HERE / "data" / "mclp"
SJC_FILES = ("SJC324", "SJC402", "SJC500", "SJC708", "SJC818")
_P324 = (20, 30, 40, 50, 60, 80, 108)
_P402 = (30, 40, 50, 60, 80, 100, 134)
_P500 = (40, 50, 60, 70, 80, 100, 130, 167)
_P708 = (60, 70, 80, 100, 120, 150, 180, 236)
_P818_150 = (80, 90, 100, 120, 140, 160, 200, 273)
_P818_200 = (80, 90, 100, 120, 140, 150, 160, 170, 180, 190, 200, 273)
SJC_P = {
    "SJC324": {150.0: _P324, 200.0: _P324},
    "SJC402": {150.0: _P402, 200.0: _P402},
    "SJC500": {150.0: _P500, 200.0: _P500},
    "SJC708": {150.0: _P708, 200.0: _P708},
    "SJC818": {150.0: _P818_150, 200.0: _P818_200},
}
"""Service distances (m) and p per SJC file (see the module docstring)."""
SYNTHETIC = (
    # name, nodes, radius (m), p list, seed
    ("synthCity4k", 4_000, 600.0, (50, 100), 11),
    ("synthCity6k", 6_000, 700.0, (60, 90), 12),
    ("synthCity8k", 8_000, 800.0, (70, 100), 13),
)


@dataclass
class Case:
    """One instance: a coverage matrix, weights and p."""

    name: str
    coverage: sp.csr_array
    weights: np.ndarray
    p: int
    best: float
    best_note: str


def planar_coverage(xy: np.ndarray, radius: float) -> sp.csr_array:
    """Return node x node coverage within ``radius`` (planar metres)."""
    tree = cKDTree(xy)
    near = tree.query_ball_point(xy, r=radius * (1 + 1e-12))
    lengths = np.fromiter((len(v) for v in near), dtype=np.int64, count=len(near))
    indptr = np.r_[0, np.cumsum(lengths)]
    indices = np.fromiter((j for v in near for j in v), dtype=np.int64, count=int(indptr[-1]))
    a = sp.csr_array((np.ones(indices.size, dtype=bool), indices, indptr), shape=(len(xy),) * 2)
    a.sort_indices()
    return a


def read_sjc(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (x/y metres, demand) of one São José dos Campos file."""
    rows = (DATA / "sjc" / f"{name}.txt").read_text().split("\n")[1:]
    vals = np.array([[float(v) for v in ln.split()[:3]] for ln in rows if ln.strip()])
    return vals[:, :2], vals[:, 2]


def synthetic_city(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return seeded synthetic city nodes (x/y metres) and integer populations."""
    rng = np.random.default_rng(seed)
    side = 16_000.0
    k = 9
    centres = rng.uniform(0.15 * side, 0.85 * side, (k, 2))
    spread = rng.uniform(400.0, 1_800.0, k)
    share = rng.dirichlet(np.full(k, 1.5))
    n_centre = int(0.6 * n)
    n_corr = int(0.25 * n)
    pick = rng.choice(k, size=n_centre, p=share)
    pts = [centres[pick] + rng.normal(0.0, 1.0, (n_centre, 2)) * spread[pick, None]]
    # corridors between random pairs of centres
    a, b = rng.integers(0, k, n_corr), rng.integers(0, k, n_corr)
    t = rng.uniform(0.0, 1.0, n_corr)[:, None]
    pts.append(centres[a] * (1 - t) + centres[b] * t + rng.normal(0.0, 250.0, (n_corr, 2)))
    pts.append(rng.uniform(0.0, side, (n - n_centre - n_corr, 2)))
    xy = np.clip(np.vstack(pts), 0.0, side)
    d = np.min(np.hypot(*(xy[:, None, :] - centres[None, :, :]).transpose(2, 0, 1)), axis=1)
    scale = np.exp(-d / 3_000.0)
    pop = np.maximum(1.0, np.round(rng.lognormal(5.0, 0.9, n) * (0.3 + scale)))
    return np.round(xy, 1), pop


def read_best_known() -> dict[str, tuple[float, str]]:
    path = DATA / "best_known.csv"
    if not path.exists():
        return {}
    with path.open(newline="") as fh:
        return {r["case"]: (float(r["best_known"]), r["how"]) for r in csv.DictReader(fh)}


def record(name: str, value: float, proven: bool, args: argparse.Namespace) -> None:
    """Store ``value`` as the best known of ``name`` if it beats the recorded one."""
    path = DATA / "best_known.csv"
    rows: dict[str, dict[str, str]] = {}
    if path.exists():
        with path.open(newline="") as fh:
            rows = {r["case"]: r for r in csv.DictReader(fh)}
    old = rows.get(name)
    if old is not None and float(old["best_known"]) >= value:
        return
    how = (
        f"solve_mclp(method={args.method!r}, time_limit={args.time_limit:g}) with "
        f"benchmarks/mclp_city.py --record on {time.strftime('%Y-%m-%d')}"
        + ("; proven optimal" if proven else "; best found, not proven optimal")
    )
    rows[name] = {"case": name, "best_known": f"{value:.0f}", "how": how}
    with path.open("w", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=["case", "best_known", "how"])
        out.writeheader()
        for key in sorted(rows):
            out.writerow(rows[key])


def cases(sets: list[str], only: set[str] | None) -> list[tuple[str, float, object]]:
    """Return (name, matrix seconds, builder) for the chosen instances, built lazily."""
    out: list[tuple[str, float, object]] = []
    known = read_best_known()

    def want(name: str) -> bool:
        return only is None or name in only or name.split("_")[0] in only

    if "newyork" in sets:
        latlon, demand = newyork.read_instance(DATA / "maximo" / "NewYork.txt")
        optima = newyork.read_optima(DATA / "maximo" / "optima.csv")
        a = None
        for p in range(50, 101, 10):
            name = f"NewYork_S400_p{p}"
            if not want(name):
                continue
            if a is None:
                a = newyork.coverage(latlon)
            pub, flagged = optima[p]
            note = "published, optimal" if flagged else "published, best known"
            out.append((name, 0.0, Case(name, a, demand, p, pub, note)))
    if "sjc" in sets:
        for f in SJC_FILES:
            xy, demand = read_sjc(f)
            settings = [(s, p) for s in (150.0, 200.0) for p in SJC_P[f][s]]
            for s, p in settings:
                name = f"{f}_S{s:.0f}_p{p}"
                if want(name):
                    a = planar_coverage(xy, s)
                    best, how = known.get(name, (math.nan, "none recorded"))
                    out.append((name, 0.0, Case(name, a, demand, p, best, how)))
    if "synthetic" in sets:
        for base, n, r, ps, seed in SYNTHETIC:
            names = [f"{base}_S{r:.0f}_p{p}" for p in ps]
            if not any(want(nm) for nm in names):
                continue
            xy, pop = synthetic_city(n, seed)
            a = planar_coverage(xy, r)
            for nm, p in zip(names, ps, strict=True):
                if want(nm):
                    best, how = known.get(nm, (math.nan, "none recorded"))
                    out.append((nm + " (synthetic)", 0.0, Case(nm, a, pop, p, best, how)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--sets", default="newyork,sjc,synthetic")
    parser.add_argument("--only", default=None, help="comma-separated instance names or files")
    parser.add_argument("--method", default="auto", choices=["auto", "exact", "heuristic"])
    parser.add_argument(
        "--record",
        action="store_true",
        help="store values above the recorded best known (non-published instances) in the CSV",
    )
    args = parser.parse_args(argv)
    only = None if args.only is None else set(args.only.split(","))
    todo = cases(args.sets.split(","), only)
    print(f"time limit {args.time_limit:g} s, method {args.method}, {len(todo)} instances")
    print(
        f"{'instance':<34} {'n':>5} {'nnz':>7} {'value':>10} {'best known':>10} {'diff':>8} "
        f"{'bound':>12} {'gap':>7} {'seconds':>8}  status"
    )
    within = proven = rows = 0
    for label, _, case in todo:
        assert isinstance(case, Case)
        sol = solve_mclp(
            case.coverage, case.weights, case.p, method=args.method, time_limit=args.time_limit
        )
        diff = (sol.objective - case.best) / case.best if case.best > 0 else math.nan
        rows += 1
        within += int(not math.isnan(diff) and diff >= -1e-3)
        proven += int(sol.status == "optimal")
        if args.record and not case.name.startswith("NewYork"):
            record(case.name, sol.objective, sol.status == "optimal", args)
        print(
            f"{label:<34} {case.coverage.shape[0]:>5} {case.coverage.nnz:>7} "
            f"{sol.objective:>10.0f} {case.best:>10.0f} {diff:>8.3%} {sol.bound:>12.1f} "
            f"{sol.gap:>7.3%} {sol.seconds:>8.2f}  {sol.status}",
            flush=True,
        )
    print(f"{within}/{rows} within 0.1% of the best known, {proven}/{rows} proven optimal")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
