import itertools
import json

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scenario_fixtures import UTM, X0, Y0, base_stations, candidates, charging, firms, random_city

import geodata
import planning
from planning import scenarios
from planning.scenarios import (
    ScenarioSpec,
    compare_scenarios,
    default_radius,
    demand_weights,
    run_scenario,
)

# ---------------------------------------------------------------- specification


def test_default_radius():
    assert default_radius("5g", "2.6GHz") == 500
    assert default_radius("5g", "3.5GHz") == 450
    assert default_radius("5g", "4.9GHz") == 400
    assert default_radius("5g", "700MHz") == 1200
    assert default_radius("5g") == scenarios.RADIUS_5G_M[scenarios.DEFAULT_5G_BAND]
    assert default_radius("charging") == 2000
    with pytest.raises(ValueError, match="band must be one of"):
        default_radius("5g", "28GHz")
    with pytest.raises(ValueError, match="infrastructure must be one of"):
        default_radius("water")


def test_service_radius():
    assert ScenarioSpec(band="700MHz").service_radius() == 1200
    assert ScenarioSpec(radius_m=321).service_radius() == 321
    spec = ScenarioSpec(infrastructure="charging", distance="road_time")
    assert spec.service_radius() == 60 * scenarios.CHARGING_TRAVEL_MINUTES
    assert (
        ScenarioSpec(
            infrastructure="charging", distance="road_time", travel_minutes=2
        ).service_radius()
        == 120
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"objective": "cheapest"}, "objective must be one of"),
        ({"infrastructure": "water"}, "infrastructure must be one of"),
        ({"distance": "road"}, "distance must be 'straight' for 5G"),
        ({"objective": "budget"}, "budget_cny must be a positive"),
        ({"objective": "budget", "budget_cny": -5}, "budget_cny must be a positive"),
        ({"n_sites": 0}, "n_sites must be at least 1"),
        ({"n_sites": 2.5}, "n_sites must be a whole number"),
        ({"coverage_target": 1.5}, "coverage_target must be a share"),
        ({"radius_m": -1}, "radius_m must be a positive"),
        ({"band": "6GHz"}, "band must be one of"),
        ({"demand": "revenue"}, "demand must use the names"),
        ({"demand": {"employees": -1}}, "must be a non-negative"),
        ({"demand": {"employees": 0}}, "must not all be zero"),
        ({"time_limit": 0}, "time_limit must be a positive"),
    ],
)
def test_spec_rejects(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ScenarioSpec(**kwargs)


def test_spec_round_trip_and_hash():
    spec = ScenarioSpec(
        name="甲",
        infrastructure="charging",
        objective="budget",
        budget_cny=1e6,
        demand={"employees": 2, "ev_fleet": 1},
        candidate_sources=["parking_lot", "roadside"],
        distance="road",
    )
    assert spec.candidate_sources == ("parking_lot", "roadside")
    d = spec.to_dict()
    again = ScenarioSpec.from_dict(json.loads(json.dumps(d)))
    assert again == spec
    assert hash(again) == hash(spec)
    assert len({spec, again, ScenarioSpec()}) == 2
    with pytest.raises(ValueError, match="unknown keys"):
        ScenarioSpec.from_dict({**d, "colour": "red"})


# ---------------------------------------------------------------- demand


def test_demand_weights():
    ent = firms([(0, 0), (1, 0), (2, 0)], employees=[10, 30, 60], ev_fleet=[0, 0, 4])
    np.testing.assert_array_equal(demand_weights(ent, "firms"), [1, 1, 1])
    np.testing.assert_array_equal(demand_weights(ent, "employees"), [10, 30, 60])
    mix = demand_weights(ent, {"firms": 1, "employees": 1})
    # each column sums to 1, then the mixing weights (1, 1) are rescaled to (0.5, 0.5)
    np.testing.assert_allclose(
        mix, 0.5 * np.array([1 / 3, 1 / 3, 1 / 3]) + 0.5 * np.array([0.1, 0.3, 0.6])
    )
    assert mix.sum() == pytest.approx(1.0)
    # the units of a column do not matter in a mix
    scaled = ent.assign(employees=ent["employees"] * 1000)
    np.testing.assert_allclose(demand_weights(scaled, {"firms": 1, "employees": 1}), mix)
    np.testing.assert_allclose(demand_weights(ent, {"ev_fleet": 3}), [0, 0, 1])


def test_demand_weights_errors():
    ent = firms([(0, 0), (1, 0)], employees=[5, -1])
    with pytest.raises(geodata.DataError, match="must not be negative") as err:
        demand_weights(ent, "employees")
    assert err.value.problems[0].row == 2
    with pytest.raises(geodata.DataError, match="missing"):
        demand_weights(ent.drop(columns="energy_use"), "energy_use")
    with pytest.raises(geodata.DataError, match="sums to zero"):
        demand_weights(ent, {"ev_fleet": 1, "firms": 1})
    with pytest.raises(geodata.DataError, match="no demand to serve"):
        demand_weights(ent, "ev_fleet")


# ---------------------------------------------------------------- hand-made line of firms
#
# Firms along the x axis: cluster A (3 firms) at 0 m, B (2) at 2000 m, C (1) at 4000 m and
# one firm at 6000 m that no candidate reaches. Candidates S0..S3 at 0, 2000, 4000, 1000 m.
# With the 3.5GHz default radius (450 m) S0 covers A, S1 covers B, S2 covers C, S3 nothing.


@pytest.fixture
def line():
    ent = firms(
        [(0, 0), (50, 0), (0, 50), (2000, 0), (2050, 0), (4000, 0), (6000, 0)],
        county=["A", "A", "A", "B", "B", "C", "C"],
        park=["P", "P", "P", "", "", "Q", ""],
        employees=[1, 1, 1, 1, 1, 1000, 1],
    )
    cand = candidates(
        [(0, 0), (2000, 0), (4000, 0), (1000, 0)],
        cost=[250_000, 100_000, 100_000, 10_000],
        source=["tower", "rooftop", "tower", "tower"],
    )
    bs = base_stations([(0, 0), (4000, 0)], [300.0, 300.0], status=["operational", "planned"])
    return geodata.PlanningData("line", enterprises=ent, candidate_sites=cand, base_stations=bs)


def _ids(result):
    return sorted(result.proposed_sites["id"])


def test_max_coverage_greenfield(line):
    res = run_scenario(line, ScenarioSpec(n_sites=2, count_existing=False))
    assert _ids(res) == ["S0", "S1"]
    assert res.summary["covered_after"] == 5
    assert res.summary["share_before"] == 0
    assert res.summary["share_after"] == pytest.approx(5 / 7)
    assert res.summary["unreachable_firms"] == 1
    assert res.solution.optimal
    # build order: S0 (3 firms) before S1 (2 firms)
    assert res.proposed_sites["id"].tolist() == ["S0", "S1"]
    assert res.proposed_sites["gain"].tolist() == [3, 2]
    assert res.proposed_sites["marginal"].tolist() == [3, 2]
    assert res.served["newly_served"].sum() == 5
    assert res.served.loc[res.served["id"] == "E4", "site"].item() == "S1"
    assert res.served.loc[res.served["id"] == "E1", "distance_m"].item() == pytest.approx(50)


def test_max_coverage_counts_existing_5g(line):
    # the operational station at 0 m covers cluster A already; the planned one at 4000 m
    # does not count
    res = run_scenario(line, ScenarioSpec(n_sites=2))
    assert _ids(res) == ["S1", "S2"]
    assert res.served["covered_before"].tolist() == [True, True, True, False, False, False, False]
    assert res.summary["share_before"] == pytest.approx(3 / 7)
    assert res.summary["share_after"] == pytest.approx(6 / 7)
    assert res.summary["firms_newly_served"] == 3
    assert res.served.loc[res.served["id"] == "E0", "site"].item() == "B0"


def test_demand_changes_the_answer(line):
    res = run_scenario(line, ScenarioSpec(n_sites=1, demand="employees", count_existing=False))
    assert _ids(res) == ["S2"]
    res = run_scenario(line, ScenarioSpec(n_sites=1, demand="firms", count_existing=False))
    assert _ids(res) == ["S0"]


def test_candidate_sources(line):
    res = run_scenario(
        line, ScenarioSpec(n_sites=2, candidate_sources=("tower",), count_existing=False)
    )
    assert _ids(res) == ["S0", "S2"]
    assert set(res.proposed_sites["source"]) == {"tower"}
    with pytest.raises(geodata.DataError, match="no candidate sites"):
        run_scenario(line, ScenarioSpec(candidate_sources=("parking_lot",)))
    with pytest.raises(geodata.DataError, match="no candidate sites"):
        run_scenario(line, ScenarioSpec(infrastructure="charging"))


def test_budget(line):
    spec = ScenarioSpec(objective="budget", budget_cny=200_000, count_existing=False)
    res = run_scenario(line, spec)
    assert _ids(res) == ["S1", "S2"]
    assert res.summary["cost_cny"] <= 200_000
    res = run_scenario(
        line, ScenarioSpec(objective="budget", budget_cny=350_000, count_existing=False)
    )
    assert _ids(res) == ["S0", "S1"]
    assert res.summary["cost_cny"] == 350_000
    assert "budget_cny" in res.curve


def test_min_sites(line):
    res = run_scenario(line, ScenarioSpec(objective="min_sites", count_existing=False))
    assert _ids(res) == ["S0", "S1", "S2"]  # every coverable firm; the one at 6000 m is reported
    assert res.summary["unreachable_firms"] == 1
    res = run_scenario(
        line, ScenarioSpec(objective="min_sites", coverage_target=0.7, count_existing=False)
    )
    assert _ids(res) == ["S0", "S1"]
    assert res.summary["share_after"] >= 0.7
    # counting the existing station, two sites cover everything coverable
    res = run_scenario(line, ScenarioSpec(objective="min_sites"))
    assert _ids(res) == ["S1", "S2"]


def test_min_distance(line):
    res = run_scenario(
        line, ScenarioSpec(objective="min_distance", n_sites=1, count_existing=False)
    )
    assert _ids(res) == ["S0"]
    assert res.summary["unreachable_firms"] == 1
    np.testing.assert_allclose(res.served["distance_m"].iloc[:3], [0, 50, 50])
    assert res.served["distance_m"].iloc[3:].isna().all()
    assert res.summary["mean_distance_m"] == pytest.approx(100 / 3)
    # with the existing station covering A, the best single new site is elsewhere
    res = run_scenario(line, ScenarioSpec(objective="min_distance", n_sites=1))
    assert _ids(res) == ["S1"]


def test_charging_existing_within_radius(line):
    cand = line.candidate_sites.assign(infrastructure="charging")
    data = line.replace(
        candidate_sites=cand, charging_stations=charging([(4000, 250), (6000, 2000)])
    )
    spec = ScenarioSpec(infrastructure="charging", n_sites=1, radius_m=300, demand="employees")
    res = run_scenario(data, spec)
    # the station 250 m from the big firm serves it already; the one 2 km from the last
    # firm does not
    assert res.served["covered_before"].tolist() == [False] * 5 + [True, False]
    assert _ids(res) == ["S0"]
    off = run_scenario(data, ScenarioSpec(**{**spec.to_dict(), "count_existing": False}))
    assert _ids(off) == ["S2"]


def test_too_many_sites(line):
    with pytest.raises(planning.SpecificationError, match="n_sites"):
        run_scenario(line, ScenarioSpec(n_sites=9))


def test_roads_needed(line):
    data = line.replace(candidate_sites=line.candidate_sites.assign(infrastructure="charging"))
    with pytest.raises(geodata.DataError, match="road network"):
        run_scenario(data, ScenarioSpec(infrastructure="charging", distance="road"))


# ---------------------------------------------------------------- random city, every objective


def _brute_cover(data, spec, result):
    ent = data.enterprises.to_crs(UTM)
    cand = data.candidate_sites
    allowed = cand[cand["infrastructure"] == spec.infrastructure].to_crs(UTM)
    chosen = allowed[allowed["id"].isin(result.proposed_sites["id"])]
    r = spec.service_radius()
    if spec.uses_link_budget():
        # each proposed 5G site covers its own link-budget radius
        r = chosen["id"].map(result.proposed_sites.set_index("id")["radius_m"]).to_numpy()
    d = np.array([[p.distance(q) for q in chosen.geometry] for p in ent.geometry]).reshape(
        len(ent), -1
    )
    return (d <= r).any(axis=1)


@pytest.fixture(scope="module")
def city():
    return random_city(3, n_firms=400, n_sites=60)


@pytest.mark.parametrize(
    "spec",
    [
        ScenarioSpec(name="mclp", n_sites=6, demand="employees"),
        ScenarioSpec(name="budget", objective="budget", budget_cny=1_000_000),
        ScenarioSpec(name="lscp", objective="min_sites", coverage_target=0.6),
        ScenarioSpec(name="pmed", objective="min_distance", n_sites=5),
        ScenarioSpec(
            name="ch", infrastructure="charging", n_sites=4, demand={"ev_fleet": 1, "employees": 1}
        ),
        ScenarioSpec(
            name="ch-b", infrastructure="charging", objective="budget", budget_cny=500_000
        ),
        ScenarioSpec(
            name="ch-pmed", infrastructure="charging", objective="min_distance", n_sites=3
        ),
    ],
    ids=lambda s: s.name,
)
def test_every_objective_is_consistent(city, spec):
    calls = []
    res = run_scenario(city, spec, progress=lambda f, m: calls.append((f, m)))
    fractions = [f for f, _ in calls]
    assert {m for _, m in calls} == set(scenarios.PROGRESS_MESSAGES)
    assert fractions == sorted(fractions) and fractions[0] == 0 and fractions[-1] == 1
    s = res.summary
    served = res.served
    w = demand_weights(city.enterprises, spec.demand)
    np.testing.assert_allclose(served["weight"], w)
    new = _brute_cover(city, spec, res)
    np.testing.assert_array_equal(served["covered_after"], served["covered_before"] | new)
    assert s["share_after"] == pytest.approx(w[served["covered_after"]].sum() / w.sum())
    assert s["share_before"] == pytest.approx(w[served["covered_before"]].sum() / w.sum())
    assert s["share_after"] >= s["share_before"]
    assert s["sites"] == len(res.proposed_sites) == len(res.solution.selected)
    assert s["cost_cny"] == pytest.approx(res.proposed_sites["cost_cny"].sum())
    assert set(res.proposed_sites["infrastructure"]) == {spec.infrastructure}
    assert sorted(res.proposed_sites["order"]) == list(range(1, s["sites"] + 1))
    assert res.proposed_sites["gain"].sum() == pytest.approx(
        s["covered_after"] - s["covered_before"]
    )
    assert s["gap"] >= 0 and s["status"] in ("optimal", "feasible", "time_limit")
    if spec.objective == "budget":
        assert s["cost_cny"] <= spec.budget_cny + 1e-6
    if spec.objective == "max_coverage":
        assert s["sites"] <= spec.n_sites  # a site adding nothing is not proposed
    if spec.objective == "min_distance":
        assert s["sites"] == spec.n_sites
    if spec.objective == "min_sites":
        assert (
            s["share_after"] >= spec.coverage_target - 1e-9 or res.solution.details["target_capped"]
        )
    if spec.objective == "min_distance":
        ok = served["distance_m"].notna()
        np.testing.assert_array_equal(ok, served["covered_after"])
        new = served["newly_served"]
        limit = spec.service_radius()
        if spec.uses_link_budget():
            limit = served.loc[new, "site"].map(res.proposed_sites.set_index("id")["radius_m"])
        assert (served.loc[new, "distance_m"] <= limit + 1e-6).all()
        assert s["max_distance_m"] == pytest.approx(served["distance_m"].max())
        assert served.loc[new, "site"].isin(res.proposed_sites["id"]).all()
    ind = res.indicators
    assert set(ind.index.get_level_values("level")) >= {"county", "park", "total"}
    total = ind.loc[("total", "total")]
    assert total["share_after"] == pytest.approx(s["share_after"])
    assert ind.xs("county")["firms"].sum() == len(city.enterprises)
    curve = res.curve
    assert (curve["share"].diff().dropna() >= -1e-9).all()
    assert curve["covered"].iloc[0] == pytest.approx(s["covered_before"])
    assert (curve["covered"] <= curve["bound"] + 1e-6).all()
    if spec.objective in ("max_coverage", "budget"):
        # the last point is the scenario's own limit: the same optimum
        assert curve["covered"].iloc[-1] == pytest.approx(s["covered_after"])
        x = "budget_cny" if spec.objective == "budget" else "sites"
        assert curve[x].iloc[-1] == (spec.budget_cny if x == "budget_cny" else spec.n_sites)


def test_mclp_beats_every_single_swap(city):
    # the exact answer cannot be improved by swapping one chosen site for another
    spec = ScenarioSpec(n_sites=4, count_existing=False, radius_model="fixed")
    res = run_scenario(city, spec)
    ent = city.enterprises.to_crs(UTM)
    allowed = city.candidate_sites[city.candidate_sites["infrastructure"] == "5g"].to_crs(UTM)
    d = np.array([[p.distance(q) for q in allowed.geometry] for p in ent.geometry])
    cover = d <= spec.service_radius()
    chosen = list(np.flatnonzero(allowed["id"].isin(res.proposed_sites["id"])))
    best = cover[:, chosen].any(axis=1).sum()
    assert best == res.summary["covered_after"]
    for i in range(len(chosen)):
        for j in range(cover.shape[1]):
            trial = [*chosen[:i], j, *chosen[i + 1 :]]
            assert cover[:, trial].any(axis=1).sum() <= best


def test_compare(city):
    a = run_scenario(city, ScenarioSpec(name="a", n_sites=3))
    b = run_scenario(city, ScenarioSpec(name="b", n_sites=5))
    cmp = compare_scenarios([a, b])
    summary = cmp["summary"]
    assert list(summary.index) == ["a", "b"]
    assert summary.loc["b", "share_after"] >= summary.loc["a", "share_after"]
    sites = cmp["sites"]
    ids_a, ids_b = set(a.proposed_sites["id"]), set(b.proposed_sites["id"])
    assert set(sites.index) == ids_a | ids_b
    assert summary.loc["a", "sites_in_common"] == len(ids_a & ids_b)
    assert summary.loc["b", "sites_only_here"] == len(ids_b - ids_a)
    assert (sites["in"] == sites[["a", "b"]].sum(axis=1)).all()
    assert list(cmp["indicators"].columns) == ["share_before", "a", "b"]
    ev = run_scenario(city, ScenarioSpec(name="ev", infrastructure="charging", n_sites=2))
    ind = compare_scenarios([a, ev])["indicators"]
    assert list(ind.columns) == ["share_before", "a", "ev (before)", "ev"]
    np.testing.assert_allclose(ind["ev (before)"], ev.indicators["share_before"])
    with pytest.raises(ValueError, match="distinct names"):
        compare_scenarios([a, a])


# ---------------------------------------------------------------- road distances


def _grid_roads(n=21, step=500.0):
    """A two-way street grid in EPSG:4326 every ``step`` metres around (X0, Y0)."""
    import pyproj

    to_ll = pyproj.Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
    g = nx.MultiDiGraph(crs="EPSG:4326")
    for i in range(n):
        for j in range(n):
            lon, lat = to_ll.transform(X0 + i * step, Y0 + j * step)
            g.add_node(i * n + j, x=lon, y=lat)
    for i in range(n):
        for j in range(n):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < n and j + dj < n:
                    u, v = i * n + j, (i + di) * n + j + dj
                    for a, b in ((u, v), (v, u)):
                        g.add_edge(a, b, length=step, highway="residential", maxspeed="30")
    return g


def test_road_distance_mode():
    pytest.importorskip("planning.distances.roads")
    data = random_city(5, n_firms=150, n_sites=30).replace(roads=_grid_roads())
    straight = run_scenario(data, ScenarioSpec(infrastructure="charging", n_sites=3, radius_m=1000))
    road = run_scenario(
        data, ScenarioSpec(infrastructure="charging", n_sites=3, radius_m=1000, distance="road")
    )
    # a road trip is never shorter than the straight line: road coverage is a subset
    assert road.summary["share_after"] <= straight.summary["share_after"] + 1e-9
    assert road.summary["covered_before"] <= straight.summary["covered_before"]
    ok = road.served["distance_m"].notna()
    assert (road.served.loc[ok, "distance_m"] <= 1000 + 1e-6).all()
    timed = run_scenario(
        data,
        ScenarioSpec(
            infrastructure="charging",
            objective="min_distance",
            n_sites=2,
            distance="road_time",
            travel_minutes=3,
        ),
    )
    assert "distance_m" not in timed.served and "mean_distance_m" not in timed.summary
    ok = timed.served["travel_time_s"].notna()
    assert (timed.served.loc[ok, "travel_time_s"] <= 180 + 1e-6).all()
    assert timed.summary["radius_unit"] == "s"
    assert timed.summary["mean_travel_time_s"] <= 180 + 1e-6
    from planning.export import export_scenario

    page = export_scenario(timed, "summary_md", language="en").decode("utf-8")
    assert "Mean driving time" in page and " min" in page


# ---------------------------------------------------------------- the demo city


@pytest.fixture(scope="module")
def demo():
    return geodata.load_demo()


@pytest.mark.parametrize(
    "spec",
    [
        ScenarioSpec(name="5g", n_sites=15, demand="employees", time_limit=20),
        ScenarioSpec(
            name="ev", infrastructure="charging", objective="budget", budget_cny=3e6, time_limit=20
        ),
        ScenarioSpec(
            name="ev-p",
            infrastructure="charging",
            objective="min_distance",
            n_sites=8,
            time_limit=20,
        ),
    ],
    ids=lambda s: s.name,
)
def test_demo(demo, spec):
    res = run_scenario(demo, spec)
    s = res.summary
    assert 0 < s["share_before"] < s["share_after"] <= 1
    assert s["gap"] <= 1e-6 or s["status"] != "optimal"
    served = res.served
    assert served.index.equals(demo.enterprises.index)
    assert served["newly_served"].sum() == s["firms_newly_served"] > 0
    county = res.indicators.xs("county")
    assert set(county.index) <= set(demo.enterprises["county"].fillna("-").replace("", "-"))
    if spec.objective == "budget":
        assert s["cost_cny"] <= spec.budget_cny


def test_time_limit_is_respected():
    data = random_city(11, n_firms=6000, n_sites=600)
    spec = ScenarioSpec(n_sites=40, demand="employees", time_limit=0.5)
    res = run_scenario(data, spec)
    s = res.summary
    # solve plus curve get about 1.5 x the limit; matrices and assembly take well under a second
    assert s["seconds"] < 6
    assert s["status"] in ("optimal", "time_limit", "feasible")
    assert s["bound"] >= s["objective_value"] - 1e-6
    gap = max(0.0, s["bound"] - s["objective_value"]) / s["objective_value"]
    assert s["gap"] == pytest.approx(gap)


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    p=st.integers(1, 3),
    count_existing=st.booleans(),
    demand=st.sampled_from(["firms", "employees", {"firms": 1, "employees": 3}]),
)
def test_max_coverage_matches_brute_force(seed, p, count_existing, demand):
    rng = np.random.default_rng(seed)
    ent = firms(rng.uniform(0, 3000, (40, 2)), employees=list(rng.integers(0, 50, 40)))
    cand = candidates(rng.uniform(0, 3000, (7, 2)))
    bs = base_stations(rng.uniform(0, 3000, (2, 2)), 400.0)
    data = geodata.PlanningData("bf", enterprises=ent, candidate_sites=cand, base_stations=bs)
    spec = ScenarioSpec(
        n_sites=p, count_existing=count_existing, demand=demand, radius_model="fixed"
    )
    res = run_scenario(data, spec)
    w = demand_weights(ent, demand)
    fx = ent.to_crs(UTM).geometry
    d = np.array([[a.distance(b) for b in cand.to_crs(UTM).geometry] for a in fx])
    cover = d <= spec.service_radius()
    before = np.zeros(len(ent), dtype=bool)
    if count_existing:
        db = np.array([[a.distance(b) for b in bs.to_crs(UTM).geometry] for a in fx])
        before = (db <= 400.0).any(axis=1)
    best = max(
        w[before | cover[:, list(c)].any(axis=1)].sum()
        for c in itertools.combinations(range(cover.shape[1]), p)
    )
    assert res.summary["covered_after"] == pytest.approx(best)
    assert res.summary["covered_before"] == pytest.approx(w[before].sum())


