"""Write the planner-style input files in tests/data/layers/ (seeded, synthetic).

Run from the repository root: ``python tests/data/make_test_files.py``.
The outputs are committed; the tests read them, they never run this script.
"""

from __future__ import annotations

import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from geodata.crs import wgs84_to_gcj02  # noqa: E402
from geodata.schema import SECTOR_LABELS_ZH, SECTORS  # noqa: E402

OUT = Path(__file__).resolve().parent / "layers"
SEED = 20261126
COUNTIES = ["双塔区", "龙城区", "朝阳县", "建平县", "喀左县", "北票市", "凌源市"]
SEATS = [
    (120.45, 41.57),
    (120.41, 41.60),
    (120.39, 41.49),
    (119.64, 41.40),
    (119.74, 41.13),
    (120.77, 41.80),
    (119.40, 41.25),
]


def firms(rng: np.random.Generator, n: int = 30) -> pd.DataFrame:
    county = rng.integers(0, len(COUNTIES), n)
    lon = np.array([SEATS[c][0] for c in county]) + rng.normal(0, 0.03, n)
    lat = np.array([SEATS[c][1] for c in county]) + rng.normal(0, 0.03, n)
    sector = rng.choice(np.array(SECTORS[:6]), n)
    return pd.DataFrame(
        {
            "id": [f"QY{i:04d}" for i in range(1, n + 1)],
            "name": [f"朝阳{COUNTIES[c][:2]}第{i}实业有限公司" for i, c in enumerate(county, 1)],
            "county": [COUNTIES[c] for c in county],
            "sector": sector,
            "employees": np.round(rng.lognormal(3.5, 1.0, n)).astype(int),
            "output_value": np.round(rng.lognormal(7, 1.2, n), 1),
            "digital_status": rng.choice(["未开展", "计划中", "实施中", "已完成"], n),
            "on_list": rng.choice(["是", "否"], n),
            "lon": np.round(lon, 6),
            "lat": np.round(lat, 6),
        }
    )


def write_gbk_csv(df: pd.DataFrame) -> None:
    zh = pd.DataFrame(
        {
            "编号": df["id"],
            "企业名称": df["name"],
            "所属区县": df["county"],
            "行业": [SECTOR_LABELS_ZH[s] for s in df["sector"]],
            "从业人员": df["employees"],
            "年产值（万元）": df["output_value"],
            "数字化转型状态": df["digital_status"],
            "列入年度转型名单": df["on_list"],
            "联系人": ["张先生" if i % 2 else "李女士" for i in range(len(df))],
            "经度": df["lon"],
            "纬度": df["lat"],
        }
    )
    (OUT / "firms_gbk.csv").write_bytes(zh.to_csv(index=False).encode("gbk"))


def write_bom_csv(df: pd.DataFrame) -> None:
    glon, glat = wgs84_to_gcj02(df["lon"].to_numpy(), df["lat"].to_numpy())
    spelled = [s.replace("_", " ").title() for s in df["sector"]]
    en = pd.DataFrame(
        {
            "ID": df["id"],
            "Company": df["name"],
            "District": df["county"],
            "Industry": spelled,
            "Staff": df["employees"],
            "lng": np.round(glon, 9),
            "Latitude": np.round(glat, 9),
        }
    )
    (OUT / "firms_gcj02_utf8_bom.csv").write_bytes(en.to_csv(index=False).encode("utf-8-sig"))


def stations(rng: np.random.Generator, n: int = 12) -> gpd.GeoDataFrame:
    seat = rng.integers(0, len(SEATS), n)
    lon = np.array([SEATS[s][0] for s in seat]) + rng.normal(0, 0.02, n)
    lat = np.array([SEATS[s][1] for s in seat]) + rng.normal(0, 0.02, n)
    return gpd.GeoDataFrame(
        {
            "编号": [f"JZ{i:03d}" for i in range(1, n + 1)],
            "名称": [f"{COUNTIES[s]}基站{i}" for i, s in enumerate(seat, 1)],
            "运营商": rng.choice(["中国移动", "中国联通", "中国电信", "中国广电"], n),
            "频段": rng.choice(["2.6GHz", "3.5 GHz", "4.9ghz", "700MHz"], n),
            "覆盖半径": rng.choice([300.0, 500.0, 800.0], n),
        },
        geometry=gpd.points_from_xy(np.round(lon, 6), np.round(lat, 6)),
        crs="EPSG:4326",
    )


