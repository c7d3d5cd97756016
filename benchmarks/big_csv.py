"""Reading a 2,000,000-row enterprise CSV with :func:`geodata.read_layer`: time and memory.

The file is synthetic and seeded: Chinese headers (编号, 企业名称, 区县, 行业,
从业人数, 年产值(万元), 综合能耗(吨标煤), 数字化转型状态, 经度, 纬度), one firm
per row near Chaoyang, about 100 bytes a row in UTF-8 (about 200 MB). It is
written once to a temporary folder (or ``--csv``), then read in a fresh Python
process so that the peak resident memory is the reader's alone (generation
does not count). Two figures, each also as a multiple of the file size:
the peak resident memory of the process (``VmHWM``), and the peak above the
resident memory just before the read (``VmRSS`` after the imports), which is
what the read itself needs: the interpreter and the imported libraries are
there whatever the file.

Usage::

    python benchmarks/big_csv.py
    python benchmarks/big_csv.py --rows 500000 --keep big.csv

The targets of issue 14: well under 30 s and a peak within about 3x the file
size, or a refusal whose message states the limit. "layer held" is what stays
resident once the layer is read. The reader keeps a large file's text in
pyarrow and its few-valued columns as categoricals (:mod:`geodata._compact`),
so the layer is mostly its 2 million shapely points (about 216 bytes each, 413
MiB) plus about 190 MiB of columns: about 2.7x a 224 MiB file, 3.2x with the
interpreter and libraries (about 124 MiB before the read). On top of that the
read needs one block's working memory and the memory freed but not yet handed
back; the reader hands it back after every block. Measured (2,000,000 rows,
223.5 MiB): peak 800 MiB (3.58x), 676 MiB above the RSS before the read
(3.02x).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

COUNTIES = np.array(["双塔区", "龙城区", "朝阳县", "建平县", "喀左县", "北票市", "凌源市"])
SECTORS = np.array(["钢铁冶金", "新材料", "清洁能源", "农产品加工", "装备制造", "化工", "物流"])
STATUS = np.array(["未开展", "计划中", "实施中", "已完成"])
HEADER = "编号,企业名称,区县,行业,从业人数,年产值(万元),综合能耗(吨标煤),数字化转型状态,经度,纬度\n"


def write_csv(path: Path, rows: int, seed: int = 0, chunk: int = 200_000) -> None:
    """Write ``rows`` synthetic firms to ``path`` (UTF-8, comma separated), in chunks."""
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            numbers = np.arange(start + 1, start + n + 1).astype(str)
            ids = np.char.add("QY", np.char.zfill(numbers, 7))
            names = np.char.add(np.char.add("朝阳第", numbers), "实业有限公司")
            county = COUNTIES[rng.integers(0, len(COUNTIES), n)]
            sector = SECTORS[rng.integers(0, len(SECTORS), n)]
            staff = rng.integers(1, 5000, n).astype(str)
            output = np.char.mod("%.1f", rng.uniform(10, 90000, n))
            energy = np.char.mod("%.2f", rng.uniform(0, 5000, n))
            status = STATUS[rng.integers(0, len(STATUS), n)]
            lon = np.char.mod("%.6f", 120.45 + rng.normal(0, 0.3, n))
            lat = np.char.mod("%.6f", 41.57 + rng.normal(0, 0.2, n))
            columns = [ids, names, county, sector, staff, output, energy, status, lon, lat]
            lines = columns[0]
            for col in columns[1:]:
                lines = np.char.add(np.char.add(lines, ","), col)
            fh.write("\n".join(lines.tolist()))
            fh.write("\n")


_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})


def peak_kib(field="VmHWM:"):
    # VmHWM is this process's own peak; ru_maxrss may carry the parent's over fork+exec
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


import geodata
base = peak_kib("VmRSS:")
t0, c0 = time.perf_counter(), time.process_time()
try:
    gdf = geodata.read_layer({path!r}, "enterprises")
    out = {{"rows": len(gdf), "warnings": [w.code for w in gdf.attrs["warnings"]]}}
except geodata.DataError as exc:
    out = {{"refused": str(exc)}}
out["seconds"] = time.perf_counter() - t0
out["cpu_seconds"] = time.process_time() - c0
out["peak_kib"] = peak_kib()
out["held_kib"] = peak_kib("VmRSS:")
out["base_kib"] = base
print(json.dumps(out, ensure_ascii=False))
"""


def measure(path: Path) -> dict[str, object]:
    """Read ``path`` in a fresh process; return rows (or the refusal), seconds, peak RSS."""
    code = _CHILD.format(root=str(ROOT), path=str(path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Generate the CSV, read it, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", type=Path, help="read this file instead of generating one")
    parser.add_argument("--keep", type=Path, help="write the generated file here and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.csv or args.keep or Path(tmp) / "enterprises.csv"
        if args.csv is None:
            t0 = time.perf_counter()
            write_csv(path, args.rows, args.seed)
            print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f} s")
        size = path.stat().st_size
        result = measure(path)
    peak = int(result["peak_kib"]) * 1024  # type: ignore[call-overload]
    base = int(result["base_kib"]) * 1024  # type: ignore[call-overload]
    print(f"file size      {size / 2**20:8.1f} MiB")
    if "refused" in result:
        print(f"refused        {result['refused']}")
    else:
        print(f"rows read      {result['rows']:>8,}   warnings: {result['warnings']}")
    held = int(result["held_kib"]) * 1024  # type: ignore[call-overload]
    print(f"wall time      {result['seconds']:8.1f} s")
    print(f"CPU time       {result['cpu_seconds']:8.1f} s  (the machine may be busy: compare both)")
    print(f"peak RSS       {peak / 2**20:8.1f} MiB  ({peak / size:.2f}x the file)")
    print(f"before read    {base / 2**20:8.1f} MiB  (interpreter and libraries)")
    own = peak - base
    print(f"peak - before  {own / 2**20:8.1f} MiB  ({own / size:.2f}x the file)")
    print(f"layer held     {held / 2**20:8.1f} MiB  (resident with the layer read)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
