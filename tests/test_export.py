import csv
import io
import json
import re

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
from scenario_fixtures import candidates, firms, random_city

import geodata
from planning.export import FORMATS, export_filename, export_scenario
from planning.scenarios import ScenarioSpec, run_scenario

NASTY = '<script>alert("x")</script> & 朝阳'


@pytest.fixture(scope="module")
def result():
    data = random_city(7, n_firms=200, n_sites=40)
    ent = data.enterprises.copy()
    ent.loc[ent.index[0], "name"] = NASTY
    ent.loc[ent.index[0], "county"] = NASTY
    data = data.replace(enterprises=ent)
    spec = ScenarioSpec(
        name=NASTY, n_sites=4, demand={"employees": 1, "firms": 1}, count_existing=False
    )
    res = run_scenario(data, spec)
    # make sure the nasty firm is among the served ones
    assert res.served["covered_after"].any()
    return res


def test_gpkg_opens_back(result, tmp_path):
    path = tmp_path / "s.gpkg"
    path.write_bytes(export_scenario(result, "gpkg", language="en"))
    layers = dict(pyogrio.list_layers(path))
    assert layers["proposed_sites"] == "Point"
    assert layers["served_firms"] == "Point"
    assert {"indicators", "parameters"} <= set(layers)
    sites = pyogrio.read_dataframe(path, layer="proposed_sites")
    assert sorted(sites["ID"]) == sorted(result.proposed_sites["id"])
    assert sites.crs.to_epsg() == 4326
    np.testing.assert_allclose(
        sorted(sites.geometry.x), sorted(result.proposed_sites.geometry.x), atol=1e-9
    )
    firms = pyogrio.read_dataframe(path, layer="served_firms")
    # every firm is listed, the unserved ones flagged, not left out
    assert len(firms) == len(result.served)
    assert int(firms["Served after"].sum()) == int(result.served["covered_after"].sum())
    assert (~firms["Served after"].astype(bool)).sum() > 0
    params = pyogrio.read_dataframe(path, layer="parameters", read_geometry=False)
    assert NASTY in params["Value"].tolist()


def test_geojson(result):
    doc = json.loads(export_scenario(result, "geojson", language="en"))
    assert doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == len(result.proposed_sites)
    props = doc["features"][0]["properties"]
    assert {"ID", "Build order", "Marginal contribution"} <= set(props)
    doc = json.loads(export_scenario(result, "geojson", language="zh", layer="served_firms"))
    assert len(doc["features"]) == len(result.served)
    flags = [f["properties"]["方案后覆盖"] for f in doc["features"]]
    assert sum(flags) == int(result.served["covered_after"].sum()) < len(flags)
    assert "企业名称" in doc["features"][0]["properties"]
    lon, lat = doc["features"][0]["geometry"]["coordinates"]
    assert 120 < lon < 121 and 41 < lat < 42


def test_csv_has_bom_and_chinese(result):
    raw = export_scenario(result, "csv", language="zh")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(result.proposed_sites)
    assert {"建设次序", "编号", "经度", "纬度", "站址来源"} <= set(rows[0])
    assert rows[0]["站址来源"] in {"铁塔站址", "园区楼顶", "停车场", "路侧"}
    firms = pd.read_csv(
        io.BytesIO(export_scenario(result, "csv", language="zh", layer="served_firms")),
        encoding="utf-8-sig",
    )
    assert set(firms["新覆盖"]) <= {"是", "否"}


def test_xlsx(result):
    book = openpyxl.load_workbook(io.BytesIO(export_scenario(result, "xlsx", language="zh")))
    assert book.sheetnames[0] == "参数"
    assert "拟建站点" in book.sheetnames and "服务企业" in book.sheetnames
    params = {r[0]: r[1] for r in book["参数"].iter_rows(min_row=2, values_only=True)}
    assert params["方案名称"] == NASTY
    assert params["设定新建站点数"] == "4"
    # only the settings of this objective; no empty ones
    assert "预算(元)" not in params and "覆盖目标" not in params
    assert "None" not in {str(v) for v in params.values()}
    # shares as percentages with one decimal, the change in points
    ind = [c.value for c in book["分区县、分园区指标"][1]]
    assert "原企业覆盖率 (%)" in ind and "覆盖率提升 (百分点)" in ind
    col = ind.index("原企业覆盖率 (%)") + 1
    shares = [r[0].value for r in book["分区县、分园区指标"].iter_cols(col, col, 2)]
    assert all(0 <= v <= 100 and round(v, 1) == v for v in shares)
    assert "从业人数" in params["需求口径"]
    header = [c.value for c in book["拟建站点"][1]]
    assert "边际贡献" in header
    assert book["拟建站点"].max_row == len(result.proposed_sites) + 1
    en = openpyxl.load_workbook(io.BytesIO(export_scenario(result, "xlsx", language="en")))
    assert en.sheetnames[0] == "parameters"
    assert "Marginal contribution" in [c.value for c in en["proposed sites"][1]]


