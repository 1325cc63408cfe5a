"""Benchmark: wall time and peak RSS of a full `kg build` from a local mirror.

Run by hand (not in CI):

    python bench/build.py --data-dir ../shared/data [--runs 3] [--scoring]

Each run is a fresh `kg build` in a child process on a new store root; peak RSS is the
child's ru_maxrss (the build's own process: the parser, the writer and Oxigraph's bulk
loader all live in it). Prints one line per run and a summary; pass --out to append a
Markdown block to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one_run(data_dir: Path, scoring: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        store = Path(tmp) / "store"
        cmd = [sys.executable, "-c", "from kg.cli import app; app()", "build", "--data-dir",
               str(data_dir), "--store", str(store), "--offline"]
        if not scoring:
            cmd.append("--no-scoring")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise SystemExit(f"build failed:\n{proc.stderr}")
        manifest = json.loads((store / "current" / "manifest.json").read_text())
        return {"wall_s": round(wall, 1), "peak_rss_mb": round(after.ru_maxrss / 1024),
                "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1),
                "phases_s": manifest["timings_s"],
                "quads": sum(n for per in manifest["counts"]["edges"].values() for n in per.values())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scoring", action="store_true", help="include the PhenoDigm tables")
    ap.add_argument("--out", type=Path, help="append a Markdown block to this file")
    args = ap.parse_args()
    runs = []
    for i in range(args.runs):
        r = one_run(args.data_dir, args.scoring)
        runs.append(r)
        print(f"run {i + 1}: {r}", flush=True)
    walls = [r["wall_s"] for r in runs]
    rss = max(r["peak_rss_mb"] for r in runs)
    load = os.getloadavg()[0]
    summary = (f"full build{' + scoring' if args.scoring else ''}: median wall {statistics.median(walls)} s "
               f"(runs {walls}), peak RSS {rss} MB, cpu {[r['cpu_s'] for r in runs]} s, "
               f"phases {runs[-1]['phases_s']}, load average at end {load:.1f}, {os.cpu_count()} cores")
    print(summary)
    if args.out:
        cmd = "python bench/build.py --data-dir " + str(args.data_dir) + (" --scoring" if args.scoring else "") \
            + f" --runs {args.runs}"
        with open(args.out, "a") as fh:
            fh.write(f"\n### build ({time.strftime('%Y-%m-%d %H:%M')})\n\n`{cmd}`\n\n{summary}\n")


if __name__ == "__main__":
    main()
