"""Ten planners at once: the app on loopback driven by 1, then 10 concurrent Chromium sessions.

Each session opens the map, then clicks through the scenario, firm and
programme pages in the sidebar, waiting on each until the page's own
content is drawn and the script is idle. The test fails on any error shown
or any request off loopback; the times per page and the server's memory are
printed (``pytest -s tests/test_load.py``), never asserted: speed is
measured, not unit tested. The second round of ten sessions comes after the
first ten have closed, to show memory staying bounded as sessions come and go.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM_FLAGS, IDLE, LOCAL, MAP_FRAME, _chromium

pytestmark = pytest.mark.browser

SESSIONS = 10
PAGES = {
    "map": ("", MAP_FRAME),
    "scenario": ("scenario", "button:has-text('运行方案')"),
    "firm": ("firm", "[data-testid='stTextInput']"),
    "programme": ("programme", "text=各区县进展"),
}


def _server_kib(port: int) -> tuple[int, int]:
    """Return (current RSS, peak RSS) in KiB of the streamlit process listening on ``port``."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if "streamlit" not in cmd or f"--server.port={port}" not in cmd:
                continue
            status = (proc / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
    raise AssertionError(f"no streamlit process on port {port}")


async def _session(browser: Any, url: str, blocked: list[str]) -> dict[str, float]:
    context = await browser.new_context(viewport={"width": 1300, "height": 900})

    async def route(r: Any) -> None:
        if r.request.url.startswith(LOCAL):
            await r.continue_()
        else:
            blocked.append(r.request.url)
            await r.abort()

    await context.route("**/*", route)
    page = await context.new_page()
    page.set_default_timeout(150_000)
    times: dict[str, float] = {}
    try:
        for name, (path, ready) in PAGES.items():
            start = time.perf_counter()
            if path:
                await page.locator(f"[data-testid='stSidebarNavLink'][href$='/{path}']").click()
            else:
                await page.goto(url)
            await page.locator(ready).first.wait_for(state="attached")
            await page.wait_for_selector(IDLE)
            times[name] = time.perf_counter() - start
            errors = page.locator(
                "[data-testid='stException'], [data-testid='stAlertContentError']"
            )
            assert await errors.count() == 0, await errors.first.inner_text()
    finally:
        await context.close()
    return times


async def _rounds(url: str) -> list[tuple[int, list[dict[str, float]], tuple[int, int]]]:
    from playwright.async_api import async_playwright

    port = int(url.rsplit(":", 1)[1])
    blocked: list[str] = []
    out = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        try:
            await _session(browser, url, blocked)  # first start: the demo project is made
            for n in (1, SESSIONS, SESSIONS):
                runs = await asyncio.gather(*(_session(browser, url, blocked) for _ in range(n)))
                out.append((n, list(runs), _server_kib(port)))
        finally:
            await browser.close()
    assert blocked == [], f"the pages asked for remote resources: {blocked[:5]}"
    return out


def test_ten_planners_at_once(app_url):
    rounds = asyncio.run(_rounds(app_url))
    print(f"\n{'sessions':>8} " + " ".join(f"{p:>22}" for p in PAGES) + "   server RSS / peak")
    single = rounds[0][1][0]
    for n, runs, (rss, peak) in rounds:
        cells = []
        for page in PAGES:
            values = [run[page] for run in runs]
            cells.append(f"{statistics.median(values):6.2f} s (max {max(values):5.2f})")
        memory = f"{rss / 1024:.0f} / {peak / 1024:.0f} MiB"
        print(f"{n:>8} " + " ".join(f"{c:>22}" for c in cells) + f"   {memory}")
    ten = rounds[1][1]
    ratios = {page: statistics.median(run[page] for run in ten) / single[page] for page in PAGES}
    shown = ", ".join(f"{k} {v:.1f}x" for k, v in ratios.items())
    print(f"10-session median / 1-session time: {shown}")
    assert all(len(runs) == n for n, runs, _ in rounds)
