"""Monthly returns from the counties: the Excel template and its validated import.

A county fills one workbook per month (Chinese headers, one sheet per record
type), and the city imports it. The import checks everything before it keeps
anything: every problem is listed with its sheet, the row number Excel shows
(the header is row 1), the column and what is wrong, in Chinese or English.
Each import is logged (file name, SHA-256 of the content, time, county,
month); importing the same county and month again replaces that county's
month in every table and the log says what changed.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from geodata import DataError, Problem

from .progress import _period, parse_month, records_of
from .records import (
    GREEN_KINDS,
    GREEN_LEVELS,
    INFRASTRUCTURE_ITEMS,
    PROJECT_STATUSES,
    PROJECT_TYPES,
    SCHEMAS,
    STATUSES,
    ProgrammeRecords,
)

__all__ = [
    "RETURN_SHEETS",
    "ImportResult",
    "ReturnError",
    "ReturnProblem",
    "import_return",
    "read_return",
    "return_template",
]

RETURN_SHEETS = {
    "progress": "进度填报",
    "status_changes": "企业状态",
    "projects": "数字经济项目",
    "green": "绿色园区工厂",
    "subsidies": "补助资金",
    "infrastructure": "基础设施",
}
"""Record table -> sheet name of the monthly return."""

_SKIP = {"progress": ("source", "recorded_at")}  # filled in at import
_MONTH_COL = {"progress": "month", "projects": "month", "infrastructure": "month"}
_DATE_COL = {"status_changes": "date", "green": "date", "subsidies": "date"}
_REQUIRED = {
    "progress": ("indicator", "county", "month", "value"),
    "status_changes": ("firm_id", "county", "from_status", "to_status", "date"),
    "projects": ("id", "name", "county", "type", "status", "month"),
    "green": ("id", "name", "county", "kind", "level", "date"),
    "subsidies": ("firm_id", "county", "amount", "date"),
    "infrastructure": ("county", "month", "item", "value"),
}
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("status_changes", "from_status"): ("none", *STATUSES),
    ("status_changes", "to_status"): STATUSES,
    ("projects", "type"): PROJECT_TYPES,
    ("projects", "status"): PROJECT_STATUSES,
    ("green", "kind"): GREEN_KINDS,
    ("green", "level"): GREEN_LEVELS,
    ("infrastructure", "item"): INFRASTRUCTURE_ITEMS,
}
_ZH_CHOICES = {
    "无": "none",
    "计划": "planned",
    "推进中": "in_progress",
    "已完成": "completed",
    "在建": "under_construction",
    "工业互联网": "industrial_internet",
    "大数据": "big_data",
    "区块链": "blockchain",
    "物联网": "iot",
    "其他": "other",
    "园区": "park",
    "工厂": "factory",
    "供应链": "supply_chain",
    "国家级": "national",
    "省级": "provincial",
    "市级": "municipal",
    "5G基站": "5g_sites",
    "充电桩": "charging_piles",
    "宽带端口": "broadband_ports",
    "工业互联网节点": "industrial_internet_nodes",
}
_KEYS = {
    "progress": ("indicator",),
    "status_changes": ("firm_id", "to_status"),
    "projects": ("id",),
    "green": ("id",),
    "subsidies": ("firm_id", "date", "purpose"),
    "infrastructure": ("item",),
}

_MESSAGES = {
    "zh": {
        "not_xlsx": "不是可读取的 Excel (.xlsx) 文件: {error}",
        "no_sheet": "缺少工作表“{sheet}”(请使用模板)",
        "no_column": "缺少列“{column}”",
        "required": "必填项为空",
        "number": "应为不小于 0 的数字",
        "month": "月份应写作 YYYY-MM, 且为本次填报月份 {month}",
        "date": "日期应写作 YYYY-MM-DD, 且在本次填报月份 {month} 内",
        "county": "区县应为本次填报的区县“{county}”",
        "choice": "应为以下之一: {choices}",
        "indicator": "不是可直接填报的指标; 可填: {choices}",
        "firm": "企业编号不在企业图层中",
        "duplicate": "与第 {row} 行重复",
        "bad_county": "county 必须是已知区县之一: {choices}",
    },
    "en": {
        "not_xlsx": "not a readable Excel (.xlsx) file: {error}",
        "no_sheet": "the sheet '{sheet}' is missing (use the template)",
        "no_column": "the column '{column}' is missing",
        "required": "a required cell is empty",
        "number": "must be a number of at least 0",
        "month": "a month is written YYYY-MM and must be this return's month {month}",
        "date": "a date is written YYYY-MM-DD and must fall in this return's month {month}",
        "county": "the county must be this return's county '{county}'",
        "choice": "must be one of: {choices}",
        "indicator": "is not an indicator reported directly; use one of: {choices}",
        "firm": "no enterprise has this id in the enterprise layer",
        "duplicate": "repeats row {row}",
        "bad_county": "county must be one of the known counties: {choices}",
    },
}


@dataclass(frozen=True)
class ReturnProblem(Problem):
    """A problem in a monthly return: :class:`geodata.Problem` plus the sheet.

    ``row`` is the row number Excel shows (the header is row 1), or None for a
    problem with the whole sheet or file.
    """

    sheet: str | None = None

    def __str__(self) -> str:
        head = f"sheet {self.sheet!r}, " if self.sheet else ""
        return head + super().__str__()


class ReturnError(DataError):
    """A monthly return that cannot be imported, with every problem in it."""

    def to_frame(self, *, language: str | None = None, lines: bool = False) -> pd.DataFrame:
        """Return the problems with columns sheet, row, column, message, value.

        Parameters
        ----------
        language
            Accepted for compatibility with :meth:`geodata.DataError.to_frame`;
            return messages are written in the language the import ran in.
        lines
            Ignored: ``row`` already is the row number Excel shows.
        """
        rows = [asdict(p) for p in self.problems]
        return pd.DataFrame(rows, columns=["sheet", "row", "column", "message", "value"])


@dataclass(frozen=True)
class ImportResult:
    """What an import did.

    Attributes
    ----------
    records
        The records with the county's month replaced.
    entry
        The row added to the ``imports`` log.
    replaced
        Rows removed (the county's month before the import).
    """

    records: ProgrammeRecords
    entry: dict[str, Any]
    replaced: int


def _columns(table: str) -> list[tuple[str, str, str]]:
    return [c for c in SCHEMAS[table] if c[0] not in _SKIP.get(table, ())]


def return_template(
    project_or_data: Any = None,
    *,
    county: str | None = None,
    month: str | None = None,
    language: str = "zh",
) -> bytes:
    """Return the monthly-return workbook a county fills in (``.xlsx`` bytes).

    Parameters
    ----------
    project_or_data
        Optional: records whose indicators and counties the instructions list.
    county, month
        Written into the instructions when given.
    language
        ``"zh"`` or ``"en"`` for the instructions (headers are always Chinese).

    Returns
    -------
    bytes
        One sheet per record type (:data:`RETURN_SHEETS`) with Chinese headers,
        and an instructions sheet listing the allowed codes.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    rec = records_of(project_or_data) if project_or_data is not None else ProgrammeRecords()
    book = Workbook()
    info = book.active
    info.title = "填报说明" if language == "zh" else "instructions"
    lines = _instructions(rec, county, month, language)
    for i, line in enumerate(lines, start=1):
        info.cell(row=i, column=1, value=line)
    info["A1"].font = Font(bold=True, size=13)
    info.column_dimensions["A"].width = 110
    for table, sheet in RETURN_SHEETS.items():
        ws = book.create_sheet(sheet)
        for j, (_, _, header) in enumerate(_columns(table), start=1):
            cell = ws.cell(row=1, column=j, value=header)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            ws.column_dimensions[cell.column_letter].width = max(12, 2 * len(header) + 2)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _instructions(
    rec: ProgrammeRecords, county: str | None, month: str | None, language: str
) -> list[str]:
    direct = rec["indicators"].loc[rec["indicators"]["source"] == "progress", "id"]
    codes = {f"{t}.{c}": v for (t, c), v in _CHOICES.items()}
    if language == "zh":
        lines = [
            "月度填报表 (每月一份, 每个区县一份)",
            f"区县: {county or '(填写本区县)'}    月份: {month or '(YYYY-MM)'}",
            "每个工作表第 1 行是表头, 请勿修改; 从第 2 行起每行一条记录; 没有内容的工作表留空。",
            "月份写作 YYYY-MM, 日期写作 YYYY-MM-DD, 须在本次填报月份内; 金额单位为万元。",
            "同一区县同一月份再次导入时, 将整体替换该区县该月的记录, 并记入导入日志。",
            "“进度填报”中可直接填报的指标代码: " + ", ".join(direct),
        ]
        lines += [f"{k} 可填: {', '.join(v)}" for k, v in codes.items()]
        lines.append("也可填写中文: " + ", ".join(f"{k}={v}" for k, v in _ZH_CHOICES.items()))
    else:
        lines = [
            "Monthly return (one workbook per county and month)",
            f"County: {county or '(your county)'}    Month: {month or '(YYYY-MM)'}",
            "Row 1 of each sheet is the header: keep it; one record per row from row 2; "
            "leave sheets with nothing to report empty.",
            "Months are YYYY-MM and dates YYYY-MM-DD within the return's month; "
            "amounts in 10k CNY.",
            "Importing the same county and month again replaces that month's records; "
            "the import log records the change.",
            "Indicators reported directly on the progress sheet: " + ", ".join(direct),
        ]
        lines += [f"{k}: {', '.join(v)}" for k, v in codes.items()]
    return lines


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_return(
    content: bytes,
    *,
    county: str,
    month: str,
    records: Any = None,
    language: str = "zh",
    file_name: str = "",
) -> dict[str, pd.DataFrame]:
    """Read and check a county's monthly return.

    Parameters
    ----------
    content
        The ``.xlsx`` file's bytes.
    county
        The county the return is from; every row must name it.
    month
        ``"YYYY-MM"``: the month the return reports; every month and date in
        it must fall in this month.
    records
        Records (or a project / planning data) giving the known counties,
        indicators and firms; None checks the form only.
    language
        ``"zh"`` or ``"en"`` for the problem messages.
    file_name
        Name of the uploaded file, for the error message.

    Returns
    -------
    dict
        Record table -> rows read (typed, with the schema's columns).

    Raises
    ------
    ReturnError
        Listing every problem found (sheet, Excel row, column, message, value).
    """
    if language not in _MESSAGES:
        msg = f"language must be 'zh' or 'en', got {language!r}"
        raise ValueError(msg)
    text = _MESSAGES[language]
    parse_month(month)
    rec = records_of(records) if records is not None else ProgrammeRecords()
    known = rec.county_names()
    if known and county not in known:
        msg = text["bad_county"].format(choices=", ".join(known))
        raise ValueError(msg)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        problem = ReturnProblem(None, None, text["not_xlsx"].format(error=exc))
        raise ReturnError([problem], source=file_name or None) from None
    problems: list[ReturnProblem] = []
    out = {}
    for table, sheet in RETURN_SHEETS.items():
        if sheet not in book.sheetnames:
            problems.append(
                ReturnProblem(None, None, text["no_sheet"].format(sheet=sheet), sheet=sheet)
            )
            continue
        rows = list(book[sheet].iter_rows(values_only=True))
        frame, found = _read_sheet(table, sheet, rows, county, month, rec, text)
        problems += found
        out[table] = frame
    book.close()
    if problems:
        raise ReturnError(problems, source=file_name or None)
    return out


def _read_sheet(
    table: str,
    sheet: str,
    rows: list[tuple[Any, ...]],
    county: str,
    month: str,
    rec: ProgrammeRecords,
    text: dict[str, str],
) -> tuple[pd.DataFrame, list[ReturnProblem]]:
    cols = _columns(table)
    header = [_cell_text(v) for v in rows[0]] if rows else []
    problems = [
        ReturnProblem(1, h, text["no_column"].format(column=h), sheet=sheet)
        for _, _, h in cols
        if h not in header
    ]
    if problems:
        return pd.DataFrame(), problems
    where = {h: header.index(h) for _, _, h in cols}
    direct = list(rec["indicators"].loc[rec["indicators"]["source"] == "progress", "id"])
    firms = set()
    if rec.data is not None and len(rec.data.enterprises):
        firms = set(rec.data.enterprises["id"].astype(str))
    seen: dict[tuple[str, ...], int] = {}
    values = []
    for excel_row, raw in enumerate(rows[1:], start=2):
        cells = {c: _cell_text(raw[where[h]]) if where[h] < len(raw) else "" for c, _, h in cols}
        if not any(cells.values()):
            continue

        def bad(col: str, key: str, _row: int = excel_row, _cells: dict = cells, **kw: Any) -> None:
            head = next(h for c, _, h in cols if c == col)
            problems.append(
                ReturnProblem(_row, head, text[key].format(**kw), _cells[col] or None, sheet=sheet)
            )

        for col, kind, _ in cols:
            value = cells[col]
            if not value:
                if col in _REQUIRED[table]:
                    bad(col, "required")
                continue
            if kind in ("float", "int"):
                number = pd.to_numeric(value, errors="coerce")
                if pd.isna(number) or number < 0:
                    bad(col, "number")
            elif (table, col) in _CHOICES:
                code = _ZH_CHOICES.get(value, value)
                cells[col] = code
                if code not in _CHOICES[(table, col)]:
                    bad(col, "choice", choices=", ".join(_CHOICES[(table, col)]))
        if cells["county"] and cells["county"] != county:
            bad("county", "county", county=county)
        if table in _MONTH_COL and cells[_MONTH_COL[table]] and cells[_MONTH_COL[table]] != month:
            bad(_MONTH_COL[table], "month", month=month)
        if table in _DATE_COL and cells[_DATE_COL[table]]:
            date = cells[_DATE_COL[table]]
            if not (re.match(r"^\d{4}-\d{2}-\d{2}$", date) and date[:7] == month and _valid(date)):
                bad(_DATE_COL[table], "date", month=month)
        if table == "progress" and cells["indicator"] and cells["indicator"] not in direct:
            bad("indicator", "indicator", choices=", ".join(direct) or "-")
        if firms and "firm_id" in cells and cells["firm_id"] and cells["firm_id"] not in firms:
            bad("firm_id", "firm")
        key = tuple(cells[k] for k in _KEYS[table])
        if all(key):
            if key in seen:
                bad(_KEYS[table][0], "duplicate", row=seen[key])
            else:
                seen[key] = excel_row
        values.append(cells)
    frame = pd.DataFrame(values, columns=[c for c, _, _ in cols])
    return frame, problems


def _valid(date: str) -> bool:
    try:
        _dt.date.fromisoformat(date)
    except ValueError:
        return False
    return True


def _in_month(table: str, frame: pd.DataFrame, county: str, month: str) -> pd.Series:
    col = _MONTH_COL.get(table) or _DATE_COL[table]
    year, m = parse_month(month)
    return (frame["county"] == county) & (_period(frame[col]) == year * 12 + m - 1)


def import_return(
    project_or_records: Any,
    content: bytes,
    *,
    file_name: str,
    county: str,
    month: str,
    language: str = "zh",
    imported_at: str | None = None,
    user: str | None = None,
) -> ImportResult:
    """Check a monthly return and put it into the records, replacing that county's month.

    Parameters
    ----------
    project_or_records
        A project (its programme tables are rewritten) or :class:`ProgrammeRecords`.
    content
        The ``.xlsx`` bytes.
    file_name
        Name of the uploaded file, kept in the log.
    county, month
        Whose return it is and which month it reports.
    language
        ``"zh"`` or ``"en"`` for problem messages.
    imported_at
        ISO time of the import (now, UTC, when None).
    user
        Passed to the project's ``save_table``.

    Returns
    -------
    ImportResult

    Raises
    ------
    ReturnError
        Listing every problem; nothing is changed then.
    """
    rec = records_of(project_or_records)
    tables = read_return(
        content, county=county, month=month, records=rec, language=language, file_name=file_name
    )
    when = imported_at or _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    digest = hashlib.sha256(content).hexdigest()
    new_tables = {}
    replaced = 0
    changes = []
    for table, rows in tables.items():
        old = rec[table]
        drop = _in_month(table, old, county, month)
        if table == "progress":
            rows = rows.assign(source=file_name, recorded_at=when)
        replaced += int(drop.sum())
        if int(drop.sum()) or len(rows):
            changes.append(f"{table} {int(drop.sum())}->{len(rows)}")
        new_tables[table] = pd.concat([old[~drop], rows], ignore_index=True)
    log = rec["imports"]
    before = log[(log["county"] == county) & (log["month"] == month)]
    if len(before):
        prior = before.iloc[-1]
        change = f"replaces {prior['file_name']} ({prior['sha256'][:12]}): " + ", ".join(changes)
    else:
        change = "first import: " + (", ".join(changes) or "nothing reported")
    entry = {
        "file_name": file_name,
        "sha256": digest,
        "imported_at": when,
        "county": county,
        "month": month,
        "rows": int(sum(len(r) for r in tables.values())),
        "replaced": replaced,
        "change": change,
    }
    new_tables["imports"] = pd.concat([log, pd.DataFrame([entry])], ignore_index=True)
    new = rec.replace(**new_tables)
    if hasattr(project_or_records, "save_table"):
        new.save_to(project_or_records, user=user)
    return ImportResult(new, entry, replaced)


def problems_frame(problems: Iterable[ReturnProblem]) -> pd.DataFrame:
    """Return problems as a table (sheet, row, column, message, value)."""
    return ReturnError(list(problems)).to_frame()
