"""Latency of the named SPARQL queries on the full graph, and closure vs property path.

Usage (the store built once with
``kg build --data-dir ../shared/data --store var/bench-store --offline``)::

    python bench/query.py --store var/bench-store --repeat 30 --write

What it measures
    1. every named query with each of its ``# example:`` parameter sets (plus the
       "every gene" form of disease_phenocopies): p50 / p99 / max wall time and the
       median CPU time of the process over ``--repeat`` runs after ``--warmup`` runs, in
       this process through :func:`kg.queries.run_on_store` (no HTTP);
    2. with ``--http``, the same through the FastAPI app and its worker process
       (the overhead of isolation and JSON);
    3. "this term or any descendant": the materialised closure
       (``?mp kgv:subClassOfOrSelf ?term``) against ``rdfs:subClassOf*``, alone and
       joined with the calls, with the term bound by ``substitutions=`` (how the named
       queries bind it) and written as a constant, for a leaf, a mid-level, a
       top-level term and the root;
    4. the timeout: how soon a streaming and a blocking query stop in thread mode, and
       in process mode the 503, the replacement worker, cold start and memory.
The machine is shared: the load average before and after is printed with the figures,
and CPU time is given beside wall time because it is less sensitive to other jobs.

Cypher side: :data:`CYPHER_RUNNERS` is the hook. A function registered there under a
query name takes the parameters and returns a zero-argument callable that runs the
``queries/NAME.cypher`` twin once against Neo4j; when present, its p50/p99 is printed
beside the SPARQL figures. ``--cypher --neo4j-uri bolt://...`` fills it from
:func:`kg.queries_cypher.run` for every query that has a twin (user and password from
``IMPC_KG_NEO4J_USER`` / ``IMPC_KG_NEO4J_PASSWORD``, as ``kg serve`` reads them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pyoxigraph as ox  # noqa: E402

from kg import queries, vocab  # noqa: E402
from kg.sparql import Limits, select_table  # noqa: E402
from kg.store.oxigraph_store import OxigraphStore  # noqa: E402

#: name -> (params -> zero-arg callable running the Cypher twin once); filled by the Neo4j side
CYPHER_RUNNERS: dict[str, Callable[[dict[str, str]], Callable[[], Any]]] = {}
TARGET_P50_MS = 100.0
#: besides the examples: the "every gene" form of disease_phenocopies (a report), and
#: genes_for_phenotype on a top-level term and on the root (how it scales with the calls matched)
EXTRA_CASES = [("disease_phenocopies", {}), ("genes_for_phenotype", {"term": "MP:0005378"}),
               ("genes_for_phenotype", {"term": "MP:0000001"})]
MARK_BEGIN, MARK_END = "<!-- bench/query.py:begin -->", "<!-- bench/query.py:end -->"


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation: with 30 runs, p99 is the slowest but one... or the max)."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))
    return s[k]


def measure(fn: Callable[[], Any], repeat: int, warmup: int) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return {"p50": statistics.median(wall), "p99": pct(wall, 99), "max": max(wall),
            "cpu_p50": statistics.median(cpu), "rows": len(out.rows) if hasattr(out, "rows") else out}


def named_cases() -> list[tuple[str, dict[str, str]]]:
    cases = []
    for q in queries.load().values():
        for i in range(len(q.examples)):
            cases.append((q.name, q.example_params(i)))
    return cases + EXTRA_CASES


def bench_named(store: ox.Store, repeat: int, warmup: int, cypher: bool) -> list[dict]:
    limits = Limits(timeout_s=600, max_rows=10**7)
    out = []
    for name, params in named_cases():
        slow = (name == "disease_phenocopies" and not params) or params.get("term") == "MP:0000001"
        rep, warm = (max(3, repeat // 10), 1) if slow else (repeat, warmup)
        r = measure(lambda: queries.run_on_store(store, name, params, limits), rep, warm)
        r.update(query=name, params="&".join(f"{k}={v}" for k, v in params.items()) or "(none)", runs=rep)
        if cypher and name in CYPHER_RUNNERS:
            c = measure(CYPHER_RUNNERS[name](params), rep, warm)
            r["cypher_p50"], r["cypher_p99"] = c["p50"], c["p99"]
        out.append(r)
        print(f"  {name:24} {r['params']:50} p50 {r['p50']:8.1f}  p99 {r['p99']:8.1f}  cpu {r['cpu_p50']:8.1f} ms"
              f"  {r['rows']} rows", file=sys.stderr)
    return out


def bench_http(store_root: Path, repeat: int, warmup: int) -> list[dict]:
    from fastapi.testclient import TestClient

    from api.app import create_app
    out = []
    with TestClient(create_app(store_root, {"sparql_workers": 1, "sparql_timeout_s": 600,
                                            "sparql_max_rows": 10**7})) as c:
        for name, params in named_cases():
            if name == "disease_phenocopies" and not params:
                continue

            def call():
                r = c.get(f"/queries/{name}", params=params)
                assert r.status_code == 200, r.text
                return r.json()["count"]
            r = measure(call, repeat, warmup)
            r.update(query=name, params="&".join(f"{k}={v}" for k, v in params.items()) or "(none)")
            out.append(r)
            print(f"  http {name:24} {r['params']:50} p50 {r['p50']:8.1f}  p99 {r['p99']:8.1f} ms", file=sys.stderr)
    return out


CLOSURE_TERMS = [("MP:0001262", "leaf: decreased body weight"), ("MP:0001259", "mid: abnormal body weight"),
                 ("MP:0005378", "top-level: growth/size/body"), ("MP:0000001", "root")]
DESC = {"closure": "SELECT ?term ?mp WHERE { ?mp kgv:subClassOfOrSelf ?term }",
        "path": "SELECT ?term ?mp WHERE { ?mp rdfs:subClassOf* ?term }"}
JOIN = {"closure": "SELECT ?term ?call WHERE { ?mp kgv:subClassOfOrSelf ?term . "
                   "GRAPH ?g { ?call biolink:object ?mp ; kgv:gene ?gene } }",
        "path": "SELECT ?term ?call WHERE { ?mp rdfs:subClassOf* ?term . "
                "GRAPH ?g { ?call biolink:object ?mp ; kgv:gene ?gene } }"}


def bench_closure(store: ox.Store, repeat: int, path_timeout_s: float) -> list[dict]:
    """Closure vs property path; the substituted path in a join is run once, with a timeout."""
    out = []
    for term, what in CLOSURE_TERMS:
        node = ox.NamedNode(vocab.expand(term))
        for shape, texts in (("descendants", DESC), ("joined with calls", JOIN)):
            row: dict[str, Any] = {"term": term, "what": what, "shape": shape}
            for how, text in texts.items():
                for binding in ("substituted", "constant"):
                    q = text if binding == "substituted" else \
                        text.replace("?term ", "", 1).replace("?term", term)
                    subs = {"term": node} if binding == "substituted" else None
                    slow = how == "path" and binding == "substituted" and shape != "descendants"
                    key = f"{how}_{binding}"
                    if slow:  # seconds to minutes: once, bounded
                        t0 = time.perf_counter()
                        try:
                            t = select_table(store, q, subs, timeout_s=path_timeout_s, max_rows=10**7)
                            row[key] = (time.perf_counter() - t0) * 1000
                            row[key + "_rows"] = len(t.rows)
                        except Exception as exc:  # QueryTimeout
                            row[key] = f">{path_timeout_s * 1000:.0f} ({type(exc).__name__})"
                        continue
                    m = measure(lambda: select_table(store, q, subs, timeout_s=600, max_rows=10**7),
                                max(3, repeat // 3), 1)
                    row[key], row[key + "_rows"] = m["p50"], m["rows"]
            out.append(row)
            print(f"  {term} {shape:18} " + "  ".join(
                f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()
                if k.endswith(("substituted", "constant"))), file=sys.stderr)
    return out


BLOCKING = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # 5.6M x 5.6M: never ends
STREAMING = "SELECT * WHERE { ?s ?p ?o }"                              # 5.6M rows, one by one


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_limits(store_root: Path, store: ox.Store, hard_s: float = 30.0) -> dict:
    """What the timeout does on the real graph, in both isolation modes."""
    import subprocess

    from kg.sparql import Job, QueryTimeout, SparqlService, run_query
    from kg.store.layout import OXIGRAPH_DIR, StoreRoot
    out: dict[str, Any] = {"timeout_s": 1.0, "grace_s": 2.0}
    # thread mode, a query that streams: stopped between rows
    t0 = time.perf_counter()
    try:
        run_query(store, STREAMING, timeout_s=1.0, max_rows=10**9)
    except QueryTimeout:
        out["thread_streaming_stopped_after_s"] = round(time.perf_counter() - t0, 3)
    # thread mode, a query that blocks before its first row: run it in a child we can kill
    code = ("import sys, time; sys.path.insert(0, %r); import pyoxigraph as ox; from kg.sparql import run_query;"
            "s = ox.Store.read_only(%r); t = time.time();"
            "run_query(s, %r, timeout_s=1.0); print(time.time() - t)") % (
        str(REPO), str(StoreRoot(store_root).require_current() / OXIGRAPH_DIR), BLOCKING)
    t0 = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-c", code], timeout=hard_s, capture_output=True)
        out["thread_blocking_returned_after_s"] = round(time.perf_counter() - t0, 1)
    except subprocess.TimeoutExpired:
        out["thread_blocking_returned_after_s"] = f"> {hard_s:.0f} s (still running; killed by the benchmark)"
    # process mode: the worker is killed at timeout + grace and replaced
    build = StoreRoot(store_root).require_current()
    svc = SparqlService(store, build / OXIGRAPH_DIR, Limits(timeout_s=1.0, grace_s=2.0, workers=1))
    try:
        t0 = time.perf_counter()
        svc.execute(Job("ASK { ?s ?p ?o }", "json"))
        out["process_cold_start_s"] = round(time.perf_counter() - t0, 3)
        queries.run(queries.get("genes_for_phenotype"), {"term": "MP:0005378"}, svc.select)
        worker = svc.pool._idle.queue[-1]
        out["worker_rss_mb_after_a_query"] = round(_rss_mb(worker.proc.pid), 1)
        out["server_rss_mb"] = round(_rss_mb(os.getpid()), 1)
        t0 = time.perf_counter()
        try:
            svc.execute(Job(BLOCKING, "json", timeout_s=1.0))
        except QueryTimeout:
            out["process_blocking_answered_503_after_s"] = round(time.perf_counter() - t0, 3)
        out["workers_killed"] = svc.pool.killed
        t0 = time.perf_counter()
        svc.execute(Job("ASK { ?s ?p ?o }", "json"))
        out["next_query_after_kill_s"] = round(time.perf_counter() - t0, 3)
    finally:
        svc.close()
    print(f"  limits: {out}", file=sys.stderr)
    return out


def register_cypher(uri: str) -> Any:
    """Fill :data:`CYPHER_RUNNERS` from the Neo4j side's runner; returns the driver to close."""
    from neo4j import GraphDatabase

    from kg import queries_cypher
    user = os.environ.get("IMPC_KG_NEO4J_USER", "neo4j")
    password = os.environ.get("IMPC_KG_NEO4J_PASSWORD")
    driver = GraphDatabase.driver(uri, auth=(user, password) if password else None)
    for name in queries_cypher.load():
        CYPHER_RUNNERS[name] = (lambda n: lambda params: lambda: queries_cypher.run(
            driver, n, params, timeout_s=600, max_rows=10**7))(name)
    return driver


