from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from geodata import DataError, Problem, read_layer, validate_layer
from geodata.schema import KINDS, LAYER_KINDS

LAYERS = Path(__file__).parent / "data" / "layers"
SQUARE = "POLYGON ((120.4 41.5, 120.5 41.5, 120.5 41.6, 120.4 41.6, 120.4 41.5))"


def problems_of(tmp_path, text, kind, name="layer.csv", **kwargs):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_layer(path, kind, **kwargs)
    err = info.value
    assert err.source == name
    assert str(err).startswith(f"{name}: {len(err.problems)} problem")
    for p in err.problems:
        assert str(p) in str(err)
    return err.problems


def test_missing_required_columns_name_the_columns_found(tmp_path):
    text = "编号,lon,lat,Employees\nA,120.4,41.5,3\n"
    problems = problems_of(tmp_path, text, "enterprises", lenient=True)
    assert len(problems) == 1
    p = problems[0]
    assert p.row is None
    assert p.column == "name"
    assert "required column 'name' or 企业名称 is missing" in p.message
    assert "found columns: '编号', 'lon', 'lat', 'Employees'" in p.message


def test_all_missing_required_columns_reported_together(tmp_path):
    problems = problems_of(tmp_path, "x,y,note\n120,41,a\n", "base_stations")
    # A missing id column is no longer a problem: ids are generated (issue 14).
    assert [p.column for p in problems] == ["operator", "band", "radius_m"]


def test_missing_coordinates(tmp_path):
    problems = problems_of(tmp_path, "id,name,lon,lat\nA,a,,41.5\nB,b,120.1,\n", "enterprises")
    assert [(p.row, p.column, p.message) for p in problems] == [
        (1, "lon", "longitude is missing"),
        (2, "lat", "latitude is missing"),
    ]


def test_non_numeric_coordinates(tmp_path):
    text = "id,name,经度,纬度\nA,a,约120,41.5\nB,b,120.1,北纬41\n"
    problems = problems_of(tmp_path, text, "enterprises")
    assert [(p.row, p.column, p.value) for p in problems] == [
        (1, "经度", "约120"),
        (2, "纬度", "北纬41"),
    ]
    assert problems[0].message == "longitude is not a number"


def test_coordinates_out_of_range(tmp_path):
    text = "id,name,lon,lat\nA,a,200.5,41.5\nB,b,-190,41\nC,c,120,-95.5\n"
    problems = problems_of(tmp_path, text, "enterprises")
    assert [(p.row, p.column, p.value) for p in problems] == [
        (1, "lon", "200.5"),
        (2, "lon", "-190"),
        (3, "lat", "-95.5"),
    ]
    assert "out of range [-180, 180]" in problems[0].message
    assert "out of range [-90, 90]" in problems[2].message


def test_swapped_latitude_and_longitude(tmp_path):
    text = "id,name,lon,lat\nA,a,41.57,120.45\nB,b,120.45,41.57\n"
    problems = problems_of(tmp_path, text, "enterprises")
    assert len(problems) == 1
    p = problems[0]
    assert (p.row, p.column) == (1, "lat")
    assert "appear swapped" in p.message
    assert "swap the two columns" in p.message
    assert p.value == "lon=41.57, lat=120.45"


def test_duplicate_ids_name_both_rows(tmp_path):
    text = "id,name,lon,lat\nA,a,120,41\nB,b,120,41\nA,c,120,41\nA,d,120,41\n"
    problems = problems_of(tmp_path, text, "enterprises")
    assert [(p.row, p.value) for p in problems] == [(3, "A"), (4, "A")]
    assert problems[0].message == "duplicate id: also used on row 1"


def test_invalid_geometry_explained(tmp_path):
    bowtie = "POLYGON ((120 41, 121 42, 121 41, 120 42, 120 41))"
    text = f'id,name,wkt\nP1,ok,"{SQUARE}"\nP2,bowtie,"{bowtie}"\n'
    problems = problems_of(tmp_path, text, "parks")
    assert len(problems) == 1
    assert (problems[0].row, problems[0].column) == (2, "wkt")
    assert problems[0].message.startswith("invalid geometry: Self-intersection")


def test_empty_and_unparseable_geometry(tmp_path):
    text = (
        f'id,name,geometry\nP1,a,POLYGON EMPTY\nP2,b,"POLYGON ((1 2, 3"\nP3,c,\nP4,d,"{SQUARE}"\n'
    )
    problems = problems_of(tmp_path, text, "parks")
    assert [(p.row, p.message) for p in problems] == [
        (1, "geometry is empty"),
        (2, "geometry is not valid WKT"),
        (3, "geometry is empty"),
    ]


