"""Scenario objectives backup, dispersion, single_source and corridors, checked by brute force."""

from __future__ import annotations

import itertools
import json

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scenario_fixtures import UTM, X0, Y0, candidates, charging, firms, random_city
from shapely.geometry import box
from test_workspace import _same_result

import geodata
from planning.demand import charging_sessions, sessions_per_pile
from planning.scenarios import (
    UNSERVED_PENALTY,
    ScenarioSpec,
    demand_weights,
    run_scenario,
)
from planning.workspace import open_workspace

# ---------------------------------------------------------------- the spec


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"objective": "single_source"}, "'single_source' is for charging stations"),
        ({"objective": "corridors"}, "'corridors' is for charging stations"),
        ({"objective": "dispersion", "n_sites": 1}, "n_sites must be at least 2"),
        (
            {"objective": "dispersion", "infrastructure": "charging", "distance": "road"},
            "distance must be 'straight' for objective 'dispersion'",
        ),
        (
            {"objective": "corridors", "infrastructure": "charging", "distance": "road_time"},
            "distance must be 'straight' or 'road' for objective 'corridors'",
        ),
        ({"objective": "backup", "key_firms": "vip"}, "key_firms must be one of"),
        ({"objective": "backup", "backup_weight": 1.5}, "backup_weight must be a number"),
        ({"vehicle_range_km": 0}, "vehicle_range_km must be a positive"),
        ({"objective": "backup", "n_sites": 0}, "n_sites must be at least 1"),
        (
            {"objective": "backup", "min_share_per_county": 0.5},
            "'backup' does not take county floors",
        ),
        (
            {"objective": "corridors", "infrastructure": "charging", "stage_sites": (1, 1)},
            "'corridors' does not take",
        ),
    ],
)
def test_spec_rejects_bad_model_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ScenarioSpec(**kwargs)


def test_model_specs_round_trip():
    spec = ScenarioSpec(
        objective="corridors", infrastructure="charging", vehicle_range_km=120, n_sites=4
    )
    again = ScenarioSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert again == spec and again.vehicle_range_km == 120
    spec = ScenarioSpec(objective="backup", key_firms="digital", backup_weight=0.5)
    assert ScenarioSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


# ---------------------------------------------------------------- backup


def _utm_xy(layer):
    g = layer.to_crs(UTM).geometry
    return np.column_stack([g.x, g.y])


def _within(a, b, r):
    d = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    return d <= np.broadcast_to(r, d.shape) + 1e-6


@pytest.fixture(scope="module")
def small():
    data = random_city(11, n_firms=80, n_sites=24)
    ent = data.enterprises.copy()
    rng = np.random.default_rng(4)
    ent["on_transform_list"] = rng.random(len(ent)) < 0.5
    ent["digital_status"] = rng.choice(["none", "planned", "in_progress", "completed"], len(ent))
    return data.replace(enterprises=ent)


