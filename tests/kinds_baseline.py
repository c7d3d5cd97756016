"""5G and charging scenario results pinned before the infrastructure registry.

``tests/data/kinds_baseline.json`` holds, for each spec of :func:`specs`, the
chosen sites, served firms and headline figures computed by the code as it was
before the kinds of infrastructure moved into ``geodata.infrastructure``.
``tests/test_kinds.py`` reruns the specs and compares. Regenerate only on
purpose, by running ``python tests/kinds_baseline.py`` on a checkout of the code
from before the registry, never to make a test pass. (The file was computed
again on such a checkout when the MCLP search changed: two specs have tied
optima, and the new search picks another of them with the same objective.)
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import geodata  # noqa: E402
from planning import ScenarioSpec, run_scenario  # noqa: E402

FIXTURE = Path(__file__).resolve().parent / "data" / "kinds_baseline.json"

_CITY = ("双塔区", "龙城区")


def specs() -> list[tuple[str, ScenarioSpec]]:
    """Return ``(demo, spec)`` pairs covering both kinds and most objectives."""
    return [
        ("chaoyang", ScenarioSpec(name="5g-mclp", n_sites=5, time_limit=None)),
        (
            "chaoyang",
            ScenarioSpec(
                name="5g-fixed-budget",
                objective="budget",
                budget_cny=1_500_000,
                radius_model="fixed",
                counties=_CITY,
                time_limit=None,
            ),
        ),
        (
            "chaoyang",
            ScenarioSpec(
                name="5g-lscp",
                objective="min_sites",
                coverage_target=0.99,
                counties=_CITY,
                time_limit=None,
            ),
        ),
        (
            "chaoyang",
            ScenarioSpec(
                name="5g-pmed",
                objective="min_distance",
                n_sites=4,
                counties=_CITY,
                demand="employees",
                time_limit=None,
            ),
        ),
        (
            "chaoyang",
            ScenarioSpec(
                name="5g-backup",
                objective="backup",
                n_sites=4,
                counties=_CITY,
                time_limit=None,
            ),
        ),
        (
            "chaoyang",
            ScenarioSpec(
                name="ev-mclp",
                infrastructure="charging",
                n_sites=6,
                demand="ev_fleet",
                time_limit=None,
            ),
        ),
        (
            "chaoyang",
            ScenarioSpec(
                name="ev-greenfield",
                infrastructure="charging",
                n_sites=4,
                count_existing=False,
                demand={"employees": 1.0, "ev_fleet": 1.0},
                radius_m=3000,
                time_limit=None,
            ),
        ),
        (
            "chaoyang",
            ScenarioSpec(
                name="ev-capacitated",
                infrastructure="charging",
                objective="capacitated",
                n_sites=3,
                counties=_CITY,
                time_limit=None,
            ),
        ),
        (
            "chaoyang",
            ScenarioSpec(
                name="ev-single",
                infrastructure="charging",
                objective="single_source",
                n_sites=2,
                zones=("喀左经济开发区",),
                time_limit=None,
            ),
        ),
        (
            "liechtenstein",
            ScenarioSpec(
                name="ev-road",
                infrastructure="charging",
                n_sites=3,
                distance="road",
                time_limit=None,
            ),
        ),
        (
            "liechtenstein",
            ScenarioSpec(
                name="ev-road-time",
                infrastructure="charging",
                objective="min_distance",
                n_sites=3,
                distance="road_time",
                time_limit=None,
            ),
        ),
        ("liechtenstein", ScenarioSpec(name="li-5g", n_sites=3, time_limit=None)),
    ]


def _digest(values) -> str:
    text = json.dumps([None if v is None else str(v) for v in values])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def outcome(result) -> dict:
    """Return the comparable part of a scenario result."""
    s = result.summary
    served = result.served
    return {
        "sites": sorted(result.proposed_sites["id"].astype(str)),
        "order": list(result.proposed_sites["id"].astype(str)),
        "status": s["status"],
        "objective_value": round(float(s["objective_value"]), 6),
        "covered_before": round(float(s["covered_before"]), 6),
        "covered_after": round(float(s["covered_after"]), 6),
        "firms_before": int(s["firms_before"]),
        "firms_after": int(s["firms_after"]),
        "existing_sites": int(s["existing_sites"]),
        "candidates": int(s["candidates"]),
        "served_sites": _digest(served["site"]),
        "newly_served": _digest(served.index[served["newly_served"].to_numpy(bool)]),
    }


def compute() -> dict[str, dict]:
    """Run every spec of :func:`specs` and return the outcomes by spec name."""
    demos: dict[str, geodata.PlanningData] = {}
    out = {}
    for demo, spec in specs():
        data = demos.setdefault(demo, geodata.load_demo(demo))
        out[spec.name] = outcome(run_scenario(data, spec))
    return out


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(compute(), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {FIXTURE}")
