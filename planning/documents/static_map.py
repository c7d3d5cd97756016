"""Static map images for documents, drawn offline with matplotlib.

No tiles and no network: the map is the layers themselves (admin areas,
optionally coloured by a value, and point layers on top), in the local UTM
projection so that distances look right, with Chinese labels in a CJK font.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["PointLayer", "render_map_png"]


@dataclass(frozen=True)
class PointLayer:
    """Points drawn on a static map.

    Attributes
    ----------
    gdf
        The points (any CRS; projected with the areas).
    label
        Legend entry.
    color
        Matplotlib colour, or the name of a column holding one per point.
    size
        Marker size in points squared.
    marker
        Matplotlib marker.
    """

    gdf: Any
    label: str
    color: str = "#1f77b4"
    size: float = 12.0
    marker: str = "o"


def render_map_png(
    areas: Any,
    *,
    value_column: str | None = None,
    label_column: str | None = "name",
    points: Sequence[PointLayer] = (),
    title: str | None = None,
    cmap: str = "RdYlGn",
    vmin: float | None = None,
    vmax: float | None = None,
    legend_title: str | None = None,
    width_in: float = 6.5,
    dpi: int = 150,
) -> bytes:
    """Draw admin areas (optionally coloured by a value) and points to a PNG.

    Parameters
    ----------
    areas
        Polygons (a GeoDataFrame with a CRS), e.g. the county layer.
    value_column
        Column of ``areas`` to colour by (a choropleth), or None for outlines.
    label_column
        Column of ``areas`` written at each area's representative point.
    points
        Point layers drawn on top, in order.
    title
        Title above the map (Chinese allowed).
    cmap, vmin, vmax
        Colour map and its range for ``value_column``.
    legend_title
        Caption of the colour bar.
    width_in, dpi
        Image width in inches and resolution.

    Returns
    -------
    bytes
        The PNG image.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from geodata.crs import local_metric_crs

    from .fonts import cjk_font_properties

    if areas is None or len(areas) == 0:
        msg = "areas must hold at least one polygon to draw a map"
        raise ValueError(msg)
    if areas.crs is None:
        msg = "areas has no CRS: set one with .set_crs() before drawing a map"
        raise ValueError(msg)
    crs = local_metric_crs(areas.to_crs(4326))
    projected = areas.to_crs(crs)
    font = cjk_font_properties(9)
    small = cjk_font_properties(7)
    minx, miny, maxx, maxy = projected.total_bounds
    aspect = (maxy - miny) / max(maxx - minx, 1.0)
    fig, ax = plt.subplots(figsize=(width_in, max(2.5, min(width_in * aspect, 9.0))), dpi=dpi)
    try:
        if value_column is not None:
            projected.plot(
                ax=ax,
                column=value_column,
                cmap=cmap,
                vmin=vmin,
                vmax=vmax,
                edgecolor="#555555",
                linewidth=0.6,
                missing_kwds={"color": "#eeeeee"},
            )
            sm = plt.cm.ScalarMappable(
                cmap=cmap,
                norm=plt.Normalize(
                    vmin=projected[value_column].min() if vmin is None else vmin,
                    vmax=projected[value_column].max() if vmax is None else vmax,
                ),
            )
            bar = fig.colorbar(sm, ax=ax, shrink=0.6, pad=0.01)
            if legend_title:
                bar.set_label(legend_title, fontproperties=small)
            for tick in bar.ax.get_yticklabels():
                tick.set_fontproperties(small)
        else:
            projected.boundary.plot(ax=ax, color="#555555", linewidth=0.6)
        for layer in points:
            if layer.gdf is None or len(layer.gdf) == 0:
                continue
            pts = layer.gdf.to_crs(crs)
            color = pts[layer.color] if layer.color in pts.columns else layer.color
            ax.scatter(
                pts.geometry.x,
                pts.geometry.y,
                s=layer.size,
                c=color,
                marker=layer.marker,
                label=layer.label,
                edgecolors="white",
                linewidths=0.3,
                zorder=3,
            )
        if label_column and label_column in projected.columns:
            for geom, text in zip(projected.geometry, projected[label_column], strict=True):
                anchor = geom.representative_point()
                ax.annotate(
                    str(text),
                    (anchor.x, anchor.y),
                    ha="center",
                    va="center",
                    fontproperties=small,
                    zorder=4,
                )
        if points:
            legend = ax.legend(loc="lower left", prop=small, frameon=True)
            legend.get_frame().set_alpha(0.8)
        if title:
            ax.set_title(title, fontproperties=font)
        ax.set_axis_off()
        ax.set_aspect("equal")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        return buf.getvalue()
    finally:
        plt.close(fig)