@pytest.mark.parametrize(("p", "beta"), [(2, 1.0), (3, 0.5), (4, 1.0)])
def test_backup_matches_brute_force(small, p, beta):
    spec = ScenarioSpec(objective="backup", n_sites=p, radius_m=1800, backup_weight=beta)
    res = run_scenario(small, spec)
    key = small.enterprises[small.enterprises["on_transform_list"]]
    assert list(res.served.index) == list(key.index)
    w = demand_weights(key, "firms")
    cand = small.candidate_sites[small.candidate_sites["infrastructure"] == "5g"]
    new = _within(_utm_xy(key), _utm_xy(cand), 1800.0)
    bs = small.base_stations
    old = _within(_utm_xy(key), _utm_xy(bs), bs["radius_m"].to_numpy(float)).sum(axis=1)

    def value(subset):
        count = old + new[:, list(subset)].sum(axis=1)
        return float(w[count >= 1].sum() + beta * w[count >= 2].sum())

    best = max(value(s) for s in itertools.combinations(range(len(cand)), p))
    s = res.summary
    assert s["objective_value"] == pytest.approx(best)
    assert s["status"] == "optimal" and s["gap"] <= 1e-9 and s["bound"] >= best - 1e-9
    chosen = [list(cand["id"]).index(i) for i in res.proposed_sites["id"]]
    assert value(chosen) == pytest.approx(best)
    count = old + new[:, chosen].sum(axis=1)
    np.testing.assert_array_equal(res.served["covers_after"], count)
    np.testing.assert_array_equal(res.served["covers_before"], old)
    reach = old + new.sum(axis=1)
    # the honest share: covered twice among the firms two sites can reach
    assert s["backup_share_after"] == pytest.approx(w[count >= 2].sum() / w[reach >= 2].sum())
    assert s["backup_share_before"] == pytest.approx(w[old >= 2].sum() / w[reach >= 2].sum())
    assert s["firms_backed_up_after"] == int((count >= 2).sum())
    assert s["asked_sites"] == p and s["key_firm_count"] == len(key)
    curve = res.curve
    assert list(curve["sites"]) == list(range(p + 1))
    assert (curve["objective"].diff().dropna() >= -1e-9).all()
    assert curve["objective"].iloc[-1] == pytest.approx(best)


def test_backup_key_firms(small):
    digital = run_scenario(
        small, ScenarioSpec(objective="backup", n_sites=2, key_firms="digital", radius_m=900)
    )
    status = small.enterprises["digital_status"]
    assert set(digital.served.index) == set(status[status.isin(["in_progress", "completed"])].index)
    every = run_scenario(
        small, ScenarioSpec(objective="backup", n_sites=2, key_firms="all", radius_m=900)
    )
    assert len(every.served) == len(small.enterprises)
    nobody = small.enterprises.assign(on_transform_list=False)
    with pytest.raises(geodata.DataError, match="digital-transformation list"):
        run_scenario(small.replace(enterprises=nobody), ScenarioSpec(objective="backup"))


# ---------------------------------------------------------------- dispersion


@pytest.mark.parametrize("p", [2, 3, 4])
def test_dispersion_matches_brute_force(small, p):
    spec = ScenarioSpec(objective="dispersion", infrastructure="charging", n_sites=p, radius_m=1500)
    res = run_scenario(small, spec)
    cand = small.candidate_sites[small.candidate_sites["infrastructure"] == "charging"]
    xy = _utm_xy(cand)
    # only sites with a firm within the radius may be pilots
    ok = _within(_utm_xy(small.enterprises), xy, 1500.0).any(axis=0)
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    best = max(
        min(d[i, j] for i, j in itertools.combinations(s, 2))
        for s in itertools.combinations(np.flatnonzero(ok), p)
    )
    s = res.summary
    assert s["min_spacing_m"] == pytest.approx(best, rel=1e-9)
    assert s["objective_value"] == pytest.approx(best, rel=1e-9) and s["gap"] <= 1e-9
    assert len(res.proposed_sites) == p == s["sites"]
    assert res.proposed_sites["spacing_m"].min() == pytest.approx(best, rel=1e-9)
    assert set(res.proposed_sites["id"]) <= set(cand["id"][ok])
    assert set(s["closest_pair"]) <= set(res.proposed_sites["id"])
    assert s["eligible_candidates"] == int(ok.sum())
    assert (res.curve["spacing_m"].diff().dropna() <= 1e-6).all()


# ---------------------------------------------------------------- single source


@pytest.fixture(scope="module")
def tiny():
    """Seven firms and four charging candidates on a line, one pile per station."""
    ent = firms(
        [(0, 0), (300, 0), (900, 0), (1500, 0), (2100, 0), (2600, 0), (3250, 0)],
        employees=[0] * 7,
        ev_fleet=[9, 5, 7, 4, 8, 3, 6],
    )
    cand = candidates(
        [(100, 0), (1200, 0), (2300, 0), (3000, 0)], infrastructure="charging", cost=1000.0
    )
    return geodata.PlanningData("tiny", enterprises=ent, candidate_sites=cand)


