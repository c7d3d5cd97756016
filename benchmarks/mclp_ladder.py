"""Random maximal-covering ladder: InfraSite's solver against PySAL spopt.

Usage::

    python benchmarks/mclp_ladder.py [--sizes 1k,5k,20k,100k,1m] [--time-limit 300]
                                     [--spopt-timeout 900] [--no-spopt] [--seed 0]

Instances (demand x sites, square side, radius, p): 1k x 100, 5k x 500 and
20k x 2k in a 50 km square with radius 2.5 km and p = 50; 100k x 10k in a
100 km square, radius 2.5 km, p = 50; 1M x 100k in a 100 km square, radius
1 km, p = 500. Points are uniform, weights integers 1-100, all from a seeded
generator.

Each run happens in a fresh child process so that its peak memory
(``resource.getrusage``) is its own. Times are end to end: coverage matrix
(k-d tree) + model + solve. spopt (``MCLP.from_cost_matrix``, PuLP + CBC)
runs in its own environment, ``benchmarks/.venv-spopt`` (create it with
``benchmarks/setup_spopt_env.sh``), on the same points with a dense distance
matrix, as its API requires; it is skipped when that matrix would exceed
``--spopt-max-gb`` and reported as "timeout" beyond ``--spopt-timeout``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPOPT_PYTHON = HERE / ".venv-spopt" / "bin" / "python"
SPOPT_SCRIPT = HERE / "_spopt_mclp.py"

LADDER = {
    "1k": ("1k x 100", 1_000, 100, 50_000.0, 2_500.0, 50),
    "5k": ("5k x 500", 5_000, 500, 50_000.0, 2_500.0, 50),
    "20k": ("20k x 2k", 20_000, 2_000, 50_000.0, 2_500.0, 50),
    "100k": ("100k x 10k", 100_000, 10_000, 100_000.0, 2_500.0, 50),
    "1m": ("1M x 100k", 1_000_000, 100_000, 100_000.0, 1_000.0, 500),
}


def instance(key: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, int]:
    """Return demand xy, site xy, weights, radius and p of a ladder rung."""
    _, n, m, side, radius, p = LADDER[key]
    rng = np.random.default_rng([seed, n, m])
    demand = rng.random((n, 2)) * side
    sites = rng.random((m, 2)) * side
    weights = rng.integers(1, 101, n).astype(np.float64)
    return demand, sites, weights, radius, p


def child(key: str, method: str, seed: int, time_limit: float) -> dict:
    sys.path.insert(0, str(ROOT))
    from planning import coverage_matrix, solve_mclp

    demand, sites, weights, radius, p = instance(key, seed)
    t0 = time.perf_counter()
    cov = coverage_matrix(demand, sites, radius)
    t1 = time.perf_counter()
    sol = solve_mclp(cov, weights, p, method=method, time_limit=time_limit)
    t2 = time.perf_counter()
    return {
        "nnz": int(cov.nnz),
        "matrix_s": t1 - t0,
        "solve_s": t2 - t1,
        "total_s": t2 - t0,
        "objective": sol.objective,
        "bound": sol.bound,
        "gap": sol.gap,
        "status": sol.status,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(args: list[str], timeout: float | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"status": "timeout"}
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"status": "error", "error": out.stderr.strip().splitlines()[-1:]}
    return json.loads(lines[-1])


def run_spopt(key: str, seed: int, timeout: float, max_gb: float) -> dict:
    _, n, m, *_ = LADDER[key]
    if n * m * 8 / 1e9 > max_gb:
        return {"status": f"skipped (dense matrix {n * m * 8 / 1e9:.0f} GB)"}
    if not SPOPT_PYTHON.exists():
        return {"status": "skipped (run benchmarks/setup_spopt_env.sh)"}
    demand, sites, weights, radius, p = instance(key, seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "instance.npz"
        np.savez(path, demand=demand, sites=sites, weights=weights, radius=radius, p=p)
        try:
            out = subprocess.run(
                [str(SPOPT_PYTHON), str(SPOPT_SCRIPT), str(path)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"status": "timeout"}
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"status": "error", "error": out.stderr.strip().splitlines()[-1:]}
    return json.loads(lines[-1])


def _fmt(value: object, spec: str) -> str:
    return format(value, spec) if isinstance(value, int | float) else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,5k,20k,100k,1m")
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--spopt-timeout", type=float, default=900.0)
    parser.add_argument("--spopt-max-gb", type=float, default=4.0)
    parser.add_argument("--no-spopt", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.seed, args.time_limit)))
        return 0
    keys = [k.strip().lower() for k in args.sizes.split(",")]
    head = (
        f"{'instance':<11} {'pairs':>10} | {'exact':>9} {'s':>7} {'status':<10} {'MB':>6} | "
        f"{'heur':>9} {'vs opt':>7} {'gap':>6} {'s':>6} {'MB':>6} | "
        f"{'spopt':>9} {'s':>7} {'MB':>6} {'status':<10} | {'x faster':>8}"
    )
    print(head)
    print("-" * len(head))
    for key in keys:
        name = LADDER[key][0]
        exact = (
            run_child(
                [
                    "--child",
                    key,
                    "exact",
                    "--seed",
                    str(args.seed),
                    "--time-limit",
                    str(args.time_limit),
                ]
            )
            if key != "1m"
            else {"status": "not run"}
        )
        heur = run_child(
            [
                "--child",
                key,
                "heuristic",
                "--seed",
                str(args.seed),
                "--time-limit",
                str(args.time_limit),
            ]
        )
        spopt = (
            {"status": "not run"}
            if args.no_spopt
            else run_spopt(key, args.seed, args.spopt_timeout, args.spopt_max_gb)
        )
        best = exact.get("objective") if exact.get("status") == "optimal" else None
        vs_opt = (best - heur["objective"]) / best if best and "objective" in heur else None
        speed = (
            spopt["total_s"] / exact["total_s"]
            if "total_s" in spopt and "total_s" in exact
            else None
        )
        if spopt.get("status") == "timeout" and "total_s" in exact:
            speed_txt = f">{args.spopt_timeout / exact['total_s']:.0f}"
        else:
            speed_txt = _fmt(speed, ".0f")
        nnz = exact.get("nnz", heur.get("nnz"))
        print(
            f"{name:<11} {_fmt(nnz, ',d'):>10} | "
            f"{_fmt(exact.get('objective'), '.0f'):>9} {_fmt(exact.get('total_s'), '.2f'):>7} "
            f"{exact.get('status', '-'):<10} {_fmt(exact.get('peak_mb'), '.0f'):>6} | "
            f"{_fmt(heur.get('objective'), '.0f'):>9} {_fmt(vs_opt, '.3%'):>7} "
            f"{_fmt(heur.get('gap'), '.2%'):>6} {_fmt(heur.get('total_s'), '.2f'):>6} "
            f"{_fmt(heur.get('peak_mb'), '.0f'):>6} | "
            f"{_fmt(spopt.get('objective'), '.0f'):>9} {_fmt(spopt.get('total_s'), '.1f'):>7} "
            f"{_fmt(spopt.get('peak_mb'), '.0f'):>6} {spopt.get('status', '-'):<10} | "
            f"{speed_txt:>8}",
            flush=True,
        )
    print(
        "\nexact/heur s: matrix + model + solve (end to end); vs opt: heuristic value below the "
        "proven optimum; gap: the heuristic's own proven gap; x faster: spopt s / exact s."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
