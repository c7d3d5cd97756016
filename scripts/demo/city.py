"""The demo city described: sectors, county seats, development zones and name parts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
INDUSTRIAL = {
    "steel_metallurgy",
    "new_materials",
    "clean_energy",
    "agri_food",
    "equipment_manufacturing",
    "chemicals",
}

# Per sector: median employees, lognormal sigma of employees, output per
# employee (10k CNY) and energy intensity (tce per 10k CNY of output).
SECTOR_SIZE = {
    "steel_metallurgy": (110, 1.35, 180.0, 1.10),
    "new_materials": (55, 1.15, 120.0, 0.45),
    "clean_energy": (25, 1.05, 280.0, 0.05),
    "agri_food": (30, 1.05, 80.0, 0.15),
    "culture_tourism": (15, 0.95, 25.0, 0.05),
    "equipment_manufacturing": (55, 1.15, 90.0, 0.08),
    "chemicals": (45, 1.15, 150.0, 0.70),
    "logistics": (20, 1.05, 40.0, 0.12),
    "services": (10, 0.95, 20.0, 0.02),
    "other": (15, 1.00, 40.0, 0.10),
}


def _weights(**w: float) -> np.ndarray:
    p = np.array([w.get(s, 0.0) for s in SECTORS])
    return p / p.sum()


SEAT_MIX = _weights(
    services=0.28,
    logistics=0.12,
    other=0.14,
    agri_food=0.12,
    culture_tourism=0.08,
    equipment_manufacturing=0.09,
    new_materials=0.06,
    steel_metallurgy=0.03,
    chemicals=0.03,
    clean_energy=0.05,
)
TOWN_MIX = _weights(
    agri_food=0.34,
    culture_tourism=0.10,
    other=0.18,
    services=0.10,
    logistics=0.06,
    new_materials=0.07,
    steel_metallurgy=0.05,
    clean_energy=0.05,
    chemicals=0.03,
    equipment_manufacturing=0.02,
)
RURAL_MIX = _weights(
    agri_food=0.34,
    clean_energy=0.15,
    culture_tourism=0.15,
    other=0.18,
    steel_metallurgy=0.06,
    new_materials=0.05,
    services=0.04,
    logistics=0.03,
)


@dataclass(frozen=True)
class _County:
    adcode: str
    short: str  # prefix used in firm and site names
    seat: tuple[float, float]  # lon, lat of the county seat (approximate)
    seat_name: str
    seat_firms: int
    seat_sigma_m: float
    urban_radius_m: float
    towns: int


@dataclass(frozen=True)
class _Zone:
    adcode: str
    name: str
    offset_m: tuple[float, float]  # zone centre relative to the county seat
    level: str
    green_park: bool
    firms: int
    mix: np.ndarray
    partial_gap: bool  # leave the far half of the zone without 5G


# County seats from public maps (approximate). The two city districts and
# Chaoyang county share the city of Chaoyang; the city's firms are drawn around
# one centre and take the district that contains them.
COUNTIES = (
    _County("211302", "双塔", (120.450, 41.572), "朝阳市区", 620, 2300.0, 5500.0, 1),
    _County("211303", "龙城", (120.400, 41.580), "龙城", 0, 0.0, 0.0, 1),
    _County("211321", "朝阳", (120.380, 41.500), "柳城", 80, 1000.0, 2000.0, 4),
    _County("211322", "建平", (119.640, 41.400), "叶柏寿", 190, 1300.0, 3000.0, 4),
    _County("211324", "喀左", (119.740, 41.130), "大城子", 170, 1200.0, 3000.0, 3),
    _County("211381", "北票", (120.770, 41.800), "北票", 190, 1300.0, 3000.0, 4),
    _County("211382", "凌源", (119.400, 41.250), "凌源", 210, 1300.0, 3000.0, 3),
)

ZONES = (
    _Zone(
        "211302",
        "朝阳经济技术开发区",
        (4500.0, -3800.0),
        "provincial",
        True,
        260,
        _weights(
            equipment_manufacturing=0.24,
            new_materials=0.20,
            steel_metallurgy=0.10,
            chemicals=0.08,
            logistics=0.10,
            agri_food=0.10,
            clean_energy=0.06,
            services=0.06,
            other=0.06,
        ),
        False,
    ),
    _Zone(
        "211303",
        "朝阳龙城经济开发区",
        (-6500.0, 2500.0),
        "provincial",
        False,
        200,
        _weights(
            equipment_manufacturing=0.20,
            new_materials=0.20,
            agri_food=0.15,
            logistics=0.15,
            chemicals=0.08,
            clean_energy=0.07,
            services=0.07,
            other=0.08,
        ),
        False,
    ),
    _Zone(
        "211321",
        "朝阳柳城经济开发区",
        (0.0, -4000.0),
        "provincial",
        False,
        150,
        _weights(
            agri_food=0.30,
            new_materials=0.15,
            chemicals=0.10,
            equipment_manufacturing=0.12,
            logistics=0.10,
            clean_energy=0.08,
            services=0.05,
            other=0.10,
        ),
        False,
    ),
    _Zone(
        "211322",
        "建平经济开发区",
        (3800.0, -3000.0),
        "provincial",
        False,
        170,
        _weights(
            clean_energy=0.30,
            agri_food=0.25,
            steel_metallurgy=0.10,
            new_materials=0.10,
            equipment_manufacturing=0.08,
            logistics=0.07,
            services=0.04,
            other=0.06,
        ),
        True,
    ),
    _Zone(
        "211324",
        "喀左经济开发区",
        (3500.0, -3500.0),
        "provincial",
        True,
        180,
        _weights(
            new_materials=0.35,
            clean_energy=0.22,
            culture_tourism=0.08,
            agri_food=0.10,
            equipment_manufacturing=0.08,
            chemicals=0.05,
            logistics=0.05,
            other=0.07,
        ),
        False,
    ),
    _Zone(
        "211381",
        "北票经济开发区",
        (4500.0, -2500.0),
        "provincial",
        False,
        170,
        _weights(
            agri_food=0.30,
            new_materials=0.25,
            equipment_manufacturing=0.10,
            steel_metallurgy=0.06,
            clean_energy=0.08,
            logistics=0.08,
            services=0.05,
            other=0.08,
        ),
        True,
    ),
    _Zone(
        "211382",
        "凌源经济开发区",
        (-4000.0, -3000.0),
        "provincial",
        False,
        230,
        _weights(
            steel_metallurgy=0.38,
            equipment_manufacturing=0.16,
            new_materials=0.10,
            chemicals=0.08,
            agri_food=0.10,
            logistics=0.08,
            services=0.04,
            other=0.06,
        ),
        False,
    ),
)

CITY_CENTRE_SHIFT_M = (-1500.0, 200.0)  # Chaoyang's built-up area straddles both districts
RURAL_FIRMS = 260
GAP_TOWNS = 6

_NAME_WORDS = (
    "鑫盛 宏达 金源 华泰 恒通 瑞丰 兴隆 永盛 嘉禾 天成 东方 北方 龙腾 凌云 佳和 万通 广源 "
    "德润 福源 昌盛 泰和 汇丰 隆基 聚力 润达 顺发 信达 正大 博远 中兴 远航 同创 富强 "
    "新宇 长兴 星辰 荣华 天元 大业 安泰 丰裕 益民 宏远 利民 华兴 金鼎 宝丰 旭日 鸿运 "
    "和谐 腾飞 红山 燕都 凤凰 大凌 牛河 青松 白石 紫霞 北塔"
)
_NAME_WORDS_LIST = tuple(_NAME_WORDS.split(" "))
_SECTOR_WORDS = {
    "steel_metallurgy": ("钢铁", "特钢", "冶金", "铸造", "矿业"),
    "new_materials": ("新材料", "陶瓷", "硅材料", "复合材料", "新型建材"),
    "clean_energy": ("新能源", "风电", "光伏", "能源科技", "氢能"),
    "agri_food": ("食品", "农业", "粮油", "牧业", "果业"),
    "culture_tourism": ("文化旅游", "旅游开发", "文化传媒", "紫砂工艺", "民俗文化"),
    "equipment_manufacturing": ("机械", "装备制造", "汽车零部件", "重工", "电气"),
    "chemicals": ("化工", "精细化工", "化学", "氟化工", "涂料"),
    "logistics": ("物流", "运输", "仓储", "供应链", "快运"),
    "services": ("商贸", "科技", "信息技术", "酒店管理", "咨询服务"),
    "other": ("实业", "建材", "服装", "印刷", "包装"),
}
_SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司")
_SUFFIX_P = (0.62, 0.25, 0.08, 0.05)
_TOWN_HEAD = tuple("东西南北大小上下新老三四五六七八")
_TOWN_TAIL = (
    "营子",
    "家店",
    "官营",
    "杖子",
    "台子",
    "道沟",
    "城子",
    "家屯",
    "岭",
    "河口",
    "甸子",
    "平房",
)
_STREETS = (
    "新华路",
    "友谊大街",
    "朝阳大街",
    "文化路",
    "黄河路",
    "长江路",
    "燕都大街",
    "凌河街",
    "北京路",
    "珠江路",
    "中山大街",
    "育英街",
    "龙山街",
    "站前路",
    "工业街",
    "建设路",
)
_CHARGE_OPERATORS = ("国网辽宁电力", "特来电", "星星充电", "云快充", "小桔充电")
