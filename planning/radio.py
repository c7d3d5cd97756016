"""5G cell radius from a link budget: 3GPP TR 38.901 path loss and planning margins.

The functions here turn "a 3.5 GHz site on a 35 m mast in farmland" into a
planning radius in metres. They implement, from 3GPP TR 38.901 (V17):

* the path-loss models of Table 7.4.1-1 for the urban macro (``"uma"``),
  urban micro street canyon (``"umi"``) and rural macro (``"rma"``)
  scenarios, line of sight (LOS) and non line of sight (NLOS), with their
  validity ranges enforced (:func:`path_loss`);
* the LOS probability of Table 7.4.2-1 (:func:`los_probability`);
* the outdoor-to-indoor penetration loss of §7.4.3, low- and high-loss
  buildings (:func:`o2i_loss`);
* the shadow-fading standard deviations of Table 7.4.1-1, turned into a
  margin for a chosen cell-edge coverage probability (:func:`fading_margin`).

:class:`LinkBudget` adds transmit power, antenna gains, bandwidth, noise
figure and the required RSRP; :func:`cell_radius` solves the 2-D distance
at which the budget is exactly met. :func:`classify_environment` says
whether a site stands in an urban, county-seat or rural setting from the
firm density around it.

All defaults (:data:`BAND_DEFAULTS`, :data:`ENVIRONMENTS`) are planning-level
estimates (est.), not operator data; every one is a parameter.

Simplifications, stated once: the UMa effective environment height is
``h_E = 1 m`` (exact for user heights below 13 m, where 38.901 sets the
probability of other values to zero); the UMa and UMi formulas were
calibrated at base-station heights of 25 m and 10 m — other heights change
only the breakpoint and the 3-D distance and are accepted within
:data:`HEIGHT_RANGE_M`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from scipy.stats import norm

Model = Literal["uma", "umi", "rma"]
LosState = bool | Literal["expected"]

MODELS: tuple[str, ...] = ("uma", "umi", "rma")
"""Path-loss scenarios of TR 38.901 implemented here."""

SPEED_OF_LIGHT = 299_792_458.0
"""Metres per second (38.901 writes c = 3.0e8; the difference is below 0.01 dB)."""

FREQUENCY_RANGE_GHZ: dict[str, tuple[float, float]] = {
    "uma": (0.5, 100.0),
    "umi": (0.5, 100.0),
    "rma": (0.5, 30.0),
}
"""Frequencies for which 38.901 Table 7.4.1-1 applies, per model, in GHz."""

HEIGHT_RANGE_M: dict[str, tuple[float, float]] = {
    "uma": (10.0, 150.0),
    "umi": (5.0, 50.0),
    "rma": (10.0, 150.0),
}
"""Accepted base-station antenna heights per model, in metres."""

UE_HEIGHT_RANGE_M: dict[str, tuple[float, float]] = {
    "uma": (1.5, 22.5),
    "umi": (1.5, 22.5),
    "rma": (1.0, 10.0),
}
"""Accepted user-terminal heights per model, in metres (38.901 Table 7.4.1-1)."""

MIN_DISTANCE_M = 10.0
"""Shortest 2-D distance the 38.901 formulas are valid for."""

MAX_DISTANCE_M: dict[tuple[str, bool], float] = {
    ("uma", True): 5000.0,
    ("uma", False): 5000.0,
    ("umi", True): 5000.0,
    ("umi", False): 5000.0,
    ("rma", True): 10_000.0,
    ("rma", False): 5000.0,
}
"""Longest valid 2-D distance per (model, LOS) in metres."""

SHADOW_FADING_DB: dict[tuple[str, bool], float] = {
    ("uma", True): 4.0,
    ("uma", False): 6.0,
    ("umi", True): 4.0,
    ("umi", False): 7.82,
    ("rma", True): 4.0,
    ("rma", False): 8.0,
}
"""Shadow-fading standard deviation per (model, LOS) in dB (38.901 Table 7.4.1-1;
RMa LOS is 4 dB before the breakpoint and 6 dB after; 4 dB is used)."""

BAND_FREQUENCY_GHZ: dict[str, float] = {
    "700MHz": 0.7,
    "2.6GHz": 2.6,
    "3.5GHz": 3.5,
    "4.9GHz": 4.9,
}
"""Carrier frequency used for each band name of ``geodata.schema.BANDS``."""


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


def _check_range(name: str, values: np.ndarray, low: float, high: float, model: str) -> None:
    bad = ~((values >= low) & (values <= high))
    if bad.any():
        example = values[bad].flat[0]
        msg = (
            f"{name} must be within [{low:g}, {high:g}] for model {model!r}; "
            f"got {example!r} ({int(bad.sum())} value(s) outside)"
        )
        raise ValueError(msg)


def _model(model: str) -> str:
    if model not in MODELS:
        msg = f"model must be one of {MODELS}, got {model!r}"
        raise ValueError(msg)
    return model


def _breakpoint_m(model: str, frequency_ghz: float, h_bs: float, h_ut: float) -> float:
    f_hz = frequency_ghz * 1e9
    if model == "rma":
        return 2.0 * math.pi * h_bs * h_ut * f_hz / SPEED_OF_LIGHT
    h_e = 1.0
    return 4.0 * (h_bs - h_e) * (h_ut - h_e) * f_hz / SPEED_OF_LIGHT


def _rma_pl1(d3: np.ndarray, fc: float, h: float) -> np.ndarray:
    return (
        20.0 * np.log10(40.0 * math.pi * d3 * fc / 3.0)
        + min(0.03 * h**1.72, 10.0) * np.log10(d3)
        - min(0.044 * h**1.72, 14.77)
        + 0.002 * math.log10(h) * d3
    )


def _los(model: str, d2: np.ndarray, fc: float, h_bs: float, h_ut: float, h: float) -> np.ndarray:
    d3 = np.hypot(d2, h_bs - h_ut)
    d_bp = _breakpoint_m(model, fc, h_bs, h_ut)
    if model == "rma":
        pl1 = _rma_pl1(d3, fc, h)
        pl2 = _rma_pl1(np.array(d_bp), fc, h) + 40.0 * np.log10(d3 / d_bp)
    elif model == "uma":
        pl1 = 28.0 + 22.0 * np.log10(d3) + 20.0 * math.log10(fc)
        pl2 = (
            28.0
            + 40.0 * np.log10(d3)
            + 20.0 * math.log10(fc)
            - 9.0 * math.log10(d_bp**2 + (h_bs - h_ut) ** 2)
        )
    else:
        pl1 = 32.4 + 21.0 * np.log10(d3) + 20.0 * math.log10(fc)
        pl2 = (
            32.4
            + 40.0 * np.log10(d3)
            + 20.0 * math.log10(fc)
            - 9.5 * math.log10(d_bp**2 + (h_bs - h_ut) ** 2)
        )
    return np.where(d2 <= d_bp, pl1, pl2)


def _nlos(
    model: str, d2: np.ndarray, fc: float, h_bs: float, h_ut: float, h: float, w: float
) -> np.ndarray:
    d3 = np.hypot(d2, h_bs - h_ut)
    if model == "rma":
        nlos = (
            161.04
            - 7.1 * math.log10(w)
            + 7.5 * math.log10(h)
            - (24.37 - 3.7 * (h / h_bs) ** 2) * math.log10(h_bs)
            + (43.42 - 3.1 * math.log10(h_bs)) * (np.log10(d3) - 3.0)
            + 20.0 * math.log10(fc)
            - (3.2 * math.log10(11.75 * h_ut) ** 2 - 4.97)
        )
    elif model == "uma":
        nlos = 13.54 + 39.08 * np.log10(d3) + 20.0 * math.log10(fc) - 0.6 * (h_ut - 1.5)
    else:
        nlos = 35.3 * np.log10(d3) + 22.4 + 21.3 * math.log10(fc) - 0.3 * (h_ut - 1.5)
    return np.maximum(_los(model, d2, fc, h_bs, h_ut, h), nlos)


def path_loss(
    model: str,
    frequency_ghz: float,
    distance_m: Any,
    *,
    h_bs: float,
    h_ut: float = 1.5,
    los: LosState = False,
    building_height_m: float = 5.0,
    street_width_m: float = 20.0,
) -> Any:
    """Return the median path loss of TR 38.901 Table 7.4.1-1 in dB.

    Parameters
    ----------
    model
        ``"uma"`` (urban macro), ``"umi"`` (urban micro street canyon) or
        ``"rma"`` (rural macro).
    frequency_ghz
        Carrier frequency (0.5-100 GHz; RMa 0.5-30 GHz).
    distance_m
        2-D (ground) distance between base station and user, one value or an
        array; 10 m to 5 km (RMa LOS: 10 km).
    h_bs
        Base-station antenna height in metres (see :data:`HEIGHT_RANGE_M`).
    h_ut
        User-terminal height in metres (1.5-22.5 m; RMa 1-10 m).
    los
        True for line of sight, False for non line of sight, or
        ``"expected"`` for the loss of the mean received power when LOS
        occurs with the probability of :func:`los_probability`.
    building_height_m
        Average building height ``h`` (RMa only, 5-50 m).
    street_width_m
        Average street width ``W`` (RMa only, 5-50 m).

    Returns
    -------
    float or numpy.ndarray
        Path loss in dB, shaped like ``distance_m``.

    Raises
    ------
    ValueError
        If the model is unknown or a parameter lies outside the range the
        model is valid for.
    """
    model = _model(model)
    scalar = np.ndim(distance_m) == 0
    d2 = np.atleast_1d(np.asarray(distance_m, dtype=float))
    if los not in (True, False, "expected"):
        msg = f"los must be True, False or 'expected', got {los!r}"
        raise ValueError(msg)
    _check_range(
        "frequency_ghz", np.array([frequency_ghz], float), *FREQUENCY_RANGE_GHZ[model], model
    )
    _check_range("h_bs", np.array([h_bs], float), *HEIGHT_RANGE_M[model], model)
    _check_range("h_ut", np.array([h_ut], float), *UE_HEIGHT_RANGE_M[model], model)
    if model == "rma":
        _check_range("building_height_m", np.array([building_height_m], float), 5.0, 50.0, model)
        _check_range("street_width_m", np.array([street_width_m], float), 5.0, 50.0, model)
    state = los is True
    _check_range("distance_m", d2, MIN_DISTANCE_M, MAX_DISTANCE_M[(model, state)], model)
    args = (model, d2, float(frequency_ghz), float(h_bs), float(h_ut), float(building_height_m))
    if los is True:
        out = _los(*args)
    elif los is False:
        out = _nlos(*args, float(street_width_m))
    else:
        p = los_probability(model, d2, h_ut=h_ut)
        power = p * 10.0 ** (-_los(*args) / 10.0) + (1.0 - p) * 10.0 ** (
            -_nlos(*args, float(street_width_m)) / 10.0
        )
        out = -10.0 * np.log10(power)
    return float(out[0]) if scalar else out.reshape(np.shape(distance_m))


def los_probability(model: str, distance_m: Any, *, h_ut: float = 1.5) -> Any:
    """Return the probability of line of sight (TR 38.901 Table 7.4.2-1).

    Parameters
    ----------
    model
        ``"uma"``, ``"umi"`` or ``"rma"``.
    distance_m
        2-D distance in metres (one value or an array).
    h_ut
        User-terminal height in metres (matters for UMa above 13 m).

    Returns
    -------
    float or numpy.ndarray
        Probability in [0, 1], shaped like ``distance_m``.
    """
    model = _model(model)
    scalar = np.ndim(distance_m) == 0
    d = np.atleast_1d(np.asarray(distance_m, dtype=float))
    safe = np.maximum(d, 1e-9)
    if model == "rma":
        p = np.where(d <= 10.0, 1.0, np.exp(-(d - 10.0) / 1000.0))
    else:
        scale = 36.0 if model == "umi" else 63.0
        p = 18.0 / safe + np.exp(-safe / scale) * (1.0 - 18.0 / safe)
        if model == "uma":
            c = 0.0 if h_ut <= 13.0 else ((h_ut - 13.0) / 10.0) ** 1.5
            p = p * (1.0 + c * 1.25 * (safe / 100.0) ** 3 * np.exp(-safe / 150.0))
        p = np.where(d <= 18.0, 1.0, p)
    return float(p[0]) if scalar else p.reshape(np.shape(distance_m))


def o2i_loss(
    frequency_ghz: float,
    *,
    kind: Literal["low", "high"] = "low",
    indoor_distance_m: float | None = None,
    model: str = "uma",
) -> tuple[float, float]:
    """Return the outdoor-to-indoor penetration loss of TR 38.901 §7.4.3.

    Parameters
    ----------
    frequency_ghz
        Carrier frequency in GHz.
    kind
        ``"low"`` (standard glass, 30 % glass / 70 % concrete) or ``"high"``
        (infrared-reflecting glass, 70 % / 30 %).
    indoor_distance_m
        Distance walked indoors from the wall; None uses the mean of the
        38.901 distribution (minimum of two uniform draws on 0-25 m, 0-10 m
        for RMa: 25/3 or 10/3 m).
    model
        Path-loss model (only sets the default indoor distance).

    Returns
    -------
    (float, float)
        Mean loss ``PL_tw + PL_in`` in dB and its standard deviation in dB
        (4.4 low-loss, 6.5 high-loss).
    """
    if kind not in ("low", "high"):
        msg = f"kind must be 'low' or 'high', got {kind!r}"
        raise ValueError(msg)
    f = float(frequency_ghz)
    glass = 2.0 + 0.2 * f
    irr_glass = 23.0 + 0.3 * f
    concrete = 5.0 + 4.0 * f
    if kind == "low":
        tw = 5.0 - 10.0 * math.log10(0.3 * 10 ** (-glass / 10) + 0.7 * 10 ** (-concrete / 10))
        sigma = 4.4
    else:
        tw = 5.0 - 10.0 * math.log10(0.7 * 10 ** (-irr_glass / 10) + 0.3 * 10 ** (-concrete / 10))
        sigma = 6.5
    if indoor_distance_m is None:
        indoor_distance_m = (10.0 if _model(model) == "rma" else 25.0) / 3.0
    if not indoor_distance_m >= 0:
        msg = (
            f"indoor_distance_m must be a non-negative number of metres, got {indoor_distance_m!r}"
        )
        raise ValueError(msg)
    return tw + 0.5 * indoor_distance_m, sigma


def fading_margin(sigma_db: float, coverage_probability: float) -> float:
    """Return the log-normal fading margin for a coverage probability.

    Parameters
    ----------
    sigma_db
        Standard deviation of the (combined) log-normal fading in dB.
    coverage_probability
        Probability in (0, 1) that a point at the cell edge meets the budget.

    Returns
    -------
    float
        ``sigma_db * Phi^-1(coverage_probability)`` in dB (negative below 0.5).
    """
    if not 0.0 < coverage_probability < 1.0:
        msg = f"coverage_probability must be in (0, 1), got {coverage_probability!r}"
        raise ValueError(msg)
    return float(sigma_db * norm.ppf(coverage_probability))


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
