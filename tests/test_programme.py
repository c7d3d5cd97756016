"""The programme tracker: the demo's figures recomputed from its records, ranking, storage."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geodata import PlanningData
from geodata.demo import load_demo
from planning import SpecificationError
from planning import programme as pp
from planning.programme.records import SCHEMAS, TABLE_PREFIX

ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT / "planning" / "programme" / "data" / "chaoyang_2026"
NOV_END = "2026-11-30"


@pytest.fixture(scope="module")
def demo() -> PlanningData:
    return load_demo("chaoyang")


@pytest.fixture(scope="module")
def raw() -> dict[str, pd.DataFrame]:
    """The shipped CSVs read with plain pandas (not through the library)."""
    return {
        p.stem: pd.read_csv(p, dtype={"date": str, "month": str}) for p in HISTORY.glob("*.csv")
    }


@pytest.fixture(scope="module")
def nov(demo) -> pd.DataFrame:
    return pp.progress(demo, month="2026-11")


def _row(frame: pd.DataFrame, indicator: str, county: str) -> pd.Series:
    hit = frame[(frame["indicator"] == indicator) & (frame["county"] == county)]
    assert len(hit) == 1, (indicator, county)
    return hit.iloc[0]


class MemoryProject:
    """A project held in memory, with the workspace's table contract."""

    def __init__(self, data=None):
        self.data = data
        self._tables: dict[str, pd.DataFrame] = {}
        self.saves: list[tuple[str, str | None]] = []

    def tables(self) -> list[str]:
        return sorted(self._tables)

    def table(self, name: str) -> pd.DataFrame:
        return self._tables[name].copy()

    def save_table(self, name: str, frame: pd.DataFrame, *, user=None) -> None:
        self._tables[name] = frame.copy()
        self.saves.append((name, user))


# --------------------------------------------------------------------------- the demo history


def test_history_is_consistent_with_the_demo_firms(demo, raw):
    firms = demo.enterprises.set_index("id")
    listed = firms[firms["on_transform_list"]]
    assert len(listed) == 100
    changes = raw["status_changes"].sort_values("date", kind="stable")
    last = changes[changes["date"] <= NOV_END].groupby("firm_id")["to_status"].last()
    assert set(last.index) == set(listed.index)
    assert (last.reindex(listed.index) == listed["digital_status"]).all()
    assert (last == "completed").sum() == 76
    assert (changes["county"] == firms.loc[changes["firm_id"], "county"].to_numpy()).all()
    # every firm moves forward one step at a time, except the one that failed acceptance
    back = changes[(changes["from_status"] == "completed")]
    assert len(back) == 1 and back.iloc[0]["to_status"] == "in_progress"


def test_headline_figures_recomputed_from_the_records(demo, raw, nov):
    firms = demo.enterprises
    listed = firms[firms["on_transform_list"]]
    city = _row(nov, "digital_transformation", pp.CITY)
    assert (city["target"], city["done"]) == (100, 76)
    assert city["schedule_share"] == pytest.approx(11 / 12)
    assert city["gap"] == pytest.approx(0.76 - 11 / 12)
    assert city["behind"] and city["light"] == "red"
    changes = raw["status_changes"].sort_values("date", kind="stable")
    for county, group in listed.groupby("county"):
        row = _row(nov, "digital_transformation", county)
        done = (group["digital_status"] == "completed").sum()
        assert row["target"] == len(group) and row["done"] == done, county
        assert row["share"] == pytest.approx(done / len(group))
        assert row["behind"] == (done / len(group) < 11 / 12)
        upto_oct = changes[(changes["date"] <= "2026-10-31") & (changes["county"] == county)]
        before = (upto_oct.groupby("firm_id")["to_status"].last() == "completed").sum()
        assert row["change"] == done - before, county
    ahead = nov[(nov["county"] != pp.CITY) & ~nov["behind"]]
    behind = nov[(nov["county"] != pp.CITY) & nov["behind"]]
    assert len(ahead) >= 10 and len(behind) >= 10  # unevenly ahead and behind


def test_event_indicators_recomputed_from_the_records(raw, nov):
    p = raw["projects"]
    started = p[(p["status"] != "planned") & (p["month"] <= "2026-11")]
    for county, n in started.groupby("county").size().items():
        assert _row(nov, "digital_projects", county)["done"] == n
    assert _row(nov, "digital_projects", pp.CITY)["target"] == 140
    s = raw["subsidies"]
    paid = s[s["date"] <= NOV_END].groupby("county")["amount"].sum()
    for county, amount in paid.items():
        assert _row(nov, "subsidies", county)["done"] == pytest.approx(amount)
    assert _row(nov, "subsidies", pp.CITY)["target"] == 1000
    # the fund follows its quarterly plan: 75 % expected by the end of November
    assert _row(nov, "subsidies", pp.CITY)["schedule_share"] == pytest.approx(0.75)
    infra = raw["infrastructure"]
    for item in ("5g_sites", "charging_piles"):
        built = infra[(infra["item"] == item) & (infra["month"] <= "2026-11")]
        assert _row(nov, item, pp.CITY)["done"] == built["value"].sum()
    g = raw["green"]
    parks = g[(g["kind"] == "park") & (g["date"] <= NOV_END)]  # cumulative: earlier years count
    assert _row(nov, "green_parks", pp.CITY)["done"] == len(parks) == 2
    factories = g[(g["kind"] == "factory") & g["date"].between("2026-01-01", NOV_END)]
    assert _row(nov, "green_factories", pp.CITY)["done"] == len(factories)


