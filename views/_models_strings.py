"""Interface strings of the backup, dispersion, single-source and corridor scenarios.

Merged into :data:`views.i18n.STRINGS`; the column headers into
:data:`views.i18n.COLUMNS_ZH` and :data:`views.labels.COLUMNS_EN`.
"""

MODELS_STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "obj_backup": "重点企业5G双重覆盖(冗余)",
        "obj_dispersion": "试点站址分散布局",
        "obj_single_source": "每家企业对应一个充电站(含容量)",
        "obj_corridors": "货运走廊充电布局",
        "help_obj_max_coverage": "选 N 个新站址,使覆盖范围内的需求最多。",
        "help_obj_budget": "在总预算内选站址,使覆盖范围内的需求最多。",
        "help_obj_min_sites": "用最少的新站址达到覆盖率目标。",
        "help_obj_min_distance": "选 N 个新站址,使企业到最近站点的平均距离最短。",
        "help_obj_capacitated": "选 N 个充电站并按需配桩,满足最多的日充电需求"
        "(一家企业可分到多个站)。",
        "help_obj_backup": "生产依赖网络的重点企业(工业互联网、5G专网)需要两个基站同时覆盖,"
        "一个故障时另一个兜底。选 N 个新站址,使被覆盖且被双重覆盖的重点企业最多。",
        "help_obj_dispersion": "把 N 个试点或示范站址在全市尽量分散:使任意两处试点之间的"
        "最小距离最大(只考虑服务半径内有企业的候选站址)。",
        "help_obj_single_source": "每家企业的员工只去一个充电站充电:恰好新建 N 个站,"
        "每个站容量有限(最多桩数),使企业到所属站的距离之和(按充电次数加权)最小。",
        "help_obj_corridors": "钢铁、新材料、物流等园区之间的货运车辆需要在续航里程内"
        "完成往返:沿园区间线路选 N 个充电站,使能完成往返的车流最多。有路网时沿道路,"
        "否则按园区间直线。",
        "key_firms": "重点企业",
        "key_firms_transform_list": "年度数字化转型名单企业",
        "key_firms_digital": "数字化转型实施中或已完成的企业",
        "key_firms_all": "全部企业",
        "backup_weight": "第二重覆盖的权重",
        "backup_weight_help": "1 表示被两个站覆盖的企业计两次;0.5 表示第二重覆盖算半个。",
        "vehicle_range": "车辆续航里程(公里)",
        "vehicle_range_help": "满电(满罐)可行驶的距离;往返途中相邻两次补能之间不得超过此距离。",
        "asked_achieved": "要求新建 {asked} 处,方案新建 {sites} 处。",
        "fewer_sites": "只提出 {sites} 处(要求 {asked} 处):再多一处也不能增加目标值。",
        "key_firm_count": "重点企业数",
        "backup_share": "双重覆盖率(可达口径)",
        "firms_backed_up": "双重覆盖企业数",
        "backup_possible": "两个站可及的重点企业",
        "backup_note": "{after} 家重点企业获双重覆盖(方案前 {before} 家),在两个站点都能"
        "覆盖到的 {possible} 家中占 {share}。只有一个站点可及的企业无法双重覆盖,不计入分母。",
        "min_spacing": "试点最小间距",
        "spacing_bound": "最小间距上界",
        "mean_spacing": "试点平均最近间距",
        "spacing_note": "{n} 处试点两两相距至少 {d};距离最近的两处是 {pair}。",
        "km_value": "{value:,.1f} 公里",
        "sessions_assigned": "充电需求分配率",
        "station_distance": "企业到所属站平均距离",
        "single_note": "每家企业只由一个站服务:每日 {served:,.0f} 次充电分到站点(占 {share}),"
        "{unserved:,.0f} 次因距离或容量无站可接。",
        "flow_share": "可往返车流占比",
        "corridors_passable": "可往返走廊",
        "corridors_count": "{after}/{total} 条",
        "unrefuellable": "无法补能的走廊",
        "path_road": "走廊沿道路网最短路径计算。",
        "path_straight": "没有路网数据:走廊按园区中心之间的直线计算,实际里程会更长。",
        "path_mixed": "部分园区之间没有道路相连,这些走廊按直线计算。",
        "corridor_note": "车流按各园区需求的乘积估算(相对值);续航 {range} 公里,"
        "站点在走廊两侧 {buffer:,.0f} 米内或在两端园区内算作沿线。",
        "corridors_table": "货运走廊",
        "path_value_road": "道路",
        "path_value_straight": "直线",
        "curve_backup": "双重覆盖率随新建站点数变化",
        "curve_spacing": "试点最小间距随试点数变化",
        "curve_sessions": "充电需求分配率随新建站点数变化",
        "curve_flow": "可往返车流占比随新建站点数变化",
        "curve_y_backup": "双重覆盖率(%)",
        "curve_y_spacing": "最小间距(公里)",
        "curve_y_sessions": "分配率(%)",
        "curve_y_flow": "车流占比(%)",
    },
    "en": {
        "obj_backup": "Redundant 5G for key firms (covered twice)",
        "obj_dispersion": "Spread pilot sites",
        "obj_single_source": "One station per firm (with capacity)",
        "obj_corridors": "Truck corridors",
        "help_obj_max_coverage": "Pick N new sites covering the most demand within reach.",
        "help_obj_budget": "Pick sites within the budget covering the most demand within reach.",
        "help_obj_min_sites": "Reach the coverage target with the fewest new sites.",
        "help_obj_min_distance": "Pick N new sites with the shortest mean distance to the "
        "nearest site.",
        "help_obj_capacitated": "Pick N charging stations and their piles to serve the most "
        "daily sessions (a firm may be split between stations).",
        "help_obj_backup": "Key firms whose production runs on the network (industrial "
        "internet, 5G private networks) need two covering base stations, so one can fail. Pick "
        "N new sites covering the most key firms, counting those covered twice again.",
        "help_obj_dispersion": "Spread N pilot or demonstration sites across the city: make "
        "the smallest distance between two pilots as large as possible (only candidates with "
        "firms within their radius).",
        "help_obj_single_source": "A firm's staff charge at one station: build exactly N "
        "stations of limited size (piles) and give each firm to one station, with the least "
        "session-weighted distance.",
        "help_obj_corridors": "Trucks between the steel, new-materials and logistics zones must "
        "make their round trips within their range: pick N stations along the routes between "
        "zones so the most flow can. Routes follow the roads where the data has them, else "
        "straight lines.",
        "key_firms": "Key firms",
        "key_firms_transform_list": "Firms on the digital-transformation list",
        "key_firms_digital": "Firms with digital transformation under way or done",
        "key_firms_all": "Every firm",
        "backup_weight": "Weight of a second cover",
        "backup_weight_help": "1: a firm covered twice counts double; 0.5: the second cover "
        "counts half.",
        "vehicle_range": "Vehicle range (km)",
        "vehicle_range_help": "Distance on a full charge or tank; on the round trip no two "
        "stops to charge may be farther apart.",
        "asked_achieved": "{asked} new sites asked for, {sites} proposed.",
        "fewer_sites": "Only {sites} sites proposed ({asked} asked for): another would not "
        "improve the objective.",
        "key_firm_count": "Key firms",
        "backup_share": "Covered twice (of reachable)",
        "firms_backed_up": "Firms covered twice",
        "backup_possible": "Key firms two sites can reach",
        "backup_note": "{after} key firms are covered twice ({before} before): {share} of the "
        "{possible} that two sites can reach. Firms only one site can reach cannot be backed "
        "up and are left out of the share.",
        "min_spacing": "Smallest spacing of pilots",
        "spacing_bound": "Bound on the smallest spacing",
        "mean_spacing": "Mean spacing to the nearest pilot",
        "spacing_note": "{n} pilots at least {d} apart; the closest two are {pair}.",
        "km_value": "{value:,.1f} km",
        "sessions_assigned": "Sessions given a station",
        "station_distance": "Mean distance to the firm's station",
        "single_note": "Each firm is served by one station: {served:,.0f} daily sessions go "
        "to a station ({share}); {unserved:,.0f} find none with room or within reach.",
        "flow_share": "Flow that can make its round trip",
        "corridors_passable": "Corridors passable",
        "corridors_count": "{after}/{total}",
        "unrefuellable": "Corridors no station set can serve",
        "path_road": "Corridors follow the shortest routes on the road network.",
        "path_straight": "No road data: corridors are straight lines between the zone centres; "
        "real distances are longer.",
        "path_mixed": "Some zones have no road between them; those corridors are straight lines.",
        "corridor_note": "Flows are estimated from the product of the zones' demand (relative); "
        "range {range} km; a station within {buffer:,.0f} m of a corridor or in its end zones "
        "counts as on it.",
        "corridors_table": "Truck corridors",
        "path_value_road": "road",
        "path_value_straight": "straight line",
        "curve_backup": "Covered twice against new sites",
        "curve_spacing": "Smallest spacing against the number of pilots",
        "curve_sessions": "Sessions given a station against new sites",
        "curve_flow": "Flow making its round trip against new stations",
        "curve_y_backup": "Covered twice (%)",
        "curve_y_spacing": "Smallest spacing (km)",
        "curve_y_sessions": "Given a station (%)",
        "curve_y_flow": "Share of flow (%)",
    },
}

