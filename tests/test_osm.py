import bz2
import gzip
import socket
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import Point, Polygon

import geodata
from geodata import DataError, OfflineError, PlanningData
from geodata.osm import (
    DRIVABLE_HIGHWAYS,
    is_drivable,
    layers_from_features,
    planning_data_from_bbox,
    planning_data_from_place,
    read_osm,
    roads_from_osm,
)

OSM = Path(__file__).parent / "data" / "osm"
XML = OSM / "liechtenstein-vaduz-schaan-2024-03.osm.bz2"
PBF = OSM / "liechtenstein-vaduz-schaan-2024-03.osm.pbf"
ROADS = OSM / "liechtenstein-vaduz-schaan-roads-2024-03.osm.bz2"
NOT_DRIVABLE = {"footway", "path", "cycleway", "track", "steps", "pedestrian", "bridleway"}


def _raw_counts(path):
    """Count matching elements straight from the XML, independently of osmnx."""
    counts = dict.fromkeys(
        ["enterprises", "parks", "charging_stations", "base_stations", "footways"], 0
    )
    with bz2.open(path) as fh:
        for _, el in ET.iterparse(fh):
            if el.tag not in ("node", "way", "relation"):
                continue
            tags = {t.get("k"): t.get("v") for t in el.findall("tag")}
            if (
                tags.get("building") in ("industrial", "warehouse", "factory")
                or tags.get("man_made") == "works"
                or tags.get("office") == "company"
            ):
                counts["enterprises"] += 1
            if tags.get("landuse") == "industrial":
                counts["parks"] += 1
            if tags.get("amenity") == "charging_station":
                counts["charging_stations"] += 1
            comm = tags.get("tower:type") == "communication" or any(
                k.startswith("communication:") and k.count(":") == 1 and v == "yes"
                for k, v in tags.items()
            )
            if tags.get("man_made") in ("mast", "tower") and comm:
                counts["base_stations"] += 1
            if el.tag == "way" and tags.get("highway") in NOT_DRIVABLE:
                counts["footways"] += 1
            el.clear()
    return counts


@pytest.fixture(scope="module")
def xml_data():
    return read_osm(XML)


@pytest.fixture(scope="module")
def pbf_data():
    pytest.importorskip("pyrosm")
    return read_osm(PBF)


def test_feature_counts_match_the_file(xml_data):
    raw = _raw_counts(XML)
    assert raw["footways"] > 100
    for kind in ("enterprises", "parks", "charging_stations", "base_stations"):
        assert len(getattr(xml_data, kind)) == raw[kind], kind
    assert len(xml_data.enterprises) == 67
    assert len(xml_data.parks) == 36
    assert len(xml_data.charging_stations) == 5
    assert len(xml_data.base_stations) == 13
    assert len(xml_data.candidate_sites) == 0


def test_layers_follow_the_schema_and_say_what_was_filled(xml_data):
    for kind, gdf in xml_data.layers().items():
        if len(gdf):
            geodata.validate_layer(gdf, kind)
            assert gdf.crs.equals("EPSG:4326")
            assert xml_data.provenance[kind].licence.startswith("ODbL")
            assert not xml_data.provenance[kind].synthetic
    ent = xml_data.enterprises
    assert (ent.geometry.geom_type == "Point").all()
    assert ent["id"].is_unique
    assert (ent["employees"] == 0).all()
    assert ent["filled"].str.contains("employees").all()
    unnamed = ent["name"].str.startswith("unnamed")
    assert unnamed.any()
    assert ent.loc[unnamed, "filled"].str.contains("name").all()
    assert ent.loc[~unnamed, "filled"].map(lambda f: "name" not in f.split(";")).all()
    assert set(ent["sector"]) <= set(geodata.schema.SECTORS)
    assert (ent.loc[ent["osm_type"] == "warehouse", "sector"] == "logistics").all()
    cs = xml_data.charging_stations.set_index("name")
    tesla = cs.loc["Schaan Supercharger"]
    assert tesla["piles"] == 10 and tesla["power_kw"] == 150.0
    assert "tesla_supercharger=10" in tesla["sockets"]
    assert "piles" not in tesla["filled"].split(";")
    assert (xml_data.charging_stations["access"] == "private").sum() == 1
    bs = xml_data.base_stations
    assert set(bs["operator"]) == {"unknown"} and set(bs["band"]) == {"unknown"}
    assert (bs["radius_m"] == 500.0).all()
    assert bs["mobile_phone"].sum() >= 1
    # no Chaoyang data in Liechtenstein: the extract's hull is the one area
    assert xml_data.admin_areas["id"].tolist() == ["extract"]
    assert xml_data.admin_areas.geometry.iloc[0].contains(ent.geometry.iloc[0])


