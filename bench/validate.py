"""Benchmark and headline numbers of `kg mappings validate` on the real mapping files.

Run by hand (not in CI), on a store built from ../shared/data:

    python bench/validate.py --store var/store --data-dir ../shared/data [--runs 3] [--impact] [--write]

1. End to end, as a curator runs it: ``kg mappings validate`` (checks 1-7) on the 32k-row
   uPheno species-independent file in a child process (interpreter start, imports, opening
   the store read-only, reading the snapshot, parsing, the seven checks, the JSON written),
   ``--runs`` times; the target is <= 10 s.
2. In process: the snapshot read once, then every mapping file of the data folder validated
   against it (rows read, flags per check, seconds); files that are not SSSOM TSV are listed
   with the loader's message.
3. ``--impact``: check 8 on the curated, lexical and Pistoia files (baseline built once).

The machine has 2 cores shared with other work: the 1-minute load average is recorded
before and after. ``--write`` replaces the "validate" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.mappings import MalformedMappingFile, open_context, validate  # noqa: E402
from kg.mappings.validate import CHECKS  # noqa: E402

BIG = "mappings/upheno/upheno-species-independent.sssom.tsv"
IMPACT_FILES = ("mappings/mh_mapping_initiative/mp_hp_mgi_all.sssom.tsv",
                "mappings/mh_mapping_initiative/mp_hp_mgi_lex.tsv",
                "mappings/mh_mapping_initiative/mp_hp_pistoia.sssom.tsv")


def end_to_end(store: Path, path: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, "-c", "from kg.cli import app; app()", "mappings", "validate", str(path),
                   "--store", str(store), "--format", "markdown", "-q", "--json", str(Path(tmp) / "r.json")]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
            times.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                raise SystemExit(f"kg mappings validate failed:\n{proc.stderr}")
    return times


def write_section(text: str, path: Path) -> None:
    old = path.read_text() if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(r"^## validate\n.*?(?=^## |\Z)", re.S | re.M)
    new = pattern.sub(lambda _: text, old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + text
    path.write_text(new)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, default=Path(os.environ.get("IMPC_KG_STORE", "var/store")))
    ap.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--impact", action="store_true", help="also time check 8 on three files")
    ap.add_argument("--max-diseases", type=int, default=500)
    ap.add_argument("--write", action="store_true", help="write the 'validate' section of bench/RESULTS.md")
    a = ap.parse_args(argv)
    command = "python bench/validate.py " + " ".join(argv if argv is not None else sys.argv[1:])
    load0 = os.getloadavg()[0]
    big = a.data_dir / BIG
    e2e = end_to_end(a.store, big, a.runs)
    print(f"end to end (checks 1-7, {big.name}): " + ", ".join(f"{t:.2f}" for t in e2e) + " s")

    t = time.perf_counter()
    ctx = open_context(a.store)
    t_ctx = time.perf_counter() - t
    print(f"snapshot read in {t_ctx:.2f} s")
    rows, failed = [], []
    for path in sorted((a.data_dir / "mappings").rglob("*.tsv")):
        rel = path.relative_to(a.data_dir)
        try:
            r = validate(path, ctx, name=str(rel))
        except MalformedMappingFile as exc:
            failed.append((str(rel), f"line {exc.line}: {exc.message[:110]}"))
            continue
        rows.append((r, {c: r.results[c].counts() for c in r.checks}))
        print(f"{rel}: {r.rows_read} rows, {r.seconds['total']:.2f} s")

    impact = []
    if a.impact:
        from kg.mappings.impact import build_baseline
        t = time.perf_counter()
        base = build_baseline(ctx)
        t_base = time.perf_counter() - t
        for rel in IMPACT_FILES:
            t = time.perf_counter()
            r = validate(a.data_dir / rel, ctx, ["impact"], name=rel,
                         impact_options={"baseline": base, "max_diseases": a.max_diseases})
            impact.append((rel, r.results["impact"].summary, time.perf_counter() - t))
            print(f"impact {rel}: {time.perf_counter() - t:.1f} s")
    load1 = os.getloadavg()[0]

    L = ["## validate", "", f"Command: `{command}` (store built from ../shared/data; 2 cores shared with other "
         f"work, 1-min load average {load0:.1f} before, {load1:.1f} after).", ""]
    L += [f"End to end, `kg mappings validate {BIG.split('/')[-1]}` (checks 1-7, JSON written; interpreter "
          f"start, imports, store opened read-only, snapshot read, 32k rows parsed and checked): "
          f"median {statistics.median(e2e):.2f} s, min {min(e2e):.2f} s over {len(e2e)} runs "
          f"(target <= 10 s). In process: snapshot read {t_ctx:.2f} s (once per CLI run; once per API "
          f"process).", ""]
    head = ["file", "rows", "unreadable", *[f"{i + 1} {c}" for i, c in enumerate(CHECKS[:-1])], "s"]
    L += ["Flags per check (rows flagged in brackets), checks 1-7, snapshot already read:", "",
          "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r, counts in rows:
        cells = [f"{counts[c]['flags']} ({counts[c]['rows_flagged']})" for c in CHECKS[:-1]]
        L.append(f"| {r.file} | {r.rows_read} | {r.rows_unreadable} | " + " | ".join(cells)
                 + f" | {r.seconds['total']:.2f} |")
    L.append("")
    if failed:
        L += ["Not SSSOM TSV (refused with the loader's message):", ""]
        L += [f"- {f}: {m}" for f, m in failed]
        L.append("")
    if impact:
        L += [f"Check 8 (impact), baseline (corpus read from the store + index) {t_base:.1f} s once; then per "
              f"file (candidate index + up to {a.max_diseases} diseases ranked twice, most changed first):", "",
              "| file | replaces | bridges before -> after | diseases changed | ranked | top model changed | "
              "mean top-10 overlap | known-gene model in / out of top 10 | s |", "|---|---|---|---|---|---|---|---|---|"]
        for rel, s, sec in impact:
            L.append(f"| {rel} | {s['replaces'] or '(added)'} | {s['bridge_edges_before']} -> "
                     f"{s['bridge_edges_after']} | {s['diseases_with_changed_scores']} | {s['diseases_ranked']} | "
                     f"{s['top1_changed']} | {s['mean_topk_overlap']} | {s['known_gene_model_entered_top']} / "
                     f"{s['known_gene_model_left_top']} | {sec:.1f} |")
        L.append("")
    text = "\n".join(L) + "\n"
    print(text)
    if a.write:
        write_section(text, REPO / "bench" / "RESULTS.md")


if __name__ == "__main__":
    main()
