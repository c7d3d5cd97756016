"""The app remembers: projects in the sidebar and the URL, runs saved, work shared (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning.workspace import open_workspace

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 90
FIRST = "朝阳示范项目"


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def _app(**query: str) -> AppTest:
    """A new browser session (a reload, another tab) on the URL with ``query``."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _run(at: AppTest, name: str, *, replace: bool = False) -> AppTest:
    at.text_input(key="sc_name").set_value(name)
    at.number_input(key="sc_n").set_value(2)
    at.checkbox(key="sc_replace").set_value(replace)
    at.button[0].click()  # the form's submit button
    return at.run()


def _query(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def test_first_start_makes_a_project_from_the_demo_and_puts_it_in_the_url(_infrasite_home):
    at = _app()
    _ok(at)
    assert at.session_state["project"] == FIRST
    assert _query(at, "project") == FIRST
    assert _query(at, "lang") == "zh"
    assert open_workspace(str(_infrasite_home)).projects() == [FIRST]
    assert at.sidebar.selectbox(key="pj_pick").value == FIRST


def test_a_run_survives_a_reload_and_a_second_tab_sees_it():
    at = _app()
    at.switch_page("views/scenario.py").run()
    at = _run(at, "北票补盲")
    _ok(at)
    assert list(at.session_state["scenarios"]) == ["北票补盲"]
    first = at.session_state["scenarios"]["北票补盲"]
    # F5: a fresh session on the same URL, in English this time
    again = _app(project=FIRST, lang="en")
    again.switch_page("views/scenario.py").run()
    _ok(again)
    assert again.session_state["language"] == "en"
    assert again.selectbox(key="sc_show").options == ["北票补盲"]
    loaded = again.session_state["scenarios"]["北票补盲"]
    assert list(loaded.proposed_sites["id"]) == list(first.proposed_sites["id"])
    assert loaded.summary["share_after"] == first.summary["share_after"]
    # the other pages see it too
    again.switch_page("views/compare.py").run()
    _ok(again)
    again.switch_page("views/export.py").run()
    _ok(again)


def test_runs_get_unique_names_unless_replace_is_ticked():
    at = _app()
    at.switch_page("views/scenario.py").run()
    at = _run(at, "A")
    at = _run(at, "A")
    _ok(at)
    assert list(at.session_state["scenarios"]) == ["A", "A (2)"]
    assert any("A (2)" in i.value for i in at.info)
    at = _run(at, "A", replace=True)
    _ok(at)
    assert list(at.session_state["scenarios"]) == ["A", "A (2)"]
    history = at.session_state["project_obj"].history()
    assert list(history["action"]) == ["create", "scenario", "scenario", "scenario"]


def test_scenarios_are_renamed_and_deleted_after_a_confirmation():
    at = _app()
    at.switch_page("views/scenario.py").run()
    at = _run(at, "A")
    at.text_input(key="sm_new_name").set_value("B")
    at.button(key="sm_do_rename").click().run()
    _ok(at)
    assert list(at.session_state["scenarios"]) == ["B"]
    assert at.button(key="sm_do_delete").disabled
    at.checkbox(key="sm_delete_ok").check().run()
    at.button(key="sm_do_delete").click().run()
    _ok(at)
    assert at.session_state["scenarios"] == {}
    assert open_workspace().project(FIRST).scenarios() == []


def test_projects_are_created_duplicated_renamed_and_deleted():
    at = _app()
    side = at.sidebar
    side.text_input(key="pj_new_name").set_value("凌源 2027")
    side.button(key="pj_do_new_empty").click().run()
    _ok(at)
    assert at.session_state["project"] == "凌源 2027"
    assert _query(at, "project") == "凌源 2027"
    assert len(at.session_state["project_obj"].data.enterprises) == 0
    for page in ("views/map_page.py", "views/scenario.py", "views/data.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
    at.sidebar.selectbox(key="pj_pick").set_value(FIRST).run()
    _ok(at)
    assert at.session_state["project"] == FIRST
    at.sidebar.button(key="pj_do_duplicate").click().run()
    _ok(at)
    copy = f"{FIRST} (2)"
    assert at.session_state["project"] == copy
    at.sidebar.text_input(key="pj_rename_to").set_value("双塔 试算")
    at.sidebar.button(key="pj_do_rename").click().run()
    _ok(at)
    assert open_workspace().projects() == ["凌源 2027", "双塔 试算", FIRST]
    assert at.sidebar.button(key="pj_do_delete").disabled
    at.sidebar.checkbox(key="pj_delete_ok").check().run()
    at.sidebar.button(key="pj_do_delete").click().run()
    _ok(at)
    assert open_workspace().projects() == ["凌源 2027", FIRST]
    assert any("双塔 试算" in s.value for s in at.sidebar.success)
    # a taken name is refused with a message, nothing is created
    at.sidebar.text_input(key="pj_new_name").set_value(FIRST)
    at.sidebar.button(key="pj_do_new_demo").click().run()
    assert at.sidebar.warning
    assert open_workspace().projects() == ["凌源 2027", FIRST]


def test_an_unknown_project_in_the_url_is_said_and_another_opened():
    _app()  # first start: the demo project
    at = _app(project="没有这个项目")
    _ok(at)
    assert at.session_state["project"] == FIRST
    assert any("没有这个项目" in w.value for w in at.sidebar.warning)


def test_a_colleagues_save_shows_up_with_their_name():
    mine = _app(user="li")
    mine.switch_page("views/scenario.py").run()
    theirs = _app(project=FIRST, user="wang")
    theirs.switch_page("views/scenario.py").run()
    theirs = _run(theirs, "王的方案")
    _ok(theirs)
    mine.run()
    _ok(mine)
    notes = " ".join(i.value for i in mine.sidebar.info)
    assert "wang" in notes and "王的方案" in notes
    assert "王的方案" in mine.selectbox(key="sc_show").options
    history = open_workspace().project(FIRST).history()
    assert list(history["user"])[-1] == "wang"


def test_a_project_downloads_as_one_file_and_imports_back():
    at = _app()
    at.switch_page("views/scenario.py").run()
    at = _run(at, "带走的方案")
    _ok(at)
    assert at.sidebar.get("download_button"), "no project download button"
    from views.project_picker import _project_file

    project = at.session_state["project_obj"]
    file_bytes = _project_file(open_workspace().location, FIRST, project.stored_version())
    assert file_bytes[:16] == b"SQLite format 3\x00"
    mime = "application/geopackage+sqlite3"
    at.sidebar.file_uploader(key="pj_import_file").set_value(("朝阳.gpkg", file_bytes, mime))
    at.sidebar.button(key="pj_do_import").click().run()
    _ok(at)
    copy = f"{FIRST} (2)"
    assert at.session_state["project"] == copy
    assert open_workspace().project(copy).scenarios() == ["带走的方案"]
    bad = ("bad.gpkg", b"not a geopackage", mime)
    at.sidebar.file_uploader(key="pj_import_file").set_value(bad)
    at.sidebar.button(key="pj_do_import").click().run()
    assert not at.exception
    assert at.sidebar.error
    assert open_workspace().projects() == [FIRST, copy]


def test_a_rename_that_lost_a_race_says_who_changed_what_and_reloads(_infrasite_home):
    at = _app()
    at.switch_page("views/scenario.py").run()
    at = _run(at, "北票补盲")
    _ok(at)
    # someone else renames the scenario after this tab last loaded the project
    other = open_workspace(str(_infrasite_home)).project(FIRST, user="李工")
    other.rename_scenario("北票补盲", "北票补盲一期")
    at.text_input(key="sm_new_name").set_value("北票二期")
    at.button(key="sm_do_rename").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = " ".join(w.value for w in at.warning)
    assert "李工" in warnings and "北票补盲" in warnings
    assert open_workspace(str(_infrasite_home)).project(FIRST).scenarios() == ["北票补盲一期"]
    at.button(key="conflict_reload").click()
    at.run()
    _ok(at)
    assert at.selectbox(key="sc_show").options == ["北票补盲一期"]
