"""Solve one ladder instance with PySAL spopt (run inside benchmarks/.venv-spopt).

Usage: ``.venv-spopt/bin/python _spopt_mclp.py INSTANCE.npz``; prints one JSON
line with the covered weight, times and peak memory.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import numpy as np
import pulp
from scipy.spatial.distance import cdist
from spopt.locate import MCLP


def main(path: str) -> int:
    data = np.load(path)
    demand, sites, weights = data["demand"], data["sites"], data["weights"]
    radius, p = float(data["radius"]), int(data["p"])
    t0 = time.perf_counter()
    cost = cdist(demand, sites)
    model = MCLP.from_cost_matrix(cost, weights, service_radius=radius, p_facilities=p)
    t1 = time.perf_counter()
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    t2 = time.perf_counter()
    chosen = [j for j, var in enumerate(model.fac_vars) if (var.value() or 0) > 0.5]
    covered = (cost[:, chosen] <= radius).any(axis=1) if chosen else np.zeros(len(weights), bool)
    status = pulp.LpStatus[model.problem.status].lower()
    print(
        json.dumps(
            {
                "objective": float(weights[covered].sum()),
                "build_s": t1 - t0,
                "solve_s": t2 - t1,
                "total_s": t2 - t0,
                "status": status,
                "sites": len(chosen),
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
