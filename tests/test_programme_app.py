"""The programme page driven with AppTest (no browser)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from geodata.demo import load_demo
from planning import programme as pp

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def _page(language: str = "zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["language"] = language
    at.run()
    at.switch_page("views/programme.py")
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_programme_page_shows_the_demo_figures():
    at = _page()
    _ok(at)
    assert at.header[0].value == "推进情况"
    assert any("合成" in i.value for i in at.info)
    nov = pp.progress(load_demo("chaoyang"), month="2026-11", infrastructure=False)
    city = nov[nov["county"] == pp.CITY].set_index("indicator")
    first = at.metric[0]
    assert first.label == "企业数字化转型"
    assert first.value == "76/100 家"
    gap = 100 * city.loc["digital_transformation", "gap"]
    assert first.proto.delta == f"{gap:+.1f} 个百分点 (对序时进度)"
    keys = {b.key for b in at.get("download_button")}
    assert {"dl_supervision", "dl_bulletin", "dl_ranking", "dl_template"} <= keys
    assert at.selectbox(key="prog_month").value == "2026-11"
    assert len(at.get("image")) == 1  # the county map


def test_ranking_in_english_and_weights_saved():
    at = _page("en")
    _ok(at)
    assert at.header[0].value == "Programme"
    frames = [d.value for d in at.dataframe]
    rank = next(f for f in frames if "score" in f.columns)
    expected = pp.ranking(load_demo("chaoyang"), 2026)
    assert list(rank.index) == list(expected.index)
    assert list(rank["score"]) == pytest.approx(list(expected["score"]))
    save = next(b for b in at.button if b.label == "Save weights")
    save.click().run()
    _ok(at)
    assert any(s.value == "Weights saved." for s in at.success)


def test_changing_month_recomputes():
    at = _page()
    at.selectbox(key="prog_month").set_value("2026-06").run()
    _ok(at)
    june = pp.progress(load_demo("chaoyang"), month="2026-06", infrastructure=False)
    city = june[(june["county"] == pp.CITY) & (june["indicator"] == "digital_transformation")]
    assert at.metric[0].value == f"{city['done'].iloc[0]:.0f}/100 家"


def test_template_download_is_a_return_workbook():
    at = _page()
    button = next(b for b in at.get("download_button") if b.key == "dl_template")
    assert button is not None
    content = pp.return_template(county="朝阳县", month="2026-12")
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert "企业状态" in book.sheetnames
