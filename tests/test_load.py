"""Ten planners at once: the app on loopback, one planner alone, then ten together.

Each planner opens the map, the scenario page, runs a scenario,
then opens the firm and programme pages. Most planners speak the app's own
websocket protocol (``load_client.PlannerSession``): they ask the server for
exactly what a browser asks for, and the time counted is the server's answer,
from the request until the run is finished and every message received. One
planner is a real Chromium tab, so the figures also show what a person waits
for, drawing included. Ten Chromium tabs would draw ten Leaflet maps on the
same two cores as the server, which measures the test machine rather than
the app; a planner's own browser runs on the planner's own computer.

Four rounds after a warm-up (the first start builds the demo project):

- ``alone``: one planner at a time, nobody else connected: one runs the
  default question, one a question of its own (another number of sites);
- ``room``: ten planners working as a room does, each starting within the
  first few seconds and reading every page for 1.5-4.5 s before the next click
  (seeded), every one running the default question (the same question on the
  same data is answered once and shared);
- ``room, own questions``: the same, each planner typing a number of sites of
  its own, so that nine different scenarios are solved at once;
- ``lockstep``: ten planners clicking at the same instant every time, the
  worst case (all ten in a queue for the same cores).

The test fails on any error a page shows or any browser request off
loopback. The times per page, their ratio to ``alone`` and the server's
memory are printed (``pytest -s tests/test_load.py``), never asserted:
speed is measured, not unit tested. The second ``room`` round, after the
first ten have disconnected, shows memory staying bounded as sessions come
and go.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM_FLAGS, IDLE, LOCAL, MAP_FRAME, _chromium
from load_client import PlannerSession

pytestmark = pytest.mark.browser

PLANNERS = 10
OFF_BOX = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"  # nothing leaves the machine
RUN = "运行方案"
N_SITES = "新增站点数"
STEPS = ("map", "scenario", "run", "firm", "programme")
PATHS = {"map": "", "scenario": "scenario", "firm": "firm", "programme": "programme"}
READY = {
    "map": MAP_FRAME,
    "scenario": f"button:has-text('{RUN}')",
    # the run started (or already ended with its message): a rerun may clear the message soon
    "run": "[data-testid='stApp'][data-test-script-state='running'], "
    "[data-testid='stAlertContentSuccess']",
    "firm": "[data-testid='stTextInput']",
    "programme": "text=各区县进展",
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


async def _think(pause: tuple[float, float] | None, rng: random.Random) -> None:
    if pause is not None:
        await asyncio.sleep(rng.uniform(*pause))


async def _protocol_planner(
    url: str,
    pause: tuple[float, float] | None,
    rng: random.Random,
    go: Any = None,
    *,
    sites: int | None = None,
) -> dict[str, float]:
    """One simulated planner: the five steps, waiting ``pause`` seconds between them.

    ``sites`` is typed into the number of new sites before the run (a
    question of their own); None runs the default question.
    """
    times: dict[str, float] = {}
    typed = None if sites is None else {N_SITES: sites}
    async with PlannerSession(url) as planner:
        for step in STEPS:
            if go is not None:
                await go(step)
            else:
                await _think(pause, rng)
            if step == "run":
                page = await planner.click(RUN, typed)
            else:
                page = await planner.open(PATHS[step])
            assert page.errors == [], f"{step}: {page.errors}"
            times[step] = page.seconds
    return times


async def _browser_planner(
    context: Any,
    url: str,
    blocked: list[str],
    pause: tuple[float, float] | None,
    rng: random.Random,
) -> dict[str, float]:
    """The planner in Chromium: the same five steps, timed until the page is drawn and idle."""
    page = await context.new_page()
    page.on("request", lambda r: None if r.url.startswith(LOCAL) else blocked.append(r.url))
    page.set_default_timeout(150_000)
    times: dict[str, float] = {}
    try:
        for step in STEPS:
            await _think(pause, rng)
            start = time.perf_counter()
            if step == "map":
                await page.goto(url)
            elif step == "run":
                await page.locator(READY["scenario"]).first.click()
            else:
                link = f"[data-testid='stSidebarNavLink'][href$='/{PATHS[step]}']"
                await page.locator(link).click()
            await page.locator(READY[step]).first.wait_for(state="attached")
            await page.wait_for_selector(IDLE)
            times[step] = time.perf_counter() - start
            errors = page.locator(
                "[data-testid='stException'], [data-testid='stAlertContentError']"
            )
            assert await errors.count() == 0, await errors.first.inner_text()
    finally:
        await page.close()
    return times


async def _lockstep(url: str, n: int) -> list[dict[str, float]]:
    """``n`` simulated planners, every step started by all of them at the same instant."""
    barrier = asyncio.Barrier(n)

    async def go(_step: str) -> None:
        await barrier.wait()

    return list(
        await asyncio.gather(
            *(_protocol_planner(url, None, random.Random(i), go) for i in range(n))
        )
    )


async def _rounds(url: str) -> list[tuple[str, list[dict[str, float]], dict[str, float], Any]]:
    from playwright.async_api import async_playwright

    port = int(url.rsplit(":", 1)[1])
    blocked: list[str] = []
    pause = (1.5, 4.5)
    out = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=_chromium(), args=[*CHROMIUM_FLAGS, OFF_BOX]
        )
        context = await browser.new_context(viewport={"width": 1300, "height": 900})
        try:
            # warm-up: the first start makes the demo project and fills the shared caches
            await _browser_planner(context, url, blocked, None, random.Random(0))
            alone = [
                await _protocol_planner(url, (0.5, 0.5), random.Random(1), sites=sites)
                for sites in (None, 5 + PLANNERS)  # the default question, then one of its own
            ]
            seen = await _browser_planner(context, url, blocked, (0.5, 0.5), random.Random(1))
            out.append(("alone", alone, seen, _server_kib(port)))
            for name in ("room", "room, own questions"):
                rng = random.Random(len(out))
                starts = sorted(rng.uniform(0, 4) for _ in range(PLANNERS))

                own = name == "room, own questions"

                async def late(delay: float, seed: int, own: bool = own) -> dict[str, float]:
                    await asyncio.sleep(delay)
                    sites = 6 + seed if own else None  # 6..14 sites: nine different answers
                    return await _protocol_planner(url, pause, random.Random(seed), sites=sites)

                async def browser_late(delay: float) -> dict[str, float]:
                    await asyncio.sleep(delay)
                    return await _browser_planner(context, url, blocked, pause, random.Random(99))

                runs = await asyncio.gather(
                    browser_late(starts[0]),
                    *(late(d, i) for i, d in enumerate(starts[1:])),
                )
                out.append((name, list(runs[1:]), runs[0], _server_kib(port)))
            out.append(("lockstep", await _lockstep(url, PLANNERS), {}, _server_kib(port)))
        finally:
            await browser.close()
    assert blocked == [], f"the pages asked for remote resources: {blocked[:5]}"
    return out


def _cell(values: list[float]) -> str:
    return f"{statistics.median(values):5.2f} ({max(values):5.2f})"


def test_ten_planners_at_once(app_url):
    rounds = asyncio.run(_rounds(app_url))
    print(
        "\nserver answer per step, median (max) over the simulated planners; "
        "then the Chromium planner's wait, drawing included; seconds"
    )
    print(f"{'round':>20} " + " ".join(f"{s:>14}" for s in STEPS) + "   server RSS / peak")
    alone: dict[str, float] = {}
    for name, runs, seen, (rss, peak) in rounds:
        cells = []
        for step in STEPS:
            values = [run[step] for run in runs]
            if name == "alone":
                alone[step] = statistics.median(values)
            cells.append(_cell(values))
        memory = f"{rss / 1024:.0f} / {peak / 1024:.0f} MiB"
        print(f"{name:>20} " + " ".join(f"{c:>14}" for c in cells) + f"   {memory}")
        if seen:
            print(f"{'  browser':>20} " + " ".join(f"{seen[s]:14.2f}" for s in STEPS))
    default_run, own_run = (run["run"] for run in rounds[0][1])
    print(f"alone, run: the default question {default_run:.2f} s, one of its own {own_run:.2f} s")
    for name, runs, _seen, _memory in rounds[1:]:
        ratios = []
        for step in STEPS:
            values = [run[step] for run in runs]
            base = alone[step]
            if step == "run":
                base = own_run if name == "room, own questions" else default_run
            ratios.append(f"{step} {statistics.median(values) / base:.1f}x")
        print(f"{name} against alone (median): " + ", ".join(ratios))
    assert [len(runs) for _, runs, _, _ in rounds] == [2, PLANNERS - 1, PLANNERS - 1, PLANNERS]
