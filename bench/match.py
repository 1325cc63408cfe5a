"""Benchmark of PhenoDigm matching on a built store (the real data).

    python bench/match.py --store var/store [--diseases 2000] [--http 300] [--semsimian 5] [--write]

Measures, on the current build's precomputed tables:
  * start-up: loading the tables (``load_scoring_index``) and the process's resident memory;
  * in process: ranking every model for one disease (engine only, and the full API answer
    with a page of 50), p50 / p99 / max over many random diseases;
  * over HTTP: ``GET /diseases/{id}/models`` on a local uvicorn server (127.0.0.1, a
    bounded number of requests), p50 / p99, and the server's resident memory;
  * batch: all diseases x all models (the export), with and without the semsimian score;
  * side by side with the PyPI package semsimian (same closure, same IC): its
    ``termset_comparison`` in a loop over every model for a disease, versus the engine's
    ranking and its semsimian-style scores for all models (speed ratios, max |difference|);
    and semsimian's ``associations_search`` fed an SQLite file in its expected layout.
With ``--write`` the figures and the command replace the "match" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.scoring import load_scoring_index, service  # noqa: E402
from kg.store.layout import SCORING_DIR, StoreRoot  # noqa: E402


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(xs, p) -> float:
    return float(np.percentile(np.asarray(xs) * 1000, p))


def stats_ms(xs) -> dict:
    return {"p50_ms": round(pct(xs, 50), 2), "p99_ms": round(pct(xs, 99), 2),
            "max_ms": round(float(np.max(xs) * 1000), 2), "n": len(xs)}


def bench_in_process(idx, diseases) -> dict:
    eng, api = [], []
    for d in diseases:
        t = time.perf_counter()
        q = idx.disease_query(d)
        s = idx.score_models(q)
        idx.order(s)
        eng.append(time.perf_counter() - t)
    for d in diseases:
        t = time.perf_counter()
        service.models_for_disease(idx, d, limit=50)
        api.append(time.perf_counter() - t)
    return {"engine_rank_all_models": stats_ms(eng), "api_answer_page50": stats_ms(api)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_http(store: Path, diseases, n_requests: int) -> dict:
    import httpx
    port = free_port()
    code = ("import uvicorn, sys; from pathlib import Path; from api.app import create_app; "
            f"uvicorn.run(create_app(Path({str(store)!r})), host='127.0.0.1', port={port}, log_level='warning')")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO)
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as c:
            ready = None
            for _ in range(600):  # at most 60 s
                try:
                    if c.get(f"/diseases/{diseases[0]}/models?limit=1").status_code == 200:
                        ready = time.perf_counter() - t0
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None:
                    raise RuntimeError("the server exited during start-up")
                time.sleep(0.1)
            if ready is None:
                raise RuntimeError("the server did not answer within 60 s")
            times = []
            for i in range(n_requests):
                d = diseases[i % len(diseases)]
                t = time.perf_counter()
                r = c.get(f"/diseases/{d}/models?limit=50")
                times.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
            server_rss = rss_mb(proc.pid)
        return {"server_ready_s": round(ready, 2), "GET_disease_models_limit50": stats_ms(times),
                "server_rss_mb": round(server_rss, 1)}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def bench_batch(idx, min_score: float, export_min_score: float) -> dict:
    """All diseases x all models: the scores of every pair (column batches), then files."""
    out = {"pairs_scored": idx.n_diseases * idx.n_models, "min_score": min_score}
    for sem in (False, True):
        t = time.perf_counter()
        n = sum(len(b["model_id"]) for b in service.export_batches(idx, min_score=min_score, semsimian=sem))
        out["with_semsimian" if sem else "phenodigm_only"] = {"seconds": round(time.perf_counter() - t, 1),
                                                              "rows": n}
    from kg.cli.scoring import write_export
    tmp = Path(tempfile.mkdtemp(prefix="bench-export-"))
    for suffix in (".tsv", ".parquet"):
        f = tmp / f"scores{suffix}"
        t = time.perf_counter()
        try:
            n = write_export(idx, f, min_score=export_min_score, semsimian=True)
        except BaseException as exc:  # typer.Exit when pyarrow is absent
            out[f"export{suffix}"] = {"error": f"{type(exc).__name__}"}
            continue
        out[f"export{suffix}"] = {"seconds": round(time.perf_counter() - t, 1), "rows": n,
                                  "min_score": export_min_score, "mb": round(f.stat().st_size / 2**20, 1)}
        f.unlink()
    return out


def model_terms(idx, m):
    return [idx.term_ids[idx.col_terms[c]] for c in idx.model_cols_of(m)]


def write_ic(idx, path: Path) -> None:
    with open(path, "w") as fh:
        for t, v in zip(idx.term_ids, idx.ic):
            if not math.isnan(v):
                fh.write(f"{t}\t{float(v)!r}\n")


def bench_semsimian(idx, diseases) -> dict:
    import semsimian
    models = [m for m in range(idx.n_models) if idx.m_len[m] > 0]
    mterms = {m: set(model_terms(idx, m)) for m in models}
    terms = set().union(*mterms.values())
    for d in diseases:
        terms.update(idx.disease_query(d).hp_ids)
    anc, ids = idx.closure.anc, idx.term_ids
    spo = [(ids[i], "rdfs:subClassOf", ids[a]) for i in sorted(idx.term_index[t] for t in terms)
           for a in anc.indices[anc.indptr[i]:anc.indptr[i + 1]]]
    tmp = Path(tempfile.mkdtemp(prefix="bench-match-"))
    write_ic(idx, tmp / "ic.tsv")
    t = time.perf_counter()
    ss = semsimian.Semsimian(spo, ["rdfs:subClassOf"], None, None, str(tmp / "ic.tsv"))
    init = time.perf_counter() - t
    loop_t, ours_rank_t, ours_sem_t, worst = [], [], [], 0.0
    for d in diseases:
        q = idx.disease_query(d)
        dset = set(q.hp_ids)
        t = time.perf_counter()
        theirs = np.array([ss.termset_comparison(dset, mterms[m], "phenodigm_score") for m in models])
        loop_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        q2 = idx.disease_query(d)
        s = idx.score_models(q2)
        idx.order(s)
        ours_rank_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        mine = idx.semsimian_models(idx.disease_query(d), np.array(models))
        ours_sem_t.append(time.perf_counter() - t)
        worst = max(worst, float(np.abs(mine - theirs).max()))
    out = {"diseases": len(diseases), "models_per_disease": len(models),
           "semsimian_init_s": round(init, 2),
           "semsimian_termset_loop_s_per_disease": round(float(np.mean(loop_t)), 3),
           "ours_rank_all_models_ms_per_disease": round(float(np.mean(ours_rank_t)) * 1000, 2),
           "ours_semsimian_scores_all_models_ms_per_disease": round(float(np.mean(ours_sem_t)) * 1000, 2),
           "speed_ratio_vs_rank": round(float(np.mean(loop_t) / np.mean(ours_rank_t)), 1),
           "speed_ratio_vs_semsimian_scores": round(float(np.mean(loop_t) / np.mean(ours_sem_t)), 1),
           "max_abs_score_difference": worst}
    out["associations_search"] = bench_associations_search(idx, diseases, models, mterms, terms, tmp, ss)
    return out


def bench_associations_search(idx, diseases, models, mterms, terms, tmp: Path, ss_loop) -> dict:
    """semsimian's associations_search over an SQLite file in the layout it reads
    (entailed_edge, statements, term_association)."""
    import semsimian
    db = tmp / "phenodigm.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE entailed_edge (subject TEXT, predicate TEXT, object TEXT)")
    con.execute("CREATE TABLE statements (stanza TEXT, subject TEXT, predicate TEXT, object TEXT, value TEXT, "
                "datatype TEXT, language TEXT)")
    con.execute("CREATE TABLE term_association (id TEXT, subject TEXT, predicate TEXT, object TEXT, "
                "evidence_type TEXT, publication TEXT, source TEXT)")
    anc, ids = idx.closure.anc, idx.term_ids
    con.executemany("INSERT INTO entailed_edge VALUES (?, 'rdfs:subClassOf', ?)",
                    ((ids[i], ids[a]) for i in sorted(idx.term_index[t] for t in terms)
                     for a in anc.indices[anc.indptr[i]:anc.indptr[i + 1]]))
    con.executemany("INSERT INTO statements VALUES (?, ?, 'rdfs:label', NULL, ?, NULL, NULL)",
                    ((t, t, idx.label(t) or t) for t in terms))
    con.executemany("INSERT INTO term_association VALUES (?, ?, 'biolink:has_phenotype', ?, NULL, NULL, NULL)",
                    ((f"a{m}-{t}", idx.model_ids[m], t) for m in models for t in mterms[m]))
    con.commit()
    con.close()
    try:
        t = time.perf_counter()
        ss = semsimian.Semsimian(None, ["rdfs:subClassOf"], None, str(db), str(tmp / "ic.tsv"))
        init = time.perf_counter() - t
        times, worst, n_cmp = [], 0.0, 0
        for d in diseases:
            q = idx.disease_query(d)
            t = time.perf_counter()
            res = ss.associations_search({"biolink:has_phenotype"}, set(q.hp_ids), False, "full", None,
                                         ["MODEL:"], "phenodigm_score", len(models))
            times.append(time.perf_counter() - t)
            mine = dict(zip((idx.model_ids[m] for m in models),
                            idx.semsimian_models(q, np.array(models))))
            for score, _, subj in res:
                worst = max(worst, abs(mine[subj] - score))
                n_cmp += 1
        ours = []
        for d in diseases:
            t = time.perf_counter()
            idx.score_models(idx.disease_query(d))
            ours.append(time.perf_counter() - t)
        return {"init_s": round(init, 2), "s_per_disease": round(float(np.mean(times)), 3),
                "speed_ratio_vs_rank": round(float(np.mean(times) / np.mean(ours)), 1),
                "results_compared": n_cmp, "max_abs_score_difference": worst}
    except BaseException as exc:  # pyo3 panics are BaseException
        if isinstance(exc, KeyboardInterrupt):
            raise
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}


def render(res: dict, command: str) -> str:
    r = res
    ip, st = r["in_process"], r["startup"]
    lines = ["## match", "",
             f"Command: `{command}` (the store built by `kg build --data-dir ../shared/data --offline "
             f"--store STORE`, scoring tables included).", "",
             "Latencies are wall-clock on the shared 2-core machine; the load average below says how busy "
             "it was (other jobs running inflate p99 and max).", "",
             f"Data: {r['data']['diseases']} diseases x {r['data']['models']} models; pair tables "
             f"{r['data']['pair_table']} (HP x MP); IC corpus {r['data']['ic_corpus']}, min IC "
             f"{r['data']['min_ic']}, mapping sets {', '.join(r['data']['mapping_sets'])}. "
             f"Machine: {os.cpu_count()} cores; load average at start {r['load_average']}.", "",
             "| what | figure | target |", "| --- | --- | --- |",
             f"| start-up: load precomputed tables | {st['load_s']} s | <= 5 s |",
             f"| memory after load (in process RSS) | {st['rss_mb']} MB | <= 2 GB |",
             f"| rank all models for a disease, engine (p50 / p99 / max, {ip['engine_rank_all_models']['n']} diseases) | "
             f"{ip['engine_rank_all_models']['p50_ms']} / {ip['engine_rank_all_models']['p99_ms']} / "
             f"{ip['engine_rank_all_models']['max_ms']} ms | p50 <= 5 ms, p99 <= 50 ms |",
             f"| same, full API answer with a page of 50 (p50 / p99) | {ip['api_answer_page50']['p50_ms']} / "
             f"{ip['api_answer_page50']['p99_ms']} ms | |"]
    if "http" in r:
        h = r["http"]
        if "error" in h:
            lines.append(f"| over HTTP | not measured: {h['error']} | p50 <= 20 ms |")
        else:
            g = h["GET_disease_models_limit50"]
            lines += [f"| over HTTP, GET /diseases/{{id}}/models?limit=50 (p50 / p99, {g['n']} requests) | "
                      f"{g['p50_ms']} / {g['p99_ms']} ms | p50 <= 20 ms |",
                      f"| server start to first answer / server RSS | {h['server_ready_s']} s / {h['server_rss_mb']} MB | "
                      f"<= 2 GB |"]
    if "batch" in r:
        b = r["batch"]
        lines += [f"| all diseases x all models, PhenoDigm scores ({b['pairs_scored']:,} pairs; rows with "
                  f"overall > {b['min_score']}: {b['phenodigm_only']['rows']:,}) | {b['phenodigm_only']['seconds']} s "
                  f"| <= 120 s |",
                  f"| same, with the semsimian-style score of every kept row | {b['with_semsimian']['seconds']} s | |"]
        for suffix in (".tsv", ".parquet"):
            e = b.get(f"export{suffix}", {})
            if "error" in e:
                lines.append(f"| export{suffix} | not written: {e['error']} | |")
            elif e:
                lines.append(f"| `kg export-scores --min-score {e['min_score']} --out FILE{suffix}` "
                             f"({e['rows']:,} rows, {e['mb']} MB) | {e['seconds']} s | |")
    if "semsimian" in r:
        s = r["semsimian"]
        if "error" in s:
            lines.append(f"| semsimian side by side | not measured: {s['error']} | |")
        else:
            lines += [f"| semsimian termset_comparison loop over {s['models_per_disease']} models (per disease, "
                      f"{s['diseases']} diseases) | {s['semsimian_termset_loop_s_per_disease']} s | |",
                      f"| ours: rank all models (PhenoDigm) / semsimian-style scores of all models | "
                      f"{s['ours_rank_all_models_ms_per_disease']} / "
                      f"{s['ours_semsimian_scores_all_models_ms_per_disease']} ms | |",
                      f"| speed ratio vs the termset loop (rank / semsimian-style scores) | "
                      f"{s['speed_ratio_vs_rank']}x / {s['speed_ratio_vs_semsimian_scores']}x | >= 100x |",
                      f"| max abs difference, semsimian-style scores vs semsimian | "
                      f"{s['max_abs_score_difference']:.2e} | equal (1e-6) |"]
            a = s.get("associations_search", {})
            if "error" in a:
                lines.append(f"| semsimian associations_search | could not be fed: {a['error']} | |")
            elif a:
                lines.append(f"| semsimian associations_search (full, per disease) / speed ratio vs our rank / "
                             f"max abs difference ({a['results_compared']} results) | {a['s_per_disease']} s / "
                             f"{a['speed_ratio_vs_rank']}x / {a['max_abs_score_difference']:.2e} | |")
    lines += ["", "Raw figures (JSON):", "", "```json", json.dumps(r, indent=1), "```", ""]
    return "\n".join(lines)


def write_section(text: str, path: Path) -> None:
    old = path.read_text() if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(r"^## match\n.*?(?=^## |\Z)", re.S | re.M)
    new = pattern.sub(lambda _: text, old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + text
    path.write_text(new)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, default=Path(os.environ.get("IMPC_KG_STORE", "var/store")))
    ap.add_argument("--diseases", type=int, default=2000, help="diseases for the in-process timings")
    ap.add_argument("--http", type=int, default=300, help="HTTP requests (0: skip)")
    ap.add_argument("--semsimian", type=int, default=5, help="diseases for the semsimian comparison (0: skip)")
    ap.add_argument("--batch-min-score", type=float, default=0.0, help="threshold of the all x all scoring pass")
    ap.add_argument("--export-min-score", type=float, default=50.0, help="threshold of the export files")
    ap.add_argument("--no-batch", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--write", action="store_true", help="write the 'match' section of bench/RESULTS.md")
    a = ap.parse_args(argv)
    command = "python bench/match.py " + " ".join(argv if argv is not None else sys.argv[1:])
    res: dict = {"load_average": os.getloadavg()[0]}
    build_dir = StoreRoot(a.store).require_current()
    rss0 = rss_mb()
    t = time.perf_counter()
    idx = load_scoring_index(build_dir / SCORING_DIR)
    res["startup"] = {"load_s": round(time.perf_counter() - t, 2), "rss_mb": round(rss_mb(), 1),
                      "rss_before_mb": round(rss0, 1)}
    prov = service.provenance(idx)
    res["data"] = {"diseases": idx.n_diseases, "models": idx.n_models,
                   "pair_table": f"{idx.score.shape[0]} x {idx.score.shape[1]}", "ic_corpus": prov["ic_corpus"],
                   "min_ic": prov["min_ic"], "mapping_sets": prov["mapping_sets"]}
    rnd = random.Random(a.seed)
    with_terms = [d for d in idx.disease_ids if idx.rd_len[idx.disease_index[d]] > 0]
    sample = rnd.sample(with_terms, min(a.diseases, len(with_terms)))
    print("in process ...", file=sys.stderr)
    res["in_process"] = bench_in_process(idx, sample)
    if a.http:
        print("http ...", file=sys.stderr)
        try:
            res["http"] = bench_http(a.store, sample, a.http)
        except Exception as exc:  # report, do not hide the other figures
            res["http"] = {"error": f"{type(exc).__name__}: {exc}"}
    if not a.no_batch:
        print("batch ...", file=sys.stderr)
        res["batch"] = bench_batch(idx, a.batch_min_score, a.export_min_score)
    if a.semsimian:
        print("semsimian ...", file=sys.stderr)
        try:
            res["semsimian"] = bench_semsimian(idx, sample[:a.semsimian])
        except ImportError as exc:
            res["semsimian"] = {"error": f"semsimian not installed ({exc}); pip install semsimian"}
    text = render(res, command)
    print(text)
    if a.write:
        write_section(text, REPO / "bench" / "RESULTS.md")
    return res


if __name__ == "__main__":
    main()
