"""Read a folder of planners' files with :func:`geodata.read_layer` and classify each result.

Every file is read in its own Python process under a time limit and a
memory limit (``resource.setrlimit(RLIMIT_AS)``), and classified as:

``ok``
    read; as many rows out as the source has, or every missing row
    explained (skipped with a reason in lenient mode);
``clear``
    refused with a :class:`geodata.DataError` whose problems each carry a
    code, a message in English and in Chinese, and no temporary path;
``unclear``
    refused with a DataError that lacks any of that;
``crash``
    any other exception;
``hang``
    the time limit was reached;
``memory``
    the memory limit was reached (``MemoryError`` or killed);
``silent loss``
    read, but with fewer rows than the source and no explanation.

The kind of layer, the options and the number of rows in the source come
from ``corpus.json`` in the folder when it lists the file (as written by
``generate``); otherwise the kind is guessed from the file name and the rows
are counted independently of the reader (CSV records and worksheet rows with
any content below the header line the reader used, GeoJSON features, GIS
layers' feature counts).

Usage::

    python benchmarks/file_corpus.py generate corpus/ --seed 0   # the awkward corpus (>= 60 files)
    python benchmarks/file_corpus.py run corpus/ --timeout 60 --memory-mb 2048
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = "corpus.json"
BAD = ("crash", "hang", "memory", "silent loss")
_KIND_WORDS = (
    ("admin_areas", ("county", "counties", "admin", "区县", "行政区")),
    ("parks", ("park", "zone", "园区", "开发区")),
    ("charging_stations", ("charging", "充电")),
    ("base_stations", ("station", "mast", "基站")),
    ("candidate_sites", ("candidate", "site", "候选")),
)


@dataclass
class Result:
    """The outcome of reading one file."""

    file: str
    kind: str
    outcome: str
    rows_in: int | None = None
    rows_out: int | None = None
    seconds: float = 0.0
    codes: list[str] = field(default_factory=list)
    detail: str = ""
    expected: str | None = None


def guess_kind(name: str) -> str:
    """Return the layer kind a file name suggests (enterprises unless a word says otherwise)."""
    low = name.casefold()
    for kind, words in _KIND_WORDS:
        if any(w in low for w in words):
            return kind
    return "enterprises"


# --------------------------------------------------------------------------- the child


def _count_rows(path: Path, header_line: int) -> int | None:
    """Count the source's data rows without the reader: records with content under the header."""
    import geodata._sniff as sniff

    data = path.read_bytes()
    head = data[:8192]
    try:
        fmt = sniff.detect_format(path.name, head, len(data), data, path)
    except Exception:
        return None
    if fmt == "csv":
        text, _ = sniff.decode(data, path.name, None)
        sep = sniff.sniff_delimiter(text)
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
        body = records[header_line:]
        filled = [i for i, r in enumerate(body) if any(c.strip() for c in r)]
        return filled[-1] + 1 if filled else 0
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        if len(book.sheetnames) != 1:
            return None
        rows = list(book.worksheets[0].iter_rows(values_only=True))[header_line:]
        filled = [i for i, r in enumerate(rows) if any(str(v).strip() for v in r if v is not None)]
        return filled[-1] + 1 if filled else 0
    if fmt == "geojson":
        doc = json.loads(data.decode("utf-8-sig"))
        if doc.get("type") == "FeatureCollection":
            return len(doc.get("features") or [])
        return 1 if doc.get("type") == "Feature" else None
    return None


def read_one(path: Path, kind: str, options: dict[str, Any]) -> dict[str, Any]:
    """Read one file (in the child process) and describe the outcome as plain data."""
    sys.path.insert(0, str(ROOT))
    import geodata

    t0 = time.perf_counter()
    try:
        gdf = geodata.read_layer(path, kind, **options)
    except geodata.DataError as exc:
        clear = bool(exc.problems)
        for p in exc.problems:
            text = str(p)
            if p.code is None or not p.message("zh") or "/tmp" in text or "infrasite-" in text:
                clear = False
        return {
            "outcome": "clear" if clear else "unclear",
            "codes": [p.code or "?" for p in exc.problems][:5],
            "detail": str(exc.problems[0].message) if exc.problems else str(exc),
            "seconds": time.perf_counter() - t0,
        }
    except MemoryError:
        return {"outcome": "memory", "detail": "MemoryError", "seconds": time.perf_counter() - t0}
    except Exception as exc:  # a crash is what this runner is looking for
        return {
            "outcome": "crash",
            "detail": f"{type(exc).__name__}: {exc}"[:300],
            "seconds": time.perf_counter() - t0,
        }
    seconds = time.perf_counter() - t0
    skipped = {r["row"] for r in gdf.attrs.get("skipped", []) if r.get("row") is not None}
    try:
        counted = _count_rows(path, int(gdf.attrs.get("header_line", 1)))
    except Exception:
        counted = None
    return {
        "outcome": "ok",
        "rows_out": len(gdf),
        "skipped": len(skipped),
        "counted": counted,
        "codes": [w.code for w in gdf.attrs.get("warnings", [])][:5],
        "seconds": seconds,
    }


