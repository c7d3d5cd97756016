"""Awkward-but-real planner files, built in memory (seeded, synthetic firms near Chaoyang).

Each :class:`Case` is one input file and what reading it must give: a layer
of ``rows`` rows (optionally with values to check and warning codes to
expect), or a :class:`geodata.DataError` with a given problem code. Used by
``tests/test_awkward_files.py`` and by the corpus runner
``benchmarks/file_corpus.py``.
"""

from __future__ import annotations

import io
import json
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

COUNTIES = ["双塔区", "龙城区", "朝阳县", "建平县", "喀左县", "北票市", "凌源市"]


@dataclass
class Case:
    """One awkward file and the expected outcome."""

    name: str
    filename: str
    content: bytes
    kind: str = "enterprises"
    options: dict[str, Any] = field(default_factory=dict)
    rows: int | None = None
    error: str | None = None
    warns: tuple[str, ...] = ()
    check: Callable[[Any], bool] | None = None


def firms(seed: int = 0, n: int = 12) -> list[dict[str, Any]]:
    """Return ``n`` synthetic firms near Chaoyang (seeded)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        out.append(
            {
                "id": f"QY{i + 1:03d}",
                "name": f"朝阳第{i + 1}实业有限公司",
                "county": COUNTIES[i % len(COUNTIES)],
                "employees": int(rng.integers(20, 2000)),
                "output": round(float(rng.uniform(100, 9000)), 1),
                "lon": round(120.45 + float(rng.normal(0, 0.05)), 6),
                "lat": round(41.57 + float(rng.normal(0, 0.05)), 6),
            }
        )
    return out


def _csv(rows: list[list[Any]], sep: str = ",", encoding: str = "utf-8") -> bytes:
    return ("\n".join(sep.join(str(v) for v in r) for r in rows) + "\n").encode(encoding)


HEADER = ["编号", "企业名称", "区县", "从业人数", "年产值(万元)", "经度", "纬度"]


def _table(data: list[dict[str, Any]]) -> list[list[Any]]:
    keys = ["id", "name", "county", "employees", "output", "lon", "lat"]
    return [HEADER] + [[f[k] for k in keys] for f in data]


def _xlsx(build: Callable[[Any], None]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    build(book)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _shapefile_zip(data: list[dict[str, Any]], *, gbk: bool, drop: str | None = None) -> bytes:
    import geopandas as gpd
    from shapely.geometry import Point

    if gbk:
        cols = {
            "编号": "id",
            "企业名称": "name",
            "年产值(万元)": "output",
            "综合能耗(吨标煤)": "output",
        }
    else:
        cols = {
            "id": "id",
            "name": "name",
            "output_value": "output",
            "digital_status": "county",
            "on_transform_list": "county",
            "green_level": "county",
        }
    frame = {c: [f[k] for f in data] for c, k in cols.items()}
    if not gbk:
        frame["digital_status"] = ["已完成"] * len(data)
        frame["on_transform_list"] = ["是"] * len(data)
        frame["green_level"] = ["省级"] * len(data)
    gdf = gpd.GeoDataFrame(frame, geometry=[Point(f["lon"], f["lat"]) for f in data], crs=4326)
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / "enterprises.shp"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf.to_file(shp, engine="pyogrio", encoding="GBK" if gbk else "UTF-8")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for part in sorted(Path(tmp).iterdir()):
                if drop and part.suffix == drop:
                    continue
                zf.write(part, part.name)
    return buf.getvalue()


def _values(column: str, expected: list[Any]) -> Callable[[Any], bool]:
    def check(gdf: Any) -> bool:
        got = list(gdf[column])
        if all(isinstance(v, float) for v in expected):
            return bool(np.allclose(got, expected))
        return got == expected

    return check


def cases(seed: int = 0) -> Iterator[Case]:
    """Yield every awkward case of the issue for one seed (values vary with the seed)."""
    data = firms(seed)
    n = len(data)
    table = _table(data)
    names = [f["name"] for f in data]
    outputs = [f["output"] for f in data]
    employees = [f["employees"] for f in data]

    # -- silent losses that must become loads or clear errors
    rows = [list(r) for r in table]
    rows[5][1] = '"' + str(rows[5][1])
    yield Case("unbalanced_quote", "quote.csv", _csv(rows), error="unbalanced_quote")
    rows = [list(r) for r in table]
    rows[3][3] = "1,000"
    yield Case("thousands_unquoted", "thousands.csv", _csv(rows), error="extra_fields")
    rows = [list(r) for r in table]
    for r in rows[1:]:
        r[4] = str(r[4]).replace(".", ",")
        r[5], r[6] = str(r[5]).replace(".", ","), str(r[6]).replace(".", ",")
    yield Case(
        "decimal_comma",
        "semicolon.csv",
        _csv(rows, sep=";"),
        rows=n,
        warns=("decimal_comma",),
        check=_values("output_value", outputs),
    )
    trad = [["編號", "企業名稱", "區縣", "經度", "緯度"]] + [
        [f["id"], f"朝陽第{i + 1}實業有限公司", "雙塔區", f["lon"], f["lat"]]
        for i, f in enumerate(data)
    ]
    yield Case(
        "big5",
        "big5.csv",
        _csv(trad, encoding="big5"),
        rows=n,
        warns=("big5_detected",),
        check=lambda g: list(g["name"]) == [f"朝陽第{i + 1}實業有限公司" for i in range(n)],
    )
    rows = [[*r, r[1]] for r in table]
    yield Case("two_name_columns", "two_names.csv", _csv(rows), error="dup_columns")
    rows = [[*r, "经度"] if i == 0 else [*r, float(r[5]) + 0.0065] for i, r in enumerate(table)]
    yield Case("two_lon_columns", "two_lon.csv", _csv(rows), error="dup_columns")

    def merged(book: Any) -> None:
        ws = book.active
        ws.append(HEADER)
        for i, r in enumerate(table[1:]):
            ws.append([r[0], r[1], COUNTIES[0] if i < 6 else COUNTIES[1], *r[3:]])
        ws.merge_cells("C2:C7")
        ws.merge_cells("C8:C13")

    yield Case(
        "merged_cells",
        "merged.xlsx",
        _xlsx(merged),
        rows=n,
        warns=("merged_filled",),
        check=_values("county", [COUNTIES[0]] * 6 + [COUNTIES[1]] * 6),
    )
    yield Case(
        "shapefile_truncated",
        "firms_shp.zip",
        _shapefile_zip(data, gbk=False),
        rows=n,
        warns=("truncated_name",),
        check=lambda g: (
            bool(np.allclose(g["output_value"], outputs))
            and set(g["digital_status"]) == {"completed"}
            and bool(g["on_transform_list"].all())
        ),
    )
    yield Case(
        "shapefile_gbk_truncated",
        "firms_gbk.zip",
        _shapefile_zip(data, gbk=True),
        rows=n,
        warns=("truncated_name",),
        check=lambda g: bool(np.allclose(g["output_value"], outputs)) and list(g["name"]) == names,
    )

    # -- implausible input: loads, with a warning
    # Urumqi (lon 87.6, lat 43.8) swapped still fits the ranges: lat 87.6 is in the Arctic.
    rows = [list(r) for r in table]
    for r in rows[1:]:
        r[5], r[6] = round(float(r[6]) + 2.2, 6), round(float(r[5]) - 32.85, 6)
    yield Case("swapped_fit", "swapped.csv", _csv(rows), rows=n, warns=("swapped_fit",))
    rows = [list(r) for r in table]
    for i, r in enumerate(rows[1:]):
        r[5], r[6] = 119.6 + 0.1 * (i % 6), 38.9 + 0.05 * (i % 5)
    yield Case("bohai_sea", "sea.csv", _csv(rows), rows=n, warns=("in_sea",))
    rows = [list(r) for r in table]
    for i, r in enumerate(rows[1:]):
        r[5], r[6] = 126.98 + 0.01 * i, 37.56
    yield Case(
        "gcj02_in_seoul",
        "seoul.csv",
        _csv(rows),
        options={"crs": "gcj02"},
        rows=n,
        warns=("shift_outside_china",),
    )
    yield Case(
        "degrees_as_3857",
        "degrees.csv",
        _csv(table),
        options={"crs": 3857},
        rows=n,
        warns=("degrees_as_metres",),
    )
    rows = [list(r) for r in table]
    rows[0][5], rows[0][6] = "经度(GCJ02)", "纬度(GCJ02)"
    yield Case("header_gcj02", "gcj_header.csv", _csv(rows), rows=n, warns=("header_datum",))

    # -- crashes and limits
    ring = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "P1", "name": "朝阳经济技术开发区"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[120.4, 41.5], [120.5, 41.5], [120.5, 41.6], [120.4, 41.6]]],
                },
            }
        ],
    }
    yield Case(
        "unclosed_ring",
        "parks.geojson",
        json.dumps(ring, ensure_ascii=False).encode(),
        kind="parks",
        error="unclosed_ring",
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("enterprises.csv", _csv(table))
        with zf.open("padding.bin", "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(64):
                member.write(block)
    yield Case("zip_bomb", "bomb.zip", buf.getvalue(), error="zip_ratio")

    # -- unclear before: now a clear cause and fix
    rng = np.random.default_rng(seed)
    yield Case("binary_garbage", "garbage.csv", rng.bytes(3000), error="binary_file")
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    yield Case("pdf_as_csv", "report.csv", pdf, error="pdf_file")
    rows = [["朝阳市重点企业名单（2024年）"]] + [list(r) for r in table]
    yield Case(
        "title_semicolon",
        "title.csv",
        _csv(rows, sep=";"),
        rows=n,
        check=_values("employees", employees),
    )

    def dms(value: float, spaced: bool) -> str:
        d = int(value)
        m = int((value - d) * 60)
        s = round(((value - d) * 60 - m) * 60, 1)
        return f"{d} {m} {s}" if spaced else f"{d}°{m}′{s}″"

    for spaced in (True, False):
        rows = [list(r) for r in table]
        for r in rows[1:]:
            r[5], r[6] = dms(float(r[5]), spaced), dms(float(r[6]), spaced)
        lons = [f["lon"] for f in data]
        yield Case(
            f"dms_{'spaced' if spaced else 'symbols'}",
            "dms.csv",
            _csv(rows),
            rows=n,
            check=lambda g, lons=lons: bool(np.allclose(g.geometry.x, lons, atol=1e-4)),
        )

    def notes_first(book: Any) -> None:
        ws = book.active
        ws.title = "说明"
        ws.append(["本表由招商局填报，数据截至2024年底。"])
        data_ws = book.create_sheet("企业")
        for r in table:
            data_ws.append(r)

    yield Case(
        "second_sheet",
        "sheets.xlsx",
        _xlsx(notes_first),
        rows=n,
        warns=("other_sheet",),
        check=_values("name", names),
    )

    def formulas(book: Any) -> None:
        ws = book.active
        ws.append(HEADER)
        for i, r in enumerate(table[1:], start=2):
            ws.append([*r[:5], f"=120.4+{i}/1000", f"=41.5+{i}/1000"])

    yield Case("formulas_no_cache", "formulas.xlsx", _xlsx(formulas), error="formula_no_value")

    def plain(book: Any) -> None:
        for r in table:
            book.active.append(r)

    yield Case(
        "xlsx_named_csv",
        "firms.csv",
        _xlsx(plain),
        rows=n,
        warns=("wrong_extension",),
        check=_values("name", names),
    )
    yield Case(
        "zip_without_dbf",
        "no_dbf.zip",
        _shapefile_zip(data, gbk=False, drop=".dbf"),
        error="shp_part_missing",
    )
    yield Case("empty_upload", "empty.csv", b"", error="empty_file")

    # -- the app's normal case: a county list without ids
    counties = [["名称", "wkt"]] + [
        [
            c,
            f"POLYGON (({119 + i * 0.3} 41, {119.3 + i * 0.3} 41, {119.3 + i * 0.3} 41.3, "
            f"{119 + i * 0.3} 41.3, {119 + i * 0.3} 41))",
        ]
        for i, c in enumerate(COUNTIES)
    ]
    yield Case(
        "counties_without_id",
        "counties.csv",
        _csv(counties, sep="\t"),
        kind="admin_areas",
        rows=len(COUNTIES),
        warns=("ids_generated",),
        check=lambda g: g["id"].is_unique and all(str(v).startswith("auto-") for v in g["id"]),
    )
    rows = [list(r) for r in table]
    rows[4][0] = rows[2][0]
    yield Case("duplicate_ids", "dup_ids.csv", _csv(rows), error="duplicate_id")

    # -- found by the corpus runner (benchmarks/file_corpus.py)
    yield from more_cases(seed)


def more_cases(seed: int = 0) -> Iterator[Case]:
    """Yield the cases the corpus runner found: silent corruptions, needless refusals."""
    data = firms(seed)
    n = len(data)
    table = _table(data)
    outputs = [f["output"] for f in data]
    names = [f["name"] for f in data]
    lons = [f["lon"] for f in data]
    rows = [list(r) for r in table]
    for i, r in enumerate(rows[1:]):
        if i % 2:
            r[4] = str(r[4]).replace(".", ",")
    yield Case(
        "decimal_comma_mixed",
        "mixed.csv",
        _csv(rows, sep=";"),
        rows=n,
        warns=("decimal_comma",),
        check=_values("output_value", outputs),
    )
    rows = [list(r) for r in table]
    rows[2][4] = '"' + str(rows[2][4]).replace(".", ",") + '"'
    yield Case("decimal_comma_in_comma_csv", "comma.csv", _csv(rows), error="not_number")
    rows = [list(r) for r in table]
    wide = str.maketrans("0123456789.", "０１２３４５６７８９．")
    for r in rows[1:]:
        r[5], r[6] = str(r[5]).translate(wide), str(r[6]).translate(wide)
    yield Case(
        "fullwidth_digits",
        "fullwidth.csv",
        _csv(rows),
        rows=n,
        check=lambda g: bool(np.allclose(g.geometry.x, lons)),
    )
    rows = [list(r) for r in table]
    for r in rows[1:]:
        r[5], r[6] = f"{r[5]}°E", f"N{r[6]}"
    yield Case(
        "degrees_marked",
        "marked.csv",
        _csv(rows),
        rows=n,
        check=lambda g: bool(np.allclose(g.geometry.x, lons)),
    )
    rows = [list(r) for r in table]
    rows[2][1] = "朝阳" * 100_000
    yield Case("huge_field", "huge.csv", _csv(rows), rows=n)
    rows = [[*r, "lng"] if i == 0 else [*r, float(r[5]) + 0.0065] for i, r in enumerate(table)]
    yield Case("lon_and_lng", "lon_lng.csv", _csv(rows), error="ambiguous_coord")
    rows = [[*r, "lng"] if i == 0 else [*r, r[5]] for i, r in enumerate(table)]
    yield Case(
        "lon_and_same_lng",
        "same_lng.csv",
        _csv(rows),
        rows=n,
        check=lambda g: bool(np.allclose(g.geometry.x, lons)),
    )

    def total(book: Any) -> None:
        for r in table:
            book.active.append(r)
        book.active.append(["合计", None, None, sum(f["employees"] for f in data), None])

    yield Case(
        "total_row",
        "total.xlsx",
        _xlsx(total),
        rows=n,
        warns=("total_row",),
        check=lambda g: len(g) == n,
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("朝阳企业.csv", _csv(table))
    yield Case("csv_in_zip", "firms.zip", buf.getvalue(), rows=n, check=_values("name", names))
    rows = [[*r, "标记"] if i == 0 else [*r, "x"] for i, r in enumerate(table)]
    yield Case("cells_named_like_columns", "marks.csv", _csv(rows), rows=n)
    rows = [list(r) for r in table]
    for i, r in enumerate(rows[1:]):
        r[5], r[6] = 139.69 + 0.01 * i, 35.68
    yield Case("tokyo", "tokyo.csv", _csv(rows), rows=n, warns=("outside_china",))
    page = "<html><body><table><tr>" + "".join(f"<td>{h}</td>" for h in HEADER) + "</tr></table>"
    yield Case("html_as_xls", "export.xls", page.encode("utf-8"), error="html_file")
    rows = [[*r, "地址"] if i == 0 else [*r, '"建平县\n朱碌科镇,3号"'] for i, r in enumerate(table)]
    yield Case("address_on_two_lines", "address.csv", _csv(rows), rows=n)
    records = json.dumps([{"编号": f["id"], "经度": f["lon"], "纬度": f["lat"]} for f in data])
    yield Case("json_records", "firms.json", records.encode(), error="json_not_geojson")
