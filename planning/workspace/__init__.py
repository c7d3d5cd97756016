"""Projects that persist: a workspace of planning projects on GeoPackage or PostGIS.

A project holds its :class:`geodata.PlanningData`, every saved scenario (spec
and full :class:`~planning.scenarios.ScenarioResult`), record tables (e.g. a
programme tracker's), settings, created/modified times and a change history.
:func:`open_workspace` picks the backend from the location:

- a folder: one GeoPackage per project (opens in QGIS; saves are atomic);
- a ``postgresql://`` URL: PostGIS tables for a team (optimistic version check:
  a conflicting concurrent save raises :class:`ConflictError`);
- None: ``INFRASITE_DATABASE_URL`` if set, else the folder ``INFRASITE_HOME``,
  else the platform's user data folder (``platformdirs``).

Examples
--------
>>> ws = open_workspace(folder)                       # doctest: +SKIP
>>> project = ws.create_project("朝阳 2026", geodata.load_demo())  # doctest: +SKIP
>>> project.save_scenario(run_scenario(project.data, spec))       # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

from ._changes import HISTORY_COLUMNS, ConflictError, free_name
from ._project import Project, Workspace

__all__ = [
    "HISTORY_COLUMNS",
    "ConflictError",
    "Project",
    "Workspace",
    "default_location",
    "free_name",
    "open_workspace",
]


def default_location() -> str:
    """Return where :func:`open_workspace` goes when given no location.

    ``INFRASITE_DATABASE_URL`` if set, else ``INFRASITE_HOME``, else the
    user data folder of the platform (e.g. ``~/.local/share/infrasite``).
    """
    url = os.environ.get("INFRASITE_DATABASE_URL", "").strip()
    if url:
        return url
    home = os.environ.get("INFRASITE_HOME", "").strip()
    if home:
        return home
    import platformdirs

    return str(Path(platformdirs.user_data_dir("infrasite", appauthor=False)) / "projects")


def open_workspace(
    location: str | os.PathLike[str] | None = None, *, user: str | None = None
) -> Workspace:
    """Open (creating if needed) a workspace of projects.

    Parameters
    ----------
    location
        A folder (one GeoPackage per project), a ``postgresql://`` /
        ``postgres://`` URL (PostGIS tables), or None for
        :func:`default_location`.
    user
        Name recorded in the change history (default: the login name).

    Returns
    -------
    Workspace

    Raises
    ------
    ValueError
        If ``location`` is an URL of another kind.
    ConnectionError
        If the database cannot be reached.
    """
    where = default_location() if location is None else location
    text = os.fspath(where)
    if text.startswith(("postgresql://", "postgres://")):
        from ._postgis_store import PostgisStore

        return Workspace(PostgisStore(text), user=user)
    if "://" in text:
        msg = f"location must be a folder or a postgresql:// URL, got {text!r}"
        raise ValueError(msg)
    from ._gpkg_store import GpkgStore

    return Workspace(GpkgStore(text), user=user)
