"""The location models: arrays in, :class:`Solution` out.

Every model takes a sparse (or dense) coverage or distance matrix and
per-demand / per-site arrays, and returns a :class:`Solution` with the
chosen sites, the objective, a valid bound and the gap between them. Exact
answers come from HiGHS; heuristics carry a Lagrangian or LP bound so their
gap is honest. Nothing here knows about layers, coordinates or geopandas:
the GeoDataFrame adapters live in :mod:`planning.adapters`.
"""

from ._errors import SpecificationError, TimeLimitError
from .backup import solve_backup_coverage
from .capacitated import solve_capacitated_coverage, solve_capacitated_location
from .frlm import refuelling_combinations, solve_flow_refuelling
from .lscp import solve_lscp
from .mclp import solve_mclp
from .pcenter import solve_pcenter
from .pdispersion import solve_pdispersion
from .pmedian import solve_pmedian
from .solution import Solution, Status, relative_gap
from .tradeoff import budget_curve, coverage_curve

__all__ = [
    "Solution",
    "SpecificationError",
    "Status",
    "TimeLimitError",
    "budget_curve",
    "coverage_curve",
    "refuelling_combinations",
    "relative_gap",
    "solve_backup_coverage",
    "solve_capacitated_coverage",
    "solve_capacitated_location",
    "solve_flow_refuelling",
    "solve_lscp",
    "solve_mclp",
    "solve_pcenter",
    "solve_pdispersion",
    "solve_pmedian",
]