def test_failed_acceptance_takes_a_completion_back(raw, demo):
    changes = raw["status_changes"]
    back = changes[changes["from_status"] == "completed"].iloc[0]
    month = back["date"][:7]
    firm_rows = changes[changes["firm_id"] == back["firm_id"]]
    done_month = firm_rows[firm_rows["to_status"] == "completed"]["date"].iloc[0][:7]
    table = pp.done_by_month(demo, "digital_transformation", 2026)
    county = back["county"]
    m, d = int(month[5:]), int(done_month[5:])
    comp = changes[(changes["county"] == county) & (changes["to_status"] == "completed")]
    comp = comp[comp["from_status"] != "completed"]
    in_month = (comp["date"].str[:7] == month).sum()
    assert table.loc[county, m] - table.loc[county, m - 1] == in_month - 1
    assert d < m


def test_month_by_month_trend(demo):
    tr = pp.trend(demo, "digital_transformation", 2026, through=11)
    assert list(tr.index) == [f"2026-{m:02d}" for m in range(1, 12)]
    assert tr[pp.CITY].iloc[-1] == 76
    assert tr["schedule"].iloc[-1] == pytest.approx(100 * 11 / 12)
    counties = [c for c in tr.columns if c not in (pp.CITY, "schedule")]
    assert (tr[counties].sum(axis=1) == tr[pp.CITY]).all()
    earlier = pp.progress(demo, month="2026-06", indicators=["digital_transformation"])
    assert _row(earlier, "digital_transformation", pp.CITY)["done"] == tr.loc["2026-06", pp.CITY]


def test_infrastructure_indicators_recomputed(demo, nov):
    firms = demo.enterprises
    crs = "EPSG:32651"
    f = firms.to_crs(crs)
    bs = demo.base_stations[demo.base_stations["status"] == "operational"].to_crs(crs)
    discs = gpd.GeoDataFrame(geometry=bs.geometry.buffer(bs["radius_m"]), crs=crs)
    hit = gpd.sjoin(f[["geometry"]], discs, predicate="within").index.unique()
    in_5g = f.index.isin(hit)
    listed = firms["on_transform_list"].to_numpy()
    row = _row(nov, "digital_transformation", pp.CITY)
    assert row["share_list_firms_5g"] == pytest.approx(in_5g[listed].mean())
    zone = (firms["park"] != "").to_numpy()
    assert row["share_zone_firms_5g"] == pytest.approx(in_5g[zone].mean())
    per = gpd.sjoin(bs[["geometry"]], demo.admin_areas.to_crs(crs)[["name", "geometry"]])
    counts = per.groupby("name").size()
    pop = pd.read_csv(HISTORY / "counties.csv").set_index("county")["population"]
    for county in pop.index:
        r = _row(nov, "digital_transformation", county)
        assert r["sites_5g"] == counts.get(county, 0)
        assert r["sites_5g_per_10k"] == pytest.approx(counts.get(county, 0) / pop[county] * 1e4)
    assert row["sites_5g_per_10k"] < pp.MIIT_5G_PER_10K  # the synthetic network is a sample


def test_the_generator_reproduces_the_shipped_history(tmp_path, capsys):
    name = "_infrasite_make_programme_demo"
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "make_programme_demo.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        assert module.main(["--out", str(tmp_path)]) == 0
    finally:
        del sys.modules[name]
    assert "wrote" in capsys.readouterr().out
    shipped = sorted(p.name for p in HISTORY.glob("*.csv"))
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == shipped
    for file in shipped:
        again = (tmp_path / file).read_bytes()
        msg = f"{file} differs: rerun scripts/make_programme_demo.py"
        assert again == (HISTORY / file).read_bytes(), msg


def test_demo_records_are_labelled_synthetic(demo, nov):
    rec = pp.records_of(demo)
    assert rec.synthetic and "make_programme_demo" in rec.source
    assert nov.attrs["synthetic"] is True
    assert "synthetic" in (HISTORY.parent / "SOURCES.md").read_text().lower()


# --------------------------------------------------------------------------- other inputs


def test_other_data_gives_empty_records_with_a_note(demo):
    other = demo.replace(name="elsewhere")
    out = pp.progress(other, month="2026-11")
    assert out.empty and "elsewhere" in out.attrs["note"]
    assert list(out.columns) == list(pp.PROGRESS_COLUMNS)


def test_bad_arguments_name_what_is_needed(demo):
    with pytest.raises(SpecificationError, match="YYYY-MM"):
        pp.progress(demo, month="November")
    with pytest.raises(TypeError, match="project_or_data"):
        pp.progress(42)
    with pytest.raises(KeyError, match="indicator"):
        pp.progress(demo, indicators=["no_such"])
    with pytest.raises(SpecificationError, match="plan"):
        pp.schedule_shares("0.5,0.4")


