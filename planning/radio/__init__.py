"""5G cell radius from a link budget: 3GPP TR 38.901 path loss and planning margins.

The functions here turn "a 3.5 GHz site on a 35 m mast in farmland" into a
planning radius in metres. They implement, from 3GPP TR 38.901 (V17):

* the path-loss models of Table 7.4.1-1 for the urban macro (``"uma"``),
  urban micro street canyon (``"umi"``) and rural macro (``"rma"``)
  scenarios, line of sight (LOS) and non line of sight (NLOS), with their
  validity ranges enforced (:func:`path_loss`);
* the LOS probability of Table 7.4.2-1 (:func:`los_probability`);
* the outdoor-to-indoor penetration loss of §7.4.3, low- and high-loss
  buildings (:func:`o2i_loss`);
* the shadow-fading standard deviations of Table 7.4.1-1, turned into a
  margin for a chosen cell-edge coverage probability (:func:`fading_margin`).

:class:`LinkBudget` adds transmit power, antenna gains, bandwidth, noise
figure and the required RSRP; :func:`cell_radius` solves the 2-D distance
at which the budget is exactly met. :func:`classify_environment` says
whether a site stands in an urban, county-seat or rural setting from the
firm density around it.

All defaults (:data:`BAND_DEFAULTS`, :data:`ENVIRONMENTS`) are planning-level
estimates (est.), not operator data; every one is a parameter.

Simplifications, stated once: the UMa effective environment height is
``h_E = 1 m`` (exact for user heights below 13 m, where 38.901 sets the
probability of other values to zero); the UMa and UMi formulas were
calibrated at base-station heights of 25 m and 10 m — other heights change
only the breakpoint and the 3-D distance and are accepted within
:data:`HEIGHT_RANGE_M`.
"""

from .budget import (
    BAND_DEFAULTS,
    COUNTY_SEAT_MIN_FIRMS,
    DENSITY_RADIUS_M,
    ENVIRONMENTS,
    SOURCE_HEIGHT_M,
    URBAN_MIN_FIRMS,
    Environment,
    LinkBudget,
    cell_radius,
    classify_environment,
    link_budget,
    radius_table,
)
from .pathloss import (
    BAND_FREQUENCY_GHZ,
    FREQUENCY_RANGE_GHZ,
    HEIGHT_RANGE_M,
    MAX_DISTANCE_M,
    MIN_DISTANCE_M,
    MODELS,
    SHADOW_FADING_DB,
    SPEED_OF_LIGHT,
    UE_HEIGHT_RANGE_M,
    LosState,
    Model,
    breakpoint_distance,
    fading_margin,
    los_probability,
    o2i_loss,
    path_loss,
)

__all__ = [
    "BAND_DEFAULTS",
    "BAND_FREQUENCY_GHZ",
    "COUNTY_SEAT_MIN_FIRMS",
    "DENSITY_RADIUS_M",
    "ENVIRONMENTS",
    "FREQUENCY_RANGE_GHZ",
    "HEIGHT_RANGE_M",
    "MAX_DISTANCE_M",
    "MIN_DISTANCE_M",
    "MODELS",
    "SHADOW_FADING_DB",
    "SOURCE_HEIGHT_M",
    "SPEED_OF_LIGHT",
    "UE_HEIGHT_RANGE_M",
    "URBAN_MIN_FIRMS",
    "Environment",
    "LinkBudget",
    "LosState",
    "Model",
    "breakpoint_distance",
    "cell_radius",
    "classify_environment",
    "fading_margin",
    "link_budget",
    "los_probability",
    "o2i_loss",
    "path_loss",
    "radius_table",
]
