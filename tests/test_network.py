from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import LineString, Point

from geodata.osm import roads_from_osm
from planning import (
    road_coverage_matrix,
    road_distance_matrix,
    road_distance_matrix_gdf,
    road_distances,
)
from planning.distances.roads import DEFAULT_SPEEDS_KMH, FALLBACK_SPEED_KMH, edge_speed_kmh

ROADS = Path(__file__).parent / "data" / "osm" / "liechtenstein-vaduz-schaan-roads-2024-03.osm.bz2"
BOX = (9.47, 47.10, 9.56, 47.19)
R = 6_371_008.8


@pytest.fixture(scope="module")
def graph():
    return roads_from_osm(ROADS)


def test_roads_only_file_gives_a_drivable_graph(graph):
    from geodata.osm import DRIVABLE_HIGHWAYS

    kinds = {h for *_, hw in graph.edges(data="highway") for h in np.atleast_1d(hw)}
    assert kinds <= set(DRIVABLE_HIGHWAYS)
    assert graph.number_of_nodes() > 500
    largest = max(nx.strongly_connected_components(graph), key=len)
    assert len(largest) / graph.number_of_nodes() > 0.98


def _random_points(n, seed):
    rng = np.random.default_rng(seed)
    lon = rng.uniform(BOX[0], BOX[2], n)
    lat = rng.uniform(BOX[1], BOX[3], n)
    return np.column_stack([lon, lat])


def _haversine(a, b):
    lon1, lat1, lon2, lat2 = map(np.radians, (a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    dlat, dlon = lat2 - lat1, lon2 - lon1
    h = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * R * np.arcsin(np.sqrt(h))


def _dense(matrix):
    out = np.full(matrix.shape, np.inf)
    coo = matrix.tocoo()
    out[coo.row, coo.col] = coo.data
    return out


def test_road_distance_is_never_shorter_than_straight_line(graph):
    demand, sites = _random_points(300, 1), _random_points(120, 2)
    result = road_distances(graph, demand, sites, 4000.0)
    m = result.matrix.tocoo()
    assert m.shape == (300, 120) and m.nnz > 1000
    crow = _haversine(demand[m.row], sites[m.col])
    assert np.all(m.data >= crow * (1 - 1e-7) - 1e-6)
    assert np.all(m.data <= 4000.0)


def test_node_snap_equals_networkx(graph):
    demand, sites = _random_points(200, 3), _random_points(40, 4)
    cutoff = 3000.0
    result = road_distances(graph, demand, sites, cutoff, snap="node", max_snap=np.inf)
    dense = _dense(result.matrix)
    ds, ss = result.demand_snap, result.site_snap
    backwards = graph.reverse(copy=False)
    for j in range(0, 40, 4):
        to_site = nx.single_source_dijkstra_path_length(
            backwards, ss.u[j], cutoff=cutoff, weight="length"
        )
        ref = np.array(
            [ds.snap_m[i] + to_site.get(ds.u[i], np.inf) + ss.snap_m[j] for i in range(200)]
        )
        ref[ref > cutoff] = np.inf
        assert np.array_equal(np.isfinite(ref), np.isfinite(dense[:, j]))
        finite = np.isfinite(ref)
        np.testing.assert_allclose(dense[finite, j], ref[finite], rtol=1e-9, atol=1e-6)


def _split(graph, row, name, *, leaving):
    """Insert a point into a networkx copy by cutting its edge (independent of the module)."""
    u, v, key, t = row.u, row.v, row.key, row.position
    w = graph.edges[u, v, key]["length"]
    mid = ("mid", name)
    graph.add_edge(u, mid, length=t * w)
    graph.add_edge(mid, v, length=(1 - t) * w)
    back = [
        k for k, d in graph.get_edge_data(v, u, default={}).items() if abs(d["length"] - w) < 1e-6
    ]
    if back:
        graph.add_edge(v, mid, length=(1 - t) * w)
        graph.add_edge(mid, u, length=t * w)
    if leaving:
        graph.add_edge(name, mid, length=row.snap_m)
    else:
        graph.add_edge(mid, name, length=row.snap_m)


def test_edge_snap_equals_networkx_on_a_cut_graph(graph):
    demand, sites = _random_points(60, 5), _random_points(30, 6)
    cutoff = 5000.0
    result = road_distances(graph, demand, sites, cutoff)
    dense = _dense(result.matrix)
    rng = np.random.default_rng(7)
    pairs = [(int(i), int(j)) for i, j in zip(*np.nonzero(np.isfinite(dense)), strict=True)]
    chosen = [pairs[k] for k in rng.choice(len(pairs), 12, replace=False)]
    chosen += [(int(rng.integers(60)), int(rng.integers(30))) for _ in range(8)]
    for i, j in chosen:
        di, sj = result.demand_snap.iloc[i], result.site_snap.iloc[j]
        if not (di.reachable and sj.reachable):
            assert np.isinf(dense[i, j])
            continue
        work = nx.MultiDiGraph(graph)
        if (di.u, di.v, di.key) == (sj.u, sj.v, sj.key):
            continue  # both on one edge: covered by the synthetic tests
        _split(work, di, "d", leaving=True)
        _split(work, sj, "s", leaving=False)
        try:
            ref = nx.shortest_path_length(work, "d", "s", weight="length")
        except nx.NetworkXNoPath:
            ref = np.inf
        if ref > cutoff:
            assert np.isinf(dense[i, j])
        else:
            assert dense[i, j] == pytest.approx(ref, rel=1e-9, abs=1e-6)


def test_unreachable_points_are_reported(graph):
    demand = np.vstack([_random_points(5, 8), [[9.30, 47.00]]])  # far outside the extract
    sites = np.vstack([[[9.62, 47.30]], _random_points(4, 9)])
    result = road_distances(graph, demand, sites, 10_000.0, max_snap=300.0)
    assert 5 in result.unreachable_demand.tolist()
    assert 0 in result.unreachable_sites.tolist()
    assert result.demand_snap.loc[5, "snap_m"] > 10_000
    dense = _dense(result.matrix)
    assert np.isinf(dense[5]).all() and np.isinf(dense[:, 0]).all()
    far = road_distances(graph, demand, sites, 10_000.0, max_snap=np.inf)
    assert len(far.unreachable_demand) == 0 and len(far.unreachable_sites) == 0


def test_coverage_is_the_distance_pattern(graph):
    demand, sites = _random_points(100, 10), _random_points(20, 11)
    dist = road_distance_matrix(graph, demand, sites, 2000.0)
    cover = road_coverage_matrix(graph, demand, sites, 2000.0)
    assert cover.dtype == bool
    assert np.array_equal(cover.toarray(), np.isfinite(_dense(dist)))
    gdf_d = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*demand.T), crs="EPSG:4326")
    gdf_s = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*sites.T), crs="EPSG:4326")
    via_gdf = road_distance_matrix_gdf(graph, gdf_d.to_crs(3857), gdf_s, 2000.0)
    np.testing.assert_allclose(_dense(via_gdf), _dense(dist), rtol=1e-6)
    from planning import prepare_roads, road_coverage_matrix_gdf

    cover_gdf = road_coverage_matrix_gdf(prepare_roads(graph), gdf_d, gdf_s, 2000.0)
    assert np.array_equal(cover_gdf.toarray(), cover.toarray())


