"""The ``infrasite`` command line: batch studies, projects, the demo.

``infrasite run STUDY.toml --out DIR`` runs a study file (see
:mod:`planning.study`) with :func:`planning.batch.run_study`, in this process
or on a Dask cluster (``--cluster local`` or ``--cluster tcp://host:8786``).
``infrasite project list|export|import`` manages a workspace's projects and
``infrasite demo`` writes the demo city as a project. Every command has
``--help``. Exit codes: :data:`EXIT_OK` (0), :data:`EXIT_FAILED` (1, some
scenarios failed), :data:`EXIT_BAD_INPUT` (2, nothing was run).
"""

from ._main import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, main

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "main"]
