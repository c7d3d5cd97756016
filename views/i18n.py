"""Every user-facing string of the app, in Chinese and English.

``t(key, **values)`` returns the string for the language chosen in the
sidebar (``st.session_state["language"]``), formatted with ``values``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from views._kinds_strings import KINDS_COLUMNS_ZH, KINDS_STRINGS
from views._models_strings import MODELS_COLUMNS_ZH, MODELS_STRINGS
from views._programme_strings import PROGRAMME_STRINGS
from views._workspace_strings import WORKSPACE_STRINGS

LANGUAGES = {"zh": "中文", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "app_title": "InfraSite 基础设施选址",
        "language": "语言 / Language",
        "page_map": "地图与统计",
        "page_scenario": "选址方案",
        "page_compare": "方案对比",
        "page_export": "导出",
        "page_data": "数据",
        "page_about": "关于与数据来源",
        "dataset": "当前数据: {name}",
        "synthetic_note": "演示数据为合成数据(企业、基站、充电站、候选站址、园区范围由脚本生成),"
        "仅供演示,不代表真实情况。",
        "provenance": "数据来源: {text}",
        "no_data": "尚未加载数据。请在“数据”页面选择演示数据或上传图层。",
        "error_generic": "出错了: {message}",
        "error_data": "数据有问题,未加载任何内容。问题列表:",
        "problem_line": "行号",
        "problem_column": "列",
        "problem_message": "问题",
        "problem_value": "值",
        "load_warnings": "图层已加载,但请检查以下几点:",
        "warning_line": "第 {line} 行: {message}",
        # map page
        "filters": "筛选",
        "choose": "全部(可多选)",
        "filter_county": "区县",
        "filter_park": "开发区",
        "filter_sector": "行业",
        "filter_status": "数字化转型状态",
        "color_by": "企业着色",
        "color_sector": "按行业",
        "color_status": "按数字化转型状态",
        "basemap": "底图",
        "basemap_none": "无底图(离线)",
        "basemap_osm": "OpenStreetMap(需联网)",
        "basemap_cartodb": "CartoDB(需联网)",
        "basemap_tianditu": "天地图(需密钥和联网)",
        "basemap_amap": "高德地图(GCJ-02,需联网)",
        "tianditu_key": "天地图密钥 (tk)",
        "tianditu_missing": "使用天地图需要密钥:请填写,或设置环境变量 TIANDITU_KEY。",
        "show_candidates": "显示候选站址",
        "charging_distance": "充电站服务距离(米)",
        "stats": "统计",
        "by_county": "按区县",
        "by_park": "按开发区",
        "uncovered": "未覆盖企业",
        "uncovered_5g": "5G 未覆盖",
        "uncovered_charging": "充电距离过远",
        "download_csv": "下载 CSV",
        "firms_shown": "显示企业 {n} 家",
        "metric_5g": "5G 覆盖企业占比",
        "metric_charging": "充电可达企业占比",
        "metric_employees_5g": "5G 覆盖从业人员占比",
        # scenario page
        "scenario_name": "方案名称",
        "infrastructure": "设施类型",
        "infra_5g": "5G 基站",
        "infra_charging": "充电站",
        "objective": "目标",
        "obj_max_coverage": "给定站点数,覆盖最多需求",
        "obj_budget": "给定预算,覆盖最多需求",
        "obj_min_sites": "最少站点数达到覆盖目标",
        "obj_min_distance": "给定站点数,平均距离最短",
        "n_sites": "新增站点数",
        "budget": "预算(元)",
        "coverage_target": "覆盖目标(比例)",
        "band": "频段(决定默认半径)",
        "radius": "服务半径(米)",
        "demand": "需求定义",
        "demand_firms": "企业数",
        "demand_employees": "从业人数",
        "demand_output_value": "产值",
        "demand_energy_use": "能耗",
        "demand_ev_fleet": "新能源车辆",
        "demand_mix": "加权组合",
        "weight_of": "{what} 权重",
        "candidate_sources": "允许的候选站址来源",
        "count_existing": "计入现有站点的覆盖",
        "distance": "距离计算",
        "dist_straight": "直线距离",
        "dist_road": "道路距离",
        "dist_road_time": "道路行驶时间",
        "no_roads": "当前数据没有路网,只能使用直线距离。",
        "time_limit": "求解时间上限(秒)",
        "run": "运行方案",
        "running": "正在计算方案…",
        "done": "完成",
        "results": "结果",
        "show_scenario": "查看方案",
        "no_scenarios": "还没有方案。请先在“选址方案”页面运行一个方案。",
        "sites": "新增站点",
        "cost": "总造价(元)",
        "share_before": "覆盖率(之前)",
        "share_after": "覆盖率(之后)",
        "gap": "最优性差距",
        "status": "求解状态",
        "status_optimal": "最优",
        "status_feasible": "可行(有差距)",
        "status_time_limit": "达到时限",
        "status_infeasible": "不可行",
        "seconds": "用时(秒)",
        "proposed_sites": "新增站址及边际贡献",
        "indicators": "前后指标对比(按区县和开发区)",
        "curve": "覆盖率随站点数(或预算)变化曲线",
        "time_limit_hit": "达到时间上限:给出的是目前最好的方案,差距 {gap}。",
        "target_missed": "未达到覆盖目标 {target}: 实际覆盖 {share};"
        "{n} 家企业周边没有任何候选或现有站址,无论建多少站都无法覆盖(见下表和地图上的红圈)。",
        "unreachable_list": "无站址可及的企业 ({n} 家)",
        "stage_axis": "建设年度",
        "scenario_spec": "方案参数",
        # compare page
        "compare_pick": "选择两个或更多方案",
        "compare_need_two": "请至少选择两个方案。",
        "compare_map": "方案同图对比",
        "cmp_summary": "方案概况(站点数、造价、覆盖率、共同/独有站点)",
        "cmp_indicators": "各区县和开发区覆盖率对比",
        "cmp_sites": "各方案选中的站址",
        # export page
        "export_pick": "选择要导出的方案",
        "export_language": "导出表头语言",
        "export_fmt_gpkg": "GeoPackage",
        "export_fmt_geojson": "GeoJSON",
        "export_fmt_csv": "CSV",
        "export_fmt_xlsx": "Excel (含参数表)",
        "export_fmt_summary_html": "一页摘要 (HTML)",
        "export_fmt_summary_md": "一页摘要 (Markdown)",
        "export_map": "离线地图 (HTML)",
        "layer_proposed_sites": "新增站址",
        "layer_served_firms": "企业覆盖情况",
        "download": "下载 {what}",
        # data page
        "demo_city": "演示城市",
        "upload_header": "上传图层",
        "layer_kind": "图层类型",
        "layer_crs": "坐标系",
        "upload_file": "文件 (CSV / XLSX / GeoJSON / GPKG / 压缩的 Shapefile)",
        "load_layer": "加载图层",
        "layer_loaded": "已加载图层“{kind}”: {n} 条记录。",
        "templates": "图层模板下载",
        "template_lang": "模板表头语言",
        "template_download": "下载“{kind}”模板 ({fmt})",
        "layers_summary": "图层概况",
        "kind_enterprises": "企业",
        "kind_parks": "开发区",
        "kind_base_stations": "5G 基站",
        "kind_charging_stations": "充电站",
        "kind_candidate_sites": "候选站址",
        "kind_admin_areas": "行政区",
        # about
        "about_text": "InfraSite 帮助城市规划人员决定新的 5G 基站和电动汽车充电站建在哪里,"
        "才能服务最多的企业。选址模型(最大覆盖、集合覆盖、p-中位)用 HiGHS 精确求解,"
        "并给出最优性差距。整个应用可完全离线运行。",
        "about_sources": "数据来源",
        "internal_use": "仅供内部规划使用,地图未经审图。",
        # realistic scenarios (link budget, capacity, equity, stages)
        "obj_capacitated": "给定站点数,满足最多充电需求(含桩数)",
        "link_budget_radius": "按链路预算计算 5G 覆盖半径(TR 38.901)",
        "link_budget_help": "勾选后每个候选站按频段、环境(城区/县城/农村)和天线高度计算半径;"
        "取消勾选则用左侧固定半径。",
        "scope_counties": "限定区县(留空为全市)",
        "equity_floor": "每个区县最低覆盖率(0 为不限)",
        "equity_max_sites": "每个区县最多新建站点数(0 为不限)",
        "stage_budgets": "分年度预算(元,逗号分隔,留空为不分期)",
        "stage_budgets_bad": "分年度预算须为逗号分隔的正数,例如 2000000, 3000000",
        "equity_table": "各区县覆盖率与底线",
        "stages_table": "分期建设计划",
        "utilisation": "新建站利用率",
        "piles": "新建充电桩数",
        "sessions_served": "满足的日充电次数",
        "link_budget_assumptions": "链路预算假设:各频段、环境的覆盖半径(米)与默认参数(估算)",
        # app: translation, results help, firm search, report, load
        "provenance_line": "数据来源: {source}; 许可: {licence}",
        "points_format": "%.1f 个百分点",
        "points_delta": "{value} 个百分点",
        "share_after_pct": "覆盖率(%)",
        "help_points": "覆盖率之差以百分点计: 从 80.0% 到 84.4% 是提升 4.4 个百分点(不是 4.4%)。",
        "help_gap": "最优性差距: 求解器证明的上界与所给方案之差占上界的比例。0% 表示已证明最优;"
        "例如 2% 表示任何方案最多再多覆盖 2%。",
        "help_marginal": "边际贡献: 按建设次序逐个加入时,该站点比之前已选站点多覆盖的需求。"
        "新覆盖企业数: 方案完成后由该站点服务、原先未被覆盖的企业数。"
        "两者口径不同(需求权重可能不是企业数;多个站点都能覆盖的企业只计一次),数字可以不一致。",
        "help_name": "每个方案名称唯一;重名时自动加编号,不会覆盖已有方案。",
        "name_taken": "名称“{old}”已被使用,本方案保存为“{new}”。",
        "layer_absent": "当前数据没有以下图层,相关覆盖率未计算(显示为 —): {layers}",
        "nothing_matches": "没有符合筛选条件的企业。请放宽区县、开发区、行业或状态筛选。",
        "page_firm": "查找企业",
        "firm_search": "按企业名称或编号查找",
        "firm_search_help": "输入名称或编号的一部分;也可以在地图上点击一家企业。",
        "firm_none": "没有找到名称或编号包含“{query}”的企业。",
        "firm_pick": "选择企业",
        "firm_details": "企业详情",
        "firm_in_5g": "5G 覆盖",
        "firm_by_sites": "覆盖它的 5G 基站: {sites}",
        "firm_not_5g": "不在任何运行中 5G 基站的覆盖范围内。",
        "firm_nearest_charging": "最近的充电站",
        "firm_charging_distance": "{name}, 直线距离 {distance} 米",
        "firm_no_charging": "当前数据没有充电站。",
        "firm_scenario": "方案“{name}”: ",
        "firm_scenario_served": "由新站点 {site} 服务(距离 {distance} 米)",
        "firm_scenario_before": "方案前已被覆盖",
        "firm_scenario_not": "方案后仍未覆盖",
        "firm_click_map": "在地图上点击一家企业即可查看其详情。",
        "firm_clicked": "已选中地图上离点击位置最近的企业: {name}",
        "yes": "是",
        "no": "否",
        "cmp_names": "各方案选中的站址(名称)",
        "report_header": "打印报告 (Word)",
        "report_one": "下载方案报告 (.docx)",
        "report_compare": "下载方案对比报告 (.docx)",
        "report_help": "报告: 问题、答案、离线静态地图、分区县表和覆盖率曲线,不超过两页;"
        "附录为全部站点。",
    },
    "en": {
        "app_title": "InfraSite siting planner",
        "language": "语言 / Language",
        "page_map": "Map & statistics",
        "page_scenario": "Siting scenario",
        "page_compare": "Compare",
        "page_export": "Export",
        "page_data": "Data",
        "page_about": "About & sources",
        "dataset": "Current data: {name}",
        "synthetic_note": "The demo data is synthetic (enterprises, base stations, charging "
        "stations, candidate sites and zone outlines are generated by a script): for "
        "demonstration only.",
        "provenance": "Source: {text}",
        "no_data": "No data loaded yet. Choose the demo or upload layers on the Data page.",
        "error_generic": "Something went wrong: {message}",
        "error_data": "The data has problems; nothing was loaded. Problems:",
        "problem_line": "line",
        "problem_column": "column",
        "problem_message": "problem",
        "problem_value": "value",
        "load_warnings": "The layer loaded, but please check:",
        "warning_line": "line {line}: {message}",
        "filters": "Filters",
        "choose": "All (pick to filter)",
        "filter_county": "County",
        "filter_park": "Development zone",
        "filter_sector": "Sector",
        "filter_status": "Digital-transformation status",
        "color_by": "Colour enterprises",
        "color_sector": "by sector",
        "color_status": "by transformation status",
        "basemap": "Basemap",
        "basemap_none": "None (offline)",
        "basemap_osm": "OpenStreetMap (online)",
        "basemap_cartodb": "CartoDB (online)",
        "basemap_tianditu": "Tianditu (key, online)",
        "basemap_amap": "AMap (GCJ-02, online)",
        "tianditu_key": "Tianditu key (tk)",
        "tianditu_missing": "Tianditu needs a key: enter it or set the TIANDITU_KEY "
        "environment variable.",
        "show_candidates": "Show candidate sites",
        "charging_distance": "Charging service distance (m)",
        "stats": "Statistics",
        "by_county": "By county",
        "by_park": "By zone",
        "uncovered": "Uncovered firms",
        "uncovered_5g": "Outside 5G",
        "uncovered_charging": "Far from charging",
        "download_csv": "Download CSV",
        "firms_shown": "{n} firms shown",
        "metric_5g": "Firms with 5G",
        "metric_charging": "Firms near charging",
        "metric_employees_5g": "Employees with 5G",
        "scenario_name": "Scenario name",
        "infrastructure": "Infrastructure",
        "infra_5g": "5G base station",
        "infra_charging": "Charging station",
        "objective": "Objective",
        "obj_max_coverage": "Cover the most demand with N sites",
        "obj_budget": "Cover the most within a budget",
        "obj_min_sites": "Fewest sites to reach a coverage target",
        "obj_min_distance": "Shortest average distance with N sites",
        "n_sites": "New sites",
        "budget": "Budget (CNY)",
        "coverage_target": "Coverage target (share)",
        "band": "Band (sets the default radius)",
        "radius": "Service radius (m)",
        "demand": "Demand",
        "demand_firms": "Firms",
        "demand_employees": "Employees",
        "demand_output_value": "Output value",
        "demand_energy_use": "Energy use",
        "demand_ev_fleet": "EV fleet",
        "demand_mix": "Weighted mix",
        "weight_of": "Weight of {what}",
        "candidate_sources": "Allowed candidate sources",
        "count_existing": "Count existing sites' coverage",
        "distance": "Distance",
        "dist_straight": "Straight line",
        "dist_road": "Road distance",
        "dist_road_time": "Road travel time",
        "no_roads": "This data has no road network: straight-line distance only.",
        "time_limit": "Solver time limit (s)",
        "run": "Run scenario",
        "running": "Computing the scenario…",
        "done": "Done",
        "results": "Results",
        "show_scenario": "Show scenario",
        "no_scenarios": "No scenarios yet. Run one on the Siting scenario page first.",
        "sites": "New sites",
        "cost": "Total cost (CNY)",
        "share_before": "Coverage before",
        "share_after": "Coverage after",
        "gap": "Optimality gap",
        "status": "Solver status",
        "status_optimal": "Optimal",
        "status_feasible": "Feasible (with a gap)",
        "status_time_limit": "Time limit",
        "status_infeasible": "Infeasible",
        "seconds": "Seconds",
        "proposed_sites": "Proposed sites and marginal contributions",
        "indicators": "Before / after indicators by county and zone",
        "curve": "Coverage vs number of sites (or budget)",
        "time_limit_hit": "Time limit reached: best answer found so far, gap {gap}.",
        "target_missed": "Coverage target {target} not reached: {share} is covered; {n} firms have "
        "no candidate or existing site within reach, however many sites are built (listed below, "
        "red rings on the map).",
        "unreachable_list": "Firms no site can reach ({n})",
        "stage_axis": "Build year",
        "scenario_spec": "Scenario parameters",
        "compare_pick": "Pick two or more scenarios",
        "compare_need_two": "Pick at least two scenarios.",
        "compare_map": "Scenarios on one map",
        "cmp_summary": "Summary (sites, cost, coverage, sites in common / only here)",
        "cmp_indicators": "Coverage by county and zone",
        "cmp_sites": "Sites each scenario picks",
        "export_pick": "Scenario to export",
        "export_language": "Export header language",
        "export_fmt_gpkg": "GeoPackage",
        "export_fmt_geojson": "GeoJSON",
        "export_fmt_csv": "CSV",
        "export_fmt_xlsx": "Excel (with parameters sheet)",
        "export_fmt_summary_html": "One-page summary (HTML)",
        "export_fmt_summary_md": "One-page summary (Markdown)",
        "export_map": "Offline map (HTML)",
        "layer_proposed_sites": "proposed sites",
        "layer_served_firms": "firms served",
        "download": "Download {what}",
        "demo_city": "Demo city",
        "upload_header": "Upload a layer",
        "layer_kind": "Layer kind",
        "layer_crs": "Coordinate system",
        "upload_file": "File (CSV / XLSX / GeoJSON / GPKG / zipped Shapefile)",
        "load_layer": "Load layer",
        "layer_loaded": "Loaded layer “{kind}”: {n} rows.",
        "templates": "Layer templates",
        "template_lang": "Template header language",
        "template_download": "Download the “{kind}” template ({fmt})",
        "layers_summary": "Layers",
        "kind_enterprises": "Enterprises",
        "kind_parks": "Development zones",
        "kind_base_stations": "5G base stations",
        "kind_charging_stations": "Charging stations",
        "kind_candidate_sites": "Candidate sites",
        "kind_admin_areas": "Counties",
        "about_text": "InfraSite helps city planners decide where new 5G base stations and EV "
        "charging stations should go to serve the most enterprises. The siting models "
        "(maximal coverage, set covering, p-median) are solved exactly with HiGHS and "
        "report their optimality gap. The whole app runs offline.",
        "about_sources": "Data sources",
        "internal_use": "For internal planning use; the map has not been through map review.",
        # realistic scenarios (link budget, capacity, equity, stages)
        "obj_capacitated": "Serve the most charging demand with N stations (with piles)",
        "link_budget_radius": "5G radius from the link budget (TR 38.901)",
        "link_budget_help": "When ticked, each candidate gets its own radius from band, setting "
        "(urban / county seat / rural) and antenna height; untick to use the fixed radius.",
        "scope_counties": "Only these counties (empty: whole city)",
        "equity_floor": "Coverage floor per county (0: none)",
        "equity_max_sites": "Most new sites per county (0: no limit)",
        "stage_budgets": "Budget per year (CNY, comma-separated; empty: not staged)",
        "stage_budgets_bad": "Budgets per year must be positive numbers separated by commas, "
        "e.g. 2000000, 3000000",
        "equity_table": "Coverage per county against its floor",
        "stages_table": "Staged plan",
        "utilisation": "Utilisation of new stations",
        "piles": "New piles",
        "sessions_served": "Daily sessions served",
        "link_budget_assumptions": "Link-budget assumptions: radius (m) per band and setting, "
        "and the default budget (est.)",
        # app: translation, results help, firm search, report, load
        "provenance_line": "Source: {source}; licence: {licence}",
        "points_format": "%.1f points",
        "points_delta": "{value} percentage points",
        "share_after_pct": "Coverage (%)",
        "help_points": "Coverage changes are in percentage points: from 80.0% to 84.4% is a rise "
        "of 4.4 points (not 4.4%).",
        "help_gap": "Optimality gap: how far the answer may be from the best possible, as a share "
        "of the proven bound. 0% means proven optimal; 2% means no plan covers more than 2% more.",
        "help_marginal": "Marginal contribution: the demand a site adds over the sites built "
        "before it, in build order. Firms newly covered: the firms the site serves once the "
        "plan is complete that were not covered before. They are counted differently (demand "
        "may not be a firm count; a firm several sites reach counts once), so they can differ.",
        "help_name": "Scenario names are unique: a name in use gets a number, nothing is replaced.",
        "name_taken": "The name “{old}” is taken: this scenario is saved as “{new}”.",
        "layer_absent": "This data has no {layers} layer: the related shares are not computed "
        "(shown as —).",
        "nothing_matches": "No firm matches the filters. Widen the county, zone, sector or "
        "status filter.",
        "page_firm": "Find a firm",
        "firm_search": "Find a firm by name or ID",
        "firm_search_help": "Type part of a name or an ID; or click a firm on the map.",
        "firm_none": "No firm whose name or ID contains “{query}”.",
        "firm_pick": "Firm",
        "firm_details": "Firm details",
        "firm_in_5g": "5G coverage",
        "firm_by_sites": "Covered by the 5G base stations: {sites}",
        "firm_not_5g": "Not within range of any operational 5G base station.",
        "firm_nearest_charging": "Nearest charging station",
        "firm_charging_distance": "{name}, {distance} m in a straight line",
        "firm_no_charging": "This data has no charging stations.",
        "firm_scenario": "Scenario “{name}”: ",
        "firm_scenario_served": "served by the new site {site} ({distance} m)",
        "firm_scenario_before": "already covered before the plan",
        "firm_scenario_not": "still not covered after the plan",
        "firm_click_map": "Click a firm on the map to see its details.",
        "firm_clicked": "Selected the firm nearest to the click: {name}",
        "yes": "yes",
        "no": "no",
        "cmp_names": "Sites each scenario picks (names)",
        "report_header": "Report to print (Word)",
        "report_one": "Download the scenario report (.docx)",
        "report_compare": "Download the comparison report (.docx)",
        "report_help": "The report: question, answer, an offline static map, the county table "
        "and the coverage curve in at most two pages; every site in an appendix.",
    },
}


def _merge(*tables: dict[str, dict[str, str]]) -> None:
    for table in tables:
        for lang, strings in table.items():
            STRINGS[lang].update(strings)


_merge(PROGRAMME_STRINGS, WORKSPACE_STRINGS, MODELS_STRINGS, KINDS_STRINGS)


COLUMNS_ZH = {
    "id": "编号",
    "name": "名称",
    "firms": "企业数",
    "firms_5g": "5G覆盖企业",
    "share_firms_5g": "5G企业覆盖率",
    "employees": "从业人数",
    "employees_5g": "5G覆盖从业人数",
    "share_employees_5g": "5G从业人员覆盖率",
    "firms_charging": "充电可达企业",
    "share_firms_charging": "充电可达企业占比",
    "employees_charging": "充电可达从业人数",
    "share_employees_charging": "充电可达从业人员占比",
    "charging_distance_m": "最近充电站距离(米)",
    "county": "区县",
    "park": "开发区",
    "level": "层级",
    "group": "分组",
    "order": "建设次序",
    "gain": "新增覆盖需求",
    "marginal": "边际贡献",
    "firms_covered": "覆盖企业数",
    "firms_new": "新覆盖企业数",
    "cost_cny": "造价(元)",
    "firms_before": "原覆盖企业数",
    "firms_after": "方案后覆盖企业数",
    "weight": "需求",
    "weight_before": "原覆盖需求",
    "weight_after": "方案后覆盖需求",
    "share_firms_before": "原企业覆盖率",
    "share_firms_after": "方案后企业覆盖率",
    "share_before": "原需求覆盖率",
    "share_after": "方案后需求覆盖率",
    "change": "覆盖率提升",
    "sites": "站点数",
    "share": "覆盖率",
    "scenario": "方案",
    "objective": "目标",
    "infrastructure": "设施类型",
    "gap": "最优性差距",
    "status": "求解状态",
    "in": "被选次数",
    "firms_newly_served": "新覆盖企业数",
    "sites_in_common": "共同站址数",
    "sites_only_here": "独有站址数",
}
"""Chinese headers of the tables the pages show (English keeps the column names)."""
COLUMNS_ZH.update(MODELS_COLUMNS_ZH)
COLUMNS_ZH.update(KINDS_COLUMNS_ZH)


def column_labels(columns: Any, lang: str | None = None) -> dict[str, str]:
    """Return display headers for ``columns`` in ``lang`` (default: the session language)."""
    from geodata.schema import LAYER_KINDS

    if (lang or language()) != "zh":
        return {c: str(c).replace("_", " ") for c in columns}
    fields = {f.name: f.label_zh for k in LAYER_KINDS.values() for f in k.fields if f.label_zh}
    return {c: COLUMNS_ZH.get(c) or fields.get(c) or str(c) for c in columns}


ROW_LABELS = {
    "zh": {"county": "区县", "park": "开发区", "total": "合计", "-": "开发区外"},
    "en": {"county": "county", "park": "zone", "total": "total", "-": "outside zones"},
}
"""Display names of the row labels in indicator tables (levels, totals, firms outside zones)."""


def row_label(value: Any, lang: str | None = None) -> Any:
    """Return the display name of an indicator table's row label, or the value itself."""
    return ROW_LABELS[lang or language()].get(value, value) if isinstance(value, str) else value


