"""The documents that go upward: bulletin (.docx), supervision and ranking sheets (.xlsx)."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from geodata.demo import load_demo
from planning import SpecificationError
from planning import programme as pp

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo():
    return load_demo("chaoyang")


@pytest.fixture(scope="module")
def q3(demo) -> docx.document.Document:
    return docx.Document(io.BytesIO(pp.bulletin(demo, quarter="2026Q3", language="zh")))


def _pictures(document) -> dict[str, bytes]:
    out = {}
    for shape in document.inline_shapes:
        descr = shape._inline.docPr.get("descr")
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        out[descr] = document.part.related_parts[blip.embed].blob
    return out


def _shaded(cell) -> bool:
    props = cell._tc.tcPr
    return props is not None and props.find(qn("w:shd")) is not None


def test_bulletin_holds_the_per_county_table(demo, q3):
    sep = pp.progress(demo, month="2026-09", indicators=["digital_transformation"])
    tables = q3.tables
    county_table = next(t for t in tables if t.rows[0].cells[0].text == "区县")
    rows = {r.cells[0].text: r for r in county_table.rows[1:]}
    assert set(sep["county"]) - {pp.CITY} <= set(rows)
    assert "全市" in rows
    for rec in sep.itertuples():
        row = rows[rec.county]
        assert row.cells[1].text == f"{rec.target:,.0f}"
        assert row.cells[2].text == f"{rec.done:,.0f}"
        assert row.cells[3].text == f"{100 * rec.share:.1f}%"
        assert row.cells[6].text == ("是" if rec.behind else "否")
        assert _shaded(row.cells[0]) == bool(rec.behind), rec.county  # behind: marked red
    assert any(not b for b in sep["behind"]) and any(sep["behind"])


def test_bulletin_holds_the_map_and_the_trend_chart(q3):
    pictures = _pictures(q3)
    assert set(pictures) == {"trend chart", "county map"}
    for blob in pictures.values():
        assert blob.startswith(PNG) and len(blob) > 20_000


def test_bulletin_headlines_and_synthetic_label(demo, q3):
    text = "\n".join(p.text for p in q3.paragraphs)
    assert "合成数据" in text
    sep = pp.progress(demo, month="2026-09", indicators=["digital_transformation"])
    city = sep[sep["county"] == pp.CITY].iloc[0]
    assert f"完成{city['done']:.0f}家" in text and "序时进度75.0%" in text
    assert "2026年第3季度" in text
    ranking_table = q3.tables[-1]
    ranked = pp.ranking(demo, 2026, month=9)
    assert [r.cells[1].text for r in ranking_table.rows[1:]] == list(ranked.index)


def test_bulletin_in_english(demo):
    doc = docx.Document(io.BytesIO(pp.bulletin(demo, quarter="2026Q4", language="en")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "synthetic" in text and "2026 Q4" in text
    assert any(t.rows[0].cells[0].text == "county" for t in doc.tables)


def test_bulletin_refuses_bad_input(demo):
    with pytest.raises(SpecificationError, match="2026Q3"):
        pp.bulletin(demo, quarter="Q3 2026")
    with pytest.raises(ValueError, match="language"):
        pp.bulletin(demo, language="fr")
    with pytest.raises(SpecificationError, match="elsewhere"):
        pp.bulletin(demo.replace(name="elsewhere"))


def test_supervision_sheet(demo):
    book = openpyxl.load_workbook(io.BytesIO(pp.supervision_sheet(demo, "2026-11")))
    ws = book["督导"]
    assert "2026-11" in ws["A1"].value and "合成" in ws["A2"].value
    header = [c.value for c in ws[4]]
    assert header[:5] == ["指标", "区县", "单位", "年度目标", "累计完成"]
    nov = pp.progress(demo, month="2026-11", infrastructure=False)
    body = list(ws.iter_rows(min_row=5, values_only=True))
    assert len(body) == len(nov)
    assert body[7][1] == "全市" and body[7][4] == 76
    assert "基础设施" in book.sheetnames


def test_ranking_sheet_has_the_breakdown(demo):
    book = openpyxl.load_workbook(io.BytesIO(pp.ranking_sheet(demo, 2026, language="en")))
    ws = book["ranking"]
    header = [c.value for c in ws[4]]
    assert header[:3] == ["county", "rank", "score"]
    assert any(h and h.endswith("points") for h in header)
    rank = pp.ranking(demo, 2026)
    rows = list(ws.iter_rows(min_row=5, max_row=11, values_only=True))
    assert [r[0] for r in rows] == list(rank.index)
    assert [r[2] for r in rows] == pytest.approx(list(rank["score"]))
    weights = list(book["weights"].iter_rows(min_row=5, values_only=True))
    assert sum(r[2] for r in weights) == pytest.approx(100)
