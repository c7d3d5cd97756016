"""Ten planners at once: the app on loopback driven by 1, then 10 concurrent Chromium sessions.

Each session opens the map, then clicks through the scenario, firm and
programme pages in the sidebar, waiting on each until the page's own
content is drawn and the script is idle. The test fails on any error shown
or any request off loopback; the times per page and the server's memory are
printed (``pytest -s tests/test_load.py``), never asserted: speed is
measured, not unit tested. The second round of ten sessions comes after the
first ten have closed, to show memory staying bounded as sessions come and go.

All sessions are tabs of one Chromium sharing this machine's cores with the
server, as real planners' browsers would not: the browser wait therefore
includes ten tabs drawing ten maps on two cores. Two times are printed per page:
what the planner waits for in the browser (from the click until the page is
drawn and idle) and how long the page's script ran on the server (from the
app's run log, ``INFRASITE_RUN_LOG``).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM_FLAGS, IDLE, LOCAL, MAP_FRAME, _chromium

pytestmark = pytest.mark.browser

SESSIONS = 10
OFF_BOX = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"  # nothing leaves the machine
PAGES = {
    "map": ("", MAP_FRAME),
    "scenario": ("scenario", "button:has-text('运行方案')"),
    "firm": ("firm", "[data-testid='stTextInput']"),
    "programme": ("programme", "text=各区县进展"),
}


@pytest.fixture(scope="module")
def run_log(tmp_path_factory):
    """Have the app server log each script run (set before ``app_url`` starts it)."""
    path = tmp_path_factory.mktemp("load") / "runs.tsv"
    old = os.environ.get("INFRASITE_RUN_LOG")
    os.environ["INFRASITE_RUN_LOG"] = str(path)
    yield path
    if old is None:
        os.environ.pop("INFRASITE_RUN_LOG", None)
    else:
        os.environ["INFRASITE_RUN_LOG"] = old


def _server_runs(log: Path, since: float, until: float) -> dict[str, list[float]]:
    """Return the server's script seconds per page for the runs that ended in a window."""
    runs: dict[str, list[float]] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        at, _session, page, seconds = line.split("\t")
        if since <= float(at) <= until:
            runs.setdefault(page, []).append(float(seconds))
    return runs


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


async def _session(context: Any, url: str, blocked: list[str]) -> dict[str, float]:
    """One planner: a tab of its own (its own app session), clicking through the pages."""
    page = await context.new_page()
    page.on(
        "request",
        lambda r: None if r.url.startswith(LOCAL) else blocked.append(r.url),
    )
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
        await page.close()
    return times


async def _rounds(url: str, log: Path) -> list[tuple[Any, ...]]:
    from playwright.async_api import async_playwright

    port = int(url.rsplit(":", 1)[1])
    blocked: list[str] = []
    out = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=_chromium(), args=[*CHROMIUM_FLAGS, OFF_BOX]
        )
        # one browser profile: the tabs share its HTTP cache, as one planner's tabs would
        context = await browser.new_context(viewport={"width": 1300, "height": 900})
        try:
            await _session(context, url, blocked)  # first start: the demo project is made
            for n in (1, SESSIONS, SESSIONS):
                since = time.time()
                runs = await asyncio.gather(*(_session(context, url, blocked) for _ in range(n)))
                server = _server_runs(log, since, time.time())
                out.append((n, list(runs), server, _server_kib(port)))
        finally:
            await browser.close()
    assert blocked == [], f"the pages asked for remote resources: {blocked[:5]}"
    return out


def test_ten_planners_at_once(run_log, app_url):
    rounds = asyncio.run(_rounds(app_url, run_log))
    header = " ".join(f"{p:>27}" for p in PAGES)
    print(f"\nbrowser wait, median (max) / server script, median (max); seconds\n"
          f"{'sessions':>8} {header}   server RSS / peak")  # fmt: skip
    medians: dict[int, dict[str, tuple[float, float]]] = {}
    for n, runs, server, (rss, peak) in rounds:
        cells = []
        for page in PAGES:
            waits = [run[page] for run in runs]
            script = server.get(PAGES[page][0] or "map", [0.0])
            medians.setdefault(n, {})[page] = (statistics.median(waits), statistics.median(script))
            cells.append(
                f"{statistics.median(waits):5.2f} ({max(waits):5.2f}) / "
                f"{statistics.median(script):4.2f} ({max(script):4.2f})"
            )
        memory = f"{rss / 1024:.0f} / {peak / 1024:.0f} MiB"
        print(f"{n:>8} " + " ".join(f"{c:>27}" for c in cells) + f"   {memory}")
    ratios = [
        f"{page} {medians[SESSIONS][page][0] / medians[1][page][0]:.1f}x wait, "
        f"{medians[SESSIONS][page][1] / max(medians[1][page][1], 1e-3):.1f}x script"
        for page in PAGES
    ]
    print(f"{SESSIONS} sessions against 1: " + "; ".join(ratios))
    assert all(len(runs) == n for n, runs, _, _ in rounds)
