"""planning.workspace on both backends: GeoPackage folder and a real PostGIS server."""

from __future__ import annotations

import math
import sqlite3
import threading
from contextlib import closing

import numpy as np
import pandas as pd
import pyogrio
import pytest
import scipy.sparse as sp

import geodata
from planning.scenarios import ScenarioSpec, run_scenario
from planning.workspace import ConflictError, Project, Workspace, open_workspace

BACKENDS = ["gpkg", "postgis"]
_DB_COUNT = [0]


@pytest.fixture(scope="module")
def demo():
    return geodata.load_demo("chaoyang")


@pytest.fixture(scope="module")
def results(demo):
    """Two real scenario results: a 5G coverage run and a p-median run with array details."""
    a = run_scenario(demo, ScenarioSpec(name="A", n_sites=3, time_limit=20))
    b = run_scenario(
        demo,
        ScenarioSpec(
            name="B", infrastructure="charging", objective="min_distance", n_sites=2, time_limit=20
        ),
    )
    return a, b


@pytest.fixture(scope="module")
def template_db(postgis_server):
    import pg_server
    import psycopg

    url = pg_server.fresh_database(postgis_server, "ws_template")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return url


def _fresh_pg(template_db: str) -> str:
    import psycopg
    from psycopg import sql

    _DB_COUNT[0] += 1
    name = f"ws_{_DB_COUNT[0]}"
    base = template_db.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        con.execute(sql.SQL("CREATE DATABASE {} TEMPLATE ws_template").format(sql.Identifier(name)))
    return f"{base}/{name}"


@pytest.fixture(params=BACKENDS)
def location(request, tmp_path):
    if request.param == "gpkg":
        return str(tmp_path / "projects")
    return _fresh_pg(request.getfixturevalue("template_db"))


@pytest.fixture
def ws(location) -> Workspace:
    return open_workspace(location, user="planner-a")


def _same_data(got: geodata.PlanningData, want: geodata.PlanningData) -> None:
    assert got.name == want.name
    assert got.provenance == want.provenance
    for kind in geodata.KINDS:
        a, b = pd.DataFrame(got.layers()[kind]), pd.DataFrame(want.layers()[kind])
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
        assert got.layers()[kind].crs.equals("EPSG:4326")


def _same_value(a, b) -> bool:
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
        return True
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    if sp.issparse(a):
        return (a != b).nnz == 0
    return a == b


def _same_result(got, want) -> None:
    assert got.spec == want.spec
    assert set(got.summary) == set(want.summary)
    for key, value in want.summary.items():
        assert _same_value(got.summary[key], value), key
    gs, ws_ = got.solution, want.solution
    for key in ("objective", "bound", "gap", "status", "seconds", "sense", "method"):
        assert _same_value(getattr(gs, key), getattr(ws_, key)), key
    for key in ("selected", "covered", "assignment", "marginal"):
        a, b = getattr(gs, key), getattr(ws_, key)
        assert (a is None) == (b is None), key
        if b is not None:
            np.testing.assert_array_equal(a, b)
            assert np.asarray(a).dtype == np.asarray(b).dtype, key
    assert set(gs.details) == set(ws_.details)
    for key, value in ws_.details.items():
        assert _same_value(gs.details[key], value), key
    pd.testing.assert_frame_equal(got.proposed_sites, want.proposed_sites)
    pd.testing.assert_frame_equal(got.served, want.served)
    pd.testing.assert_frame_equal(got.indicators, want.indicators)
    pd.testing.assert_frame_equal(got.curve, want.curve)
    assert got.proposed_sites.crs.equals(want.proposed_sites.crs)
    for key in ("equity", "stages"):
        a, b = getattr(got, key), getattr(want, key)
        assert (a is None) == (b is None), key
        if b is not None:
            pd.testing.assert_frame_equal(a, b)


