"""The backup, dispersion, single-source and corridor scenarios driven through the app (AppTest)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_translation import _problems

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def _scenario_page(language: str = "zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if language != "zh":
        at.sidebar.radio(key="language").set_value(language).run()
    at.switch_page("views/scenario.py").run()
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _run(at: AppTest, name: str, **numbers) -> AppTest:
    at.text_input(key="sc_name").set_value(name)
    at.number_input(key="sc_time").set_value(5)
    for key, value in numbers.items():
        at.number_input(key=key).set_value(value)
    at.button[0].click()  # the form's submit button
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _map_script(at: AppTest) -> str:
    comps = at.get("component_instance")
    assert comps, "no map on the page"
    return json.loads(comps[0].proto.json_args)["script"]


def test_the_menu_offers_each_objective_where_a_planner_would_use_it():
    at = _scenario_page()
    _ok(at)
    five_g = at.selectbox(key="sc_objective").options
    assert "重点企业5G双重覆盖(冗余)" in five_g and "试点站址分散布局" in five_g
    assert "货运走廊充电布局" not in five_g and "每家企业对应一个充电站(含容量)" not in five_g
    at.radio(key="sc_infra").set_value("charging").run()
    _ok(at)
    charging = at.selectbox(key="sc_objective").options
    assert {"货运走廊充电布局", "每家企业对应一个充电站(含容量)", "试点站址分散布局"} <= set(
        charging
    )
    assert "重点企业5G双重覆盖(冗余)" not in charging
    # a 5G-only choice falls back to a valid one when the kind of site changes
    at.radio(key="sc_infra").set_value("5g").run()
    at.selectbox(key="sc_objective").set_value("backup").run()
    at.radio(key="sc_infra").set_value("charging").run()
    _ok(at)
    assert at.selectbox(key="sc_objective").value == "max_coverage"


def test_redundant_5g_for_key_firms():
    at = _scenario_page()
    at.selectbox(key="sc_objective").set_value("backup").run()
    _ok(at)
    assert any("两个基站" in c.value for c in at.caption)  # the objective's help line
    at.selectbox(key="sc_key_firms").set_value("transform_list")
    at = _run(at, "冗余", sc_n=4, sc_bw=1.0)
    _ok(at)
    result = at.session_state["scenarios"]["冗余"]
    s = result.summary
    assert result.spec.objective == "backup" and s["asked_sites"] == 4
    assert len(result.served) == s["key_firm_count"] == 100  # the demo's transformation list
    metrics = _metrics(at)
    assert metrics["双重覆盖率(可达口径)"] == f"{s['backup_share_after']:.1%}"
    assert metrics["双重覆盖企业数"] == str(s["firms_backed_up_after"])
    assert any("不计入分母" in c.value for c in at.caption)
    assert any("要求新建 4 处" in c.value for c in at.caption) or any(
        "要求 4 处" in i.value for i in at.info
    )
    assert not _problems(at, "zh", "backup")


def test_spread_pilot_sites_in_english():
    at = _scenario_page("en")
    at.selectbox(key="sc_objective").set_value("dispersion").run()
    _ok(at)
    at = _run(at, "pilots", sc_n=4)
    _ok(at)
    result = at.session_state["scenarios"]["pilots"]
    s = result.summary
    assert s["sites"] == 4 and s["min_spacing_m"] > 0
    metrics = _metrics(at)
    assert metrics["Smallest spacing of pilots"] == f"{s['min_spacing_m'] / 1000:,.1f} km"
    assert any("closest two" in c.value for c in at.caption)
    assert any(m.value == "Smallest spacing of pilots" for m in at.markdown) is False
    assert any("Smallest spacing against" in m.value for m in at.markdown)
    assert not _problems(at, "en", "dispersion")


def test_one_station_per_firm():
    at = _scenario_page()
    at.radio(key="sc_infra").set_value("charging").run()
    at.selectbox(key="sc_objective").set_value("single_source").run()
    _ok(at)
    at = _run(at, "一站", sc_n=3)
    _ok(at)
    result = at.session_state["scenarios"]["一站"]
    s = result.summary
    assert result.spec.objective == "single_source" and s["sites"] == 3
    served = result.served
    assigned = served[served["assigned"]]
    allowed = set(result.proposed_sites["id"]) | set(
        at.session_state["project_obj"].data.charging_stations["id"]
    )
    assert set(assigned["station"]) <= allowed
    metrics = _metrics(at)
    assert metrics["充电需求分配率"] == f"{s['share_sessions_served']:.1%}"
    assert metrics["新建充电桩数"] == str(s["piles"])
    assert not _problems(at, "zh", "single_source")


def test_truck_corridors_say_they_are_straight_lines_without_roads():
    at = _scenario_page()
    at.radio(key="sc_infra").set_value("charging").run()
    at.selectbox(key="sc_objective").set_value("corridors").run()
    _ok(at)
    at = _run(at, "走廊", sc_n=3, sc_range=80.0)
    _ok(at)
    result = at.session_state["scenarios"]["走廊"]
    s = result.summary
    assert result.spec.vehicle_range_km == 80 and s["path_source"] == "straight"
    assert any("没有路网数据" in w.value for w in at.warning)
    metrics = _metrics(at)
    assert metrics["可往返车流占比"] == f"{s['share_flow_after']:.1%}"
    assert metrics["可往返走廊"] == f"{s['corridors_refuelled_after']}/{s['corridors']} 条"
    tables = [df.value for df in at.dataframe if "起点园区" in df.value.columns]
    assert tables and len(tables[0]) == s["corridors"] == 21
    assert set(tables[0]["线路"]) == {"直线"}
    assert "LineString" in _map_script(at)
    assert not _problems(at, "zh", "corridors")


def test_truck_corridors_follow_the_roads_of_the_osm_demo():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.sidebar.text_input(key="pj_new_name").set_value("Vaduz")
    at.sidebar.selectbox(key="pj_demo").set_value("liechtenstein")
    at.sidebar.button(key="pj_do_new_demo").click().run()
    _ok(at)
    at.switch_page("views/scenario.py").run()
    at.radio(key="sc_infra").set_value("charging").run()
    at.selectbox(key="sc_objective").set_value("corridors").run()
    at.checkbox(key="sc_existing").uncheck()
    at = _run(at, "roads", sc_n=2, sc_range=10.0)
    _ok(at)
    s = at.session_state["scenarios"]["roads"].summary
    assert s["path_source"] == "road"
    assert any("道路网" in i.value for i in at.info)
    assert s["share_flow_before"] == 0 and s["share_flow_after"] > 0


def test_a_saved_model_scenario_is_shown_again_after_a_reload():
    at = _scenario_page()
    at.selectbox(key="sc_objective").set_value("dispersion").run()
    at = _run(at, "spread", sc_n=3)
    _ok(at)
    project = at.session_state["project"]
    again = AppTest.from_file(APP, default_timeout=TIMEOUT)
    again.query_params["project"] = project
    again.run()
    again.switch_page("views/scenario.py").run()
    _ok(again)
    # the compare and export pages take it too
    for page in ("views/compare.py", "views/export.py"):
        again.switch_page(page).run()
        _ok(again)
    again.switch_page("views/scenario.py").run()
    assert "spread" in again.session_state["scenarios"]
    loaded = again.session_state["scenarios"]["spread"]
    assert (
        loaded.summary["min_spacing_m"]
        == at.session_state["scenarios"]["spread"].summary["min_spacing_m"]
    )
    assert "试点最小间距" in _metrics(again)


# ---------------------------------------------------------------- gigabit broadband and hydrogen


def test_the_menu_offers_the_new_kinds_with_their_objectives():
    at = _scenario_page()
    _ok(at)
    assert at.radio(key="sc_infra").options == ["5G 基站", "充电站", "光网接入点", "加氢站"]
    at.radio(key="sc_infra").set_value("broadband").run()
    _ok(at)
    options = at.selectbox(key="sc_objective").options
    assert len(options) == 7 and "货运走廊充电布局" not in options
    assert "给定光交箱数,接入最多企业(含端口容量)" in options
    assert not any("双重覆盖" in o for o in options)
    at.radio(key="sc_infra").set_value("hydrogen").run()
    _ok(at)
    assert len(at.selectbox(key="sc_objective").options) == 6
    assert not _problems(at, "zh", "hydrogen menu")


def test_fibre_cabinets_for_the_zones_with_port_capacity():
    at = _scenario_page()
    at.radio(key="sc_infra").set_value("broadband").run()
    at.selectbox(key="sc_objective").set_value("capacitated").run()
    _ok(at)
    assert at.number_input(key="sc_capacity_broadband").value == 64
    assert at.number_input(key="sc_detour_broadband").value == 1.3
    assert any("×1.3" in c.value for c in at.caption)
    at = _run(at, "光网", sc_n=4)
    _ok(at)
    result = at.session_state["scenarios"]["光网"]
    s = result.summary
    assert result.spec.infrastructure == "broadband" and result.spec.detour_factor == 1.3
    assert s["sites"] == 4 and s["capacity_unit"] == "ports"
    assert set(result.proposed_sites["infrastructure"]) == {"broadband"}
    metrics = _metrics(at)
    assert metrics["满足的需求(端口)"] == f"{s['sessions_served']:,.0f}"
    assert not _problems(at, "zh", "broadband")


def test_hydrogen_for_the_steel_and_clean_energy_bases_in_english():
    at = _scenario_page("en")
    at.radio(key="sc_infra").set_value("hydrogen").run()
    at.selectbox(key="sc_objective").set_value("capacitated").run()
    at.multiselect(key="sc_counties").set_value(["凌源市", "建平县", "喀喇沁左翼蒙古族自治县"])
    at.number_input(key="sc_capacity_hydrogen").set_value(800.0)
    at = _run(at, "h2", sc_n=2)
    _ok(at)
    result = at.session_state["scenarios"]["h2"]
    s = result.summary
    assert result.spec.site_capacity == 800 and s["capacity_unit"] == "kg/day"
    assert (result.proposed_sites["capacity_sessions"] == 800).all()
    assert s["h2_fleet_assumed"] is False  # the demo has its own hydrogen trucks
    assert _metrics(at)["Demand served (kg/day)"] == f"{s['sessions_served']:,.0f}"
    assert not _problems(at, "en", "hydrogen")


def test_map_page_shows_the_coverage_of_every_kind():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.sidebar.radio(key="language").set_value("en").run()
    _ok(at)
    assert len(at.metric) == 3  # 5G and charging; the other kinds one line each
    lines = [c.value for c in at.caption if "Firms served by" in c.value]
    assert len(lines) == 2
    assert lines[0].startswith("**Firms served by Gigabit broadband access points: ")
    assert "cable length" in lines[0] and "1,500 m" in lines[0]
    assert lines[1].startswith("**Firms served by Hydrogen refuelling stations: ")
    assert at.radio(key="uncovered_what").options[-2:] == [
        "No fibre access point",
        "Far from hydrogen",
    ]
    assert "Share of firms near gigabit broadband access points" in {
        str(c) for df in at.dataframe for c in df.value.columns
    }
    assert "Gigabit broadband access points (service area)" in _map_script(at)
    assert not _problems(at, "en", "map")


def test_firm_page_names_the_nearest_fibre_point_and_hydrogen_station():
    from planning.firms import firm_details
    from views.common import current_data

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/firm.py").run()
    at.text_input(key="firm_query").set_value("E00006").run()
    _ok(at)
    details = firm_details(current_data(), at.selectbox(key="firm_selected").value)
    assert set(details.nearest_other) == {"broadband", "hydrogen"}
    text = " ".join(m.value for m in at.markdown)
    for code, (sid, _name, dist, served) in details.nearest_other.items():
        assert sid in text and f"{dist:,.0f} 米" in text
        assert served == (dist <= (1500 if code == "broadband" else 30_000))
    assert "最近的光网接入点" in text and "光缆长度" in text
    assert not _problems(at, "zh", "firm")