@pytest.mark.parametrize("p", [1, 2, 3])
def test_single_source_matches_brute_force(tiny, p):
    spec = ScenarioSpec(
        objective="single_source",
        infrastructure="charging",
        n_sites=p,
        radius_m=1000,
        piles_min=1,
        piles_max=1,
        pile_power_kw=120,
        count_existing=False,
    )
    res = run_scenario(tiny, spec)
    amount = charging_sessions(tiny.enterprises)
    cap = float(sessions_per_pile(120.0))
    fx, sx = _utm_xy(tiny.enterprises), _utm_xy(tiny.candidate_sites)
    d = np.hypot(fx[:, None, 0] - sx[None, :, 0], fx[:, None, 1] - sx[None, :, 1])
    penalty = UNSERVED_PENALTY * 1000.0
    best = np.inf
    for subset in itertools.combinations(range(4), p):
        options = [[-1] + [j for j in subset if d[i, j] <= 1000 + 1e-6] for i in range(7)]
        for pick in itertools.product(*options):
            load = np.zeros(4)
            cost = 0.0
            for i, j in enumerate(pick):
                if j < 0:
                    cost += amount[i] * penalty
                else:
                    load[j] += amount[i]
                    cost += amount[i] * d[i, j]
            if (load <= cap + 1e-9).all():
                best = min(best, cost)
    s = res.summary
    assert s["objective_value"] == pytest.approx(best, rel=1e-6)
    assert s["gap"] <= 1e-6 and s["sites"] == p
    served = res.served
    # one station per firm, within the radius, and no station over its piles
    on = served["assigned"].to_numpy(bool)
    assert served.loc[on, "station"].isin(res.proposed_sites["id"]).all()
    assert (served.loc[on, "station_distance_m"] <= 1000 + 1e-6).all()
    assert served.loc[~on, "station"].isna().all()
    sites = res.proposed_sites.set_index("id")
    loads = served[on].groupby("station")["weight"].sum()
    np.testing.assert_allclose(sites.loc[loads.index, "sessions"], loads)
    assert (sites["sessions"] <= sites["piles"] * cap + 1e-9).all()
    assert s["sessions_served"] == pytest.approx(amount[on].sum())
    assert s["unserved_sessions"] == pytest.approx(amount[~on].sum())


def test_single_source_counts_existing_stations(small):
    spec = ScenarioSpec(
        objective="single_source", infrastructure="charging", n_sites=3, time_limit=20
    )
    res = run_scenario(small, spec)
    served = res.served
    on = served["assigned"].to_numpy(bool)
    allowed = set(res.proposed_sites["id"]) | set(small.charging_stations["id"])
    assert set(served.loc[on, "station"]) <= allowed
    assert res.summary["sessions_served"] <= res.summary["sessions_total"]
    assert len(res.curve) >= 2 and (res.curve["share"] <= 1 + 1e-9).all()


# ---------------------------------------------------------------- corridors

# Three zones on a line at 0, 60 and 130 km (2 km squares, centres on y = 1000 m), with
# 3, 2 and 1 firms; charging candidates on the line every 10 km and one far off it.

ZONES = {"甲区": 0.0, "乙区": 60_000.0, "丙区": 130_000.0}


@pytest.fixture(scope="module")
def corridor_city():
    fxy, park = [], []
    for (name, x), count in zip(ZONES.items(), (3, 2, 1), strict=True):
        for k in range(count):
            fxy.append((x + 500 + 200 * k, 1000.0))
            park.append(name)
    ent = firms(fxy, park=park)
    positions = np.arange(0, 140_001, 10_000, dtype=float) + 1000
    cxy = [(x, 1000.0) for x in positions] + [(60_000.0, 30_000.0)]
    cand = candidates(cxy, infrastructure="charging")
    parks = gpd.GeoDataFrame(
        {"id": ["P1", "P2", "P3"], "name": list(ZONES)},
        geometry=[box(X0 + x, Y0, X0 + x + 2000, Y0 + 2000) for x in ZONES.values()],
        crs=UTM,
    ).to_crs("EPSG:4326")
    return geodata.PlanningData("line", enterprises=ent, candidate_sites=cand, parks=parks)


