from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon

from geodata import crs

DATA = Path(__file__).parent / "data" / "admin"
GEOD = pyproj.Geod(ellps="WGS84")


def metres(lon1, lat1, lon2, lat2):
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def china_grid(n=120):
    lon, lat = np.meshgrid(np.linspace(73.0, 135.0, n), np.linspace(18.0, 53.5, n))
    return lon.ravel(), lat.ravel()


def test_gcj02_round_trip_over_china_is_sub_millimetre():
    lon, lat = china_grid()
    back = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    err = metres(lon, lat, *back)
    assert err.max() < 0.001
    assert err.max() < 0.01


def test_gcj02_inverse_of_a_gcj_grid():
    glon, glat = china_grid(60)
    back = crs.wgs84_to_gcj02(*crs.gcj02_to_wgs84(glon, glat))
    assert metres(glon, glat, *back).max() < 0.001


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=72.1, max_value=137.7, allow_nan=False),
    st.floats(min_value=0.9, max_value=55.8, allow_nan=False),
)
def test_gcj02_round_trip_property(lon, lat):
    wlon, wlat = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    assert isinstance(wlon, float)
    assert metres(lon, lat, wlon, wlat) < 0.01


@pytest.mark.parametrize(
    ("city", "lon", "lat"),
    [
        ("Beijing", 116.3975, 39.9087),
        ("Shanghai", 121.4737, 31.2304),
        ("Chaoyang", 120.4508, 41.5735),
        ("Urumqi", 87.6168, 43.8256),
        ("Guangzhou", 113.2644, 23.1291),
    ],
)
def test_gcj02_offset_is_a_few_hundred_metres(city, lon, lat):
    glon, glat = crs.wgs84_to_gcj02(lon, lat)
    assert 100 < metres(lon, lat, glon, glat) < 800, city


def test_outside_china_and_nan_unchanged():
    lon = np.array([2.3522, -74.006, 151.2093, 139.7, np.nan, 120.0])
    lat = np.array([48.8566, 40.7128, -33.8688, 35.68, 41.0, np.nan])
    for func in (
        crs.wgs84_to_gcj02,
        crs.gcj02_to_wgs84,
        crs.gcj02_to_bd09,
        crs.bd09_to_gcj02,
        crs.wgs84_to_bd09,
        crs.bd09_to_wgs84,
    ):
        x, y = func(lon, lat)
        np.testing.assert_array_equal(x, lon)
        np.testing.assert_array_equal(y, lat)
    mixed = crs.wgs84_to_gcj02(np.array([2.35, 120.45]), np.array([48.86, 41.57]))
    assert mixed[0][0] == 2.35
    assert mixed[0][1] != 120.45


def test_bd09_round_trips():
    lon, lat = china_grid(80)
    g = crs.wgs84_to_gcj02(lon, lat)
    assert metres(*g, *crs.bd09_to_gcj02(*crs.gcj02_to_bd09(*g))).max() < 0.001
    assert metres(lon, lat, *crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lon, lat))).max() < 0.001
    b = crs.gcj02_to_bd09(*g)
    shift = metres(*g, *b)
    assert shift.min() > 500
    assert shift.max() < 1500


def test_shapes_are_kept_and_checked():
    lon = np.full((3, 4), 120.4)
    lat = np.full((3, 4), 41.5)
    x, y = crs.wgs84_to_gcj02(lon, lat)
    assert x.shape == y.shape == (3, 4)
    assert np.all(x > lon)
    with pytest.raises(ValueError, match="same shape"):
        crs.wgs84_to_gcj02(np.zeros(3), np.zeros(2))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("wgs84", "wgs84"),
        ("WGS-84", "wgs84"),
        ("EPSG:4326", "wgs84"),
        (4326, "wgs84"),
        ("cgcs2000", "cgcs2000"),
        ("CGCS2000", "cgcs2000"),
        ("EPSG:4490", "cgcs2000"),
        (4490, "cgcs2000"),
        ("gcj02", "gcj02"),
        ("GCJ-02", "gcj02"),
        ("bd09", "bd09"),
        ("BD-09", "bd09"),
        (3857, "EPSG:3857"),
        ("epsg:32651", "EPSG:32651"),
        (pyproj.CRS.from_epsg(32651), "EPSG:32651"),
    ],
)
def test_parse_crs(value, expected):
    assert crs.parse_crs(value) == expected


@pytest.mark.parametrize("value", ["mars-grid", "mars 2000", None, 3.5, "EPSG:999999", True])
def test_parse_crs_rejects_with_accepted_values(value):
    with pytest.raises(ValueError, match="crs must be one of") as info:
        crs.parse_crs(value)
    assert "gcj02" in str(info.value)
    assert "bd09" in str(info.value)


