"""Strings of the kinds of infrastructure beyond 5G and charging (merged into ``i18n.STRINGS``)."""

from geodata.infrastructure import INFRASTRUCTURE_KINDS

KINDS_STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        **{f"infra_{k.code}": k.site_zh for k in INFRASTRUCTURE_KINDS.values()},
        "infra_5g": "5G 基站",
        "demand_h2_fleet": "氢燃料车辆",
        "kind_access_points": "光网接入点",
        "kind_hydrogen_stations": "加氢站",
        "detour_note": "光缆长度按直线距离×{factor}估算(未用路网);有路网时可选沿道路计算。",
        "detour_factor": "绕行系数",
        "detour_help": "直线距离乘以此系数作为光缆或行车距离(光缆沿街道敷设)。",
        "site_capacity": "新建站点容量({unit})",
        "site_capacity_help": "每个新建站点的容量;0 表示使用候选站址自身容量,"
        "否则用默认值 {default}。",
        "h2_assumed": "企业图层没有氢燃料车辆数:"
        "按钢铁、化工、物流、清洁能源企业新能源车辆的 {share} 估算。",
        "capacity_served": "满足的需求({unit})",
        "capacity_sites": "新建站点",
        "metric_kind": "{kind}覆盖企业",
        "metric_kind_help": "{distance} {reach} 内有在用站点的企业占比。",
        "unit_ports": "端口",
        "unit_kg/day": "公斤/日",
        "unit_sessions/day": "次/日",
        "uncovered_broadband": "光网未覆盖",
        "uncovered_hydrogen": "加氢站过远",
        "firm_nearest_kind": "最近的{kind}",
        "firm_within_reach": "在服务距离内",
        "firm_kind_distance": "{name}, {distance} 米({measure})",
        "firm_out_of_reach": "超出服务距离",
        "obj_capacitated_broadband": "给定光交箱数,接入最多企业(含端口容量)",
        "obj_single_source_broadband": "每家企业接入一个光交箱(含端口容量)",
        "obj_capacitated_hydrogen": "给定站点数,满足最多加氢需求(含日加注能力)",
        "obj_single_source_hydrogen": "每家企业对应一个加氢站(含日加注能力)",
        "help_obj_capacitated_broadband": "选 N 个光交箱,在光缆距离内接入最多企业;"
        "每家企业占一个端口,现有接入点只用空闲端口。",
        "help_obj_single_source_broadband": "每家企业接入恰好一个光交箱:恰好新建 N 个,"
        "端口不超容量,光缆总长最短。",
        "help_obj_capacitated_hydrogen": "选 N 个加氢站,满足最多的氢燃料货车日加氢量(公斤);"
        "现有站按其日加注能力。",
        "help_obj_single_source_hydrogen": "每家企业的货车只去一个加氢站:恰好新建 N 个站,"
        "日加注量不超能力,加权距离最短。",
    },
    "en": {
        **{f"infra_{k.code}": k.site_en for k in INFRASTRUCTURE_KINDS.values()},
        "demand_h2_fleet": "Hydrogen trucks",
        "kind_access_points": "Fibre access points",
        "kind_hydrogen_stations": "Hydrogen stations",
        "detour_note": "Cable length is the straight line x {factor} (no road network used); "
        "with roads, choose along roads.",
        "detour_factor": "Detour factor",
        "detour_help": "Straight-line distance times this factor is taken as the cable or drive "
        "length (a cable follows streets).",
        "site_capacity": "Capacity of a new site ({unit})",
        "site_capacity_help": "Capacity of every new site; 0 uses the candidate's own capacity, "
        "else the default {default}.",
        "h2_assumed": "The enterprises layer has no hydrogen trucks: {share} of the EV fleet of "
        "steel, chemicals, logistics and clean-energy firms is assumed.",
        "capacity_served": "Demand served ({unit})",
        "capacity_sites": "New sites",
        "metric_kind": "Firms served by {kind}",
        "metric_kind_help": "Share of firms within {reach} ({distance}) of a site in operation.",
        "unit_ports": "ports",
        "unit_kg/day": "kg/day",
        "unit_sessions/day": "sessions/day",
        "uncovered_broadband": "No fibre access point",
        "uncovered_hydrogen": "Far from hydrogen",
        "firm_nearest_kind": "Nearest {kind}",
        "firm_within_reach": "within the service distance",
        "firm_kind_distance": "{name}, {distance} m ({measure})",
        "firm_out_of_reach": "beyond the service distance",
        "obj_capacitated_broadband": "Connect the most firms with N cabinets (port capacity)",
        "obj_single_source_broadband": "One cabinet per firm (port capacity)",
        "obj_capacitated_hydrogen": "Serve the most hydrogen demand with N stations (kg/day)",
        "obj_single_source_hydrogen": "One hydrogen station per firm (kg/day)",
        "help_obj_capacitated_broadband": "Pick N fibre cabinets connecting the most firms within "
        "cable reach; a firm takes one port, existing points only their free ports.",
        "help_obj_single_source_broadband": "Each firm connects to exactly one cabinet: build "
        "exactly N, ports within capacity, least total cable.",
        "help_obj_capacitated_hydrogen": "Pick N refuelling stations serving the most daily "
        "hydrogen (kg) of the firms' trucks; existing stations at their daily capacity.",
        "help_obj_single_source_hydrogen": "Each firm's trucks refuel at one station: build "
        "exactly N, daily kg within capacity, least weighted distance.",
    },
}


def _kind_columns(language: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for k in INFRASTRUCTURE_KINDS.values():
        if k.code in ("5g", "charging"):
            continue
        name = k.label(language)
        if language == "zh":
            out.update(
                {
                    f"firms_{k.code}": f"{name}可达企业数",
                    f"share_firms_{k.code}": f"{name}可达企业占比",
                    f"employees_{k.code}": f"{name}可达从业人数",
                    f"share_employees_{k.code}": f"{name}可达从业人员占比",
                    f"{k.code}_distance_m": f"距最近{k.site_zh}(米)",
                    f"nearest_{k.code}": f"最近{k.site_zh}",
                    f"near_{k.code}": f"{name}可达",
                }
            )
        else:
            out.update(
                {
                    f"firms_{k.code}": f"Firms near {name.lower()}",
                    f"share_firms_{k.code}": f"Share of firms near {name.lower()}",
                    f"employees_{k.code}": f"Employees near {name.lower()}",
                    f"share_employees_{k.code}": f"Share of employees near {name.lower()}",
                    f"{k.code}_distance_m": f"Distance to nearest {k.site_en.lower()} (m)",
                    f"nearest_{k.code}": f"Nearest {k.site_en.lower()}",
                    f"near_{k.code}": f"Near {name.lower()}",
                }
            )
    return out


KINDS_COLUMNS_ZH: dict[str, str] = {
    **_kind_columns("zh"),
    "ports": "端口数",
    "ports_used": "已用端口数",
    "capacity_kg_per_day": "日加注能力(公斤)",
    "pressure_bar": "加注压力(bar)",
    "point_type": "接入点类型",
    "h2_fleet": "氢燃料车辆数",
}
"""Chinese headers of the newer kinds' statistics and layer columns."""

KINDS_COLUMNS_EN: dict[str, str] = {
    **_kind_columns("en"),
    "ports": "Ports",
    "ports_used": "Ports used",
    "capacity_kg_per_day": "Capacity (kg/day)",
    "pressure_bar": "Pressure (bar)",
    "point_type": "Type",
    "h2_fleet": "Hydrogen trucks",
}
"""English headers of the newer kinds' statistics and layer columns."""
