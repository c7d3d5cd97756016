"""Layers and a drivable road graph from OpenStreetMap.

Offline from local extracts (``.osm``, ``.osm.bz2``, ``.osm.gz`` through
osmnx; ``.osm.pbf`` through pyrosm, the ``osm`` extra), or online from a
place name or bounding box through osmnx, with a quick reachability probe and
a short timeout so that a machine without network gets a clear
:class:`~geodata.OfflineError` instead of a hang.

How OSM features become InfraSite layers. Everything real comes from the
tags; whatever the tags do not say is filled with a documented default and
named in the layer's ``filled`` column (``;``-separated field names):

- ``landuse=industrial`` areas -> ``parks``. Filled: ``level`` (the schema
  default; OSM has no approval level), ``green_park``; unnamed areas are
  called ``"unnamed industrial area <element>/<id>"``.
- ``building=industrial|warehouse|factory``, ``man_made=works`` and
  ``office=company`` -> ``enterprises`` (centroids, computed in metres).
  Filled: ``employees`` = 0 (unknown: weight by count, not staff),
  ``output_value``, ``energy_use``, ``digital_status``; ``sector`` is taken
  from ``industrial=*`` (and warehouses are logistics) where tagged, else
  ``"other"`` and filled; the OSM kind is kept in ``osm_type``.
- ``amenity=charging_station`` -> ``charging_stations``. ``piles`` from
  ``capacity``, else the largest ``socket:<type>`` count (filled as
  ``piles:sockets``), else ``default_piles``; ``power_kw`` is the largest
  ``socket:*:output``, else the schema default; socket types and counts are
  kept in ``sockets``; ``access`` is ``private`` for ``access=no|private``.
- ``man_made=mast|tower`` with ``tower:type=communication`` or any
  ``communication:*=yes`` -> ``base_stations`` (centroids). ``operator`` is
  one of the Chinese operators when ``operator``/``brand``/``owner`` name
  it, else ``"unknown"``; ``band`` is ``"unknown"``; ``radius_m`` is
  ``mast_radius_m`` (an assumption, est. 500 m: 3.5 GHz UMa NLOS at a
  130 dB budget); ``height_m`` from ``height`` where tagged. The
  communication services are kept in ``communication`` and
  ``mobile_phone``.
- named ``boundary=administrative`` polygons at the most detailed
  ``admin_level`` present -> ``admin_areas``; without any, the convex hull
  of the extract is the one area (``id="extract"``). A boundary relation
  cut by a cropped extract may come out as a partial polygon: for real
  administrative areas read them from an uncropped extract.
- drivable ``highway=*`` ways (:func:`is_drivable`) -> ``roads``, an osmnx
  ``MultiDiGraph`` with ``street_count`` set.

Every layer's :class:`~geodata.Provenance` says it comes from OpenStreetMap
under the ODbL 1.0 ("© OpenStreetMap contributors").
"""

from ._api import planning_data_from_bbox, planning_data_from_place, read_osm, roads_from_osm
from ._mapping import layers_from_features
from ._tags import DRIVABLE_HIGHWAYS, FEATURE_TAGS, LICENCE, OSM_LAYERS, is_drivable

__all__ = [
    "DRIVABLE_HIGHWAYS",
    "FEATURE_TAGS",
    "LICENCE",
    "OSM_LAYERS",
    "is_drivable",
    "layers_from_features",
    "planning_data_from_bbox",
    "planning_data_from_place",
    "read_osm",
    "roads_from_osm",
]
