"""Large CSVs: parsed by pyarrow in blocks, with the same results as the small-file reader."""

import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from awkward import HEADER, _csv, _table, cases, firms
from corpus_files import corpus

import geodata
from geodata import DataError, _bigcsv, reading

CSV_CASES = [
    c
    for c in cases()
    if c.content[:2] != b"PK" and Path(c.filename).suffix == ".csv" and c.name != "huge_field"
]


def _outcome(content: bytes, name: str = "f.csv", **options):
    buf = io.BytesIO(content)
    buf.name = name
    try:
        gdf = geodata.read_layer(buf, options.pop("kind", "enterprises"), **options)
    except DataError as exc:
        return "error", [(p.code, p.row, p.line, p.column) for p in exc.problems]
    warnings = sorted((w.code, w.row, w.line) for w in gdf.attrs["warnings"])
    return "ok", gdf.drop(columns="geometry").astype(str).values.tolist(), warnings


def _both(monkeypatch, content: bytes, **options):
    monkeypatch.setattr(reading, "FAST_CSV_BYTES", 1 << 40)
    slow = _outcome(content, **dict(options))
    monkeypatch.setattr(reading, "FAST_CSV_BYTES", 0)
    monkeypatch.setattr(_bigcsv, "BLOCK_BYTES", 4096)
    fast = _outcome(content, **dict(options))
    return slow, fast


TEXT_FILES = [
    (name, content, entry)
    for name, content, entry in corpus(heavy=False)
    if Path(name).suffix in (".csv", ".txt", ".tsv")
    and len(content) < 200_000
    and not name.startswith(("awk_", "huge", "many_columns"))
]


@pytest.mark.parametrize("case", CSV_CASES, ids=[c.name for c in CSV_CASES])
def test_blocks_read_like_the_whole_file(case, monkeypatch):
    slow, fast = _both(monkeypatch, case.content, kind=case.kind, **case.options)
    assert fast == slow


@pytest.mark.parametrize("item", TEXT_FILES, ids=[n for n, _, _ in TEXT_FILES])
def test_corpus_text_files_read_alike_in_blocks(item, monkeypatch):
    name, content, entry = item
    options = {"kind": entry["kind"], **entry.get("options", {})}
    slow, fast = _both(monkeypatch, content, name=name, **options)
    assert fast == slow


def test_large_csv_from_a_path_reads_like_from_memory(monkeypatch, tmp_path):
    content = _csv(_table(firms(4, n=500)), encoding="gbk")
    path = tmp_path / "firms.csv"
    path.write_bytes(content)
    monkeypatch.setattr(reading, "FAST_CSV_BYTES", 0)
    monkeypatch.setattr(_bigcsv, "BLOCK_BYTES", 4096)
    from_path = geodata.read_layer(path, "enterprises")
    from_bytes = geodata.read_layer(content, "enterprises")
    assert len(from_path) == 500
    assert from_path.drop(columns="geometry").equals(from_bytes.drop(columns="geometry"))


def test_problems_and_notes_are_numbered_across_blocks(monkeypatch):
    data = firms(5, n=600)
    rows = _table(data)
    rows[450][3] = "很多"  # employees not a number, far into the file
    for r in rows[1:200]:
        r[0] = ""  # ids to generate in the first blocks
    body = [["朝阳市企业名单"], *rows, ["合计", "", "", "", "", "", ""], [""] * 7, [""] * 7]
    content = _csv(body)
    slow, fast = _both(monkeypatch, content)
    assert fast == slow
    assert slow[0] == "error" and slow[1] == [("not_number", 450, 452, "从业人数")]
    rows[450][3] = "12"
    slow, fast = _both(monkeypatch, _csv([["朝阳市企业名单"], *rows, ["合计"] + [""] * 6]))
    assert fast == slow
    assert ("total_row", 601, 603) in slow[2] and ("ids_generated", None, None) in slow[2]


def test_short_rows_are_read_whole_or_refused_with_the_limit(monkeypatch):
    rows = [HEADER, *[r for r in _table(firms(1, n=300))[1:]]]
    rows.insert(1, ["备注行"])  # a row of one value: padded by the small-file reader
    content = _csv([[*HEADER, "备注"], *rows[2:]]) + "X1,甲\n".encode()
    slow, fast = _both(monkeypatch, content)
    assert fast == slow
    monkeypatch.setattr(reading, "SMALL_CSV_BYTES", 100)
    with pytest.raises(DataError) as info:
        geodata.read_layer(content, "enterprises")
    (p,) = info.value.problems
    assert p.code == "ragged_rows" and p.params["limit"] == 0
    assert "Excel" in p.message and "Excel" in p.message("zh")


def test_row_and_size_limits_in_the_fast_reader(monkeypatch):
    content = _csv(_table(firms(2, n=400)))
    monkeypatch.setattr(reading, "FAST_CSV_BYTES", 0)
    monkeypatch.setattr(_bigcsv, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(reading, "MAX_ROWS", 100)
    with pytest.raises(DataError) as info:
        geodata.read_layer(content, "enterprises")
    assert info.value.problems[0].code == "too_many_rows"
    monkeypatch.setattr(reading, "MAX_CSV_BYTES", 1000)
    with pytest.raises(DataError) as info:
        geodata.read_layer(content, "enterprises")
    assert info.value.problems[0].code == "too_big"