def test_travel_time_on_real_roads(graph):
    demand, sites = _random_points(80, 12), _random_points(20, 13)
    seconds = road_distances(graph, demand, sites, 600.0, weight="travel_time")
    metres = _dense(road_distance_matrix(graph, demand, sites, 1e9))
    m = seconds.matrix.tocoo()
    assert m.nnz > 0
    fastest = max(DEFAULT_SPEEDS_KMH.values()) / 3.6
    assert np.all(m.data >= metres[m.row, m.col] / max(fastest, 120 / 3.6) - 1e-6)
    slow = road_distances(graph, demand, sites, 600.0, weight="travel_time", speeds={"primary": 5})
    assert slow.matrix.nnz <= seconds.matrix.nnz


# ----------------------------------------------------------------------------- synthetic graphs


def _line_graph(oneway=False, maxspeed=None):
    """Three nodes 0-1-2 along the x axis (metres), 100 m apart."""
    g = nx.MultiDiGraph(crs="EPSG:32632")
    for n in range(3):
        g.add_node(n, x=100.0 * n, y=0.0)
    for a, b in [(0, 1), (1, 2)]:
        attrs = {"length": 100.0, "highway": "residential"}
        if maxspeed:
            attrs["maxspeed"] = maxspeed
        g.add_edge(a, b, **attrs)
        if not oneway:
            g.add_edge(b, a, **attrs)
    return g


def test_snap_offsets_and_one_way_streets():
    g = _line_graph(oneway=True)
    demand = np.array([[20.0, 30.0]])  # 20 m along edge 0->1, 30 m off the road
    site = np.array([[180.0, -40.0]])  # 80 m along edge 1->2, 40 m off
    d = road_distance_matrix(g, demand, site, 1e6)
    assert d[0, 0] == pytest.approx(30 + 80 + 80 + 40)
    back = road_distance_matrix(g, site, demand, 1e6)
    assert back.nnz == 0  # against the one-way street
    two_way = road_distance_matrix(_line_graph(), site, demand, 1e6)
    assert two_way[0, 0] == pytest.approx(40 + 80 + 80 + 30)
    node = road_distance_matrix(g, demand, site, 1e6, snap="node")
    assert node[0, 0] == pytest.approx(np.hypot(20, 30) + 200 + np.hypot(20, 40))


