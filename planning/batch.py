"""Run a study: load its data, run its scenarios, save them into a project, write the files.

:func:`run_study` is what ``infrasite run`` does. For each city of the study
(one, unless it lists ``[[city]]`` tables) it loads the data, makes the
per-county copies, runs every scenario, saves the results into the
city's project of a :class:`planning.workspace.Workspace`, and writes each
scenario's exports (:func:`planning.export.export_scenario`) and a
comparison workbook into an output folder. Everything is checked before the
first scenario runs: a study whose data cannot be loaded raises and runs
nothing. A scenario that fails (e.g. more sites asked than candidates) is
reported in :attr:`StudyReport.failed` and the others still run.

The scenarios of a city run one after the other in this process, or through
a ``runner`` such as :func:`planning.distributed.fan_out` on a Dask cluster.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import geodata

from .scenarios import ScenarioResult, compare_scenarios, run_scenario
from .study import DataSource, Study, StudyError, StudyScenario

Progress = Callable[[str, int, int], Any]
"""Called as ``progress(name, done, total)`` when a scenario has finished."""

Done = Callable[[str], Any]
"""Called by a runner with a scenario's name when it has finished."""

Runner = Callable[
    [geodata.PlanningData, Sequence[StudyScenario], Done], list["ScenarioResult | str"]
]
"""Runs a city's scenarios: ``runner(data, scenarios, done)`` -> a result or a failure message
each, in order."""

COMPARISON_FILE = "comparison.xlsx"
"""Name of the comparison workbook in each output folder."""


@dataclass
class CityReport:
    """What a study did for one city (or its only data set).

    Parameters
    ----------
    city
        Name of the city, or None for a single-data study.
    project
        Project the results were saved into.
    saved
        Scenario name -> name it was saved under in the project.
    failed
        Scenario name -> why it failed.
    files
        Files written.
    """

    city: str | None
    project: str
    saved: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


@dataclass
class StudyReport:
    """What :func:`run_study` did: one :class:`CityReport` per city."""

    cities: list[CityReport]

    @property
    def failed(self) -> dict[str, str]:
        """Every failed scenario (``"city/scenario"`` in multi-city studies) -> why."""
        out = {}
        for c in self.cities:
            for name, why in c.failed.items():
                out[f"{c.city}/{name}" if c.city else name] = why
        return out

    @property
    def files(self) -> list[Path]:
        """Every file written."""
        return [f for c in self.cities for f in c.files]


def load_source(source: DataSource, *, workspace: Any = None) -> geodata.PlanningData:
    """Return the planning data a study's ``[data]`` (or ``[[city]]``) table names.

    Parameters
    ----------
    source
        From :attr:`planning.study.Study.sources`.
    workspace
        Open workspace for ``project = ...`` data.

    Raises
    ------
    geodata.DataError
        If a layer file has problems (all of them listed).
    KeyError
        If the project is not in the workspace.
    """
    if source.kind == "demo":
        return geodata.load_demo(source.value)
    if source.kind == "gpkg":
        return geodata.PlanningData.from_gpkg(source.value)
    if source.kind == "project":
        if source.workspace is not None:
            from .workspace import open_workspace

            workspace = open_workspace(source.workspace)
        return workspace.project(source.value).data
    layers: dict[str, Any] = {}
    problems = []
    for kind, spec in source.value.items():
        options = {k: spec[k] for k in ("sheet", "layer") if k in spec}
        try:
            layer = geodata.read_layer(
                spec["path"], kind, crs=spec.get("crs", source.crs), **options
            )
        except geodata.DataError as exc:
            problems += [
                geodata.Problem(p.row, p.column, f"{kind}: {p.message}", p.value)
                for p in exc.problems
            ]
            continue
        layers[kind] = layer
    if problems:
        raise geodata.DataError(problems, source=source.city or "layers")
    return geodata.PlanningData(name=source.city or "study", **layers)


def counties(data: geodata.PlanningData) -> list[str]:
    """Return the county names of the enterprises, sorted (for per-county copies)."""
    if "county" not in data.enterprises:
        return []
    values = data.enterprises["county"].dropna().astype(str).str.strip()
    return sorted(v for v in values.unique() if v)


def county_data(data: geodata.PlanningData, county: str | None) -> geodata.PlanningData:
    """Return the data with enterprises and candidate sites restricted to one county.

    Existing base stations and charging stations are kept whole: one across
    the county border still serves the county's firms.
    """
    if county is None:
        return data
    changes = {}
    for kind in ("enterprises", "candidate_sites"):
        layer = getattr(data, kind)
        keep = layer["county"].astype(str) == county if "county" in layer else False
        changes[kind] = layer[keep] if "county" in layer else layer.iloc[:0]
    return data.replace(**changes)


def run_one(data: geodata.PlanningData, scenario: StudyScenario) -> ScenarioResult | str:
    """Run one scenario of a study; return its result, or why it failed.

    The same function runs in this process and on a cluster's workers, so a
    study gives the same results either way.
    """
    try:
        return run_scenario(county_data(data, scenario.county), scenario.spec)
    except Exception as exc:  # one failing scenario must not stop the others
        return f"{type(exc).__name__}: {exc}"