def _limit(memory_mb: int) -> Any:
    def apply() -> None:
        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def run_file(
    path: Path, kind: str, options: dict[str, Any], *, timeout: float, memory_mb: int
) -> dict[str, Any]:
    """Read ``path`` in a child process under the limits; return its description."""
    spec = json.dumps({"path": str(path), "kind": kind, "options": options}, ensure_ascii=False)
    t0 = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "one", spec],
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=_limit(memory_mb),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"outcome": "hang", "detail": f"no answer in {timeout:g} s", "seconds": timeout}
    seconds = time.perf_counter() - t0
    lines = done.stdout.strip().splitlines()
    if done.returncode == 0 and lines:
        return json.loads(lines[-1])
    err = done.stderr.strip().splitlines()
    last = err[-1] if err else f"exit code {done.returncode}"
    if "MemoryError" in done.stderr or done.returncode < 0 or "bad_alloc" in done.stderr:
        return {"outcome": "memory", "detail": last[:300], "seconds": seconds}
    return {"outcome": "crash", "detail": last[:300], "seconds": seconds}


# --------------------------------------------------------------------------- the runner


def classify(name: str, kind: str, entry: dict[str, Any], got: dict[str, Any]) -> Result:
    """Turn a child's description and the manifest entry into a :class:`Result`."""
    expected = entry.get("expect")
    result = Result(
        name,
        kind,
        got["outcome"],
        rows_out=got.get("rows_out"),
        seconds=round(float(got.get("seconds", 0.0)), 2),
        codes=list(got.get("codes", [])),
        detail=str(got.get("detail", "")),
        expected=expected,
    )
    if result.outcome != "ok":
        return result
    rows_in = entry.get("rows", got.get("counted"))
    result.rows_in = rows_in
    out = int(got["rows_out"])
    if rows_in is not None and out + int(got.get("skipped", 0)) < int(rows_in):
        result.outcome = "silent loss"
        result.detail = f"{rows_in} rows in the source, {out} read, {got.get('skipped', 0)} skipped"
    return result


def run_folder(
    folder: Path, *, timeout: float = 60.0, memory_mb: int = 2048, names: list[str] | None = None
) -> list[Result]:
    """Read every file of ``folder`` (or only ``names``) and classify each."""
    manifest_path = folder / MANIFEST
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.exists() else {}
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != MANIFEST)
    results = []
    for path in files:
        if names is not None and path.name not in names:
            continue
        entry = manifest.get(path.name, {})
        kind = entry.get("kind") or guess_kind(path.name)
        options = entry.get("options", {})
        got = run_file(path, kind, options, timeout=timeout, memory_mb=memory_mb)
        results.append(classify(path.name, kind, entry, got))
    return results


def table(results: list[Result]) -> str:
    """Return the results as a Markdown table, then the counts per outcome."""
    lines = [
        "| file | kind | outcome | rows in | rows out | s | codes |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        codes = ", ".join(r.codes) if r.codes else r.detail[:60]
        lines.append(
            f"| {r.file} | {r.kind} | {r.outcome} | {'' if r.rows_in is None else r.rows_in} | "
            f"{'' if r.rows_out is None else r.rows_out} | {r.seconds:g} | {codes} |"
        )
    counts: dict[str, int] = {}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    lines.append("")
    lines.append(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) + f" ({len(results)})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``generate FOLDER``, ``run FOLDER`` (exit 1 on any bad outcome)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the seeded awkward corpus")
    gen.add_argument("folder", type=Path)
    gen.add_argument("--seed", type=int, default=0)
    run = sub.add_parser("run", help="read every file and classify the results")
    run.add_argument("folder", type=Path)
    run.add_argument("--timeout", type=float, default=60.0)
    run.add_argument("--memory-mb", type=int, default=2048)
    run.add_argument("--json", type=Path, help="also write the results here")
    one = sub.add_parser("one", help=argparse.SUPPRESS)
    one.add_argument("spec")
    args = parser.parse_args(argv)
    if args.command == "one":
        spec = json.loads(args.spec)
        print(json.dumps(read_one(Path(spec["path"]), spec["kind"], spec["options"])))
        return 0
    if args.command == "generate":
        sys.path.insert(0, str(ROOT / "tests"))
        from corpus_files import write_corpus

        n = write_corpus(args.folder, seed=args.seed)
        print(f"wrote {n} files to {args.folder}")
        return 0
    results = run_folder(args.folder, timeout=args.timeout, memory_mb=args.memory_mb)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1))
    return 1 if any(r.outcome in BAD for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
