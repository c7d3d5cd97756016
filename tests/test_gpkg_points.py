"""The proposed-sites layer written straight into a project file reads as GDAL's own would."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from planning.workspace._gpkg_points import write_point_layer


def _sites(crs="EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": pd.array(["CA1", "CA2", None], dtype="string"),
            "name": ["楼顶 5G 候选", '路侧 "B" 候选', "x'y"],
            "cost_cny": [276000.0, np.nan, 1.5],
            "order": np.array([1, 2, 3], dtype="int64"),
            "open": [True, False, True],
            "built": pd.to_datetime(["2026-01-02 00:00:00", None, "2026-03-04 05:06:07"]),
        },
        geometry=[shapely.Point(119.687964, 41.374901), shapely.Point(120.8, 41.7), None],
        crs=crs,
    )


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "p.gpkg"
    base = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs="EPSG:4326")
    pyogrio.write_dataframe(base, path, layer="firms", driver="GPKG")
    return path


def test_the_layer_reads_back_as_written_by_gdal(project_file, tmp_path):
    sites = _sites()
    with closing(sqlite3.connect(project_file)) as con, con:
        assert write_point_layer(con, "scenario_1_sites", sites)
    info = pyogrio.read_info(project_file, layer="scenario_1_sites")
    assert info["geometry_type"] == "Point" and info["crs"] == "EPSG:4326"
    assert info["features"] == 3
    ours = pyogrio.read_dataframe(project_file, layer="scenario_1_sites")
    reference = tmp_path / "gdal.gpkg"
    pyogrio.write_dataframe(sites, reference, layer="s", driver="GPKG")
    theirs = pyogrio.read_dataframe(reference, layer="s")
    pd.testing.assert_frame_equal(
        pd.DataFrame(ours.drop(columns="geometry")), pd.DataFrame(theirs.drop(columns="geometry"))
    )
    assert ours.geometry.geom_equals(theirs.geometry).iloc[:2].all()
    assert ours.geometry.isna().iloc[2]
    # the file's other layer is untouched and the file is a valid GeoPackage for GDAL
    assert set(dict(pyogrio.list_layers(project_file))) == {"firms", "scenario_1_sites"}
    assert len(pyogrio.read_dataframe(project_file, layer="firms")) == 1


def test_an_empty_layer_is_a_point_layer(project_file):
    with closing(sqlite3.connect(project_file)) as con, con:
        assert write_point_layer(con, "empty_sites", _sites().iloc[:0])
    assert dict(pyogrio.list_layers(project_file))["empty_sites"] == "Point"
    assert len(pyogrio.read_dataframe(project_file, layer="empty_sites")) == 0


def test_what_it_cannot_write_is_left_to_gdal(project_file):
    lines = _sites().iloc[:2].set_geometry([shapely.LineString([(0, 0), (1, 1)])] * 2)
    no_code = _sites().to_crs("+proj=tmerc +lon_0=120 +ellps=GRS80 +units=m")
    with closing(sqlite3.connect(project_file)) as con, con:
        assert not write_point_layer(con, "lines", lines)
        assert not write_point_layer(con, "no_code", no_code)
    assert set(dict(pyogrio.list_layers(project_file))) == {"firms"}


def test_a_projected_crs_is_registered(project_file):
    sites = _sites().to_crs("EPSG:4549")  # CGCS2000 / 3-degree Gauss-Kruger CM 120E
    with closing(sqlite3.connect(project_file)) as con, con:
        assert write_point_layer(con, "metric", sites)
    back = pyogrio.read_dataframe(project_file, layer="metric")
    assert back.crs.to_epsg() == 4549
    np.testing.assert_allclose(back.geometry.x.iloc[:2], sites.geometry.x.iloc[:2])
