"""Save and open times of workspace projects on GeoPackage and PostGIS, and a concurrent save.

For the demo city (3,665 firms) and for a synthetic 50,000-firm city (the
demo's firms resampled with ~300 m jitter, labelled synthetic) the benchmark
times, on each backend: creating the project, saving one scenario, opening
the project, loading its planning data, loading every saved scenario and
exporting the whole project as one GeoPackage. It then shows two users
saving the same scenario name from stale copies: the second gets a
ConflictError naming who changed what first.

The PostGIS backend needs a server: pass ``--postgis URL``, or
``--postgis start`` to start a throwaway one on 127.0.0.1 (Debian's
``postgresql`` and ``postgis`` packages; stopped at the end).

Run: ``python benchmarks/workspace_io.py --firms 50000 --scenarios 20 --postgis start``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _synthetic import resampled_firms

import geodata
from planning.scenarios import ScenarioSpec, run_scenario
from planning.workspace import ConflictError, open_workspace


def _timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def measure(location: str, data: geodata.PlanningData, results: list[Any], out: Path) -> dict:
    """Return the seconds of each operation on one backend."""
    ws = open_workspace(location, user="benchmark")
    name = f"bench {len(data.enterprises)}"
    if name in ws.projects():
        ws.delete_project(name)
    project, create = _timed(lambda: ws.create_project(name, data))
    _, save_one = _timed(lambda: project.save_scenario(results[0]))
    for result in results[1:]:
        project.save_scenario(result)
    opened, open_s = _timed(lambda: ws.project(name))
    _, load_data = _timed(lambda: opened.data)
    loaded, load_all = _timed(lambda: [opened.load_scenario(n) for n in opened.scenarios()])
    assert len(loaded) == len(results)
    _, export = _timed(lambda: ws.export_project(name, out / f"{abs(hash(location))}.gpkg"))
    ws.delete_project(name)
    return {
        "create": create,
        "save scenario": save_one,
        "open": open_s,
        "load data": load_data,
        f"load {len(results)} scenarios": load_all,
        "export": export,
    }


def conflict(location: str, data: geodata.PlanningData, result: Any) -> str:
    """Two stale copies save the same scenario name: return the second's error."""
    ws = open_workspace(location, user="li")
    if "conflict" in ws.projects():
        ws.delete_project("conflict")
    ws.create_project("conflict", data)
    mine = ws.project("conflict")
    theirs = open_workspace(location, user="wang").project("conflict")
    theirs.save_scenario(result, replace=True)
    try:
        mine.save_scenario(result, replace=True)
    except ConflictError as exc:
        return str(exc)
    finally:
        ws.delete_project("conflict")
    return "no conflict raised (unexpected)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=50_000)
    parser.add_argument("--scenarios", type=int, default=20)
    parser.add_argument("--postgis", default="", help="a postgresql:// URL, or 'start'")
    args = parser.parse_args()

    demo = geodata.load_demo("chaoyang")
    sizes = {"demo": demo}
    if args.firms > len(demo.enterprises):
        sizes[f"{args.firms:,} firms"] = resampled_firms(demo, args.firms)

    server = None
    backends: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="infrasite-bench-") as tmp:
        backends["GeoPackage"] = str(Path(tmp) / "projects")
        if args.postgis == "start":
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
            import pg_server

            server = pg_server.start()
            backends["PostGIS"] = pg_server.fresh_database(server, "bench")
        elif args.postgis:
            backends["PostGIS"] = args.postgis
        try:
            rows = []
            for label, data in sizes.items():
                results = []
                for i in range(args.scenarios):
                    spec = ScenarioSpec(name=f"S{i + 1}", n_sites=5 + i % 10, time_limit=10)
                    results.append(run_scenario(data, spec))
                for backend, location in backends.items():
                    times = measure(location, data, results, Path(tmp))
                    rows.append((label, backend, times))
            print(f"{'data':<14} {'backend':<11} " + " ".join(f"{k:>18}" for k in rows[0][2]))
            for label, backend, times in rows:
                cells = " ".join(f"{v:>17.2f}s" for v in times.values())
                print(f"{label:<14} {backend:<11} {cells}")
            print()
            for backend, location in backends.items():
                print(f"conflict ({backend}): {conflict(location, demo, results[0])}")
        finally:
            if server is not None:
                pg_server.stop(server)


if __name__ == "__main__":
    main()