def test_same_edge_zero_and_cutoff():
    g = _line_graph(oneway=True)
    demand = np.array([[10.0, 0.0], [60.0, 0.0], [50.0, 0.0]])
    site = np.array([[50.0, 0.0]])
    result = road_distances(g, demand, site, 1e6)
    dense = _dense(result.matrix)
    assert dense[0, 0] == pytest.approx(40.0)  # along the edge, no node visited
    assert np.isinf(dense[1, 0])  # past the site on a one-way street
    assert dense[2, 0] == 0.0 and result.matrix.nnz == 2  # explicit zero kept
    assert road_coverage_matrix(g, demand, site, 1e6).toarray()[:, 0].tolist() == [
        True,
        False,
        True,
    ]
    tight = road_distance_matrix(g, demand, site, 40.0)
    assert _dense(tight)[0, 0] == pytest.approx(40.0)
    assert np.isinf(_dense(road_distance_matrix(g, demand, site, 39.0))[0, 0])


def test_parallel_edges_take_the_cheapest_and_geometry_is_used():
    g = nx.MultiDiGraph(crs="EPSG:32632")
    g.add_node("a", x=0.0, y=0.0)
    g.add_node("b", x=100.0, y=0.0)
    g.add_edge("a", "b", length=300.0, geometry=LineString([(0, 0), (50, 100), (100, 0)]))
    g.add_edge("a", "b", length=100.0)
    d = road_distance_matrix(g, [[0.0, -5.0]], [[100.0, -5.0]], 1e6)
    assert d[0, 0] == pytest.approx(5 + 100 + 5)
    # a point by the detour snaps onto the curved edge
    snap = road_distances(g, [[50.0, 101.0]], [[100.0, 0.0]], 1e6)
    assert snap.demand_snap.loc[0, "snap_m"] == pytest.approx(1.0, abs=0.2)


def test_travel_time_from_tags_and_defaults():
    tagged = _line_graph(maxspeed="50")
    untagged = _line_graph()
    pts, far = np.array([[0.0, 0.0]]), np.array([[200.0, 0.0]])
    t1 = road_distance_matrix(tagged, pts, far, 1e6, weight="travel_time")
    assert t1[0, 0] == pytest.approx(200 / (50 / 3.6))
    t2 = road_distance_matrix(untagged, pts, far, 1e6, weight="travel_time")
    assert t2[0, 0] == pytest.approx(200 / (DEFAULT_SPEEDS_KMH["residential"] / 3.6))
    t3 = road_distance_matrix(
        untagged, pts, far, 1e6, weight="travel_time", speeds={"residential": 20}
    )
    assert t3[0, 0] == pytest.approx(200 / (20 / 3.6))
    off = road_distance_matrix(
        untagged, [[0.0, 50.0]], far, 1e6, weight="travel_time", snap_speed_kmh=18
    )
    assert off[0, 0] == pytest.approx(50 / 5 + 200 / (30 / 3.6))


def test_edge_speeds():
    assert edge_speed_kmh("primary", "50") == 50
    assert edge_speed_kmh("primary", "30 mph") == pytest.approx(48.28032)
    assert edge_speed_kmh("primary", ["50", "70"]) == 60
    assert edge_speed_kmh("primary", "CH:urban") == DEFAULT_SPEEDS_KMH["primary"]
    assert edge_speed_kmh(["primary", "residential"], None) == pytest.approx(45)
    assert edge_speed_kmh("primary;residential", None) == pytest.approx(45)
    assert edge_speed_kmh("busway", None) == FALLBACK_SPEED_KMH
    assert edge_speed_kmh("residential", None, speeds={"residential": 25}) == 25


def test_input_errors():
    g = _line_graph()
    pts = np.array([[0.0, 0.0]])
    with pytest.raises(ValueError, match="cutoff must be"):
        road_distance_matrix(g, pts, pts, -1)
    with pytest.raises(ValueError, match=r"demand_xy must have shape \(n, 2\)"):
        road_distance_matrix(g, [1.0, 2.0, 3.0], pts, 10)
    with pytest.raises(ValueError, match="snap must be"):
        road_distance_matrix(g, pts, pts, 10, snap="nearest")
    with pytest.raises(ValueError, match="weight must be an attribute"):
        road_distance_matrix(g, pts, pts, 10, weight="cost")
    with pytest.raises(ValueError, match="max_snap"):
        road_distance_matrix(g, pts, pts, 10, max_snap=-5)
    with pytest.raises(ValueError, match="non-empty"):
        road_distance_matrix(nx.MultiDiGraph(), pts, pts, 10)
    empty = road_distances(g, np.zeros((0, 2)), pts, 10)
    assert empty.matrix.shape == (0, 1)
    feet = nx.MultiDiGraph(crs="EPSG:2249")  # US survey feet
    feet.add_node(0, x=0.0, y=0.0)
    with pytest.raises(ValueError, match="metres"):
        road_distance_matrix(feet, pts, pts, 10, snap="node")
    gdf = gpd.GeoDataFrame(geometry=[Point(0, 0)])
    with pytest.raises(ValueError, match="must have a crs"):
        road_distance_matrix_gdf(g, gdf, gdf, 10)


