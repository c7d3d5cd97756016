"""Drive the app in Debian's Chromium with every non-loopback request blocked.

The app is started with ``streamlit run`` on 127.0.0.1; Playwright (sync API)
controls ``/usr/bin/chromium`` (fixtures in ``browser_support.py``). These
tests must run in CI: a missing Chromium is a failure, not a skip.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from browser_support import MAP_FRAME, wait_idle

pytestmark = pytest.mark.browser


def _canvas_pixels(frame: Any) -> int:
    """Return how many non-transparent pixels Leaflet's canvas renderer drew."""
    return int(
        frame.locator(".leaflet-overlay-pane canvas").first.evaluate(
            """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                      let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
        )
    )


def test_map_draws_offline(app_page, app_url):
    page, blocked = app_page
    page.goto(app_url)
    wait_idle(page)
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".leaflet-container").wait_for(state="visible")
    frame.locator(".leaflet-overlay-pane canvas").first.wait_for(state="visible")
    frame.locator(".infrasite-legend").wait_for(state="visible")
    deadline = time.monotonic() + 20
    while _canvas_pixels(frame) < 1000 and time.monotonic() < deadline:
        time.sleep(0.25)
    assert _canvas_pixels(frame) >= 1000, "the map canvas stayed empty"
    assert frame.locator(".leaflet-control-layers-overlays label").count() >= 5
    assert blocked == [], f"the page asked for remote resources: {blocked[:5]}"


def test_scenario_runs_and_its_geopackage_downloads(app_page, app_url, tmp_path):
    import pyogrio

    page, blocked = app_page
    page.goto(f"{app_url}/scenario")
    wait_idle(page)
    page.get_by_role("button", name="运行方案").click()
    errors = page.locator("[data-testid='stAlertContentError']")
    page.get_by_text("已保存").or_(errors).first.wait_for(timeout=90_000)
    wait_idle(page)
    assert errors.count() == 0, errors.first.inner_text()
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".leaflet-container").wait_for(state="visible")
    assert page.get_by_text("最优性差距").count() >= 1

    page.get_by_role("link", name="导出").click()
    wait_idle(page)
    button = page.get_by_role("button", name="下载 GeoPackage")
    button.wait_for(state="visible")
    with page.expect_download() as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".gpkg"
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert layers, "the GeoPackage has no layers"
    frames = {name: pyogrio.read_dataframe(path, layer=name) for name in layers}
    assert any(len(f) == 5 for f in frames.values()), {k: len(v) for k, v in frames.items()}
    assert blocked == [], f"the page asked for remote resources: {blocked[:5]}"


def test_work_survives_a_reload_and_a_second_tab_sees_it(app_page, app_url, chromium):
    page, blocked = app_page
    page.goto(f"{app_url}/scenario")
    wait_idle(page)
    page.get_by_role("textbox", name="方案名称").fill("刷新后还在")  # sent with the form
    page.get_by_role("button", name="运行方案").click()
    errors = page.locator("[data-testid='stAlertContentError']")
    page.get_by_text("已保存到项目").or_(errors).first.wait_for(timeout=90_000)
    wait_idle(page)
    assert errors.count() == 0, errors.first.inner_text()

    page.get_by_role("link", name="数据", exact=True).click()
    wait_idle(page)
    firms = "id,name,lon,lat,employees\nE1,甲公司,120.45,41.57,12\nE2,乙公司,120.46,41.58,30\n"
    page.locator("[data-testid='stForm'] input[type=file]").set_input_files(
        files=[{"name": "firms.csv", "mimeType": "text/csv", "buffer": firms.encode("utf-8")}]
    )
    wait_idle(page)
    page.get_by_role("button", name="加载图层").click()
    page.get_by_text("已加载图层").wait_for(timeout=60_000)
    wait_idle(page)
    assert "project=" in page.url

    def _shows_the_work(tab: Any) -> None:
        tab.goto(f"{app_url}/scenario?{page.url.split('?', 1)[1]}")
        wait_idle(tab)
        tab.get_by_text("结果: 刷新后还在").wait_for(timeout=60_000)
        tab.get_by_role("link", name="地图与统计").click()
        wait_idle(tab)
        tab.get_by_text("显示企业 2 家").wait_for(timeout=60_000)

    page.reload()
    wait_idle(page)
    _shows_the_work(page)
    second = page.context.new_page()  # a second tab of the same browser
    _shows_the_work(second)
    other = chromium.new_context()  # and a colleague's browser on the same URL
    try:
        _shows_the_work(other.new_page())
    finally:
        other.close()
    assert blocked == [], f"the page asked for remote resources: {blocked[:5]}"


def test_firm_points_load_from_a_shared_file_and_a_click_selects_the_firm(app_page, app_url):
    page, blocked = app_page
    fetched: list[str] = []
    page.on(
        "response",
        lambda r: fetched.append(r.url) if "/app/static/mapdata/" in r.url and r.ok else None,
    )
    page.goto(app_url)
    wait_idle(page)
    page.get_by_role("link", name="查找企业").click()
    wait_idle(page)
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".leaflet-container").wait_for(state="visible")
    count_rows = """() => { let n = 0; for (const k in window.map._layers) {
                       const l = window.map._layers[k]; if (l.options && l.options.row) n++; }
                     return n; }"""
    # the project's layers may be the demo's or a smaller upload of an earlier test
    deadline = time.monotonic() + 30
    while frame.locator("body").evaluate(count_rows) < 100 and time.monotonic() < deadline:
        time.sleep(0.25)
    assert frame.locator("body").evaluate(count_rows) >= 100, "the points were not drawn"
    assert fetched, "no point layer's data came from a static file"
    name = frame.locator("body").evaluate(
        """() => { for (const k in window.map._layers) {
                 const l = window.map._layers[k];
                 if (l.options && l.options.row && typeof l.options.row[4] === 'string') {
                   l.fire('click', {latlng: l.getLatLng()}); return l.options.row[4]; } }
               return null; }"""
    )
    assert name
    page.get_by_text("已选中地图上离点击位置最近的企业").wait_for(timeout=20_000)
    assert blocked == [], f"the page asked for remote resources: {blocked[:5]}"
