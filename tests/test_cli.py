"""The ``infrasite`` command line: study files run end to end, bad input refused, projects moved."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import geodata
from planning import ScenarioSpec, run_scenario
from planning.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, main
from planning.workspace import open_workspace

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "chaoyang_quarterly.toml"
BAD_FIRMS = ROOT / "tests" / "data" / "layers" / "bad_firms.csv"

SWEEP = """\
[study]
name = "sweep"
formats = ["xlsx", "summary_html", "csv"]
project = "sweep-project"

[data]
demo = "chaoyang"

[defaults]
time_limit = 10

[[scenario]]
name = "5g-{n_sites}"
infrastructure = "5g"
n_sites = [3, 6]

[[scenario]]
name = "charging-two-districts"
infrastructure = "charging"
n_sites = 2
counties = ["双塔区", "龙城区"]
"""


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A workspace of its own under tmp_path (INFRASITE_HOME)."""
    folder = tmp_path / "home"
    monkeypatch.setenv("INFRASITE_HOME", str(folder))
    monkeypatch.delenv("INFRASITE_DATABASE_URL", raising=False)
    return folder


def _invoke(*args: str | Path):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
    # a refusal is a message and an exit code, never a traceback
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.output
    return result


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


@pytest.mark.parametrize("command", [(), *_commands(main)], ids=lambda c: " ".join(c) or "main")
def test_every_command_has_help(command):
    result = _invoke(*command, "--help")
    assert result.exit_code == EXIT_OK
    assert "Usage: " in result.output
    assert len(result.output.splitlines()) > 3


def test_the_promised_commands_are_there():
    names = {" ".join(c) for c in _commands(main)}
    assert {
        "run",
        "check",
        "demo",
        "project list",
        "project export",
        "project import",
        "programme bulletin",
    } <= names


def test_sweep_runs_end_to_end_into_the_workspace(tmp_path, home):
    study = _write(tmp_path, "sweep.toml", SWEEP)
    out = tmp_path / "out"
    result = _invoke("run", study, "--out", out)
    assert result.exit_code == EXIT_OK, result.output
    names = ["5g-3", "5g-6", "charging-two-districts"]
    # each scenario's exports, and the comparison workbook
    for name in names:
        for suffix in (".xlsx", "_summary.html", "_proposed_sites.csv"):
            assert (out / f"{name}{suffix}").stat().st_size > 0, f"{name}{suffix}"
    assert {p.name for p in out.iterdir()} == {
        *(f"{n}{s}" for n in names for s in (".xlsx", "_summary.html", "_proposed_sites.csv")),
        "comparison.xlsx",
    }
    book = pd.read_excel(out / "comparison.xlsx", sheet_name=None)
    assert {"summary", "indicators", "sites", "failed"} <= set(book)
    summary = book["summary"].set_index("scenario")
    assert list(summary.index) == names
    assert summary.loc["5g-3", "sites"] == 3 and summary.loc["5g-6", "sites"] == 6
    assert book["failed"].empty
    assert "3 scenario(s) saved into project 'sweep-project'" in result.stdout
    # saved into the project, with the study's data; the same answer as a run by hand
    project = open_workspace(home).project("sweep-project")
    assert sorted(project.scenarios()) == sorted(names)
    assert len(project.data.enterprises) == len(geodata.load_demo("chaoyang").enterprises)
    saved = project.load_scenario("5g-6")
    by_hand = run_scenario(
        geodata.load_demo("chaoyang"),
        ScenarioSpec(name="5g-6", infrastructure="5g", n_sites=6, time_limit=10),
    )
    assert sorted(saved.proposed_sites["id"]) == sorted(by_hand.proposed_sites["id"])
    restricted = project.load_scenario("charging-two-districts")
    assert set(restricted.proposed_sites["county"]) <= {"双塔区", "龙城区"}


_ONE = """\
[study]
formats = ["summary_md"]
project = "sweep-project"

[data]
demo = "chaoyang"

[[scenario]]
name = "5g-3"
n_sites = 3
time_limit = 10
"""


def test_second_run_keeps_or_replaces(tmp_path, home):
    study = _write(tmp_path, "one.toml", _ONE)
    assert _invoke("run", study, "--out", tmp_path / "a").exit_code == EXIT_OK
    assert _invoke("run", study, "--out", tmp_path / "b", "--keep").exit_code == EXIT_OK
    project = open_workspace(home).project("sweep-project")
    assert sorted(project.scenarios()) == ["5g-3", "5g-3 (2)"]
    assert _invoke("run", study, "--out", tmp_path / "c", "--replace").exit_code == EXIT_OK
    assert sorted(project.reload().scenarios()) == ["5g-3", "5g-3 (2)"]
    book = openpyxl.load_workbook(tmp_path / "c" / "comparison.xlsx", read_only=True)
    assert book.sheetnames == ["summary", "indicators", "sites", "failed"]
    book.close()


