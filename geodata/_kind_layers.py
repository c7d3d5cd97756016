"""Layers of existing sites of the newer kinds: broadband access points, hydrogen stations."""

from __future__ import annotations

from ._fields import _COUNTY, _ID, _NAME, Field, LayerKind

OPERATORS = ("China Mobile", "China Unicom", "China Telecom", "China Broadnet")
UNKNOWN = "unknown"
"""Operator or band of an imported mast whose tags do not say (e.g. from OpenStreetMap)."""
SITE_STATUS = ("operational", "under_construction", "planned")
ACCESS_POINT_TYPES = ("olt", "cabinet", "other")
"""An OLT site (the operator's exchange end) or a fibre distribution cabinet (光交箱)."""
ACCESS_POINT_TYPE_LABELS_ZH = {"olt": "OLT机房", "cabinet": "光交箱", "other": "其他"}

ACCESS_POINTS = LayerKind(
    "access_points",
    "Point",
    "Gigabit broadband access points: OLT sites and fibre distribution cabinets.",
    label_zh="光网接入点",
    fields=(
        _ID,
        _NAME,
        Field(
            "point_type",
            "category",
            description="OLT site or fibre distribution cabinet",
            allowed=ACCESS_POINT_TYPES,
            default="cabinet",
            aliases=("类型", "设备类型", "接入点类型", "type"),
            label_zh="接入点类型",
        ),
        Field(
            "ports",
            "int",
            required=True,
            description="Fibre ports (connections) the point can serve",
            unit="ports",
            minimum=1,
            maximum=100_000,
            aliases=("端口数", "端口容量", "总端口", "capacity"),
            label_zh="端口数",
        ),
        Field(
            "ports_used",
            "int",
            description="Ports already in use",
            unit="ports",
            minimum=0,
            maximum=100_000,
            default=0,
            aliases=("已用端口", "已占用端口", "used"),
            label_zh="已用端口数",
        ),
        Field(
            "operator",
            "category",
            description="Network operator",
            allowed=(*OPERATORS, UNKNOWN),
            default=UNKNOWN,
            aliases=("运营商",),
            label_zh="运营商",
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
        _COUNTY,
    ),
)

HYDROGEN_STATIONS = LayerKind(
    "hydrogen_stations",
    "Point",
    "Hydrogen refuelling stations.",
    label_zh="加氢站",
    fields=(
        _ID,
        _NAME,
        Field(
            "capacity_kg_per_day",
            "float",
            required=True,
            description="Hydrogen the station can dispense a day",
            unit="kg/day",
            minimum=1,
            maximum=100_000,
            aliases=("日加注能力", "加注能力", "日供氢能力", "capacity"),
            label_zh="日加注能力(公斤)",
        ),
        Field(
            "pressure_bar",
            "float",
            description="Dispensing pressure (350 bar trucks, 700 bar cars)",
            unit="bar",
            minimum=1,
            maximum=1_000,
            default=350.0,
            aliases=("加注压力", "压力"),
            label_zh="加注压力(bar)",
        ),
        Field(
            "operator",
            "str",
            description="Station operator",
            aliases=("运营商", "运营单位"),
            label_zh="运营单位",
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
)
