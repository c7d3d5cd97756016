"""Siting engine for InfraSite: coverage, location models, scenarios and maps.

Layers, from the bottom: :mod:`planning.models` (arrays in, a
:class:`Solution` with a proven bound and gap out), :mod:`planning.distances`
(straight-line and road coverage / distance matrices), and the workflows that
speak :class:`geodata.PlanningData` on top (:mod:`planning.adapters`,
:mod:`planning.indicators`, :mod:`planning.scenarios`, :mod:`planning.export`,
:mod:`planning.maps`). The public names below are re-exported from them.
"""

from .adapters import (
    solve_capacitated_coverage_gdf,
    solve_lscp_gdf,
    solve_mclp_gdf,
    solve_pcenter_gdf,
    solve_pmedian_gdf,
)
from .adapters_more import (
    flow_paths,
    solve_backup_coverage_gdf,
    solve_capacitated_location_gdf,
    solve_flow_refuelling_graph,
    solve_pdispersion_gdf,
)
from .distances import (
    RoadDistances,
    RoadNetwork,
    coverage_classes,
    coverage_matrix,
    coverage_matrix_gdf,
    distance_matrix,
    distance_matrix_gdf,
    prepare_roads,
    road_coverage_matrix,
    road_coverage_matrix_gdf,
    road_distance_matrix,
    road_distance_matrix_gdf,
    road_distances,
    within_cutoff,
)
from .export import export_scenario
from .indicators import coverage_stats, coverage_status, uncovered_firms
from .models import (
    Solution,
    SpecificationError,
    TimeLimitError,
    budget_curve,
    coverage_curve,
    refuelling_combinations,
    relative_gap,
    solve_backup_coverage,
    solve_capacitated_coverage,
    solve_capacitated_location,
    solve_flow_refuelling,
    solve_lscp,
    solve_mclp,
    solve_pcenter,
    solve_pdispersion,
    solve_pmedian,
)
from .scenarios import (
    ScenarioResult,
    ScenarioSpec,
    compare_scenarios,
    default_radius,
    run_scenario,
)

__all__ = [
    "RoadDistances",
    "RoadNetwork",
    "ScenarioResult",
    "ScenarioSpec",
    "Solution",
    "SpecificationError",
    "TimeLimitError",
    "budget_curve",
    "compare_scenarios",
    "coverage_classes",
    "coverage_curve",
    "coverage_matrix",
    "coverage_matrix_gdf",
    "coverage_stats",
    "coverage_status",
    "default_radius",
    "distance_matrix",
    "distance_matrix_gdf",
    "export_scenario",
    "flow_paths",
    "prepare_roads",
    "refuelling_combinations",
    "relative_gap",
    "road_coverage_matrix",
    "road_coverage_matrix_gdf",
    "road_distance_matrix",
    "road_distance_matrix_gdf",
    "road_distances",
    "run_scenario",
    "solve_backup_coverage",
    "solve_backup_coverage_gdf",
    "solve_capacitated_coverage",
    "solve_capacitated_coverage_gdf",
    "solve_capacitated_location",
    "solve_capacitated_location_gdf",
    "solve_flow_refuelling",
    "solve_flow_refuelling_graph",
    "solve_lscp",
    "solve_lscp_gdf",
    "solve_mclp",
    "solve_mclp_gdf",
    "solve_pcenter",
    "solve_pcenter_gdf",
    "solve_pdispersion",
    "solve_pdispersion_gdf",
    "solve_pmedian",
    "solve_pmedian_gdf",
    "uncovered_firms",
    "within_cutoff",
]
