"""The city's programme tracker: targets, monthly returns, bulletin and ranking.

The programme (数字化绿色化转型) is reviewed on a fixed rhythm -- monthly
supervision, a quarterly bulletin and a yearly ranking of the county-level
units (月督导、季通报、年度大排名). The records are plain tables kept in the
project (:mod:`.records`); :func:`progress` computes done against target and
the time-schedule share (序时进度), :func:`ranking` the weighted county score,
:mod:`.returns` reads the counties' monthly Excel returns and
:mod:`.documents` / :func:`bulletin` (:mod:`.quarterly`) write what goes upward.

Examples
--------
>>> from geodata.demo import load_demo  # doctest: +SKIP
>>> progress(load_demo("chaoyang"), month="2026-11")  # doctest: +SKIP
"""

from __future__ import annotations

from ._labels import column as column_label
from .documents import ranking_sheet, supervision_sheet
from .progress import (
    INFRASTRUCTURE_COLUMNS,
    MIIT_5G_PER_10K,
    PROGRESS_COLUMNS,
    done_by_month,
    infrastructure_indicators,
    list_status,
    parse_month,
    progress,
    records_of,
    schedule_shares,
    traffic_light,
    trend,
)
from .quarterly import bulletin, parse_quarter
from .ranking import check_weights, latest_month, ranking, ranking_weights, save_weights
from .records import (
    CITY,
    DEFAULT_INDICATORS,
    SCHEMAS,
    TABLE_PREFIX,
    ProgrammeRecords,
    default_indicators,
    empty_table,
    load_demo_records,
)

__all__ = [
    "CITY",
    "DEFAULT_INDICATORS",
    "INFRASTRUCTURE_COLUMNS",
    "MIIT_5G_PER_10K",
    "PROGRESS_COLUMNS",
    "SCHEMAS",
    "TABLE_PREFIX",
    "ProgrammeRecords",
    "bulletin",
    "check_weights",
    "column_label",
    "default_indicators",
    "done_by_month",
    "empty_table",
    "import_return",
    "infrastructure_indicators",
    "latest_month",
    "list_status",
    "load_demo_records",
    "parse_month",
    "parse_quarter",
    "progress",
    "ranking",
    "ranking_sheet",
    "ranking_weights",
    "read_return",
    "records_of",
    "return_template",
    "save_weights",
    "schedule_shares",
    "supervision_sheet",
    "traffic_light",
    "trend",
]


def __getattr__(name: str) -> object:
    """Import the monthly-return helpers on first use."""
    if name in ("return_template", "read_return", "import_return"):
        from . import returns

        return getattr(returns, name)
    raise AttributeError(name)
