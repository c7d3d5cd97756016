"""Siting engine for InfraSite: coverage, location models, scenarios and maps.

The solver core takes arrays (sparse coverage or distance matrices and
weights); thin adapters take GeoDataFrames. Every model returns a
:class:`Solution` with a proven bound and gap.
"""

from ._errors import SpecificationError
from .capacitated import (
    solve_capacitated_coverage,
    solve_capacitated_coverage_gdf,
    solve_capacitated_location,
)
from .coverage import (
    coverage_matrix,
    coverage_matrix_gdf,
    distance_matrix,
    distance_matrix_gdf,
    within_cutoff,
)
from .lscp import solve_lscp, solve_lscp_gdf
from .mclp import solve_mclp
from .network import (
    RoadDistances,
    RoadNetwork,
    prepare_roads,
    road_coverage_matrix,
    road_distance_matrix,
    road_distance_matrix_gdf,
    road_distances,
)
from .solution import Solution, relative_gap
from .tradeoff import budget_curve, coverage_curve

__all__ = [
    "RoadDistances",
    "RoadNetwork",
    "Solution",
    "SpecificationError",
    "budget_curve",
    "coverage_curve",
    "coverage_matrix",
    "coverage_matrix_gdf",
    "distance_matrix",
    "distance_matrix_gdf",
    "prepare_roads",
    "relative_gap",
    "road_coverage_matrix",
    "road_distance_matrix",
    "road_distance_matrix_gdf",
    "road_distances",
    "solve_capacitated_coverage",
    "solve_capacitated_coverage_gdf",
    "solve_capacitated_location",
    "solve_lscp",
    "solve_lscp_gdf",
    "solve_mclp",
    "within_cutoff",
]