def charging(rng: np.random.Generator, n: int = 8) -> gpd.GeoDataFrame:
    seat = rng.integers(0, len(SEATS), n)
    lon = np.array([SEATS[s][0] for s in seat]) + rng.normal(0, 0.02, n)
    lat = np.array([SEATS[s][1] for s in seat]) + rng.normal(0, 0.02, n)
    return gpd.GeoDataFrame(
        {
            "id": [f"CD{i:03d}" for i in range(1, n + 1)],
            "name": [f"{COUNTIES[s]}充电站{i}" for i, s in enumerate(seat, 1)],
            "piles": rng.integers(2, 20, n),
            "power_kw": rng.choice([7.0, 60.0, 120.0], n),
            "access": rng.choice(["public", "Private", "公共"], n),
        },
        geometry=gpd.points_from_xy(np.round(lon, 6), np.round(lat, 6)),
        crs="EPSG:4326",
    )


def write_xlsx(base: gpd.GeoDataFrame, charge: gpd.GeoDataFrame) -> None:
    sheet1 = pd.DataFrame(base.drop(columns="geometry"))
    sheet1["经度"] = base.geometry.x
    sheet1["纬度"] = base.geometry.y
    sheet2 = pd.DataFrame(charge.drop(columns="geometry"))
    sheet2["lon"] = charge.geometry.x
    sheet2["lat"] = charge.geometry.y
    with pd.ExcelWriter(OUT / "sites.xlsx", engine="openpyxl") as writer:
        sheet1.to_excel(writer, sheet_name="5G基站", index=False)
        sheet2.to_excel(writer, sheet_name="充电站", index=False)


def write_gpkg(rng: np.random.Generator) -> None:
    path = OUT / "planning.gpkg"
    path.unlink(missing_ok=True)
    parks = gpd.GeoDataFrame(
        {
            "id": [f"KFQ{i}" for i in range(1, 8)],
            "园区名称": [f"{c}经济开发区" for c in COUNTIES],
            "区县": COUNTIES,
            "级别": ["省级"] * 6 + ["国家级"],
        },
        geometry=[box(x - 0.02, y - 0.015, x + 0.02, y + 0.015) for x, y in SEATS],
        crs="EPSG:4326",
    )
    n = 10
    cand = gpd.GeoDataFrame(
        {
            "id": [f"HX{i:03d}" for i in range(1, n + 1)],
            "infrastructure": rng.choice(["5g", "charging"], n),
            "cost_cny": np.round(rng.uniform(5e4, 5e5, n), -2),
            "source": rng.choice(["tower", "rooftop", "parking_lot"], n),
        },
        geometry=[Point(SEATS[i % 7][0] + 0.01 * i, SEATS[i % 7][1]) for i in range(n)],
        crs="EPSG:4326",
    )
    parks.to_file(path, layer="parks", driver="GPKG", engine="pyogrio")
    cand.to_file(path, layer="candidates", driver="GPKG", engine="pyogrio")


def write_shapefile_zips(base: gpd.GeoDataFrame) -> None:
    projected = base.to_crs("EPSG:32651")
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / "base_stations.shp"
        projected.to_file(shp, engine="pyogrio", encoding="GBK")
        parts = sorted(Path(tmp).iterdir())
        for name, keep_cpg in (("base_stations_shp.zip", True), ("base_stations_nocpg.zip", False)):
            with zipfile.ZipFile(OUT / name, "w", zipfile.ZIP_DEFLATED) as archive:
                for part in parts:
                    if part.suffix == ".cpg" and not keep_cpg:
                        continue
                    archive.write(part, f"data/{part.name}")


BAD_FIRMS = """id,name,sector,employees,lon,lat
F1,Good Steel,steel_metallurgy,120,120.45,41.57
F2,Swapped Co,new_materials,30,41.58,120.46
F3,,clean_energy,12,120.40,41.60
F1,Dup Co,agri_food,8,120.41,41.61
F5,Rocket Co,rockets,5,120.42,41.62
F6,Negative Co,services,-3,120.43,abc
F7,Far Co,other,7,200.5,41.6
F8,Nowhere Co,logistics,9,,
"""


def main() -> None:
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(SEED)
    df = firms(rng)
    write_gbk_csv(df)
    write_bom_csv(df)
    base = stations(rng)
    charge = charging(rng)
    write_xlsx(base, charge)
    charge.to_file(OUT / "charging.geojson", driver="GeoJSON", engine="pyogrio")
    write_gpkg(rng)
    write_shapefile_zips(base)
    (OUT / "bad_firms.csv").write_text(BAD_FIRMS, encoding="utf-8")
    print(f"wrote {len(list(OUT.iterdir()))} files to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