def test_projects_are_created_listed_renamed_and_deleted(ws, demo):
    assert ws.projects() == []
    project = ws.create_project("朝阳 2026", demo)
    assert isinstance(project, Project) and project.version == 1
    assert project.created == project.modified
    ws.create_project("second/one", demo)
    assert ws.projects() == sorted(["朝阳 2026", "second/one"])
    with pytest.raises(FileExistsError, match="朝阳 2026"):
        ws.create_project("朝阳 2026", demo)
    ws.rename_project("second/one", "第二")
    assert "第二" in ws.projects() and "second/one" not in ws.projects()
    assert ws.project("第二").history()["action"].tolist() == ["create", "rename_project"]
    with pytest.raises(FileExistsError, match="第二"):
        ws.rename_project("朝阳 2026", "第二")
    ws.delete_project("第二")
    assert ws.projects() == ["朝阳 2026"]
    with pytest.raises(KeyError, match="第二"):
        ws.project("第二")
    with pytest.raises(ValueError, match="name"):
        ws.create_project("  ", demo)


def test_project_data_round_trips(ws, demo):
    ws.create_project("p", demo)
    _same_data(ws.project("p").data, demo)


@pytest.mark.parametrize("backend", BACKENDS)
def test_road_graph_survives_the_store(backend, tmp_path, request):
    data = geodata.load_demo("liechtenstein")
    assert data.roads is not None
    if backend == "gpkg":
        location = str(tmp_path / "ws")
    else:
        location = _fresh_pg(request.getfixturevalue("template_db"))
    ws = open_workspace(location)
    ws.create_project("li", data)
    back = ws.project("li").data
    assert back.roads.number_of_nodes() == data.roads.number_of_nodes()
    assert back.roads.number_of_edges() == data.roads.number_of_edges()
    _same_data(back, data)


def test_a_loaded_scenario_equals_the_saved_one(ws, demo, results):
    project = ws.create_project("p", demo)
    for result in results:
        assert project.save_scenario(result) == result.name
    again = ws.project("p")
    assert again.scenarios() == ["A", "B"]
    for result in results:
        _same_result(again.load_scenario(result.name), result)
    assert isinstance(again.load_scenario("B").solution.details["pmedian_rows"], np.ndarray)


def test_county_floors_and_staged_plans_keep_their_tables(ws, demo):
    floors = run_scenario(
        demo,
        ScenarioSpec(
            name="floors", objective="budget", budget_cny=600_000, min_share_per_county=0.5,
            time_limit=10,
        ),
    )  # fmt: skip
    staged = run_scenario(
        demo,
        ScenarioSpec(
            name="staged", objective="budget", budget_cny=600_000,
            stage_budgets_cny=(300_000, 300_000), time_limit=10,
        ),
    )  # fmt: skip
    assert floors.equity is not None and staged.stages is not None
    project = ws.create_project("equity", demo)
    for result in (floors, staged):
        project.save_scenario(result)
    again = ws.project("equity")
    for result in (floors, staged):
        _same_result(again.load_scenario(result.name), result)


def test_runs_never_overwrite_silently(ws, demo, results):
    a, _ = results
    project = ws.create_project("p", demo)
    assert project.save_scenario(a) == "A"
    assert project.save_scenario(a) == "A (2)"
    assert project.save_scenario(a) == "A (3)"
    second = project.load_scenario("A (2)")
    assert second.name == "A (2)" and second.summary["name"] == "A (2)"
    assert project.save_scenario(a, replace=True) == "A"
    assert project.scenarios() == ["A", "A (2)", "A (3)"]
    project.rename_scenario("A (3)", "三")
    assert project.scenarios() == ["A", "A (2)", "三"]
    assert project.load_scenario("三").spec.name == "三"
    with pytest.raises(ValueError, match="A"):
        project.rename_scenario("三", "A")
    project.delete_scenario("A (2)")
    assert project.scenarios() == ["A", "三"]
    with pytest.raises(KeyError, match="A \\(2\\)"):
        project.load_scenario("A (2)")
    with pytest.raises(KeyError, match="nope"):
        project.delete_scenario("nope")
    actions = project.history()[["action", "target"]].values.tolist()
    assert actions[-3:] == [
        ["scenario", "scenario:A"],
        ["rename_scenario", "scenario:A (3)"],
        ["delete_scenario", "scenario:A (2)"],
    ]