def _round_trip_ok(stations, length, rng):
    """Drive origin -> destination -> origin and on, refuelling at every open station."""
    if not stations:
        return False
    loop = 2 * length
    stops = sorted([*stations, *(loop - s for s in stations)])
    here = stops[0]
    for s in [*stops[1:], stops[0] + loop]:
        if s - here > rng + 1e-6:  # the tank, full at the last station, runs dry
            return False
        here = s
    return True


@pytest.mark.parametrize(("p", "range_km"), [(1, 300), (2, 100), (3, 100), (4, 70)])
def test_corridors_match_brute_force(corridor_city, p, range_km):
    spec = ScenarioSpec(
        objective="corridors",
        infrastructure="charging",
        n_sites=p,
        vehicle_range_km=range_km,
        count_existing=False,
    )
    res = run_scenario(corridor_city, spec)
    cand = corridor_city.candidate_sites
    cxy = _utm_xy(cand) - np.array([X0, Y0])
    centre = {name: x + 1000 for name, x in ZONES.items()}
    act = {"甲区": 3, "乙区": 2, "丙区": 1}
    pairs = list(itertools.combinations(ZONES, 2))
    flows = {(a, b): act[a] * act[b] / 6 for a, b in pairs}

    def refuelled(subset):
        out = {}
        for a, b in pairs:
            lo, hi = centre[a], centre[b]
            on = [
                cxy[j, 0] - lo
                for j in subset
                if abs(cxy[j, 1] - 1000) <= 2000 and lo - 2000 <= cxy[j, 0] <= hi + 2000
            ]
            on = [min(max(x, 0.0), hi - lo) for x in on]
            out[(a, b)] = _round_trip_ok(on, hi - lo, 1000.0 * range_km)
        return out

    def flow(subset):
        return sum(flows[k] for k, ok in refuelled(subset).items() if ok)

    best = max(flow(s) for s in itertools.combinations(range(len(cand)), p))
    s = res.summary
    assert s["path_source"] == "straight" and "straight lines" in s["note"]
    assert s["objective_value"] == pytest.approx(best) and s["gap"] <= 1e-9
    assert s["flow_refuelled_after"] == pytest.approx(s["objective_value"])
    assert s["flow_total"] == pytest.approx(sum(flows.values()))
    assert s["share_flow_before"] == 0 and s["corridors"] == 3
    table = res.corridors
    assert list(zip(table["origin"], table["destination"], strict=True)) == pairs
    np.testing.assert_allclose(table["flow"], [flows[k] for k in pairs])
    np.testing.assert_allclose(
        table["length_km"], [(centre[b] - centre[a]) / 1000 for a, b in pairs]
    )
    chosen = [list(cand["id"]).index(i) for i in res.proposed_sites["id"]]
    assert list(table["refuelled_after"]) == [refuelled(chosen)[k] for k in pairs]
    assert "S15" not in set(res.proposed_sites["id"])  # the site far off every corridor
    assert table.crs.equals("EPSG:4326")
    assert (res.curve["covered"].diff().dropna() >= -1e-9).all()


def test_existing_stations_refuel_before(corridor_city):
    stations = charging([(1000, 1000), (61_000, 1000), (131_000, 1000)])
    data = corridor_city.replace(charging_stations=stations)
    spec = ScenarioSpec(
        objective="corridors", infrastructure="charging", n_sites=1, vehicle_range_km=140
    )
    res = run_scenario(data, spec)
    s = res.summary
    # 0-60 km (round trip 120) and 60-130 (140) make it; 0-130 needs nothing more at 140 km
    assert s["corridors_refuelled_before"] == 3 and s["share_flow_before"] == 1
    assert res.corridors["stations"].str.contains("C1").any()


