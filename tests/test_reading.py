import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import geodata
from geodata import DataError, read_layer
from geodata.schema import LAYER_KINDS

DATA = Path(__file__).parent / "data"
LAYERS = DATA / "layers"
ADMIN = DATA / "admin"


def schema_columns(kind):
    return [f.name for f in LAYER_KINDS[kind].fields]


class Upload(io.BytesIO):
    """Stands in for Streamlit's UploadedFile: a BytesIO with a name."""

    def __init__(self, content, name):
        super().__init__(content)
        self.name = name


def test_gbk_csv_with_chinese_headers_loads_without_options():
    gdf = read_layer(LAYERS / "firms_gbk.csv", "enterprises")
    assert len(gdf) == 30
    assert list(gdf.columns) == [*schema_columns("enterprises"), "联系人", "geometry"]
    assert gdf.crs.equals("EPSG:4326")
    assert gdf["name"].iloc[0].startswith("朝阳")
    assert gdf["name"].str.contains("实业有限公司").all()
    assert set(gdf["sector"]) <= set(LAYER_KINDS["enterprises"].field("sector").allowed)
    assert "steel_metallurgy" in set(gdf["sector"])
    assert set(gdf["digital_status"]) <= {"none", "planned", "in_progress", "completed"}
    assert gdf["on_transform_list"].dtype == bool
    assert gdf["on_transform_list"].any()
    assert gdf["employees"].dtype == np.int64
    assert gdf["output_value"].dtype == np.float64
    assert (gdf["output_value"] > 0).all()
    assert (gdf["energy_use"] == 0.0).all()
    assert (gdf["green_level"] == "none").all()
    assert gdf.geometry.geom_type.eq("Point").all()
    assert gdf.geometry.x.between(119, 121.5).all()
    raw = pd.read_csv(LAYERS / "firms_gbk.csv", encoding="gbk")
    np.testing.assert_allclose(gdf.geometry.x, raw["经度"])
    assert list(gdf["id"]) == list(raw["编号"])
    assert gdf.attrs["skipped"] == []


def test_utf8_bom_csv_in_gcj02_converts_to_the_same_points():
    ref = read_layer(LAYERS / "firms_gbk.csv", "enterprises")
    gdf = read_layer(LAYERS / "firms_gcj02_utf8_bom.csv", "enterprises", crs="GCJ-02")
    assert list(gdf["id"]) == list(ref["id"])
    assert list(gdf["name"]) == list(ref["name"])
    assert list(gdf["sector"]) == list(ref["sector"])
    assert list(gdf["employees"]) == list(ref["employees"])
    np.testing.assert_allclose(gdf.geometry.x, ref.geometry.x, atol=1e-8)
    np.testing.assert_allclose(gdf.geometry.y, ref.geometry.y, atol=1e-8)
    unconverted = read_layer(LAYERS / "firms_gcj02_utf8_bom.csv", "enterprises")
    shift = (unconverted.geometry.x - ref.geometry.x).abs()
    assert (shift > 0.002).all()


def test_xlsx_first_sheet_and_sheet_choice():
    base = read_layer(LAYERS / "sites.xlsx", "base_stations")
    assert len(base) == 12
    assert list(base.columns) == [*schema_columns("base_stations"), "geometry"]
    assert set(base["operator"]) <= set(LAYER_KINDS["base_stations"].field("operator").allowed)
    assert set(base["band"]) <= {"700MHz", "2.6GHz", "3.5GHz", "4.9GHz"}
    assert (base["height_m"] == 30.0).all()
    assert (base["status"] == "operational").all()
    by_name = read_layer(LAYERS / "sites.xlsx", "charging_stations", sheet="充电站")
    by_index = read_layer(LAYERS / "sites.xlsx", "charging_stations", sheet=1)
    assert len(by_name) == 8
    pd.testing.assert_frame_equal(pd.DataFrame(by_name), pd.DataFrame(by_index))


def test_xlsx_unknown_sheet_lists_sheets():
    with pytest.raises(DataError, match="sheet 'stations' does not exist") as info:
        read_layer(LAYERS / "sites.xlsx", "charging_stations", sheet="stations")
    assert "'5G基站', '充电站'" in str(info.value)
    assert info.value.source == "sites.xlsx"