def test_record_tables_and_settings_round_trip(ws, demo):
    project = ws.create_project("p", demo)
    records = pd.DataFrame(
        {
            "item": ["5G 基站 A", "充电站 B", None],
            "budget_cny": [1.5e6, np.nan, 3.0],
            "done": [True, False, True],
            "year": np.array([2026, 2027, 2028], dtype="int32"),
            "due": pd.to_datetime(["2026-03-01", "2026-09-30", None]),
        },
        index=pd.Index(["r1", "r2", "r3"], name="record"),
    )
    assert project.tables() == []
    project.save_table("programme", records, user="tracker")
    project.save_table("empty", records.iloc[:0])
    again = ws.project("p")
    assert again.tables() == ["empty", "programme"]
    pd.testing.assert_frame_equal(again.table("programme"), records)
    pd.testing.assert_frame_equal(again.table("empty"), records.iloc[:0])
    with pytest.raises(KeyError, match="missing_table"):
        again.table("missing_table")
    assert again.settings == {}
    again.save_settings({"language": "en", "radius": {"5g": 450.0}})
    assert ws.project("p").settings == {"language": "en", "radius": {"5g": 450.0}}
    with pytest.raises(ValueError, match="JSON"):
        again.save_settings({"bad": object()})
    history = again.history()
    assert history["user"].tolist() == ["planner-a", "tracker", "planner-a", "planner-a"]
    assert history["version"].tolist() == [1, 2, 3, 4]
    assert str(history["at"].dt.tz) == "UTC"


def test_concurrent_saves_of_the_same_thing_conflict(ws, demo, results):
    a, b = results
    ws.create_project("p", demo)
    first = open_workspace(ws.location if "://" not in ws.location else ws._store.url)
    mine = first.project("p")
    theirs = ws.project("p")
    theirs.save_table("programme", pd.DataFrame({"x": [1]}), user="王工")
    # a different thing: no conflict, nothing lost
    mine.save_scenario(a, user="李工")
    with pytest.raises(ConflictError) as info:
        mine.save_table("programme", pd.DataFrame({"x": [2]}), user="李工")
    message = str(info.value)
    assert "王工" in message and "table:programme" in message and "Reload" in message
    assert isinstance(info.value, RuntimeError)
    assert ws.project("p").table("programme")["x"].tolist() == [1]  # not overwritten
    mine.reload()
    mine.save_table("programme", pd.DataFrame({"x": [2]}), user="李工")
    assert ws.project("p").table("programme")["x"].tolist() == [2]
    # a data change conflicts with every save based on the old data
    theirs.reload().replace_data(demo.replace(name="new"), user="王工")
    with pytest.raises(ConflictError, match="data"):
        mine.save_scenario(b, user="李工")
    assert ws.project("p").scenarios() == ["A"]
    assert ws.project("p").data.name == "new"


def test_every_save_by_someone_else_is_seen_at_once(ws, demo):
    """The version and history are read again after each save, however quick the saves."""
    ws.create_project("p", demo)
    reader = ws.project("p")
    other = open_workspace(ws.location if "://" not in ws.location else ws._store.url)
    writer = other.project("p", user="王工")
    for i in range(6):
        writer.save_table("t", pd.DataFrame({"x": [i]}), user="王工")  # same size each time
        assert reader.stored_version() == writer.version
        assert reader.history()["version"].max() == writer.version
        assert reader.changes_by_others()["user"].eq("王工").all()
    # what a caller does with a read does not change the next one
    reader._store.meta("p")["version"] = "0"
    reader._store.history("p")[0]["user"] = "nobody"
    assert reader.stored_version() == writer.version
    assert "nobody" not in set(reader.history()["user"])


