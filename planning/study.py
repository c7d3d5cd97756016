"""Study files: a batch of siting scenarios, and the data they run on, in one TOML file.

A study file names its data and lists its scenarios; :func:`load_study`
reads and checks it and returns a :class:`Study` whose scenarios are plain
:class:`planning.ScenarioSpec` objects, ready to run
(:mod:`planning.batch` runs them). Every problem in the file is reported at
once, each with its key and line, in a :class:`StudyError`.

Layout::

    [study]
    name = "chaoyang-2026Q3"          # labels the outputs
    language = "zh"                    # of the exports: "zh" or "en"
    formats = ["xlsx", "summary_html"] # planning.export formats per scenario
    project = "chaoyang"               # project the results are saved into

    [data]                             # exactly one of:
    demo = "chaoyang"                  #   a demo city
    # project = "chaoyang"             #   a project in the workspace
    # gpkg = "chaoyang.gpkg"           #   a GeoPackage (relative to this file)
    # crs = "gcj02"                    #   with layers = {...}: the datum of layer files
    # layers = { enterprises = "firms.csv", candidate_sites = "sites.xlsx" }

    [defaults]                         # applies to every scenario
    time_limit = 20

    [[scenario]]                       # one table per scenario (or sweep)
    name = "5g-{n_sites}"
    n_sites = [5, 10, 20]              # a list sweeps: three scenarios

Scenario keys are the fields of :class:`planning.ScenarioSpec` (read from the
dataclass, so new fields are accepted as they appear) plus ``per_county``:
``true`` makes one copy of the scenario per county of the data, on that
county's enterprises and candidate sites, and a list of county names makes
copies for those counties only. (The spec's own ``counties`` field is
different: one scenario on the named counties together.)
A list given to a field that takes one value is a sweep; several sweeps in
one table give every combination. For a field that takes a list itself
(``candidate_sources``) a sweep is a list of lists. Optional fields take
``"none"`` for None. A scenario name may use ``{field}`` placeholders; a
sweep without them gets ``-field=value`` appended.

Instead of ``[data]``, a study may list ``[[city]]`` tables (each with a
``name`` and the same data keys): every scenario then runs on every city.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._study_problems import StudyError, StudyProblem, _Checker, _key_lines
from ._study_sweeps import COPY_KEYS, ScenarioTemplate, _expand
from .scenarios import ScenarioSpec

DATA_KEYS = ("demo", "project", "workspace", "gpkg", "layers", "crs")
"""Keys of a ``[data]`` (or ``[[city]]``) table."""

DATA_SOURCES = ("demo", "project", "gpkg", "layers")
"""The ways of naming data; a table names exactly one."""

STUDY_KEYS = ("name", "language", "formats", "project")
"""Keys of the ``[study]`` table."""


DEFAULT_FORMATS = ("xlsx", "summary_html")
"""Exports written per scenario when ``formats`` is not given."""

_TOP_KEYS = ("study", "data", "city", "defaults", "scenario")

__all__ = [
    "COPY_KEYS",
    "DATA_KEYS",
    "DATA_SOURCES",
    "DEFAULT_FORMATS",
    "STUDY_KEYS",
    "DataSource",
    "ScenarioTemplate",
    "Study",
    "StudyError",
    "StudyProblem",
    "StudyScenario",
    "load_study",
    "parse_study",
]


@dataclass(frozen=True)
class DataSource:
    """Where a study's (or one city's) data comes from.

    Parameters
    ----------
    kind
        One of :data:`DATA_SOURCES`.
    value
        Demo name, project name, GeoPackage path, or a mapping of layer kind
        to ``{"path": ..., "crs": ..., "sheet": ..., "layer": ...}``.
    workspace
        Workspace location for ``kind="project"`` (None: the default one).
    crs
        Datum of the layer files for ``kind="layers"``.
    city
        Name of the city (``[[city]]`` studies) or None.
    """

    kind: str
    value: Any
    workspace: str | None = None
    crs: str = "wgs84"
    city: str | None = None


@dataclass(frozen=True)
class StudyScenario:
    """One scenario to run: the question, and the county it is restricted to, if any."""

    spec: ScenarioSpec
    county: str | None = None


@dataclass(frozen=True)
class Study:
    """A checked study file.

    Parameters
    ----------
    name
        Name of the study (the file stem unless ``[study] name`` is given).
    sources
        One :class:`DataSource`, or one per city.
    templates
        The scenarios, sweeps expanded, before per-county copies.
    language
        Language of the exports.
    formats
        Export formats written per scenario.
    project
        Project the results are saved into (None: the data's project, or
        the study or city name).
    path
        The study file.
    """

    name: str
    sources: tuple[DataSource, ...]
    templates: tuple[ScenarioTemplate, ...]
    language: str = "zh"
    formats: tuple[str, ...] = DEFAULT_FORMATS
    project: str | None = None
    path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def scenarios(self, counties: list[str] | None = None) -> list[StudyScenario]:
        """Return the scenarios to run, with the per-county copies made.

        Parameters
        ----------
        counties
            Counties of the data, for ``per_county``.

        Raises
        ------
        StudyError
            If a scenario names a county the data does not have, or copies
            end up with the same name.
        """
        known = list(counties or [])
        problems: list[StudyProblem] = []
        out: list[StudyScenario] = []
        for t in self.templates:
            if not t.all_counties and t.counties is None:
                out.append(StudyScenario(t.spec))
                continue
            chosen = known if t.all_counties else list(t.counties or ())
            missing = [c for c in chosen if c not in known]
            if missing:
                message = f"counties {missing} are not in the data; it has {known}"
                problems.append(StudyProblem(t.key, t.line, message))
                continue
            if not chosen:
                problems.append(StudyProblem(t.key, t.line, "the data has no counties to copy"))
            for county in chosen:
                spec = dataclasses.replace(t.spec, name=f"{t.spec.name}-{county}")
                out.append(StudyScenario(spec, county))
        seen: set[str] = set()
        for s in out:
            if s.spec.name in seen:
                message = f"scenario name {s.spec.name!r} is used twice; names must be unique"
                problems.append(StudyProblem("scenario", None, message))
            seen.add(s.spec.name)
        if problems:
            raise StudyError(problems, source=str(self.path) if self.path else None)
        return out


def load_study(path: str | Path) -> Study:
    """Read and check a study file.

    Parameters
    ----------
    path
        A TOML study file (see the module documentation).

    Returns
    -------
    Study
        The checked study; paths in it are resolved against the file's folder.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    StudyError
        With every problem found (syntax, unknown keys, bad values, missing
        files), each with its key and line.
    """
    path = Path(path)
    if not path.is_file():
        msg = f"path {str(path)!r} is not a study file that exists"
        raise FileNotFoundError(msg)
    return parse_study(path.read_text(encoding="utf-8"), base=path.parent, path=path)


def parse_study(text: str, *, base: str | Path = ".", path: Path | None = None) -> Study:
    """Check the text of a study file; see :func:`load_study`.

    Parameters
    ----------
    text
        TOML text.
    base
        Folder that relative data paths are resolved against.
    path
        The file the text came from, for messages.
    """
    source = str(path) if path else None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        raise StudyError(
            [StudyProblem("", line, f"not valid TOML: {exc}")], source=source
        ) from None
    lines = _key_lines(text)
    checker = _Checker(lines)
    for key in doc:
        if key not in _TOP_KEYS:
            checker.add((key,), f"unknown table; allowed are {list(_TOP_KEYS)}")
    meta = _table(checker, doc, "study")
    name = _string(checker, meta, ("study", "name")) or (path.stem if path else "study")
    language = _string(checker, meta, ("study", "language")) or "zh"
    if language not in ("zh", "en"):
        checker.add(("study", "language"), f"must be 'zh' or 'en', got {language!r}")
    formats = _formats(checker, meta)
    project = _string(checker, meta, ("study", "project"))
    for key in meta:
        if key not in STUDY_KEYS:
            checker.add(("study", key), f"unknown key; allowed are {list(STUDY_KEYS)}")
    sources = _sources(checker, doc, Path(base))
    defaults = _table(checker, doc, "defaults")
    scenarios = doc.get("scenario", [])
    if not isinstance(scenarios, list) or not scenarios:
        checker.add(("scenario",), "add at least one [[scenario]] table")
        scenarios = []
    templates: list[ScenarioTemplate] = []
    for i, table in enumerate(scenarios):
        where: tuple[Any, ...] = ("scenario", i)
        if not isinstance(table, dict):
            checker.add(where, "must be a table: write [[scenario]]")
            continue
        templates += _expand(checker, where, {**defaults, **table}, set(table))
    names = [t.spec.name for t in templates]
    for t in templates:
        if names.count(t.spec.name) > 1:
            message = f"scenario name {t.spec.name!r} is used twice; names must be unique"
            checker.problems.append(StudyProblem(t.key, t.line, message))
            break
    if checker.problems:
        raise StudyError(checker.problems, source=source)
    return Study(
        name=name,
        sources=tuple(sources),
        templates=tuple(templates),
        language=language,
        formats=formats,
        project=project,
        path=path,
    )


def _table(checker: _Checker, doc: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        checker.add((key,), f"must be a table: write [{key}]")
        return {}
    return value


def _string(checker: _Checker, table: Mapping[str, Any], where: tuple[Any, ...]) -> str | None:
    value = table.get(where[-1])
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        checker.add(where, f"must be a non-empty string, got {value!r}")
        return None
    return value


def _formats(checker: _Checker, meta: Mapping[str, Any]) -> tuple[str, ...]:
    from .export import FORMATS

    value = meta.get("formats", list(DEFAULT_FORMATS))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        checker.add(("study", "formats"), f"must be a list of formats from {list(FORMATS)}")
        return DEFAULT_FORMATS
    bad = [v for v in value if v not in FORMATS]
    if bad:
        checker.add(("study", "formats"), f"unknown formats {bad}; allowed are {list(FORMATS)}")
    return tuple(v for v in value if v in FORMATS)


def _sources(checker: _Checker, doc: Mapping[str, Any], base: Path) -> list[DataSource]:
    has_data, cities = "data" in doc, doc.get("city")
    if has_data and cities is not None:
        checker.add(("city",), "give either [data] or [[city]] tables, not both")
        return []
    if cities is None:
        if not has_data:
            checker.add(("data",), f"add a [data] table naming one of {list(DATA_SOURCES)}")
            return []
        data = _table(checker, doc, "data")
        source = _source(checker, ("data",), data, base, None)
        return [source] if source else []
    if not isinstance(cities, list) or not cities:
        checker.add(("city",), "must be one or more [[city]] tables")
        return []
    out = []
    for i, table in enumerate(cities):
        if not isinstance(table, dict):
            checker.add(("city", i), "must be a table: write [[city]]")
            continue
        name = _string(checker, table, ("city", i, "name"))
        if name is None:
            checker.add(("city", i), "every [[city]] needs a name")
        rest = {k: v for k, v in table.items() if k != "name"}
        source = _source(checker, ("city", i), rest, base, name)
        if source:
            out.append(source)
    names = [s.city for s in out]
    if len(set(names)) != len(names):
        checker.add(("city",), f"city names must be unique, got {names}")
    return out


def _source(
    checker: _Checker, where: tuple[Any, ...], table: Mapping[str, Any], base: Path, city: Any
) -> DataSource | None:
    for key in table:
        if key not in DATA_KEYS:
            checker.add((*where, key), f"unknown key; allowed are {list(DATA_KEYS)}")
    given = [k for k in DATA_SOURCES if k in table]
    if len(given) != 1:
        checker.add(where, f"name exactly one of {list(DATA_SOURCES)}, got {given or 'none'}")
        return None
    kind = given[0]
    crs = table.get("crs", "wgs84")
    workspace = table.get("workspace")
    value: Any
    if kind == "layers":
        value = _layers(checker, (*where, "layers"), table["layers"], base)
    else:
        value = _string(checker, table, (*where, kind))
    if "crs" in table:
        import geodata

        try:
            geodata.crs.parse_crs(crs)
        except ValueError as exc:
            checker.add((*where, "crs"), str(exc))
    if kind == "gpkg" and value is not None:
        value = base / value
        if not value.is_file():
            checker.add((*where, kind), f"GeoPackage {str(value)!r} does not exist")
    if kind == "demo" and value is not None:
        import geodata

        if value not in geodata.list_demos():
            checker.add((*where, kind), f"must be one of {geodata.list_demos()}, got {value!r}")
    if workspace is not None and kind != "project":
        checker.add((*where, "workspace"), "only used with project = ...")
    if value is None:
        return None
    return DataSource(kind, value, workspace=workspace, crs=str(crs), city=city)


def _layers(
    checker: _Checker, where: tuple[Any, ...], value: Any, base: Path
) -> dict[str, dict[str, Any]] | None:
    import geodata

    if not isinstance(value, dict) or not value:
        checker.add(where, "must map layer kinds to files, e.g. {enterprises = 'firms.csv'}")
        return None
    out: dict[str, dict[str, Any]] = {}
    for kind, entry in value.items():
        spec = {"path": entry} if isinstance(entry, str) else entry
        if kind not in geodata.KINDS:
            checker.add((*where, kind), f"unknown layer kind; allowed are {list(geodata.KINDS)}")
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            checker.add((*where, kind), "must be a file path or a table with path = ...")
            continue
        unknown = sorted(set(spec) - {"path", "crs", "sheet", "layer"})
        if unknown:
            checker.add((*where, kind), f"unknown keys {unknown}; allowed: path, crs, sheet, layer")
        file = base / spec["path"]
        if not file.is_file():
            checker.add((*where, kind), f"file {str(file)!r} does not exist")
        out[kind] = {**spec, "path": file}
    return out
