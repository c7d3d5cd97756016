"""What staff read each month: done against target and the time-schedule share.

The time-schedule share (序时进度) of a yearly target is the part that should
be done by the end of a month: ``m / 12`` on the default linear schedule, or
the target's own monthly plan. A county is *behind* when its completion share
is below it. Counts are recomputed from the records every time (nothing is
stored twice), so a corrected monthly return changes every figure at once.

The derived infrastructure indicators come from the map layers through
:mod:`planning.indicators`: the share of transformation-list firms and of
development-zone firms inside 5G coverage and near a charging station, and
operational 5G sites per 10,000 people where the population is known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..indicators import DEFAULT_CHARGING_DISTANCE_M, coverage_status
from ..models import SpecificationError
from .records import CITY, DEMO_NAME, ProgrammeRecords, load_demo_records

__all__ = [
    "INFRASTRUCTURE_COLUMNS",
    "MIIT_5G_PER_10K",
    "PROGRESS_COLUMNS",
    "done_by_month",
    "infrastructure_indicators",
    "list_status",
    "parse_month",
    "progress",
    "records_of",
    "schedule_shares",
    "traffic_light",
    "trend",
]

MIIT_5G_PER_10K = 26.0
"""MIIT's 14th five-year-plan target: 5G base stations per 10,000 people by 2025."""

PROGRESS_COLUMNS = (
    "indicator",
    "name",
    "unit",
    "county",
    "target",
    "done",
    "share",
    "schedule_share",
    "expected",
    "gap",
    "behind",
    "change",
    "light",
)
"""Columns of :func:`progress` before the infrastructure indicators."""

INFRASTRUCTURE_COLUMNS = (
    "share_list_firms_5g",
    "share_list_firms_charging",
    "share_zone_firms_5g",
    "share_zone_firms_charging",
    "sites_5g",
    "population",
    "sites_5g_per_10k",
)
"""Derived infrastructure columns of :func:`progress` (per county, from the layers)."""

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(month: str, *, name: str = "month") -> tuple[int, int]:
    """Return ``(year, month)`` of a ``"YYYY-MM"`` string.

    Raises
    ------
    SpecificationError
        When ``month`` is not of that form.
    """
    hit = _MONTH.match(str(month).strip())
    if not hit or not 1 <= int(hit.group(2)) <= 12:
        msg = f"{name} must be a month written YYYY-MM such as '2026-11', got {month!r}"
        raise SpecificationError(msg)
    return int(hit.group(1)), int(hit.group(2))


def records_of(project_or_data: Any) -> ProgrammeRecords:
    """Return the programme records of a project, planning data or records.

    Parameters
    ----------
    project_or_data
        A :class:`ProgrammeRecords`; a project (anything with ``table``,
        ``save_table`` and ``data``), read with
        :meth:`ProgrammeRecords.from_project`; or a
        :class:`geodata.PlanningData`, for which the demo's shipped records
        are used when it is the Chaoyang demo, else empty records whose
        ``note`` says why.

    Returns
    -------
    ProgrammeRecords
    """
    if isinstance(project_or_data, ProgrammeRecords):
        return project_or_data
    if hasattr(project_or_data, "table") and hasattr(project_or_data, "save_table"):
        records = ProgrammeRecords.from_project(project_or_data)
        data = getattr(project_or_data, "data", None)
        if records.empty and getattr(data, "name", None) == DEMO_NAME:
            demo = load_demo_records(data)
            demo.note = "the project holds no programme records yet: the demo's are shown"
            return demo
        if records.empty:
            records.note = "the project holds no programme records yet: import a monthly return"
        return records
    if hasattr(project_or_data, "enterprises") and hasattr(project_or_data, "name"):
        if project_or_data.name == DEMO_NAME:
            return load_demo_records(project_or_data)
        return ProgrammeRecords(
            data=project_or_data,
            note=(
                f"no programme records for the data {project_or_data.name!r}: only the "
                f"{DEMO_NAME!r} demo ships them; open a project and import monthly returns"
            ),
        )
    msg = (
        "project_or_data must be a project, a geodata.PlanningData or ProgrammeRecords, "
        f"got {type(project_or_data).__name__}"
    )
    raise TypeError(msg)


