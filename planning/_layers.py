"""Shared helpers for layers of a planning area: metric CRS, coordinates, existing sites."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS

import geodata
from geodata.crs import local_metric_crs


def resolve_crs(data: geodata.PlanningData, metric_crs: Any = None) -> CRS:
    """Return the projected CRS in metres used for the distances of ``data``.

    Parameters
    ----------
    data
        The planning area.
    metric_crs
        Anything :class:`pyproj.CRS` accepts, or None to pick the UTM zone of
        the area's layers.

    Returns
    -------
    pyproj.CRS
        A projected CRS whose axis unit is the metre.

    Raises
    ------
    ValueError
        If ``metric_crs`` is geographic or not in metres, or if it is None and
        the data holds no features to choose a zone from.
    """
    if metric_crs is not None:
        crs = CRS.from_user_input(metric_crs)
        unit = crs.axis_info[0].unit_name if crs.axis_info else ""
        if not crs.is_projected or unit not in {"metre", "meter"}:
            msg = (
                "metric_crs must be a projected CRS in metres (e.g. a UTM zone), "
                f"got {crs.name!r}; pass None to choose the local UTM zone"
            )
            raise ValueError(msg)
        return crs
    frames = [g for g in data.layers().values() if len(g) and not g.geometry.is_empty.all()]
    if not frames:
        msg = "metric_crs is None but the data has no features to choose a local projection from"
        raise ValueError(msg)
    bounds = np.array([g.total_bounds for g in frames])
    area = (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())
    return local_metric_crs(area)


def layer_xy(gdf: gpd.GeoDataFrame, crs: CRS) -> np.ndarray:
    """Return an ``(n, 2)`` array of point coordinates of ``gdf`` in ``crs``.

    Polygons are represented by a point guaranteed to lie inside them.

    Parameters
    ----------
    gdf
        Features in any CRS (normally EPSG:4326).
    crs
        A projected CRS in metres (see :func:`resolve_crs`).
    """
    if len(gdf) == 0:
        return np.empty((0, 2))
    geom = gdf.geometry.to_crs(crs)
    if not (geom.geom_type == "Point").all():
        geom = geom.representative_point()
    return np.column_stack([geom.x.to_numpy(dtype=float), geom.y.to_numpy(dtype=float)])


def operational_base_stations(data: geodata.PlanningData) -> gpd.GeoDataFrame:
    """Return the base stations of ``data`` that are in operation.

    A missing ``status`` counts as operational (the schema's default).
    """
    stations = data.base_stations
    if "status" not in stations:
        return stations
    status = stations["status"].fillna("operational")
    return stations[status == "operational"]
