"""A second iterated local search in a helper process, on the machine's other core.

A long maximal-covering search is a single-threaded Python loop; on a machine
with two or more cores a second, independent search (another seed, another
acceptance rule) runs beside it in a child interpreter and the better of the
two answers is kept: a portfolio of two searches, so that one trajectory's
luck decides less of the answer.

The child is a plain interpreter running this file, not a :mod:`multiprocessing`
one: it never imports the caller's main module (a script, a notebook or an app
server) nor the ``planning`` package (only numpy, scipy and the search module,
read from its file), and it shares nothing but the pipe that brings it the
matrix and takes back its answer. It stops at the caller's deadline on its own
and is killed if it does not; it stops early when the caller's process has ended.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import time
from typing import Any

import numpy as np
import scipy.sparse as sp


def cores() -> int:
    """Return the number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def spare_core() -> bool:
    """Return whether a core is free for a helper beside this process's own work.

    When other work keeps the other cores busy (a batch run on every core,
    several app users' runs at once), a helper would only slow the caller's
    search down. On Linux the kernel's count of runnable tasks at this moment
    tells (this process is one of them; a helper of an earlier call, already
    ended, is not, as it would be in the load average); elsewhere the load
    average does.
    """
    n = cores()
    if n < 2:
        return False
    try:
        with open("/proc/loadavg", encoding="ascii") as fh:
            running = int(fh.read().split()[3].split("/")[0])
        return running - 1 <= n - 2
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.getloadavg()[0] <= n - 0.5
    except (AttributeError, OSError):  # not known on this system
        return True


class SearchWorker:
    """An iterated local search running in a child process until a wall-clock deadline."""

    def __init__(
        self,
        csr: sp.csr_array,
        weights: np.ndarray,
        p: int,
        start: np.ndarray,
        *,
        deadline: float,
        options: dict[str, Any],
    ) -> None:
        a = sp.csr_array(csr)
        payload = {
            "indptr": a.indptr,
            "indices": a.indices,
            "shape": a.shape,
            "weights": np.asarray(weights, dtype=np.float64),
            "p": int(p),
            "start": np.asarray(start, dtype=np.int64),
            "deadline": float(deadline),
            "options": options,
        }
        self._process = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        pipe = self._process.stdin
        assert pipe is not None
        self._process.stdin = None  # written and closed here, not by communicate()
        try:
            pickle.dump(payload, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:  # the child died at once: it gives no answer
            self.stop()
        finally:
            with contextlib.suppress(OSError):  # a broken pipe may not flush
                pipe.close()

    def result(self, deadline: float) -> tuple[np.ndarray, float, dict[str, Any], list[Any]] | None:
        """Return the child's (columns, value, statistics, elite), or None.

        Waits until about ``deadline`` (a :func:`time.time` value) and a little
        after; a child that has not answered by then is killed.
        """
        try:
            out, _ = self._process.communicate(timeout=max(deadline - time.time(), 0.0) + 1.0)
        except (subprocess.TimeoutExpired, OSError, ValueError):
            self.stop()
            return None
        if self._process.returncode != 0 or not out:
            return None
        try:
            answer = pickle.loads(out)  # our own child's answer
        except (pickle.UnpicklingError, EOFError, ValueError):
            return None
        return answer["columns"], answer["value"], answer["stats"], answer["elite"]

    def stop(self) -> None:
        """Kill the child if it still runs, and reap it."""
        if self._process.poll() is None:
            self._process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=5.0)


HELPER_SECONDS = 8.0
"""Least search time for which a helper search is started (its start-up is paid once)."""

HELPER_OPTIONS: dict[str, Any] = {"seed": 1, "kappa": 0.5}
"""How the helper's search differs from the caller's: another seed and one acceptance
threshold, close to the best, throughout (on the synthetic cities neither this nor the
0.5 / 1.0 schedule was better on every instance; together they were)."""


def paired_search(
    csr: sp.csr_array,
    weights: np.ndarray,
    p: int,
    start: np.ndarray,
    *,
    time_limit: float,
    elite: list[tuple[float, np.ndarray]],
    options: dict[str, Any],
) -> tuple[np.ndarray, float, dict[str, Any]]:
    """Run the iterated local search here and, when worth it, a second one beside it.

    Takes the arguments of :func:`planning.models._mclp_ils.iterated_swap_search`
    (``options`` its keyword arguments besides ``time_limit`` and ``elite``).
    The helper runs with :data:`HELPER_OPTIONS` instead of the seed and
    acceptance of ``options``; the better answer is returned, the statistics
    say which (``helper``), and the helper's elite joins ``elite``.
    """
    from ._mclp_ils import iterated_swap_search

    deadline = time.time() + time_limit
    started = time_limit >= HELPER_SECONDS and spare_core()
    worker = None
    if started:
        try:
            helper = {**options, **HELPER_OPTIONS}
            worker = SearchWorker(csr, weights, p, start, deadline=deadline, options=helper)
        except OSError:  # no interpreter to start (an embedded Python, a locked-down system)
            worker = None
    try:
        best, value, stats = iterated_swap_search(
            csr, weights, p, start, time_limit=time_limit, elite=elite, **options
        )
        other = None if worker is None else worker.result(deadline)
    finally:
        if worker is not None:
            worker.stop()
    if worker is None:
        if started:
            stats["helper"] = "not started"
        return best, value, stats
    stats["helper"] = "no answer" if other is None else "kept" if other[1] > value else "behind"
    if other is None:
        return best, value, stats
    cols, other_value, other_stats, other_elite = other
    stats["helper_value"] = other_value
    stats["helper_iterations"] = other_stats.get("iterations", 0)
    for v, c in other_elite:
        if not any(np.array_equal(c, e) for _, e in elite):
            elite.append((v, np.asarray(c, dtype=np.int64)))
    elite.sort(key=lambda t: -t[0])
    if other_value > value:
        return np.asarray(cols, dtype=np.int64), other_value, stats
    return best, value, stats


def _main() -> None:
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_mclp_ils.py")
    spec = importlib.util.spec_from_file_location("_infrasite_mclp_ils", path)
    assert spec is not None and spec.loader is not None
    search = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(search)
    payload = pickle.load(sys.stdin.buffer)  # written by our own parent
    a = sp.csr_array(
        (np.ones(payload["indices"].size, dtype=bool), payload["indices"], payload["indptr"]),
        shape=payload["shape"],
    )
    elite: list[tuple[float, np.ndarray]] = []
    seconds = max(payload["deadline"] - time.time(), 0.0)
    parent = os.getppid()
    columns, value, stats = search.iterated_swap_search(
        a,
        payload["weights"],
        payload["p"],
        payload["start"],
        time_limit=seconds,
        elite=elite,
        stop=lambda: os.getppid() != parent,  # the caller is gone: nobody waits for this
        **payload["options"],
    )
    answer = {"columns": columns, "value": value, "stats": stats, "elite": elite}
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _main()
