"""The layer model: the layer kinds InfraSite speaks and their columns.

Every layer is a GeoDataFrame in EPSG:4326 whose columns follow one of the
schemas below. :data:`LAYER_KINDS` is the single source of truth used by the
reader, the validator, the templates and the documentation table in
``docs/data.md``.
"""

from __future__ import annotations

from ._fields import _COUNTY, _ID, _NAME, Field, FieldType, GeometryKind, LayerKind
from ._kind_layers import (
    ACCESS_POINT_TYPE_LABELS_ZH,
    ACCESS_POINT_TYPES,
    ACCESS_POINTS,
    HYDROGEN_STATIONS,
    OPERATORS,
    SITE_STATUS,
    UNKNOWN,
)
from .infrastructure import INFRASTRUCTURE, INFRASTRUCTURE_LABELS_ZH

__all__ = [
    "ACCESS_POINT_TYPES",
    "ACCESS_POINT_TYPE_LABELS_ZH",
    "INFRASTRUCTURE",
    "INFRASTRUCTURE_LABELS_ZH",
    "KINDS",
    "LAYER_KINDS",
    "Field",
    "FieldType",
    "GeometryKind",
    "LayerKind",
    "layer_kind",
]

SECTORS = (
    "steel_metallurgy",
    "new_materials",
    "clean_energy",
    "agri_food",
    "culture_tourism",
    "equipment_manufacturing",
    "chemicals",
    "logistics",
    "services",
    "other",
)
"""Enterprise sectors: the city's five industrial bases first, then others."""

SECTOR_LABELS_ZH = {
    "steel_metallurgy": "钢铁冶金",
    "new_materials": "新材料",
    "clean_energy": "清洁能源",
    "agri_food": "农产品加工",
    "culture_tourism": "文化旅游",
    "equipment_manufacturing": "装备制造",
    "chemicals": "化工",
    "logistics": "物流",
    "services": "服务业",
    "other": "其他",
}

DIGITAL_STATUS = ("none", "planned", "in_progress", "completed")
DIGITAL_STATUS_LABELS_ZH = {
    "none": "未开展",
    "planned": "计划中",
    "in_progress": "实施中",
    "completed": "已完成",
}
GREEN_LEVELS = ("none", "municipal", "provincial", "national")
OPERATOR_LABELS_ZH = {
    "China Mobile": "中国移动",
    "China Unicom": "中国联通",
    "China Telecom": "中国电信",
    "China Broadnet": "中国广电",
    "unknown": "未知",
}
BANDS = ("700MHz", "2.6GHz", "3.5GHz", "4.9GHz")
ACCESS = ("public", "private")
CANDIDATE_SOURCES = ("tower", "rooftop", "parking_lot", "roadside", "other")
CANDIDATE_SOURCE_LABELS_ZH = {
    "tower": "铁塔站址",
    "rooftop": "园区楼顶",
    "parking_lot": "停车场",
    "roadside": "路侧",
    "other": "其他",
}
PARK_LEVELS = ("national", "provincial", "municipal")
PARK_LEVEL_LABELS_ZH = {"national": "国家级", "provincial": "省级", "municipal": "市级"}
GREEN_LEVEL_LABELS_ZH = {
    "none": "无",
    "municipal": "市级",
    "provincial": "省级",
    "national": "国家级",
}
SITE_STATUS_LABELS_ZH = {"operational": "运行中", "under_construction": "在建", "planned": "规划"}
ACCESS_LABELS_ZH = {"public": "公共", "private": "专用"}

CATEGORY_LABELS_ZH: dict[str, dict[str, str]] = {
    "sector": SECTOR_LABELS_ZH,
    "digital_status": DIGITAL_STATUS_LABELS_ZH,
    "green_level": GREEN_LEVEL_LABELS_ZH,
    "operator": OPERATOR_LABELS_ZH,
    "status": SITE_STATUS_LABELS_ZH,
    "access": ACCESS_LABELS_ZH,
    "infrastructure": INFRASTRUCTURE_LABELS_ZH,
    "source": CANDIDATE_SOURCE_LABELS_ZH,
    "level": PARK_LEVEL_LABELS_ZH,
    "point_type": ACCESS_POINT_TYPE_LABELS_ZH,
}
"""Chinese labels of category values, keyed by field name (readers accept them)."""

