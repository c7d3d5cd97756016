"""Charging demand and pile capacity: daily sessions per firm and per pile.

A firm's daily charging sessions are estimated as::

    staff x EV ownership share x daily charging share
      + EV fleet vehicles x sessions per fleet vehicle per day

and a pile's daily capacity from its power class (:data:`SESSIONS_PER_PILE`).
Every figure is a planning-level estimate (est.) and a parameter; the
defaults and where they come from are listed in :data:`DEFAULTS`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

import geodata


@dataclass(frozen=True)
class ChargingAssumptions:
    """Parameters of the daily charging-session estimate.

    Parameters
    ----------
    ev_ownership_share
        Share of staff who drive an electric car to work (est. 0.10: new-energy
        vehicles were about 9 % of China's car stock in 2024-2025, MPS figures).
    daily_charging_share
        Share of those EV drivers who charge at or near work on a given day
        (est. 0.30: a ~40-60 km round trip uses a battery in about three days).
    sessions_per_fleet_vehicle
        Charging sessions per fleet vehicle (trucks, vans) per day (est. 1.0:
        working vehicles are charged daily).
    """

    ev_ownership_share: float = 0.10
    daily_charging_share: float = 0.30
    sessions_per_fleet_vehicle: float = 1.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not (math.isfinite(value) and value >= 0):
                msg = f"{name} must be a non-negative number, got {value!r}"
                raise ValueError(msg)
        for name in ("ev_ownership_share", "daily_charging_share"):
            if getattr(self, name) > 1:
                msg = f"{name} must be a share in [0, 1], got {getattr(self, name)!r}"
                raise ValueError(msg)


DEFAULTS = ChargingAssumptions()
"""The default assumptions (see :class:`ChargingAssumptions` for sources)."""

POWER_CLASSES: dict[str, float] = {"ac7": 7.0, "dc60": 60.0, "dc120": 120.0, "dc180": 180.0}
"""Pile power classes in kW (DOMAIN: AC 7 kW; public DC 60-180 kW)."""

SESSIONS_PER_PILE: dict[str, float] = {"ac7": 3.0, "dc60": 10.0, "dc120": 16.0, "dc180": 20.0}
"""Sessions a pile can serve per day, by power class (est.: an AC session of 6-8 h
gives ~3 per day; DC sessions of 40-60 min at a planning utilisation of 35-50 %
of 24 h give 10-20)."""


def power_class(power_kw: float) -> str:
    """Return the power class whose nominal power is nearest ``power_kw``."""
    if not (math.isfinite(power_kw) and power_kw > 0):
        msg = f"power_kw must be a positive number, got {power_kw!r}"
        raise ValueError(msg)
    return min(POWER_CLASSES, key=lambda c: abs(POWER_CLASSES[c] - power_kw))


def sessions_per_pile(power_kw: float | np.ndarray) -> float | np.ndarray:
    """Return daily sessions per pile for a pile power (nearest class).

    Parameters
    ----------
    power_kw
        Pile power in kW, one value or an array.
    """
    if np.ndim(power_kw) == 0:
        return SESSIONS_PER_PILE[power_class(float(power_kw))]
    return np.array([SESSIONS_PER_PILE[power_class(float(p))] for p in np.ravel(power_kw)])


def charging_sessions(
    enterprises: pd.DataFrame, assumptions: ChargingAssumptions = DEFAULTS
) -> np.ndarray:
    """Return the estimated daily charging sessions of each firm.

    Parameters
    ----------
    enterprises
        The enterprises layer (``employees`` and ``ev_fleet`` are used; a
        missing value counts as 0).
    assumptions
        The parameters of the estimate.

    Returns
    -------
    numpy.ndarray
        Sessions per day, one non-negative float per firm.

    Raises
    ------
    geodata.DataError
        If both columns are missing, or a value is negative.
    """
    problems = []
    columns = {}
    for name in ("employees", "ev_fleet"):
        if name not in enterprises:
            columns[name] = np.zeros(len(enterprises))
            continue
        values = pd.to_numeric(enterprises[name], errors="coerce").fillna(0.0).to_numpy(float)
        problems += [
            geodata.Problem(int(i) + 1, name, "must not be negative", str(values[i]))
            for i in np.flatnonzero(values < 0)[:20]
        ]
        columns[name] = values
    if "employees" not in enterprises and "ev_fleet" not in enterprises:
        message = "charging demand needs an employees or ev_fleet column"
        problems.append(geodata.Problem(None, "employees", message))
    if problems:
        raise geodata.DataError(problems, source="enterprises")
    a = assumptions
    return (
        columns["employees"] * a.ev_ownership_share * a.daily_charging_share
        + columns["ev_fleet"] * a.sessions_per_fleet_vehicle
    )