def run_serial(
    data: geodata.PlanningData, scenarios: Sequence[StudyScenario], done: Done
) -> list[ScenarioResult | str]:
    """Run scenarios one after the other in this process (the default runner)."""
    out = []
    for s in scenarios:
        out.append(run_one(data, s))
        done(s.spec.name)
    return out


@dataclass
class PreparedCity:
    """A city ready to run: its data, scenarios, project and output folder."""

    source: DataSource
    data: geodata.PlanningData
    scenarios: list[StudyScenario]
    project: str
    out: Path


def prepare_study(
    study: Study, out: str | Path, *, workspace: Any, project: str | None = None
) -> list[PreparedCity]:
    """Load every city's data and make its scenarios; raise before anything runs.

    Raises
    ------
    planning.study.StudyError
        If per-county copies name counties the data lacks, or names clash.
    geodata.DataError
        If data files have problems.
    KeyError
        If a project named as data is not in the workspace.
    """
    out = Path(out)
    cities = []
    problems = []
    for source in study.sources:
        data = load_source(source, workspace=workspace)
        try:
            scenarios = study.scenarios(counties(data))
        except StudyError as exc:
            problems += exc.problems
            continue
        name = project or study.project
        if source.kind == "project" and project is None:
            name = source.value
        if source.city is not None and (name is None or len(study.sources) > 1):
            name = f"{name}-{source.city}" if name else source.city
        folder = out / _safe(source.city) if source.city else out
        cities.append(PreparedCity(source, data, scenarios, name or study.name, folder))
    if problems:
        raise StudyError(problems, source=str(study.path) if study.path else None)
    return cities


def run_study(
    study: Study,
    out: str | Path,
    *,
    workspace: Any,
    project: str | None = None,
    replace: bool = False,
    runner: Runner | None = None,
    progress: Progress | None = None,
) -> StudyReport:
    """Run a study city by city: scenarios, saves into the project, export files.

    Parameters
    ----------
    study
        From :func:`planning.study.load_study`.
    out
        Output folder (created); multi-city studies get one subfolder per city.
    workspace
        An open :class:`planning.workspace.Workspace`; the project is created
        (with the study's data) if it does not exist.
    project
        Project to save into, instead of the study's.
    replace
        Replace saved scenarios of the same name; otherwise a result is saved
        under the next free name (``"<name> (2)"``).
    runner
        Runs a city's scenarios; default :func:`run_serial`.
    progress
        Called as ``progress(name, done, total)`` as each scenario finishes.

    Returns
    -------
    StudyReport
        Saved names, failures and files, per city.
    """
    cities = prepare_study(study, out, workspace=workspace, project=project)
    runner = runner or run_serial
    total = sum(len(c.scenarios) for c in cities)
    count = [0]

    def done(name: str) -> None:
        count[0] += 1
        if progress is not None:
            progress(name, count[0], total)

    reports = []
    for city in cities:
        report = CityReport(city.source.city, city.project)
        results = runner(city.data, city.scenarios, done)
        if city.project in workspace.projects():
            target = workspace.project(city.project)
        else:
            target = workspace.create_project(city.project, city.data)
        ok: list[ScenarioResult] = []
        for scenario, result in zip(city.scenarios, results, strict=True):
            if isinstance(result, str):
                report.failed[scenario.spec.name] = result
                continue
            ok.append(result)
            report.saved[result.name] = target.save_scenario(result, replace=replace)
        report.files += write_exports(ok, city.out, study.formats, study.language)
        report.files.append(write_comparison(ok, report.failed, city.out / COMPARISON_FILE))
        reports.append(report)
    return StudyReport(reports)


def write_exports(
    results: Sequence[ScenarioResult], folder: Path, formats: Sequence[str], language: str
) -> list[Path]:
    """Write each result's exports into ``folder`` (atomically); return the paths."""
    from .export import export_filename, export_scenario

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for result in results:
        for fmt in formats:
            path = folder / export_filename(result, fmt)  # type: ignore[arg-type]
            _write_atomic(path, export_scenario(result, fmt, language=language))  # type: ignore[arg-type]
            written.append(path)
    return written


def write_comparison(results: Sequence[ScenarioResult], failed: dict[str, str], path: Path) -> Path:
    """Write the comparison workbook: summary, indicators, sites and failed scenarios."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        if results:
            for sheet, frame in compare_scenarios(results).items():
                frame.to_excel(writer, sheet_name=sheet)
        failures = pd.DataFrame({"scenario": list(failed), "reason": list(failed.values())})
        failures.to_excel(writer, sheet_name="failed", index=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, buffer.getvalue())
    return path


def _write_atomic(path: Path, content: bytes) -> None:
    # a file of its own next to the target, created with the usual mode (umask honoured,
    # unlike mkstemp's 0600), renamed over the target once complete
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "xb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._") or "city"
