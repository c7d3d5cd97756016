"""Siting scenarios: a planner's question, the model that answers it, and the result.

A :class:`ScenarioSpec` states the question in planning terms (build 5G base
stations or charging stations; cover the most demand with N sites or within a
budget, reach a coverage target with the fewest sites, or minimise the
average distance; what demand means; which candidate sites are allowed;
whether existing sites count). :func:`run_scenario` turns it into a coverage
or distance matrix, calls the matching solver of :mod:`planning`, and returns a
:class:`ScenarioResult` with the proposed sites, the firms they newly serve,
before/after indicators per county and development zone, and a trade-off
curve. :func:`compare_scenarios` puts several results side by side.

Objectives
----------
``"max_coverage"``
    Maximal covering location problem: the ``n_sites`` new sites that cover
    the most demand weight (:func:`planning.solve_mclp`).
``"budget"``
    The same, with each candidate's ``cost_cny`` and a total budget
    ``budget_cny`` instead of a number of sites.
``"min_sites"``
    Set covering: the fewest new sites that bring covered demand to
    ``coverage_target`` (a share of all demand weight) or, when that is out of
    reach, cover all coverable demand (:func:`planning.solve_lscp`).
``"min_distance"``
    p-median: ``n_sites`` new sites minimising the total demand-weighted
    distance from each firm to its nearest site, counting only pairs within
    the service radius (:func:`planning.solve_pmedian` on a sparse
    distance-within-cutoff matrix). Firms with no candidate or existing site
    within the radius are left out and reported as unreachable; a reachable
    firm that no chosen site serves costs :data:`UNSERVED_PENALTY` times the
    radius, so the model first serves as much demand as it can.

Demand
------
``"firms"`` counts every enterprise once; ``"employees"``, ``"output_value"``,
``"energy_use"`` and ``"ev_fleet"`` weight each firm by that column. A mapping
``{column: weight}`` mixes columns: each column is first divided by its total
(so it sums to 1 over all firms; ``"firms"`` is the uniform 1/n) and the
normalised columns are added with the given weights, themselves rescaled to
sum to 1. A mix therefore has total weight 1 and is independent of the units
of its columns.

Service radius
--------------
The default radii are planning-level estimates, not engineering standards;
pass ``radius_m`` to use your own. For 5G they are rounded from the median
urban-macro NLOS cell radius of the 3GPP TR 38.901 path-loss model at a
130 dB link budget (about 1.15 km at 700 MHz, 585 m at 2.6 GHz, 500 m at
3.5 GHz and 420 m at 4.9 GHz), a little smaller at the higher bands to leave
room for building penetration. For charging, 2 km (or 5 minutes' drive)
suits industrial parks; urban-core plans aim at under 1 km. Existing base
stations always cover their own ``radius_m``.
"""

from ._inputs import demand_weights
from .compare import compare_scenarios
from .run import ScenarioResult, run_scenario
from .spec import (
    CHARGING_RADIUS_M,
    CHARGING_TRAVEL_MINUTES,
    CURVE_POINTS,
    DEFAULT_5G_BAND,
    DEFAULT_CURVE_SECONDS,
    DEMANDS,
    DISTANCES,
    INFRASTRUCTURES,
    OBJECTIVES,
    PROGRESS_MESSAGES,
    RADIUS_5G_M,
    UNSERVED_PENALTY,
    DistanceMode,
    Infrastructure,
    Objective,
    Progress,
    ScenarioSpec,
    default_radius,
)

__all__ = [
    "CHARGING_RADIUS_M",
    "CHARGING_TRAVEL_MINUTES",
    "CURVE_POINTS",
    "DEFAULT_5G_BAND",
    "DEFAULT_CURVE_SECONDS",
    "DEMANDS",
    "DISTANCES",
    "INFRASTRUCTURES",
    "OBJECTIVES",
    "PROGRESS_MESSAGES",
    "RADIUS_5G_M",
    "UNSERVED_PENALTY",
    "DistanceMode",
    "Infrastructure",
    "Objective",
    "Progress",
    "ScenarioResult",
    "ScenarioSpec",
    "compare_scenarios",
    "default_radius",
    "demand_weights",
    "run_scenario",
]
