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
``"capacitated"``
    Charging only: ``n_sites`` stations of modular size (``piles_min`` to
    ``piles_max`` piles) serving the most daily charging sessions, a firm's
    sessions possibly split (:func:`planning.solve_capacitated_coverage`).
``"backup"``
    Redundant 5G for key firms: ``n_sites`` new sites maximising the key
    firms covered plus ``backup_weight`` times those covered twice, existing
    base stations counting (:func:`planning.solve_backup_coverage`). The key
    firms are chosen by ``key_firms`` (the digital-transformation list by
    default); the backup share counts only firms two sites can reach.
``"dispersion"``
    Spread pilot sites: ``n_sites`` candidates, each with a firm within its
    radius, maximising the smallest straight-line distance between two of
    them (:func:`planning.solve_pdispersion`).
``"single_source"``
    One station per firm: exactly ``n_sites`` new charging stations, each
    firm's sessions given wholly to one station with room (new ones hold
    ``piles_max`` piles), least session-weighted distance; demand no station
    can take is reported unserved (:func:`planning.solve_capacitated_location`
    with ``single_source=True, exact_p=True``).
``"corridors"``
    Truck corridors: ``n_sites`` charging stations along the routes between
    development zones letting the most flow complete its round trips within
    ``vehicle_range_km`` (:func:`planning.solve_flow_refuelling`); by road
    where the data has roads, else straight lines (see
    :mod:`planning.scenarios._corridors`). ``result.corridors`` lists them.

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
    KEY_FIRMS,
    MODEL_OBJECTIVES,
    OBJECTIVES,
    PROGRESS_MESSAGES,
    RADIUS_5G_M,
    UNSERVED_PENALTY,
    VEHICLE_RANGE_KM,
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
    "KEY_FIRMS",
    "MODEL_OBJECTIVES",
    "OBJECTIVES",
    "PROGRESS_MESSAGES",
    "RADIUS_5G_M",
    "UNSERVED_PENALTY",
    "VEHICLE_RANGE_KM",
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
