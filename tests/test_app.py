"""Drive every page of the Streamlit app with AppTest (no browser)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 90


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _map_html(at: AppTest) -> str:
    """Return the map script st_folium was given (AppTest cannot run components)."""
    comps = at.get("component_instance")
    assert comps, "no st_folium component on the page"
    args = json.loads(comps[0].proto.json_args)
    return args["script"]


def _run_scenario(at: AppTest, name: str, **widgets) -> AppTest:
    at.text_input(key="sc_name").set_value(name)
    for key, value in widgets.items():
        at.number_input(key=key).set_value(value)
    at.button[0].click()  # the form's submit button
    return at.run()


def test_map_page_opens_on_the_demo():
    at = _app()
    _ok(at)
    assert at.header[0].value == "地图与统计"
    assert any("合成" in i.value for i in at.info)  # synthetic data is said so
    script = _map_html(at)
    assert "L.map(" in script and "infrasite-legend" in script
    assert len(at.metric) == 3
    assert 0 < float(at.metric[0].value.rstrip("%")) <= 100
    assert "dl_uncovered" in {b.key for b in at.get("download_button")}
    by_county = at.dataframe[0].value
    assert by_county.index[-1] == "合计" and "total" not in by_county.index


def test_language_switch_and_filters():
    at = _app()
    at.sidebar.radio(key="language").set_value("en").run()
    _ok(at)
    assert at.header[0].value == "Map & statistics"
    assert "Enterprises" in _map_html(at)
    county = at.multiselect(key="f_county").options[0]
    at.multiselect(key="f_county").set_value([county]).run()
    _ok(at)
    shown = [c.value for c in at.caption if "firms shown" in c.value]
    assert shown and int(shown[0].split()[0].replace(",", "")) > 0


def test_scenario_compare_and_export_pages():
    at = _app()
    at.switch_page("views/scenario.py").run()
    _ok(at)
    at = _run_scenario(at, "A", sc_n=3)
    _ok(at)
    assert "A" in at.session_state["scenarios"]
    result = at.session_state["scenarios"]["A"]
    assert result.summary["sites"] == 3
    assert any(m.label == "最优性差距" for m in at.metric)
    script = _map_html(at)
    for site in result.proposed_sites.geometry:
        assert f"[{round(site.y, 5)},{round(site.x, 5)}," in script
    at = _run_scenario(at, "B", sc_n=5)
    _ok(at)
    assert list(at.session_state["scenarios"]) == ["A", "B"]
    at.selectbox(key="sc_objective").set_value("budget").run()
    at = _run_scenario(at, "C", sc_budget=900_000)
    _ok(at)
    budget_run = at.session_state["scenarios"]["C"]
    assert 0 < budget_run.summary["cost_cny"] <= 900_000
    assert "budget_cny" in budget_run.curve

    at.switch_page("views/compare.py").run()
    _ok(at)
    assert at.multiselect(key="cmp_pick").value == ["B", "C"]  # the last two by default
    at.multiselect(key="cmp_pick").set_value(["A", "B", "C"]).run()
    _ok(at)
    assert len(at.dataframe) >= 2
    script = _map_html(at)
    for name in ("A", "B", "C"):
        assert json.dumps(f"方案 {name}: 新增站址")[1:-1] in script  # layer control entry
        for site in at.session_state["scenarios"][name].proposed_sites.geometry:
            assert f"[{round(site.y, 5)},{round(site.x, 5)}," in script

    at.switch_page("views/export.py").run()
    _ok(at)
    keys = {b.key for b in at.get("download_button")}
    assert {
        "dl_gpkg",
        "dl_xlsx",
        "dl_csv_served_firms",
        "dl_geojson_proposed_sites",
        "dl_summary_html",
        "dl_summary_md",
        "dl_map",
    } <= keys


def test_bad_upload_shows_the_problems_table_and_loads_nothing():
    at = _app()
    at.switch_page("views/data.py").run()
    _ok(at)
    bad = "id,name,lon,lat,employees\nE1,甲公司,120.45,41.57,12\nE2,乙公司,abc,41.58,-5\n"
    at.file_uploader[0].set_value(("firms.csv", bad.encode("utf-8"), "text/csv"))
    at.button[0].click().run()
    assert not at.exception
    assert at.error, "no error message for a bad file"
    problems = at.dataframe[0].value
    # Chinese interface: Chinese headers and messages, lines as the spreadsheet shows them
    assert list(problems.columns) == ["行号", "列", "问题", "值"]
    assert 3 in set(problems["行号"])  # data row 2 is line 3 under the header
    assert "经度不是数字" in set(problems["问题"])
    assert at.session_state["uploads"] == {}
    assert len(at.session_state["project_obj"].data.enterprises) == 3665
    at.sidebar.radio(key="language").set_value("en").run()
    at.file_uploader[0].set_value(("firms.csv", bad.encode("utf-8"), "text/csv"))
    at.button[0].click().run()
    problems = at.dataframe[0].value
    assert list(problems.columns) == ["line", "column", "problem", "value"]
    assert "longitude is not a number" in set(problems["problem"])


def test_upload_warnings_are_shown_in_the_interface_language():
    at = _app()
    at.switch_page("views/data.py").run()
    # no ids (generated, with a note) and points in the Bohai Sea (a plausibility warning)
    sea = "名称,经度,纬度\n甲公司,119.9,39.2\n乙公司,120.0,39.3\n"
    at.file_uploader[0].set_value(("firms.csv", sea.encode("utf-8"), "text/csv"))
    at.button[0].click().run()
    _ok(at)
    assert len(at.session_state["uploads"]["enterprises"]) == 2
    text = " ".join(w.value for w in at.warning)
    assert "渤海" in text and "编号" in text


def test_good_upload_is_saved_into_the_project():
    at = _app()
    at.switch_page("views/data.py").run()
    good = "id,name,lon,lat,employees\nE1,甲公司,120.45,41.57,12\nE2,乙公司,120.46,41.58,30\n"
    at.file_uploader[0].set_value(("firms.csv", good.encode("utf-8"), "text/csv"))
    at.button[0].click().run()
    _ok(at)
    assert len(at.session_state["uploads"]["enterprises"]) == 2
    project = at.session_state["project_obj"]
    assert len(project.reload().data.enterprises) == 2
    assert project.history()["action"].iloc[-1] == "data"
    at.switch_page("views/map_page.py").run()
    _ok(at)
    assert any("2" in c.value for c in at.caption)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_page_opens_without_errors(language):
    at = _app()
    at.sidebar.radio(key="language").set_value(language).run()
    titles = {
        "views/map_page.py": ("地图与统计", "Map & statistics"),
        "views/scenario.py": ("选址方案", "Siting scenario"),
        "views/compare.py": ("方案对比", "Compare"),
        "views/export.py": ("导出", "Export"),
        "views/data.py": ("数据", "Data"),
        "views/about.py": ("关于与数据来源", "About & sources"),
    }
    for page, (zh, en) in titles.items():
        at.switch_page(page).run()
        _ok(at)
        assert at.header[0].value == (zh if language == "zh" else en)
    # with no scenario yet, compare and export say so instead of failing
    at.switch_page("views/export.py").run()
    assert at.info and not at.main.get("download_button")


def test_every_interface_string_and_progress_message_is_translated():
    from planning.scenarios import PROGRESS_MESSAGES
    from views.i18n import PROGRESS_ZH, STRINGS

    assert set(STRINGS["zh"]) == set(STRINGS["en"])
    assert set(PROGRESS_MESSAGES) <= set(PROGRESS_ZH)


def test_osm_demo_runs_a_charging_scenario_by_road():
    at = _app()
    at.sidebar.text_input(key="pj_new_name").set_value("Vaduz")
    at.sidebar.selectbox(key="pj_demo").set_value("liechtenstein")
    at.sidebar.button(key="pj_do_new_demo").click().run()
    _ok(at)
    assert at.session_state["project"] == "Vaduz"
    at.switch_page("views/scenario.py").run()
    _ok(at)
    at.radio(key="sc_infra").set_value("charging").run()
    _ok(at)
    assert at.selectbox(key="sc_distance").options == ["直线距离", "道路距离", "道路行驶时间"]
    at.selectbox(key="sc_distance").set_value("road")  # inside the form: sent on submit
    at = _run_scenario(at, "road", sc_n=2)
    _ok(at)
    result = at.session_state["scenarios"]["road"]
    assert result.spec.distance == "road"
    assert result.summary["firms"] == len(at.session_state["scenarios"]["road"].served) == 67
    assert result.summary["sites"] == 2 and result.summary["radius_unit"] == "m"


def test_impossible_scenario_shows_a_message_not_a_traceback():
    at = _app()
    at.switch_page("views/scenario.py").run()
    at.radio(key="sc_infra").set_value("charging").run()
    _ok(at)
    at.multiselect(key="sc_sources").set_value(["tower"])  # no charging candidate is a tower
    at = _run_scenario(at, "none", sc_n=2)
    assert not at.exception
    problems = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert at.error and "candidate_sources" in problems
    assert "none" not in at.session_state["scenarios"]


def test_capacitated_charging_shows_piles_and_utilisation():
    at = _app()
    at.switch_page("views/scenario.py").run()
    at.radio(key="sc_infra").set_value("charging").run()
    at.selectbox(key="sc_objective").set_value("capacitated").run()
    _ok(at)
    at = _run_scenario(at, "cap", sc_n=4)
    _ok(at)
    result = at.session_state["scenarios"]["cap"]
    assert result.spec.objective == "capacitated" and result.summary["sites"] == 4
    labels = {m.label: m.value for m in at.metric}
    assert "新建站利用率" in labels and labels["新建站利用率"].endswith("%")
    assert labels["新建充电桩数"] == str(result.summary["piles"])
    listed = [df.value for df in at.dataframe if "utilisation" in df.value or "利用率" in df.value]
    assert listed and len(listed[0]) == 4


def test_link_budget_equity_and_stages_from_the_form():
    at = _app()
    at.switch_page("views/scenario.py").run()
    assert at.checkbox(key="sc_lb").value is True
    at.selectbox(key="sc_objective").set_value("budget").run()
    at.number_input(key="sc_floor").set_value(0.5)
    at.text_input(key="sc_stages").set_value("600000, 600000")
    at = _run_scenario(at, "eq", sc_budget=900_000)
    assert not at.exception
    # floors and stages together are refused with a message, not a traceback
    assert at.error and "eq" not in at.session_state["scenarios"]
    at.text_input(key="sc_stages").set_value("")
    at = _run_scenario(at, "eq", sc_budget=900_000)
    _ok(at)
    result = at.session_state["scenarios"]["eq"]
    assert result.spec.radius_m is None and result.summary["radius_model"] == "link_budget"
    assert result.equity is not None and (result.equity["floor"] == 0.5).all()
    at.number_input(key="sc_floor").set_value(0.0)
    at.text_input(key="sc_stages").set_value("600000, 600000")
    at = _run_scenario(at, "st", sc_budget=900_000)
    _ok(at)
    stages = at.session_state["scenarios"]["st"].stages
    assert list(stages["stage"]) == [1, 2] and (stages["spent"] <= 600_000).all()


def test_find_a_firm_by_id_shows_its_details():
    at = _app()
    at.switch_page("views/firm.py").run()
    _ok(at)
    at.text_input(key="firm_query").set_value("E00006").run()
    _ok(at)
    assert at.selectbox(key="firm_selected").value is not None
    heads = [s.value for s in at.subheader]
    assert any("E00006" in h for h in heads), heads
    # covered or not, by which base stations; the nearest charging station and distance
    from planning.firms import firm_details
    from views.common import current_data

    data = current_data()
    index = at.selectbox(key="firm_selected").value
    details = firm_details(data, index)
    shown = " ".join(s.value for s in at.success) + " ".join(w.value for w in at.warning)
    for sid, _name in details.covering_5g:
        assert sid in shown
    text = " ".join(m.value for m in at.markdown)
    assert details.nearest_charging[0] in text and "米" in text
    fields = at.dataframe[0].value
    assert "企业名称" in fields.iloc[:, 0].tolist() or "名称" in fields.iloc[:, 0].tolist()
    # a query matching nothing says so
    at.text_input(key="firm_query").set_value("no such firm").run()
    assert any("no such firm" in i.value for i in at.info)


def test_clicking_the_map_selects_the_nearest_firm():
    from streamlit_folium import generate_js_hash

    at = _app()
    at.switch_page("views/firm.py").run()
    _ok(at)
    comps = at.get("component_instance")
    args = json.loads(comps[0].proto.json_args)
    hash_key = generate_js_hash(args["script"], "firm_map", False)
    from geodata import demo

    firms = demo.load_demo("chaoyang").enterprises
    target = firms.iloc[40]
    click = {"lat": target.geometry.y + 1e-5, "lng": target.geometry.x - 1e-5}
    at.session_state[hash_key] = {"last_object_clicked": click}
    at.run()
    _ok(at)
    heads = [s.value for s in at.subheader]
    assert any(target["id"] in h for h in heads), heads


def test_a_second_run_with_the_same_name_keeps_both():
    at = _app()
    at.switch_page("views/scenario.py").run()
    assert at.text_input(key="sc_name").value == "S1"
    at.button[0].click()
    at.run()
    _ok(at)
    assert at.text_input(key="sc_name").value == "S2"  # the next free default
    at.text_input(key="sc_name").set_value("S1")
    at.button[0].click()
    at.run()
    _ok(at)
    assert list(at.session_state["scenarios"]) == ["S1", "S1 (2)"]
    assert any("S1 (2)" in i.value for i in at.info)
    # help on points, gap and the marginal contribution; parameters as a table
    assert any("百分点" in (m.delta or "") for m in at.metric)
    assert any("边际贡献" in c.value and "新覆盖企业数" in c.value for c in at.caption)
    params = at.dataframe[-1].value
    assert list(params.columns) == ["参数", "取值"]
    assert not params["取值"].isin(["None", "NULL", "nan"]).any()
    # the report button is on the export page and builds without error
    at.switch_page("views/export.py").run()
    _ok(at)
    assert "dl_report" in {b.key for b in at.get("download_button")}


def test_the_saved_message_stays_until_another_scenario_is_shown():
    at = _app()
    at.switch_page("views/scenario.py").run()
    at.button[0].click()
    at.run()
    _ok(at)
    assert any("S1" in s.value for s in at.success)
    at.run()  # a rerun, as the result map's first answer makes
    assert any("S1" in s.value for s in at.success)
    at.button[0].click()
    at.run()
    assert any("S2" in s.value for s in at.success)
    assert not any("S1" in s.value for s in at.success)
    at.selectbox(key="sc_show").set_value("S1").run()
    assert not at.success


def test_zone_list_follows_the_county_and_empty_filters_say_so():
    from geodata import demo

    firms = demo.load_demo("chaoyang").enterprises
    at = _app()
    county = "建平县"
    at.multiselect(key="f_county").set_value([county]).run()
    _ok(at)
    zones = at.multiselect(key="f_zone").options
    assert set(zones) == set(firms.loc[firms["county"] == county, "park"].dropna()) - {""}
    # filters no firm matches: an empty-state message, not an empty map alone
    zone = zones[0]
    inside = firms[firms["park"] == zone]
    counts = inside.groupby(["sector", "digital_status"]).size()
    empty = [
        (sec, st_)
        for sec in firms["sector"].unique()
        for st_ in firms["digital_status"].unique()
        if (sec, st_) not in counts.index
    ]
    assert empty, "every sector and status occurs in the zone"
    sector, status = empty[0]
    at.multiselect(key="f_zone").set_value([zone]).run()
    at.multiselect(key="f_sector").set_value([sector]).run()
    at.multiselect(key="f_status").set_value([status]).run()
    _ok(at)
    assert any("没有符合筛选条件的企业" in i.value for i in at.info)


def test_a_missed_coverage_target_is_said_plainly_with_the_unreachable_firms():
    at = _app()
    at.switch_page("views/scenario.py").run()
    at.radio(key="sc_infra").set_value("charging").run()
    at.selectbox(key="sc_objective").set_value("min_sites").run()
    at.slider(key="sc_target").set_value(0.9)
    at = _run_scenario(at, "tgt")
    _ok(at)
    result = at.session_state["scenarios"]["tgt"]
    assert result.summary["target_reached"] is False
    n = len(result.unreachable)
    warnings = " ".join(w.value for w in at.warning)
    assert "未达到覆盖目标 90%" in warnings and f"{n} 家企业" in warnings
    assert any(e.label == f"无站址可及的企业 ({n} 家)" for e in at.expander)
    assert any(len(df.value) == n for df in at.dataframe)
