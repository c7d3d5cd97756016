import math

import numpy as np
import pandas as pd
import pytest
from scenario_fixtures import base_stations, charging, firms, random_city

import geodata
from planning import indicators
from planning.indicators import coverage_stats, coverage_status, uncovered_firms


@pytest.fixture
def small():
    # Firms at known metric offsets; hand-computed distances below.
    ent = firms(
        [(0, 0), (300, 400), (1000, 0), (5000, 0), (0, 2500)],
        county=["A", "A", "B", "B", None],
        park=["P", "P", "", "Q", ""],
        employees=[10, 20, 30, 40, 50],
    )
    bs = base_stations(
        [(0, 0), (1200, 0), (5000, 3000)],
        [600.0, 250.0, 500.0],
        status=["operational", "operational", "planned"],
    )
    ch = charging([(0, 0), (5000, 1500)])
    return geodata.PlanningData("small", enterprises=ent, base_stations=bs, charging_stations=ch)


def test_status_hand_computed(small):
    st = coverage_status(small, charging_distance_m=1000.5)
    assert st.index.equals(small.enterprises.index)
    # E0 at the station; E1 at 500 m of B0 (radius 600); E2 at 200 m of B1 (radius 250);
    # E3 only near B2, which is planned, not operational; E4 2500 m from B0.
    assert st["in_5g"].tolist() == [True, True, True, False, False]
    assert st["n_5g_sites"].tolist() == [1, 1, 1, 0, 0]
    expected = [0.0, 500.0, 1000.0, 1500.0, 2500.0]
    np.testing.assert_allclose(st["charging_distance_m"], expected, atol=1e-6)
    assert st["nearest_charging"].tolist() == ["C0", "C0", "C0", "C1", "C0"]
    assert st["near_charging"].tolist() == [True, True, True, False, False]


def test_status_no_stations():
    data = geodata.PlanningData("x", enterprises=firms([(0, 0), (10, 10)]))
    st = coverage_status(data)
    assert not st["in_5g"].any()
    assert st["charging_distance_m"].isna().all()
    assert not st["near_charging"].any()
    assert st["nearest_charging"].isna().all()


def test_status_rejects_degrees_and_bad_distance(small):
    with pytest.raises(ValueError, match="metric_crs must be a projected CRS in metres"):
        coverage_status(small, metric_crs="EPSG:4326")
    with pytest.raises(ValueError, match="charging_distance_m"):
        coverage_status(small, charging_distance_m=-1)


def test_explicit_metric_crs_agrees(small):
    a = coverage_status(small, charging_distance_m=1000.5)
    b = coverage_status(small, charging_distance_m=1000.5, metric_crs="EPSG:32651")
    pd.testing.assert_frame_equal(a, b)


def test_stats_by_county(small):
    st = coverage_status(small, charging_distance_m=1000.5)
    stats = coverage_stats(small, st, by="county", missing="none")
    assert list(stats.columns) == list(indicators.STATS_COLUMNS)
    assert list(stats.index) == ["A", "B", "none", "total"]
    a = stats.loc["A"]
    assert (a["firms"], a["firms_5g"], a["firms_charging"]) == (2, 2, 2)
    b = stats.loc["B"]
    assert (b["firms"], b["firms_5g"], b["employees"], b["employees_5g"]) == (2, 1, 70, 30)
    assert b["share_employees_5g"] == pytest.approx(30 / 70)
    t = stats.loc["total"]
    assert t["firms"] == 5
    assert t["share_firms_5g"] == pytest.approx(3 / 5)
    assert t["share_employees_charging"] == pytest.approx(60 / 150)


def test_stats_by_park_and_errors(small):
    st = coverage_status(small, charging_distance_m=1000.5)
    stats = coverage_stats(small, st, by="park", total=False)
    assert list(stats.index) == ["-", "P", "Q"]
    assert stats.loc["Q", "firms_5g"] == 0
    assert math.isclose(stats.loc["P", "share_firms_5g"], 1.0)
    with pytest.raises(ValueError, match="by must be an enterprise column"):
        coverage_stats(small, st, by="nope")
    with pytest.raises(ValueError, match="same data"):
        coverage_stats(small, st.iloc[:2])


def test_uncovered(small):
    st = coverage_status(small, charging_distance_m=1000.5)
    un = uncovered_firms(small, st, what="5g")
    assert un["id"].tolist() == ["E4", "E3"]  # largest employer first
    unc = uncovered_firms(small, st, what="charging")
    assert unc["charging_distance_m"].tolist() == pytest.approx([2500.0, 1500.0])
    with pytest.raises(ValueError, match="what must be"):
        uncovered_firms(small, st, what="water")


def test_random_city_matches_brute_force():
    data = random_city(1)
    st = coverage_status(data, charging_distance_m=1500)
    fx = data.enterprises.to_crs("EPSG:32651").geometry
    bs = data.base_stations.to_crs("EPSG:32651")
    d = np.array([[p.distance(q) for q in bs.geometry] for p in fx])
    np.testing.assert_array_equal(st["in_5g"], (d <= bs["radius_m"].to_numpy()).any(axis=1))
    ch = data.charging_stations.to_crs("EPSG:32651").geometry
    dc = np.array([[p.distance(q) for q in ch] for p in fx]).min(axis=1)
    np.testing.assert_allclose(st["charging_distance_m"], dc, rtol=1e-9)
