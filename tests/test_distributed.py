"""Dask: tiled matrices equal the one-piece build, a study fans out to the same results.

The cluster is a 2-worker ``LocalCluster`` of threads talking TCP on 127.0.0.1
(so that data and results really are serialised between client and
workers), started once for the module and closed after it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import geodata
import planning
from planning.batch import run_study
from planning.cli import EXIT_OK, main
from planning.distributed import (
    fan_out,
    plan_tiles,
    tiled_coverage_matrix,
    tiled_distance_matrix,
)
from planning.study import parse_study
from planning.workspace import open_workspace

distributed = pytest.importorskip("distributed")

STUDY = """\
[study]
name = "three"
formats = ["summary_md"]
project = "three"

[data]
demo = "chaoyang"

[defaults]
time_limit = 20

[[scenario]]
name = "5g-{n_sites}"
infrastructure = "5g"
n_sites = [4, 8]

[[scenario]]
name = "charging-budget"
infrastructure = "charging"
objective = "budget"
budget_cny = 2000000
"""


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
    )
    connected = distributed.Client(cluster)
    try:
        yield connected
    finally:
        connected.close()
        cluster.close()


def _points(seed: int, n: int, m: int, span: float = 12_000.0):
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, span, (n, 2))
    sites = rng.uniform(-500, span + 500, (m, 2))
    # demand exactly on a tile edge and exactly at a site's radius
    demand[:5] = [
        [0, 0],
        [2000, 2000],
        [4000, 1234],
        [5999.999, 3000],
        [sites[0, 0] + 800, sites[0, 1]],
    ]
    return demand, sites


def _same_csr(got, expected) -> None:
    assert got.shape == expected.shape and got.dtype == expected.dtype
    # the tiled build comes with its columns sorted within rows, as the one-piece build
    resorted = got.copy()
    resorted.has_sorted_indices = False
    resorted.sort_indices()
    np.testing.assert_array_equal(resorted.indices, got.indices)
    expected = expected.tocsr()
    expected.sort_indices()
    np.testing.assert_array_equal(got.indptr, expected.indptr)
    np.testing.assert_array_equal(got.indices, expected.indices)
    np.testing.assert_array_equal(got.data, expected.data)


def test_tiles_without_pairs_and_empty_inputs():
    demand = np.array([[0.0, 0.0], [50_000.0, 0.0], [50_010.0, 0.0]])
    sites = np.array([[10.0, 0.0], [49_000.0, 0.0]])  # the second reaches no one at 500 m
    _same_csr(
        tiled_coverage_matrix(demand, sites, 500.0, tile_m=1000.0),
        planning.coverage_matrix(demand, sites, 500.0),
    )
    assert tiled_coverage_matrix(demand, sites, 5.0, tile_m=1000.0).nnz == 0
    assert tiled_coverage_matrix(demand[:0], sites, 500.0).shape == (0, 2)
    assert tiled_distance_matrix(demand, sites[:0], 500.0).shape == (3, 0)


def test_cluster_has_two_workers_on_loopback(client):
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(address.startswith("tcp://127.0.0.1:") for address in workers)


@pytest.mark.parametrize("tile_m", [2000.0, 3500.0, None])
def test_tiled_coverage_matrix_equals_coverage_matrix(client, tile_m):
    demand, sites = _points(1, 6000, 700)
    expected = planning.coverage_matrix(demand, sites, 800.0)
    progress = []
    got = tiled_coverage_matrix(
        demand,
        sites,
        800.0,
        client=client,
        tile_m=tile_m,
        max_in_flight=3,
        progress=lambda done, total: progress.append((done, total)),
    )
    _same_csr(got, expected)
    assert expected[4, 0]  # the point at exactly the radius is covered
    assert progress and progress[-1][0] == progress[-1][1]
    if tile_m == 2000.0:
        assert progress[-1][1] > 20  # many tiles, three at a time


def test_tiled_matrices_with_a_radius_per_site(client):
    demand, sites = _points(2, 5000, 600)
    radii = np.random.default_rng(3).uniform(300, 1500, len(sites))
    _same_csr(
        tiled_coverage_matrix(demand, sites, radii, client=client, tile_m=2500.0),
        planning.coverage_matrix(demand, sites, radii),
    )
    _same_csr(
        tiled_distance_matrix(demand, sites, radii, client=client, tile_m=2500.0),
        planning.distance_matrix(demand, sites, radii),
    )
    # and in this process, without a cluster
    _same_csr(
        tiled_distance_matrix(demand, sites, 1000.0, tile_m=1800.0),
        planning.distance_matrix(demand, sites, 1000.0),
    )


def test_tiles_cover_every_demand_point_once():
    demand, sites = _points(4, 3000, 300)
    tiles = list(plan_tiles(demand, sites, 800.0, 2500.0))
    seen = np.concatenate([t.demand for t in tiles])
    assert sorted(seen) == list(range(len(demand)))
    # each tile's site list is far smaller than all sites: the memory bound
    assert max(len(t.sites) for t in tiles) < len(sites) / 2


def test_tiled_matrix_on_the_demo_firms(client):
    data = geodata.load_demo("chaoyang")
    firms = data.enterprises.to_crs(data.enterprises.estimate_utm_crs())
    sites = data.candidate_sites.to_crs(firms.crs)
    demand_xy = np.column_stack([firms.geometry.x, firms.geometry.y])
    site_xy = np.column_stack([sites.geometry.x, sites.geometry.y])
    _same_csr(
        tiled_coverage_matrix(demand_xy, site_xy, 1000.0, client=client, tile_m=25_000.0),
        planning.coverage_matrix(demand_xy, site_xy, 1000.0),
    )


def _comparable(result) -> dict:
    summary = {k: v for k, v in result.summary.items() if "second" not in k}  # timings differ
    return {
        "sites": list(result.proposed_sites["id"]),
        "covered_after": result.served["covered_after"].tolist(),
        "indicators": result.indicators,
        "summary": summary,
    }


def _assert_same(a, b) -> None:
    ca, cb = _comparable(a), _comparable(b)
    assert ca["sites"] == cb["sites"]
    assert ca["covered_after"] == cb["covered_after"]
    pd.testing.assert_frame_equal(ca["indicators"], cb["indicators"])
    assert ca["summary"].keys() == cb["summary"].keys()
    for key, value in ca["summary"].items():
        if isinstance(value, float):
            assert value == pytest.approx(cb["summary"][key], rel=1e-9, abs=1e-9), key
        else:
            assert value == cb["summary"][key], key


def test_three_scenario_study_fans_out_to_the_serial_results(client, tmp_path):
    study = parse_study(STUDY)
    serial_ws = open_workspace(tmp_path / "serial")
    dask_ws = open_workspace(tmp_path / "dask")
    done = []
    serial = run_study(study, tmp_path / "out-serial", workspace=serial_ws)
    fanned = run_study(
        study,
        tmp_path / "out-dask",
        workspace=dask_ws,
        runner=fan_out(client),
        progress=lambda name, n, total: done.append((name, n, total)),
    )
    names = ["5g-4", "5g-8", "charging-budget"]
    for report in (serial, fanned):
        assert report.failed == {}
        assert list(report.cities[0].saved) == names
    assert sorted(d[0] for d in done) == names and done[-1][1:] == (3, 3)
    for name in names:
        _assert_same(
            serial_ws.project("three").load_scenario(name),
            dask_ws.project("three").load_scenario(name),
        )
    files = sorted(p.name for p in (tmp_path / "out-dask").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "out-serial").iterdir())
    for name in files:
        if name.endswith(".md"):
            serial_md = (tmp_path / "out-serial" / name).read_text(encoding="utf-8")
            dask_md = (tmp_path / "out-dask" / name).read_text(encoding="utf-8")
            assert _without_timings(serial_md) == _without_timings(dask_md)
    # nothing left on the cluster once the study is done
    assert client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0


def _without_timings(text: str) -> list[str]:
    return [line for line in text.splitlines() if "秒" not in line and "second" not in line]


def test_failed_scenario_on_the_cluster_is_reported_not_raised(client, tmp_path):
    text = '[data]\ndemo = "chaoyang"\n[[scenario]]\nname = "5g-{n_sites}"\nn_sites = [2, 5000]\n'
    study = parse_study(text)
    report = run_study(
        study, tmp_path / "out", workspace=open_workspace(tmp_path / "ws"), runner=fan_out(client)
    )
    assert list(report.cities[0].saved) == ["5g-2"]
    assert report.failed["5g-5000"].startswith("SpecificationError")


def test_cli_runs_a_study_on_a_running_scheduler(client, tmp_path, monkeypatch):
    monkeypatch.setenv("INFRASITE_HOME", str(tmp_path / "home"))
    study = Path(tmp_path / "study.toml")
    study.write_text(STUDY.split("[[scenario]]")[0] + _ONE, encoding="utf-8")
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    result = CliRunner().invoke(
        main, ["run", str(study), "--out", str(tmp_path / "out"), "--cluster", address]
    )
    assert result.exit_code == EXIT_OK, result.output
    assert f"cluster: {address}" in result.stderr
    assert open_workspace(tmp_path / "home").project("three").scenarios() == ["5g-3"]


_ONE = """\
[[scenario]]
name = "5g-3"
n_sites = 3
"""