def test_road_graph_is_drivable_only_and_connected(xml_data):
    graph = xml_data.roads
    assert graph.number_of_nodes() > 500
    kinds = set()
    for _, _, hw in graph.edges(data="highway"):
        kinds.update(hw if isinstance(hw, list) else [hw])
    assert kinds <= set(DRIVABLE_HIGHWAYS)
    assert not kinds & NOT_DRIVABLE
    assert {"primary", "secondary", "residential"} <= kinds
    assert all("street_count" in d for _, d in graph.nodes(data=True))
    assert all(d["street_count"] >= 1 for _, d in graph.nodes(data=True))
    # one-way streets stay directed
    assert sum(not graph.has_edge(v, u) for u, v in graph.edges()) > 20
    largest = max(nx.strongly_connected_components(graph), key=len)
    assert len(largest) / graph.number_of_nodes() > 0.98


def test_pbf_and_xml_agree(xml_data, pbf_data):
    for kind in ("enterprises", "parks", "charging_stations", "base_stations"):
        assert len(getattr(pbf_data, kind)) == len(getattr(xml_data, kind)), kind
    assert set(pbf_data.charging_stations["id"]) == set(xml_data.charging_stations["id"])
    # the pbf crop keeps complete ways beyond the box: a few more roads
    km_xml = sum(d["length"] for *_, d in xml_data.roads.edges(data=True)) / 1000
    km_pbf = sum(d["length"] for *_, d in pbf_data.roads.edges(data=True)) / 1000
    assert km_xml == pytest.approx(km_pbf, rel=0.15)
    kinds = {h for *_, h in pbf_data.roads.edges(data="highway") for h in np.atleast_1d(h)}
    assert kinds <= set(DRIVABLE_HIGHWAYS)
    assert all("street_count" in d for _, d in pbf_data.roads.nodes(data=True))
    # the pbf has Liechtenstein's complete municipality relations
    assert len(pbf_data.admin_areas) >= 1
    assert pbf_data.admin_areas["id"].str.startswith("LI-").all()


def test_gpkg_round_trip_keeps_the_graph(xml_data, tmp_path):
    path = xml_data.to_gpkg(tmp_path / "vaduz.gpkg")
    back = PlanningData.from_gpkg(path)
    g1, g2 = xml_data.roads, back.roads
    assert g2.number_of_nodes() == g1.number_of_nodes()
    assert g2.number_of_edges() == g1.number_of_edges()
    src = next(iter(g1.nodes))
    d1 = nx.single_source_dijkstra_path_length(g1, src, weight="length")
    d2 = nx.single_source_dijkstra_path_length(g2, src, weight="length")
    assert d1.keys() == d2.keys()
    assert max(abs(d1[k] - d2[k]) for k in d1) < 1e-6
    assert back.provenance["roads"].licence.startswith("ODbL")
    assert len(back.charging_stations) == 5


def test_is_drivable():
    assert is_drivable({"highway": "residential"})
    assert is_drivable({"highway": "primary", "access": "no", "motor_vehicle": "yes"})
    assert not is_drivable({"highway": "primary", "motor_vehicle": "no"})
    assert not is_drivable({"highway": "residential", "access": "private"})
    assert not is_drivable({"highway": "residential", "access": "private;delivery"})
    assert not is_drivable({"highway": "footway"})
    assert not is_drivable({"highway": "pedestrian", "area": "yes"})
    assert not is_drivable({"highway": "service"})
    assert is_drivable({"highway": "service"}, service_roads=True)
    assert not is_drivable({"highway": "service", "service": "parking_aisle"}, service_roads=True)
    assert not is_drivable({"building": "yes"})