def test_wrong_geometry_type(tmp_path):
    text = 'id,name,几何\nP1,a,POINT (120.4 41.5)\nP2,b,"LINESTRING (120 41, 121 42)"\n'
    problems = problems_of(tmp_path, text, "parks")
    assert [p.message for p in problems] == [
        "wrong geometry type: expected a polygon, got Point",
        "wrong geometry type: expected a polygon, got LineString",
    ]
    poly = gpd.GeoDataFrame({"id": ["A"], "name": ["a"]}, geometry=[Polygon()], crs=4326)
    poly.loc[0, "geometry"] = Polygon([(120, 41), (121, 41), (121, 42)])
    with pytest.raises(DataError, match="expected a point, got Polygon"):
        validate_layer(poly, "enterprises")


def test_unknown_category_lists_allowed_values(tmp_path):
    text = (
        "id,name,sector,lon,lat\n"
        "A,a,火箭,120,41\nB,b, STEEL_metallurgy ,120,41\nC,c,新材料,120,41\n"
    )
    problems = problems_of(tmp_path, text, "enterprises")
    assert len(problems) == 1
    p = problems[0]
    assert (p.row, p.column, p.value) == (1, "sector", "火箭")
    assert (
        "unknown sector; allowed: steel_metallurgy (钢铁冶金), new_materials (新材料)" in p.message
    )
    good = read_layer(tmp_path / "layer.csv", "enterprises", lenient=True)
    assert list(good["sector"]) == ["steel_metallurgy", "new_materials"]


def test_bad_numbers(tmp_path):
    text = (
        "id,name,operator,band,radius_m,height_m,x,y\n"
        "S1,a,中国移动,3.5GHz,abc,30,120,41\n"
        "S2,b,China Unicom,3.5 GHz,500,-2,120,41\n"
        "S3,c,china telecom,2.6ghz,,40,120,41\n"
        'S4,d,中国广电,700MHz,1e9,"1,234",120,41\n'
    )
    problems = problems_of(tmp_path, text, "base_stations")
    got = [(p.row, p.column, p.message, p.value) for p in problems]
    assert got == [
        (1, "radius_m", "radius_m must be a number", "abc"),
        (2, "height_m", "height_m must be between 0 and 500 m", "-2"),
        (3, "radius_m", "required value radius_m is missing", None),
        (4, "radius_m", "radius_m must be between 1 and 50000 m", "1e9"),
        (4, "height_m", "height_m must be between 0 and 500 m", "1,234"),
    ]


def test_whole_numbers_and_yes_no(tmp_path):
    text = (
        "id,name,employees,转型名单,lon,lat\n"
        "A,a,3.5,是,120,41\nB,b,4,maybe,120,41\nC,c,5,否,120,41\n"
    )
    problems = problems_of(tmp_path, text, "enterprises")
    assert [(p.row, p.column, p.value) for p in problems] == [
        (1, "employees", "3.5"),
        (2, "转型名单", "maybe"),
    ]
    assert problems[0].message == "employees must be a whole number"
    assert "yes/no" in problems[1].message


def test_ambiguous_columns(tmp_path):
    text = "id,名称,企业名称,lon,lat\nA,a,b,120,41\n"
    problems = problems_of(tmp_path, text, "enterprises")
    assert len(problems) == 1
    assert problems[0].column == "name"
    assert "columns '名称' and '企业名称' both map to field 'name'" in problems[0].message
    exact = "id,name,企业名称,lon,lat\nA,a,b,120,41\n"
    path = tmp_path / "exact.csv"
    path.write_text(exact)
    gdf = read_layer(path, "enterprises")
    assert gdf["name"].iloc[0] == "a"
    assert gdf["企业名称"].iloc[0] == "b"


def test_no_coordinates_at_all(tmp_path):
    problems = problems_of(tmp_path, "id,name\nA,a\nB,b\n", "enterprises")
    assert len(problems) == 1
    assert problems[0].row is None
    assert "no coordinates found" in problems[0].message
    assert "found columns: 'id', 'name'" in problems[0].message
    half = problems_of(tmp_path, "id,name,经度\nA,a,120\n", "enterprises")
    assert "a latitude column to go with the longitude column" in half[0].message
    polys = problems_of(tmp_path, "id,name,lon,lat\nA,a,120,41\n", "parks")
    assert "WKT column" in polys[0].message


