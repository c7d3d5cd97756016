"""A seeded corpus of awkward planner files for ``benchmarks/file_corpus.py`` (synthetic).

:func:`corpus` yields ``(file name, content, manifest entry)``: every case of
``tests/awkward.py`` plus encodings, delimiters, line endings, quoting, odd
numbers, spreadsheets, GIS files and archives planners send. The manifest
entry gives the layer kind, options, and either the number of data rows in
the source (``rows``, for telling a correct load from a silent loss) or
``expect: "error"`` where refusing is the right answer.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from awkward import HEADER, _csv, _shapefile_zip, _table, _xlsx, cases, firms

Entry = dict[str, Any]


def _ok(rows: int, kind: str = "enterprises", **options: Any) -> Entry:
    return {"kind": kind, "rows": rows, "options": options}


def _err(kind: str = "enterprises", **options: Any) -> Entry:
    return {"kind": kind, "expect": "error", "options": options}


def _gpkg(frames: dict[str, Any]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "layers.gpkg"
        for layer, gdf in frames.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gdf.to_file(path, layer=layer, engine="pyogrio")
        return path.read_bytes()


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _points(data: list[dict[str, Any]]) -> Any:
    import geopandas as gpd
    from shapely.geometry import Point

    return gpd.GeoDataFrame(
        {"编号": [f["id"] for f in data], "企业名称": [f["name"] for f in data]},
        geometry=[Point(f["lon"], f["lat"]) for f in data],
        crs=4326,
    )


def _geojson(features: list[dict[str, Any]], **extra: Any) -> bytes:
    doc = {"type": "FeatureCollection", "features": features, **extra}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _feature(props: dict[str, Any], geometry: dict[str, Any] | None) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def corpus(seed: int = 0, *, heavy: bool = True) -> Iterator[tuple[str, bytes, Entry]]:
    """Yield every corpus file: ``(name, content, manifest entry)``.

    ``heavy=False`` leaves out the files that take seconds to build or read
    (the large CSVs, the 2 GiB zip bomb).
    """
    for case in cases(seed):
        ext = Path(case.filename).suffix
        entry = {"kind": case.kind, "options": dict(case.options)}
        if case.error is not None:
            entry["expect"] = "error"
        else:
            entry["rows"] = case.rows
        yield f"awk_{case.name}{ext}", case.content, entry

    rng = np.random.default_rng(seed + 1000)
    data = firms(seed + 1, n=15)
    n = len(data)
    table = _table(data)

    # -- encodings
    yield "enc_gbk.csv", _csv(table, encoding="gbk"), _ok(n)
    yield "enc_utf8_bom.csv", b"\xef\xbb\xbf" + _csv(table), _ok(n)
    yield "enc_utf16le.txt", b"\xff\xfe" + _csv(table, "\t").decode().encode("utf-16-le"), _ok(n)
    yield "enc_utf16be.csv", b"\xfe\xff" + _csv(table, "\t").decode().encode("utf-16-be"), _ok(n)
    rare = [list(r) for r in table]
    rare[1][1] = "𠀀𠀁朝阳实业"  # characters outside the BMP (4-byte in GB18030)
    yield "enc_gb18030_rare.csv", _csv(rare, encoding="gb18030"), _ok(n)
    yield "enc_gbk_title_tab.txt", _csv([["朝阳市企业名单"], [], *table], "\t", "gbk"), _ok(n)

    # -- delimiters, line endings, quoting
    yield "sep_tab.tsv", _csv(table, "\t"), _ok(n)
    yield "sep_pipe.txt", _csv(table, "|"), _ok(n)
    yield "sep_semicolon.csv", _csv(table, ";"), _ok(n)
    yield "sep_excel_hint.csv", b"sep=;\n" + _csv(table, ";"), _ok(n)
    yield "eol_crlf.csv", _csv(table).replace(b"\n", b"\r\n"), _ok(n)
    yield "eol_cr.csv", _csv(table).replace(b"\n", b"\r"), _ok(n)
    yield "trailing_delimiters.csv", _csv([[*r, "", ""] for r in table]), _ok(n)
    quoted = [list(r) for r in table]
    quoted[2][1] = '"朝阳\n第三实业有限公司"'
    yield "quoted_newline.csv", _csv(quoted), _ok(n)
    addr = [[*r, "地址"] if i == 0 else [*r, '"建平县,\n朱碌科镇"'] for i, r in enumerate(table)]
    yield "quoted_newline_comma.csv", _csv(addr), _ok(n)
    ragged = [[*r, "备注"] if i == 0 else r if i % 3 else [*r, "重点"] for i, r in enumerate(table)]
    yield "ragged_optional_tail.csv", _csv(ragged), _ok(n)
    short = [HEADER, *[r[:-1] if i == 3 else r for i, r in enumerate(table[1:])]]
    yield "short_row.csv", _csv(short), _err()
    spaced = [[f"  {v}  " for v in r] for r in table]
    yield "whitespace_cells.csv", _csv(spaced), _ok(n)
    inner_blank = [*table[:5], ["", "", "", "", "", "", ""], *table[5:]]
    yield "blank_row_inside.csv", _csv(inner_blank), _err()
    yield "blank_rows_at_end.csv", _csv(table) + b",,,,,,\n\n\n", _ok(n)

    # -- numbers and coordinates
    mixed = [list(r) for r in table]
    for i, r in enumerate(mixed[1:]):
        if i % 2:
            r[4] = str(r[4]).replace(".", ",")
    yield "decimal_mixed.csv", _csv(mixed, ";"), _ok(n)
    full = [list(r) for r in table]
    trans = str.maketrans("0123456789.", "０１２３４５６７８９．")
    for r in full[1:]:
        r[5], r[6] = str(r[5]).translate(trans), str(r[6]).translate(trans)
    yield "fullwidth_digits.csv", _csv(full), _ok(n)
    suffix = [list(r) for r in table]
    for r in suffix[1:]:
        r[5], r[6] = f"{r[5]}°E", f"{r[6]}°N"
    yield "degree_suffix.csv", _csv(suffix), _ok(n)
    nan = [list(r) for r in table]
    nan[2][5], nan[3][6] = "nan", "inf"
    yield "nan_inf.csv", _csv(nan), _err()
    one_col = [["编号", "企业名称", "坐标"]] + [
        [f["id"], f["name"], f'"{f["lon"]},{f["lat"]}"'] for f in data
    ]
    yield "one_coordinate_column.csv", _csv(one_col), _err()
    both = [
        [*r, "lon", "lat"] if i == 0 else [*r, float(r[5]) + 0.01, r[6]]
        for i, r in enumerate(table)
    ]
    yield "lon_and_jingdu.csv", _csv(both), _err()
    swapped = [list(r) for r in table]
    for r in swapped[1:]:
        r[5], r[6] = r[6], r[5]
    yield "swapped_out_of_range.csv", _csv(swapped), _err()
    gk = [list(r) for r in table]
    for i, r in enumerate(gk[1:]):
        r[5], r[6] = 40537532.0 + 100 * i, 4603155.0 + 50 * i
    yield "gauss_kruger.csv", _csv(gk), _err()
    yield "gauss_kruger_epsg.csv", _csv(gk), _ok(n, crs="EPSG:4528")
    yield "bd09.csv", _csv(table), _ok(n, crs="bd09")
    neg = [list(r) for r in table]
    neg[3][3] = "-12"
    yield "negative_employees.csv", _csv(neg), _err()
    whole = [list(r) for r in table]
    for r in whole[1:]:
        r[3] = f"{r[3]}.0"
    yield "employees_point_zero.csv", _csv(whole), _ok(n)

    # -- ids and columns
    noid = [r[1:] for r in table]
    yield "ids_missing.csv", _csv(noid), _ok(n)
    partial = [list(r) for r in table]
    partial[3][0] = partial[7][0] = ""
    yield "ids_partly_blank.csv", _csv(partial), _ok(n)
    case_dup = [["ID", *HEADER]] + [[f"X{i}", *r] for i, r in enumerate(table[1:])]
    case_dup[0][1] = "id"
    yield "id_and_ID.csv", _csv(case_dup), _err()
    huge = [list(r) for r in table]
    huge[2][1] = "朝阳" * 150_000
    yield "huge_field.csv", _csv(huge), _ok(n)
    wide = [[*r, *[f"c{j}" if i == 0 else "x" for j in range(3000)]] for i, r in enumerate(table)]
    yield "many_columns.csv", _csv(wide), _ok(n)
    long = firms(seed + 2, n=20_000)
    for i, f in enumerate(long):
        f["id"] = f"L{i:06d}"
    yield "long_20000.csv", _csv(_table(long)), _ok(len(long))
    yield from _heavy(seed) if heavy else iter(())
    yield "header_only.csv", _csv(table[:1]), _ok(0)
    yield "title_only.csv", "朝阳市重点企业名单\n".encode(), _err()
    yield "nul_in_text.csv", _csv(table).replace(b"\n", b"\n" + b"\x00" * 1, 1), _err()
    broken = _csv(table)
    broken = broken[:200] + b"\xff\xfe\xfa" + broken[200:]
    yield "invalid_utf8_bytes.csv", broken, _err()

    # -- other kinds
    stations = [["编号", "名称", "运营商", "频段", "覆盖半径(米)", "经度", "纬度"]] + [
        [
            f"BS{i}",
            f"站{i}",
            ["中国移动", "中国联通", "中国电信"][i % 3],
            "3.5GHz",
            500,
            f["lon"],
            f["lat"],
        ]
        for i, f in enumerate(data)
    ]
    yield "base_stations_zh.csv", _csv(stations), _ok(n, "base_stations")
    charging = [["编号", "名称", "充电桩数", "经度", "纬度"]] + [
        [f"CS{i}", f"充电站{i}", 1 + i, f["lon"], f["lat"]] for i, f in enumerate(data)
    ]
    yield "charging_stations.csv", _csv(charging), _ok(n, "charging_stations")

    def counties(book: Any) -> None:
        ws = book.active
        ws.append(["名称", "wkt"])
        for i, c in enumerate(["双塔区", "龙城区", "朝阳县"]):
            x = 119 + i * 0.3
            ws.append([c, f"POLYGON (({x} 41, {x + 0.3} 41, {x + 0.3} 41.3, {x} 41.3, {x} 41))"])

    yield "counties_no_id.xlsx", _xlsx(counties), _ok(3, "admin_areas")

    # -- spreadsheets
    def header_row5(book: Any) -> None:
        ws = book.active
        for line in (["朝阳市重点企业名单"], ["填报单位：招商局"], [], ["单位：万元"]):
            ws.append(line)
        for r in table:
            ws.append(r)

    yield "xlsx_header_row5.xlsx", _xlsx(header_row5), _ok(n)

    def total_row(book: Any) -> None:
        ws = book.active
        for r in table:
            ws.append(r)
        ws.append(["合计", None, None, sum(f["employees"] for f in data), None, None, None])

    yield "xlsx_total_row.xlsx", _xlsx(total_row), _ok(n)

    def text_numbers(book: Any) -> None:
        ws = book.active
        for r in table:
            ws.append([str(v) for v in r])

    yield "xlsx_numbers_as_text.xlsx", _xlsx(text_numbers), _ok(n)

    def with_dates(book: Any) -> None:
        import datetime

        ws = book.active
        ws.append([*HEADER, "成立日期"])
        for i, r in enumerate(table[1:]):
            ws.append([*r, datetime.date(2000 + i, 1 + i % 12, 1)])

    yield "xlsx_dates.xlsx", _xlsx(with_dates), _ok(n)

    def empty_sheet(book: Any) -> None:
        book.active.title = "Sheet1"

    yield "xlsx_empty.xlsx", _xlsx(empty_sheet), _err()

    def hidden_first(book: Any) -> None:
        ws = book.active
        ws.title = "隐藏"
        ws.sheet_state = "hidden"
        ws.append(["x"])
        data_ws = book.create_sheet("数据")
        for r in table:
            data_ws.append(r)

    yield "xlsx_hidden_first.xlsx", _xlsx(hidden_first), _ok(n)
    good = _xlsx(lambda b: [b.active.append(r) for r in table])
    yield "xlsx_truncated.xlsx", good[: len(good) // 2], _err()
    yield "xls_old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.bytes(4000), _err()
    html = "<html><body><table><tr>" + "".join(f"<td>{h}</td>" for h in HEADER) + "</tr></table>"
    yield "html_as_xls.xls", html.encode("utf-8"), _err()

    # -- GIS files
    feats = [
        _feature(
            {"编号": f["id"], "企业名称": f["name"]},
            {"type": "Point", "coordinates": [f["lon"], f["lat"]]},
        )
        for f in data
    ]
    yield "geojson_ok.geojson", _geojson(feats), _ok(n)
    yield "geojson_one_feature.json", json.dumps(feats[0], ensure_ascii=False).encode(), _ok(1)
    nulls = [dict(f) for f in feats]
    nulls[2] = _feature(feats[2]["properties"], None)
    yield "geojson_null_geometry.geojson", _geojson(nulls), _err()
    yield "geojson_truncated.geojson", _geojson(feats)[:300], _err()
    yield "geojson_as_txt.txt", _geojson(feats), _ok(n)
    merc = [
        _feature(
            {"编号": f["id"], "企业名称": f["name"]},
            {
                "type": "Point",
                "coordinates": [f["lon"] * 111319.49, 5_096_000 + (f["lat"] - 41.5) * 148_000],
            },
        )
        for f in data
    ]
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    yield "geojson_3857.geojson", _geojson(merc, crs=crs), _ok(n)
    poly = [
        _feature(
            {"编号": f["id"], "企业名称": f["name"]},
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [f["lon"], f["lat"]],
                        [f["lon"] + 0.01, f["lat"]],
                        [f["lon"], f["lat"] + 0.01],
                        [f["lon"], f["lat"]],
                    ]
                ],
            },
        )
        for f in data
    ]
    yield "geojson_polygons_as_firms.geojson", _geojson(poly), _err()
    records = json.dumps([{"编号": f["id"], "经度": f["lon"], "纬度": f["lat"]} for f in data])
    yield "json_records.json", records.encode(), _err()
    pts = _points(data)
    yield "gpkg_two_layers.gpkg", _gpkg({"enterprises": pts, "other": pts.iloc[:3]}), _ok(n)
    yield "gpkg_other_names.gpkg", _gpkg({"a": pts, "b": pts.iloc[:3]}), _err()
    shp = _shapefile_zip(data, gbk=False)
    with zipfile.ZipFile(io.BytesIO(shp)) as zf:
        parts = {m: zf.read(m) for m in zf.namelist()}
    yield "zip_nested.zip", _zip({f"导出/图层/{m}": v for m, v in parts.items()}), _ok(n)
    yield (
        "zip_macosx.zip",
        _zip({**parts, **{f"__MACOSX/._{m}": b"\x00\x05" for m in parts}}),
        _ok(n),
    )
    yield "zip_traversal.zip", _zip({**parts, "../../evil.shp": b"x"}), _ok(n)
    yield "zip_truncated.zip", shp[: len(shp) // 2], _err()
    yield "zip_csv_inside.zip", _zip({"firms.csv": _csv(table)}), _ok(n)
    yield "zip_named_csv.csv", shp, _ok(n)
    yield "zip_padding_within_limits.zip", _zip({**parts, "readme.bin": bytes(12 << 20)}), _ok(n)
    yield "zip_empty.zip", _zip({}), _err()


def _heavy(seed: int) -> Iterator[tuple[str, bytes, Entry]]:
    big = firms(seed + 3, n=60_000)
    for i, f in enumerate(big):
        f["id"] = f"B{i:06d}"
    big_table = _table(big)
    yield "big_60000_rows.csv", _csv(big_table), _ok(len(big))
    ragged_big = [[*HEADER, "备注"], *big_table[1:]]
    ragged_big[100] = [*ragged_big[100], "重点"]
    yield "big_short_rows.csv", _csv(ragged_big), _ok(len(big))
    bad_big = [list(r) for r in big_table]
    bad_big[50_000][3] = "很多"
    yield "big_bad_value_late.csv", _csv(bad_big), _err()
    yield "zip_bomb_2gib.zip", _bomb(2 << 30), _err()


def _bomb(size: int) -> bytes:
    """Return a zip holding a CSV and ``size`` bytes of zeros (a few MB compressed)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("firms.csv", "编号,企业名称,经度,纬度\nA,甲,120.4,41.5\n")
        with zf.open("zeros.bin", "w", force_zip64=True) as member:
            block = bytes(8 << 20)
            for _ in range(size // len(block)):
                member.write(block)
    return buf.getvalue()


def write_corpus(folder: Path, seed: int = 0) -> int:
    """Write the corpus and its ``corpus.json`` manifest to ``folder``; return the file count."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for name, content, entry in corpus(seed):
        (folder / name).write_bytes(content)
        manifest[name] = entry
    (folder / "corpus.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return len(manifest)
