"""Layers, loading, validation and coordinate systems for InfraSite.

The public API: :class:`PlanningData` (every layer of a planning area),
:func:`read_layer` (planners' files to validated layers), :func:`load_demo`
(the bundled demo cities), :mod:`geodata.crs` (Chinese datums, local metric
projections), :func:`read_osm` (layers and a road graph from OpenStreetMap)
and :class:`DataError` (every problem in a file at once).
"""

from . import crs
from ._errors import DataError, OfflineError, Problem
from .demo import list_demos, load_demo
from .infrastructure import (
    INFRASTRUCTURE,
    INFRASTRUCTURE_KINDS,
    InfrastructureKind,
    infrastructure_kind,
)
from .model import PlanningData, Provenance, empty_layer
from .osm import planning_data_from_bbox, planning_data_from_place, read_osm, roads_from_osm
from .reading import read_layer
from .schema import KINDS, LAYER_KINDS, layer_kind
from .templates import layer_template
from .validation import validate_layer

__all__ = [
    "INFRASTRUCTURE",
    "INFRASTRUCTURE_KINDS",
    "KINDS",
    "LAYER_KINDS",
    "DataError",
    "InfrastructureKind",
    "OfflineError",
    "PlanningData",
    "Problem",
    "Provenance",
    "crs",
    "empty_layer",
    "infrastructure_kind",
    "layer_kind",
    "layer_template",
    "list_demos",
    "load_demo",
    "planning_data_from_bbox",
    "planning_data_from_place",
    "read_layer",
    "read_osm",
    "roads_from_osm",
    "validate_layer",
]
