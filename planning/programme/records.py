"""The programme's records: targets, progress and the event tables behind them.

Everything the city reviews is kept as plain tables (pandas DataFrames with a
fixed schema), so that they can be stored in a project, filled in Excel by the
counties and recomputed by anyone:

``indicators``
    What is measured. Indicators are data, not code: a city adds a row to
    track its own (with ``source="progress"``, values reported directly).
``targets``
    A yearly target per indicator and county (and optionally for the city),
    with an optional monthly plan; the default schedule is linear by month.
``progress``
    Values reported per indicator, county and month (the month's increment),
    with where they came from and when they were recorded.
``status_changes``
    Per-enterprise steps on the transformation list (planned -> in progress
    -> completed), with dates.
``projects``
    Digital-economy projects (industrial internet, big data, blockchain, IoT).
``green``
    Green parks, factories and supply-chain firms with level and date.
``subsidies``
    Grants from the transformation fund (firm, amount, date, purpose).
``infrastructure``
    What was built per county and month (5G sites, charging piles, ...).
``counties``
    The county-level units in order, with population where known.
``about``
    Key/value facts about the records (``synthetic``, ``source``), so that a
    synthetic history stays labelled wherever it is stored.
``imports``
    One row per imported monthly return (file, content hash, time, county).

Months are ``"YYYY-MM"`` strings and dates ``"YYYY-MM-DD"`` strings, so that
the tables survive CSV, Excel and database round trips unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CITY",
    "DEFAULT_INDICATORS",
    "DEMO_NAME",
    "SCHEMAS",
    "SOURCES",
    "TABLE_PREFIX",
    "ProgrammeRecords",
    "conform",
    "default_indicators",
    "empty_table",
    "load_demo_records",
]

TABLE_PREFIX = "programme_"
"""Prefix of the programme's table names inside a project."""

DEMO_NAME = "chaoyang"
"""Name of the planning data whose synthetic programme history ships with the package."""

SOURCES = (
    "progress",
    "status",
    "projects",
    "green",
    "subsidies",
    "infrastructure",
)
"""How an indicator's value is obtained, i.e. which table it is counted from."""

# table -> ((column, kind, Chinese header), ...); kind is str, int, float or bool.
SCHEMAS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "indicators": (
        ("id", "str", "指标代码"),
        ("name_zh", "str", "指标名称"),
        ("name_en", "str", "指标名称(英文)"),
        ("unit_zh", "str", "单位"),
        ("unit_en", "str", "单位(英文)"),
        ("source", "str", "数据来源"),
        ("item", "str", "细项"),
        ("cumulative", "bool", "累计口径"),
        ("weight", "float", "排名权重"),
    ),
    "targets": (
        ("indicator", "str", "指标代码"),
        ("county", "str", "区县"),
        ("year", "int", "年度"),
        ("value", "float", "目标值"),
        ("plan", "str", "月度计划(累计比例)"),
    ),
    "progress": (
        ("indicator", "str", "指标代码"),
        ("county", "str", "区县"),
        ("month", "str", "月份"),
        ("value", "float", "本月完成"),
        ("source", "str", "来源"),
        ("recorded_at", "str", "填报时间"),
    ),
    "status_changes": (
        ("firm_id", "str", "企业编号"),
        ("firm_name", "str", "企业名称"),
        ("county", "str", "区县"),
        ("from_status", "str", "原状态"),
        ("to_status", "str", "新状态"),
        ("date", "str", "日期"),
    ),
    "projects": (
        ("id", "str", "项目编号"),
        ("name", "str", "项目名称"),
        ("county", "str", "区县"),
        ("type", "str", "项目类型"),
        ("status", "str", "项目状态"),
        ("investment", "float", "总投资(万元)"),
        ("month", "str", "开工月份"),
    ),
    "green": (
        ("id", "str", "编号"),
        ("name", "str", "名称"),
        ("county", "str", "区县"),
        ("kind", "str", "类别"),
        ("level", "str", "级别"),
        ("date", "str", "认定日期"),
    ),
    "subsidies": (
        ("firm_id", "str", "企业编号"),
        ("firm_name", "str", "企业名称"),
        ("county", "str", "区县"),
        ("amount", "float", "金额(万元)"),
        ("date", "str", "拨付日期"),
        ("purpose", "str", "用途"),
    ),
    "infrastructure": (
        ("county", "str", "区县"),
        ("month", "str", "月份"),
        ("item", "str", "建设内容"),
        ("value", "float", "本月新建"),
        ("builder", "str", "建设单位"),
    ),
    "counties": (
        ("county", "str", "区县"),
        ("short_name", "str", "简称"),
        ("population", "float", "常住人口"),
    ),
    "about": (
        ("key", "str", "项目"),
        ("value", "str", "内容"),
    ),
    "imports": (
        ("file_name", "str", "文件名"),
        ("sha256", "str", "内容哈希"),
        ("imported_at", "str", "导入时间"),
        ("county", "str", "区县"),
        ("month", "str", "月份"),
        ("rows", "int", "行数"),
        ("replaced", "int", "替换行数"),
        ("change", "str", "变更说明"),
    ),
}