def test_geojson_with_mixed_category_spellings():
    gdf = read_layer(LAYERS / "charging.geojson", "charging_stations")
    raw = gpd.read_file(LAYERS / "charging.geojson")
    assert len(gdf) == len(raw) == 8
    expected = {"public": "public", "Private": "private", "公共": "public"}
    assert list(gdf["access"]) == [expected[a] for a in raw["access"]]
    assert gdf["piles"].dtype == np.int64
    assert (gdf["operator"] == "").all()


def test_gpkg_layer_choice():
    parks = read_layer(LAYERS / "planning.gpkg", "parks")
    assert len(parks) == 7
    assert parks["name"].str.endswith("经济开发区").all()
    assert list(parks["level"]) == ["provincial"] * 6 + ["national"]
    assert parks.geometry.geom_type.eq("Polygon").all()
    with pytest.raises(DataError, match="several layers") as info:
        read_layer(LAYERS / "planning.gpkg", "candidate_sites")
    assert "'parks'" in str(info.value)
    assert "'candidates'" in str(info.value)
    sites = read_layer(LAYERS / "planning.gpkg", "candidate_sites", layer="candidates")
    assert len(sites) == 10
    assert set(sites["infrastructure"]) <= {"5g", "charging"}
    with pytest.raises(DataError, match="layer 'nope' does not exist"):
        read_layer(LAYERS / "planning.gpkg", "parks", layer="nope")


@pytest.mark.parametrize("name", ["base_stations_shp.zip", "base_stations_nocpg.zip"])
def test_zipped_shapefile_gbk_dbf_and_prj(name):
    gdf = read_layer(LAYERS / name, "base_stations")
    ref = read_layer(LAYERS / "sites.xlsx", "base_stations")
    assert list(gdf["name"]) == list(ref["name"])
    assert gdf["name"].iloc[0].endswith(f"基站{1}")
    assert list(gdf["operator"]) == list(ref["operator"])
    # the shapefile is in UTM 51N (.prj): it must come back in degrees
    np.testing.assert_allclose(gdf.geometry.x, ref.geometry.x, atol=1e-6)
    np.testing.assert_allclose(gdf.geometry.y, ref.geometry.y, atol=1e-6)


def test_uploads_in_memory():
    content = (LAYERS / "firms_gbk.csv").read_bytes()
    from_path = read_layer(LAYERS / "firms_gbk.csv", "enterprises")
    for source in (content, bytearray(content), io.BytesIO(content), Upload(content, "f.csv")):
        gdf = read_layer(source, "enterprises")
        pd.testing.assert_frame_equal(pd.DataFrame(gdf), pd.DataFrame(from_path))
    xlsx = (LAYERS / "sites.xlsx").read_bytes()
    assert len(read_layer(xlsx, "base_stations")) == 12
    assert len(read_layer(Upload(xlsx, "sites.xlsx"), "base_stations")) == 12
    gpkg = Upload((LAYERS / "planning.gpkg").read_bytes(), "plan.gpkg")
    assert len(read_layer(gpkg, "parks")) == 7
    shp = Upload((LAYERS / "base_stations_shp.zip").read_bytes(), "中文名.zip")
    assert len(read_layer(shp, "base_stations")) == 12
    geojson = (LAYERS / "charging.geojson").read_bytes()
    assert len(read_layer(geojson, "charging_stations")) == 8
    upload = Upload(content, "f.csv")
    upload.read()
    assert len(read_layer(upload, "enterprises")) == 30


def test_lone_shp_upload_asks_for_a_zip():
    with pytest.raises(DataError, match=r"as one \.zip holding its \.shp, \.shx, \.dbf"):
        read_layer(Upload(b"\x00\x00\x27\x0a" + b"\x00" * 96, "sites.shp"), "base_stations")


def test_upload_errors_name_the_file():
    with pytest.raises(DataError, match=r"bad\.csv: 1 problem") as info:
        read_layer(Upload(b"id,name\n1,a\n", "bad.csv"), "enterprises")
    assert info.value.source == "bad.csv"


def test_explicit_encoding_and_separator(tmp_path):
    path = tmp_path / "firms.txt"
    text = "编号\t名称\t经度\t纬度\nA1\t朝阳钢铁\t120.45\t41.57\n"
    path.write_bytes(text.encode("gb2312"))
    gdf = read_layer(path, "enterprises", encoding="gb2312")
    assert gdf["name"].iloc[0] == "朝阳钢铁"
    with pytest.raises(DataError, match="could not decode"):
        read_layer(path, "enterprises", encoding="utf-8")


