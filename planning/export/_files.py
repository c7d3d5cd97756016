"""Binary export files: a GeoPackage and an Excel workbook."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..scenarios import ScenarioResult
from ._labels import _t
from ._tables import (
    LAYERS,
    _curve_table,
    _indicator_table,
    _labelled,
    _layer,
    _parameters_frame,
    _with_lonlat,
)


def _gpkg(result: ScenarioResult, language: str) -> bytes:
    import pyogrio

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.gpkg"
        for name in LAYERS:
            gdf = _layer(result, name, language, flags_as_text=False)
            for col in gdf.columns:
                if gdf[col].dtype == object and col != gdf.geometry.name:
                    gdf[col] = gdf[col].map(lambda v: v if v is None else str(v))
            pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG", geometry_type="Point")
        pyogrio.write_dataframe(_indicator_table(result, language), path, layer="indicators")
        pyogrio.write_dataframe(_parameters_frame(result, language), path, layer="parameters")
        return path.read_bytes()


def _xlsx(result: ScenarioResult, language: str) -> bytes:
    import openpyxl

    sheets = {
        _t("parameters", language): _parameters_frame(result, language),
        _t("proposed_sites", language): _with_lonlat(
            _layer(result, "proposed_sites", language, flags_as_text=True), language
        ),
        _t("served_firms", language): _with_lonlat(
            _layer(result, "served_firms", language, flags_as_text=True), language
        ),
        _t("indicators", language): _indicator_table(result, language),
        _t("curve_sheet", language): _curve_table(result, language),
    }
    if result.stages is not None:
        sheets[_t("stages_sheet", language)] = _labelled(result.stages, language)
    if result.equity is not None:
        sheets[_t("equity_sheet", language)] = _labelled(result.equity, language)
    book = openpyxl.Workbook(write_only=True)
    for name, frame in sheets.items():
        sheet = book.create_sheet(name[:31])
        for i, col in enumerate(frame.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
            letter = openpyxl.utils.get_column_letter(i)
            sheet.column_dimensions[letter].width = min(60, 2 + 1.6 * width)
        sheet.append([str(c) for c in frame.columns])
        values = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
        for row in values:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
