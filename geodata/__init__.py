"""Layers, loading, validation and coordinate systems for InfraSite.

The public API: :class:`PlanningData` (every layer of a planning area),
:func:`read_layer` (planners' files to validated layers), :func:`load_demo`
(the bundled demo cities), :mod:`geodata.crs` (Chinese datums, local metric
projections) and :class:`DataError` (every problem in a file at once).
"""

from ._errors import DataError, OfflineError, Problem
from .demo import list_demos, load_demo
from .model import PlanningData, Provenance, empty_layer
from .schema import KINDS, LAYER_KINDS, layer_kind

__all__ = [
    "KINDS",
    "LAYER_KINDS",
    "DataError",
    "OfflineError",
    "PlanningData",
    "Problem",
    "Provenance",
    "empty_layer",
    "layer_kind",
    "list_demos",
    "load_demo",
]
