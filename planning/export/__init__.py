"""Export a siting scenario: proposed sites and served firms as files, and a summary.

:func:`export_scenario` returns the bytes of one file, ready for a download
button or to be written to disk:

``"gpkg"``
    GeoPackage with the point layers ``proposed_sites`` and ``served_firms``
    and the tables ``indicators`` and ``parameters``.
``"geojson"``
    One layer (``layer=``) as an RFC 7946 FeatureCollection in WGS84.
``"csv"``
    One layer with ``lon``/``lat`` columns, UTF-8 with a byte-order mark so
    that Excel shows Chinese text correctly.
``"xlsx"``
    Excel workbook with the sheets parameters, proposed sites, served firms,
    indicators and the trade-off curve.
``"summary_html"`` / ``"summary_md"``
    A one-page summary a planner can forward: the question, the headline
    figures, indicators per county and zone, the proposed sites and the
    trade-off curve. The HTML is self-contained (inline style and SVG chart,
    no scripts or links) and every piece of user text is escaped.

With ``language="zh"`` column headers, sheet names, category values (sector,
site source, ...) and yes/no flags are in Chinese; with ``"en"`` in English.
Layer names inside a GeoPackage stay in English so that scripts can find them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ._files import _gpkg, _xlsx
from ._labels import _check
from ._summary import _summary_html, _summary_md
from ._tables import (
    LANGUAGES,
    LAYERS,
    _layer,
    _with_lonlat,
    parameter_table,
)

if TYPE_CHECKING:
    from ..scenarios import ScenarioResult

__all__ = [
    "FORMATS",
    "LANGUAGES",
    "LAYERS",
    "MIME_TYPES",
    "export_filename",
    "export_scenario",
    "parameter_table",
]

Format = Literal["gpkg", "geojson", "csv", "xlsx", "summary_html", "summary_md"]
Language = Literal["zh", "en"]
Layer = Literal["proposed_sites", "served_firms"]

FORMATS: tuple[str, ...] = ("gpkg", "geojson", "csv", "xlsx", "summary_html", "summary_md")

MIME_TYPES: dict[str, str] = {
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "summary_html": "text/html",
    "summary_md": "text/markdown",
}
"""MIME type of each export format (for download buttons)."""


_EXTENSIONS = {
    "gpkg": "gpkg",
    "geojson": "geojson",
    "csv": "csv",
    "xlsx": "xlsx",
    "summary_html": "html",
    "summary_md": "md",
}


def export_scenario(
    result: ScenarioResult,
    fmt: Format,
    *,
    language: Language = "zh",
    layer: Layer = "proposed_sites",
) -> bytes:
    """Return a scenario as the bytes of a file.

    Parameters
    ----------
    result
        Output of :func:`planning.scenarios.run_scenario`.
    fmt
        One of :data:`FORMATS` (see the module documentation).
    language
        ``"zh"`` or ``"en"``: language of headers, sheet names and labels.
    layer
        ``"proposed_sites"`` or ``"served_firms"``: which layer a
        single-layer format (``"geojson"``, ``"csv"``) holds.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    ValueError
        If ``fmt``, ``language`` or ``layer`` is not one of the allowed values.
    """
    _check("fmt", fmt, FORMATS)
    _check("language", language, LANGUAGES)
    _check("layer", layer, LAYERS)
    if fmt == "gpkg":
        return _gpkg(result, language)
    if fmt == "geojson":
        gdf = _layer(result, layer, language, flags_as_text=False)
        return gdf.to_json(ensure_ascii=False, drop_id=True, na="null").encode("utf-8")
    if fmt == "csv":
        table = _with_lonlat(_layer(result, layer, language, flags_as_text=True), language)
        return table.to_csv(index=False).encode("utf-8-sig")
    if fmt == "xlsx":
        return _xlsx(result, language)
    if fmt == "summary_md":
        return _summary_md(result, language).encode("utf-8")
    return _summary_html(result, language).encode("utf-8")


def export_filename(result: ScenarioResult, fmt: Format, *, layer: Layer | None = None) -> str:
    """Return a file name for an export: the scenario name, the layer and the extension.

    Characters that are unsafe in file names are replaced by ``_``.
    """
    _check("fmt", fmt, FORMATS)
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(result.spec.name))
    stem = stem.strip("._") or "scenario"
    if fmt in ("geojson", "csv"):
        stem = f"{stem}_{layer or 'proposed_sites'}"
    elif fmt.startswith("summary"):
        stem = f"{stem}_summary"
    return f"{stem}.{_EXTENSIONS[fmt]}"
