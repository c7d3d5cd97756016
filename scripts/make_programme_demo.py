"""Generate the Chaoyang demo's synthetic programme history for 2026-01..11.

The history is consistent with the demo firms in ``geodata/data/chaoyang.gpkg``:
the 100 firms on this year's transformation list move planned -> in progress
-> completed so that exactly the firms the layer marks completed (76) are
completed by the end of November, and the rest end where the layer says.
Counties move at different paces (some ahead of the time schedule on some
indicators, most behind on the headline one, as in the city's review). Every
figure is synthetic: drawn from one seeded generator, so every run writes the
same files. Populations are rough estimates for the per-10,000 indicator.

Usage::

    python scripts/make_programme_demo.py      # rewrites planning/programme/data/chaoyang_2026
    python scripts/make_programme_demo.py --out /tmp/history
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.demo import load_demo  # noqa: E402
from planning.programme.records import (  # noqa: E402
    CITY,
    PROJECT_TYPES,
    ProgrammeRecords,
    default_indicators,
)

SEED = 202611
YEAR = 2026
LAST_MONTH = 11
DEFAULT_OUT = ROOT / "planning" / "programme" / "data" / "chaoyang_2026"

# county -> (pace, population est.); pace > 1 runs ahead of the linear schedule.
COUNTIES = {
    "双塔区": (0.93, 400_000),
    "龙城区": (0.84, 220_000),
    "朝阳县": (0.74, 400_000),
    "建平县": (1.03, 500_000),
    "喀喇沁左翼蒙古族自治县": (1.08, 360_000),
    "北票市": (0.88, 480_000),
    "凌源市": (1.00, 520_000),
}
SHORT = {
    "双塔区": "双塔",
    "龙城区": "龙城",
    "朝阳县": "朝阳县",
    "建平县": "建平",
    "喀喇沁左翼蒙古族自治县": "喀左",
    "北票市": "北票",
    "凌源市": "凌源",
}
# Building work in Liaoning slows in winter: relative monthly pace, Jan..Dec.
SEASON = np.array([0.35, 0.45, 0.8, 1.1, 1.3, 1.3, 1.2, 1.2, 1.3, 1.2, 0.9, 0.5])
PROJECTS = {"双塔区": 28, "龙城区": 18, "朝阳县": 16, "建平县": 20,
            "喀喇沁左翼蒙古族自治县": 18, "北票市": 20, "凌源市": 20}  # fmt: skip
SITES_5G = {"双塔区": 180, "龙城区": 90, "朝阳县": 80, "建平县": 110,
            "喀喇沁左翼蒙古族自治县": 90, "北票市": 110, "凌源市": 120}  # fmt: skip
PILES = {"双塔区": 260, "龙城区": 120, "朝阳县": 80, "建平县": 110,
         "喀喇沁左翼蒙古族自治县": 90, "北票市": 100, "凌源市": 120}  # fmt: skip
SCENE_MONTH = {"建平县": 6, "喀喇沁左翼蒙古族自治县": 5, "凌源市": 8, "双塔区": 9, "北票市": 10}
SUBSIDY_FUND = 1000.0  # 10k CNY
SUBSIDY_PLAN = "0,0,0.25,0.25,0.25,0.5,0.5,0.5,0.75,0.75,0.75,1"  # paid quarterly
TYPE_ZH = {
    "industrial_internet": "工业互联网",
    "big_data": "大数据",
    "blockchain": "区块链",
    "iot": "物联网",
    "other": "数字化",
}


def _date(rng: np.random.Generator, month: int) -> str:
    return f"{YEAR}-{month:02d}-{int(rng.integers(1, 29)):02d}"


def _months(rng: np.random.Generator, n: int, pace: float, last: int = LAST_MONTH) -> np.ndarray:
    """``n`` months in 1..last, drawn with the season (faster counties earlier)."""
    w = SEASON[:last] * np.linspace(pace, 2.0 - pace, last).clip(0.2)
    return np.sort(rng.choice(np.arange(1, last + 1), size=n, p=w / w.sum()))


def _status_changes(rng: np.random.Generator, listed: pd.DataFrame) -> pd.DataFrame:
    rows = []
    regressed = False
    for firm in listed.itertuples():
        pace = COUNTIES[firm.county][0]
        final = firm.digital_status
        steps = [("none", "planned", _date(rng, int(rng.integers(1, 3))))]
        if final in ("in_progress", "completed"):
            lo = 2 if pace >= 1 else 3
            start = int(rng.integers(lo, 9))
            steps.append(("planned", "in_progress", _date(rng, start)))
            if final == "completed":
                done = int(_months(rng, 1, pace)[0])
                done = min(max(done, start + 1), LAST_MONTH)
                steps.append(("in_progress", "completed", _date(rng, done)))
            elif not regressed and start <= 5:
                # one firm failed acceptance after being reported completed
                regressed = True
                steps.append(("in_progress", "completed", _date(rng, start + 2)))
                steps.append(("completed", "in_progress", _date(rng, start + 4)))
        rows += [
            {
                "firm_id": firm.id,
                "firm_name": firm.name,
                "county": firm.county,
                "from_status": a,
                "to_status": b,
                "date": d,
            }
            for a, b, d in _ordered(steps)
        ]
    return pd.DataFrame(rows)


def _ordered(steps: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Make the dates of successive steps strictly increase (same month allowed)."""
    out = [steps[0]]
    for a, b, d in steps[1:]:
        prev = out[-1][2]
        if d <= prev:
            day = min(int(prev[-2:]) + 1, 28)
            d = prev[:-2] + f"{day:02d}"
        out.append((a, b, d))
    return out


