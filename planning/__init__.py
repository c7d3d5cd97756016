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
from .export import export_scenario
from .indicators import coverage_stats, coverage_status, uncovered_firms
from .lscp import solve_lscp, solve_lscp_gdf
from .mclp import solve_mclp, solve_mclp_gdf
from .network import (
    RoadDistances,
    RoadNetwork,
    prepare_roads,
    road_coverage_matrix,
    road_coverage_matrix_gdf,
    road_distance_matrix,
    road_distance_matrix_gdf,
    road_distances,
)
from .pcenter import solve_pcenter, solve_pcenter_gdf
from .pmedian import solve_pmedian, solve_pmedian_gdf
from .scenarios import (
    ScenarioResult,
    ScenarioSpec,
    compare_scenarios,
    default_radius,
    run_scenario,
)
from .solution import Solution, relative_gap
from .tradeoff import budget_curve, coverage_curve

__all__ = [
    "RoadDistances",
    "RoadNetwork",
    "ScenarioResult",
    "ScenarioSpec",
    "Solution",
    "SpecificationError",
    "budget_curve",
    "compare_scenarios",
    "coverage_curve",
    "coverage_matrix",
    "coverage_matrix_gdf",
    "coverage_stats",
    "coverage_status",
    "default_radius",
    "distance_matrix",
    "distance_matrix_gdf",
    "export_scenario",
    "prepare_roads",
    "relative_gap",
    "road_coverage_matrix",
    "road_coverage_matrix_gdf",
    "road_distance_matrix",
    "road_distance_matrix_gdf",
    "road_distances",
    "run_scenario",
    "solve_capacitated_coverage",
    "solve_capacitated_coverage_gdf",
    "solve_capacitated_location",
    "solve_lscp",
    "solve_lscp_gdf",
    "solve_mclp",
    "solve_mclp_gdf",
    "solve_pcenter",
    "solve_pcenter_gdf",
    "solve_pmedian",
    "solve_pmedian_gdf",
    "uncovered_firms",
    "within_cutoff",
]
