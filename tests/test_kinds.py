"""Kinds of infrastructure as data: the registry, and 5G/charging unchanged by it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from kinds_baseline import FIXTURE, compute


@pytest.fixture(scope="module")
def now():
    return compute()


def test_5g_and_charging_results_identical_to_before_the_registry(now):
    before = json.loads(FIXTURE.read_text())
    assert set(now) == set(before)
    for name, outcome in before.items():
        assert now[name] == outcome, name


# ---------------------------------------------------------------- the registry


def test_registry_drives_the_schema_and_the_spec():
    from geodata.infrastructure import INFRASTRUCTURE, INFRASTRUCTURE_KINDS
    from geodata.schema import CATEGORY_LABELS_ZH, LAYER_KINDS
    from planning import scenarios

    assert INFRASTRUCTURE == ("5g", "charging", "broadband", "hydrogen")
    assert LAYER_KINDS["candidate_sites"].field("infrastructure").allowed == INFRASTRUCTURE
    assert scenarios.INFRASTRUCTURES == INFRASTRUCTURE
    for kind in INFRASTRUCTURE_KINDS.values():
        assert kind.existing_layer in LAYER_KINDS
        assert CATEGORY_LABELS_ZH["infrastructure"][kind.code] == kind.label_zh
        assert set(kind.distances) <= set(scenarios.DISTANCES)
        assert set(kind.objectives) <= set(scenarios.OBJECTIVES)
        assert kind.sources and kind.colour.startswith("#")
        assert scenarios.default_radius(kind.code) == (
            scenarios.RADIUS_5G_M[scenarios.DEFAULT_5G_BAND]
            if kind.service == "link_budget"
            else kind.radius_m
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"infrastructure": "broadband", "distance": "road_time"}, "'straight' or 'road'"),
        ({"infrastructure": "hydrogen", "objective": "corridors"}, "is for charging stations"),
        ({"infrastructure": "5g", "objective": "capacitated"}, "use infrastructure='charging'"),
        ({"infrastructure": "broadband", "detour_factor": 0.8}, "detour_factor must be"),
        ({"infrastructure": "hydrogen", "site_capacity": -5}, "site_capacity must be"),
    ],
)
def test_spec_checks_follow_the_registry(kwargs, match):
    from planning import ScenarioSpec

    with pytest.raises(ValueError, match=match):
        ScenarioSpec(**kwargs)


# ---------------------------------------------------------------- broadband


def _broadband_area(**extra):
    from scenario_fixtures import candidates, firms, points

    import geodata

    ent = firms([(0, 0), (100, 0), (900, 0), (1000, 0), (1100, 0), (2000, 0)])
    cand = candidates([(0, 0), (1000, 0), (3000, 0)], infrastructure="broadband", cost=50_000)
    ap = points(
        [(-1100, 0)],
        id=["AP1"],
        name=["光交箱1"],
        ports=[10],
        ports_used=[9],
        status=["operational"],
    )
    return geodata.PlanningData(
        "bb", enterprises=ent, candidate_sites=cand, access_points=ap, **extra
    )


def test_broadband_cable_distance_is_straight_line_times_detour():
    from planning import ScenarioSpec, run_scenario

    data = _broadband_area()
    # 1100 m of straight line is 1430 m of cable: within 1500 m, so AP1 serves the firm at 0
    res = run_scenario(data, ScenarioSpec(infrastructure="broadband", n_sites=1))
    assert res.summary["detour_factor"] == 1.3
    assert res.summary["distance_note"] == "straight line x 1.3"
    assert res.summary["capacity_unit"] == "ports"
    served = res.served.set_index("id")
    assert served.loc["E0", "covered_before"] and not served.loc["E1", "covered_before"]
    # after: the new cabinet is nearer (1000 m x 1.3) than AP1 (1100 m x 1.3)
    assert served.loc["E0", "distance_m"] == pytest.approx(1300.0, abs=1.0)
    assert served.loc["E5", "distance_m"] == pytest.approx(1300.0, abs=1.0)
    # one cabinet: the one at 1000 m reaches every firm (1000 m x 1.3 = 1300 m), the one at
    # 0 m not the firm at 2000 m
    assert list(res.proposed_sites["id"]) == ["S1"]
    assert res.summary["firms_after"] == 6
    plain = run_scenario(data, ScenarioSpec(infrastructure="broadband", n_sites=1, detour_factor=1))
    assert plain.served.set_index("id").loc["E0", "distance_m"] == pytest.approx(1000.0, abs=1.0)
    far = run_scenario(data, ScenarioSpec(infrastructure="broadband", n_sites=1, detour_factor=2))
    assert not far.served.set_index("id").loc["E0", "covered_before"]  # 2000 m of cable


def test_broadband_ports_limit_the_firms_connected():
    from planning import ScenarioSpec, run_scenario

    data = _broadband_area()
    spec = ScenarioSpec(
        infrastructure="broadband", objective="capacitated", n_sites=1, site_capacity=2
    )
    res = run_scenario(data, spec)
    # AP1 has one free port (10 - 9), the new cabinet two: three firms connected of six
    assert res.summary["sessions_served"] == pytest.approx(3.0)
    assert res.summary["sessions_total"] == pytest.approx(6.0)
    site = res.proposed_sites.iloc[0]
    assert site["capacity_sessions"] == 2 and site["piles"] == 1
    assert site["cost_cny"] == site["station_cost_cny"] == 50_000  # no pile cost for a cabinet
    one = run_scenario(
        data,
        ScenarioSpec(
            infrastructure="broadband", objective="single_source", n_sites=1, site_capacity=2
        ),
    )
    assigned = one.served["assigned"].to_numpy(bool)
    assert assigned.sum() == 3
    assert one.served.loc[assigned, "station"].value_counts().max() <= 2


def test_broadband_along_roads_when_the_data_has_roads():
    from test_scenarios import _grid_roads

    from planning import ScenarioSpec, run_scenario

    data = _broadband_area(roads=_grid_roads(n=11, step=500.0))
    res = run_scenario(data, ScenarioSpec(infrastructure="broadband", n_sites=1, distance="road"))
    assert res.summary["distance_note"] == "along roads"
    assert "detour_factor" not in res.summary
    ok = res.served["distance_m"].notna()
    assert (res.served.loc[ok, "distance_m"] <= 1500 + 1e-6).all()


def test_broadband_cable_follows_roads_by_default_when_the_data_has_them():
    from test_scenarios import _grid_roads

    from planning import ScenarioSpec, run_scenario

    spec = ScenarioSpec(infrastructure="broadband", n_sites=1)
    assert spec.distance == "cable"
    assert ScenarioSpec(infrastructure="charging").distance == "straight"
    assert ScenarioSpec().distance == "straight"
    with_roads = run_scenario(_broadband_area(roads=_grid_roads(n=11, step=500.0)), spec)
    assert with_roads.spec.distance == "road"
    assert with_roads.summary["distance_note"] == "along roads"
    without = run_scenario(_broadband_area(), spec)
    assert without.spec.distance == "straight"
    assert without.summary["distance_note"] == "straight line x 1.3"


# ---------------------------------------------------------------- hydrogen


def _hydrogen_area(h2_fleet=None):
    from scenario_fixtures import candidates, firms, points

    import geodata

    n = 4
    ent = firms(
        [(0, 0), (10_000, 0), (20_000, 0), (80_000, 0)],
        sector=["steel_metallurgy", "logistics", "services", "clean_energy"],
        ev_fleet=[100, 40, 50, 20],
        **({} if h2_fleet is None else {"h2_fleet": h2_fleet}),
    )
    cand = candidates(
        [(5_000, 0), (78_000, 0)], infrastructure="hydrogen", cost=12e6, source="roadside"
    )
    cand["capacity"] = [200.0, 0.0]
    hs = points(
        [(-25_000, 0)],
        id=["HS1"],
        name=["加氢站1"],
        capacity_kg_per_day=[50.0],
        status=["operational"],
    )
    assert n == len(ent)
    return geodata.PlanningData("h2", enterprises=ent, candidate_sites=cand, hydrogen_stations=hs)


def test_hydrogen_fleet_assumed_from_ev_fleet_and_said_so():
    from planning import ScenarioSpec, run_scenario
    from planning.kind_demand import h2_trucks, hydrogen_kg_per_day

    data = _hydrogen_area()
    # 10% of the ev fleet of steel, logistics and clean-energy firms; services not
    np.testing.assert_allclose(h2_trucks(data.enterprises), [10, 4, 0, 2])
    np.testing.assert_allclose(hydrogen_kg_per_day(data.enterprises), [250, 100, 0, 50])
    res = run_scenario(
        data, ScenarioSpec(infrastructure="hydrogen", objective="capacitated", n_sites=1)
    )
    assert res.summary["h2_fleet_assumed"] is True
    assert res.summary["capacity_unit"] == "kg/day"
    # HS1 (50 kg/day, 25 km from the first firm) and the 200 kg/day candidate at 5 km
    assert list(res.proposed_sites["id"]) == ["S0"]
    assert res.summary["sessions_served"] == pytest.approx(250.0)
    own = run_scenario(
        _hydrogen_area(h2_fleet=[2, 0, 0, 1]),
        ScenarioSpec(infrastructure="hydrogen", objective="capacitated", n_sites=1),
    )
    assert own.summary["h2_fleet_assumed"] is False
    assert own.summary["sessions_total"] == pytest.approx(75.0)


def test_hydrogen_default_capacity_and_radius():
    from planning import ScenarioSpec, run_scenario

    data = _hydrogen_area()
    res = run_scenario(
        data,
        ScenarioSpec(
            infrastructure="hydrogen", objective="capacitated", n_sites=2, demand="h2_fleet"
        ),
    )
    sites = res.proposed_sites.set_index("id")
    assert sites.loc["S1", "capacity_sessions"] == 1000.0  # the kind's default (no capacity)
    assert sites.loc["S0", "capacity_sessions"] == 200.0  # the candidate's own
    # 30 km: the firm at 80 km is served only by the candidate at 78 km
    assert res.summary["firms_after"] == 4
    assert res.summary["radius"] == 30_000


# ---------------------------------------------------------------- statistics and the map


def test_coverage_statistics_of_every_kind_on_the_demo():
    import geodata
    from planning import indicators

    data = geodata.load_demo()
    status = indicators.coverage_status(data)
    for code in ("broadband", "hydrogen"):
        assert status[f"near_{code}"].any() and not status[f"near_{code}"].all()
    # broadband: cable = straight line x 1.3, within 1,500 m
    ok = status["near_broadband"]
    assert (status.loc[ok, "broadband_distance_m"] <= 1500).all()
    assert set(status.loc[ok, "nearest_broadband"]) <= set(data.access_points["id"])
    by_zone = indicators.coverage_stats(data, status, by="park")
    assert list(by_zone.columns) == list(indicators.STATS_COLUMNS)
    total = by_zone.loc["total"]
    assert total["firms_broadband"] == ok.sum()
    assert total["share_firms_hydrogen"] == pytest.approx(status["near_hydrogen"].mean())
    tight = indicators.coverage_status(data, kind_distances_m={"broadband": 500})
    assert tight["near_broadband"].sum() < ok.sum()
    assert len(indicators.uncovered_firms(data, status, what="broadband")) == (~ok).sum()
    # planned access points do not serve yet
    planned = data.access_points[data.access_points["status"] != "operational"]
    assert not set(status["nearest_broadband"]) & set(planned["id"])


@pytest.mark.parametrize("language", ["zh", "en"])
def test_map_draws_every_kind_with_a_legend(language):
    import geodata
    from planning.maps import build_map

    data = geodata.load_demo()
    html = build_map(data, language=language).get_root().render()
    for code in ("broadband", "hydrogen"):
        kind = geodata.INFRASTRUCTURE_KINDS[code]
        assert kind.label(language) in html and kind.colour in html
    if language == "en":
        assert "Gigabit broadband access points (service area)" in html
        assert "Hydrogen refuelling stations" in html
        empty = data.replace(access_points=geodata.empty_layer("access_points"))
        html = build_map(empty, language=language).get_root().render()
        assert "Gigabit broadband access points" not in html


# ---------------------------------------------------------------- files of the new layers


def test_access_point_and_hydrogen_files_are_read_and_checked():
    import io

    import geodata

    csv = (
        "编号,名称,接入点类型,端口数,已用端口数,运营商,经度,纬度\n"
        "A1,光交箱1,光交箱,144,40,中国电信,120.45,41.57\n"
        "A2,光交箱2,OLT机房,96,120,中国联通,120.46,41.58\n"
    )
    with pytest.raises(geodata.DataError) as info:
        geodata.read_layer(io.BytesIO(csv.encode()), "access_points")
    (problem,) = info.value.problems
    assert problem.row == 2 and problem.code == "ports_over"
    assert "已用端口数（120）大于端口数（96）" in problem.message("zh")
    layer = geodata.read_layer(io.BytesIO(csv.replace("96,120", "96,10").encode()), "access_points")
    assert list(layer["point_type"]) == ["cabinet", "olt"]
    assert list(layer["operator"]) == ["China Telecom", "China Unicom"]
    h2 = "编号,名称,日加注能力,经度,纬度\nH1,加氢站1,1000,120.45,41.57\n"
    stations = geodata.read_layer(io.BytesIO(h2.encode()), "hydrogen_stations")
    assert stations["capacity_kg_per_day"].tolist() == [1000.0]
    assert stations["pressure_bar"].tolist() == [350.0] and stations["status"][0] == "operational"
    sites = (
        "编号,名称,设施类型,造价,经度,纬度\nC1,光网候选,千兆光网接入点,80000,120.45,41.57\n"
        "C2,加氢候选,加氢站,12000000,120.46,41.58\n"
    )
    cand = geodata.read_layer(io.BytesIO(sites.encode()), "candidate_sites")
    assert list(cand["infrastructure"]) == ["broadband", "hydrogen"]


def test_new_layers_round_trip_and_old_files_load_them_empty(tmp_path):
    import geodata

    data = geodata.load_demo()
    back = geodata.PlanningData.from_gpkg(data.to_gpkg(tmp_path / "d.gpkg"))
    assert len(back.access_points) == len(data.access_points) > 0
    assert len(back.hydrogen_stations) == len(data.hydrogen_stations) > 0
    assert back.provenance["access_points"].synthetic
    # a file written before the new kinds: its metadata lists only the first six layers
    old = data.replace(
        access_points=geodata.empty_layer("access_points"),
        hydrogen_stations=geodata.empty_layer("hydrogen_stations"),
    )
    path = tmp_path / "old.gpkg"
    old.to_gpkg(path)
    import json
    import sqlite3

    with sqlite3.connect(path) as con:
        (info,) = con.execute(
            "SELECT info FROM infrasite_metadata WHERE layer = '__layers__'"
        ).fetchone()
        counts = {k: v for k, v in json.loads(info).items() if k in geodata.KINDS[:6]}
        con.execute(
            "UPDATE infrasite_metadata SET info = ? WHERE layer = '__layers__'",
            (json.dumps(counts),),
        )
        for layer in ("access_points", "hydrogen_stations"):
            con.execute(f"DROP TABLE {layer}")
            con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (layer,))
            con.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = ?", (layer,))
    loaded = geodata.PlanningData.from_gpkg(path)
    assert len(loaded.access_points) == 0 and list(loaded.access_points.columns)[:2] == [
        "id",
        "name",
    ]
    assert len(loaded.enterprises) == len(data.enterprises)


def test_exports_label_capacity_in_the_kind_unit(tmp_path):
    import geodata
    from planning import ScenarioSpec, run_scenario
    from planning.export import export_scenario, parameter_table

    data = geodata.load_demo()
    spec = ScenarioSpec(
        name="光网",
        infrastructure="broadband",
        objective="capacitated",
        n_sites=3,
        zones=("凌源经济开发区",),
    )
    result = run_scenario(data, spec)
    zh = dict(parameter_table(result, language="zh").values)
    assert float(zh["满足的需求(端口)"]) == result.summary["sessions_served"]
    assert "满足的日充电次数" not in zh and "绕行系数" not in zh  # no explicit factor given
    assert zh["距离口径"] == "straight line x 1.3"
    assert zh["目标"] == "给定光交箱数,接入最多企业(含端口容量)"
    en = dict(parameter_table(result, language="en").values)
    assert "Demand served (ports)" in en and "Daily sessions served" not in en
    import io

    import pandas as pd

    book = export_scenario(result, "xlsx", language="zh")
    sites = pd.read_excel(io.BytesIO(book), sheet_name=None)
    cells = {str(v) for frame in sites.values() for v in frame.to_numpy().ravel()}
    assert "满足的需求(端口)" in cells and "满足的日充电次数" not in cells
