"""Thin helpers around HiGHS for sparse mixed-integer programmes.

Every siting model builds its matrices with :mod:`scipy.sparse` and hands
them to :func:`build_model` / :func:`run_model` (or :func:`solve_milp` for a
one-shot solve). The helpers set a time limit, pass a warm start, and return
the solution vector, objective, proven bound and status as a
:class:`MilpResult` value.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

Sense = Literal["min", "max"]
MilpStatus = Literal["optimal", "time_limit", "infeasible", "unbounded", "error"]


@dataclass(frozen=True)
class MilpResult:
    """Outcome of one HiGHS solve.

    Parameters
    ----------
    x
        Values of the variables of the best solution found, or None when no
        feasible solution was found.
    objective
        Objective value of ``x`` (``nan`` when ``x`` is None).
    bound
        Proven bound on the optimum (the MIP dual bound; for an LP, the
        optimal value). Upper bound when maximising, lower when minimising.
    status
        ``"optimal"``, ``"time_limit"`` (stopped early, ``x`` may be a
        feasible solution with a gap), ``"infeasible"``, ``"unbounded"`` or
        ``"error"``.
    seconds
        Wall-clock seconds spent in HiGHS.
    nodes
        Branch-and-bound nodes explored (0 for an LP).
    row_dual, col_dual
        Row duals and reduced costs of an LP solve, else None.
    """

    x: np.ndarray | None
    objective: float
    bound: float
    status: MilpStatus
    seconds: float
    nodes: int = 0
    row_dual: np.ndarray | None = None
    col_dual: np.ndarray | None = None


PRESOLVE_OFF: dict[str, Any] = {"presolve": "off"}
"""HiGHS options for large MIPs whose presolve would not stop at the time limit."""


@functools.cache
def _highspy() -> Any:
    import highspy

    _construct_quietly(highspy)
    return highspy


def _construct_quietly(hs: Any) -> None:
    """Create the process's first ``Highs`` object with standard output muted.

    HiGHS writes its licence banner to file descriptor 1 when the first solver
    object of a process is built, before any option (``output_flag``) can be
    set; that banner would otherwise land in notebooks and app logs.
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no usable descriptor 1: nothing to protect
        hs.Highs()
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            hs.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def build_model(
    c: np.ndarray,
    a: sp.spmatrix | sp.sparray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    *,
    col_lower: np.ndarray | None = None,
    col_upper: np.ndarray | None = None,
    integrality: np.ndarray | None = None,
    sense: Sense = "min",
    offset: float = 0.0,
) -> Any:
    """Return a silent :class:`highspy.Highs` holding a sparse model.

    The model is ``sense c @ x + offset`` subject to
    ``row_lower <= a @ x <= row_upper`` and ``col_lower <= x <= col_upper``.

    Parameters
    ----------
    c
        Objective coefficients, one per column.
    a
        Constraint matrix (rows x columns); any scipy sparse format.
    row_lower, row_upper
        Row bounds; use ``-inf`` / ``inf`` for one-sided rows.
    col_lower, col_upper
        Column bounds; default 0 and ``inf``.
    integrality
        Per column, 1 for integer and 0 for continuous; default all
        continuous (an LP).
    sense
        ``"min"`` or ``"max"``.
    offset
        Constant added to the objective.

    Returns
    -------
    highspy.Highs
        The model, ready for :func:`run_model`.
    """
    if sense not in ("min", "max"):
        msg = f"sense must be 'min' or 'max'; got {sense!r}"
        raise ValueError(msg)
    hs = _highspy()
    c = np.asarray(c, dtype=np.float64)
    n = c.size
    csr = sp.csr_array(a)
    if csr.shape[1] != n:
        msg = f"a must have one column per entry of c ({n}); got shape {csr.shape}"
        raise ValueError(msg)
    m = csr.shape[0]
    inf = math.inf
    lp = hs.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = m
    lp.col_cost_ = c
    lp.col_lower_ = np.zeros(n) if col_lower is None else np.asarray(col_lower, np.float64)
    lp.col_upper_ = np.full(n, inf) if col_upper is None else np.asarray(col_upper, np.float64)
    lp.row_lower_ = np.asarray(row_lower, np.float64)
    lp.row_upper_ = np.asarray(row_upper, np.float64)
    lp.offset_ = float(offset)
    lp.sense_ = hs.ObjSense.kMaximize if sense == "max" else hs.ObjSense.kMinimize
    lp.a_matrix_.format_ = hs.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = m
    lp.a_matrix_.start_ = csr.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csr.indices.astype(np.int32)
    lp.a_matrix_.value_ = csr.data.astype(np.float64)
    if integrality is not None:
        kinds = np.asarray(integrality)
        lp.integrality_ = [
            hs.HighsVarType.kInteger if k else hs.HighsVarType.kContinuous for k in kinds
        ]
    h = hs.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    return h