def test_renaming_or_deleting_what_someone_else_removed_is_a_conflict(ws, demo, results):
    a, _ = results
    ws.create_project("p", demo)
    ws.project("p").save_scenario(a, user="李工")
    mine = ws.project("p", user="李工")
    theirs = ws.project("p", user="王工")
    theirs.rename_scenario("A", "A1")
    with pytest.raises(ConflictError) as info:
        mine.rename_scenario("A", "B")
    assert "王工" in str(info.value) and "scenario:A" in str(info.value)
    with pytest.raises(ConflictError):
        mine.delete_scenario("A")
    assert ws.project("p").scenarios() == ["A1"]
    # a name that never existed is still a KeyError
    with pytest.raises(KeyError, match="no scenario 'Z'"):
        mine.delete_scenario("Z")


def test_two_simultaneous_saves_one_wins_one_conflicts(ws, demo):
    ws.create_project("p", demo)
    projects = [ws.project("p"), ws.project("p")]
    barrier = threading.Barrier(2)
    outcome: list[str] = []

    def save(i: int) -> None:
        barrier.wait()
        try:
            projects[i].save_table("t", pd.DataFrame({"who": [i]}), user=f"user{i}")
            outcome.append("saved")
        except ConflictError as exc:
            outcome.append(f"conflict: {exc}")

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split(":")[0] for o in outcome) == ["conflict", "saved"], outcome
    saved = ws.project("p").table("t")["who"].tolist()
    assert len(saved) == 1
    assert f"user{saved[0]}" in next(o for o in outcome if o.startswith("conflict"))
    assert ws.project("p").version == 2


def test_saving_a_name_someone_else_just_took_uses_the_next_free_name(ws, demo, results):
    a, _ = results
    ws.create_project("p", demo)
    mine, theirs = ws.project("p", user="李工"), ws.project("p", user="王工")
    assert theirs.save_scenario(a) == "A"
    assert mine.save_scenario(a) == "A (2)"  # mine had not seen their "A"
    assert ws.project("p").scenarios() == ["A", "A (2)"]
    history = ws.project("p").history()
    assert history["user"].tolist()[-2:] == ["王工", "李工"]
    # replacing still refuses to overwrite what someone else saved meanwhile
    stale = ws.project("p")
    theirs.save_scenario(a, replace=True)
    with pytest.raises(ConflictError, match="王工"):
        stale.save_scenario(a, replace=True)


def test_simultaneous_saves_of_one_new_name_both_kept(ws, demo, results):
    a, _ = results
    ws.create_project("p", demo)
    projects = [ws.project("p", user=f"user{i}") for i in range(3)]
    barrier = threading.Barrier(len(projects))
    names: list[str] = []
    errors: list[BaseException] = []

    def save(i: int) -> None:
        barrier.wait()
        try:
            names.append(projects[i].save_scenario(a))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(projects))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(names) == ["A", "A (2)", "A (3)"]
    again = ws.project("p")
    assert sorted(again.scenarios()) == ["A", "A (2)", "A (3)"]
    for name in names:
        assert again.load_scenario(name).name == name


def test_replace_data_keeps_scenarios(ws, demo, results):
    project = ws.create_project("p", demo)
    project.save_scenario(results[0])
    fewer = demo.replace(enterprises=demo.enterprises.iloc[:100].reset_index(drop=True))
    project.replace_data(fewer)
    again = ws.project("p")
    assert len(again.data.enterprises) == 100
    _same_data(again.data, fewer)
    _same_result(again.load_scenario("A"), results[0])