def _readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Command line", 1)[1].split("\n## ", 1)[0]
    lines = [
        line.split("  #", 1)[0].strip()
        for block in re.findall(r"```bash\n(.*?)```", section, re.S)
        for line in block.splitlines()
    ]
    return [shlex.split(line) for line in lines if line]


def test_readme_command_line_runs_the_shipped_example(tmp_path, home, monkeypatch):
    commands = _readme_commands()
    assert [c[:2] for c in commands[:2]] == [["infrasite", "check"], ["infrasite", "run"]]
    assert all(c[0] == "infrasite" for c in commands)
    assert commands[1][2] == "examples/chaoyang_quarterly.toml"
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    outputs = [_invoke(*command[1:]) for command in commands]
    for command, result in zip(commands, outputs, strict=True):
        assert result.exit_code == EXIT_OK, f"{shlex.join(command)}: {result.output}"
    assert "5g-20-sites" in outputs[0].output and "(per county)" in outputs[0].output
    out = tmp_path / "results" / "2026Q3"
    counties = sorted(set(geodata.load_demo("chaoyang").enterprises["county"]))
    expected = [
        "5g-5-sites",
        "5g-10-sites",
        "5g-20-sites",
        "5g-budget",
        *(f"charging-by-employees-{c}" for c in counties),
    ]
    project = open_workspace(home).project("chaoyang-quarterly")
    assert sorted(project.scenarios()) == sorted(expected)
    for name in expected:
        for suffix in (".xlsx", "_summary.html", ".gpkg"):
            assert (out / f"{name}{suffix}").is_file(), f"{name}{suffix}"
    summary = pd.read_excel(out / "comparison.xlsx", sheet_name="summary")
    assert list(summary["scenario"]) == expected
    assert summary.set_index("scenario").loc["5g-budget", "cost_cny"] <= 3_000_000
    assert (tmp_path / "chaoyang-quarterly.gpkg").is_file()
    assert (tmp_path / "bulletin-2026Q3.docx").is_file()


BAD = """\
[study]
name = "bad"
language = "fr"
formats = ["xlsx", "pdf"]
colour = "red"

[data]
demo = "atlantis"

[[scenario]]
name = "a"
n_sites = [5, "ten"]
objective = "nonsense"

[[scenario]]
name = "b"
bogus = 1
per_county = 3
"""


def test_bad_study_file_lists_every_problem_and_runs_nothing(tmp_path, home):
    study = _write(tmp_path, "bad.toml", BAD)
    out = tmp_path / "out"
    for command in ("check", "run"):
        args = [command, study] + (["--out", out] if command == "run" else [])
        result = _invoke(*args)
        assert result.exit_code == EXIT_BAD_INPUT
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert lines[0] == f"error: {study}: 8 problems in the study file"
        problems = [line.strip() for line in lines[1:]]
        wanted = [
            ("line 3, study.language:", "'fr'"),
            ("line 4, study.formats:", "'pdf'"),
            ("line 5, study.colour:", "unknown key"),
            ("line 8, data.demo:", "'atlantis'"),
            ("line 12, scenario[1].n_sites:", "'ten'"),
            ("line 13, scenario[1].objective:", "'nonsense'"),
            ("line 17, scenario[2].bogus:", "unknown key"),
            ("line 18, scenario[2].per_county:", "got 3"),
        ]
        assert len(problems) == len(wanted)
        for (where, what), problem in zip(wanted, problems, strict=True):
            assert problem.startswith(where) and what in problem, problem
    assert not out.exists()
    assert not home.exists() or open_workspace(home).projects() == []


def test_toml_syntax_error_names_the_line(tmp_path, home):
    study = _write(tmp_path, "broken.toml", '[study]\nname = "x"\n[data\ndemo = 1\n')
    result = _invoke("run", study, "--out", tmp_path / "out")
    assert result.exit_code == EXIT_BAD_INPUT
    assert "line 3" in result.stderr and "not valid TOML" in result.stderr


def test_missing_study_file(tmp_path, home):
    result = _invoke("run", tmp_path / "nope.toml", "--out", tmp_path / "out")
    assert result.exit_code == EXIT_BAD_INPUT
    assert "nope.toml" in result.stderr