# ---------------------------------------------------------------- link budget, equity, stages


def test_link_budget_radii_on_the_demo(demo):
    from planning import radio

    res = run_scenario(demo, ScenarioSpec(n_sites=5, time_limit=20))
    sites = res.proposed_sites
    assert res.summary["radius_model"] == "link_budget"
    assert set(sites["environment"]) <= set(radio.ENVIRONMENTS)
    for _, row in sites.iterrows():
        expected = radio.cell_radius("3.5GHz", row["environment"], row["height_m"])
        assert row["radius_m"] == pytest.approx(expected)
    # every firm counted as newly served lies within its own site's radius
    new = res.served[res.served["newly_served"]]
    limit = new["site"].map(sites.set_index("id")["radius_m"])
    assert (new["distance_m"] <= limit + 1e-6).all()
    fixed = run_scenario(demo, ScenarioSpec(n_sites=5, radius_model="fixed", time_limit=20))
    assert "radius_m" not in fixed.proposed_sites or fixed.summary["radius_model"] == "fixed"
    assert (
        res.summary["radius_min_m"] <= res.summary["radius_median_m"] <= res.summary["radius_max_m"]
    )


def test_county_floors_are_met_when_recomputed(demo):
    spec = ScenarioSpec(
        objective="min_sites",
        coverage_target=0.85,
        min_share_per_county=0.85,
        cell_edge_probability=0.5,
        time_limit=30,
    )
    res = run_scenario(demo, spec)
    assert res.summary["floors_met"] and res.summary["status"] == "optimal"
    served = res.served
    ent = demo.enterprises.to_crs(UTM)
    bs = demo.base_stations[demo.base_stations["status"] == "operational"].to_crs(UTM)
    sites = res.proposed_sites.to_crs(UTM)
    # independent recomputation: each firm against every existing and proposed site's radius
    fx, fy = ent.geometry.x.to_numpy(), ent.geometry.y.to_numpy()
    covered = np.zeros(len(ent), bool)
    for layer in (bs, sites):
        sx, sy = layer.geometry.x.to_numpy(), layer.geometry.y.to_numpy()
        d = np.hypot(fx[:, None] - sx[None, :], fy[:, None] - sy[None, :])
        covered |= (d <= layer["radius_m"].to_numpy()[None, :]).any(axis=1)
    np.testing.assert_array_equal(covered, served["covered_after"].to_numpy())
    for county, group in ent.groupby("county"):
        assert covered[ent.index.get_indexer(group.index)].mean() >= 0.85 - 1e-9, county
    table = res.equity.set_index("group")
    assert (table["share"] >= 0.85 - 1e-9).all() and table["met"].all()


