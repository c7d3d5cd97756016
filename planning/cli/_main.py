"""The ``infrasite`` commands: thin click wrappers over :mod:`planning.batch` and the workspace."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

EXIT_OK = 0
"""Everything done."""

EXIT_FAILED = 1
"""Some scenarios failed (they are listed); the others were run and saved."""

EXIT_BAD_INPUT = 2
"""Bad input (study file, data, arguments): nothing was run."""

_WORKSPACE_HELP = (
    "Workspace: a folder or a postgresql:// URL (default: INFRASITE_DATABASE_URL, "
    "else INFRASITE_HOME, else the user data folder)."
)


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _why(exc: BaseException) -> str:
    """Return an exception's message; a KeyError's without the quotes str() adds."""
    if isinstance(exc, KeyError) and len(exc.args) == 1:
        return str(exc.args[0])
    return str(exc)


def _workspace(location: str | None) -> Any:
    from ..workspace import open_workspace

    try:
        return open_workspace(location)
    except (ValueError, ConnectionError, OSError) as exc:
        _fail(f"cannot open the workspace: {exc}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="infrasite")
def main() -> None:
    """InfraSite: siting 5G, charging, gigabit broadband and hydrogen sites to serve enterprises.

    Run a study file of scenarios in batch, manage the projects of a
    workspace, or write the demo project. Exit codes: 0 done, 1 some
    scenarios failed (listed), 2 bad input (nothing run).
    """


@main.command()
@click.argument("study", type=click.Path(dir_okay=False, path_type=Path))
def check(study: Path) -> None:
    """Check a study file and list its scenarios, without running anything."""
    from ..study import StudyError, load_study

    try:
        loaded = load_study(study)
    except (StudyError, FileNotFoundError) as exc:
        _fail(str(exc))
    click.echo(f"study {loaded.name!r}: {len(loaded.sources)} data set(s)")
    for t in loaded.templates:
        copies = " (per county)" if t.all_counties else ""
        copies = f" (per county: {', '.join(t.counties)})" if t.counties else copies
        click.echo(f"  {t.spec.name}{copies}")


@main.command()
@click.argument("study", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the exports and the comparison workbook (created).",
)
@click.option(
    "--cluster",
    default=None,
    metavar="local|tcp://HOST:PORT",
    help="Run the scenarios on Dask: 'local' starts a cluster on this machine, "
    "tcp://host:8786 uses a running scheduler. Default: in this process.",
)
@click.option("--workers", default=2, show_default=True, help="Workers of a local cluster.")
@click.option("--workspace", "location", default=None, help=_WORKSPACE_HELP)
@click.option("--project", default=None, help="Project to save into (default: the study's).")
@click.option(
    "--replace/--keep",
    default=False,
    show_default=True,
    help="Replace saved scenarios of the same name, or keep them and save as '<name> (2)'.",
)
def run(
    study: Path,
    out: Path,
    cluster: str | None,
    workers: int,
    location: str | None,
    project: str | None,
    replace: bool,
) -> None:
    """Run the scenarios of a study file, save them into the project, write the files."""
    import geodata

    from ..batch import prepare_study
    from ..study import StudyError, load_study

    try:
        loaded = load_study(study)
    except (StudyError, FileNotFoundError) as exc:
        _fail(str(exc))
    workspace = _workspace(location)
    try:  # everything is loaded and checked before the first scenario runs
        prepare_study(loaded, out, workspace=workspace, project=project)
    except (StudyError, geodata.DataError, KeyError, FileNotFoundError) as exc:
        _fail(_why(exc))
    if cluster is None:
        report = _run(loaded, out, workspace, project, replace, None)
    else:
        from ..distributed import connect, fan_out

        try:
            with connect(cluster, n_workers=workers) as client:
                click.echo(f"cluster: {client.scheduler_info().get('address', cluster)}", err=True)
                report = _run(loaded, out, workspace, project, replace, fan_out(client))
        except (ImportError, ValueError, ConnectionError) as exc:
            _fail(str(exc))
    for city in report.cities:
        where = f"{city.city}: " if city.city else ""
        click.echo(f"{where}{len(city.saved)} scenario(s) saved into project {city.project!r}")
    click.echo(f"{len(report.files)} file(s) written into {out}")
    if report.failed:
        click.echo(f"{len(report.failed)} scenario(s) failed:", err=True)
        for name, why in report.failed.items():
            click.echo(f"  {name}: {why}", err=True)
        sys.exit(EXIT_FAILED)


def _run(study: Any, out: Path, workspace: Any, project: Any, replace: bool, runner: Any) -> Any:
    from ..batch import run_study

    bar: Any = click.progressbar(
        length=1, label="scenarios", file=sys.stderr, item_show_func=lambda item: item
    )
    with bar:

        def progress(name: str, done: int, total: int) -> None:
            bar.length = total
            bar.update(1, current_item=name)

        return run_study(
            study,
            out,
            workspace=workspace,
            project=project,
            replace=replace,
            runner=runner,
            progress=progress,
        )


@main.group()
def project() -> None:
    """List, export and import the projects of a workspace."""


@project.command("list")
@click.option("--workspace", "location", default=None, help=_WORKSPACE_HELP)
def project_list(location: str | None) -> None:
    """List the projects and how many scenarios each holds."""
    workspace = _workspace(location)
    names = workspace.projects()
    if not names:
        click.echo(f"no projects in {workspace.location}")
    for name in names:
        click.echo(f"{name}\t{len(workspace.project(name).scenarios())} scenario(s)")


@project.command("export")
@click.argument("name")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--workspace", "location", default=None, help=_WORKSPACE_HELP)
def project_export(name: str, path: Path, location: str | None) -> None:
    """Write project NAME (data, scenarios, history) to one GeoPackage at PATH."""
    workspace = _workspace(location)
    try:
        written = workspace.export_project(name, path)
    except KeyError as exc:
        _fail(_why(exc))
    click.echo(f"project {name!r} written to {written}")


@project.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="Name of the new project (default: the file's).")
@click.option("--workspace", "location", default=None, help=_WORKSPACE_HELP)
def project_import(path: Path, name: str | None, location: str | None) -> None:
    """Create a project from a GeoPackage written by 'infrasite project export'."""
    import geodata

    workspace = _workspace(location)
    try:
        created = workspace.import_project(path, name)
    except (geodata.DataError, FileExistsError, ValueError) as exc:
        _fail(str(exc))
    click.echo(f"project {created.name!r} imported from {path}")


@main.command()
@click.option("--language", type=click.Choice(["zh", "en"]), default="en", show_default=True)
def kinds(language: str) -> None:
    """List the kinds of infrastructure: service model, reach, demand, capacity, objectives.

    Use a kind's code as ``infrastructure`` in a study file's scenarios.
    """
    from geodata.infrastructure import INFRASTRUCTURE_KINDS

    for k in INFRASTRUCTURE_KINDS.values():
        reach = f"{k.radius_m:,.0f} m" if k.service == "distance" else "link budget per site"
        if k.travel_minutes:
            reach += f" or {k.travel_minutes:g} min"
        if k.detour_factor != 1:
            reach += f" (straight line x {k.detour_factor:g} without roads)"
        capacity = k.capacity_unit or "-"
        if k.site_capacity:
            capacity = f"{k.site_capacity:g} {k.capacity_unit} per new site"
        click.echo(f"{k.code}: {k.label(language)}")
        click.echo(f"  existing layer: {k.existing_layer}; distances: {', '.join(k.distances)}")
        click.echo(f"  reach: {reach}; demand: {k.demand_zh if language == 'zh' else k.demand_en}")
        click.echo(f"  capacity: {capacity}; objectives: {', '.join(k.objectives)}")


@main.command()
@click.option("--city", default="chaoyang", show_default=True, help="Demo city.")
@click.option("--project", default=None, help="Project name (default: the city's name).")
@click.option("--workspace", "location", default=None, help=_WORKSPACE_HELP)
def demo(city: str, project: str | None, location: str | None) -> None:
    """Write a demo city (synthetic firms and sites) into the workspace as a project."""
    import geodata

    if city not in geodata.list_demos():
        _fail(f"--city must be one of {geodata.list_demos()}, got {city!r}")
    workspace = _workspace(location)
    name = project or city
    if name in workspace.projects():
        _fail(f"project {name!r} already exists in {workspace.location}; pass --project NAME")
    workspace.create_project(name, geodata.load_demo(city))
    click.echo(f"demo {city!r} written as project {name!r} in {workspace.location}")


@main.group()
def programme() -> None:
    """Documents of the digital and green programme tracker."""


@programme.command()
@click.option("--quarter", required=True, help="Quarter, e.g. 2026Q3.")
@click.option("--project", "name", required=True, help="Project holding the programme records.")
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="The .docx file to write.",
)  # fmt: skip
@click.option("--language", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--workspace", "location", default=None, help=_WORKSPACE_HELP)
def bulletin(quarter: str, name: str, out: Path, language: str, location: str | None) -> None:
    """Write the quarterly bulletin of the programme as a Word document."""
    make = _bulletin_function()
    workspace = _workspace(location)
    try:
        content = make(workspace.project(name), quarter=quarter, language=language)
    except (KeyError, ValueError) as exc:
        _fail(_why(exc))
    out.write_bytes(content)
    click.echo(f"bulletin {quarter} written to {out}")


def _bulletin_function() -> Any:
    message = (
        "the programme tracker (planning.programme.bulletin) is not part of this "
        "installation, so there is no bulletin to write"
    )
    if importlib.util.find_spec("planning.programme") is None:
        _fail(message)
    package = importlib.import_module("planning.programme")
    make = getattr(package, "bulletin", None)
    make = getattr(make, "bulletin", make)  # the function, or the module holding it
    if not callable(make):
        _fail(message)
    return make
