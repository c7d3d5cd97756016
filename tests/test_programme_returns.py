"""Monthly returns: the template, a good import, a re-import, and a bad return's problems."""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pytest

from geodata import DataError
from geodata.demo import load_demo
from planning import programme as pp
from planning.programme.returns import RETURN_SHEETS, ReturnError, import_return, read_return

COUNTY = "朝阳县"
MONTH = "2026-12"


@pytest.fixture(scope="module")
def records():
    return pp.records_of(load_demo("chaoyang"))


def _fill(sheets: dict[str, list[list]], *, drop: str | None = None) -> bytes:
    """Fill the template: sheet name -> data rows (from Excel row 2)."""
    book = openpyxl.load_workbook(io.BytesIO(pp.return_template(county=COUNTY, month=MONTH)))
    for sheet, rows in sheets.items():
        for row in rows:
            book[sheet].append(row)
    if drop:
        del book[drop]
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _firm(records, status: str) -> tuple[str, str]:
    last = pp.list_status(records, "2026-11")
    hit = last[(last["county"] == COUNTY) & (last["status"] == status)].iloc[0]
    return hit["firm_id"], hit["firm_name"]


def test_template_has_chinese_headers_on_every_sheet():
    book = openpyxl.load_workbook(io.BytesIO(pp.return_template(county=COUNTY, month=MONTH)))
    assert set(RETURN_SHEETS.values()) <= set(book.sheetnames)
    assert [c.value for c in book["企业状态"][1]] == [
        "企业编号", "企业名称", "区县", "原状态", "新状态", "日期"
    ]  # fmt: skip
    assert book["进度填报"].max_row == 1  # headers only, nothing to import by mistake
    assert COUNTY in book["填报说明"]["A2"].value


def test_a_good_return_is_imported_and_logged(records):
    firm, name = _firm(records, "in_progress")
    content = _fill(
        {
            "进度填报": [["typical_scenes", COUNTY, MONTH, 1]],
            "企业状态": [[firm, name, COUNTY, "推进中", "已完成", "2026-12-10"]],
            "数字经济项目": [["DP900", "朝阳县物联网项目90", COUNTY, "iot", "在建", 800, MONTH]],
            "补助资金": [[firm, name, COUNTY, 12.5, "2026-12-20", "数字化转型奖补"]],
            "基础设施": [
                [COUNTY, MONTH, "5G基站", 9, "中国铁塔"],
                [COUNTY, MONTH, "充电桩", 4, ""],
            ],
        }
    )
    result = import_return(
        records, content, file_name="朝阳县12月.xlsx", county=COUNTY, month=MONTH,
        imported_at="2026-12-31T08:00:00",
    )  # fmt: skip
    new = result.records
    dec = pp.progress(new, month="2026-12", infrastructure=False).set_index(["indicator", "county"])
    nov = pp.progress(records, month="2026-11", infrastructure=False)
    nov = nov.set_index(["indicator", "county"])
    key = ("digital_transformation", COUNTY)
    assert dec.loc[key, "done"] == nov.loc[key, "done"] + 1
    assert dec.loc[("typical_scenes", COUNTY), "done"] == 1
    assert dec.loc[("5g_sites", COUNTY), "change"] == 9
    assert dec.loc[("subsidies", COUNTY), "change"] == pytest.approx(12.5)
    log = new["imports"]
    assert len(log) == 1
    entry = log.iloc[0]
    assert entry["file_name"] == "朝阳县12月.xlsx" and entry["county"] == COUNTY
    assert entry["sha256"] == hashlib.sha256(content).hexdigest()
    assert entry["imported_at"] == "2026-12-31T08:00:00" and entry["rows"] == 6
    assert entry["change"].startswith("first import")
    progress_row = new["progress"].iloc[-1]
    assert progress_row["source"] == "朝阳县12月.xlsx"

    # the county corrects its return: the month is replaced, not added to
    again = _fill({"基础设施": [[COUNTY, MONTH, "5g_sites", 7, "中国铁塔"]]})
    second = import_return(
        new, again, file_name="朝阳县12月(更正).xlsx", county=COUNTY, month=MONTH
    )
    dec2 = pp.progress(second.records, month="2026-12", infrastructure=False)
    dec2 = dec2.set_index(["indicator", "county"])
    assert dec2.loc[("5g_sites", COUNTY), "change"] == 7
    assert dec2.loc[("charging_piles", COUNTY), "change"] == 0
    assert dec2.loc[key, "done"] == nov.loc[key, "done"]  # the status change was withdrawn
    assert second.replaced == 6
    last = second.records["imports"].iloc[-1]
    assert last["change"].startswith("replaces 朝阳县12月.xlsx")
    assert "infrastructure 2->1" in last["change"]
    # other counties and months are untouched
    other = second.records["infrastructure"]
    assert other[other["county"] != COUNTY].equals(
        records["infrastructure"][records["infrastructure"]["county"] != COUNTY]
    )