PROGRESS_ZH = {
    "preparing data": "准备数据",
    "solving": "求解",
    "trade-off curve": "计算权衡曲线",
    "assembling results": "整理结果",
    "done": "完成",
}
"""Chinese for the progress messages of ``planning.scenarios.run_scenario``."""


def progress_text(message: str) -> str:
    """Return a solver progress message in the session language."""
    return PROGRESS_ZH.get(message, message) if language() == "zh" else message


def language() -> str:
    """Return the interface language chosen in the session (``"zh"`` by default)."""
    try:
        import streamlit as st

        lang = st.session_state.get("language", "zh")
    except Exception:  # outside a Streamlit run
        lang = "zh"
    return lang if lang in STRINGS else "zh"


def t(key: str, **values: Any) -> str:
    """Return the interface string ``key`` in the session language, formatted."""
    return text_in(language(), key, **values)


def text_in(lang: str, key: str, **values: Any) -> str:
    """Return the interface string ``key`` in language ``lang``, formatted."""
    text = STRINGS[lang].get(key) or STRINGS["en"].get(key, key)
    return text.format(**values) if values else text


def translator() -> Callable[..., str]:
    """Return ``t`` bound to the current session language.

    Widget ``format_func`` callbacks must keep giving the labels of the run
    that drew them, even after the language changes, so pages use this.
    """
    lang = language()

    def bound(key: str, **values: Any) -> str:
        return text_in(lang, key, **values)

    bound.language = lang  # type: ignore[attr-defined]
    return bound