# --------------------------------------------------------------------------- counting


def _period(text: pd.Series) -> pd.Series:
    """``"YYYY-MM"`` or ``"YYYY-MM-DD"`` -> ``YYYY * 12 + MM - 1`` (NaN when unreadable)."""
    parts = text.astype(str).str.extract(r"^(\d{4})-(\d{2})")
    return pd.to_numeric(parts[0], errors="coerce") * 12 + pd.to_numeric(parts[1]) - 1


def _events(records: ProgrammeRecords, ind: Any) -> pd.DataFrame:
    """Return ``county, period, value`` events that add to indicator ``ind``."""
    source, item, key = ind["source"], ind["item"], ind["id"]
    if source == "progress":
        t = records["progress"]
        t = t[t["indicator"] == key]
        return pd.DataFrame(
            {"county": t["county"], "period": _period(t["month"]), "value": t["value"]}
        )
    if source == "projects":
        t = records["projects"]
        t = t[t["status"] != "planned"]
        if item:
            t = t[t["type"] == item]
        return pd.DataFrame({"county": t["county"], "period": _period(t["month"]), "value": 1.0})
    if source == "green":
        t = records["green"]
        t = t[t["kind"] == item] if item else t
        return pd.DataFrame({"county": t["county"], "period": _period(t["date"]), "value": 1.0})
    if source == "subsidies":
        t = records["subsidies"]
        return pd.DataFrame(
            {"county": t["county"], "period": _period(t["date"]), "value": t["amount"]}
        )
    if source == "infrastructure":
        t = records["infrastructure"]
        t = t[t["item"] == item] if item else t
        return pd.DataFrame(
            {"county": t["county"], "period": _period(t["month"]), "value": t["value"]}
        )
    if source == "status":
        return _completions(records["status_changes"], item or "completed")
    msg = f"indicator {key!r} has the unknown source {source!r}"
    raise SpecificationError(msg)


def _completions(changes: pd.DataFrame, status: str) -> pd.DataFrame:
    """Firms reaching ``status``: +1 when a firm enters it, -1 when it leaves it again."""
    if changes.empty:
        return pd.DataFrame({"county": [], "period": [], "value": []})
    t = changes.assign(_order=np.arange(len(changes))).sort_values(["date", "_order"])
    enter = (t["to_status"] == status) & (t["from_status"] != status)
    leave = (t["from_status"] == status) & (t["to_status"] != status)
    t = t[enter | leave]
    return pd.DataFrame(
        {
            "county": t["county"],
            "period": _period(t["date"]),
            "value": np.where(enter[t.index], 1.0, -1.0),
        }
    )


def done_by_month(records: Any, indicator: str, year: int) -> pd.DataFrame:
    """Return the cumulative value of an indicator at the end of each month.

    Parameters
    ----------
    records
        Anything :func:`records_of` accepts.
    indicator
        An indicator id of the records' indicator table.
    year
        The programme year.

    Returns
    -------
    pandas.DataFrame
        One row per county (the records' order), columns ``1`` .. ``12``.
        Indicators marked ``cumulative`` count everything recorded before the
        year as well.
    """
    rec = records_of(records)
    ind = rec.indicator(indicator)
    events = _events(rec, ind)
    counties = rec.county_names()
    start = year * 12
    cols = list(range(1, 13))
    if events.empty:
        return pd.DataFrame(0.0, index=pd.Index(counties, name="county"), columns=cols)
    events = events.dropna(subset=["period"])
    before = events[events["period"] < start]
    inside = events[(events["period"] >= start) & (events["period"] < start + 12)]
    monthly = (
        inside.assign(month=(inside["period"] - start + 1).astype(int))
        .pivot_table(index="county", columns="month", values="value", aggfunc="sum")
        .reindex(columns=cols, fill_value=0.0)
        .fillna(0.0)
    )
    extra = [c for c in monthly.index if c not in counties]
    out = monthly.reindex(counties + extra, fill_value=0.0).cumsum(axis=1)
    if ind["cumulative"]:
        base = before.groupby("county")["value"].sum().reindex(out.index, fill_value=0.0)
        out = out.add(base, axis=0)
    out.index.name = "county"
    return out.astype(float)


