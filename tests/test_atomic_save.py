"""Saves are atomic: a save killed at any instant leaves the previous or the new state, whole.

Each round forks a child that saves (a :meth:`geodata.PlanningData.to_gpkg`
over an existing file, or a scenario into a GeoPackage project), kills it
with SIGKILL at a random instant within (a little more than) the time a
save takes, and then loads what is on disk: it must be exactly the old or
exactly the new state. Damaged files must be refused with a DataError.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from contextlib import closing, suppress

import pytest

import geodata
from planning.scenarios import ScenarioSpec, run_scenario
from planning.workspace import open_workspace

ROUNDS = 32
SEED = 20261202

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture(scope="module")
def demo():
    return geodata.load_demo("chaoyang")


def _kill_during(save, delay: float) -> bool:
    """Fork a child running ``save``; SIGKILL it after ``delay`` s. True if it was killed."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        os.write(write, b"go")
        try:
            save()
        finally:
            os._exit(0)
    os.close(write)
    os.read(read, 2)  # the child is about to save
    os.close(read)
    time.sleep(delay)
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status)


def _seconds(save) -> float:
    start = time.perf_counter()
    save()
    return time.perf_counter() - start


def test_a_killed_planning_data_save_leaves_the_old_or_the_new_file(tmp_path, demo):
    path = tmp_path / "city.gpkg"
    old = demo.replace(name="old")
    firms = demo.enterprises.iloc[: len(demo.enterprises) // 2]
    new = demo.replace(name="new", enterprises=firms)
    old.to_gpkg(path)
    span = _seconds(lambda: new.to_gpkg(tmp_path / "timing.gpkg"))
    rng = random.Random(SEED)
    seen = {"old": 0, "new": 0}
    killed = 0
    for _ in range(ROUNDS):
        old.to_gpkg(path)
        killed += _kill_during(lambda: new.to_gpkg(path), rng.uniform(0, 1.2 * span))
        got = geodata.PlanningData.from_gpkg(path)
        assert got.name in seen
        want = old if got.name == "old" else new
        seen[got.name] += 1
        for kind, layer in want.layers().items():
            assert len(got.layers()[kind]) == len(layer), (got.name, kind)
        assert got.provenance == want.provenance
    print(f"to_gpkg: {killed} of {ROUNDS} saves killed; loaded afterwards: {seen}")
    assert killed >= ROUNDS // 2, "the saves finished before the kills: the test tested nothing"
    assert seen["old"] > 0, seen


def test_a_killed_project_save_leaves_the_old_or_the_new_project(tmp_path, demo):
    ws = open_workspace(tmp_path / "projects", user="planner")
    project = ws.create_project("朝阳", demo)
    first = run_scenario(demo, ScenarioSpec(name="A", n_sites=3, time_limit=10))
    second = run_scenario(demo, ScenarioSpec(name="B", n_sites=5, time_limit=10))
    project.save_scenario(first)
    span = _seconds(lambda: ws.project("朝阳").save_scenario(second))
    ws.project("朝阳").delete_scenario("B")
    rng = random.Random(SEED + 1)
    seen = {1: 0, 2: 0}
    killed = 0
    for _ in range(ROUNDS):
        again = ws.project("朝阳")
        if "B" in again.scenarios():
            again.delete_scenario("B")
        killed += _kill_during(
            lambda: ws.project("朝阳").save_scenario(second), rng.uniform(0, 1.2 * span)
        )
        after = ws.project("朝阳")
        names = after.scenarios()
        assert names in (["A"], ["A", "B"]), names
        seen[len(names)] += 1
        for name in names:
            loaded = after.load_scenario(name)
            want = first if name == "A" else second
            assert list(loaded.proposed_sites["id"]) == list(want.proposed_sites["id"])
            assert loaded.summary == want.summary
        assert len(after.data.enterprises) == len(demo.enterprises)
        history = after.history()
        assert list(history["version"]) == sorted(set(history["version"]))
        assert ws.projects() == ["朝阳"], "a temporary file was taken for a project"
    print(f"project save: {killed} of {ROUNDS} saves killed; scenarios afterwards: {seen}")
    assert killed >= ROUNDS // 2, "the saves finished before the kills: the test tested nothing"
    assert seen[1] > 0, seen


def test_truncated_or_metadata_less_files_are_refused(tmp_path, demo):
    path = tmp_path / "city.gpkg"
    demo.to_gpkg(path)
    blob = path.read_bytes()
    for fraction in (0.05, 0.3, 0.6, 0.95):
        short = tmp_path / f"short_{fraction}.gpkg"
        short.write_bytes(blob[: int(len(blob) * fraction)])
        with pytest.raises(geodata.DataError):
            geodata.PlanningData.from_gpkg(short)
    bare = tmp_path / "bare.gpkg"
    bare.write_bytes(blob)
    with closing(sqlite3.connect(bare)) as con, con:
        con.execute("DROP TABLE infrasite_metadata")
    with pytest.raises(geodata.DataError, match="infrasite_metadata"):
        geodata.PlanningData.from_gpkg(bare)
