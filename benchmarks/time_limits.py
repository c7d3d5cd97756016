"""Does every model keep its time limit at the largest sizes the benchmarks use?

Usage::

    python benchmarks/time_limits.py [--limits 5,20] [--only pmedian_dense,capcov]
                                     [--skip mclp_1m] [--seed 0] [--list]

For each case the inputs are built first (not timed), then the model is
called with ``time_limit`` set to each of ``--limits``. One row per run:
wall time of the call, whether it kept ``limit x 1.1 + 1 s``, status,
objective, bound and gap (``relative_gap``). A run that raises prints the
exception's class and message instead (``TimeLimitError`` means the time ran
out before any feasible answer, which is not a proof that none exists).
Coverage models also check that the bound is at most the total coverable
demand. All data are synthetic (seeded generators) except the OR-Library
instances and the Chaoyang demo, whose firms and candidates are synthetic
too (see ``geodata/data/SOURCES.md``).

Cases (sizes from ``models_sizes.py``, ``mclp_ladder.py``, ``scp_orlib.py``,
``cap_orlib.py`` and the issue that asked for this suite):

- ``mclp_1m``: 1,000,000 x 100,000 coverage (100 km square, 1 km radius),
  p = 500, as the largest MCLP ladder size; ``mclp_100k``: 100,000 x 10,000,
  radius 2.5 km, p = 50;
- ``lscp_200k``: cover all coverable demand of 200,000 points with 20,000
  sites (about four within reach of each point); ``lscp_scpe``: OR-Library
  ``scpe1`` when present;
- ``pmedian_dense``: dense 3,000 x 3,000 real distances, p = 10;
  ``pmedian_demo``: the demo's firms x 5G candidates within 30 km, p = 10;
- ``pcenter_dense``: the same dense 3,000 x 3,000, p = 10;
- ``caploc_demo``: :func:`planning.solve_capacitated_location` on the demo,
  30 km cutoff, costs = employees x distance, capacity 3 x demand / 50 per
  site, the candidates' costs as fixed costs; ``caploc_cap134``: OR-Library
  ``cap134``;
- ``capcov``: :func:`planning.solve_capacitated_coverage` 50,000 x 5,000,
  radius 2 km in a 100 km square, p = 100, capacity 0.8 x demand / 100;
- ``backup`` 400,000 points (p sites, maximal form) and ``backup_cover``
  200,000 (covering form), as ``models_sizes.py``;
- ``pdispersion`` 5,000 sites, ``single_source`` 3,200 customers,
  ``frlm`` 1,600 nodes, as ``models_sizes.py``;
- ``equity``: 100,000 x 10,000 with seven groups and a 50 % floor each;
  ``staged``: the same coverage in three stages of 20 sites;
  ``curve``: :func:`planning.coverage_curve` for p = 10, 50, 100 on it, whose
  ``time_limit`` is per point: each gets a third of the row's limit.

Times are wall-clock on whatever machine runs it (a shared machine is slower
and noisier: say so with the figures).
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import planning  # noqa: E402
from planning.distances import coverage_matrix, distance_matrix  # noqa: E402

Solver = Callable[[float], Any]
"""Given a time limit, run the model and return its Solution (or curve frame)."""


def _square(n: int, m: int, side: float, radius: float, seed: int) -> tuple[sp.csr_array, Any]:
    rng = np.random.default_rng(seed)
    cover = coverage_matrix(rng.uniform(0, side, (n, 2)), rng.uniform(0, side, (m, 2)), radius)
    return cover, rng.integers(1, 101, n).astype(np.float64)


def mclp_1m(seed: int) -> tuple[str, Solver, float]:
    cover, w = _square(1_000_000, 100_000, 100_000.0, 1_000.0, seed)
    return "1M x 100k p=500", lambda t: planning.solve_mclp(cover, w, 500, time_limit=t), w.sum()


def mclp_100k(seed: int) -> tuple[str, Solver, float]:
    cover, w = _square(100_000, 10_000, 100_000.0, 2_500.0, seed)
    return "100k x 10k p=50", lambda t: planning.solve_mclp(cover, w, 50, time_limit=t), w.sum()


def lscp_200k(seed: int) -> tuple[str, Solver, float]:
    m = 20_000
    side = 10_000.0
    cover, _ = _square(200_000, m, side, side * np.sqrt(4.0 / (np.pi * m)), seed)
    return "200k x 20k cover all", lambda t: planning.solve_lscp(cover, time_limit=t), math.nan


def lscp_scpe(seed: int) -> tuple[str, Solver, float] | None:
    path = HERE / "data" / "scp" / "scpe1.txt"
    if not path.is_file():
        return None
    from scp_orlib import read_scp

    cover, costs = read_scp(path)
    return "OR-Lib scpe1", lambda t: planning.solve_lscp(cover, costs=costs, time_limit=t), math.nan


def _dense(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 10_000, (3000, 2)), rng.uniform(0, 10_000, (3000, 2))
    return np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])


def pmedian_dense(seed: int) -> tuple[str, Solver, float]:
    d = _dense(seed)
    return "dense 3000 x 3000 p=10", lambda t: planning.solve_pmedian(d, 1.0, 10, time_limit=t), 0


def pcenter_dense(seed: int) -> tuple[str, Solver, float]:
    d = _dense(seed)
    return "dense 3000 x 3000 p=10", lambda t: planning.solve_pcenter(d, 10, time_limit=t), 0


def _demo() -> tuple[sp.csr_array, np.ndarray, Any]:
    from geodata.demo import load_demo

    data = load_demo()
    cand = data.candidate_sites[data.candidate_sites.infrastructure == "5g"]
    firms = data.enterprises
    crs = firms.estimate_utm_crs()
    f, c = firms.to_crs(crs).geometry, cand.to_crs(crs).geometry
    dist = distance_matrix(np.c_[f.x, f.y], np.c_[c.x, c.y], 30_000.0)
    return dist, firms.employees.to_numpy(np.float64), cand


def pmedian_demo(seed: int) -> tuple[str, Solver, float]:
    dist, emp, _ = _demo()
    label = f"demo {dist.shape[0]} x {dist.shape[1]} 30 km p=10"
    return label, lambda t: planning.solve_pmedian(dist, emp, 10, time_limit=t), 0


def caploc_demo(seed: int) -> tuple[str, Solver, float]:
    dist, emp, cand = _demo()
    cost = sp.csr_array(dist.multiply(emp[:, None]))
    cap = np.full(dist.shape[1], 3 * emp.sum() / 50)
    fixed = cand.cost_cny.to_numpy(np.float64)
    label = f"demo {dist.shape[0]} x {dist.shape[1]} 30 km"
    return (
        label,
        lambda t: planning.solve_capacitated_location(cost, emp, cap, fixed, time_limit=t),
        0,
    )


def caploc_cap134(seed: int) -> tuple[str, Solver, float] | None:
    path = HERE / "data" / "cap" / "cap134.txt"
    if not path.is_file():
        return None
    from cap_orlib import read_cap

    cost, demand, capacity, fixed = read_cap(path)
    return (
        "OR-Lib cap134",
        lambda t: planning.solve_capacitated_location(cost, demand, capacity, fixed, time_limit=t),
        0,
    )


def capcov(seed: int) -> tuple[str, Solver, float]:
    cover, w = _square(50_000, 5_000, 100_000.0, 2_000.0, seed)
    w = np.random.default_rng(seed).integers(1, 50, w.size).astype(np.float64)
    cap = np.full(5_000, w.sum() / 100 * 0.8)
    return (
        "50k x 5k p=100",
        lambda t: planning.solve_capacitated_coverage(cover, w, cap, p=100, time_limit=t),
        w.sum(),
    )


def backup(seed: int) -> tuple[str, Solver, float]:
    from models_sizes import _backup_instance

    cover, w, p = _backup_instance(400_000, np.random.default_rng(seed))
    return (
        f"400k x 40k p={p}",
        lambda t: planning.solve_backup_coverage(cover, weights=w, p=p, time_limit=t),
        2 * w.sum(),
    )


def backup_cover(seed: int) -> tuple[str, Solver, float]:
    from models_sizes import _backup_instance

    cover, w, _ = _backup_instance(200_000, np.random.default_rng(seed))
    return (
        "200k x 20k cover all",
        lambda t: planning.solve_backup_coverage(cover, weights=w, time_limit=t),
        math.nan,
    )


def pdispersion(seed: int) -> tuple[str, Solver, float]:
    xy = np.random.default_rng(seed).uniform(0, 10_000, (5_000, 2))
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    return "5000 sites p=10", lambda t: planning.solve_pdispersion(d, 10, time_limit=t), 0


def single_source(seed: int) -> tuple[str, Solver, float]:
    rng = np.random.default_rng(seed)
    n, m = 3_200, 320
    p = m // 2
    demand = rng.integers(5, 35, n).astype(float)
    capacity = np.full(m, 1.5 * demand.sum() / p)
    cxy, sxy = rng.uniform(0, 100, (n, 2)), rng.uniform(0, 100, (m, 2))
    dist = np.hypot(cxy[:, None, 0] - sxy[None, :, 0], cxy[:, None, 1] - sxy[None, :, 1])
    cost = demand[:, None] * dist

    def solve(t: float) -> Any:
        return planning.solve_capacitated_location(
            cost, demand, capacity, np.zeros(m), single_source=True, p=p, exact_p=True,
            time_limit=t,
        )  # fmt: skip

    return f"n={n} m={m} p={p}", solve, 0


def frlm(seed: int) -> tuple[str, Solver, float]:
    from _synthetic import flow_instance

    nodes = 1_600
    paths, flows, keep, lengths = flow_instance(nodes, np.random.default_rng(seed))

    def solve(t: float) -> Any:
        return planning.solve_flow_refuelling(
            paths, flows, keep, vehicle_range_m=0.5 * float(lengths.mean()), p=nodes // 10,
            time_limit=t,
        )  # fmt: skip

    return f"{len(keep)} nodes, {len(paths)} paths, p={nodes // 10}", solve, 1.0


def _equity_instance(seed: int) -> tuple[sp.csr_array, np.ndarray, np.ndarray]:
    cover, w = _square(100_000, 10_000, 100_000.0, 2_500.0, seed)
    groups = np.random.default_rng(seed + 1).integers(0, 7, w.size)
    return cover, w, groups


def equity(seed: int) -> tuple[str, Solver, float]:
    from planning.models.equity import solve_equity_coverage

    cover, w, groups = _equity_instance(seed)

    def solve(t: float) -> Any:
        return solve_equity_coverage(cover, w, 50, groups=groups, min_share=0.05, time_limit=t)

    return "100k x 10k, 50 sites, 7 groups", solve, w.sum()


def staged(seed: int) -> tuple[str, Solver, float]:
    from planning.models.staged import solve_staged_coverage

    cover, w, _ = _equity_instance(seed)

    def solve(t: float) -> Any:
        return solve_staged_coverage(cover, w, stage_sites=[20, 20, 20], time_limit=t)

    return "100k x 10k, 3 stages of 20", solve, w.sum()


def curve(seed: int) -> tuple[str, Solver, float]:
    cover, w, _ = _equity_instance(seed)
    return (
        "100k x 10k, p = 10, 50, 100 (limit / 3 per point)",
        lambda t: planning.coverage_curve(cover, w, [10, 50, 100], time_limit=t / 3),
        w.sum(),
    )


CASES: dict[str, tuple[str, Callable[[int], Any]]] = {
    "mclp_1m": ("solve_mclp", mclp_1m),
    "mclp_100k": ("solve_mclp", mclp_100k),
    "lscp_200k": ("solve_lscp", lscp_200k),
    "lscp_scpe": ("solve_lscp", lscp_scpe),
    "pmedian_dense": ("solve_pmedian", pmedian_dense),
    "pmedian_demo": ("solve_pmedian", pmedian_demo),
    "pcenter_dense": ("solve_pcenter", pcenter_dense),
    "caploc_demo": ("solve_capacitated_location", caploc_demo),
    "caploc_cap134": ("solve_capacitated_location", caploc_cap134),
    "capcov": ("solve_capacitated_coverage", capcov),
    "backup": ("solve_backup_coverage", backup),
    "backup_cover": ("solve_backup_coverage", backup_cover),
    "pdispersion": ("solve_pdispersion", pdispersion),
    "single_source": ("single_source=True", single_source),
    "frlm": ("solve_flow_refuelling", frlm),
    "equity": ("solve_equity_coverage", equity),
    "staged": ("solve_staged_coverage", staged),
    "curve": ("coverage_curve", curve),
}


def _summary(result: Any, coverable: float) -> tuple[str, str, str, str, str]:
    """Return status, objective, bound, gap and a bound check for a Solution or curve."""
    if not hasattr(result, "iloc"):  # a Solution, not a curve frame
        status, obj, bound, gap = result.status, result.objective, result.bound, result.gap
    else:  # a trade-off curve: its worst row
        worst = result.iloc[int(np.argmax(result["gap"].to_numpy(dtype=float)))]
        status, obj, bound, gap = (
            str(worst["status"]),
            worst["objective"],
            worst["bound"],
            worst["gap"],
        )
    check = ""
    if not math.isfinite(bound):
        check = "bound not finite"
    elif coverable and math.isfinite(coverable) and bound > coverable * (1 + 1e-9):
        check = f"bound above coverable {coverable:,.0f}"
    return status, f"{obj:,.6g}", f"{bound:,.6g}", f"{gap:.3%}", check


def main(argv: list[str] | None = None) -> int:
    import faulthandler
    import signal

    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 <pid>` prints where a slow run is
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limits", default="5,20")
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--skip", default="", help="comma-separated case names")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--list", action="store_true", help="list the cases and stop")
    args = parser.parse_args(argv)
    if args.list:
        for name, (model, _) in CASES.items():
            print(f"{name:15} {model}")
        return 0
    names = [n for n in (args.only.split(",") if args.only else CASES) if n]
    skip = set(args.skip.split(","))
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f"unknown cases {unknown}; --list shows them")
    limits = [float(v) for v in args.limits.split(",")]
    print(
        "| case | model | size | limit s | wall s | kept | status | objective | bound | gap | note"
    )
    print("|---|---|---|---:|---:|---|---|---:|---:|---:|---|")
    broken = 0
    for name in names:
        if name in skip:
            continue
        model, build = CASES[name]
        t0 = time.perf_counter()
        built = build(args.seed)
        if built is None:
            print(f"| {name} | {model} | (data missing) | | | | | | | | |")
            continue
        label, solve, coverable = built
        setup = time.perf_counter() - t0
        for limit in limits:
            t1 = time.perf_counter()
            try:
                result = solve(limit)
                cells = _summary(result, coverable)
            except Exception as exc:  # the row reports it
                cells = ("raised", "", "", "", f"{type(exc).__name__}: {str(exc)[:90]}")
            wall = time.perf_counter() - t1
            kept = wall <= limit * 1.1 + 1.0
            broken += not kept
            status, obj, bound, gap, note = cells
            print(
                f"| {name} | {model} | {label} | {limit:g} | {wall:.1f} | "
                f"{'yes' if kept else 'NO'} | {status} | {obj} | {bound} | {gap} | {note} |",
                flush=True,
            )
        del built, solve
        print(f"<!-- {name}: inputs built in {setup:.1f} s -->", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{broken} run(s) over limit x 1.1 + 1 s; peak memory {peak:.0f} MB")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