STATUSES = ("planned", "in_progress", "completed")
"""Steps of a firm on the transformation list, in order."""
PROJECT_TYPES = ("industrial_internet", "big_data", "blockchain", "iot", "other")
PROJECT_STATUSES = ("planned", "under_construction", "completed")
GREEN_KINDS = ("park", "factory", "supply_chain")
GREEN_LEVELS = ("national", "provincial", "municipal")
INFRASTRUCTURE_ITEMS = (
    "5g_sites",
    "charging_piles",
    "broadband_ports",
    "industrial_internet_nodes",
)

_DEFAULT_INDICATOR_ROWS = (
    # id, zh, en, unit zh, unit en, source, item, cumulative, weight
    ("digital_transformation", "企业数字化转型", "firms digitally transformed", "家", "firms",
     "status", "", False, 40.0),
    ("digital_projects", "数字经济项目", "digital-economy projects", "个", "projects",
     "projects", "", False, 20.0),
    ("typical_scenes", "典型场景", "typical scenes", "个", "scenes", "progress", "", False, 5.0),
    ("green_parks", "绿色园区", "green parks", "个", "parks", "green", "park", True, 5.0),
    ("green_factories", "绿色工厂", "green factories", "家", "factories", "green", "factory",
     False, 10.0),
    ("subsidies", "专项资金拨付", "transformation fund paid", "万元", "10k CNY", "subsidies", "",
     False, 5.0),
    ("5g_sites", "新建5G基站", "new 5G sites", "个", "sites", "infrastructure", "5g_sites",
     False, 10.0),
    ("charging_piles", "新建充电桩", "new charging piles", "个", "piles", "infrastructure",
     "charging_piles", False, 5.0),
)  # fmt: skip


def empty_table(name: str) -> pd.DataFrame:
    """Return an empty table ``name`` with its schema's columns and dtypes.

    Parameters
    ----------
    name
        One of :data:`SCHEMAS`.

    Returns
    -------
    pandas.DataFrame
    """
    if name not in SCHEMAS:
        msg = f"name must be one of the programme tables {sorted(SCHEMAS)}, got {name!r}"
        raise KeyError(msg)
    return pd.DataFrame({col: pd.Series(dtype=_DTYPES[kind]) for col, kind, _ in SCHEMAS[name]})


_DTYPES = {"str": "object", "int": "int64", "float": "float64", "bool": "bool"}


def conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the columns of table ``name``, typed.

    Missing text columns are filled with ``""``; other missing columns raise.
    Extra columns are dropped. Text cells are stripped strings (``""`` for
    empty cells).

    Parameters
    ----------
    name
        One of :data:`SCHEMAS`.
    frame
        The table as read from a file or a project.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ValueError
        When a number column is missing or holds non-numbers.
    """
    out: dict[str, pd.Series] = {}
    for col, kind, _ in SCHEMAS[name]:
        if col not in frame.columns:
            if kind != "str":
                msg = f"programme table {name!r} lacks its column {col!r}"
                raise ValueError(msg)
            out[col] = pd.Series([""] * len(frame), index=frame.index, dtype=object)
            continue
        values = frame[col]
        if kind == "str":
            out[col] = values.astype(object).where(values.notna(), "").map(_text)
        elif kind == "bool":
            out[col] = values.map(_truthy).astype(bool)
        elif kind == "int":
            out[col] = pd.to_numeric(values, errors="raise").astype("int64")
        else:
            out[col] = pd.to_numeric(values, errors="raise").astype("float64")
    return pd.DataFrame(out).reset_index(drop=True)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "是")
    return bool(value) and not (isinstance(value, float) and np.isnan(value))


def default_indicators() -> pd.DataFrame:
    """Return the indicator table the demo city starts from (a city may extend it)."""
    cols = [c for c, _, _ in SCHEMAS["indicators"]]
    return conform("indicators", pd.DataFrame(_DEFAULT_INDICATOR_ROWS, columns=cols))


DEFAULT_INDICATORS = tuple(row[0] for row in _DEFAULT_INDICATOR_ROWS)
"""Ids of the indicators in :func:`default_indicators`."""


@dataclass
class ProgrammeRecords:
    """Every programme table of one city, plus what the records describe.

    Parameters
    ----------
    tables
        Table name -> DataFrame; missing tables are empty with their schema
        (``indicators`` defaults to :func:`default_indicators`).
    data
        The planning area the records belong to (for the derived coverage
        indicators and maps), or None.
    synthetic
        True when the records are generated demo data (shown wherever they are).
    source
        Where the records came from, for captions.
    note
        A message for the user (e.g. why the records are empty), or ``""``.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    data: Any = None
    synthetic: bool = False
    source: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        unknown = set(self.tables) - set(SCHEMAS)
        if unknown:
            msg = f"tables holds unknown programme tables {sorted(unknown)}"
            raise KeyError(msg)
        full = {}
        for name in SCHEMAS:
            if name in self.tables:
                full[name] = conform(name, self.tables[name])
            elif name == "indicators":
                full[name] = default_indicators()
            else:
                full[name] = empty_table(name)
        about = dict(zip(full["about"]["key"], full["about"]["value"], strict=True))
        if "synthetic" in about:
            self.synthetic = self.synthetic or _truthy(about["synthetic"])
        if about.get("source") and not self.source:
            self.source = about["source"]
        full["about"] = pd.DataFrame(
            {"key": ["synthetic", "source"], "value": [str(self.synthetic), self.source]}
        )
        self.tables = full

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def replace(self, **tables: pd.DataFrame) -> ProgrammeRecords:
        """Return a copy with some tables replaced."""
        return dataclasses.replace(self, tables={**self.tables, **tables})

    @property
    def empty(self) -> bool:
        """True when there are no targets and nothing recorded."""
        return all(
            len(self.tables[n]) == 0
            for n in SCHEMAS
            if n not in ("indicators", "counties", "about")
        )

    def county_names(self) -> list[str]:
        """Return the county-level units in order (from ``counties``, else the records)."""
        if len(self.tables["counties"]):
            return list(self.tables["counties"]["county"])
        names: list[str] = []
        for name in ("targets", "progress", "status_changes", "infrastructure"):
            names += [c for c in self.tables[name]["county"] if c and c != CITY]
        return list(dict.fromkeys(names))

    def indicator(self, indicator_id: str) -> Mapping[str, Any]:
        """Return one indicator's row as a mapping.

        Raises
        ------
        KeyError
            When ``indicator_id`` is not in the indicator table.
        """
        ind = self.tables["indicators"]
        hit = ind[ind["id"] == indicator_id]
        if hit.empty:
            msg = f"indicator must be one of {list(ind['id'])}, got {indicator_id!r}"
            raise KeyError(msg)
        return dict(hit.iloc[0])

    # ----------------------------------------------------------------- storage

    @classmethod
    def from_project(cls, project: Any) -> ProgrammeRecords:
        """Read the programme tables of a project (``programme_<table>``).

        Parameters
        ----------
        project
            Anything with ``table(name) -> DataFrame`` raising KeyError for
            an absent table, and optionally ``data`` (the planning area).

        Returns
        -------
        ProgrammeRecords
        """
        tables = {}
        for name in SCHEMAS:
            try:
                tables[name] = project.table(TABLE_PREFIX + name)
            except KeyError:
                continue
        return cls(tables, data=getattr(project, "data", None))

    def save_to(self, project: Any, *, user: str | None = None) -> None:
        """Write every programme table into a project with ``save_table``."""
        for name, frame in self.tables.items():
            project.save_table(TABLE_PREFIX + name, frame, user=user)

    @classmethod
    def from_csv_dir(cls, path: Any, **kwargs: Any) -> ProgrammeRecords:
        """Read the tables from ``<table>.csv`` files in a folder (absent files: empty)."""
        from pathlib import Path

        folder = Path(path)
        tables = {}
        for name in SCHEMAS:
            file = folder / f"{name}.csv"
            if file.is_file():
                tables[name] = pd.read_csv(file, dtype=str, keep_default_na=False)
        return cls(tables, **kwargs)

    def to_csv_dir(self, path: Any) -> None:
        """Write every table as ``<table>.csv`` (UTF-8, Unix line ends; no empty import log)."""
        from pathlib import Path

        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables.items():
            if name == "imports" and frame.empty:
                continue
            frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")


CITY = "全市"
"""County label of the city-wide rows and targets."""


def load_demo_records(data: Any = None) -> ProgrammeRecords:
    """Return the Chaoyang demo's synthetic programme history (2026-01..11).

    Parameters
    ----------
    data
        The demo's planning data, kept with the records for maps and coverage.

    Returns
    -------
    ProgrammeRecords
        Labelled synthetic; generated by ``scripts/make_programme_demo.py``.
    """
    folder = resources.files("planning.programme") / "data" / "chaoyang_2026"
    with resources.as_file(folder) as path:
        return ProgrammeRecords.from_csv_dir(
            path,
            data=data,
            synthetic=True,
        )