def _features(rows):
    index = [(r.pop("element", "node"), r.pop("osmid")) for r in rows]
    geoms = [r.pop("geometry") for r in rows]
    import pandas as pd

    idx = pd.MultiIndex.from_tuples(index, names=["element", "id"])
    return gpd.GeoDataFrame(rows, geometry=geoms, index=idx, crs="EPSG:4326")


def test_mapping_rules():
    square = Polygon([(120.0, 41.0), (120.001, 41.0), (120.001, 41.001), (120.0, 41.001)])
    feats = _features(
        [
            {"osmid": 1, "amenity": "charging_station", "geometry": Point(120, 41)},
            {
                "osmid": 2,
                "amenity": "charging_station",
                "socket:type2": "4",
                "socket:type2:output": "22 kW",
                "socket:gb_dc": "2",
                "socket:gb_dc:output": "120000 W",
                "access": "customers",
                "geometry": Point(120.01, 41),
            },
            {"osmid": 3, "man_made": "mast", "geometry": Point(120.02, 41)},
            {
                "osmid": 4,
                "man_made": "tower",
                "tower:type": "communication",
                "operator": "中国移动",
                "height": "45 m",
                "geometry": Point(120.03, 41),
            },
            {
                "osmid": 5,
                "man_made": "mast",
                "communication:mobile_phone": "yes",
                "operator": "Swisscom",
                "geometry": Point(120.04, 41),
            },
            {
                "element": "way",
                "osmid": 6,
                "building": "industrial",
                "industrial": "chemical",
                "name": "Chem Co",
                "geometry": square,
            },
            {"element": "way", "osmid": 7, "landuse": "industrial", "geometry": square},
            {"osmid": 8, "office": "company", "geometry": Point(120.05, 41)},
        ]
    )
    layers = layers_from_features(feats, mast_radius_m=800.0, default_piles=2)
    cs = layers["charging_stations"].set_index("id")
    assert cs.loc["node/1", "piles"] == 2
    assert set(cs.loc["node/1", "filled"].split(";")) >= {"piles", "power_kw", "access", "name"}
    assert cs.loc["node/2", "piles"] == 4
    assert cs.loc["node/2", "power_kw"] == 120.0
    assert cs.loc["node/2", "sockets"] == "gb_dc=2;type2=4"
    assert cs.loc["node/2", "access"] == "public"
    bs = layers["base_stations"].set_index("id")
    assert list(bs.index) == ["node/4", "node/5"]  # a bare mast is not a base station
    assert bs.loc["node/4", "operator"] == "China Mobile"
    assert bs.loc["node/4", "height_m"] == 45.0
    assert bs.loc["node/5", "operator"] == "unknown"
    assert bs.loc["node/5", "osm_operator"] == "Swisscom"
    assert bool(bs.loc["node/5", "mobile_phone"])
    assert (bs["radius_m"] == 800.0).all()
    ent = layers["enterprises"].set_index("id")
    assert ent.loc["way/6", "sector"] == "chemicals"
    assert "sector" not in ent.loc["way/6", "filled"].split(";")
    centroid = ent.loc["way/6", "geometry"]
    assert centroid.geom_type == "Point" and square.contains(centroid)
    assert ent.loc["node/8", "name"] == "unnamed company office node/8"
    assert ent.loc["node/8", "sector"] == "other"
    parks = layers["parks"]
    assert parks["name"].tolist() == ["unnamed industrial area way/7"]
    assert layers["admin_areas"].empty
    with pytest.raises(ValueError, match="mast_radius_m"):
        layers_from_features(feats, mast_radius_m=0)


SMALL_OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
  <node id="1" lat="41.50" lon="120.40"/>
  <node id="2" lat="41.51" lon="120.40"/>
  <node id="3" lat="41.51" lon="120.41"/>
  <node id="5" lat="41.52" lon="120.42"/>
  <node id="4" lat="41.505" lon="120.405">
    <tag k="amenity" v="charging_station"/><tag k="capacity" v="6"/>
  </node>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="secondary"/></way>
  <way id="11"><nd ref="3"/><nd ref="5"/><tag k="highway" v="footway"/></way>
