"""Tests of planning.maps: offline assets, escaping, layers, filters, basemaps."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import geodata
from geodata.crs import wgs84_to_gcj02
from planning import maps
from planning.maps._assets import ASSETS, asset_text, install_assets

XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def demo() -> geodata.PlanningData:
    data = geodata.load_demo()
    firms = data.enterprises.copy()
    firms.loc[firms.index[0], "name"] = XSS
    parks = data.parks.copy()
    parks.loc[parks.index[0], "name"] = '<img src=x onerror="alert(2)">'
    return data.replace(enterprises=firms, parks=parks)


def _remote_links(page: str) -> list[str]:
    tags = re.findall(r"<(?:script|link)\b[^>]*>", page, flags=re.IGNORECASE)
    return [t for t in tags if re.search(r"(?:src|href)=\"(?:https?:)?//", t)]


def test_standalone_html_inlines_leaflet_and_has_no_remote_links(demo):
    page = maps.standalone_html(maps.build_map(demo))
    assert _remote_links(page) == []
    assert asset_text(maps.LEAFLET_JS)[:2000] in page
    assert "L.map(" in page
    assert "<title>InfraSite</title>" in page


def test_user_text_is_escaped(demo):
    page = maps.standalone_html(maps.build_map(demo))
    assert XSS not in page
    assert 'onerror="alert(2)"' not in page
    # escaped once for HTML, then JSON-encoded (& -> \u0026) inside the script
    assert "\\u0026lt;script\\u0026gt;alert(1)\\u0026lt;/script\\u0026gt;" in page


def test_user_text_that_looks_like_a_template_is_kept_as_it_is(demo):
    """Names are put in the page as they are, never evaluated as Jinja templates."""
    from planning import scenarios

    firms = demo.enterprises.copy()
    firms.loc[firms.index[1], "name"] = "钢铁{{ 7*7 }}公司"
    firms.loc[firms.index[2], "name"] = "材料{% if %}公司"
    parks = demo.parks.copy()
    parks.loc[parks.index[1], "name"] = "园区{# x"
    data = demo.replace(enterprises=firms, parks=parks)
    spec = scenarios.ScenarioSpec(name="方案{{ 1+1 }}", n_sites=2, time_limit=20)
    result = scenarios.run_scenario(data, spec)
    page = maps.standalone_html(maps.build_map(data, scenario=result))
    for text in ("钢铁{{ 7*7 }}公司", "材料{% if %}公司", "园区{# x", "方案{{ 1+1 }}"):
        assert text in page or json.dumps(text)[1:-1] in page, text  # as it is, or JSON-escaped
    assert "钢铁49公司" not in page and "方案2" not in page


def test_maps_render_as_folium_would(demo, monkeypatch):
    """Skipping the second template pass changes nothing but surrounding white space."""
    import itertools

    from branca.element import Element, MacroElement

    from planning.maps._elements import _Prerendered

    def page() -> str:
        ids = itertools.count()
        monkeypatch.setattr(Element, "_generate_id", classmethod(lambda cls: f"{next(ids):032x}"))
        return re.sub(r"\s+", " ", maps.build_map(demo).get_root().render())

    ours = page()
    monkeypatch.setattr(_Prerendered, "render", MacroElement.render)
    assert ours == page()


def test_layers_named_in_both_languages(demo):
    zh = maps.build_map(demo, language="zh")
    en = maps.build_map(demo, language="en", show_candidates=True)
    names_zh = set(json.loads(maps.map_json_summary(zh)))
    names_en = set(json.loads(maps.map_json_summary(en)))
    assert {"企业", "开发区", "行政区", "充电站", "候选站址", "5G基站覆盖"} <= names_zh
    assert {"Enterprises", "Development zones", "Counties", "Charging stations"} <= names_en
    assert "5G coverage (dissolved)" in names_en


def test_static_assets_point_at_local_files(demo, tmp_path):
    m = maps.use_static_assets(maps.build_map(demo, cluster=True), base_url="/app/static/v")
    page = m.get_root().render()
    srcs = re.findall(r'<script src="([^"]+)"', page)
    hrefs = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert srcs and hrefs
    assert all(u.startswith("/app/static/v/") for u in srcs + hrefs)
    assert any("markercluster" in u for u in srcs)
    written = install_assets(tmp_path)
    assert {p.name for p in written.values()} == set(ASSETS.values())
    before = {p: p.stat().st_mtime_ns for p in written.values()}
    install_assets(tmp_path)
    assert {p: p.stat().st_mtime_ns for p in written.values()} == before


def test_clustering_switches_on_for_large_layers(demo, monkeypatch):
    page = maps.build_map(demo).get_root().render()
    assert "L.markerClusterGroup" not in page
    monkeypatch.setattr(maps._build, "CLUSTER_THRESHOLD", 10)
    page = maps.build_map(demo).get_root().render()
    assert "L.markerClusterGroup" in page


def test_filter_data(demo):
    county = demo.enterprises["county"].iloc[0]
    out = maps.filter_data(demo, counties=[county], sectors=["chemicals", "clean_energy"])
    firms = out.enterprises
    assert len(firms) > 0
    assert set(firms["county"]) == {county}
    assert set(firms["sector"]) <= {"chemicals", "clean_energy"}
    expected = (demo.enterprises["county"] == county) & demo.enterprises["sector"].isin(
        ["chemicals", "clean_energy"]
    )
    assert len(firms) == int(expected.sum())
    assert list(out.admin_areas["name"]) == [county]
    assert len(out.base_stations) == len(demo.base_stations)
    assert maps.filter_data(demo) is demo
    assert len(maps.filter_data(demo, statuses=[]).enterprises) == 0


def test_amap_basemap_shifts_overlays_to_gcj02(demo):
    page = maps.build_map(demo, basemap="amap").get_root().render()
    assert "autonavi.com" in page
    lon, lat = demo.enterprises.geometry.x.iloc[1], demo.enterprises.geometry.y.iloc[1]
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert abs(glon - lon) > 1e-3  # hundreds of metres in China
    assert f"[{round(glat, 5)},{round(glon, 5)}," in page


def test_tianditu_needs_a_key(demo, monkeypatch):
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(ValueError, match="tianditu_key"):
        maps.build_map(demo, basemap="tianditu")
    monkeypatch.setenv("TIANDITU_KEY", "abc123")
    page = maps.build_map(demo, basemap="tianditu").get_root().render()
    assert "vec_w/wmts" in page and "cva_w/wmts" in page and "tk=abc123" in page
    assert "Tianditu" in page


def test_bad_arguments_name_the_argument(demo):
    with pytest.raises(ValueError, match="color_by"):
        maps.build_map(demo, color_by="size")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="basemap"):
        maps.build_map(demo, basemap="google")  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="url"):
        asset_text("https://example.com/x.js")


def test_default_basemap_has_no_tiles_and_a_max_zoom(demo):
    page = maps.build_map(demo).get_root().render()
    assert "L.tileLayer" not in page
    assert re.search(r'"maxZoom":\s*18', page)


def test_scenario_overlay_marks_sites_and_newly_served_firms(demo):
    from planning import scenarios

    spec_a = scenarios.ScenarioSpec(name="A", infrastructure="5g", n_sites=3, time_limit=20)
    spec_b = scenarios.ScenarioSpec(
        name="B", infrastructure="charging", n_sites=2, radius_m=1500, time_limit=20
    )
    a = scenarios.run_scenario(demo, spec_a)
    b = scenarios.run_scenario(demo, spec_b)
    m = maps.build_map(demo, scenario=[a, b], language="en")
    names = json.loads(maps.map_json_summary(m))
    assert "Scenario A: proposed sites" in names
    assert "Scenario B: newly served firms" in names or b.summary["firms_newly_served"] == 0
    page = m.get_root().render()
    for site in a.proposed_sites.geometry:
        assert f"[{round(site.y, 5)},{round(site.x, 5)}," in page
    newly = a.served[a.served["newly_served"]]
    assert len(newly) == a.summary["firms_newly_served"] > 0
    pt = newly.geometry.iloc[0]
    assert f"[{round(pt.y, 5)},{round(pt.x, 5)}," in page
    radius = spec_b.service_radius()
    assert np.isclose(radius, 1500)
    assert f",{radius}]" in page  # footprint circles in metres


def test_staged_plan_is_coloured_by_year_with_each_site_footprint_its_own_radius(demo):
    from planning import scenarios
    from planning.maps._layers import STAGE_COLORS

    spec = scenarios.ScenarioSpec(name="St", infrastructure="5g", stage_sites=(2, 2), time_limit=20)
    result = scenarios.run_scenario(demo, spec)
    sites = result.proposed_sites
    assert sorted(set(sites["stage"])) == [1, 2]
    page = maps.build_map(demo, scenario=result, language="en").get_root().render()
    for n in (1, 2):
        assert f"St \\u00b7 year {n}" in page, f"no legend entry for year {n}"
        assert STAGE_COLORS[n - 1] in page
    for site, radius in zip(sites.geometry, sites["radius_m"], strict=True):
        # footprint rows are [lat, lon, style, radius]: the style is the year, the radius the site's
        year = int(sites.loc[sites.geometry == site, "stage"].iloc[0]) - 1
        assert f"[{round(site.y, 5)},{round(site.x, 5)},{year},{float(radius)}]" in page


def test_unreachable_firms_are_drawn_when_a_target_is_missed(demo):
    from planning import scenarios

    spec = scenarios.ScenarioSpec(
        name="T",
        infrastructure="charging",
        objective="min_sites",
        coverage_target=0.9,
        time_limit=20,
    )
    result = scenarios.run_scenario(demo, spec)
    assert result.summary["target_reached"] is False
    out = result.unreachable
    assert len(out) > 0
    m = maps.build_map(demo, scenario=result, language="en")
    names = json.loads(maps.map_json_summary(m))
    assert f"Scenario T: firms no site can reach ({len(out)})" in names
    page = m.get_root().render()
    pt = out.geometry.iloc[0]
    assert f"[{round(pt.y, 5)},{round(pt.x, 5)},0,5.0" in page


def test_osm_demo_with_unknown_operators_maps_without_warnings():
    data = geodata.load_demo("liechtenstein")
    assert (data.base_stations["operator"] == "unknown").any()
    page = maps.standalone_html(maps.build_map(data, language="en"))
    assert _remote_links(page) == []
    assert maps.OPERATOR_COLORS["unknown"] in page


def test_notebook_map_is_an_offline_iframe(demo):
    view = maps.notebook_map(maps.build_map(demo), height=400)
    frame = view._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and "height:400px" in frame
    assert "&lt;script&gt;" in frame and "<script>" not in frame


def test_big_point_layers_are_served_as_shared_files(demo, tmp_path):
    folder = tmp_path / "mapdata"
    m = maps.build_map(demo)
    files = maps.serve_point_rows(m, folder, base_url="/app/static/mapdata")
    page = m.get_root().render()
    assert files, "the demo's enterprises are big enough to move out of the script"
    for name, text in files.items():
        assert (folder / name).read_text(encoding="utf-8") == text
        assert f'fetch("/app/static/mapdata/{name}")' in page
        assert text not in page
        rows = json.loads(text)
        assert isinstance(rows, list) and len(rows[0]) >= 4
    # the enterprises' data is in a file; an escaped name stays escaped there
    assert any("\\u0026lt;script" in text for text in files.values())
    # the same map again writes nothing new and gets the same URLs
    again = maps.serve_point_rows(maps.build_map(demo), folder, base_url="/app/static/mapdata")
    assert again == files
    assert sorted(p.name for p in folder.iterdir()) == sorted(files)
    # a removed file is written again before a cached map is shown
    gone = next(iter(files))
    (folder / gone).unlink()
    maps.ensure_point_rows(folder, files)
    assert (folder / gone).read_text(encoding="utf-8") == files[gone]


def test_served_point_files_are_pruned_oldest_first(demo, tmp_path):
    import os

    n_files = len(maps.serve_point_rows(maps.build_map(demo), tmp_path / "count", base_url="/x"))
    folder = tmp_path / "mapdata"
    folder.mkdir()
    for i in range(5):
        old = folder / f"old{i}.json"
        old.write_text("[]")
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    files = maps.serve_point_rows(maps.build_map(demo), folder, base_url="/x", keep=n_files + 3)
    names = {p.name for p in folder.iterdir()}
    assert names == set(files) | {"old2.json", "old3.json", "old4.json"}


def test_small_point_layers_stay_inline(demo, tmp_path):
    m = maps.build_map(demo)
    files = maps.serve_point_rows(m, tmp_path, base_url="/x", min_chars=10**9)
    assert files == {}
    assert "fetch(" not in m.get_root().render()
