"""Province- and national-scale work on a Dask cluster (``pip install 'infrasite[dask]'``).

Nothing here is needed on one machine: the engine runs as before without it.
With a ``dask.distributed`` cluster:

- :func:`tiled_coverage_matrix` / :func:`tiled_distance_matrix` build the
  matrices of very large inputs by spatial tiles (each tile's demand points
  against the sites within the tile grown by the radius), identical to
  :func:`planning.coverage_matrix` / :func:`planning.distance_matrix`, with
  the memory per worker set by the tile size;
- :func:`fan_out` runs the scenarios of a study on the workers, the data
  scattered once, the results gathered in order (a runner for
  :func:`planning.batch.run_study`, which goes city by city);
- :func:`connect` starts a local cluster (``"local"``) or connects to a
  scheduler (``"tcp://host:8786"``).

Dask is imported only when a cluster is used; without it the functions raise
an ImportError naming the ``dask`` extra.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from ._tiles import (
    DEFAULT_TILE_POINTS,
    Tile,
    default_tile_m,
    plan_tiles,
    tile_block,
    tile_pairs,
    tiled_coverage_matrix,
    tiled_distance_matrix,
)

__all__ = [
    "DEFAULT_TILE_POINTS",
    "Tile",
    "connect",
    "default_tile_m",
    "fan_out",
    "plan_tiles",
    "require_dask",
    "tile_block",
    "tile_pairs",
    "tiled_coverage_matrix",
    "tiled_distance_matrix",
]

EXTRA_HINT = "install the extra with `pip install 'infrasite[dask]'` (dask and distributed)"


def require_dask() -> Any:
    """Return the ``distributed`` module, or raise an ImportError naming the extra."""
    try:
        import distributed
    except ImportError as exc:
        msg = f"Dask is needed for cluster runs: {EXTRA_HINT}"
        raise ImportError(msg) from exc
    return distributed


@contextlib.contextmanager
def connect(
    cluster: str,
    *,
    n_workers: int = 2,
    threads_per_worker: int = 1,
    memory_limit: str | float | None = "auto",
    timeout: float = 10.0,
) -> Iterator[Any]:
    """Open a Dask client for ``cluster``; close it (and a local cluster) on exit.

    Parameters
    ----------
    cluster
        ``"local"`` starts a :class:`distributed.LocalCluster` of worker
        processes on this machine (loopback only); ``"tcp://host:port"``
        connects to a running scheduler.
    n_workers, threads_per_worker, memory_limit
        Of a local cluster.
    timeout
        Seconds to wait for the scheduler.

    Yields
    ------
    distributed.Client

    Raises
    ------
    ImportError
        If dask is not installed (names the extra).
    ValueError
        If ``cluster`` is neither ``"local"`` nor a ``tcp://`` address.
    ConnectionError
        If the scheduler cannot be reached in time.
    """
    distributed = require_dask()
    if cluster == "local":
        local = distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads_per_worker,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit=memory_limit,
        )
        try:
            with distributed.Client(local) as client:
                yield client
        finally:
            local.close()
        return
    if not (isinstance(cluster, str) and cluster.startswith(("tcp://", "tls://"))):
        msg = (
            "cluster must be 'local' or a scheduler address like 'tcp://host:8786'; "
            f"got {cluster!r}"
        )
        raise ValueError(msg)
    try:
        client = distributed.Client(cluster, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        msg = f"cannot reach the Dask scheduler at {cluster} within {timeout:g} s: {exc}"
        raise ConnectionError(msg) from exc
    try:
        yield client
    finally:
        client.close()


def fan_out(client: Any) -> Any:
    """Return a study runner that runs a city's scenarios on the cluster of ``client``.

    The runner (see :data:`planning.batch.Runner`) scatters the data to the
    workers once, submits one task per scenario (:func:`planning.batch.run_one`,
    the function a serial run uses), and gathers the results in order,
    calling ``done(name)`` as each finishes.
    """
    from ..batch import run_one

    distributed = require_dask()

    def runner(data: Any, scenarios: Sequence[Any], done: Any) -> list[Any]:
        if not scenarios:
            return []
        shared = client.scatter(data, broadcast=True, hash=False)
        futures = [client.submit(run_one, shared, s, pure=False) for s in scenarios]
        names = {f.key: s.spec.name for f, s in zip(futures, scenarios, strict=True)}
        results = {}
        for future in distributed.as_completed(futures):
            try:
                results[future.key] = future.result()
            except Exception as exc:  # a lost worker: the scenario failed, the rest go on
                results[future.key] = f"{type(exc).__name__}: {exc}"
            done(names[future.key])
        out = [results[f.key] for f in futures]
        client.cancel([shared, *futures])
        return out

    return runner
