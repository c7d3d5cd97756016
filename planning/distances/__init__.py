"""Who can serve whom: coverage and distance matrices.

Straight-line matrices (:mod:`.straight_line`, a k-d tree on projected
metres, never degrees) and distances along a road graph (:mod:`.roads`,
bounded multi-source Dijkstra). Both give sparse demand x site matrices
that the models in :mod:`planning.models` take as they are.
"""

from .classes import CoverageClasses, coverage_classes
from .roads import (
    RoadDistances,
    RoadNetwork,
    prepare_roads,
    road_coverage_matrix,
    road_coverage_matrix_gdf,
    road_distance_matrix,
    road_distance_matrix_gdf,
    road_distances,
)
from .straight_line import (
    coverage_matrix,
    coverage_matrix_gdf,
    distance_matrix,
    distance_matrix_gdf,
    within_cutoff,
)

__all__ = [
    "CoverageClasses",
    "RoadDistances",
    "RoadNetwork",
    "coverage_classes",
    "coverage_matrix",
    "coverage_matrix_gdf",
    "distance_matrix",
    "distance_matrix_gdf",
    "prepare_roads",
    "road_coverage_matrix",
    "road_coverage_matrix_gdf",
    "road_distance_matrix",
    "road_distance_matrix_gdf",
    "road_distances",
    "within_cutoff",
]