def run_model(
    h: Any,
    *,
    time_limit: float | None = None,
    start: np.ndarray | None = None,
    mip_rel_gap: float = 1e-9,
    options: dict[str, Any] | None = None,
) -> MilpResult:
    """Solve a model built by :func:`build_model` and return the outcome.

    Parameters
    ----------
    h
        The :class:`highspy.Highs` model; it can be modified and run again.
    time_limit
        Seconds HiGHS may spend, or None for no limit.
    start
        A feasible (or partial, with ``nan`` for free) column vector to start
        from; ignored for LPs.
    mip_rel_gap
        Relative gap at which a MIP counts as solved.
    options
        Further HiGHS options by name.

    Returns
    -------
    MilpResult
        Solution, objective, bound and status.
    """
    hs = _highspy()
    h.setOptionValue("time_limit", math.inf if time_limit is None else max(float(time_limit), 0.0))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    lp = h.getLp()
    is_mip = any(k != hs.HighsVarType.kContinuous for k in lp.integrality_)
    if is_mip and _FEASIBILITY_JUMP not in (options or {}):
        # the feasibility jump heuristic at the root polls no interrupt; its work
        # grows with the nonzeros: run it only when the time left allows for it
        room = time_limit is None or time_limit >= _JUMP_SECONDS_PER_NONZERO * h.getNumNz()
        h.setOptionValue(_FEASIBILITY_JUMP, bool(room))
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    if start is not None and is_mip:
        start = np.asarray(start, dtype=np.float64)
        known = np.flatnonzero(~np.isnan(start)).astype(np.int32)
        h.setSolution(int(known.size), known, start[known])
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    return _result(h, lp, is_mip, seconds)


ROOT_SECONDS_PER_NONZERO = 1e-5
"""Least time left, per nonzero of its matrix, for a time-limited LP relaxation or MILP
to be started. HiGHS 1.16 sets a model up (and solves a MIP's root LP) without polling
its interrupt: the 2 million nonzeros of a 100,000 x 10,000 covering model ran 3.4 s past
it, the 4 million of 3,200 x 320 single-source pairs 3 s, a 200,000 x 20,000 backup LP
1 s past a limit of 0.3 s. Short of the time, callers answer with their heuristic and a
bound of their own."""

_FEASIBILITY_JUMP = "mip_heuristic_run_feasibility_jump"

_JUMP_SECONDS_PER_NONZERO = 1e-5
"""Time HiGHS 1.16's feasibility jump may take per nonzero of a MIP: its effort limit
is a multiple of the nonzeros and no interrupt stops it (5-7 s on 0.8 and 2 million
nonzeros of flow refuelling and equity models); with less time left it is skipped."""


