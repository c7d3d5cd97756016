import io
import runpy
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from geodata import layer_template, read_layer
from geodata.schema import KINDS, LAYER_KINDS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_round_trips_through_read_layer(kind, language, fmt, tmp_path):
    content = layer_template(kind, language=language, fmt=fmt)
    path = tmp_path / f"template.{fmt}"
    path.write_bytes(content)
    gdf = read_layer(path, kind)
    spec = LAYER_KINDS[kind]
    assert len(gdf) == 1
    assert list(gdf.columns) == [f.name for f in spec.fields] + ["geometry"]
    assert gdf.geometry.iloc[0].geom_type in ("Point", "Polygon")
    assert gdf.geometry.iloc[0].is_valid
    assert gdf.attrs["skipped"] == []
    assert read_layer(content, kind).equals(gdf)


def test_chinese_csv_headers_and_labels():
    content = layer_template("enterprises")
    assert content.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", dtype=str)
    spec = LAYER_KINDS["enterprises"]
    assert list(table.columns) == [f.label_zh for f in spec.fields] + ["经度", "纬度"]
    row = table.iloc[0]
    assert row["行业"] == "其他"
    assert row["数字化转型状态"] == "未开展"
    assert row["列入年度转型名单"] == "否"
    gdf = read_layer(content, "enterprises")
    assert gdf["sector"].iloc[0] == "other"
    assert gdf["employees"].iloc[0] == 120


def test_english_polygon_template_has_wkt():
    table = pd.read_csv(io.BytesIO(layer_template("parks", language="en")), dtype=str)
    assert list(table.columns) == [f.name for f in LAYER_KINDS["parks"].fields] + ["wkt"]
    assert table["wkt"].iloc[0].startswith("POLYGON")


def test_xlsx_template_has_a_column_guide():
    book = load_workbook(io.BytesIO(layer_template("base_stations", fmt="xlsx")))
    assert book.sheetnames == ["5G基站", "说明"]
    guide = list(book["说明"].values)
    assert guide[0][:4] == ("列名", "字段", "类型", "必填")
    operator = next(r for r in guide if r[1] == "operator")
    assert operator[3] == "是"
    assert "中国移动 / China Mobile" in operator[5]
    en = load_workbook(io.BytesIO(layer_template("base_stations", language="en", fmt="xlsx")))
    assert en.sheetnames == ["base_stations", "columns"]


def test_template_arguments_are_checked():
    with pytest.raises(ValueError, match="language must be one of zh, en"):
        layer_template("parks", language="fr")
    with pytest.raises(ValueError, match="fmt must be one of csv, xlsx"):
        layer_template("parks", fmt="ods")
    with pytest.raises(ValueError, match="kind must be one of"):
        layer_template("roads")


def test_docs_data_md_is_up_to_date():
    render = runpy.run_path(str(ROOT / "scripts" / "make_data_docs.py"))["render"]
    committed = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    assert committed == render(), "run `python scripts/make_data_docs.py` and commit docs/data.md"
    for spec in LAYER_KINDS.values():
        assert f"## `{spec.name}`" in committed
        for f in spec.fields:
            assert f"| `{f.name}` |" in committed