def _layer_files(folder: Path) -> None:
    data = geodata.load_demo("chaoyang")
    for kind in ("enterprises", "candidate_sites"):
        layer = getattr(data, kind).to_crs(4326)
        frame = pd.DataFrame(layer.drop(columns="geometry"))
        frame["lon"], frame["lat"] = layer.geometry.x, layer.geometry.y
        frame[frame["county"] == "双塔区"].to_csv(folder / f"{kind}.csv", index=False)


LAYERS = """\
[data]
crs = "wgs84"
layers = {{ enterprises = "{firms}", candidate_sites = "candidate_sites.csv" }}

[[scenario]]
name = "two"
n_sites = 2
time_limit = 10
"""


def test_layer_files_with_their_datum(tmp_path, home):
    _layer_files(tmp_path)
    study = _write(tmp_path, "layers.toml", LAYERS.format(firms="enterprises.csv"))
    result = _invoke("run", study, "--out", tmp_path / "out")
    assert result.exit_code == EXIT_OK, result.output
    project = open_workspace(home).project("layers")  # the study file's stem
    assert project.scenarios() == ["two"]
    assert set(project.data.enterprises["county"]) == {"双塔区"}


def test_bad_layer_file_lists_its_problems_and_runs_nothing(tmp_path, home):
    _layer_files(tmp_path)
    shutil.copy(BAD_FIRMS, tmp_path / "firms.csv")
    study = _write(tmp_path, "layers.toml", LAYERS.format(firms="firms.csv"))
    result = _invoke("run", study, "--out", tmp_path / "out")
    assert result.exit_code == EXIT_BAD_INPUT
    problems = [line for line in result.stderr.splitlines() if "enterprises:" in line]
    assert len(problems) >= 2, result.stderr
    assert not (tmp_path / "out").exists()
    assert open_workspace(home).projects() == []


def test_missing_layer_file_and_unknown_county_are_bad_input(tmp_path, home):
    study = _write(tmp_path, "x.toml", LAYERS.format(firms="missing.csv"))
    result = _invoke("check", study)
    assert result.exit_code == EXIT_BAD_INPUT
    assert "line 3, data.layers.enterprises" in result.stderr and "missing.csv" in result.stderr
    copies = '[data]\ndemo = "chaoyang"\n[[scenario]]\nname = "c"\nper_county = ["火星区"]\n'
    result = _invoke("run", _write(tmp_path, "y.toml", copies), "--out", tmp_path / "out")
    assert result.exit_code == EXIT_BAD_INPUT
    assert "火星区" in result.stderr
    assert not (tmp_path / "out").exists()


def test_failed_scenarios_are_listed_and_the_rest_saved(tmp_path, home):
    text = '[data]\ndemo = "chaoyang"\n[[scenario]]\nname = "5g-{n_sites}"\nn_sites = [3, 5000]\n'
    out = tmp_path / "out"
    result = _invoke("run", _write(tmp_path, "fail.toml", text), "--out", out)
    assert result.exit_code == EXIT_FAILED
    assert "1 scenario(s) failed" in result.stderr
    assert "5g-5000: SpecificationError" in result.stderr
    assert open_workspace(home).project("fail").scenarios() == ["5g-3"]
    failed = pd.read_excel(out / "comparison.xlsx", sheet_name="failed")
    assert list(failed["scenario"]) == ["5g-5000"]


def test_multi_city_study_runs_city_by_city(tmp_path, home):
    text = """\
[study]
name = "province"
formats = ["summary_md"]
project = "liaoning"

[[city]]
name = "chaoyang"
demo = "chaoyang"

[[city]]
name = "vaduz"
demo = "liechtenstein"

[[scenario]]
name = "two"
n_sites = 2
time_limit = 10
"""
    out = tmp_path / "out"
    result = _invoke("run", _write(tmp_path, "province.toml", text), "--out", out)
    assert result.exit_code == EXIT_OK, result.output
    workspace = open_workspace(home)
    assert workspace.projects() == ["liaoning-chaoyang", "liaoning-vaduz"]
    for city in ("chaoyang", "vaduz"):
        assert (out / city / "comparison.xlsx").is_file()
        assert (out / city / "two_summary.md").is_file()
        assert workspace.project(f"liaoning-{city}").scenarios() == ["two"]


def test_bad_cluster_address_is_bad_input(tmp_path, home):
    study = _write(tmp_path, "one.toml", _ONE)
    result = _invoke("run", study, "--out", tmp_path / "out", "--cluster", "somewhere")
    assert result.exit_code == EXIT_BAD_INPUT
    assert "tcp://host:8786" in result.stderr