def test_trailing_blank_rows_ignored_but_inner_blank_rows_reported(tmp_path):
    path = tmp_path / "firms.csv"
    path.write_text("id,name,lon,lat\nA,a,120,41\n,,,\nB,b,120.1,41.1\n,,,\n,,,\n")
    with pytest.raises(DataError) as info:
        read_layer(path, "enterprises")
    assert {p.row for p in info.value.problems} == {2}


def test_unsupported_and_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_layer(tmp_path / "nope.csv", "enterprises")
    odd = tmp_path / "map.kml"
    odd.write_text("<kml/>")
    with pytest.raises(DataError, match=r"unsupported file type '\.kml'"):
        read_layer(odd, "enterprises")
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(DataError, match=r"save the sheet as \.xlsx"):
        read_layer(xls, "enterprises")
    fake = tmp_path / "fake.gpkg"
    fake.write_text("not a geopackage")
    with pytest.raises(DataError, match=r"not a valid \.gpkg"):
        read_layer(fake, "parks")
    empty_zip = tmp_path / "empty.zip"
    import zipfile

    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    with pytest.raises(DataError, match=r"holds no Shapefile \(.shp\); it holds: readme.txt"):
        read_layer(empty_zip, "enterprises")
    with pytest.raises(ValueError, match="kind must be one of"):
        read_layer(LAYERS / "firms_gbk.csv", "firms")
    with pytest.raises(ValueError, match="crs must be one of"):
        read_layer(LAYERS / "firms_gbk.csv", "enterprises", crs="google")
    with pytest.raises(TypeError, match="source must be a path"):
        read_layer(42, "enterprises")


def test_datav_gcj02_boundaries_as_admin_areas():
    gdf = read_layer(ADMIN / "chaoyang_counties_datav_gcj02.json", "admin_areas", crs="gcj02")
    assert list(gdf.columns[:3]) == ["id", "name", "short_name"]
    assert sorted(gdf["id"]) == [
        "211302",
        "211303",
        "211321",
        "211322",
        "211324",
        "211381",
        "211382",
    ]
    assert "双塔区" in set(gdf["name"])
    assert gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    tianditu = read_layer(ADMIN / "chaoyang_counties_tianditu_wgs84.geojson", "admin_areas")
    assert sorted(tianditu["id"]) == sorted(gdf["id"])
    assert "喀左县" in set(tianditu["short_name"])
    as_is = read_layer(ADMIN / "chaoyang_counties_datav_gcj02.json", "admin_areas")
    shift = as_is.geometry.bounds.minx - gdf.geometry.bounds.minx
    assert (shift > 0.003).all()
    utm = geodata.crs.local_metric_crs(tianditu)
    ours = gdf.to_crs(utm).set_index("id").geometry
    ref = tianditu.to_crs(utm).set_index("id").geometry
    good = [
        ours[c].intersection(ref[c]).area / ours[c].union(ref[c]).area >= 0.93 for c in ref.index
    ]
    assert sum(good) >= 6


def test_file_crs_wins_unless_gcj02(tmp_path):
    ref = read_layer(LAYERS / "charging.geojson", "charging_stations")
    path = tmp_path / "stations_3857.geojson"
    gpd.read_file(LAYERS / "charging.geojson").to_crs(3857).to_file(path, engine="pyogrio")
    projected = read_layer(path, "charging_stations", crs="wgs84")
    np.testing.assert_allclose(projected.geometry.x, ref.geometry.x, atol=1e-7)
    gcj = read_layer(path, "charging_stations", crs="gcj02")
    assert (gcj.geometry.x < ref.geometry.x).all()


def test_title_rows_above_the_header(tmp_path):
    text = (
        "朝阳市重点企业名单（2025年）,,,\n"
        "制表单位：市工信局,,,\n"
        "编号,企业名称,经度,纬度\n"
        "A1,朝阳钢铁,120.45,41.57\n"
        "A2,朝阳新材料,120.46,abc\n"
    )
    path = tmp_path / "firms.csv"
    path.write_bytes(text.encode("gbk"))
    with pytest.raises(DataError) as info:
        read_layer(path, "enterprises")
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "纬度")]
    gdf = read_layer(path, "enterprises", lenient=True)
    assert list(gdf["name"]) == ["朝阳钢铁"]
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.worksheets[0]
    sheet.append(["朝阳市5G基站清单"])
    sheet.merge_cells("A1:F1")
    sheet.append(["编号", "名称", "运营商", "频段", "覆盖半径(米)", "经度", "纬度"])
    sheet.append([101, "双塔1号站", "中国移动", "2.6GHz", 500, 120.45, 41.57])
    xlsx = tmp_path / "sites.xlsx"
    book.save(xlsx)
    sites = read_layer(xlsx, "base_stations")
    assert list(sites["id"]) == ["101"]
    assert sites["radius_m"].iloc[0] == 500.0
    assert sites["operator"].iloc[0] == "China Mobile"