def test_many_problems_one_error_in_file_order():
    with pytest.raises(DataError) as info:
        read_layer(LAYERS / "bad_firms.csv", "enterprises")
    err = info.value
    got = [(p.row, p.column) for p in err.problems]
    assert got == [
        (2, "lat"),
        (3, "name"),
        (4, "id"),
        (5, "sector"),
        (6, "employees"),
        (6, "lat"),
        (7, "lon"),
        (8, "lon"),
        (8, "lat"),
    ]
    text = str(err)
    assert text.startswith("bad_firms.csv: 9 problems found:")
    assert "row 5, column 'sector': unknown sector" in text
    assert "row 4, column 'id': duplicate id: also used on row 1 (got 'F1')" in text
    frame = err.to_frame()
    assert list(frame.columns) == ["row", "column", "message", "value"]
    assert len(frame) == 9
    assert all(isinstance(p, Problem) for p in err.problems)


def test_lenient_mode_reports_exactly_the_skipped_rows():
    gdf, report = read_layer(
        LAYERS / "bad_firms.csv", "enterprises", lenient=True, return_report=True
    )
    assert list(gdf["id"]) == ["F1"]
    assert list(gdf["name"]) == ["Good Steel"]
    assert sorted(set(report["row"])) == [2, 3, 4, 5, 6, 7, 8]
    assert list(report.columns) == ["row", "column", "message", "value"]
    assert len(report) == 9
    assert pd.DataFrame(gdf.attrs["skipped"]).equals(report)
    plain = read_layer(LAYERS / "bad_firms.csv", "enterprises", lenient=True)
    assert len(plain.attrs["skipped"]) == 9
    assert plain.attrs["skipped"][0]["row"] == 2
    ok, empty = read_layer(LAYERS / "firms_gbk.csv", "enterprises", return_report=True)
    assert len(ok) == 30
    assert empty.empty
    assert list(empty.columns) == ["row", "column", "message", "value"]
    combined = pd.concat([pd.DataFrame(plain), pd.DataFrame(plain)])
    assert len(combined) == 2


def test_validate_layer_on_frames():
    frame = pd.DataFrame(
        {
            "ID": [1, 2],
            "名称": ["站A", "站B"],
            "桩数": [4, 6],
            "开放类型": ["公共", "专用"],
            "Lng": [120.45, 120.46],
            "LAT": [41.57, 41.58],
        }
    )
    gdf = validate_layer(frame, "charging_stations")
    assert list(gdf["id"]) == ["1", "2"]
    assert list(gdf["access"]) == ["public", "private"]
    assert list(gdf.columns) == [f.name for f in LAYER_KINDS["charging_stations"].fields] + [
        "geometry"
    ]
    projected = gpd.GeoDataFrame(
        {"id": ["a"], "name": ["x"], "piles": [2]},
        geometry=[Point(120.45, 41.57)],
        crs=4326,
    ).to_crs(32651)
    back = validate_layer(projected, "charging_stations")
    assert back.crs.equals("EPSG:4326")
    assert back.geometry.iloc[0].x == pytest.approx(120.45)
    again = validate_layer(back, "charging_stations")
    pd.testing.assert_frame_equal(pd.DataFrame(again), pd.DataFrame(back))
    empty = validate_layer(frame.iloc[:0], "charging_stations")
    assert len(empty) == 0
    assert list(empty.columns) == list(gdf.columns)


def test_gcj02_geodataframe_claiming_wgs84_is_converted():
    layer = gpd.GeoDataFrame(
        {"id": ["a"], "name": ["x"], "piles": [2]}, geometry=[Point(120.45, 41.57)], crs=4326
    )
    out = validate_layer(layer, "charging_stations", crs="gcj02")
    assert out.geometry.iloc[0].x < 120.45
    assert validate_layer(layer, "charging_stations", crs="wgs84").geometry.iloc[0].x == 120.45


@pytest.mark.parametrize("kind", KINDS)
def test_no_two_fields_of_a_kind_share_a_name(kind):
    from geodata.validation import _norm

    seen = {}
    for f in LAYER_KINDS[kind].fields:
        for name in {f.name, f.label_zh, *f.aliases} - {""}:
            key = _norm(name)
            assert seen.setdefault(key, f.name) == f.name, (kind, name)


def test_category_fields_have_complete_chinese_labels():
    from geodata.schema import CATEGORY_LABELS_ZH

    for spec in LAYER_KINDS.values():
        for f in spec.fields:
            if f.type == "category" and f.name in CATEGORY_LABELS_ZH and f.name != "band":
                assert set(f.allowed) == set(CATEGORY_LABELS_ZH[f.name]), (spec.name, f.name)
                labels = list(CATEGORY_LABELS_ZH[f.name].values())
                assert len(set(labels)) == len(labels)


