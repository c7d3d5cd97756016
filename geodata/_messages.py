"""Problem codes and their messages in English and Chinese.

Every :class:`~geodata.Problem` made with :meth:`~geodata.Problem.make` has a
code from :data:`MESSAGES`; :func:`render` fills in its parameters in the
language asked for. Field names in ``field`` parameters are shown by their
Chinese labels in Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    # --- columns
    "dup_columns": (
        "column names must be unique; repeated: {listed}",
        "列名不能重复；重复的列：{listed}",
    ),
    "ambiguous_coord": (
        "columns {listed} could each be the {what}; rename or remove one",
        "列 {listed} 都可能是{what}：请改名或删除其中一列",
    ),
    "ambiguous_field": (
        "columns {listed} both map to field {field!r}; rename or remove one",
        "列 {listed} 都对应字段“{field}”：请改名或删除其中一列",
    ),
    "column_missing": (
        "required column {field!r}{also} is missing; found columns: {found}",
        "缺少必填列“{field}”；文件中的列：{found}",
    ),
    "no_coordinates": (
        "no coordinates found: need {need}; found columns: {found}",
        "未找到坐标：需要{need}；文件中的列：{found}",
    ),
    "need_lonlat": (
        "longitude and latitude columns (e.g. lon/lat or 经度/纬度) or a WKT column",
        "经度和纬度两列（如 经度/纬度 或 lon/lat）或一个 WKT 列",
    ),
    "need_partner": (
        "a {lack} column to go with the {have} column",
        "与{have}列配对的{lack}列",
    ),
    "need_polygon": (
        "polygon geometry: a WKT column (wkt/geometry/几何) or a spatial file",
        "面几何：一个 WKT 列（wkt/geometry/几何）或空间数据文件",
    ),
    "truncated_name": (
        "column {column!r} read as {field!r} (Shapefile column names are cut to 10 characters)",
        "列“{column}”按“{field}”读取（Shapefile 列名最多 10 个字符，已被截断）",
    ),
    # --- values
    "not_number": ("{field} must be a number", "{field}应为数字"),
    "not_whole": ("{field} must be a whole number", "{field}应为整数"),
    "range_between": (
        "{field} must be between {lo} and {hi}{unit}",
        "{field}应在 {lo} 到 {hi} 之间{unit}",
    ),
    "range_min": ("{field} must be at least {lo}{unit}", "{field}应不小于 {lo}{unit}"),
    "range_max": ("{field} must be at most {hi}{unit}", "{field}应不大于 {hi}{unit}"),
    "value_missing": ("required value {field} is missing", "必填项{field}为空"),
    "not_bool": (
        "{field} must be yes/no (是/否, true/false, 1/0)",
        "{field}应为 是/否（或 true/false、1/0）",
    ),
    "unknown_category": (
        "unknown {field}; allowed: {allowed}",
        "{field}取值无法识别；可选：{allowed}",
    ),
    "duplicate_id": (
        "duplicate id: also used on row {first}",
        "编号重复：第 {first} 行（数据行）也使用了该编号",
    ),
    "ports_over": (
        "ports_used ({used}) is more than ports ({ports}): an access point cannot use more "
        "ports than it has",
        "已用端口数（{used}）大于端口数（{ports}）：接入点占用的端口不能多于其总端口",
    ),
    "ids_generated": (
        "{n} row(s) had no id: ids were generated from each row's contents ({example}, ...); "
        "add an id column (编号) to choose your own",
        "{n} 行没有编号：已根据每行内容自动生成编号（如 {example}）；如需自定义请添加“编号”列",
    ),
    "merged_filled": (
        "merged cells in column {column!r} were filled down ({n} cells)",
        "“{column}”列的合并单元格已向下填充（{n} 个单元格）",
    ),
    "total_row": (
        "the last row ({word}) is a totals row and was left out",
        "最后一行（{word}）是合计行，已略去",
    ),
    "decimal_comma": (
        "numbers with a decimal comma (e.g. {example}) were read as decimals",
        "带小数逗号的数字（如 {example}）已按小数读取",
    ),
    "extra_fields": (
        "the row has {n} values but the header has {width} columns: a comma inside a value "
        "(e.g. a thousands separator as in 1,000) or a missing quote; quote the value "
        "or remove the separator",
        "该行有 {n} 个值，但表头只有 {width} 列：可能某个值中含逗号（如千位分隔符 1,000）"
        "或缺少引号；请给该值加引号或删除分隔符",
    ),
    "unbalanced_quote": (
        'a quote (") opened in this row is not closed where the row ends, so the next '
        "{n} lines were read into one value: close the quote or remove it",
        '该行中的引号（"）没有在行尾闭合，导致后面 {n} 行被读成一个值：请补全或删除该引号',
    ),
    "formula_no_value": (
        "{n} cell(s) hold formulas without a saved result (e.g. {cell}): open the workbook "
        "in Excel or WPS and save it, or paste the cells as values",
        "{n} 个单元格是没有保存计算结果的公式（如 {cell}）：请用 Excel 或 WPS 打开并保存，"
        "或将这些单元格粘贴为数值",
    ),
    "other_sheet": (
        "sheet {chosen!r} was read: the first sheet {first!r} holds no table of this layer "
        "(choose another with sheet=)",
        "已读取工作表“{chosen}”：第一个工作表“{first}”中没有该图层的数据表（可用 sheet= 指定）",
    ),
    # --- coordinates
    "lon_missing": ("longitude is missing", "经度为空"),
    "lat_missing": ("latitude is missing", "纬度为空"),
    "lon_not_number": ("longitude is not a number", "经度不是数字"),
    "lat_not_number": ("latitude is not a number", "纬度不是数字"),
    "swapped": (
        "latitude {lat} is out of range [-90, 90] while longitude {lon} looks like a latitude: "
        "longitude and latitude appear swapped; swap the two columns",
        "纬度 {lat} 超出 [-90, 90]，而经度 {lon} 像是纬度：经纬度可能填反了，请交换两列",
    ),
    "lon_range": (
        "longitude is out of range [-180, 180]{hint}",
        "经度超出 [-180, 180]{hint}",
    ),
    "lat_range": ("latitude is out of range [-90, 90]{hint}", "纬度超出 [-90, 90]{hint}"),
    "hint_gk": (
        "; the numbers look like metres in CGCS2000 / 3-degree Gauss-Kruger zone {zone} "
        "(the 8-digit number is the easting): pass crs='EPSG:{epsg}'",
        "；数值像是 CGCS2000 三度带高斯-克吕格第 {zone} 带的米制坐标（8 位数为东坐标）："
        "请选择 crs='EPSG:{epsg}'",
    ),
    "hint_metres": (
        "; the numbers look like projected metres, not degrees: pass crs= the file's EPSG code",
        "；数值像是投影坐标（米），不是经纬度：请用 crs= 指定文件的 EPSG 代码",
    ),
    "bad_wkt": ("geometry is not valid WKT", "几何不是有效的 WKT"),
    "empty_geometry": ("geometry is empty", "几何为空"),
    "wrong_geometry": (
        "wrong geometry type: expected {expected}, got {got}",
        "几何类型错误：应为{expected}，实际为 {got}",
    ),
    "invalid_geometry": ("invalid geometry: {reason}", "几何无效：{reason}"),
    # --- plausibility (warnings)
    "outside_china": (
        "{n} of {total} points are outside China (e.g. lon {lon}, lat {lat}): check the "
        "coordinates and the coordinate system",
        "{total} 个点中有 {n} 个在中国境外（如 经度 {lon}，纬度 {lat}）：请检查坐标和坐标系",
    ),
    "outside_area": (
        "{n} of {total} features are outside the study area (e.g. lon {lon}, lat {lat})",
        "{total} 个要素中有 {n} 个在研究区域之外（如 经度 {lon}，纬度 {lat}）",
    ),
    "in_sea": (
        "{n} of {total} points are in the sea ({sea}; e.g. lon {lon}, lat {lat}): check the "
        "coordinates",
        "{total} 个点中有 {n} 个位于海上（{sea_zh}；如 经度 {lon}，纬度 {lat}）：请检查坐标",
    ),
    "swapped_fit": (
        "{n} of {total} points are outside China but would be inside it with longitude and "
        "latitude swapped: the two columns appear swapped",
        "{total} 个点中有 {n} 个在中国境外，但交换经纬度后位于中国境内：经纬度两列可能填反了",
    ),
    "shift_outside_china": (
        "{datum} was chosen but {n} of {total} points are outside China, where {datum} "
        "offsets do not apply: choose WGS84 unless the file really is {datum}",
        "选择了 {datum}，但 {total} 个点中有 {n} 个在中国境外（{datum} 偏移不适用）："
        "除非文件确实是 {datum}，请选择 WGS84",
    ),
    "degrees_as_metres": (
        "coordinate system {crs} (metres) was chosen but the numbers look like degrees "
        "(lon {lon}, lat {lat}), so the points land beside 0°N 0°E: choose WGS84",
        "选择了米制坐标系 {crs}，但数值像是经纬度（经度 {lon}，纬度 {lat}），"
        "导致点落在 0°N 0°E 附近：请选择 WGS84",
    ),
    "header_datum": (
        "column {column!r} names {named} but {chosen} was chosen: if the numbers are {named}, "
        "choose {named} (the points would move by up to ~{metres} m)",
        "列“{column}”标明为 {named}，但选择的是 {chosen}：若数据确为 {named}，"
        "请选择 {named}（位置相差可达约 {metres} 米）",
    ),
    # --- files
    "empty_file": (
        "the file is empty (0 bytes): upload the file again",
        "文件为空（0 字节）：请重新上传",
    ),
    "pdf_file": (
        "the file is a PDF document, not a table: export the table as CSV or XLSX",
        "文件是 PDF 文档而不是表格：请将表格导出为 CSV 或 XLSX",
    ),
    "binary_file": (
        "the file is not text, nor any supported format ({formats}): check that the right file "
        "was chosen",
        "文件既不是文本，也不是支持的格式（{formats}）：请确认选择了正确的文件",
    ),
    "json_not_geojson": (
        "the file is JSON but not GeoJSON (a FeatureCollection of features with geometry): "
        "export the layer as GeoJSON, or the table as CSV or XLSX",
        "文件是 JSON 但不是 GeoJSON（含几何的 FeatureCollection）：请导出为 GeoJSON，"
        "或将表格导出为 CSV 或 XLSX",
    ),
    "html_file": (
        "the file named {ext} is a web page (HTML or XML), as some systems export tables: open it "
        "in Excel or WPS and save it as .xlsx or CSV",
        "文件（扩展名 {ext}）实际是网页（HTML 或 XML），某些系统导出的表格就是这样："
        "请用 Excel 或 WPS 打开后另存为 .xlsx 或 CSV",
    ),
    "wrong_extension": (
        "the file named {ext} is really {actual}; it was read as {actual}",
        "文件扩展名为 {ext}，实际为 {actual}，已按 {actual} 读取",
    ),
    "decode_failed": (
        "could not decode the file as {encoding!r}: {reason}",
        "无法按 {encoding!r} 解码文件：{reason}",
    ),
    "unknown_encoding": (
        "could not detect the text encoding (not UTF-8, GBK/GB18030, Big5 or UTF-16): "
        "save the file as UTF-8 CSV, or pass encoding= (e.g. 'gbk')",
        "无法识别文本编码（不是 UTF-8、GBK/GB18030、Big5 或 UTF-16）：请另存为 UTF-8 CSV，"
        "或指定 encoding=（如 'gbk'）",
    ),
    "big5_detected": (
        "the file was read as Big5 (Traditional Chinese)",
        "文件按 Big5（繁体中文）编码读取",
    ),
    "xls_old": (
        "old Excel .xls files are not supported: save the sheet as .xlsx or CSV",
        "不支持旧版 Excel .xls 文件：请另存为 .xlsx 或 CSV",
    ),
    "not_valid_ext": (
        "the file is not a valid {ext} file (its first bytes do not match)",
        "文件不是有效的 {ext} 文件（文件头不符）",
    ),
    "unsupported_type": (
        "unsupported file type {ext!r}: use {formats}",
        "不支持的文件类型 {ext!r}：请使用 {formats}",
    ),
    "shp_upload": (
        "upload a Shapefile as one .zip holding its .shp, .shx, .dbf and .prj",
        "Shapefile 请打包成一个 .zip 上传（含 .shp、.shx、.dbf 和 .prj）",
    ),
    "bad_workbook": (
        "could not read the file as an Excel workbook: {reason}",
        "无法作为 Excel 工作簿读取：{reason}",
    ),
    "no_sheet": (
        "sheet {sheet} does not exist; the workbook has sheets {listed}",
        "工作表 {sheet} 不存在；工作簿中的工作表：{listed}",
    ),
    "no_choice": (
        "{what} {wanted!r} does not exist; the file has {what}s {listed}",
        "{what} {wanted!r} 不存在；文件中有：{listed}",
    ),
    "several": (
        "the file has several {what}s ({listed}): choose one with {what}=",
        "文件中有多个 {what}（{listed}）：请用 {what}= 选择一个",
    ),
    "no_shapefile": (
        "the zip file holds no Shapefile (.shp); it holds: {found}",
        "zip 文件中没有 Shapefile（.shp）；其中包含：{found}",
    ),
    "shp_part_missing": (
        "the Shapefile {stem}.shp has no {part} ({what}): put {stem}.shp, {stem}.shx, "
        "{stem}.dbf and {stem}.prj together in the zip",
        "Shapefile {stem}.shp 缺少 {part}（{what}）：请将 {stem}.shp、{stem}.shx、"
        "{stem}.dbf 和 {stem}.prj 一起打包",
    ),
    "zip_too_big": (
        "the archive would unpack to {size} MB, over the limit of {limit} MB: upload a "
        "smaller file",
        "压缩包解压后为 {size} MB，超过 {limit} MB 的上限：请上传较小的文件",
    ),
    "zip_ratio": (
        "the archive member {member!r} is compressed {ratio}:1, over the limit of {limit}:1 "
        "(a zip bomb?): upload the files themselves",
        "压缩包中的 {member!r} 压缩比为 {ratio}:1，超过 {limit}:1 的上限（疑似压缩炸弹）："
        "请直接上传原文件",
    ),
    "bad_zip": ("could not open the zip file: {reason}", "无法打开 zip 文件：{reason}"),
    "unreadable": ("could not read the file: {reason}", "无法读取文件：{reason}"),
    "bad_csv": ("could not read the file as CSV: {reason}", "无法作为 CSV 读取：{reason}"),
    "unclosed_ring": (
        "a polygon ring is not closed (its last point differs from its first): close the "
        "rings in a GIS (e.g. QGIS 'Fix geometries') and export again",
        "面的边界环未闭合（最后一点与第一点不同）：请在 GIS 软件中修复"
        "（如 QGIS“修复几何”）后重新导出",
    ),
    "too_big": (
        "the file is {size} MB, over the limit of {limit} MB for {what}: split it or use {alt}",
        "文件为 {size} MB，超过{what}的上限 {limit} MB：请拆分文件或使用 {alt}",
    ),
    "ragged_rows": (
        "some rows have fewer values than the header has columns; a CSV with such rows can be "
        "read only up to {limit} MB (this one is {size} MB): save it again from Excel or WPS, "
        "which writes every column on every row",
        "部分行的值少于表头的列数；这样的 CSV 最多只能读取 {limit} MB（本文件 {size} MB）："
        "请用 Excel 或 WPS 重新另存（会为每行写出所有列）",
    ),
    "too_many_rows": (
        "the file has more than {limit} rows, the limit for one layer: split it",
        "文件超过 {limit} 行（单个图层的上限）：请拆分文件",
    ),
}
"""Problem code -> (English template, Chinese template)."""

_WORDS_ZH = {
    "longitude": "经度",
    "latitude": "纬度",
    "WKT geometry": "WKT 几何",
    "a point": "点",
    "a polygon": "面",
    "layer": "图层",
    "sheet": "工作表",
    "WGS84": "WGS84",
    "CSV": "CSV",
    "XLSX": "XLSX",
}
_NESTED = ("need", "hint")


def _field_zh(name: str) -> str:
    from .schema import LAYER_KINDS

    for spec in LAYER_KINDS.values():
        for f in spec.fields:
            if f.name == name and f.label_zh:
                return f.label_zh
    return name


def render(code: str, params: Mapping[str, Any], language: str | None = "en") -> str:
    """Return the message of problem ``code`` in ``language`` (``"en"`` or ``"zh"``).

    Parameters
    ----------
    code
        A key of :data:`MESSAGES`.
    params
        The values the template needs. ``need`` and ``hint`` may name another
        code (with its own parameters in ``need_params``/``hint_params``).
    language
        ``"zh"`` for Chinese; anything else gives English.

    Returns
    -------
    str
        The message.
    """
    zh = language == "zh"
    en_text, zh_text = MESSAGES[code]
    values = dict(params)
    for key in _NESTED:
        nested = values.get(key)
        if isinstance(nested, str) and nested in MESSAGES:
            values[key] = render(nested, values.get(f"{key}_params", {}), language)
        elif nested is None and key in values:
            values[key] = ""
    if zh:
        for key, value in list(values.items()):
            if key == "field" and isinstance(value, str):
                values[key] = _field_zh(value)
            elif isinstance(value, str) and value in _WORDS_ZH:
                values[key] = _WORDS_ZH[value]
        if values.get("unit"):
            values["unit"] = f"（{str(values['unit']).strip()}）"
    elif values.get("unit"):
        values["unit"] = f" {str(values['unit']).strip()}"
    try:
        return (zh_text if zh else en_text).format(**values)
    except (KeyError, IndexError, ValueError):
        return en_text