def test_plain_shp_path_and_null_geometry_geojson(tmp_path):
    import zipfile

    with zipfile.ZipFile(LAYERS / "base_stations_shp.zip") as archive:
        archive.extractall(tmp_path)
    gdf = read_layer(tmp_path / "data" / "base_stations.shp", "base_stations")
    assert len(gdf) == 12
    assert gdf.geometry.x.between(119, 122).all()
    path = tmp_path / "nogeom.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null, '
        '"properties": {"id": "c1", "name": "站", "piles": 3, "经度": 120.4, "纬度": 41.5}}]}',
        encoding="utf-8",
    )
    stations = read_layer(path, "charging_stations")
    assert stations.geometry.iloc[0].x == 120.4


def test_polygon_out_of_range(tmp_path):
    path = tmp_path / "zones.csv"
    path.write_text('id,name,wkt\nZ,z,"POLYGON ((41 120, 42 120, 42 121, 41 121, 41 120))"\n')
    with pytest.raises(DataError, match="appear swapped") as info:
        read_layer(path, "parks")
    assert info.value.problems[0].column == "wkt"


def test_planning_data_geopackage_layers_by_kind(tmp_path):
    firms = read_layer(LAYERS / "firms_gbk.csv", "enterprises")
    parks = read_layer(LAYERS / "planning.gpkg", "parks")
    path = geodata.PlanningData("test", enterprises=firms, parks=parks).to_gpkg(
        tmp_path / "plan.gpkg"
    )
    again = read_layer(path, "enterprises")
    assert list(again["id"]) == list(firms["id"])
    assert list(again["on_transform_list"]) == list(firms["on_transform_list"])
    assert len(read_layer(path, "parks")) == 7
    assert len(read_layer(path, "charging_stations")) == 0


def test_excel_unicode_text_export(tmp_path):
    path = tmp_path / "firms.txt"
    text = "编号\t企业名称\t经度\t纬度\r\nA1\t朝阳钢铁\t120.45\t41.57\r\n"
    path.write_bytes(text.encode("utf-16"))
    gdf = read_layer(path, "enterprises")
    assert gdf["name"].iloc[0] == "朝阳钢铁"


def test_baidu_coordinates(tmp_path):
    ref = read_layer(LAYERS / "firms_gbk.csv", "enterprises")
    lon, lat = geodata.crs.wgs84_to_bd09(ref.geometry.x.to_numpy(), ref.geometry.y.to_numpy())
    path = tmp_path / "firms_baidu.csv"
    pd.DataFrame({"id": ref["id"], "name": ref["name"], "lng": lon, "lat": lat}).to_csv(
        path, index=False
    )
    gdf = read_layer(path, "enterprises", crs="BD-09")
    np.testing.assert_allclose(gdf.geometry.x, ref.geometry.x, atol=1e-9)
    np.testing.assert_allclose(gdf.geometry.y, ref.geometry.y, atol=1e-9)


def test_zip_with_gbk_member_names(tmp_path):
    import zipfile

    with zipfile.ZipFile(LAYERS / "base_stations_shp.zip") as archive:
        parts = {Path(n).suffix: archive.read(n) for n in archive.namelist()}
    placeholder = b"AAAAAAAA"
    chinese = "朝阳基站".encode("gbk")
    assert len(chinese) == len(placeholder)
    path = tmp_path / "stations.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for suffix, content in parts.items():
            archive.writestr(f"{placeholder.decode()}{suffix}", content)
    path.write_bytes(path.read_bytes().replace(placeholder, chinese))
    gdf = read_layer(path, "base_stations", layer="朝阳基站")
    assert len(gdf) == 12
    with pytest.raises(DataError, match="layer 'x' does not exist; the file has layers '朝阳基站'"):
        read_layer(path, "base_stations", layer="x")