def fmt_s(v: Any) -> str:
    return f"{v:.3f} s" if isinstance(v, (int, float)) else str(v)


def fmt_ms(v: Any) -> str:
    return f"{v:,.1f}" if isinstance(v, (int, float)) else str(v)


def markdown(meta: dict, named: list[dict], http: list[dict], closure: list[dict], cypher: bool,
             limits: dict | None = None) -> str:
    lines = [MARK_BEGIN, "",
             f"Measured {meta['date']} on {meta['machine']}; load average before {meta['load_before']}, "
             f"after {meta['load_after']} (other engineers' jobs were running). Store: {meta['store']} "
             f"({meta['quads']:,} quads). {meta['repeat']} runs after {meta['warmup']} warm-up runs per case, "
             "in process (`kg.queries.run_on_store`, no HTTP); wall-clock p50 / p99 / max and the median CPU "
             "time of the process.", "",
             "| query | parameters | rows | p50 ms | p99 ms | max ms | CPU p50 ms | p50 <= 100 ms |"
             + (" Cypher p50 / p99 ms |" if cypher else ""),
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |" + (" --- |" if cypher else "")]
    for r in named:
        ok = "yes" if r["p50"] <= TARGET_P50_MS else "**no**"
        cy = (f" {fmt_ms(r.get('cypher_p50', '-'))} / {fmt_ms(r.get('cypher_p99', '-'))} |" if cypher else "")
        lines.append(f"| {r['query']} | `{r['params']}` | {r['rows']:,} | {fmt_ms(r['p50'])} | {fmt_ms(r['p99'])} | "
                     f"{fmt_ms(r['max'])} | {fmt_ms(r['cpu_p50'])} | {ok} |" + cy)
    if http:
        lines += ["", "Through HTTP (`GET /queries/NAME`, FastAPI app in process isolation: one worker "
                      "process, SPARQL JSON between worker and app):", "",
                  "| query | parameters | p50 ms | p99 ms |", "| --- | --- | ---: | ---: |"]
        lines += [f"| {r['query']} | `{r['params']}` | {fmt_ms(r['p50'])} | {fmt_ms(r['p99'])} |" for r in http]
    if closure:
        lines += ["", "\"This term or any descendant\", p50 ms (rows): the closure triple vs "
                      "`rdfs:subClassOf*`; the term bound with `substitutions=` (as the named queries do) "
                      "or written into the text as a constant. The substituted path joined with the calls "
                      "ran once, with a timeout.", "",
                  "| term | shape | closure, substituted | closure, constant | path, substituted | path, constant |",
                  "| --- | --- | ---: | ---: | ---: | ---: |"]
        for r in closure:
            cells = []
            for k in ("closure_substituted", "closure_constant", "path_substituted", "path_constant"):
                rows = r.get(k + "_rows")
                cells.append(fmt_ms(r[k]) + (f" ({rows:,})" if rows is not None else ""))
            lines.append(f"| {r['term']} ({r['what']}) | {r['shape']} | " + " | ".join(cells) + " |")
    if limits:
        lines += ["", f"Timeout on the real graph (timeout {limits['timeout_s']} s, grace {limits['grace_s']} s):", "",
                  "| what | figure |", "| --- | --- |",
                  f"| thread mode, `{STREAMING}` (streams): stopped after | {fmt_s(limits.get('thread_streaming_stopped_after_s'))} |",
                  f"| thread mode, `{BLOCKING}` (blocks before its first row): returned after | "
                  f"{fmt_s(limits.get('thread_blocking_returned_after_s'))} |",
                  f"| process mode, the same blocking query: 503 after | "
                  f"{limits.get('process_blocking_answered_503_after_s')} s (workers killed: {limits.get('workers_killed')}) |",
                  f"| process mode, next query after the kill (replacement worker) | {limits.get('next_query_after_kill_s')} s |",
                  f"| process mode, first query of a cold pool (spawn + open store) | {limits.get('process_cold_start_s')} s |",
                  f"| worker RSS after genes_for_phenotype MP:0005378 / server RSS | "
                  f"{limits.get('worker_rss_mb_after_a_query')} MB / {limits.get('server_rss_mb')} MB |"]
    lines += ["", MARK_END]
    return "\n".join(lines)


def write_section(path: Path, body: str) -> None:
    """Replace the generated block inside "## query" (or add the section), keep the rest."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if MARK_BEGIN in text and MARK_END in text:
        pre, rest = text.split(MARK_BEGIN, 1)
        text = pre + body + rest.split(MARK_END, 1)[1]
    elif "\n## query\n" in text:
        text = text.replace("\n## query\n", "\n## query\n\n" + body + "\n", 1)
    else:
        text = text.rstrip("\n") + "\n\n## query\n\n" + body + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, default=REPO / "var" / "bench-store", help="store root")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--http", action="store_true", help="also through the FastAPI app (worker process)")
    ap.add_argument("--no-closure", action="store_true", help="skip closure vs property path")
    ap.add_argument("--no-limits", action="store_true", help="skip the timeout measurements")
    ap.add_argument("--path-timeout", type=float, default=60.0, help="s, for the slow path-in-join runs")
    ap.add_argument("--cypher", action="store_true", help="a Cypher column from CYPHER_RUNNERS")
    ap.add_argument("--neo4j-uri", help="with --cypher: run the .cypher twins there (kg.queries_cypher)")
    ap.add_argument("--write", action="store_true", help="write the figures into bench/RESULTS.md (## query)")
    ap.add_argument("--json", type=Path, help="also write the raw figures here")
    args = ap.parse_args(argv)

    osstore = OxigraphStore.open(args.store)
    store = osstore.store
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "load_before": round(os.getloadavg()[0], 2),
            "machine": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
                       f"Python {platform.python_version()}, pyoxigraph {ox.__version__}",
            "store": str(args.store), "repeat": args.repeat, "warmup": args.warmup,
            "quads": int(store.query("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
                         .__next__()[0].value)}
    print(f"load average {meta['load_before']}", file=sys.stderr)
    driver = register_cypher(args.neo4j_uri) if args.cypher and args.neo4j_uri else None
    named = bench_named(store, args.repeat, args.warmup, args.cypher)
    http = bench_http(args.store, args.repeat, args.warmup) if args.http else []
    closure = [] if args.no_closure else bench_closure(store, args.repeat, args.path_timeout)
    limits = None if args.no_limits else bench_limits(args.store, store)
    if driver is not None:
        driver.close()
    meta["load_after"] = round(os.getloadavg()[0], 2)
    body = markdown(meta, named, http, closure, args.cypher, limits)
    print(body)
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "named": named, "http": http, "closure": closure,
                                         "limits": limits},
                                        indent=1, default=str))
    if args.write:
        write_section(REPO / "bench" / "RESULTS.md", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
