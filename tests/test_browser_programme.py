"""The programme page (推进情况) in Debian's Chromium, with every non-loopback request blocked.

What a member of staff sees on opening the page on the demo city: the city's
headline cards for November (76 of 100 firms transformed, behind the time
schedule), the county table with its traffic lights (read from the data grid's
accessible table, the colours measured on its canvas), and the yearly ranking.
Expected figures are recomputed with :mod:`planning.programme`, so the test
checks that the page shows what the library computes. Fixtures:
``browser_support.py``.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from browser_support import wait_idle

from geodata.demo import load_demo
from planning import programme as pp
from views._programme_strings import PROGRAMME_STRINGS

pytestmark = pytest.mark.browser

ZH = PROGRAMME_STRINGS["zh"]
# The page's traffic-light cell colours (views/programme.py LIGHT_COLOURS).
LIGHT_RGB = {"green": (0xC6, 0xEF, 0xCE), "amber": (0xFF, 0xEB, 0x9C), "red": (0xF8, 0xCB, 0xAD)}
TALL = {"width": 1400, "height": 3100}  # the whole page at once, for the screenshot


@pytest.fixture(scope="module")
def november() -> dict[str, Any]:
    data = load_demo("chaoyang")
    table = pp.progress(data, month="2026-11", infrastructure=False)
    return {
        "table": table,
        "headline": table[table["indicator"] == "digital_transformation"].reset_index(drop=True),
        "ranking": pp.ranking(data, 2026),
    }


def _open(page: Any, url: str) -> None:
    page.set_viewport_size(TALL)
    page.goto(f"{url}/programme")
    page.get_by_role("heading", name=ZH["page_programme"]).wait_for()
    wait_idle(page)


def _grid_rows(grid: Any) -> list[list[str]]:
    """Return the cell texts of a data grid, row by row, from its accessible table."""
    grid.locator("tbody td").first.wait_for(state="attached")
    return [
        [(cell.text_content() or "").strip() for cell in row.locator("td").all()]
        for row in grid.locator("tbody tr").all()
    ]


def _grid_with_header(page: Any, header: str) -> Any:
    grids = page.locator("[data-testid='stDataFrame']")
    for i in range(grids.count()):
        heads = [(h.text_content() or "").strip() for h in grids.nth(i).locator("th").all()]
        if header in heads:
            return grids.nth(i)
    pytest.fail(f"no table with the column {header!r} on the page")


def _colour_bands(png: bytes) -> list[str]:
    """Return, top to bottom, the traffic-light colour of each band of rows painted with one."""
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    names = list(LIGHT_RGB)
    counts = np.stack(
        [(np.abs(rgb - LIGHT_RGB[n]).max(axis=2) <= 3).sum(axis=1) for n in names], axis=1
    )  # pixel rows x colours: how many pixels of each light colour
    bands: list[str] = []
    previous = ""
    for row in counts:
        current = names[int(row.argmax())] if row.max() >= 40 else ""
        if current and current != previous:
            bands.append(current)
        previous = current
    return bands


def test_programme_page_shows_november_lights_and_ranking(app_page, app_url, november, tmp_path):
    page, blocked = app_page
    _open(page, app_url)
    errors = page.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, errors.first.inner_text()
    assert page.get_by_text(ZH["prog_synthetic"]).is_visible()

    # Headline: the first card is the transformation list, 76 of 100 firms, behind schedule.
    city = november["headline"].iloc[-1]
    assert city["county"] == pp.CITY
    assert (city["done"], city["target"]) == (76, 100)
    assert bool(city["behind"]) and city["gap"] < 0
    card = page.locator("[data-testid='stMetric']").first
    assert card.locator("[data-testid='stMetricLabel']").inner_text().strip() == "企业数字化转型"
    value = card.locator("[data-testid='stMetricValue']").inner_text().strip()
    assert value == f"{city['done']:.0f}/{city['target']:.0f} 家"
    delta = card.locator("[data-testid='stMetricDelta']").inner_text().strip()
    assert delta == ZH["prog_card_delta"].format(gap=100 * city["gap"])
    assert card.locator("[data-testid='stMetricDeltaIcon-Down']").count() == 1

    # The county table: every county and the city, done / target and the light in words ...
    counties = _grid_with_header(page, pp.column_label("light", "zh"))
    rows = _grid_rows(counties)
    expected = november["headline"]
    assert [r[0] for r in rows] == list(expected["county"])
    for row, exp in zip(rows, expected.itertuples(), strict=True):
        assert float(row[1]) == pytest.approx(exp.target), row
        assert float(row[2]) == pytest.approx(exp.done), row
        assert row[-1] == ZH[f"light_{exp.light}"], row
    by_county = expected.set_index("county")
    for county, done, target, light in (
        ("双塔区", 15, 24, "red"), ("龙城区", 10, 14, "red"), ("朝阳县", 5, 7, "red"),
        ("建平县", 13, 16, "red"), ("喀喇沁左翼蒙古族自治县", 11, 11, "green"),
    ):  # fmt: skip
        assert tuple(by_county.loc[county, ["done", "target", "light"]]) == (done, target, light)
    # ... and in colour, row by row, on the grid's canvas.
    bands = _colour_bands(counties.screenshot())
    assert bands == list(expected["light"]), bands

    # The ranking: counties in the library's order with its scores.
    rank = november["ranking"]
    grid = _grid_with_header(page, pp.column_label("score", "zh"))
    heads = [(h.text_content() or "").strip() for h in grid.locator("th").all()]
    at = heads.index(pp.column_label("score", "zh"))
    rows = _grid_rows(grid)
    assert [r[0] for r in rows] == list(rank.index)
    assert [float(r[at]) for r in rows] == pytest.approx(list(rank["score"]))
    assert rank.index[0] == "喀喇沁左翼蒙古族自治县"

    # The county map is an image the page serves itself; it has loaded and has pixels.
    picture = page.locator("[data-testid='stImage'] img").first
    picture.wait_for()
    assert picture.evaluate("i => i.complete && i.naturalWidth") > 500

    shot = tmp_path / "programme_page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    assert blocked == [], f"the page asked for remote resources: {blocked[:5]}"


def test_choosing_another_month_recomputes_the_headline(app_page, app_url):
    page, blocked = app_page
    _open(page, app_url)
    page.locator(".st-key-prog_month").get_by_role("combobox").click()
    page.get_by_role("option", name="2026-06").click()
    june = pp.progress(load_demo("chaoyang"), month="2026-06", infrastructure=False)
    city = june[(june["county"] == pp.CITY) & (june["indicator"] == "digital_transformation")]
    done = city["done"].iloc[0]
    card = page.locator("[data-testid='stMetric']").first
    value = card.locator("[data-testid='stMetricValue']")
    value.filter(has_text=f"{done:.0f}/100 家").wait_for()
    wait_idle(page)
    assert page.get_by_role("heading", name=ZH["prog_cards"].format(month="2026-06")).count() == 1
    assert blocked == [], f"the page asked for remote resources: {blocked[:5]}"
