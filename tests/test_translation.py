"""Walk every page in both languages and fail on any untranslated word a user would see.

AppTest drives the app with two saved scenarios (so the results, compare and
export pages are full); every header, caption, message, metric, widget label
and option, tab, expander and table (headers, index and cells) is collected.
A page fails when it shows an interface key (``t()`` falling back to the
key), a raw column name (``share_firms_5g``, ``firms_new``), or a category
code (``rooftop``, ``private``, ``optimal``, ``base_stations``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geodata.schema import (
    ACCESS,
    CANDIDATE_SOURCES,
    DIGITAL_STATUS,
    INFRASTRUCTURE,
    SECTORS,
    SITE_STATUS,
)
from views.i18n import STRINGS

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = (
    "views/map_page.py",
    "views/scenario.py",
    "views/firm.py",
    "views/compare.py",
    "views/export.py",
    "views/data.py",
    "views/about.py",
)
KEYS = set(STRINGS["zh"])
CODES = (
    set(SECTORS)
    | (set(DIGITAL_STATUS) - {"none"})
    | set(CANDIDATE_SOURCES) - {"other"}
    | set(ACCESS)
    | set(INFRASTRUCTURE)
    | set(SITE_STATUS)
    | {"optimal", "feasible", "infeasible", "time_limit", "max_coverage", "min_sites"}
    | {"min_distance", "base_stations", "charging_stations", "candidate_sites", "enterprises"}
    | {"admin_areas", "parks", "straight", "road_time", "True", "False"}
)
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
CJK = re.compile(r"[\u4e00-\u9fff]")
# headers that read the same in both languages
NEUTRAL = {"ID", "5G", "GeoPackage", "GeoJSON", "CSV", "A", "B"}


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def _texts(at: AppTest) -> list[tuple[str, str]]:
    """Return (where, text) for everything visible on the page."""
    out: list[tuple[str, str]] = []
    for kind in ("header", "subheader", "markdown", "caption", "info", "warning", "success"):
        out += [(kind, str(e.value)) for e in getattr(at, kind)]
    for m in at.metric:
        out += [("metric", str(m.label)), ("metric", str(m.value))]
    for kind in ("selectbox", "multiselect", "radio"):
        for w in getattr(at, kind):
            out.append((kind, str(w.label)))
            out += [(f"{kind} option", str(o)) for o in w.options]
    for kind in ("checkbox", "text_input", "number_input", "button", "slider"):
        out += [(kind, str(w.label)) for w in getattr(at, kind)]
    out += [("tab", str(tab.label)) for tab in at.tabs]
    out += [("expander", str(e.label)) for e in at.expander]
    out += [("download", str(b.proto.label)) for b in at.get("download_button")]
    return out


def _is_key(text: str, language: str) -> bool:
    """An interface key shown as such (not a key whose text is the same word)."""
    return text in KEYS and STRINGS[language][text] != text


def _tables(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def _problems(at: AppTest, language: str, page: str) -> list[str]:
    bad = []
    for where, text in _texts(at):
        if _is_key(text, language) or text.strip() in CODES:
            bad.append(f"{page} {where}: {text!r}")
        elif re.search(r"\b(kind|obj|demand|dist|status|infra|basemap|cmp|firm)_[a-z_]+\b", text):
            bad.append(f"{page} {where}: key inside {text!r}")
    for frame in _tables(at):
        headers = [str(c) for c in frame.columns] + [str(n) for n in frame.index.names if n]
        for h in headers:
            if SNAKE.match(h) or h in CODES:
                bad.append(f"{page} table header: {h!r}")
            elif (
                language == "zh"
                and h not in NEUTRAL
                and not CJK.search(h)
                # scenario names are user text; anything else in English is untranslated
                and not re.fullmatch(r"S\d+( \(\d+\))?( \(方案前\))?", h)
            ):
                bad.append(f"{page} table header in English: {h!r}")
        cells = [v for col in frame.columns for v in frame[col].tolist()]
        index = frame.index
        cells += [v for lvl in range(index.nlevels) for v in index.get_level_values(lvl)]
        for v in cells:
            if isinstance(v, str) and (v in CODES or _is_key(v, language)):
                bad.append(f"{page} table cell: {v!r}")
    return bad


def _run(at: AppTest, name: str) -> AppTest:
    at.text_input(key="sc_name").set_value(name)
    at.button[0].click()
    return at.run()


@pytest.mark.slow
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_page_is_in_one_language(language):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.sidebar.radio(key="language").set_value(language).run()
    at.switch_page("views/scenario.py").run()
    at = _run(at, "S1")
    at.radio(key="sc_infra").set_value("charging").run()
    at.number_input(key="sc_n").set_value(3)
    at = _run(at, "S2")
    assert list(at.session_state["scenarios"]) == ["S1", "S2"]
    bad: list[str] = []
    for page in PAGES:
        at.switch_page(page).run()
        if page == "views/firm.py":
            at.text_input(key="firm_query").set_value("E00006").run()
            assert at.subheader, "no firm details shown"
        assert not at.exception, [e.value for e in at.exception]
        bad += _problems(at, language, page)
    assert not bad, "\n".join(bad)


def test_the_checker_catches_raw_names_and_codes():
    """The walk above can fail: a raw header and a code are reported."""
    script = """
import pandas as pd
import streamlit as st
st.header("kind_parks")
st.dataframe(pd.DataFrame({"share_firms_5g": [0.5], "source": ["rooftop"]}))
"""
    at = AppTest.from_string(script).run()
    bad = _problems(at, "en", "probe")
    assert any("kind_parks" in b for b in bad)
    assert any("share_firms_5g" in b for b in bad)
    assert any("rooftop" in b for b in bad)