LAYER_KINDS: dict[str, LayerKind] = {
    "enterprises": LayerKind(
        "enterprises",
        "Point",
        "Enterprises: the demand the infrastructure should serve.",
        label_zh="企业",
        fields=(
            _ID,
            Field(
                "name",
                "str",
                required=True,
                description="Enterprise name",
                aliases=("名称", "企业名称", "单位名称", "company", "企業名稱", "名稱"),
                label_zh="企业名称",
            ),
            _COUNTY,
            Field(
                "park",
                "str",
                description="Development zone the firm is in (empty if outside any zone)",
                aliases=("园区", "所在园区", "开发区", "zone"),
                label_zh="所在园区",
            ),
            Field(
                "sector",
                "category",
                description="Industrial sector",
                allowed=SECTORS,
                default="other",
                aliases=("行业", "产业", "所属行业", "industry"),
                label_zh="行业",
            ),
            Field(
                "employees",
                "int",
                description="Number of employees",
                unit="persons",
                minimum=0,
                maximum=1_000_000,
                default=0,
                aliases=("员工数", "职工人数", "从业人员", "人数", "staff"),
                label_zh="从业人数",
            ),
            Field(
                "output_value",
                "float",
                description="Annual industrial output value",
                unit="10k CNY (万元)",
                minimum=0,
                default=0.0,
                aliases=("产值", "工业总产值", "年产值", "output"),
                label_zh="年产值(万元)",
            ),
            Field(
                "energy_use",
                "float",
                description="Annual energy use",
                unit="tce (吨标准煤)",
                minimum=0,
                default=0.0,
                aliases=("能耗", "综合能耗", "energy"),
                label_zh="综合能耗(吨标煤)",
            ),
            Field(
                "digital_status",
                "category",
                description="Digital-transformation status",
                allowed=DIGITAL_STATUS,
                default="none",
                aliases=("数字化转型", "数字化状态", "转型状态"),
                label_zh="数字化转型状态",
            ),
            Field(
                "on_transform_list",
                "bool",
                description="On this year's city digital-transformation list",
                default=False,
                aliases=("转型名单", "列入名单"),
                label_zh="列入年度转型名单",
            ),
            Field(
                "green_level",
                "category",
                description="Green-factory recognition level",
                allowed=GREEN_LEVELS,
                default="none",
                aliases=("绿色工厂", "绿色工厂等级"),
                label_zh="绿色工厂等级",
            ),
            Field(
                "ev_fleet",
                "int",
                description="Electric vehicles in the firm's fleet (cars and trucks)",
                unit="vehicles",
                minimum=0,
                maximum=100_000,
                default=0,
                aliases=("电动车辆", "新能源车辆数", "ev"),
                label_zh="新能源车辆数",
            ),
            Field(
                "h2_fleet",
                "int",
                description=(
                    "Hydrogen fuel-cell trucks in the firm's fleet (when 0 for every firm, a "
                    "share of ev_fleet is assumed; see docs/data.md)"
                ),
                unit="vehicles",
                minimum=0,
                maximum=100_000,
                default=0,
                aliases=("氢能车辆", "氢燃料车辆数", "燃料电池车辆数", "h2"),
                label_zh="氢燃料车辆数",
            ),
        ),
    ),
    "parks": LayerKind(
        "parks",
        "Polygon",
        "Development zones (industrial parks).",
        label_zh="开发区",
        fields=(
            _ID,
            Field(
                "name",
                "str",
                required=True,
                description="Zone name",
                aliases=("名称", "园区名称", "开发区名称"),
                label_zh="园区名称",
            ),
            _COUNTY,
            Field(
                "level",
                "category",
                description="Approval level",
                allowed=PARK_LEVELS,
                default="provincial",
                aliases=("级别", "等级"),
                label_zh="级别",
            ),
            Field(
                "green_park",
                "bool",
                description="Recognised as a green park",
                default=False,
                aliases=("绿色园区",),
                label_zh="绿色园区",
            ),
            Field(
                "approximate",
                "bool",
                description="Outline is an approximation, not a surveyed boundary",
                default=False,
                aliases=("近似位置",),
                label_zh="近似位置",
            ),
        ),
    ),
    "base_stations": LayerKind(
        "base_stations",
        "Point",
        "5G base stations (existing or planned).",
        label_zh="5G基站",
        fields=(
            _ID,
            _NAME,
            Field(
                "operator",
                "category",
                required=True,
                description="Network operator",
                allowed=(*OPERATORS, UNKNOWN),
                aliases=("运营商", "operator_name"),
                label_zh="运营商",
            ),
            Field(
                "band",
                "category",
                required=True,
                description="Frequency band",
                allowed=(*BANDS, UNKNOWN),
                aliases=("频段", "frequency"),
                label_zh="频段",
            ),
            Field(
                "height_m",
                "float",
                description="Antenna height",
                unit="m",
                minimum=0,
                maximum=500,
                default=30.0,
                aliases=("高度", "天线高度", "height"),
                label_zh="天线高度(米)",
            ),
            Field(
                "radius_m",
                "float",
                required=True,
                description="Planning coverage radius",
                unit="m",
                minimum=1,
                maximum=50_000,
                aliases=("覆盖半径", "半径", "radius"),
                label_zh="覆盖半径(米)",
            ),
            Field(
                "status",
                "category",
                description="Construction status",
                allowed=SITE_STATUS,
                default="operational",
                aliases=("状态", "建设状态"),
                label_zh="状态",
            ),
        ),
    ),
    "charging_stations": LayerKind(
        "charging_stations",
        "Point",
        "EV charging stations.",
        label_zh="充电站",
        fields=(
            _ID,
            _NAME,
            Field(
                "piles",
                "int",
                required=True,
                description="Number of charging piles (connectors usable at once)",
                unit="piles",
                minimum=1,
                maximum=10_000,
                aliases=("桩数", "充电桩数", "充电桩数量", "capacity"),
                label_zh="充电桩数",
            ),
            Field(
                "power_kw",
                "float",
                description="Power per pile",
                unit="kW",
                minimum=1,
                maximum=1_000,
                default=60.0,
                aliases=("功率", "单桩功率", "power"),
                label_zh="单桩功率(kW)",
            ),
            Field(
                "access",
                "category",
                description="Who may charge there",
                allowed=ACCESS,
                default="public",
                aliases=("开放类型", "公共/专用"),
                label_zh="开放类型",
            ),
            Field(
                "operator",
                "str",
                description="Station operator",
                aliases=("运营商", "运营单位"),
                label_zh="运营单位",
            ),
        ),
    ),
    "candidate_sites": LayerKind(
        "candidate_sites",
        "Point",
        "Places where new infrastructure could be built.",
        label_zh="候选站址",
        fields=(
            _ID,
            _NAME,
            Field(
                "infrastructure",
                "category",
                required=True,
                description="What could be built there",
                allowed=INFRASTRUCTURE,
                aliases=("设施类型", "类型", "type"),
                label_zh="设施类型",
            ),
            Field(
                "cost_cny",
                "float",
                required=True,
                description="Estimated cost to build",
                unit="CNY",
                minimum=0,
                aliases=("造价", "成本", "投资", "投资额", "cost"),
                label_zh="造价(元)",
            ),
            Field(
                "capacity",
                "float",
                description=(
                    "Capacity of the new site in its kind's unit (charging: sessions per day; "
                    "broadband: ports; hydrogen: kg per day; 5G: optional); 0 uses the default"
                ),
                unit="per kind",
                minimum=0,
                default=0.0,
                aliases=("容量", "服务能力"),
                label_zh="服务能力",
            ),
            Field(
                "source",
                "category",
                description="Kind of site",
                allowed=CANDIDATE_SOURCES,
                default="other",
                aliases=("来源", "站址来源", "站址类型"),
                label_zh="站址来源",
            ),
            _COUNTY,
        ),
    ),
    "admin_areas": LayerKind(
        "admin_areas",
        "Polygon",
        "County-level administrative units.",
        label_zh="行政区",
        fields=(
            Field(
                "id",
                "str",
                required=True,
                description="Administrative code (adcode)",
                aliases=("adcode", "行政区划代码", "代码", "编号", "district_adcode"),
                label_zh="行政区划代码",
            ),
            Field(
                "name",
                "str",
                required=True,
                description="Name",
                aliases=("名称", "行政区名称", "district_name"),
                label_zh="名称",
            ),
            Field(
                "short_name",
                "str",
                description="Short name used in tables",
                aliases=("简称",),
                label_zh="简称",
            ),
        ),
    ),
    "access_points": ACCESS_POINTS,
    "hydrogen_stations": HYDROGEN_STATIONS,
}
"""The layer kinds, by name."""

KINDS: tuple[str, ...] = tuple(LAYER_KINDS)
"""Names of the layer kinds, in display order."""


def layer_kind(kind: str) -> LayerKind:
    """Return the :class:`LayerKind` called ``kind``.

    Raises
    ------
    ValueError
        If ``kind`` is not one of :data:`KINDS`.
    """
    try:
        return LAYER_KINDS[kind]
    except KeyError:
        msg = f"kind must be one of {', '.join(KINDS)}; got {kind!r}"
        raise ValueError(msg) from None