def test_a_city_adds_its_own_indicator():
    ind = pd.concat(
        [
            pp.default_indicators(),
            pd.DataFrame(
                [{"id": "broadband", "name_zh": "千兆宽带用户", "name_en": "gigabit users",
                  "unit_zh": "户", "unit_en": "users", "source": "progress", "item": "",
                  "cumulative": False, "weight": 0.0}]
            ),
        ]
    )  # fmt: skip
    rec = pp.ProgrammeRecords(
        {
            "indicators": ind,
            "targets": pd.DataFrame(
                {"indicator": ["broadband"] * 2, "county": ["A", "B"], "year": [2026] * 2,
                 "value": [120.0, 80.0], "plan": ["", ""]}
            ),
            "progress": pd.DataFrame(
                {"indicator": ["broadband"] * 3, "county": ["A", "A", "B"],
                 "month": ["2026-01", "2026-02", "2026-02"], "value": [10.0, 5.0, 30.0],
                 "source": ["月报"] * 3, "recorded_at": ["2026-03-01T00:00:00"] * 3}
            ),
        }
    )  # fmt: skip
    out = pp.progress(rec, month="2026-02").set_index("county")
    assert out.loc["A", "done"] == 15 and out.loc["A", "change"] == 5
    assert out.loc["B", "share"] == pytest.approx(30 / 80)
    assert out.loc[pp.CITY, "target"] == 200 and out.loc[pp.CITY, "done"] == 45
    assert out.loc["A", "schedule_share"] == pytest.approx(2 / 12)
    assert not out.loc["B", "behind"] and out.loc["A", "behind"]


# --------------------------------------------------------------------------- ranking


def test_ranking_recomputed_from_weights_and_shares(demo, nov):
    rank = pp.ranking(demo, 2026)
    weights = pp.ranking_weights(demo)
    assert sum(weights.values()) == 100
    for county, row in rank.iterrows():
        expected = 0.0
        for key, w in weights.items():
            share = _row(nov, key, county)["share"]
            expected += w * min(share, 1.0)
            assert row[f"points_{key}"] == pytest.approx(round(w * min(share, 1.0), 2))
        assert row["score"] == pytest.approx(expected, abs=0.006)
    assert list(rank["score"]) == sorted(rank["score"], reverse=True)
    assert list(rank["rank"]) == list(range(1, 8))
    assert rank.attrs["month"] == "2026-11"


def test_ranking_responds_to_weights(demo):
    only_5g = pp.ranking(demo, 2026, weights={"5g_sites": 1.0})
    assert set(c.removeprefix("points_") for c in only_5g if c.startswith("points_")) == {
        "5g_sites"
    }
    assert only_5g.index[0] == only_5g["share_5g_sites"].idxmax()
    with pytest.raises(SpecificationError, match="no_such") as err:
        pp.ranking(demo, 2026, weights={"no_such": 1.0, "5g_sites": -2})
    assert "5g_sites" in str(err.value)
    with pytest.raises(SpecificationError, match="zero"):
        pp.ranking(demo, 2026, weights={"5g_sites": 0.0})


def test_ties_share_a_rank_and_are_explained():
    targets = pd.DataFrame(
        {"indicator": ["typical_scenes"] * 3, "county": ["A", "B", "C"], "year": [2026] * 3,
         "value": [1.0] * 3, "plan": [""] * 3}
    )  # fmt: skip
    progress = pd.DataFrame(
        {"indicator": ["typical_scenes"] * 2, "county": ["A", "C"], "month": ["2026-03"] * 2,
         "value": [1.0, 1.0], "source": [""] * 2, "recorded_at": [""] * 2}
    )  # fmt: skip
    rec = pp.ProgrammeRecords({"targets": targets, "progress": progress})
    rank = pp.ranking(rec, 2026, weights={"typical_scenes": 10.0}, month=6)
    assert list(rank["rank"]) == [1, 1, 3]
    assert rank.loc["A", "tied_with"] == "C" and rank.loc["C", "tied_with"] == "A"
    assert rank.loc["B", "tied_with"] == ""


def test_weights_saved_in_the_project(demo):
    project = MemoryProject(demo)
    rec = pp.records_of(project)  # no tables yet: the demo's records, said so
    assert rec.synthetic and "no programme records" in rec.note
    rec.save_to(project, user="analyst")
    assert set(project.tables()) == {TABLE_PREFIX + n for n in SCHEMAS}
    pp.save_weights(project, {"5g_sites": 30.0})
    assert pp.ranking_weights(project)["5g_sites"] == 30.0
    again = pp.ProgrammeRecords.from_project(project)
    for name in SCHEMAS:
        if name != "indicators":
            pd.testing.assert_frame_equal(again[name], rec[name], check_dtype=False)
    saved = pp.ranking(project, 2026)
    assert saved.attrs["weights"]["5g_sites"] == 30.0
    assert not np.isclose(saved["score"].sum(), pp.ranking(demo, 2026)["score"].sum())