def _result(h: Any, lp: Any, is_mip: bool, seconds: float) -> MilpResult:
    hs = _highspy()
    ms = h.getModelStatus()
    info = h.getInfo()
    maximise = lp.sense_ == hs.ObjSense.kMaximize
    status: MilpStatus
    if ms == hs.HighsModelStatus.kOptimal:
        status = "optimal"
    elif ms in (hs.HighsModelStatus.kInfeasible,):
        status = "infeasible"
    elif ms in (hs.HighsModelStatus.kUnbounded, hs.HighsModelStatus.kUnboundedOrInfeasible):
        status = "unbounded"
    elif ms in (
        hs.HighsModelStatus.kTimeLimit,
        hs.HighsModelStatus.kIterationLimit,
        hs.HighsModelStatus.kSolutionLimit,
        hs.HighsModelStatus.kInterrupt,
        hs.HighsModelStatus.kObjectiveBound,
        hs.HighsModelStatus.kObjectiveTarget,
    ):
        status = "time_limit"
    else:
        status = "error"
    has_x = info.primal_solution_status == 2  # kSolutionStatusFeasible
    sol = h.getSolution()
    x = np.asarray(sol.col_value, dtype=np.float64) if has_x else None
    objective = float(info.objective_function_value) if has_x else math.nan
    if is_mip:
        bound = float(info.mip_dual_bound)
        nodes = int(info.mip_node_count)
        row_dual = col_dual = None
    else:
        bound = objective if status == "optimal" else (math.inf if maximise else -math.inf)
        nodes = 0
        dual_ok = bool(sol.dual_valid)
        row_dual = np.asarray(sol.row_dual, dtype=np.float64) if dual_ok else None
        col_dual = np.asarray(sol.col_dual, dtype=np.float64) if dual_ok else None
    if status == "infeasible":
        bound = -math.inf if maximise else math.inf
    if not math.isfinite(bound) and status == "optimal" and has_x:
        bound = objective
    return MilpResult(x, objective, bound, status, seconds, nodes, row_dual, col_dual)


def solve_milp(
    c: np.ndarray,
    a: sp.spmatrix | sp.sparray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    *,
    col_lower: np.ndarray | None = None,
    col_upper: np.ndarray | None = None,
    integrality: np.ndarray | None = None,
    sense: Sense = "min",
    offset: float = 0.0,
    time_limit: float | None = None,
    start: np.ndarray | None = None,
    mip_rel_gap: float = 1e-9,
    options: dict[str, Any] | None = None,
) -> MilpResult:
    """Build and solve a sparse MILP (or LP) on HiGHS in one call.

    Parameters are those of :func:`build_model` and :func:`run_model`.

    Returns
    -------
    MilpResult
        Solution, objective, bound and status.
    """
    t0 = time.perf_counter()
    h = build_model(
        c,
        a,
        row_lower,
        row_upper,
        col_lower=col_lower,
        col_upper=col_upper,
        integrality=integrality,
        sense=sense,
        offset=offset,
    )
    if time_limit is not None:
        interrupt_at(h, t0 + time_limit)
        time_limit = max(t0 + time_limit - time.perf_counter(), 0.0)
    return run_model(
        h, time_limit=time_limit, start=start, mip_rel_gap=mip_rel_gap, options=options
    )