def _projects(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    k = 0
    share = SEASON[:LAST_MONTH].sum() / SEASON.sum()
    for county, target in PROJECTS.items():
        pace = COUNTIES[county][0]
        n = round(target * share * pace * rng.uniform(0.95, 1.05))
        types = rng.choice(PROJECT_TYPES, size=n + 3, p=[0.35, 0.25, 0.08, 0.27, 0.05])
        months = [*_months(rng, n, pace), 12, 12, 12]
        for i, (kind, month) in enumerate(zip(types, months, strict=True)):
            k += 1
            planned = i >= n
            status = (
                "planned"
                if planned
                else ("completed" if month <= 5 and rng.uniform() < 0.6 else "under_construction")
            )
            rows.append(
                {
                    "id": f"DP{k:03d}",
                    "name": f"{SHORT[county]}{TYPE_ZH[str(kind)]}项目{i + 1:02d}",
                    "county": county,
                    "type": str(kind),
                    "status": status,
                    "investment": float(np.round(rng.lognormal(np.log(1500), 0.9), -1)),
                    "month": f"{YEAR}-{int(month):02d}",
                }
            )
    return pd.DataFrame(rows)


def _green(rng: np.random.Generator, data: object) -> pd.DataFrame:
    rows = []
    for park in data.parks.itertuples():  # type: ignore[attr-defined]
        if park.green_park:
            year = 2024 if park.county == "双塔区" else 2025
            rows.append(
                {
                    "id": park.id,
                    "name": park.name,
                    "county": park.county,
                    "kind": "park",
                    "level": "provincial",
                    "date": f"{year}-{int(rng.integers(3, 12)):02d}-{int(rng.integers(1, 29)):02d}",
                }
            )
    firms = data.enterprises  # type: ignore[attr-defined]
    green = firms[firms["green_level"] != "none"].sort_values("id")
    for firm in green.itertuples():
        pace = COUNTIES[firm.county][0]
        this_year = rng.uniform() < 0.3 * pace
        if this_year:
            date = _date(rng, int(_months(rng, 1, pace)[0]))
        else:
            date = f"{int(rng.integers(2021, 2026))}-{int(rng.integers(1, 13)):02d}-15"
        rows.append(
            {
                "id": firm.id,
                "name": firm.name,
                "county": firm.county,
                "kind": "factory",
                "level": firm.green_level,
                "date": date,
            }
        )
    return pd.DataFrame(rows)


def _subsidies(rng: np.random.Generator, changes: pd.DataFrame) -> pd.DataFrame:
    done = changes[changes["to_status"] == "completed"].drop_duplicates("firm_id")
    rows = []
    for step in done.itertuples():
        month = int(step.date[5:7])
        paid = month + 1 if month % 3 else month  # paid in the quarter's last month
        paid = paid + (3 - paid % 3) % 3
        if paid > LAST_MONTH:
            continue
        rows.append(
            {
                "firm_id": step.firm_id,
                "firm_name": step.firm_name,
                "county": step.county,
                "amount": float(np.round(rng.uniform(6.0, 16.0), 1)),
                "date": f"{YEAR}-{paid:02d}-{int(rng.integers(20, 29)):02d}",
                "purpose": "数字化转型奖补",
            }
        )
    return pd.DataFrame(rows).sort_values(["date", "firm_id"], kind="stable")


def _infrastructure(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    w = SEASON / SEASON.sum()
    for county, (pace, _) in COUNTIES.items():
        for item, targets, builder in (
            ("5g_sites", SITES_5G, "中国铁塔朝阳市分公司"),
            ("charging_piles", PILES, "国网朝阳供电公司"),
        ):
            lam = targets[county] * pace * w[:LAST_MONTH]
            for month, value in enumerate(rng.poisson(lam), start=1):
                rows.append(
                    {
                        "county": county,
                        "month": f"{YEAR}-{month:02d}",
                        "item": item,
                        "value": float(value),
                        "builder": builder,
                    }
                )
    return pd.DataFrame(rows)


def _targets(listed: pd.DataFrame, green: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []

    def add(indicator: str, per_county: dict[str, float], plan: str = "") -> None:
        for county, value in per_county.items():
            rows.append(
                {
                    "indicator": indicator,
                    "county": county,
                    "year": YEAR,
                    "value": value,
                    "plan": plan,
                }
            )
        total = float(sum(per_county.values()))
        rows.append(
            {"indicator": indicator, "county": CITY, "year": YEAR, "value": total, "plan": plan}
        )

    on_list = listed.groupby("county").size()
    add("digital_transformation", {c: float(on_list.get(c, 0)) for c in COUNTIES})
    add("digital_projects", {c: float(v) for c, v in PROJECTS.items()})
    add("typical_scenes", dict.fromkeys(COUNTIES, 1.0))
    add("green_parks", dict.fromkeys(COUNTIES, 1.0))
    factories = green[(green["kind"] == "factory") & green["date"].str.startswith(str(YEAR))]
    per = factories.groupby("county").size()
    add("green_factories", {c: float(per.get(c, 0) + int(rng.integers(1, 3))) for c in COUNTIES})
    add(
        "subsidies",
        {c: SUBSIDY_FUND * float(on_list.get(c, 0)) / len(listed) for c in COUNTIES},
        SUBSIDY_PLAN,
    )
    add("5g_sites", {c: float(v) for c, v in SITES_5G.items()})
    add("charging_piles", {c: float(v) for c, v in PILES.items()})
    return pd.DataFrame(rows).assign(year=YEAR)


def build(seed: int = SEED) -> ProgrammeRecords:
    """Build the demo's programme records from the shipped demo firms."""
    rng = np.random.default_rng(seed)
    data = load_demo("chaoyang")
    firms = data.enterprises
    listed = firms[firms["on_transform_list"]].sort_values("id")
    changes = _status_changes(rng, listed)
    projects = _projects(rng)
    green = _green(rng, data)
    progress = pd.DataFrame(
        [
            {
                "indicator": "typical_scenes",
                "county": county,
                "month": f"{YEAR}-{month:02d}",
                "value": 1.0,
                "source": "月报(合成)",
                "recorded_at": f"{YEAR}-{month + 1:02d}-05T09:00:00",
            }
            for county, month in SCENE_MONTH.items()
        ]
    )
    counties = pd.DataFrame(
        {
            "county": list(COUNTIES),
            "short_name": [SHORT[c] for c in COUNTIES],
            "population": [float(p) for _, p in COUNTIES.values()],
        }
    )
    return ProgrammeRecords(
        {
            "indicators": default_indicators(),
            "targets": _targets(listed, green, rng),
            "progress": progress,
            "status_changes": changes,
            "projects": projects,
            "green": green,
            "subsidies": _subsidies(rng, changes),
            "infrastructure": _infrastructure(rng),
            "counties": counties,
        },
        data=data,
        synthetic=True,
        source=f"scripts/make_programme_demo.py (seed {seed})",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write CSVs to")
    args = parser.parse_args(argv)
    records = build(args.seed)
    records.to_csv_dir(args.out)
    for name, frame in records.tables.items():
        print(f"{name:16s} {len(frame):5d} rows")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