def schedule_shares(plan: str) -> np.ndarray:
    """Return the 12 cumulative shares of a monthly plan (linear when ``plan`` is empty).

    Parameters
    ----------
    plan
        ``""`` for ``m / 12``, or 12 comma-separated non-decreasing cumulative
        shares ending at 1 (e.g. a target back-loaded to the fourth quarter).

    Raises
    ------
    SpecificationError
        When the plan is not 12 non-decreasing numbers between 0 and 1.
    """
    if not str(plan).strip():
        return np.arange(1, 13) / 12.0
    try:
        shares = np.array([float(p) for p in str(plan).split(",")])
    except ValueError:
        shares = np.array([])
    if len(shares) != 12 or np.any(np.diff(shares) < 0) or shares.min() < 0 or shares.max() > 1:
        msg = (
            "a target's plan must be 12 comma-separated cumulative shares between 0 and 1, "
            f"not decreasing, got {plan!r}"
        )
        raise SpecificationError(msg)
    return shares


def traffic_light(gap: Any, *, amber: float = 0.10) -> Any:
    """Return ``"green"`` (on schedule), ``"amber"`` (behind by < ``amber``) or ``"red"``."""
    g = np.asarray(gap, dtype=float)
    light = np.where(g >= 0, "green", np.where(g >= -amber, "amber", "red"))
    light = np.where(np.isnan(g), "", light)
    return light if light.ndim else str(light)


def _targets(rec: ProgrammeRecords, indicator: str, year: int) -> pd.DataFrame:
    t = rec["targets"]
    return t[(t["indicator"] == indicator) & (t["year"] == year)].drop_duplicates(
        "county", keep="last"
    )