def solve_milp_checked(
    c: np.ndarray,
    a: sp.csr_array,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    *,
    start: np.ndarray | None,
    time_limit: float | None,
    options: dict[str, Any] | None = None,
    root_seconds_per_nonzero: float = 0.0,
    **kwargs: Any,
) -> MilpResult:
    """Solve a MILP on HiGHS with a warm start and a wall-clock deadline.

    Two guards around HiGHS 1.16: its own time limit is not checked inside
    some root-node phases (seen running more than six times over on large
    partial-covering models), so an interrupt callback also stops it at the
    deadline; and after presolve it can accept a user start and report it
    as optimal with a wrong objective value and bound (seen on small partial
    covering models), so the objective of the returned ``x`` is recomputed
    and, on a mismatch, the model is solved again without the start. Some
    presolve work is not interrupted at all (a backup-coverage model of
    200,000 x 20,000 and a p-dispersion check on 2,000 sites ran 6 and 1.5
    times past the limit); :data:`PRESOLVE_OFF` in ``options`` avoids it.

    Parameters
    ----------
    c, a, row_lower, row_upper
        The model, as for :func:`planning.models._highs.build_model`.
    start
        Feasible start vector, or None.
    time_limit
        Seconds allowed in total, or None.
    options
        Further HiGHS options by name (see :func:`run_model`).
    root_seconds_per_nonzero
        Under a time limit, a MIP starts only with at least this many seconds
        per nonzero left once it is built: the root LP of a large covering
        model can run seconds past an interrupt (HiGHS 1.16 polls it rarely
        there), and without time to get past the root the MIP finds nothing.
    **kwargs
        Further arguments of :func:`planning.models._highs.build_model`.

    Returns
    -------
    MilpResult
        The outcome of the (last) solve.
    """
    t0 = time.perf_counter()
    kwargs = {**kwargs, "_options": options, "_root": root_seconds_per_nonzero}
    res = _run_with_deadline(c, a, row_lower, row_upper, start, time_limit, kwargs)
    if start is None or res.x is None:
        return res
    true = float(c @ res.x)
    if abs(true - res.objective) <= 1e-6 * max(1.0, abs(true)):
        return res
    left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.0)
    return _run_with_deadline(c, a, row_lower, row_upper, None, left, kwargs)


def _run_with_deadline(
    c: np.ndarray,
    a: sp.csr_array,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    start: np.ndarray | None,
    time_limit: float | None,
    kwargs: dict[str, Any],
) -> MilpResult:
    kwargs = dict(kwargs)
    options = kwargs.pop("_options", None)
    root = kwargs.pop("_root", 0.0)
    maximise = kwargs.get("sense", "min") == "max"
    if time_limit is not None and time_limit <= _SETUP_SECONDS_PER_ENTRY * (a.nnz + c.size):
        return _not_run(maximise)  # not even the model would be built in time
    t0 = time.perf_counter()
    h = build_model(c, a, row_lower, row_upper, **kwargs)
    if time_limit is not None:
        # building the model (seconds on large ones) counts against the limit, and
        # HiGHS's own set-up, which no interrupt stops, takes about as long again:
        # with less time than half of that left, it is not started at all
        built = time.perf_counter() - t0
        deadline = t0 + time_limit
        time_limit = max(deadline - time.perf_counter(), 0.0)
        if time_limit < 0.5 * built:
            return _not_run(maximise)
        mip = kwargs.get("integrality") is not None and bool(np.any(kwargs["integrality"]))
        if mip and time_limit < root * a.nnz:
            return _not_run(maximise)
        interrupt_at(h, deadline)
    return run_model(h, time_limit=time_limit, start=start, options=options)


_SETUP_SECONDS_PER_ENTRY = 1e-7
"""A rough lower estimate of building a model and HiGHS's set-up, per nonzero and column."""


def _not_run(maximise: bool) -> MilpResult:
    """Return the result of a solve that the time limit left no time to start."""
    return MilpResult(None, math.nan, math.inf if maximise else -math.inf, "time_limit", 0.0)


def interrupt_at(h: Any, deadline: float) -> None:
    """Make HiGHS stop at a ``time.perf_counter()`` deadline, wherever it is.

    HiGHS 1.16 does not check its own ``time_limit`` in some phases; the
    interrupt callbacks of the MIP, simplex and interior-point solvers do
    stop it. Attach once per model object (a later deadline needs a new
    model, since callbacks accumulate).
    """

    def stop(event: Any) -> None:
        if time.perf_counter() > deadline:
            event.interrupt()

    h.cbMipInterrupt += stop
    h.cbSimplexInterrupt += stop
    h.cbIpmInterrupt += stop
