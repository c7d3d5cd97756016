"""The yearly county ranking (年度大排名): a transparent weighted score.

Each county earns, per weighted indicator, ``weight x min(done / target, cap)``
points (so a county that meets every target scores the sum of the weights,
100 with the default weights). The score is the sum of the points; counties
with the same score (to 0.01 point) share a rank and the table names who they
are tied with. Weights are data: they live in the indicator table's
``weight`` column, can be passed per call, and are saved with
:func:`save_weights`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..models import SpecificationError
from .progress import _indicator_rows, _period, records_of
from .records import CITY, ProgrammeRecords

__all__ = ["check_weights", "latest_month", "ranking", "ranking_weights", "save_weights"]


def ranking_weights(project_or_data: Any) -> dict[str, float]:
    """Return the saved weights of the ranking, by indicator id (zero weights included)."""
    rec = records_of(project_or_data)
    ind = rec["indicators"]
    return {str(k): float(w) for k, w in zip(ind["id"], ind["weight"], strict=True)}


def check_weights(records: ProgrammeRecords, weights: Mapping[str, float]) -> dict[str, float]:
    """Return validated weights: known indicators, finite and non-negative, not all zero.

    Raises
    ------
    SpecificationError
        Naming every bad entry.
    """
    known = set(records["indicators"]["id"])
    problems = []
    clean: dict[str, float] = {}
    for key, value in weights.items():
        if key not in known:
            problems.append(f"{key!r} is not an indicator (known: {sorted(known)})")
            continue
        try:
            w = float(value)
        except (TypeError, ValueError):
            w = np.nan
        if not np.isfinite(w) or w < 0:
            problems.append(f"{key!r} has weight {value!r}; a weight is a number >= 0")
            continue
        clean[key] = w
    if not problems and not any(w > 0 for w in clean.values()):
        problems.append("every weight is zero; give at least one indicator a positive weight")
    if problems:
        msg = "weights has problems: " + "; ".join(problems)
        raise SpecificationError(msg)
    return clean


def save_weights(project_or_records: Any, weights: Mapping[str, float]) -> ProgrammeRecords:
    """Store ranking weights in the indicator table (and in the project, if one is given).

    Parameters
    ----------
    project_or_records
        A project (its ``programme_indicators`` table is rewritten) or
        :class:`ProgrammeRecords`.
    weights
        Indicator id -> weight; indicators not named keep their weight.

    Returns
    -------
    ProgrammeRecords
        The records with the new weights.
    """
    rec = records_of(project_or_records)
    clean = check_weights(rec, {**ranking_weights(rec), **dict(weights)})
    ind = rec["indicators"].copy()
    ind["weight"] = ind["id"].map(clean).astype(float)
    new = rec.replace(indicators=ind)
    if hasattr(project_or_records, "save_table"):
        new.save_to(project_or_records)
    return new


def latest_month(project_or_data: Any, year: int) -> int:
    """Return the last month (1-12) of ``year`` with any record (12 when none)."""
    rec = records_of(project_or_data)
    periods = []
    for name, col in (
        ("progress", "month"),
        ("status_changes", "date"),
        ("projects", "month"),
        ("green", "date"),
        ("subsidies", "date"),
        ("infrastructure", "month"),
    ):
        table = rec[name]
        if name == "projects":
            table = table[table["status"] != "planned"]
        p = _period(table[col]).dropna()
        periods += [int(v) for v in p if year * 12 <= v < year * 12 + 12]
    return max(periods) - year * 12 + 1 if periods else 12


def ranking(
    project_or_data: Any,
    year: int = 2026,
    weights: Mapping[str, float] | None = None,
    *,
    month: int | None = None,
    cap: float = 1.0,
) -> pd.DataFrame:
    """Rank the counties by their weighted completion of the year's targets.

    Parameters
    ----------
    project_or_data
        A project, a :class:`geodata.PlanningData` or :class:`ProgrammeRecords`.
    year
        The programme year.
    weights
        Indicator id -> weight; None for the saved weights. Indicators with
        zero weight are left out.
    month
        Month (1-12) whose end is ranked; None for the last month with records.
    cap
        Highest completion share that earns points (1.0: no extra points for
        overshooting a target).

    Returns
    -------
    pandas.DataFrame
        Indexed by county in rank order, with ``rank`` (ties share the better
        rank), ``score``, then per weighted indicator ``share_<id>`` (done /
        target) and ``points_<id>``, and ``tied_with`` (the other counties on
        the same score, comma-separated, ``""`` for none). ``attrs`` holds the
        weights, month, cap and whether the records are synthetic.

    Raises
    ------
    SpecificationError
        When a weight is bad or ``cap`` is not positive.
    """
    if not np.isfinite(cap) or cap <= 0:
        msg = f"cap must be a positive share such as 1.0, got {cap!r}"
        raise SpecificationError(msg)
    rec = records_of(project_or_data)
    w = check_weights(rec, ranking_weights(rec) if weights is None else weights)
    w = {k: v for k, v in w.items() if v > 0}
    m = latest_month(rec, year) if month is None else int(month)
    if not 1 <= m <= 12:
        msg = f"month must be 1-12, got {month!r}"
        raise SpecificationError(msg)
    counties = [c for c in rec.county_names() if c != CITY]
    out = pd.DataFrame(index=pd.Index(counties, name="county"))
    score = np.zeros(len(counties))
    for key, weight in w.items():
        rows = _indicator_rows(rec, rec.indicator(key), year, m).set_index("county")
        share = rows["share"].reindex(counties)
        points = weight * np.minimum(share.fillna(0.0).to_numpy(float), cap)
        out[f"share_{key}"] = share.to_numpy(float)
        out[f"points_{key}"] = np.round(points, 2)
        score += points
    out.insert(0, "score", np.round(score, 2))
    out.insert(0, "rank", out["score"].rank(method="min", ascending=False).astype(int))
    out = out.sort_values(["rank"], kind="stable")
    out["tied_with"] = [
        ", ".join(c for c in out.index[out["score"] == s] if c != name)
        for name, s in zip(out.index, out["score"], strict=True)
    ]
    out.attrs.update(
        {"weights": w, "month": f"{year:04d}-{m:02d}", "cap": cap, "synthetic": rec.synthetic}
    )
    return out
