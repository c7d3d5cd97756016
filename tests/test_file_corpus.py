"""The corpus runner (benchmarks/file_corpus.py) on a handful of generated awkward files."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(Path(__file__).parent))

import file_corpus  # noqa: E402
from corpus_files import corpus  # noqa: E402

PICK = {
    "awk_decimal_comma.csv",
    "awk_zip_bomb.zip",
    "ids_missing.csv",
    "header_only.csv",
    "lon_and_jingdu.csv",
}


def test_runner_classifies_a_few_generated_files(tmp_path):
    manifest = {}
    for name, content, entry in corpus(seed=3, heavy=False):
        if name in PICK:
            (tmp_path / name).write_bytes(content)
            manifest[name] = entry
    assert set(manifest) == PICK
    (tmp_path / "corpus.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    (tmp_path / "stray.csv").write_bytes(b"\x00\x01garbage" * 100)  # not in the manifest
    results = {r.file: r for r in file_corpus.run_folder(tmp_path, timeout=60, memory_mb=2048)}
    assert set(results) == PICK | {"stray.csv"}
    for name, r in results.items():
        assert r.outcome not in file_corpus.BAD, r
        wanted_error = manifest.get(name, {}).get("expect") == "error" or name == "stray.csv"
        assert (r.outcome == "clear") == wanted_error, r
    assert results["ids_missing.csv"].rows_in == results["ids_missing.csv"].rows_out > 0
    assert results["stray.csv"].codes == ["binary_file"]
    assert "silent loss" not in file_corpus.table(list(results.values()))


def test_a_silent_loss_is_caught():
    got = {"outcome": "ok", "rows_out": 5, "skipped": 0, "counted": 12, "codes": []}
    r = file_corpus.classify("f.csv", "enterprises", {}, got)
    assert r.outcome == "silent loss" and r.rows_in == 12
    explained = file_corpus.classify("f.csv", "enterprises", {}, {**got, "skipped": 7})
    assert explained.outcome == "ok"
    assert file_corpus.guess_kind("朝阳_充电站.csv") == "charging_stations"
    assert file_corpus.guess_kind("counties.geojson") == "admin_areas"
