"""PlanningData: the CRS contract, empty layers, summary and the GeoPackage format."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

import geodata
from geodata import DataError, PlanningData, Provenance
from geodata.schema import KINDS, LAYER_KINDS


def _firms(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(
        {
            "id": ["E1", "E2", "E3"],
            "name": ["朝阳甲钢铁有限公司", "乙食品有限公司", "丙物流有限公司"],
            "county": ["双塔区", "龙城区", "凌源市"],
            "park": ["朝阳经济技术开发区", "", ""],
            "sector": ["steel_metallurgy", "agri_food", "logistics"],
            "employees": [1200, 35, 8],
            "output_value": [250000.5, 1800.0, 95.25],
            "energy_use": [310000.0, 120.5, 4.0],
            "digital_status": ["completed", "none", "planned"],
            "on_transform_list": [True, False, True],
            "green_level": ["national", "none", "none"],
            "ev_fleet": [12, 0, 3],
        },
        geometry=shapely.points([(120.45, 41.57), (120.40, 41.58), (119.40, 41.25)]),
        crs="EPSG:4326",
    )
    return gdf.to_crs(crs)


def _parks() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["P1", "P2"],
            "name": ["甲开发区", "乙开发区"],
            "county": ["双塔区", "凌源市"],
            "level": ["provincial", "municipal"],
            "green_park": [True, False],
            "approximate": [False, True],
        },
        geometry=[shapely.box(120.4, 41.5, 120.5, 41.6), shapely.box(119.3, 41.2, 119.4, 41.3)],
        crs="EPSG:4326",
    )


def test_layer_in_another_crs_is_refused_with_the_fix_in_the_message():
    with pytest.raises(DataError) as err:
        PlanningData("t", enterprises=_firms("EPSG:3857"))
    msg = str(err.value)
    assert "PlanningData 't'" in msg
    assert "enterprises" in msg and "EPSG:4326" in msg and "to_crs('EPSG:4326')" in msg
    assert isinstance(err.value, ValueError)
    assert [p.column for p in err.value.problems] == ["enterprises"]


def test_layer_without_crs_and_non_frames_are_refused_together():
    no_crs = _parks().set_crs(None, allow_override=True)
    with pytest.raises(DataError) as err:
        PlanningData("t", parks=no_crs, admin_areas=pd.DataFrame({"id": ["1"]}))
    columns = {p.column for p in err.value.problems}
    assert columns == {"parks", "admin_areas"}
    assert "must be a GeoDataFrame" in str(err.value)


def test_missing_layers_are_empty_frames_with_the_kind_columns():
    data = PlanningData("empty")
    for kind, gdf in data.layers().items():
        assert isinstance(gdf, gpd.GeoDataFrame)
        assert gdf.empty
        assert gdf.crs.equals("EPSG:4326")
        assert list(gdf.columns) == [f.name for f in LAYER_KINDS[kind].fields] + ["geometry"]
    assert list(data.layers()) == list(KINDS)
    assert data.enterprises["employees"].dtype == "int64"
    assert data.enterprises["on_transform_list"].dtype == bool


def test_summary_lists_every_layer_with_counts_and_provenance():
    prov = Provenance(source="gen", licence="CC0", synthetic=True, note="synthetic")
    data = PlanningData("t", enterprises=_firms(), parks=_parks(), provenance={"enterprises": prov})
    table = data.summary()
    assert list(table["layer"]) == list(KINDS)
    counts = dict(zip(table["layer"], table["features"], strict=True))
    assert counts["enterprises"] == 3 and counts["parks"] == 2 and counts["base_stations"] == 0
    row = table.set_index("layer").loc["enterprises"]
    assert bool(row["synthetic"]) and row["source"] == "gen" and row["licence"] == "CC0"
    assert table.set_index("layer").loc["parks", "source"] == "unknown"
    assert prov.label() == "synthetic; source: gen; licence: CC0; synthetic"
    assert Provenance(source="x", licence="y").label() == "real; source: x; licence: y"


def test_replace_returns_a_new_value_and_keeps_the_old_one():
    data = PlanningData("t", enterprises=_firms())
    smaller = data.replace(enterprises=_firms().iloc[:1], name="t2")
    assert (len(smaller.enterprises), smaller.name) == (1, "t2")
    assert (len(data.enterprises), data.name) == (3, "t")


def test_geopackage_round_trip_keeps_values_bools_name_and_provenance(tmp_path):
    prov = {
        "enterprises": Provenance("gen (seed 1)", "CC0 (synthetic)", True, "WGS84", "synthetic"),
        "admin_areas": Provenance("Tianditu", "MIT", False, "CGCS2000", "real"),
    }
    data = PlanningData("朝阳 test", enterprises=_firms(), parks=_parks(), provenance=prov)
    path = data.to_gpkg(tmp_path / "t.gpkg")
    back = PlanningData.from_gpkg(path)
    assert back.name == "朝阳 test"
    assert back.provenance == prov
    for kind in KINDS:
        got, want = back.layers()[kind], data.layers()[kind]
        assert list(got.columns) == list(want.columns), kind
        assert len(got) == len(want), kind
        assert got.crs.equals("EPSG:4326")
    firms = back.enterprises
    assert firms["on_transform_list"].dtype == bool
    assert firms["on_transform_list"].tolist() == [True, False, True]
    assert back.parks["green_park"].tolist() == [True, False]
    assert back.parks["approximate"].tolist() == [False, True]
    assert firms["employees"].tolist() == [1200, 35, 8]
    assert firms["output_value"].tolist() == [250000.5, 1800.0, 95.25]
    assert firms["name"].tolist() == _firms()["name"].tolist()
    assert firms["park"].tolist() == ["朝阳经济技术开发区", "", ""]
    assert firms.geometry.geom_equals_exact(_firms().geometry, tolerance=1e-9).all()
    assert back.parks.geometry.geom_equals(_parks().geometry).all()


def test_saving_replaces_an_existing_file(tmp_path):
    path = tmp_path / "t.gpkg"
    PlanningData("first", enterprises=_firms()).to_gpkg(path)
    PlanningData("second", parks=_parks()).to_gpkg(path)
    back = PlanningData.from_gpkg(path)
    assert back.name == "second"
    assert back.enterprises.empty and len(back.parks) == 2


def test_geopackage_has_one_layer_per_kind_and_a_registered_metadata_table(tmp_path):
    path = PlanningData("t", enterprises=_firms(), parks=_parks()).to_gpkg(tmp_path / "t.gpkg")
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {*KINDS, "infrasite_metadata"}
    assert layers["enterprises"] == "Point" and layers["parks"] == "Polygon"
    # empty layers keep their kind's geometry type, so GIS tools can style them
    assert layers["base_stations"] == "Point" and layers["admin_areas"] == "Polygon"
    assert layers["infrasite_metadata"] is None
    with closing(sqlite3.connect(path)) as con:
        contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        srs = dict(con.execute("SELECT table_name, srs_id FROM gpkg_geometry_columns"))
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
    assert contents == {**dict.fromkeys(KINDS, "features"), "infrasite_metadata": "attributes"}
    assert srs == dict.fromkeys(KINDS, 4326)
    assert app_id == 0x47504B47  # "GPKG": the file is a GeoPackage, not a bare SQLite file
    meta = pyogrio.read_dataframe(path, layer="infrasite_metadata")
    assert set(meta["layer"]) == {"__dataset__", "__layers__"}


def test_empty_planning_data_round_trips(tmp_path):
    back = PlanningData.from_gpkg(PlanningData("nothing").to_gpkg(tmp_path / "e.gpkg"))
    assert back.name == "nothing" and back.provenance == {}
    for kind, gdf in back.layers().items():
        assert gdf.empty, kind
        assert list(gdf.columns) == [f.name for f in LAYER_KINDS[kind].fields] + ["geometry"]
    assert back.enterprises["on_transform_list"].dtype == bool


def test_foreign_geopackage_is_refused_not_loaded_short(tmp_path):
    path = tmp_path / "from_qgis.gpkg"
    _parks().to_file(path, layer="parks", driver="GPKG", engine="pyogrio")
    with pytest.raises(geodata.DataError, match="infrasite_metadata") as info:
        PlanningData.from_gpkg(path)
    assert "nothing was loaded" in str(info.value)


def test_loading_a_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nowhere\.gpkg"):
        PlanningData.from_gpkg(tmp_path / "nowhere.gpkg")


def test_package_exports_the_model():
    assert geodata.PlanningData is PlanningData
    assert geodata.Provenance is Provenance