def test_numbers_with_thousands_separators(tmp_path):
    path = tmp_path / "firms.csv"
    path.write_text('id,name,output_value,employees,lon,lat\nA,a,"12,345.5", 1 200 ,120,41\n')
    gdf = read_layer(path, "enterprises")
    assert gdf["output_value"].iloc[0] == 12345.5
    assert gdf["employees"].iloc[0] == 1200
    assert np.issubdtype(gdf["employees"].dtype, np.integer)


def test_unused_wkt_column_is_not_kept_as_an_extra(tmp_path):
    path = tmp_path / "firms.csv"
    path.write_text("id,name,lon,lat,geometry,note\nA,a,120.1,41.1,POINT (1 2),n\n")
    gdf = read_layer(path, "enterprises")
    assert gdf.geometry.iloc[0].x == 120.1
    assert list(gdf.columns[-2:]) == ["note", "geometry"]


def test_repeated_column_names_in_a_frame():
    frame = pd.DataFrame([["a", "b", 120.0, 41.0]], columns=["id", "id", "lon", "lat"])
    with pytest.raises(DataError, match="column names must be unique; repeated: 'id'"):
        validate_layer(frame, "enterprises", source="frame")


def test_gauss_kruger_metres_get_a_hint_and_load_with_their_epsg(tmp_path):
    path = tmp_path / "firms_cgcs2000_gk40.csv"
    path.write_text("id,name,x,y\nA,a,40537532.83,4603974.96\nB,b,40538532.83,4604974.96\n")
    problems = problems_of(tmp_path, path.read_text(), "enterprises", name=path.name)
    assert len(problems) == 4
    assert "Gauss-Kruger zone 40" in problems[0].message
    assert "pass crs='EPSG:4528'" in problems[0].message
    assert problems[0].value == "40537532.83"
    gdf = read_layer(path, "enterprises", crs="EPSG:4528")
    assert gdf.geometry.iloc[0].x == pytest.approx(120.45, abs=1e-7)
    assert gdf.geometry.iloc[0].y == pytest.approx(41.57, abs=1e-7)
    utm = tmp_path / "utm.csv"
    utm.write_text("id,name,x,y\nA,a,287390.76,4605176.02\n")
    other = problems_of(tmp_path, utm.read_text(), "enterprises")
    assert "look like projected metres" in other[0].message


def test_single_part_multipoints_become_points():
    from shapely.geometry import MultiPoint

    layer = gpd.GeoDataFrame(
        {"id": ["a", "b"], "name": ["x", "y"], "piles": [2, 3]},
        geometry=[MultiPoint([(120.4, 41.5)]), MultiPoint([(120.4, 41.5), (120.5, 41.6)])],
        crs=4326,
    )
    with pytest.raises(DataError) as info:
        validate_layer(layer, "charging_stations")
    assert [(p.row, p.message) for p in info.value.problems] == [
        (2, "wrong geometry type: expected a point, got MultiPoint")
    ]
    out = validate_layer(layer.iloc[:1], "charging_stations")
    assert out.geometry.iloc[0].geom_type == "Point"
    assert layer.geometry.iloc[0].geom_type == "MultiPoint"


@pytest.mark.parametrize("crs", ["wgs84", "gcj02"])
def test_plausibility_warnings_do_not_depend_on_the_chunk_size(monkeypatch, crs):
    from geodata import _plausibility

    lonlat = [
        (120.45, 41.57),  # Chaoyang
        (139.7, 35.7),  # Tokyo: outside China
        (40.0, 80.0),  # swapped: in Xinjiang the other way round
        (120.0, 39.0),  # Bohai Sea
        (None, None),
        (123.5, 34.5),  # Yellow Sea
        (120.5, 41.6),
        (2.35, 48.86),  # Paris
    ]
    rows = [(f"F{i}", f"firm {i}", lon, lat) for i, (lon, lat) in enumerate(lonlat)]
    table = pd.DataFrame(rows, columns=["id", "name", "lon", "lat"])
    area = Polygon([(120, 41), (121, 41), (121, 42), (120, 42)])

    def warnings(**kwargs):
        layer = validate_layer(table, "enterprises", crs=crs, lenient=True, **kwargs)
        return [(w.code, w.params) for w in layer.attrs["warnings"]]

    whole = [warnings(), warnings(study_area=area)]
    assert {code for code, _ in whole[0]} >= {"in_sea", "swapped_fit"}
    for size in (1, 2, 3):
        monkeypatch.setattr(_plausibility, "CHUNK", size)
        assert [warnings(), warnings(study_area=area)] == whole