def _line_roads():
    """A road along y = 1000 m with a detour bump, every 5 km, in EPSG:4326."""
    import pyproj

    to_ll = pyproj.Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
    g = nx.MultiDiGraph(crs="EPSG:4326")
    xs = np.arange(0, 140_001, 5_000, dtype=float) + 1000
    for k, x in enumerate(xs):
        y = 1000.0 + (3000.0 if k % 4 == 2 else 0.0)
        lon, lat = to_ll.transform(X0 + x, Y0 + y)
        g.add_node(k, x=lon, y=lat)
    for k in range(len(xs) - 1):
        a, b = g.nodes[k], g.nodes[k + 1]
        geod = pyproj.Geod(ellps="WGS84")
        length = geod.inv(a["x"], a["y"], b["x"], b["y"])[2]
        g.add_edge(k, k + 1, length=length)
        g.add_edge(k + 1, k, length=length)
    return g


def test_corridors_follow_the_roads(corridor_city):
    data = corridor_city.replace(roads=_line_roads())
    spec = ScenarioSpec(
        objective="corridors", infrastructure="charging", n_sites=2, vehicle_range_km=100
    )
    res = run_scenario(data, spec)
    assert res.summary["path_source"] == "road" and "note" not in res.summary
    table = res.corridors
    assert (table["path"] == "road").all()
    straight = np.array([60.0, 130.0, 70.0])
    assert (table["length_km"].to_numpy() > straight).all()  # the bumps make roads longer
    assert (table["length_km"].to_numpy() < straight * 1.2).all()


def test_corridors_need_two_zones(corridor_city):
    one = corridor_city.enterprises.assign(park="甲区")
    spec = ScenarioSpec(objective="corridors", infrastructure="charging", n_sites=1)
    with pytest.raises(geodata.DataError, match="at least two development zones"):
        run_scenario(corridor_city.replace(enterprises=one), spec)


# ---------------------------------------------------------------- the demo and the workspace


@pytest.fixture(scope="module")
def demo_results():
    demo = geodata.load_demo()
    specs = [
        ScenarioSpec(name="backup", objective="backup", n_sites=4, time_limit=10),
        ScenarioSpec(name="spread", objective="dispersion", n_sites=4, time_limit=10),
        ScenarioSpec(
            name="one", infrastructure="charging", objective="single_source", n_sites=3,
            time_limit=10,
        ),
        ScenarioSpec(
            name="trucks", infrastructure="charging", objective="corridors", n_sites=3,
            vehicle_range_km=100, time_limit=10,
        ),
    ]  # fmt: skip
    return demo, [run_scenario(demo, spec) for spec in specs]


def test_demo_results_say_what_was_asked_and_achieved(demo_results):
    _, results = demo_results
    for res in results:
        s = res.summary
        assert s["asked_sites"] == res.spec.n_sites
        assert s["gap"] >= 0 and s["status"] in ("optimal", "feasible", "time_limit")
        assert np.isfinite(s["bound"]) and np.isfinite(s["objective_value"])
        assert s["sites"] == len(res.proposed_sites) <= res.spec.n_sites
        assert len(res.curve) >= 2
    backup, spread, one, trucks = results
    assert 0 <= backup.summary["backup_share_before"] <= backup.summary["backup_share_after"] <= 1
    assert spread.summary["min_spacing_m"] > 10_000
    assert one.summary["piles"] == one.proposed_sites["piles"].sum()
    assert trucks.summary["share_flow_after"] >= trucks.summary["share_flow_before"]
    assert trucks.summary["path_source"] == "straight"  # the demo has no roads


def test_model_results_round_trip_through_the_workspace(demo_results, tmp_path):
    demo, results = demo_results
    ws = open_workspace(str(tmp_path / "projects"))
    project = ws.create_project("models", demo)
    for res in results:
        project.save_scenario(res)
    again = ws.project("models")
    for res in results:
        back = again.load_scenario(res.name)
        _same_result(back, res)
        assert (back.corridors is None) == (res.corridors is None)
        if res.corridors is not None:
            pd.testing.assert_frame_equal(back.corridors, res.corridors)
            assert back.corridors.crs.equals(res.corridors.crs)