def test_a_bad_return_lists_every_problem(records):
    content = _fill(
        {
            "进度填报": [
                ["typical_scenes", COUNTY, "2026-11", 1],  # wrong month
                ["digital_transformation", COUNTY, MONTH, 3],  # derived, not reported
            ],
            "企业状态": [
                ["E99999", "无此企业", COUNTY, "planned", "done", "2026-12-40"],
            ],
            "数字经济项目": [
                ["DP901", "", "建平县", "iot", "在建", -5, MONTH],
                ["DP901", "重复项目", COUNTY, "iot", "在建", 10, MONTH],
            ],
            "基础设施": [[COUNTY, MONTH, "5g_sites", "九", ""]],
        },
        drop="绿色园区工厂",
    )
    with pytest.raises(ReturnError) as err:
        read_return(content, county=COUNTY, month=MONTH, records=records, file_name="bad.xlsx")
    assert isinstance(err.value, DataError)
    table = err.value.to_frame()
    assert list(table.columns) == ["sheet", "row", "column", "message", "value"]
    got = {(p.sheet, p.row, p.column) for p in err.value.problems}
    expected = {
        ("进度填报", 2, "月份"),
        ("进度填报", 3, "指标代码"),
        ("企业状态", 2, "新状态"),
        ("企业状态", 2, "日期"),
        ("企业状态", 2, "企业编号"),
        ("数字经济项目", 2, "项目名称"),
        ("数字经济项目", 2, "区县"),
        ("数字经济项目", 2, "总投资(万元)"),
        ("数字经济项目", 3, "项目编号"),
        ("基础设施", 2, "本月新建"),
        ("绿色园区工厂", None, None),  # the missing sheet
    }
    assert got == expected
    assert any("绿色园区工厂" in p.message for p in err.value.problems)
    assert "bad.xlsx" in str(err.value) and "11 problems" in str(err.value)
    dup = next(p for p in err.value.problems if p.row == 3 and p.sheet == "数字经济项目")
    assert "第 2 行" in dup.message


def test_problems_in_english_and_unreadable_files(records):
    content = _fill({"基础设施": [[COUNTY, MONTH, "5g_sites", -1, ""]]})
    with pytest.raises(ReturnError) as err:
        read_return(content, county=COUNTY, month=MONTH, records=records, language="en")
    assert err.value.problems[0].message == "must be a number of at least 0"
    with pytest.raises(ReturnError, match="not a readable Excel"):
        read_return(b"not a workbook", county=COUNTY, month=MONTH, language="en")
    with pytest.raises(ValueError, match="county"):
        read_return(content, county="no such county", month=MONTH, records=records)


def test_a_failed_import_changes_nothing(records):
    content = _fill({"基础设施": [[COUNTY, "2027-01", "5g_sites", 3, ""]]})
    before = {name: frame.copy() for name, frame in records.tables.items()}
    with pytest.raises(ReturnError):
        import_return(records, content, file_name="x.xlsx", county=COUNTY, month=MONTH)
    for name, frame in records.tables.items():
        assert frame.equals(before[name]), name
