"""An upper bound for backup coverage without its LP: Lagrangian relaxation of the cover rows.

Private to :mod:`planning.models.backup`. The LP relaxation of a large
model takes longer than most time limits (about 30 s for 200,000 points and
20,000 sites), but any multipliers ``pi_i >= 0`` of the rows
``y_i + u_i <= e_i + a_i x`` (first and second cover of point ``i``), ``lam``
of the cost row and ``kappa`` of the count row give a valid bound: each
point and each site is then optimised on its own. Subgradient steps lower
the bound towards the LP's.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

_ITERATIONS = 1000
"""Most subgradient steps."""

_HALVE_AFTER = 10
"""Steps without a better bound before the step size is halved."""


def lagrangian_bound(model: Any, lower: float, deadline: float) -> float:
    """Return an upper bound on the best value of the model (``inf`` without time for it).

    Parameters
    ----------
    model
        The :class:`planning.models.backup._Model`.
    lower
        The value of a known answer: it sets the step sizes.
    deadline
        ``time.perf_counter()`` time by which to stop.
    """
    w1 = np.where(model.reach >= 1, model.w1, 0.0)
    w2 = model.beta * model.w * (model.reach >= 2)  # no second cover where one site reaches
    must = model.must if model.cover_all else np.zeros(w1.size, dtype=bool)
    e = model.ecount.astype(np.float64)
    forced = np.zeros(model.a.shape[1], dtype=bool)
    forced[model.req] = True
    forced = forced[model.cand]
    sites = _Sites(model.c[model.cand], forced, model.limit, model.p)
    pi = np.zeros(w1.size)
    best = math.inf
    step, stale = 2.0, 0
    full = np.zeros(model.a.shape[1])
    for _ in range(_ITERATIONS):
        if time.perf_counter() >= deadline:
            break
        # each point on its own: y (forced to 1 where it must be covered) and u
        y = np.where(must, 1.0, (w1 > pi).astype(np.float64))
        u = (w2 > pi).astype(np.float64)
        rows = pi * e + np.where(must, -pi, np.maximum(w1 - pi, 0.0)) + np.maximum(w2 - pi, 0.0)
        # the sites: the best fractional choice under the cost or count row
        x, gain = sites.best(np.asarray(model.at @ pi).ravel()[model.cand])
        value = float(rows.sum()) + gain
        if value < best - 1e-12 * max(1.0, abs(value)):
            best, stale = value, 0
        else:
            stale += 1
            if stale >= _HALVE_AFTER:
                step, stale = step / 2, 0
        full[model.cand] = x
        g = e + np.asarray(model.af @ full).ravel() - y - u
        g[(pi <= 0) & (g > 0)] = 0.0  # multipliers at zero that would turn negative stay
        norm = float(g @ g)
        if norm <= 1e-12 or step < 1e-4:
            break
        pi = np.maximum(pi - step * max(value - lower, 1e-9 * max(1.0, abs(value))) / norm * g, 0)
    return best


class _Sites:
    """The sites' part of the relaxation: ``max s @ x`` over ``x`` in [0, 1] (1 where forced).

    With a cost limit and a count ``p`` both, the one that gives the lower
    value is kept (each alone already bounds the value under both).
    """

    def __init__(self, c: np.ndarray, forced: np.ndarray, limit: float, p: int | None) -> None:
        self.c = c
        self.forced = forced
        self.free = np.flatnonzero(~forced)
        self.budget = limit - float(c[forced].sum()) if math.isfinite(limit) else None
        self.slots = None if p is None else max(p - int(forced.sum()), 0)

    def best(self, s: np.ndarray) -> tuple[np.ndarray, float]:
        x = self.forced.astype(np.float64)
        pos = self.free[s[self.free] > 0]
        if self.budget is None and self.slots is None:
            x[pos] = 1.0
            return x, float(s @ x)
        options = []
        if self.slots is not None:
            top = pos
            if pos.size > self.slots:  # the slots largest values, in any order
                top = pos[np.argpartition(-s[pos], self.slots)[: self.slots]]
            xs = x.copy()
            xs[top] = 1.0
            options.append((float(s @ xs), xs))
        if self.budget is not None:
            c = self.c[pos]
            order = pos[np.argsort(-s[pos] / np.maximum(c, 1e-300), kind="stable")]
            spent = np.cumsum(self.c[order]) - self.c[order]
            room = np.maximum(self.budget, 0.0) - spent
            cost = self.c[order]
            take = np.where(cost > 0, np.clip(room / np.maximum(cost, 1e-300), 0.0, 1.0), 1.0)
            xb = x.copy()
            xb[order] = take
            options.append((float(s @ xb), xb))
        value, xo = min(options, key=lambda o: o[0])
        return xo, value