def _indicator_rows(rec: ProgrammeRecords, ind: Any, year: int, month: int) -> pd.DataFrame:
    done = done_by_month(rec, ind["id"], year)
    counties = rec.county_names() + [c for c in done.index if c not in rec.county_names()]
    counties = [c for c in counties if c != CITY]
    targets = _targets(rec, ind["id"], year).set_index("county")
    done_now = done[month].reindex(counties, fill_value=0.0)
    done_prev = done[month - 1].reindex(counties, fill_value=0.0) if month > 1 else done_now * 0.0
    if ind["cumulative"] and month == 1:
        done_prev = done_now - _month_value(rec, ind, year, month, counties)
    target = targets["value"].reindex(counties)
    plans = targets["plan"].reindex(counties).fillna("")
    schedule = np.array([schedule_shares(p)[month - 1] for p in plans])
    city_done = float(done_now.sum()) + float(done[month].get(CITY, 0.0))
    city_prev = float(done_prev.sum()) + (float(done[month - 1].get(CITY, 0.0)) if month > 1 else 0)
    city_target = _num(targets.loc[CITY, "value"]) if CITY in targets.index else float(target.sum())
    if CITY not in targets.index and target.isna().all():
        city_target = np.nan
    city_plan = str(targets.loc[CITY, "plan"]) if CITY in targets.index else ""
    frame = pd.DataFrame(
        {
            "county": [*counties, CITY],
            "target": [*target.to_numpy(float), city_target],
            "done": [*done_now.to_numpy(float), city_done],
            "prev": [*done_prev.to_numpy(float), city_prev],
            "schedule_share": [*schedule, schedule_shares(city_plan)[month - 1]],
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["share"] = np.where(frame["target"] > 0, frame["done"] / frame["target"], np.nan)
    frame["expected"] = frame["target"] * frame["schedule_share"]
    frame["gap"] = frame["share"] - frame["schedule_share"]
    frame["behind"] = (frame["gap"] < -1e-9).fillna(False)
    frame["change"] = frame["done"] - frame["prev"]
    frame["light"] = traffic_light(frame["gap"].to_numpy())
    frame.insert(0, "indicator", ind["id"])
    frame.insert(1, "name", ind["name_zh"])
    frame.insert(2, "unit", ind["unit_zh"])
    return frame.drop(columns="prev")


def _month_value(
    rec: ProgrammeRecords, ind: Any, year: int, month: int, counties: list[str]
) -> pd.Series:
    events = _events(rec, ind)
    period = year * 12 + month - 1
    hit = events[events["period"] == period]
    return hit.groupby("county")["value"].sum().reindex(counties, fill_value=0.0)


def progress(
    project_or_data: Any,
    month: str = "2026-11",
    *,
    indicators: Iterable[str] | None = None,
    infrastructure: bool = True,
    charging_distance_m: float = DEFAULT_CHARGING_DISTANCE_M,
    language: str = "zh",
) -> pd.DataFrame:
    """Return done against target per county and for the city at the end of a month.

    Parameters
    ----------
    project_or_data
        A project, a :class:`geodata.PlanningData` or :class:`ProgrammeRecords`
        (see :func:`records_of`).
    month
        ``"YYYY-MM"``: the month whose end the figures describe.
    indicators
        Indicator ids to report, or None for every indicator with a target
        that year.
    infrastructure
        Add the derived infrastructure columns (:data:`INFRASTRUCTURE_COLUMNS`)
        computed from the layers, when the records carry planning data.
    charging_distance_m
        Distance within which a charging station counts as near (metres).
    language
        ``"zh"`` or ``"en"`` for the ``name`` and ``unit`` columns.

    Returns
    -------
    pandas.DataFrame
        One row per indicator and county, the city (:data:`CITY`) last within
        each indicator, with :data:`PROGRESS_COLUMNS`: ``target``, ``done``,
        ``share`` (done / target), ``schedule_share`` (序时进度), ``expected``
        (target x schedule share), ``gap`` (share - schedule share),
        ``behind``, ``change`` (this month's change in ``done``) and
        ``light`` (:func:`traffic_light`). ``attrs`` holds the month, whether
        the records are synthetic and any note.
    """
    year, m = parse_month(month)
    if language not in ("zh", "en"):
        msg = f"language must be 'zh' or 'en', got {language!r}"
        raise SpecificationError(msg)
    rec = records_of(project_or_data)
    ind_table = rec["indicators"]
    if indicators is None:
        with_target = set(rec["targets"].loc[rec["targets"]["year"] == year, "indicator"])
        ids = [i for i in ind_table["id"] if i in with_target]
    else:
        ids = list(indicators)
    parts = []
    for key in ids:
        ind = rec.indicator(key)
        rows = _indicator_rows(rec, ind, year, m)
        if language == "en":
            rows["name"], rows["unit"] = ind["name_en"], ind["unit_en"]
        parts.append(rows)
    if parts:
        out = pd.concat(parts, ignore_index=True)
    else:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in PROGRESS_COLUMNS})
    out = out[list(PROGRESS_COLUMNS)]
    if infrastructure and rec.data is not None and len(out):
        extra = infrastructure_indicators(rec, charging_distance_m=charging_distance_m)
        out = out.join(extra, on="county")
    out.attrs.update({"month": f"{year:04d}-{m:02d}", "synthetic": rec.synthetic, "note": rec.note})
    return out


def infrastructure_indicators(
    project_or_data: Any, *, charging_distance_m: float = DEFAULT_CHARGING_DISTANCE_M
) -> pd.DataFrame:
    """Return the derived infrastructure indicators per county and for the city.

    Parameters
    ----------
    project_or_data
        Anything :func:`records_of` accepts, carrying planning data.
    charging_distance_m
        Distance within which a charging station counts as near (metres).

    Returns
    -------
    pandas.DataFrame
        Indexed by county (the city :data:`CITY` last) with
        :data:`INFRASTRUCTURE_COLUMNS`. Shares are NaN where a county has no
        such firms; ``sites_5g_per_10k`` is NaN where the population is unknown.
    """
    rec = records_of(project_or_data)
    data = rec.data
    counties = rec.county_names()
    if data is None:
        msg = "the records carry no planning data to compute infrastructure indicators from"
        raise SpecificationError(msg)
    firms = data.enterprises
    status = coverage_status(data, charging_distance_m=charging_distance_m)
    frame = pd.DataFrame(
        {
            "county": firms["county"].astype(str).to_numpy(),
            "listed": firms["on_transform_list"].astype(bool).to_numpy(),
            "zone": (firms["park"].fillna("").astype(str) != "").to_numpy(),
            "in_5g": status["in_5g"].to_numpy(),
            "near": status["near_charging"].to_numpy(),
        }
    )
    sites = _sites_per_county(data)
    pop = rec["counties"].set_index("county")["population"] if len(rec["counties"]) else None
    rows = {}
    for name in [*counties, CITY]:
        part = frame if name == CITY else frame[frame["county"] == name]
        listed, zone = part[part["listed"]], part[part["zone"]]
        n_sites = float(sites.sum()) if name == CITY else float(sites.get(name, 0))
        if pop is None:
            people = np.nan
        elif name == CITY:
            people = float(pop.sum()) if pop.notna().all() else np.nan
        else:
            people = float(pop.get(name, np.nan))
        rows[name] = {
            "share_list_firms_5g": _mean(listed["in_5g"]),
            "share_list_firms_charging": _mean(listed["near"]),
            "share_zone_firms_5g": _mean(zone["in_5g"]),
            "share_zone_firms_charging": _mean(zone["near"]),
            "sites_5g": n_sites,
            "population": people,
            "sites_5g_per_10k": n_sites / people * 1e4 if people and people > 0 else np.nan,
        }
    out = pd.DataFrame.from_dict(rows, orient="index")[list(INFRASTRUCTURE_COLUMNS)]
    out.index.name = "county"
    return out


