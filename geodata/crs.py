"""Chinese coordinate systems and local metric projections.

Three datums meet in Chinese planning data:

* **WGS84** (EPSG:4326) and **CGCS2000** (EPSG:4490): the official and GPS
  datums. They differ by far less than a metre and are treated as equal.
* **GCJ-02**: WGS84 plus an obfuscating offset of a few hundred metres, used
  by AMap (Gaode), Tencent maps and DataV boundaries. It has no EPSG code.
* **BD-09**: GCJ-02 plus a further offset, used by Baidu maps.

The offsets apply only inside a rough bounding box of China
(longitude 72.004-137.8347, latitude 0.8293-55.8271); points outside it are
returned unchanged by every function here. The forward transforms are
closed formulas; the inverses are solved by fixed-point iteration to well
below a millimetre.

Distance work never uses degrees: :func:`local_metric_crs`, :func:`to_metric`
and :func:`lonlat_to_metric` project data to the UTM zone of its centre.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
_LON_MIN, _LON_MAX = 72.004, 137.8347
_LAT_MIN, _LAT_MAX = 0.8293, 55.8271
_MAX_ITER = 30
_TOL_DEG = 1e-12

_ALIASES = {
    "wgs84": "wgs84",
    "wgs1984": "wgs84",
    "epsg4326": "wgs84",
    "4326": "wgs84",
    "gps": "wgs84",
    "cgcs2000": "cgcs2000",
    "epsg4490": "cgcs2000",
    "4490": "cgcs2000",
    "gcj02": "gcj02",
    "gcj": "gcj02",
    "amap": "gcj02",
    "gaode": "gcj02",
    "mars": "gcj02",
    "火星坐标": "gcj02",
    "高德": "gcj02",
    "bd09": "bd09",
    "bd09ll": "bd09",
    "baidu": "bd09",
    "百度": "bd09",
}
_GEOGRAPHIC = ("wgs84", "cgcs2000", "gcj02", "bd09")
ACCEPTED = (
    '"wgs84" (also "WGS-84", "EPSG:4326", 4326), "cgcs2000" (also "EPSG:4490", 4490), '
    '"gcj02" (also "GCJ-02", "amap"), "bd09" (also "BD-09", "baidu"), '
    "or any EPSG code such as 3857 or 'EPSG:32651'"
)
"""Human-readable list of the values :func:`parse_crs` accepts."""


def parse_crs(crs: Any) -> str:
    """Normalise a user's coordinate-system value.

    Parameters
    ----------
    crs
        ``"wgs84"``, ``"cgcs2000"``, ``"gcj02"``, ``"bd09"`` in any case and
        with or without hyphens (``"WGS-84"``, ``"GCJ-02"``), an EPSG code as
        an integer or ``"EPSG:nnnn"`` string, or a :class:`pyproj.CRS`.

    Returns
    -------
    str
        ``"wgs84"``, ``"cgcs2000"``, ``"gcj02"``, ``"bd09"``, or
        ``"EPSG:nnnn"`` for any other coordinate system (its WKT when it has
        no EPSG code).

    Raises
    ------
    ValueError
        If the value is not recognised; the message lists accepted values.
    """
    if isinstance(crs, pyproj.CRS):
        return _from_pyproj(crs)
    if isinstance(crs, bool) or crs is None:
        msg = f"crs must be one of {ACCEPTED}; got {crs!r}"
        raise ValueError(msg)
    if isinstance(crs, int | np.integer):
        key = str(int(crs))
    elif isinstance(crs, str):
        key = crs.strip().lower()
        for char in " -_:.":
            key = key.replace(char, "")
    else:
        msg = f"crs must be one of {ACCEPTED}; got {crs!r}"
        raise ValueError(msg)
    if key in _ALIASES:
        return _ALIASES[key]
    text = str(crs).strip()
    looks_like_crs = key.isdigit() or ":" in text or "[" in text or text.startswith("+proj")
    if not looks_like_crs:
        msg = f"crs must be one of {ACCEPTED}; got {crs!r}"
        raise ValueError(msg)
    try:
        return _from_pyproj(pyproj.CRS.from_user_input(int(key) if key.isdigit() else crs))
    except (pyproj.exceptions.CRSError, TypeError, ValueError):
        msg = f"crs must be one of {ACCEPTED}; got {crs!r}"
        raise ValueError(msg) from None


def _from_pyproj(crs: pyproj.CRS) -> str:
    if crs.to_authority(min_confidence=90) == ("OGC", "CRS84"):
        return "wgs84"
    code = crs.to_epsg(min_confidence=90)
    if code == 4326:
        return "wgs84"
    if code == 4490:
        return "cgcs2000"
    if code is not None:
        return f"EPSG:{code}"
    return str(crs.to_wkt())


def _as_arrays(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    x = np.asarray(lon, dtype="float64")
    y = np.asarray(lat, dtype="float64")
    if x.shape != y.shape:
        msg = f"lon and lat must have the same shape; got {x.shape} and {y.shape}"
        raise ValueError(msg)
    return x, y, x.ndim == 0


def _out(x: np.ndarray, y: np.ndarray, scalar: bool) -> tuple[Any, Any]:
    if scalar:
        return float(x), float(y)
    return x, y


def in_china(lon: Any, lat: Any) -> np.ndarray:
    """Return whether each point is inside the bounding box the offsets apply to.

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in degrees (arrays or scalars).

    Returns
    -------
    numpy.ndarray
        Boolean array (False for NaN coordinates).
    """
    x = np.asarray(lon, dtype="float64")
    y = np.asarray(lat, dtype="float64")
    return (x >= _LON_MIN) & (x <= _LON_MAX) & (y >= _LAT_MIN) & (y <= _LAT_MAX)


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the GCJ-02 offset in degrees at WGS84 points (no bounding-box test)."""
    x = lon - 105.0
    y = lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def _gcj_forward(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def _bd_forward(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd_first_guess(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 0.0065
    y = lat - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(
    forward: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    lon: np.ndarray,
    lat: np.ndarray,
    start: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``forward(x, y) == (lon, lat)`` by fixed-point iteration."""
    x, y = start
    for _ in range(_MAX_ITER):
        fx, fy = forward(x, y)
        ex = fx - lon
        ey = fy - lat
        x = x - ex
        y = y - ey
        if np.all(np.abs(ex) < _TOL_DEG) and np.all(np.abs(ey) < _TOL_DEG):
            break
    return x, y


def _masked(
    func: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    lon: Any,
    lat: Any,
) -> tuple[Any, Any]:
    x, y, scalar = _as_arrays(lon, lat)
    inside = in_china(x, y)
    out_x = x.copy()
    out_y = y.copy()
    if np.any(inside):
        new_x, new_y = func(x[inside], y[inside])
        out_x[inside] = new_x
        out_y[inside] = new_y
    return _out(out_x, out_y, scalar)


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert WGS84 coordinates to GCJ-02.

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in degrees: arrays of one shape, or scalars.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lon, lat)`` in GCJ-02 (floats for scalar input). Points outside
        China's bounding box and NaN coordinates are returned unchanged.
    """
    return _masked(_gcj_forward, lon, lat)


def _gcj_inverse(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlon, dlat = _gcj_offset(lon, lat)
    return _invert(_gcj_forward, lon, lat, (lon - dlon, lat - dlat))


def gcj02_to_wgs84(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert GCJ-02 coordinates to WGS84.

    The forward offset has no closed inverse; starting from the one-step
    estimate, a fixed-point iteration refines the answer until it maps back
    onto the input to within 1e-12 degrees (about 0.1 micrometre).

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in degrees: arrays of one shape, or scalars.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lon, lat)`` in WGS84. Points outside China's bounding box are
        returned unchanged.
    """
    return _masked(_gcj_inverse, lon, lat)


def gcj02_to_bd09(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert GCJ-02 coordinates to BD-09 (Baidu).

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in degrees: arrays of one shape, or scalars.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lon, lat)`` in BD-09. Points outside China's bounding box are
        returned unchanged.
    """
    return _masked(_bd_forward, lon, lat)


def _bd_inverse(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _invert(_bd_forward, lon, lat, _bd_first_guess(lon, lat))


def bd09_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert BD-09 (Baidu) coordinates to GCJ-02.

    The usual closed-form inverse is only approximate; it is refined here by
    fixed-point iteration so that the round trip is exact to 1e-12 degrees.

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in degrees: arrays of one shape, or scalars.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lon, lat)`` in GCJ-02. Points outside China's bounding box are
        returned unchanged.
    """
    return _masked(_bd_inverse, lon, lat)


def wgs84_to_bd09(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert WGS84 coordinates to BD-09 (Baidu), through GCJ-02.

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in degrees: arrays of one shape, or scalars.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lon, lat)`` in BD-09. Points outside China's bounding box are
        returned unchanged.
    """

    def both(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _bd_forward(*_gcj_forward(x, y))

    return _masked(both, lon, lat)


def bd09_to_wgs84(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert BD-09 (Baidu) coordinates to WGS84, through GCJ-02.

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in degrees: arrays of one shape, or scalars.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lon, lat)`` in WGS84. Points outside China's bounding box are
        returned unchanged.
    """

    def both(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _gcj_inverse(*_bd_inverse(x, y))

    return _masked(both, lon, lat)


_TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}
_FROM_WGS84 = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}


def _apply(geoms: np.ndarray, func: Callable[[Any, Any], tuple[Any, Any]]) -> np.ndarray:
    def on_coords(coords: np.ndarray) -> np.ndarray:
        x, y = func(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, on_coords)


def transform_geometries(
    geoms: gpd.GeoSeries | gpd.GeoDataFrame, src: Any = None, dst: Any = "wgs84"
) -> gpd.GeoSeries | gpd.GeoDataFrame:
    """Convert geometries of any type between coordinate systems.

    Parameters
    ----------
    geoms
        Geometries to convert (points, lines, polygons, multi-parts). For a
        GeoDataFrame its active geometry column is converted.
    src
        Coordinate system of ``geoms``: any value :func:`parse_crs` accepts.
        None uses ``geoms.crs`` (an error if that is unset). GCJ-02 and BD-09
        data usually claim EPSG:4326, so say ``src="gcj02"`` explicitly.
    dst
        Target coordinate system, as for ``src``.

    Returns
    -------
    geopandas.GeoSeries or geopandas.GeoDataFrame
        A converted copy of ``geoms``. Its ``crs`` is EPSG:4326 for WGS84,
        GCJ-02 and BD-09 (the latter two have no EPSG code), EPSG:4490 for
        CGCS2000, and the EPSG code otherwise.
    """
    if src is None:
        if geoms.crs is None:
            msg = "src is needed: geoms has no crs; pass e.g. src='wgs84' or src='gcj02'"
            raise ValueError(msg)
        src = geoms.crs
    source = parse_crs(src)
    target = parse_crs(dst)
    series = geoms.geometry if isinstance(geoms, gpd.GeoDataFrame) else geoms
    values = np.asarray(series.values, dtype=object)
    if source in _TO_WGS84:
        values = _apply(values, _TO_WGS84[source])
        work = gpd.GeoSeries(values, index=series.index, crs="EPSG:4326")
    elif source in ("wgs84", "cgcs2000"):
        work = gpd.GeoSeries(values, index=series.index, crs="EPSG:4326")
    else:
        work = gpd.GeoSeries(values, index=series.index, crs=source).to_crs("EPSG:4326")
    if target in _FROM_WGS84:
        work = gpd.GeoSeries(
            _apply(np.asarray(work.values, dtype=object), _FROM_WGS84[target]),
            index=series.index,
            crs="EPSG:4326",
        )
    elif target == "cgcs2000":
        work = work.set_crs("EPSG:4490", allow_override=True)
    elif target != "wgs84":
        work = work.to_crs(target)
    work.name = series.name
    if isinstance(geoms, gpd.GeoDataFrame):
        out = geoms.copy()
        out[geoms.geometry.name] = work
        return out.set_crs(work.crs, allow_override=True)
    return work


def _utm_epsg(lon: float, lat: float) -> int:
    zone = min(int(np.floor((lon + 180.0) / 6.0)) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


def local_metric_crs(data: Any) -> pyproj.CRS:
    """Return the UTM coordinate system for the centre of some data.

    Parameters
    ----------
    data
        A GeoDataFrame or GeoSeries (any crs; none means EPSG:4326), or
        bounds ``(min_lon, min_lat, max_lon, max_lat)`` in degrees.

    Returns
    -------
    pyproj.CRS
        WGS84 / UTM zone of the centre of the bounds (EPSG:326nn north of
        the equator, EPSG:327nn south of it).
    """
    if isinstance(data, gpd.GeoDataFrame | gpd.GeoSeries):
        if data.crs is not None and not data.crs.equals("EPSG:4326"):
            data = data.to_crs("EPSG:4326")
        bounds = tuple(data.total_bounds)
    else:
        bounds = tuple(np.asarray(data, dtype="float64").ravel())
    if len(bounds) != 4 or not np.all(np.isfinite(bounds)):
        msg = (
            "data must be a non-empty GeoDataFrame/GeoSeries or bounds "
            f"(min_lon, min_lat, max_lon, max_lat); got bounds {bounds!r}"
        )
        raise ValueError(msg)
    min_lon, min_lat, max_lon, max_lat = bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        msg = f"data bounds must be lon/lat degrees with min <= max; got {bounds!r}"
        raise ValueError(msg)
    return _crs_of(_utm_epsg((min_lon + max_lon) / 2, (min_lat + max_lat) / 2))


@functools.lru_cache(maxsize=32)
def _crs_of(epsg: int) -> pyproj.CRS:
    return pyproj.CRS.from_epsg(epsg)


def to_metric(gdf: gpd.GeoDataFrame, *, crs: Any = None) -> gpd.GeoDataFrame:
    """Project a layer to metres for distance and area work.

    Parameters
    ----------
    gdf
        Layer with a geographic or projected crs (EPSG:4326 if unset).
    crs
        Target metric coordinate system; None picks
        :func:`local_metric_crs` of ``gdf``.

    Returns
    -------
    geopandas.GeoDataFrame
        A projected copy.
    """
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    target = local_metric_crs(gdf) if crs is None else pyproj.CRS.from_user_input(crs)
    if not target.is_projected:
        msg = f"crs must be a projected (metric) coordinate system; got {target.name!r}"
        raise ValueError(msg)
    return gdf.to_crs(target)


def lonlat_to_metric(lon: Any, lat: Any, crs: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 longitudes and latitudes to metric x/y arrays.

    Parameters
    ----------
    lon, lat
        Coordinates in degrees (WGS84), arrays of one shape.
    crs
        Projected target; None picks the UTM zone of the points' bounds.

    Returns
    -------
    tuple of numpy.ndarray
        ``(x, y)`` in metres.
    """
    x, y, _ = _as_arrays(lon, lat)
    x = np.atleast_1d(x)
    y = np.atleast_1d(y)
    if crs is None:
        ok = np.isfinite(x) & np.isfinite(y)
        if not np.any(ok):
            msg = "lon and lat must hold at least one finite point when crs is None"
            raise ValueError(msg)
        target = local_metric_crs((x[ok].min(), y[ok].min(), x[ok].max(), y[ok].max()))
    else:
        target = pyproj.CRS.from_user_input(crs)
    transformer = pyproj.Transformer.from_crs("EPSG:4326", target, always_xy=True)
    px, py = transformer.transform(x, y)
    return np.asarray(px, dtype="float64"), np.asarray(py, dtype="float64")