def test_unmet_floor_names_the_county_and_its_best_share(demo):
    res = run_scenario(demo, ScenarioSpec(n_sites=5, min_share_per_county=0.95, time_limit=30))
    assert not res.summary["floors_met"]
    table = res.equity.set_index("group")
    short = table[~table["met"]]
    assert len(short) and (short["best_share"] >= short["share"] - 1e-9).all()
    assert (short["best_share"] < 0.95).any() or (short["share"] < 0.95).all()
    for county in short.index:
        assert county in res.summary["floors_not_met"]


def test_sites_per_county(demo):
    spec = ScenarioSpec(n_sites=6, max_sites_per_county=1, time_limit=30)
    res = run_scenario(demo, spec)
    per = res.proposed_sites["county"].value_counts()
    assert (per <= 1).all() and len(res.proposed_sites) == 6
    with pytest.raises(planning.SpecificationError, match="per-group site counts"):
        run_scenario(demo, ScenarioSpec(n_sites=3, min_sites_per_county=1, time_limit=30))


def test_staged_plan_is_nested_and_within_budget(demo):
    budgets = (1_000_000.0, 1_500_000.0, 1_500_000.0)
    spec = ScenarioSpec(objective="budget", stage_budgets_cny=budgets, time_limit=30)
    res = run_scenario(demo, spec)
    sites = res.proposed_sites
    stages = res.stages
    assert list(stages["stage"]) == [1, 2, 3]
    for t, budget in enumerate(budgets, start=1):
        assert sites.loc[sites["stage"] == t, "cost_cny"].sum() <= budget + 1e-6
    assert list(stages["sites"]) == list(
        np.cumsum([(sites["stage"] == t).sum() for t in (1, 2, 3)])
    )
    assert (stages["covered"].diff().dropna() >= -1e-9).all()
    assert stages["covered"].iloc[-1] == pytest.approx(res.summary["covered_after"])
    assert (stages["covered"] <= stages["bound"] + 1e-6).all()


