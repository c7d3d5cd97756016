"""Map page build and browser load time at 5k and 50k enterprises.

Synthetic firms are drawn around the demo city's real ones (resampled with
~300 m jitter). For each size the benchmark reports:

- ``build_s``: :func:`planning.maps.build_map` (median of 3 runs);
- ``render_s`` and ``html_mb``: :func:`planning.maps.standalone_html` and its size;
- ``app_payload_mb``: the script st_folium sends to the app's iframe;
- ``load_s``: Chromium time from navigation until the features are drawn
  (canvas pixels, or cluster icons when clustered), all non-file requests
  blocked.

It then starts the app and saves screenshots of the map, scenario, compare
and firm pages into ``benchmarks/results/``, with the scenario's Word report
and the images in it (its static map and curve). Run: ``python benchmarks/map_page.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _synthetic import resampled_firms  # noqa: E402

import geodata  # noqa: E402
from planning import maps  # noqa: E402

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DRAWN_JS = """() => {
  const icons = document.querySelectorAll('.marker-cluster').length;
  let px = 0;
  for (const c of document.querySelectorAll('.leaflet-overlay-pane canvas')) {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 16) if (d[i]) px++;
  }
  return {icons, px};
}"""


def measure_build(data: geodata.PlanningData, *, cluster: bool | None) -> dict[str, float]:
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        m = maps.build_map(data, cluster=cluster)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    page = maps.standalone_html(m)
    render = time.perf_counter() - t0
    from streamlit_folium import _get_map_string

    payload = _get_map_string(maps.use_static_assets(maps.build_map(data, cluster=cluster)))
    return {
        "build_s": statistics.median(times),
        "render_s": render,
        "html_mb": len(page.encode()) / 1e6,
        "app_payload_mb": len(payload.encode()) / 1e6,
        "_page": page,  # type: ignore[dict-item]
    }


def measure_load(browser, path: Path) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
    )
    page = context.new_page()
    t0 = time.perf_counter()
    page.goto(path.as_uri(), wait_until="commit")
    while True:
        state = page.evaluate(DRAWN_JS) if page.locator(".leaflet-container").count() else {}
        if state and (state["icons"] > 0 or state["px"] > 500):
            break
        if time.perf_counter() - t0 > 120:
            msg = f"features not drawn after 120 s: {path}"
            raise TimeoutError(msg)
        page.wait_for_timeout(20)
    elapsed = time.perf_counter() - t0
    context.close()
    return elapsed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_screenshots(browser, out: Path) -> dict[str, float]:
    port = _free_port()
    home = tempfile.mkdtemp(prefix="infrasite-shots-")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless=true",
            "--server.address=127.0.0.1",
            f"--server.port={port}",
            "--browser.gatherUsageStats=false",
        ],
        cwd=ROOT,
        env={**os.environ, "INFRASITE_HOME": home},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # a throwaway projects folder: the screenshots start from the demo, never from your projects
    url = f"http://127.0.0.1:{port}"
    figures = {}
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).close()
                break
            except OSError:
                time.sleep(0.25)
        context = browser.new_context(viewport={"width": 1500, "height": 1100})
        context.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                else r.abort()
            ),
        )
        page = context.new_page()
        page.set_default_timeout(120_000)
        idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
        t0 = time.perf_counter()
        page.goto(url)
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first
        frame.locator(".leaflet-overlay-pane canvas").first.wait_for()
        page.wait_for_selector(idle)
        figures["app_map_page_s"] = time.perf_counter() - t0
        page.wait_for_timeout(1500)
        page.screenshot(path=str(out / "map_page.png"), full_page=True)
        page.set_viewport_size({"width": 1500, "height": 1100})
        page.get_by_role("link", name="选址方案").click()
        page.wait_for_selector(idle)
        t0 = time.perf_counter()
        page.get_by_role("button", name="运行方案").click()
        page.get_by_text("已保存").first.wait_for()
        page.wait_for_selector(idle)
        frame.locator(".leaflet-overlay-pane canvas").first.wait_for()
        figures["app_scenario_run_s"] = time.perf_counter() - t0
        page.set_viewport_size({"width": 1500, "height": 3400})
        page.wait_for_timeout(2500)
        page.screenshot(path=str(out / "scenario_page.png"), full_page=True)
        page.set_viewport_size({"width": 1500, "height": 1100})
        page.get_by_role("spinbutton", name="新增站点数").fill("10")
        page.get_by_role("textbox", name="方案名称").fill("S2")
        page.get_by_role("button", name="运行方案").click()
        page.get_by_text("“S2”").first.wait_for()
        page.wait_for_selector(idle)
        page.get_by_role("link", name="方案对比").click()
        page.wait_for_selector(idle)
        page.get_by_role("combobox").first.wait_for()
        page.set_viewport_size({"width": 1500, "height": 2400})
        page.wait_for_timeout(2500)
        page.screenshot(path=str(out / "compare_page.png"), full_page=True)
        page.set_viewport_size({"width": 1500, "height": 1100})
        _firm_and_report_screenshots(page, frame, idle, out)
        context.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
        shutil.rmtree(home, ignore_errors=True)
    return figures


def _firm_and_report_screenshots(page, frame, idle: str, out: Path) -> None:
    """A firm's details from a search, and the Word report's map and file."""
    name = str(geodata.load_demo().enterprises["name"].iloc[0])
    page.get_by_role("link", name="查找企业").click()
    page.wait_for_selector(idle)
    page.get_by_role("textbox", name="按企业名称或编号查找").fill(name)
    page.get_by_role("textbox", name="按企业名称或编号查找").press("Enter")
    page.wait_for_selector(idle)
    page.get_by_text(name).first.wait_for()
    frame.locator(".leaflet-overlay-pane canvas").first.wait_for()
    page.set_viewport_size({"width": 1500, "height": 1600})
    page.wait_for_timeout(2500)
    page.screenshot(path=str(out / "firm_page.png"), full_page=True)
    page.set_viewport_size({"width": 1500, "height": 1100})
    page.get_by_role("link", name="导出").click()
    page.wait_for_selector(idle)
    with page.expect_download() as info:
        page.get_by_role("button", name="下载方案报告").click()
    report = out / "scenario_report.docx"
    info.value.save_as(report)
    with zipfile.ZipFile(report) as docx:
        images = sorted(n for n in docx.namelist() if n.startswith("word/media/"))
        for i, member in enumerate(images):
            suffix = Path(member).suffix
            (out / f"report_image_{i + 1}{suffix}").write_bytes(docx.read(member))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--no-app", action="store_true", help="skip the app screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    demo = geodata.load_demo()
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=FLAGS)
        for n in args.sizes:
            data = resampled_firms(demo, n)
            modes = [None] if n <= maps.CLUSTER_THRESHOLD else [None, False]
            for cluster in modes:
                fig = measure_build(data, cluster=cluster)
                page = fig.pop("_page")
                label = "auto" if cluster is None else "canvas"
                path = args.out / f"map_{n}_{label}.html"
                path.write_text(str(page), encoding="utf-8")
                fig["load_s"] = statistics.median(measure_load(browser, path) for _ in range(3))
                clustered = n > maps.CLUSTER_THRESHOLD if cluster is None else cluster
                row = {"firms": n, "clustered": clustered, **fig}
                rows.append(row)
                print(
                    json.dumps(
                        {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}
                    )
                )
        if not args.no_app:
            app = app_screenshots(browser, args.out)
            print(json.dumps({k: round(v, 2) for k, v in app.items()}))
        browser.close()
    (args.out / "map_page.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