def test_transform_geometries_points_and_polygons():
    square = Polygon([(120.4, 41.5), (120.5, 41.5), (120.5, 41.6), (120.4, 41.6)])
    geoms = gpd.GeoSeries([Point(120.45, 41.57), square, None], crs="EPSG:4326")
    gcj = crs.transform_geometries(geoms, "wgs84", "gcj02")
    assert gcj.crs.equals("EPSG:4326")
    assert gcj.iloc[2] is None
    x, y = crs.wgs84_to_gcj02(120.45, 41.57)
    assert gcj.iloc[0].equals_exact(Point(x, y), 1e-12)
    assert len(gcj.iloc[1].exterior.coords) == 5
    back = crs.transform_geometries(gcj, "GCJ-02", "WGS84")
    assert back.iloc[1].equals_exact(square, 1e-10)
    bd = crs.transform_geometries(geoms, None, "bd09")
    assert crs.transform_geometries(bd, "bd09", "wgs84").iloc[0].equals_exact(geoms.iloc[0], 1e-10)
    merc = crs.transform_geometries(gcj, "gcj02", 3857)
    assert merc.crs.to_epsg() == 3857
    assert merc.iloc[0].x == pytest.approx(13_408_000, rel=1e-3)
    frame = gpd.GeoDataFrame({"a": [1, 2, 3]}, geometry=geoms)
    out = crs.transform_geometries(frame, "wgs84", "cgcs2000")
    assert out.crs.to_epsg() == 4490
    assert list(out["a"]) == [1, 2, 3]


def test_transform_geometries_needs_a_source():
    with pytest.raises(ValueError, match="src is needed"):
        crs.transform_geometries(gpd.GeoSeries([Point(120, 41)]), None, "wgs84")


def test_local_metric_crs_and_projection():
    assert crs.local_metric_crs((119.2, 40.6, 121.0, 42.4)).to_epsg() == 32651
    assert crs.local_metric_crs((-47.0, -23.5, -46.5, -23.0)).to_epsg() == 32723
    layer = gpd.GeoDataFrame(geometry=[Point(120.45, 41.57), Point(120.46, 41.57)], crs=4326)
    assert crs.local_metric_crs(layer).to_epsg() == 32651
    metric = crs.to_metric(layer)
    assert metric.crs.to_epsg() == 32651
    geod = metres(120.45, 41.57, 120.46, 41.57)
    assert metric.geometry.iloc[0].distance(metric.geometry.iloc[1]) == pytest.approx(
        geod, rel=1e-3
    )
    with pytest.raises(ValueError, match="projected"):
        crs.to_metric(layer, crs=4326)
    with pytest.raises(ValueError, match="bounds"):
        crs.local_metric_crs((1, 2, 3))


def test_lonlat_to_metric_distances_match_geodesic():
    rng = np.random.default_rng(3)
    lon = 120.45 + rng.normal(0, 0.3, 200)
    lat = 41.57 + rng.normal(0, 0.3, 200)
    x, y = crs.lonlat_to_metric(lon, lat)
    planar = np.hypot(x[1:] - x[0], y[1:] - y[0])
    geodesic = metres(np.full(199, lon[0]), np.full(199, lat[0]), lon[1:], lat[1:])
    np.testing.assert_allclose(planar, geodesic, rtol=2e-3)
    x2, _ = crs.lonlat_to_metric(lon, lat, crs=32651)
    np.testing.assert_allclose(x, x2)


def test_datav_gcj02_outlines_match_tianditu_after_conversion():
    datav = gpd.read_file(DATA / "chaoyang_counties_datav_gcj02.json", engine="pyogrio")
    tianditu = gpd.read_file(DATA / "chaoyang_counties_tianditu_wgs84.geojson", engine="pyogrio")
    wgs = crs.transform_geometries(datav, "gcj02", "wgs84")
    utm = crs.local_metric_crs(tianditu)
    ours = wgs.to_crs(utm).set_index(wgs["adcode"].astype(int)).geometry
    ref = tianditu.to_crs(utm).set_index("district_adcode").geometry
    assert sorted(ours.index) == sorted(ref.index)
    iou = {
        code: ours[code].intersection(ref[code]).area / ours[code].union(ref[code]).area
        for code in ref.index
    }
    raw = datav.to_crs(utm).set_index(datav["adcode"].astype(int)).geometry
    iou_raw = {
        code: raw[code].intersection(ref[code]).area / raw[code].union(ref[code]).area
        for code in ref.index
    }
    assert sum(v >= 0.93 for v in iou.values()) >= 6, iou
    assert sum(iou[c] > iou_raw[c] for c in ref.index) >= 6, (iou, iou_raw)
    assert sum(v >= 0.93 for v in iou_raw.values()) < 6, iou_raw


@settings(max_examples=100, deadline=None)
@given(
    st.floats(min_value=72.1, max_value=137.7, allow_nan=False),
    st.floats(min_value=0.9, max_value=55.8, allow_nan=False),
)
def test_bd09_round_trip_property(lon, lat):
    back = crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lon, lat))
    assert metres(lon, lat, *back) < 0.01
