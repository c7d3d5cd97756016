"""Link budget, cell radius and site settings (urban, county seat, rural)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .pathloss import (
    BAND_FREQUENCY_GHZ,
    MAX_DISTANCE_M,
    MIN_DISTANCE_M,
    SHADOW_FADING_DB,
    LosState,
    Model,
    _model,
    fading_margin,
    o2i_loss,
    path_loss,
)


@dataclass(frozen=True)
class LinkBudget:
    """Downlink link budget of one cell, per resource element (RSRP-based).

    Parameters
    ----------
    tx_power_dbm
        Total transmit power of the cell over its bandwidth.
    antenna_gain_dbi
        Base-station antenna gain toward the user (incl. beamforming).
    bandwidth_mhz
        Carrier bandwidth.
    subcarrier_khz
        Subcarrier spacing.
    ue_gain_dbi
        User-terminal antenna gain.
    noise_figure_db
        User-terminal noise figure.
    min_sinr_db
        Lowest usable SINR of the reference signal.
    other_losses_db
        Body, cable and interference margins together.
    required_rsrp_dbm
        Reference-signal received power to reach at the cell edge.
    """

    tx_power_dbm: float = 53.0
    antenna_gain_dbi: float = 24.0
    bandwidth_mhz: float = 100.0
    subcarrier_khz: float = 30.0
    ue_gain_dbi: float = 0.0
    noise_figure_db: float = 7.0
    min_sinr_db: float = -3.0
    other_losses_db: float = 3.0
    required_rsrp_dbm: float = -90.0

    def resource_elements(self) -> int:
        """Return the subcarriers the power is spread over (98.3 % occupancy)."""
        return max(1, int(0.983 * self.bandwidth_mhz * 1000.0 / self.subcarrier_khz))

    def eirp_per_re_dbm(self) -> float:
        """Return the radiated power per resource element in dBm."""
        return (
            self.tx_power_dbm - 10.0 * math.log10(self.resource_elements()) + self.antenna_gain_dbi
        )

    def sensitivity_dbm(self) -> float:
        """Return the weakest usable RSRP set by noise: kTB per subcarrier + NF + SINR."""
        noise = -174.0 + 10.0 * math.log10(self.subcarrier_khz * 1000.0)
        return noise + self.noise_figure_db + self.min_sinr_db

    def required_dbm(self) -> float:
        """Return the RSRP the cell edge needs: the larger of target and sensitivity."""
        return max(self.required_rsrp_dbm, self.sensitivity_dbm())

    def max_path_loss_db(self) -> float:
        """Return the largest path loss the budget allows, before fading margins."""
        return (
            self.eirp_per_re_dbm() + self.ue_gain_dbi - self.other_losses_db - self.required_dbm()
        )


BAND_DEFAULTS: dict[str, LinkBudget] = {
    "700MHz": LinkBudget(
        tx_power_dbm=55.0, antenna_gain_dbi=17.0, bandwidth_mhz=30.0, subcarrier_khz=15.0
    ),
    "2.6GHz": LinkBudget(tx_power_dbm=53.0, antenna_gain_dbi=24.0, bandwidth_mhz=100.0),
    "3.5GHz": LinkBudget(tx_power_dbm=53.0, antenna_gain_dbi=24.0, bandwidth_mhz=100.0),
    "4.9GHz": LinkBudget(tx_power_dbm=53.0, antenna_gain_dbi=24.0, bandwidth_mhz=100.0),
}
"""Default link budget per band (est.): 700 MHz as a 4T4R 320 W radio on 30 MHz
(15 kHz), the mid bands as 64T64R 200 W massive-MIMO units on 100 MHz (30 kHz)."""


@dataclass(frozen=True)
class Environment:
    """Planning assumptions for a kind of place.

    Parameters
    ----------
    model
        38.901 path-loss model.
    required_rsrp_dbm
        Cell-edge RSRP target (Chinese 5G plans: -90 dBm urban core,
        -95 dBm suburbs and rural).
    cell_edge_probability
        Probability that the cell edge meets the target under shadow fading.
    """

    model: Model
    required_rsrp_dbm: float
    cell_edge_probability: float = 0.75


ENVIRONMENTS: dict[str, Environment] = {
    "urban": Environment("uma", -90.0),
    "county_seat": Environment("uma", -95.0),
    "rural": Environment("rma", -95.0),
}
"""Default assumptions per environment (est.)."""

SOURCE_HEIGHT_M: dict[str, float] = {
    "tower": 35.0,
    "rooftop": 25.0,
    "roadside": 15.0,
    "other": 25.0,
}
"""Antenna height assumed for a candidate site without ``height_m``, by ``source`` (est.)."""

URBAN_MIN_FIRMS = 60
"""Firms within :data:`DENSITY_RADIUS_M` of a site that make its setting urban (est.)."""

COUNTY_SEAT_MIN_FIRMS = 20
"""Firms within :data:`DENSITY_RADIUS_M` that make a setting a county seat (est.)."""

DENSITY_RADIUS_M = 1000.0
"""Radius of the firm count used by :func:`classify_environment`."""


def link_budget(band: str, environment: str, **overrides: float) -> LinkBudget:
    """Return the default :class:`LinkBudget` of a band in an environment.

    Parameters
    ----------
    band
        One of :data:`BAND_DEFAULTS`.
    environment
        One of :data:`ENVIRONMENTS` (sets the required RSRP).
    **overrides
        Fields of :class:`LinkBudget` to change.
    """
    if band not in BAND_DEFAULTS:
        msg = f"band must be one of {tuple(BAND_DEFAULTS)}, got {band!r}"
        raise ValueError(msg)
    env = _environment(environment)
    budget = replace(BAND_DEFAULTS[band], required_rsrp_dbm=env.required_rsrp_dbm)
    known = set(asdict(budget))
    unknown = sorted(set(overrides) - known)
    if unknown:
        msg = f"link budget overrides must be among {sorted(known)}, got {unknown}"
        raise ValueError(msg)
    return replace(budget, **overrides)


def _environment(environment: str) -> Environment:
    if environment not in ENVIRONMENTS:
        msg = f"environment must be one of {tuple(ENVIRONMENTS)}, got {environment!r}"
        raise ValueError(msg)
    return ENVIRONMENTS[environment]


def cell_radius(
    band: str,
    environment: str,
    height_m: float,
    *,
    h_ut: float = 1.5,
    los: LosState = False,
    indoor: Literal["low", "high"] | None = None,
    cell_edge_probability: float | None = None,
    budget: LinkBudget | None = None,
    model: str | None = None,
    frequency_ghz: float | None = None,
) -> float:
    """Return the distance at which a site's link budget is exactly met.

    The allowed path loss is the budget's :meth:`LinkBudget.max_path_loss_db`
    less the fading margin for ``cell_edge_probability`` (shadow fading, and
    the building-loss spread when indoors) and, indoors, the mean
    penetration loss of :func:`o2i_loss`.

    Parameters
    ----------
    band
        5G band (a key of :data:`BAND_FREQUENCY_GHZ`).
    environment
        ``"urban"``, ``"county_seat"`` or ``"rural"`` (:data:`ENVIRONMENTS`).
    height_m
        Antenna height in metres.
    h_ut
        User height in metres.
    los
        Propagation state used (False = NLOS, the planning default).
    indoor
        None for outdoor users, ``"low"`` or ``"high"`` building loss.
    cell_edge_probability
        None uses the environment's (0.75 by default).
    budget
        None uses :func:`link_budget` of the band and environment.
    model
        None uses the environment's path-loss model.
    frequency_ghz
        None uses the band's.

    Returns
    -------
    float
        Radius in metres: 0 when the budget fails even at 10 m, and the
        model's largest valid distance when it holds there.
    """
    env = _environment(environment)
    model = _model(model or env.model)
    if band not in BAND_FREQUENCY_GHZ:
        msg = f"band must be one of {tuple(BAND_FREQUENCY_GHZ)}, got {band!r}"
        raise ValueError(msg)
    fc = BAND_FREQUENCY_GHZ[band] if frequency_ghz is None else float(frequency_ghz)
    budget = link_budget(band, environment) if budget is None else budget
    p_edge = env.cell_edge_probability if cell_edge_probability is None else cell_edge_probability
    sigma = SHADOW_FADING_DB[(model, los is True)]
    allowed = budget.max_path_loss_db()
    if indoor is not None:
        mean, sigma_p = o2i_loss(fc, kind=indoor, model=model)
        allowed -= mean
        sigma = math.hypot(sigma, sigma_p)
    allowed -= fading_margin(sigma, p_edge)
    h_bs = float(height_m)
    lo, hi = MIN_DISTANCE_M, MAX_DISTANCE_M[(model, los is True)]

    def loss(d: float) -> float:
        return float(path_loss(model, fc, d, h_bs=h_bs, h_ut=h_ut, los=los))

    if loss(lo) > allowed:
        return 0.0
    if loss(hi) <= allowed:
        return hi
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if loss(mid) <= allowed:
            lo = mid
        else:
            hi = mid
    return lo


def radius_table(
    heights: Mapping[str, float] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Return the default cell radius per band (rows) and environment (columns).

    Parameters
    ----------
    heights
        Antenna height per environment; None uses 25 m urban, 30 m county
        seat and 35 m rural.
    **kwargs
        Passed to :func:`cell_radius`.

    Returns
    -------
    pandas.DataFrame
        Radii in metres, index ``band``.
    """
    heights = dict(heights or {"urban": 25.0, "county_seat": 30.0, "rural": 35.0})
    rows = {
        band: {env: cell_radius(band, env, heights[env], **kwargs) for env in ENVIRONMENTS}
        for band in BAND_FREQUENCY_GHZ
    }
    out = pd.DataFrame(rows).T
    out.index.name = "band"
    return out