def test_demo_and_project_list_export_import(tmp_path, home):
    assert "no projects" in _invoke("project", "list").output
    result = _invoke("demo", "--project", "朝阳 demo")
    assert result.exit_code == EXIT_OK
    again = _invoke("demo", "--project", "朝阳 demo")
    assert again.exit_code == EXIT_BAD_INPUT and "already exists" in again.stderr
    assert _invoke("demo", "--city", "atlantis").exit_code == EXIT_BAD_INPUT
    listed = _invoke("project", "list")
    assert listed.output.splitlines() == ["朝阳 demo\t0 scenario(s)"]
    gpkg = tmp_path / "moved.gpkg"
    assert _invoke("project", "export", "朝阳 demo", gpkg).exit_code == EXIT_OK
    missing = _invoke("project", "export", "nope", tmp_path / "x.gpkg")
    assert missing.exit_code == EXIT_BAD_INPUT and missing.stderr.startswith("error: no project")
    assert _invoke("project", "import", gpkg, "--name", "copy").exit_code == EXIT_OK
    assert open_workspace(home).projects() == ["copy", "朝阳 demo"]
    not_a_project = _write(tmp_path, "notes.gpkg", "hello")
    assert _invoke("project", "import", not_a_project).exit_code == EXIT_BAD_INPUT
    other = tmp_path / "other"
    moved = _invoke("project", "import", gpkg, "--workspace", other)
    assert moved.exit_code == EXIT_OK
    assert open_workspace(other).projects() == ["朝阳 demo"]


def test_programme_bulletin(tmp_path, home):
    assert _invoke("demo").exit_code == EXIT_OK
    out = tmp_path / "bulletin.docx"
    args = ("programme", "bulletin", "--project", "chaoyang", "--out", out)
    result = _invoke(*args, "--quarter", "2026Q3")
    assert result.exit_code == EXIT_OK, result.output
    assert out.read_bytes()[:2] == b"PK"  # a .docx is a zip
    bad = _invoke(*args, "--quarter", "Q3 2026")
    assert bad.exit_code == EXIT_BAD_INPUT
    assert bad.stderr.strip() == "error: quarter must be written like '2026Q3', got 'Q3 2026'"


def test_console_script_entry_point(tmp_path):
    """``python -m planning.cli`` is the same command as the ``infrasite`` script."""
    proc = subprocess.run(
        [sys.executable, "-m", "planning.cli", "check", str(EXAMPLE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == EXIT_OK, proc.stderr
    assert proc.stdout.startswith("study 'chaoyang-2026Q3'")
    bad = _write(tmp_path, "bad.toml", BAD)
    proc = subprocess.run(
        [sys.executable, "-m", "planning.cli", "check", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == EXIT_BAD_INPUT
    assert "8 problems" in proc.stderr and "Traceback" not in proc.stderr


KINDS_EXAMPLE = ROOT / "examples" / "chaoyang_kinds.toml"


def test_broadband_and_hydrogen_scenarios_from_the_command_line(tmp_path, home):
    listed = _invoke("kinds")
    assert listed.exit_code == EXIT_OK
    for code in ("5g", "charging", "broadband", "hydrogen"):
        assert f"{code}: " in listed.output
    assert "straight line x 1.3" in listed.output and "1000 kg/day" in listed.output
    study = KINDS_EXAMPLE
    assert _invoke("check", study).exit_code == EXIT_OK
    out = tmp_path / "out"
    result = _invoke("run", study, "--out", out)
    assert result.exit_code == EXIT_OK, result.output
    summary = pd.read_excel(out / "comparison.xlsx", sheet_name="summary").set_index("scenario")
    assert list(summary.index) == ["fibre-zones", "fibre-budget", "hydrogen-bases"]
    project = open_workspace(home).project("kinds-project")
    fibre = project.load_scenario("fibre-zones")
    assert fibre.spec.infrastructure == "broadband"
    assert set(fibre.proposed_sites["infrastructure"]) == {"broadband"}
    assert (fibre.proposed_sites["sessions"] <= fibre.proposed_sites["capacity_sessions"]).all()
    budget = project.load_scenario("fibre-budget")
    assert budget.proposed_sites["cost_cny"].sum() <= 400_000
    assert budget.summary["share_after"] > budget.summary["share_before"]
    h2 = project.load_scenario("hydrogen-bases")
    assert len(h2.proposed_sites) == 2
    assert set(h2.proposed_sites["county"]) <= {"凌源市", "建平县", "喀喇沁左翼蒙古族自治县"}
    assert h2.summary["capacity_unit"] == "kg/day"
    sites = pd.read_csv(out / "hydrogen-bases_proposed_sites.csv")
    assert len(sites) == 2