def test_summary_html_is_escaped_and_self_contained(result):
    text = export_scenario(result, "summary_html", language="zh").decode("utf-8")
    assert "<script" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 朝阳" in text
    assert not re.search(r"(src|href)\s*=", text)
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in text
    assert "<svg" in text and "<polyline" in text
    assert "选址方案摘要" in text
    en = export_scenario(result, "summary_html", language="en").decode("utf-8")
    assert "Siting scenario summary" in en and "选址方案摘要" not in en


def test_summary_md(result):
    text = export_scenario(result, "summary_md", language="en").decode("utf-8")
    assert text.startswith("# Siting scenario summary")
    assert "| Build order |" in text
    for line in text.splitlines():
        if line.startswith("|"):
            # escaped pipes never add a column
            assert len(re.findall(r"(?<!\\)\|", line)) in {3, 9, 10, 11}


def test_language_switch_changes_headers(result):
    zh = export_scenario(result, "csv", language="zh").decode("utf-8-sig").splitlines()[0]
    en = export_scenario(result, "csv", language="en").decode("utf-8-sig").splitlines()[0]
    assert zh != en
    assert "Build order" in en and "建设次序" in zh


def test_errors_and_names(result):
    with pytest.raises(ValueError, match="fmt must be one of"):
        export_scenario(result, "pdf")
    with pytest.raises(ValueError, match="language must be one of"):
        export_scenario(result, "csv", language="fr")
    with pytest.raises(ValueError, match="layer must be one of"):
        export_scenario(result, "csv", layer="roads")
    for fmt in FORMATS:
        name = export_filename(result, fmt)
        assert (
            "/" not in name
            and "<" not in name
            and name.split(".")[-1] in {"gpkg", "geojson", "csv", "xlsx", "html", "md"}
        )


@pytest.mark.parametrize("objective", ["max_coverage", "min_sites", "budget", "min_distance"])
def test_empty_proposal_exports(objective, tmp_path):
    # no candidate reaches any firm: nothing is proposed, every export still works
    data = geodata.PlanningData(
        "empty", enterprises=firms([(0, 0), (5000, 0)]), candidate_sites=candidates([(2500, 0)])
    )
    spec = ScenarioSpec(objective=objective, n_sites=1, budget_cny=1e6, radius_m=10)
    res = run_scenario(data, spec)
    assert len(res.proposed_sites) == 0
    assert res.summary["share_after"] == 0 and res.summary["unreachable_firms"] == 2
    for fmt in FORMATS:
        for layer in ("proposed_sites", "served_firms"):
            assert export_scenario(res, fmt, language="en", layer=layer)
    path = tmp_path / "e.gpkg"
    path.write_bytes(export_scenario(res, "gpkg"))
    assert len(pyogrio.read_dataframe(path, layer="proposed_sites")) == 0


def test_workbook_holds_the_stages_and_the_county_floors():
    import io

    import openpyxl

    import geodata
    from planning import export
    from planning.scenarios import ScenarioSpec, run_scenario

    data = geodata.load_demo()
    staged = run_scenario(data, ScenarioSpec(name="st", n_sites=4, stage_sites=(2, 2)))
    floors = run_scenario(data, ScenarioSpec(name="fl", n_sites=12, min_share_per_county=0.5))
    for result, sheet, rows in ((staged, "分年度建设", 2), (floors, "分区县底线", 7)):
        book = openpyxl.load_workbook(io.BytesIO(export.export_scenario(result, "xlsx")))
        assert sheet in book.sheetnames, book.sheetnames
        values = list(book[sheet].values)
        assert len(values) == rows + 1
        if sheet == "分区县底线":
            assert values[0][:3] == ("分组", "需求权重", "覆盖率底线")
            assert {v[5] for v in values[1:]} <= {"是", "否"}
        else:
            assert values[0][0] == "建设年度" and [v[0] for v in values[1:]] == [1, 2]
