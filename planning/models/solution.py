"""The :class:`Solution` value every siting model returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

Status = Literal["optimal", "feasible", "time_limit", "infeasible"]


@dataclass(frozen=True)
class Solution:
    """A siting proposal and how good it provably is.

    Parameters
    ----------
    selected
        Sorted indices of the chosen sites (new and required ones; existing
        sites are not listed).
    objective
        Objective value of ``selected`` (covered weight, total weighted
        distance, number or cost of sites, ...).
    bound
        Proven bound on the best possible objective: an upper bound when
        maximising, a lower bound when minimising.
    gap
        Relative optimality gap ``|bound - objective| / max(|objective|, eps)``;
        0 when proven optimal.
    status
        ``"optimal"``, ``"feasible"`` (a solution with a gap, e.g. from the
        heuristic), ``"time_limit"`` (stopped by the time limit with a gap) or
        ``"infeasible"``.
    seconds
        Wall-clock time spent, including reductions.
    sense
        ``"max"`` or ``"min"``: the direction of the objective.
    method
        What produced the answer (``"milp"``, ``"greedy+swap"``, ...).
    covered
        Per demand point, whether it is covered (coverage models) or served
        (distance models), or None.
    assignment
        Per demand point, the index of the site serving it (-1 for none), or
        None. For capacitated models, the site serving the largest share.
    marginal
        Per selected site (same order as ``selected``), what the objective
        would lose if that site alone were removed: for coverage models the
        demand weight only that site covers.
    details
        Model-specific extras (e.g. uncoverable demand, allocation matrix).
    """

    selected: np.ndarray
    objective: float
    bound: float
    gap: float
    status: Status
    seconds: float
    sense: Literal["max", "min"]
    method: str
    covered: np.ndarray | None = None
    assignment: np.ndarray | None = None
    marginal: np.ndarray | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def optimal(self) -> bool:
        """True when the solution is proven optimal."""
        return self.status == "optimal"

    def sites_frame(self) -> pd.DataFrame:
        """Return one row per selected site with its marginal contribution."""
        data: dict[str, Any] = {"site": self.selected}
        if self.marginal is not None:
            data["marginal"] = self.marginal
        return pd.DataFrame(data)

    def __repr__(self) -> str:
        return (
            f"Solution(status={self.status!r}, sites={len(self.selected)}, "
            f"objective={self.objective:.6g}, bound={self.bound:.6g}, gap={self.gap:.3%}, "
            f"method={self.method!r}, seconds={self.seconds:.2f})"
        )


def relative_gap(objective: float, bound: float) -> float:
    """Return ``|bound - objective| / max(|objective|, 1e-9)``, clipped at 0."""
    return max(0.0, abs(bound - objective) / max(abs(objective), 1e-9))