def test_export_and_import_lose_nothing(ws, demo, results, tmp_path, request):
    project = ws.create_project("p", demo)
    for result in results:
        project.save_scenario(result)
    project.save_table("programme", pd.DataFrame({"step": ["a", "b"], "cost": [1.0, 2.5]}))
    project.save_settings({"language": "en"})
    path = ws.export_project("p", tmp_path / "p.gpkg")
    layers = dict(pyogrio.list_layers(path))
    assert {*geodata.KINDS, "scenario_1_sites", "scenario_2_sites"} <= set(layers)
    assert layers["scenario_1_sites"] == "Point"
    sites = pyogrio.read_dataframe(path, layer="scenario_1_sites")
    assert len(sites) == len(results[0].proposed_sites)
    with closing(sqlite3.connect(path)) as con:
        labels = dict(con.execute("SELECT table_name, identifier FROM gpkg_contents"))
    assert labels["scenario_2_sites"] == "B: proposed sites"
    targets = [str(tmp_path / "other"), ws.location]
    if "://" in ws.location:
        targets[1] = ws._store.url
    for i, target in enumerate(targets):
        other = open_workspace(target)
        copy = other.import_project(path, name=f"copy {i}")
        assert copy.scenarios() == ["A", "B"]
        for result in results:
            _same_result(copy.load_scenario(result.name), result)
        _same_data(copy.data, demo)
        assert copy.settings == {"language": "en"}
        pd.testing.assert_frame_equal(copy.table("programme"), project.table("programme"))
        old, new = project.history(), copy.history()
        assert len(new) == len(old) + 1
        pd.testing.assert_frame_equal(new.iloc[:-1], old)
        assert new["target"].iloc[-1] == "import of p.gpkg"
        assert copy.created == project.created
    with pytest.raises(FileExistsError):
        ws.import_project(path)  # the name "p" stored in the file is taken


def test_duplicate_copies_everything(ws, demo, results):
    project = ws.create_project("p", demo)
    project.save_scenario(results[0])
    copy = ws.duplicate_project("p", "p copy")
    assert copy.scenarios() == ["A"]
    _same_result(copy.load_scenario("A"), results[0])
    assert ws.projects() == ["p", "p copy"]


def test_default_location_follows_the_environment(tmp_path, monkeypatch, _infrasite_home):
    from planning.workspace import default_location

    assert default_location() == str(_infrasite_home)
    assert open_workspace().location == str(_infrasite_home)
    monkeypatch.setenv("INFRASITE_DATABASE_URL", "postgresql://u:secret@127.0.0.1:1/x")
    assert default_location().startswith("postgresql://")
    with pytest.raises(ConnectionError, match="INFRASITE_DATABASE_URL") as info:
        open_workspace()
    assert "secret" not in str(info.value)
    monkeypatch.delenv("INFRASITE_DATABASE_URL")
    monkeypatch.delenv("INFRASITE_HOME")
    assert "infrasite" in default_location()
    with pytest.raises(ValueError, match="postgresql://"):
        open_workspace("mysql://x/y")


def test_incomplete_project_files_are_refused(tmp_path, demo, results):
    ws = open_workspace(tmp_path / "ws")
    project = ws.create_project("p", demo)
    project.save_scenario(results[0])
    path = ws._store.path("p")
    blob = path.read_bytes()
    short = tmp_path / "short.gpkg"
    short.write_bytes(blob[: len(blob) // 3])
    with pytest.raises(geodata.DataError, match="nothing was loaded"):
        ws.import_project(short, name="s")
    bare = tmp_path / "bare.gpkg"
    demo.to_gpkg(bare)  # planning data without the project tables
    with pytest.raises(geodata.DataError, match="infrasite_project"):
        ws.import_project(bare, name="b")
    with closing(sqlite3.connect(path)) as con, con:
        con.execute("DELETE FROM infrasite_project WHERE key = 'version'")
    with pytest.raises(geodata.DataError, match="version"):
        ws.project("p")