def classify_environment(
    site_xy: np.ndarray,
    firm_xy: np.ndarray,
    *,
    radius_m: float = DENSITY_RADIUS_M,
    urban_min_firms: int = URBAN_MIN_FIRMS,
    county_seat_min_firms: int = COUNTY_SEAT_MIN_FIRMS,
) -> np.ndarray:
    """Return each site's setting from the number of firms around it.

    Parameters
    ----------
    site_xy
        Site coordinates in projected metres, shape ``(m, 2)``.
    firm_xy
        Firm coordinates in the same CRS, shape ``(n, 2)``.
    radius_m
        Radius of the count.
    urban_min_firms
        Count at or above which a site is ``"urban"``.
    county_seat_min_firms
        Count at or above which a site is ``"county_seat"`` (else ``"rural"``).

    Returns
    -------
    numpy.ndarray
        One of ``"urban"``, ``"county_seat"``, ``"rural"`` per site (object).
    """
    site_xy = np.asarray(site_xy, dtype=float).reshape(-1, 2)
    firm_xy = np.asarray(firm_xy, dtype=float).reshape(-1, 2)
    if not county_seat_min_firms <= urban_min_firms:
        msg = (
            "county_seat_min_firms must not exceed urban_min_firms, got "
            f"{county_seat_min_firms} and {urban_min_firms}"
        )
        raise ValueError(msg)
    if len(firm_xy) == 0 or len(site_xy) == 0:
        return np.full(len(site_xy), "rural", dtype=object)
    counts = np.asarray(cKDTree(firm_xy).query_ball_point(site_xy, r=radius_m, return_length=True))
    out = np.full(len(site_xy), "rural", dtype=object)
    out[counts >= county_seat_min_firms] = "county_seat"
    out[counts >= urban_min_firms] = "urban"
    return out