MODELS_COLUMNS_ZH: dict[str, str] = {
    "urban": "城区",
    "county_seat": "县城",
    "rural": "农村",
    "sessions": "日充电次数",
    "capacity_sessions": "日服务能力(次)",
    "utilisation": "利用率",
    "station_cost_cny": "站点造价(元)",
    "environment": "站址环境",
    "covers_before": "原覆盖站数",
    "covers_after": "方案后覆盖站数",
    "backup_possible": "可双重覆盖",
    "backed_up_before": "原双重覆盖",
    "backed_up_after": "方案后双重覆盖",
    "backup_marginal": "依赖该站的双重覆盖企业",
    "spacing_m": "与最近试点距离(米)",
    "assigned": "已分配到站",
    "station": "所属充电站",
    "station_distance_m": "到所属站距离(米)",
    "routes": "途经走廊数",
    "flow_marginal": "边际车流",
    "origin": "起点园区",
    "destination": "终点园区",
    "flow": "车流(相对)",
    "length_km": "里程(公里)",
    "round_trip_km": "往返里程(公里)",
    "path": "线路",
    "sites_on_route": "沿线站点数",
    "refuellable": "可实现往返",
    "refuelled_before": "原可往返",
    "refuelled_after": "方案后可往返",
    "stations": "沿线开放站点",
}
"""Chinese headers of the columns these scenarios add."""

