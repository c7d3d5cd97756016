"""Charging sessions per firm and per pile."""

import numpy as np
import pandas as pd
import pytest

import geodata
from planning import demand


def test_sessions_formula():
    firms = pd.DataFrame({"employees": [100, 0, 40], "ev_fleet": [0, 5, 2]})
    got = demand.charging_sessions(firms)
    d = demand.DEFAULTS
    expected = (
        np.array([100, 0, 40]) * d.ev_ownership_share * d.daily_charging_share
        + np.array([0, 5, 2]) * d.sessions_per_fleet_vehicle
    )
    assert np.allclose(got, expected)
    a = demand.ChargingAssumptions(
        ev_ownership_share=0.5, daily_charging_share=1.0, sessions_per_fleet_vehicle=2.0
    )
    assert np.allclose(demand.charging_sessions(firms, a), [50, 10, 24])


def test_missing_and_bad_columns():
    assert np.allclose(demand.charging_sessions(pd.DataFrame({"ev_fleet": [3]})), [3.0])
    with pytest.raises(geodata.DataError, match="employees or ev_fleet"):
        demand.charging_sessions(pd.DataFrame({"x": [1]}))
    with pytest.raises(geodata.DataError, match="negative"):
        demand.charging_sessions(pd.DataFrame({"employees": [1, -3]}))
    with pytest.raises(ValueError, match="daily_charging_share"):
        demand.ChargingAssumptions(daily_charging_share=1.5)


def test_sessions_per_pile():
    assert demand.power_class(7) == "ac7" and demand.power_class(150) in ("dc120", "dc180")
    assert demand.sessions_per_pile(120.0) == demand.SESSIONS_PER_PILE["dc120"]
    per = demand.sessions_per_pile(np.array([7.0, 60.0, 180.0]))
    assert list(per) == [3.0, 10.0, 20.0]
    assert np.all(np.diff(per) > 0)
    with pytest.raises(ValueError, match="power_kw"):
        demand.power_class(0)
