"""TR 38.901 path loss, LOS probability, O2I penetration loss and fading margins."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
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


def breakpoint_distance(model: str, frequency_ghz: float, h_bs: float, h_ut: float) -> float:
    """Return the LOS breakpoint distance in metres (RMa ``d_BP``, UMa/UMi ``d'_BP``)."""
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
    d_bp = breakpoint_distance(model, fc, h_bs, h_ut)
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