</osm>
"""


@pytest.mark.parametrize("suffix", [".osm", ".osm.gz"])
def test_small_local_files(tmp_path, suffix):
    path = tmp_path / f"tiny{suffix}"
    data = SMALL_OSM.encode()
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    out = read_osm(path)
    assert out.name == "tiny"
    assert len(out.charging_stations) == 1
    assert out.charging_stations["piles"].iloc[0] == 6
    assert out.roads.number_of_edges() == 2  # the secondary road both ways, not the footway
    assert out.admin_areas["id"].tolist() == ["extract"]
    service = SMALL_OSM.replace('v="footway"', 'v="service"')
    path.write_bytes(
        gzip.compress(service.encode()) if suffix.endswith(".gz") else service.encode()
    )
    plain, service = roads_from_osm(path), roads_from_osm(path, service_roads=True)
    assert [d["highway"] for *_, d in plain.edges(data=True)] == ["secondary"] * 2
    kinds = {h for *_, d in service.edges(data=True) for h in np.atleast_1d(d["highway"])}
    assert kinds == {"secondary", "service"}
    only = read_osm(path, layers=["charging_stations"])
    assert only.roads is None and only.enterprises.empty


def test_bad_inputs(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_osm(tmp_path / "none.osm")
    odd = tmp_path / "roads.csv"
    odd.write_text("a,b")
    with pytest.raises(ValueError, match=r"\.osm"):
        read_osm(odd)
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node id='1'")
    with pytest.raises(DataError, match="not a readable OpenStreetMap XML"):
        read_osm(broken)
    footpaths = tmp_path / "paths.osm"
    footpaths.write_text(SMALL_OSM.replace('v="secondary"', 'v="path"'))
    with pytest.raises(DataError, match="no drivable roads"):
        roads_from_osm(footpaths)
    with pytest.raises(ValueError, match="layers must be among"):
        read_osm(footpaths, layers=["candidate_sites"])


def test_pbf_needs_the_osm_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyrosm", None)
    with pytest.raises(ImportError, match=r'pip install "infrasite\[osm\]"'):
        read_osm(PBF)


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def loopback_osmnx(monkeypatch):
    import osmnx as ox

    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setattr(ox.settings, "use_cache", False)

    def point_to(url, nominatim=None):
        monkeypatch.setattr(ox.settings, "overpass_url", url)
        monkeypatch.setattr(ox.settings, "nominatim_url", nominatim or url)

    return point_to


def test_offline_error_is_fast_without_network(loopback_osmnx):
    port = _closed_port()
    loopback_osmnx(f"http://127.0.0.1:{port}/api")
    start = time.perf_counter()
    with pytest.raises(OfflineError, match=r"cannot reach 127\.0\.0\.1 \(port \d+\)"):
        planning_data_from_bbox((9.5, 47.1, 9.52, 47.12), probe_timeout=1.0)
    with pytest.raises(OfflineError, match="read_osm"):
        planning_data_from_place("Vaduz, Liechtenstein", probe_timeout=1.0)
    assert time.perf_counter() - start < 3.0
    assert isinstance(OfflineError("x"), ConnectionError)


def test_silent_server_times_out_instead_of_hanging(loopback_osmnx):
    import osmnx as ox

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])  # never answers
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        loopback_osmnx(f"http://127.0.0.1:{server.getsockname()[1]}/api")
        start = time.perf_counter()
        with pytest.raises(OfflineError, match="timed out"):
            planning_data_from_bbox((9.5, 47.1, 9.52, 47.12), timeout=1.0, probe_timeout=1.0)
        assert time.perf_counter() - start < 8.0
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()
    assert ox.settings.requests_timeout != 1.0  # restored


def test_liechtenstein_demo():
    from planning import road_coverage_matrix

    data = geodata.load_demo("liechtenstein")
    assert "liechtenstein" in geodata.list_demos()
    counts = {kind: len(gdf) for kind, gdf in data.layers().items()}
    assert counts["enterprises"] == 67 and counts["parks"] == 36
    assert counts["base_stations"] == 13 and counts["charging_stations"] == 5
    assert counts["admin_areas"] == 7 and counts["candidate_sites"] > 50
    synthetic = {k for k, p in data.provenance.items() if p.synthetic}
    assert synthetic == {"candidate_sites"}
    assert all(p.licence.startswith("ODbL") for p in data.provenance.values())
    assert (data.enterprises["county"] != "").all()
    assert set(data.candidate_sites["infrastructure"]) == {"5g", "charging"}
    kinds = {h for *_, h in data.roads.edges(data="highway") for h in str(h).split(";")}
    assert kinds <= set(DRIVABLE_HIGHWAYS)
    firms = np.column_stack([data.enterprises.geometry.x, data.enterprises.geometry.y])
    sites = data.candidate_sites[data.candidate_sites["infrastructure"] == "charging"]
    xy = np.column_stack([sites.geometry.x, sites.geometry.y])
    cover = road_coverage_matrix(data.roads, firms, xy, 1500.0)
    assert cover.shape == (67, len(sites)) and cover.nnz > 67


def test_online_download_through_a_loopback_overpass(loopback_osmnx, monkeypatch):
    """The online path end to end, with a fake Overpass API on 127.0.0.1."""
    import json
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs

    import osmnx as ox

    nodes = [
        {"type": "node", "id": 1, "lat": 47.140, "lon": 9.510},
        {"type": "node", "id": 2, "lat": 47.141, "lon": 9.510},
        {"type": "node", "id": 3, "lat": 47.141, "lon": 9.512},
        {"type": "node", "id": 4, "lat": 47.142, "lon": 9.513},
    ]
    road = {"type": "way", "id": 10, "nodes": [1, 2, 3], "tags": {"highway": "secondary"}}
    spur = {"type": "way", "id": 11, "nodes": [3, 4], "tags": {"highway": "residential"}}
    station = {
        "type": "node",
        "id": 5,
        "lat": 47.1405,
        "lon": 9.511,
        "tags": {"amenity": "charging_station", "capacity": "4"},
    }
    queries = []

    class Overpass(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            query = parse_qs(body)["data"][0]
            queries.append(query)
            elements = [*nodes, road, spur] if '["highway"]' in query else [station]
            payload = json.dumps({"version": 0.6, "elements": elements}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Overpass)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        loopback_osmnx(f"http://127.0.0.1:{server.server_address[1]}/api")
        monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
        data = planning_data_from_bbox((9.505, 47.135, 9.52, 47.145), timeout=5, name="box")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert queries
    assert data.name == "box"
    assert len(data.charging_stations) == 1
    assert data.charging_stations["piles"].iloc[0] == 4
    assert data.roads.number_of_edges() == 2  # one two-way chain 1-2-3-4
    assert all(
        set(hw) == {"secondary", "residential"} for *_, hw in data.roads.edges(data="highway")
    )
    assert all("street_count" in d for _, d in data.roads.nodes(data=True))
    assert "Overpass" in data.provenance["roads"].source


@pytest.mark.slow
def test_shipped_liechtenstein_demo_is_what_the_script_builds():
    pytest.importorskip("pyrosm")
    import importlib.util

    script = Path(__file__).parents[1] / "scripts" / "make_liechtenstein.py"
    spec = importlib.util.spec_from_file_location("make_liechtenstein", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build(OSM)
    shipped = geodata.load_demo("liechtenstein")
    for kind, gdf in built.layers().items():
        ship = shipped.layers()[kind]
        assert gdf["id"].tolist() == ship["id"].tolist(), kind
        assert gdf["name"].tolist() == ship["name"].tolist(), kind
        np.testing.assert_allclose(
            gdf.get_coordinates().to_numpy(), ship.get_coordinates().to_numpy(), atol=1e-9
        )
    assert built.roads.number_of_edges() == shipped.roads.number_of_edges()
    assert {k: p.synthetic for k, p in built.provenance.items()} == {
        k: p.synthetic for k, p in shipped.provenance.items()
    }


def test_unusable_tag_values_drop_the_feature_not_the_import(tmp_path):
    path = tmp_path / "odd.osm"
    path.write_text(
        SMALL_OSM.replace(
            "</osm>",
            '<node id="6" lat="41.506" lon="120.406">'
            '<tag k="amenity" v="charging_station"/><tag k="capacity" v="99999"/></node>\n</osm>',
        )
    )
    data = read_osm(path, layers=["charging_stations"])
    assert data.charging_stations["id"].tolist() == ["node/4"]
    assert "1 feature(s) with unusable tag values left out" in (
        data.provenance["charging_stations"].note
    )
