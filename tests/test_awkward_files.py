"""Every awkward file of issue 14, read from a path, from bytes and from a file-like object.

The files are built in memory by ``tests/awkward.py`` (seeded, synthetic).
A case either loads with the expected rows, values and warnings, or raises a
DataError with the expected problem code; never another exception.
"""

import io
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from awkward import Case, cases, firms

import geodata
from geodata import DataError, _archives, read_layer, reading

CASES = {c.name: c for c in cases()}


def _source(case: Case, mode: str, tmp_path: Path):
    if mode == "path":
        path = tmp_path / case.filename
        path.write_bytes(case.content)
        return path
    if mode == "bytes":
        return case.content
    buf = io.BytesIO(case.content)
    buf.name = case.filename
    return buf


@pytest.mark.parametrize("mode", ["path", "bytes", "file"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_awkward_case(name, mode, tmp_path):
    case = CASES[name]
    source = _source(case, mode, tmp_path)
    if case.error is not None:
        with pytest.raises(DataError) as info:
            read_layer(source, case.kind, **case.options)
        codes = [p.code for p in info.value.problems]
        assert case.error in codes, info.value
        for p in info.value.problems:
            assert "infrasite-" not in str(p) and "/tmp" not in str(p)
            assert p.message("zh") != str(p.message) or p.code is None
        return
    gdf = read_layer(source, case.kind, **case.options)
    assert len(gdf) == case.rows
    got = {w.code for w in gdf.attrs["warnings"]}
    expected = set(case.warns) - ({"wrong_extension"} if mode == "bytes" else set())
    assert expected <= got, gdf.attrs["warnings"]
    assert all(w.severity == "warning" for w in gdf.attrs["warnings"])
    if case.check is not None:
        assert case.check(gdf)


def test_clean_file_has_no_warnings(tmp_path):
    case = CASES["title_semicolon"]
    gdf = read_layer(_source(case, "path", tmp_path), "enterprises")
    assert gdf.attrs["warnings"] == []


def test_messages_in_chinese_with_spreadsheet_lines(tmp_path):
    text = "朝阳市企业名单\n编号,企业名称,经度,纬度\nA,甲,120.4,41.5\nB,乙,abc,41.5\n"
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_layer(path, "enterprises")
    (p,) = info.value.problems
    assert (p.row, p.line, p.code) == (2, 4, "lon_not_number")
    assert p.message == "longitude is not a number"
    assert p.message("zh") == "经度不是数字" == p.text("zh")
    frame = info.value.to_frame(language="zh", lines=True)
    assert list(frame.columns) == ["line", "row", "column", "message", "value"]
    assert frame.iloc[0].tolist() == [4, 2, "经度", "经度不是数字", "abc"]
    # field names render as their Chinese labels
    bad = tmp_path / "g.csv"
    bad.write_text("编号,企业名称,从业人数,经度,纬度\nA,甲,x,120.4,41.5\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_layer(bad, "enterprises")
    assert info.value.problems[0].message("zh") == "从业人数应为数字"


def test_generated_ids_are_stable_and_duplicates_still_fail(tmp_path):
    rows = ["企业名称,经度,纬度"] + [f"{f['name']},{f['lon']},{f['lat']}" for f in firms()]
    path = tmp_path / "noid.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    first = read_layer(path, "enterprises")
    path.write_text("\n".join([rows[0], *reversed(rows[1:])]) + "\n", encoding="utf-8")
    again = read_layer(path, "enterprises")
    assert dict(zip(first["name"], first["id"], strict=True)) == dict(
        zip(again["name"], again["id"], strict=True)
    )
    (note,) = [w for w in first.attrs["warnings"] if w.code == "ids_generated"]
    assert note.params["n"] == len(first)
    assert "编号" in note.message("zh")
    with pytest.raises(DataError, match="duplicate id"):
        read_layer(io.BytesIO(CASES["duplicate_ids"].content), "enterprises")


def test_blank_id_cells_get_ids(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("编号,企业名称,经度,纬度\nA,甲,120.4,41.5\n,乙,120.5,41.6\n", encoding="utf-8")
    gdf = read_layer(path, "enterprises")
    assert gdf["id"].iloc[0] == "A"
    assert gdf["id"].iloc[1].startswith("auto-")


def test_zip_total_size_limit(monkeypatch):
    monkeypatch.setattr(_archives, "MAX_UNPACKED_BYTES", 1000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.shp", bytes(2000))
    with pytest.raises(DataError) as info:
        read_layer(buf.getvalue(), "enterprises")
    assert info.value.problems[0].code == "zip_too_big"
    assert "limit of 0 MB" in str(info.value) or "limit" in str(info.value)


def test_big_csv_refused_with_the_limit(monkeypatch, tmp_path):
    monkeypatch.setattr(reading, "MAX_CSV_BYTES", 1 << 20)
    path = tmp_path / "big.csv"
    line = "A,朝阳实业有限公司,120.4,41.5\n"
    path.write_text("编号,企业名称,经度,纬度\n" + line * 50_000, encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_layer(path, "enterprises")
    p = info.value.problems[0]
    assert p.code == "too_big" and p.params["limit"] == 1
    assert "1 MB" in p.message("zh")


def test_study_area_warning():
    case = CASES["title_semicolon"]
    far = geodata.load_demo("chaoyang").admin_areas.iloc[:1]
    gdf = read_layer(case.content, "enterprises", study_area=far.geometry.iloc[0].buffer(-0.3))
    assert "outside_area" in {w.code for w in gdf.attrs["warnings"]}


def test_every_message_renders_in_both_languages_with_the_same_values():
    import string

    from geodata._messages import MESSAGES

    def names(template: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}

    for code, (en, zh) in MESSAGES.items():
        assert zh and en, code
        assert names(zh) - {"sea_zh"} <= names(en), code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), code
