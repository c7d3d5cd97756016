"""The Word reports open in python-docx with the question, the county table, the map and curve."""

from __future__ import annotations

import io

import docx
import pytest

from geodata import demo
from planning.report import comparison_report, scenario_report
from planning.scenarios import ScenarioSpec, run_scenario


@pytest.fixture(scope="module")
def runs():
    data = demo.load_demo("chaoyang")
    a = run_scenario(
        data, ScenarioSpec(name="甲", infrastructure="5g", objective="max_coverage", n_sites=4)
    )
    b = run_scenario(
        data,
        ScenarioSpec(name="乙", infrastructure="charging", objective="max_coverage", n_sites=3),
    )
    return data, a, b


def _images(document) -> list[bytes]:
    return [rel.target_part.blob for rel in document.part.rels.values() if "image" in rel.reltype]


def test_scenario_report_has_the_county_table_map_curve_and_appendix(runs):
    data, a, _ = runs
    document = docx.Document(io.BytesIO(scenario_report(a, data, language="zh")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "选址方案报告: 甲" in text and "合成" in text
    assert "百分点" in text  # the answer states the change in points
    county = [t for t in document.tables if t.rows[0].cells[0].text == "区县"]
    assert county, "no county table"
    names = {r.cells[0].text for r in county[0].rows[1:]}
    assert set(data.admin_areas["name"]) <= names | set(data.admin_areas.get("short_name", []))
    images = _images(document)
    assert len(images) == 2  # the map and the curve
    assert all(img[:8] == b"\x89PNG\r\n\x1a\n" and len(img) > 10_000 for img in images)
    # appendix: every proposed site, on its own page
    appendix = document.tables[-1]
    assert len(appendix.rows) == len(a.proposed_sites) + 1
    ids = {r.cells[1].text for r in appendix.rows[1:]}
    assert ids == set(a.proposed_sites["id"])
    xml = document.element.xml
    assert 'w:type="page"' in xml


def test_comparison_report_in_english(runs):
    data, a, b = runs
    document = docx.Document(io.BytesIO(comparison_report([a, b], data, language="en")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Siting scenarios compared" in text and "percentage points" in text
    county = next(t for t in document.tables if t.rows[0].cells[0].text == "County")
    assert [c.text for c in county.rows[0].cells][-2:] == ["甲", "乙"]
    assert len(_images(document)) == 2
    with pytest.raises(ValueError, match="at least two"):
        comparison_report([a], data)
    with pytest.raises(ValueError, match="language"):
        scenario_report(a, data, language="fr")
