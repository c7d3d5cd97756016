"""Write the synthetic central-Chengdu inputs of ``03_bring_your_own_data.ipynb``.

Everything written here is **synthetic** (seeded, invented names): an
enterprise list, candidate parking lots for charging stations and a few
existing public charging stations, laid out along the real roads of
``chengdu-roads.osm`` (© OpenStreetMap contributors, ODbL 1.0). Coordinates
are written in GCJ-02, the way an AMap geocoding export gives them, with
Chinese headers; the enterprise list is GBK-encoded, like a file saved from
Excel on a Chinese Windows machine.

With InfraSite installed, run ``python notebooks/data/make_chengdu_firms.py``
from anywhere. The same seed writes the same files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geodata.crs import wgs84_to_gcj02
from geodata.osm import roads_from_osm

SEED = 510100
HERE = Path(__file__).resolve().parent
ROADS = HERE / "chengdu-roads.osm"
FIRMS_CSV = HERE / "chengdu_firms_synthetic_gcj02.csv"
PARKING_CSV = HERE / "chengdu_parking_candidates_synthetic_gcj02.csv"
STATIONS_CSV = HERE / "chengdu_charging_stations_synthetic_gcj02.csv"

N_FIRMS = 1500
N_PARKING = 60
N_STATIONS = 8
SQUARE = (104.0657, 30.6574)  # Tianfu Square (WGS84), the centre of the city
CLUSTERS = (  # (lon, lat, spread in m, share of firms): business districts, invented weights
    (104.0657, 30.6574, 900, 0.30),
    (104.0800, 30.6400, 700, 0.15),
    (104.0450, 30.6900, 800, 0.15),
    (104.1050, 30.6750, 900, 0.12),
    (104.0650, 30.7200, 900, 0.10),
)
SECTORS = ("物流", "装备制造", "服务业", "新材料", "农产品加工", "其他")
SECTOR_SHARES = (0.18, 0.12, 0.40, 0.08, 0.07, 0.15)
NAME_PARTS = (
    ("锦", "蓉", "天府", "青城", "川西", "芙蓉", "金沙", "望江", "浣花", "少城"),
    ("鑫", "华", "达", "盛", "诚", "泰", "新", "创", "远", "恒"),
    ("物流", "科技", "机械", "贸易", "材料", "食品", "商务", "电子", "建设", "设备"),
)
M_PER_DEG_LAT = 111_320.0


def _district(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return an approximate district name by direction from Tianfu Square (synthetic)."""
    dx, dy = lon - SQUARE[0], lat - SQUARE[1]
    near = np.hypot(dx, dy) < 0.012
    out = np.where(
        dy >= 0,
        np.where(dx >= 0, "成华区", "金牛区"),
        np.where(dx >= 0, "锦江区", "武侯区"),
    ).astype(object)
    out[near] = "青羊区"
    return out


def _road_points(graph: Any) -> np.ndarray:
    """Return the (lon, lat) of every road node."""
    return np.array([(d["x"], d["y"]) for _, d in graph.nodes(data=True)])


def _jitter(rng: np.random.Generator, xy: np.ndarray, metres: float) -> np.ndarray:
    """Move points by up to about ``metres`` in a random direction."""
    lat = np.radians(xy[:, 1])
    offset = rng.normal(0.0, metres / 2.0, size=xy.shape)
    offset[:, 0] /= M_PER_DEG_LAT * np.cos(lat)
    offset[:, 1] /= M_PER_DEG_LAT
    return xy + offset


def _near_clusters(rng: np.random.Generator, roads: np.ndarray, n: int) -> np.ndarray:
    """Pick road nodes, most near a business district, some anywhere."""
    weights = np.full(len(roads), 0.15 / len(roads))
    for lon, lat, spread, share in CLUSTERS:
        dx = (roads[:, 0] - lon) * M_PER_DEG_LAT * np.cos(np.radians(lat))
        dy = (roads[:, 1] - lat) * M_PER_DEG_LAT
        kernel = np.exp(-0.5 * (dx**2 + dy**2) / spread**2)
        weights += share * kernel / kernel.sum()
    return roads[rng.choice(len(roads), size=n, p=weights / weights.sum())]


def _gcj02(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
    return np.round(lon, 6), np.round(lat, 6)


def make_firms(rng: np.random.Generator, roads: np.ndarray) -> pd.DataFrame:
    """Return the synthetic enterprise table (Chinese headers, GCJ-02)."""
    xy = _jitter(rng, _near_clusters(rng, roads, N_FIRMS), 120.0)
    lon, lat = _gcj02(xy)
    employees = np.maximum(3, rng.lognormal(3.2, 1.1, N_FIRMS)).astype(int)
    sector = rng.choice(SECTORS, size=N_FIRMS, p=SECTOR_SHARES)
    ev_rate = np.where(sector == "物流", 0.25, 0.04)
    ev_fleet = rng.binomial(employees, ev_rate)
    names = [
        "成都" + "".join(rng.choice(part) for part in NAME_PARTS) + "有限公司"
        for _ in range(N_FIRMS)
    ]
    return pd.DataFrame(
        {
            "编号": [f"CD{i:05d}" for i in range(1, N_FIRMS + 1)],
            "企业名称": names,
            "区县": _district(xy[:, 0], xy[:, 1]),
            "行业": sector,
            "从业人数": employees,
            "新能源车辆数": ev_fleet,
            "经度": lon,
            "纬度": lat,
        }
    )


def make_parking(rng: np.random.Generator, roads: np.ndarray) -> pd.DataFrame:
    """Return synthetic candidate parking lots for charging stations."""
    picks = roads[rng.choice(len(roads), size=N_PARKING, replace=False)]
    xy = _jitter(rng, picks, 40.0)
    lon, lat = _gcj02(xy)
    piles = rng.integers(4, 17, N_PARKING)
    return pd.DataFrame(
        {
            "编号": [f"P{i:03d}" for i in range(1, N_PARKING + 1)],
            "名称": [f"停车场候选点{i}号" for i in range(1, N_PARKING + 1)],
            "设施类型": "充电站",
            "造价": (piles * rng.uniform(60_000, 90_000, N_PARKING)).round(-3),
            "服务能力": piles * 12,
            "站址来源": "停车场",
            "区县": _district(xy[:, 0], xy[:, 1]),
            "经度": lon,
            "纬度": lat,
        }
    )


def make_stations(rng: np.random.Generator, roads: np.ndarray) -> pd.DataFrame:
    """Return a few synthetic existing public charging stations."""
    xy = _jitter(rng, _near_clusters(rng, roads, N_STATIONS), 40.0)
    lon, lat = _gcj02(xy)
    return pd.DataFrame(
        {
            "编号": [f"S{i:02d}" for i in range(1, N_STATIONS + 1)],
            "名称": [f"公共充电站{i}号" for i in range(1, N_STATIONS + 1)],
            "桩数": rng.integers(6, 25, N_STATIONS),
            "功率": rng.choice([60.0, 120.0], N_STATIONS),
            "开放类型": "公共",
            "经度": lon,
            "纬度": lat,
        }
    )


def main() -> None:
    """Write the three CSV files next to this script."""
    rng = np.random.default_rng(SEED)
    roads = _road_points(roads_from_osm(ROADS))
    make_firms(rng, roads).to_csv(FIRMS_CSV, index=False, encoding="gbk")
    make_parking(rng, roads).to_csv(PARKING_CSV, index=False, encoding="utf-8")
    make_stations(rng, roads).to_csv(STATIONS_CSV, index=False, encoding="utf-8")
    for path in (FIRMS_CSV, PARKING_CSV, STATIONS_CSV):
        print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