def test_scope_to_counties(demo):
    res = run_scenario(demo, ScenarioSpec(n_sites=3, counties=("北票市",), time_limit=20))
    assert set(res.served["county"]) == {"北票市"}
    assert set(res.proposed_sites["county"]) == {"北票市"}
    with pytest.raises(geodata.DataError, match="no firm or site"):
        run_scenario(demo, ScenarioSpec(n_sites=3, counties=("上海市",)))


def test_capacitated_charging(demo):
    from planning import demand

    spec = ScenarioSpec(
        infrastructure="charging", objective="capacitated", n_sites=6, time_limit=30
    )
    res = run_scenario(demo, spec)
    sites = res.proposed_sites
    per_pile = demand.sessions_per_pile(spec.pile_power_kw)
    assert ((sites["piles"] >= 2) & (sites["piles"] <= 20)).all()
    assert (sites["sessions"] <= sites["piles"] * per_pile + 1e-6).all()
    assert (sites["piles"] == np.clip(np.ceil(sites["sessions"] / per_pile - 1e-9), 2, 20)).all()
    assert ((sites["utilisation"] >= 0) & (sites["utilisation"] <= 1 + 1e-9)).all()
    assert sites["cost_cny"].sum() == pytest.approx(res.summary["cost_cny"])
    s = res.summary
    sessions = demand.charging_sessions(demo.enterprises)
    assert s["sessions_total"] == pytest.approx(sessions.sum())
    assert s["sessions_served"] <= s["sessions_total"]
    assert 0 <= s["utilisation_existing"] <= 1 + 1e-9
    assert s["bound"] >= s["sessions_served"] - 1e-6


def test_unreachable_target_is_said_plainly(demo):
    spec = ScenarioSpec(
        infrastructure="charging", objective="min_sites", coverage_target=0.9, time_limit=30
    )
    res = run_scenario(demo, spec)
    s = res.summary
    assert s["target_reached"] is False
    assert "not reached" in s["note"] and str(s["unreachable_firms"]) in s["note"]
    assert len(res.unreachable) == s["unreachable_firms"] > 0
    assert not res.unreachable["covered_after"].any()