def _num(value: Any) -> float:
    return float(value)


def _mean(values: pd.Series) -> float:
    return float(values.mean()) if len(values) else np.nan


def _sites_per_county(data: Any) -> pd.Series:
    """Operational base stations counted in the admin area that contains them."""
    import geopandas as gpd

    stations = data.base_stations
    stations = stations[stations["status"] == "operational"]
    areas = data.admin_areas
    if stations.empty or areas.empty:
        return pd.Series(dtype=float)
    joined = gpd.sjoin(stations[["geometry"]], areas[["name", "geometry"]], predicate="within")
    return joined.groupby("name").size().astype(float)


def trend(project_or_data: Any, indicator: str, year: int, *, through: int = 12) -> pd.DataFrame:
    """Return a month-by-month table of an indicator: done per county and for the city.

    Parameters
    ----------
    project_or_data
        Anything :func:`records_of` accepts.
    indicator
        Indicator id.
    year
        Programme year.
    through
        Last month to include (1-12).

    Returns
    -------
    pandas.DataFrame
        Index ``month`` (``"YYYY-MM"``), one column per county, then ``全市``
        (city) and ``schedule`` (the city's expected value on its plan).
    """
    rec = records_of(project_or_data)
    done = done_by_month(rec, indicator, year).loc[:, 1:through]
    table = done.drop(index=CITY, errors="ignore").T
    table[CITY] = table.sum(axis=1)
    targets = _targets(rec, indicator, year).set_index("county")
    city_target = (
        _num(targets.loc[CITY, "value"]) if CITY in targets.index else float(targets["value"].sum())
    )
    plan = str(targets.loc[CITY, "plan"]) if CITY in targets.index else ""
    table["schedule"] = city_target * schedule_shares(plan)[:through]
    table.index = [f"{year:04d}-{m:02d}" for m in table.index]
    table.index.name = "month"
    table.columns.name = None
    return table


def list_status(project_or_data: Any, month: str = "2026-11") -> pd.DataFrame:
    """Return where each firm on the transformation list stood at the end of a month.

    Parameters
    ----------
    project_or_data
        Anything :func:`records_of` accepts.
    month
        ``"YYYY-MM"``.

    Returns
    -------
    pandas.DataFrame
        One row per firm with a status change by then: ``firm_id``,
        ``firm_name``, ``county``, ``status`` (the latest ``to_status``) and
        ``since`` (its date).
    """
    year, m = parse_month(month)
    changes = records_of(project_or_data)["status_changes"]
    upto = changes[_period(changes["date"]) <= year * 12 + m - 1]
    upto = upto.assign(_order=np.arange(len(upto))).sort_values(["date", "_order"])
    last = upto.groupby("firm_id", sort=True).tail(1)
    return pd.DataFrame(
        {
            "firm_id": last["firm_id"].to_numpy(),
            "firm_name": last["firm_name"].to_numpy(),
            "county": last["county"].to_numpy(),
            "status": last["to_status"].to_numpy(),
            "since": last["date"].to_numpy(),
        }
    ).sort_values("firm_id", ignore_index=True)