MODELS_COLUMNS_EN: dict[str, str] = {
    "urban": "Urban",
    "county_seat": "County seat",
    "rural": "Rural",
    "sessions": "Daily sessions",
    "capacity_sessions": "Daily capacity (sessions)",
    "utilisation": "Utilisation",
    "station_cost_cny": "Station cost (CNY)",
    "environment": "Setting",
    "covers_before": "Sites covering before",
    "covers_after": "Sites covering after",
    "backup_possible": "Two sites can reach",
    "backed_up_before": "Covered twice before",
    "backed_up_after": "Covered twice after",
    "backup_marginal": "Firms whose second cover it is",
    "spacing_m": "Spacing to nearest pilot (m)",
    "assigned": "Given a station",
    "station": "The firm's station",
    "station_distance_m": "Distance to its station (m)",
    "routes": "Corridors through it",
    "flow_marginal": "Flow it alone enables",
    "origin": "From zone",
    "destination": "To zone",
    "flow": "Flow (relative)",
    "length_km": "Length (km)",
    "round_trip_km": "Round trip (km)",
    "path": "Route",
    "sites_on_route": "Sites along it",
    "refuellable": "Can be served",
    "refuelled_before": "Passable before",
    "refuelled_after": "Passable after",
    "stations": "Open stations along it",
}
"""English headers of the columns these scenarios add."""