def test_points_on_nodes_give_node_to_node_distances(graph):
    rng = np.random.default_rng(14)
    nodes = list(graph.nodes)
    pick = [nodes[k] for k in rng.choice(len(nodes), 60, replace=False)]
    xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in pick])
    dense = _dense(road_distance_matrix(graph, xy[:40], xy[40:], 2500.0))
    backwards = graph.reverse(copy=False)
    for j, site in enumerate(pick[40:]):
        ref = nx.single_source_dijkstra_path_length(backwards, site, cutoff=2500.0, weight="length")
        want = np.array([ref.get(n, np.inf) for n in pick[:40]])
        assert np.array_equal(np.isfinite(want), np.isfinite(dense[:, j]))
        ok = np.isfinite(want)
        np.testing.assert_allclose(dense[ok, j], want[ok], rtol=1e-9, atol=1e-6)


def test_prepared_network_is_reused(graph):
    from planning import prepare_roads

    demand, sites = _random_points(50, 15), _random_points(10, 16)
    net = prepare_roads(graph)
    direct = road_distance_matrix(graph, demand, sites, 3000.0)
    reused = road_distance_matrix(net, demand, sites, 3000.0)
    np.testing.assert_array_equal(_dense(direct), _dense(reused))
    with pytest.raises(ValueError, match="weight must be 'length'"):
        road_distance_matrix(net, demand, sites, 300.0, weight="travel_time")
    timed = prepare_roads(graph, weight="travel_time")
    assert road_distance_matrix(timed, demand, sites, 300.0, weight="travel_time").nnz > 0


def test_undirected_graph_is_two_way():
    g = nx.MultiGraph(_line_graph(oneway=True), crs="EPSG:32632")
    d = road_distance_matrix(g, [[200.0, 0.0]], [[0.0, 0.0]], 1e6)
    assert d[0, 0] == pytest.approx(200.0)


def test_repeated_demand_points_equal_distinct_ones(graph):
    distinct = np.vstack([_random_points(40, 21), [[9.0, 47.0]]])  # the last is off the map
    sites = np.vstack([_random_points(15, 22), distinct[:2]])  # two sites at demand points
    order = np.random.default_rng(23).permutation(np.repeat(np.arange(len(distinct)), 3))
    once = road_distances(graph, distinct, sites, 3000.0)
    repeated = road_distances(graph, distinct[order], sites, 3000.0)
    assert repeated.matrix.shape == (len(order), len(sites))
    np.testing.assert_array_equal(repeated.matrix.toarray(), once.matrix.toarray()[order])
    assert repeated.matrix.nnz == once.matrix[order].nnz  # explicit zeros kept
    assert repeated.demand_snap.equals(once.demand_snap.iloc[order].reset_index(drop=True))
    far = np.flatnonzero(np.isin(order, once.unreachable_demand))
    assert np.array_equal(repeated.unreachable_demand, far)
    assert len(distinct) - 1 in once.unreachable_demand


def test_two_way_roads_pair_up_among_parallel_edges():
    from planning import prepare_roads

    g = nx.MultiDiGraph(crs="EPSG:32632")
    for name, x in zip("abcd", [0.0, 100.0, 200.0, 300.0], strict=True):
        g.add_node(name, x=x, y=0.0)
    detour = LineString([(0, 0), (50, 100), (100, 0)])
    for a, b in [("a", "b"), ("b", "a")]:
        g.add_edge(a, b, length=100.0)
        g.add_edge(a, b, length=300.0, geometry=detour if a == "a" else detour.reverse())
    g.add_edge("b", "c", length=100.0)  # one way
    g.add_edge("c", "d", length=100.0)
    g.add_edge("d", "c", length=100.0)
    g.add_edge("d", "d", length=50.0)  # a loop is not its own reverse
    net = prepare_roads(g)
    paired = np.flatnonzero(net.reverse >= 0)
    assert len(paired) == 6
    r = net.reverse[paired]
    assert np.array_equal(net.reverse[r], paired)
    assert np.array_equal(net.u[r], net.v[paired]) and np.array_equal(net.v[r], net.u[paired])
    assert np.array_equal(net.cost[r], net.cost[paired])
    assert len(net.lines) == len(net.u) - 3  # one line per two-way road
    d = road_distance_matrix(net, [[0.0, -5.0]], [[300.0, -5.0]], 1e6)
    assert d[0, 0] == pytest.approx(5 + 300 + 5)
