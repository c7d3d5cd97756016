import geopandas as gpd
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from shapely.geometry import Point

from planning.distances.straight_line import (
    coverage_matrix,
    coverage_matrix_gdf,
    distance_matrix,
    distance_matrix_gdf,
    within_cutoff,
)

METRIC = "EPSG:32651"


def _brute(d, s, r):
    if len(d) == 0 or len(s) == 0:
        return np.zeros((len(d), len(s)), dtype=bool), np.zeros((len(d), len(s)))
    dist = cdist(d, s)
    return dist <= np.broadcast_to(r, (len(s),)), dist


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 40),
    m=st.integers(0, 15),
    seed=st.integers(0, 10_000),
    kind=st.sampled_from(["scalar", "few", "many"]),
    chunk=st.integers(1, 50),
)
def test_matches_brute_force(n, m, seed, kind, chunk):
    rng = np.random.default_rng(seed)
    d = np.round(rng.random((n, 2)) * 1000)
    s = np.round(rng.random((m, 2)) * 1000)
    if kind == "scalar":
        r = 300.0
    elif kind == "few":
        r = rng.integers(0, 4, m) * 150.0
    else:
        r = rng.random(m) * 500
    cov = coverage_matrix(d, s, r, crs=METRIC, chunk_size=chunk)
    dist = distance_matrix(d, s, r, crs=METRIC, chunk_size=chunk)
    want, brute = _brute(d, s, r)
    assert isinstance(cov, sp.csr_array)
    assert cov.dtype == bool
    assert cov.shape == (n, m)
    np.testing.assert_array_equal(cov.toarray(), want)
    np.testing.assert_array_equal(within_cutoff(dist).toarray(), want)
    np.testing.assert_allclose(dist.toarray()[want], brute[want])


def test_boundary_inclusive_and_zero_distance_kept():
    d = np.array([[0.0, 0.0], [10.0, 0.0]])
    s = np.array([[0.0, 0.0], [3.0, 4.0]])
    cov = coverage_matrix(d, s, 5.0, crs=METRIC)
    assert cov.toarray().tolist() == [[True, True], [False, False]]
    dist = distance_matrix(d, s, 5.0, crs=METRIC)
    assert dist.nnz == 2
    assert dist[0, 0] == 0.0
    assert dist.indices.dtype == np.int32


def test_refuses_lonlat_values():
    d = np.array([[120.4, 41.5], [120.5, 41.6]])
    with pytest.raises(ValueError, match="Project to a metric CRS first"):
        coverage_matrix(d, d, 1000.0)
    with pytest.raises(ValueError, match="geographic"):
        distance_matrix(d * 1000, d * 1000, 1000.0, crs="EPSG:4326")
    # the guard reads the coordinates, not the radius: a small radius does not let
    # degrees through, and small coordinates near the origin (unit-square tests) are fine
    with pytest.raises(ValueError, match="look like longitude/latitude"):
        coverage_matrix(d, d, 0.1)
    assert coverage_matrix(d - d.min(axis=0), d - d.min(axis=0), 0.1).nnz == 2


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({"demand_xy": np.zeros((3, 3))}, "shape"),
        ({"radius": np.ones(5)}, "one value per site"),
        ({"radius": -1.0}, "non-negative"),
        ({"demand_xy": np.array([[np.nan, 0.0]])}, "NaN"),
    ],
)
def test_bad_inputs(bad, match):
    args = {"demand_xy": np.zeros((2, 2)), "site_xy": np.zeros((3, 2)), "radius": 1.0}
    args.update(bad)
    with pytest.raises(ValueError, match=match):
        coverage_matrix(**args, crs=METRIC)


def test_gdf_adapters_project_to_metres():
    # three firms near Chaoyang about 0 m, ~850 m and ~2.5 km east of a site
    lon0, lat0 = 120.45, 41.57
    firms = gpd.GeoDataFrame(
        geometry=[Point(lon0, lat0), Point(lon0 + 0.0102, lat0), Point(lon0 + 0.03, lat0)],
        crs="EPSG:4326",
    )
    sites = gpd.GeoDataFrame(
        {"radius_m": [1000.0, 100.0]},
        geometry=[Point(lon0, lat0), Point(lon0 + 0.03, lat0)],
        crs="EPSG:4326",
    )
    cov = coverage_matrix_gdf(firms, sites, "radius_m")
    assert cov.toarray().tolist() == [[True, False], [True, False], [False, True]]
    dist = distance_matrix_gdf(firms, sites.to_crs("EPSG:3857"), 3000.0)
    assert dist.shape == (3, 2)
    assert dist[0, 0] == 0.0
    assert 800 < dist[1, 0] < 900
    assert 2400 < dist[2, 0] < 2600
    with pytest.raises(ValueError, match="does not have"):
        coverage_matrix_gdf(firms, sites, "nope")
    with pytest.raises(ValueError, match="with a CRS"):
        coverage_matrix_gdf(firms.set_crs(None, allow_override=True), sites, 10.0)
