"""Latency of the named queries in Cypher on Neo4j, side by side with SPARQL on the embedded store.

Usage (the full graph loaded into a Neo4j with ``kg load neo4j``; the store built once with
``kg build --data-dir ../shared/data --store var/bench-store --offline``)::

    python bench/query_cypher.py --uri bolt://127.0.0.1:7687 --store var/bench-store --repeat 30 --write

or let it start the embedded Neo4j and load the graph itself (adds ~3 minutes)::

    python bench/query_cypher.py --embedded --store var/bench-store --write

Both forms of every named query run the same parameter sets as bench/query.py (each
``# example:`` line plus its extra cases), ``--repeat`` times after ``--warmup`` runs, in
this process: SPARQL through :func:`kg.queries.run_on_store`, Cypher through
:func:`kg.queries_cypher.run` (Bolt on loopback, READ session). p50/p99 are wall
time; the load average before and after is printed with the figures (a shared machine).
``--write`` replaces the block between this script's markers in the ``## neo4j``
section of bench/RESULTS.md.

For bench/query.py: :func:`register` fills its ``CYPHER_RUNNERS`` hook, so that
``bench/query.py --cypher`` can print a Cypher column too::

    import bench.query_cypher; bench.query_cypher.register(driver)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from kg import queries, queries_cypher  # noqa: E402

SECTION = "## neo4j"
MARKS = ("<!-- bench/query_cypher.py:begin -->", "<!-- bench/query_cypher.py:end -->")


def _query_module():
    import query  # bench/query.py (same folder)

    return query


def register(driver: Any, database: str | None = None) -> dict[str, Callable]:
    """Fill bench/query.py's ``CYPHER_RUNNERS``: name -> params -> one run of the twin."""
    runners = _query_module().CYPHER_RUNNERS
    for name in queries_cypher.load():
        runners[name] = (lambda n: lambda params: (lambda: queries_cypher.run(
            driver, n, params, database=database, timeout_s=600, max_rows=10**7)))(name)
    return runners


def write_block(path: Path, body: str, marks: tuple[str, str] = MARKS) -> None:
    """Put ``body`` between ``marks`` inside the ``## neo4j`` section (created at the end if absent)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"{marks[0]}\n{body.rstrip()}\n{marks[1]}"
    if marks[0] in text and marks[1] in text:
        head, rest = text.split(marks[0], 1)
        _, tail = rest.split(marks[1], 1)
        text = head + block + tail
    elif SECTION + "\n" in text:
        head, rest = text.split(SECTION + "\n", 1)
        nxt = rest.find("\n## ")
        if nxt < 0:
            text = head + SECTION + "\n" + rest.rstrip("\n") + "\n\n" + block + "\n"
        else:
            text = head + SECTION + "\n" + rest[:nxt].rstrip("\n") + "\n\n" + block + "\n" + rest[nxt:]
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def bench(store: Any, driver: Any, repeat: int, warmup: int) -> list[dict]:
    q = _query_module()
    from kg.sparql import Limits

    limits = Limits(timeout_s=600, max_rows=10**7)
    out = []
    twins = queries_cypher.load()
    for name, params in q.named_cases():
        if name not in twins:
            continue
        slow = (name == "disease_phenocopies" and not params) or params.get("term") == "MP:0000001"
        rep, warm = (max(3, repeat // 10), 1) if slow else (repeat, warmup)
        s = q.measure(lambda: queries.run_on_store(store, name, params, limits), rep, warm)
        c = q.measure(lambda: queries_cypher.run(driver, name, params, timeout_s=600, max_rows=10**7), rep, warm)
        same = s["rows"] == c["rows"]
        row = {"query": name, "params": "&".join(f"{k}={v}" for k, v in params.items()) or "(none)",
               "runs": rep, "rows": s["rows"], "same_rows": same,
               "sparql_p50": s["p50"], "sparql_p99": s["p99"], "cypher_p50": c["p50"], "cypher_p99": c["p99"]}
        out.append(row)
        print(f"  {name:24} {row['params']:45} SPARQL {s['p50']:8.1f}/{s['p99']:8.1f}  "
              f"Cypher {c['p50']:8.1f}/{c['p99']:8.1f} ms  {s['rows']} rows", file=sys.stderr)
    return out


def markdown(meta: dict, rows: list[dict]) -> str:
    f = _query_module().fmt_ms
    lines = [
        f"### Named queries: SPARQL (embedded Oxigraph) and Cypher (Neo4j {meta['neo4j']}) side by side",
        "",
        f"Command: `{meta['command']}` ({meta['date']}; {meta['repeat']} runs after {meta['warmup']} warm-up "
        f"runs, fewer for the two report-sized cases; wall time in this process; Cypher over Bolt on "
        f"loopback, READ session, against an embedded Neo4j filled by `kg load neo4j`: "
        f"`kg neo4j start --page-cache 1g`, or `--embedded`). Machine: {meta['machine']}, **shared**; load average "
        f"{meta['load_before']} before, {meta['load_after']} after.",
        "",
        "| query | parameters | rows | SPARQL p50 / p99 ms | Cypher p50 / p99 ms |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(f"| {r['query']} | `{r['params']}` | {r['rows']}{'' if r['same_rows'] else ' (!)'} | "
                     f"{f(r['sparql_p50'])} / {f(r['sparql_p99'])} | {f(r['cypher_p50'])} / {f(r['cypher_p99'])} |")
    lines += ["", "Row counts are equal in every case (the agreement test, "
              "tests/integration/test_query_agreement.py, compares the rows themselves)."
              if all(r["same_rows"] for r in rows) else "(!) row counts differ: see the agreement test."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, default=REPO / "var" / "bench-store")
    ap.add_argument("--uri", default=os.environ.get("IMPC_KG_NEO4J_URI"), help="a Neo4j holding the graph")
    ap.add_argument("--user", default=os.environ.get("IMPC_KG_NEO4J_USER", "neo4j"))
    ap.add_argument("--embedded", action="store_true", help="start the embedded Neo4j and load the graph")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--write", action="store_true", help="write the table into bench/RESULTS.md (## neo4j)")
    args = ap.parse_args(argv)

    import contextlib
    import tempfile

    from neo4j import GraphDatabase

    from kg.store.oxigraph_store import OxigraphStore

    osstore = OxigraphStore.open(args.store)
    password = os.environ.get("IMPC_KG_NEO4J_PASSWORD")
    with contextlib.ExitStack() as stack:
        if args.embedded:
            from kg.store.neo4j_launcher import EmbeddedNeo4j
            from kg.store.neo4j_store import load_graph

            home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-neo4j-")))
            server = stack.enter_context(EmbeddedNeo4j(home / "home", page_cache="1g"))
            uri, auth = server.uri, server.auth
            report = load_graph(osstore, uri, auth, progress=False)
            if not report.ok:
                print("\n".join(report.differences), file=sys.stderr)
                return 1
        elif args.uri:
            uri, auth = args.uri, ((args.user, password) if password else None)
        else:
            ap.error("give --uri (or IMPC_KG_NEO4J_URI) or --embedded")
        driver = stack.enter_context(GraphDatabase.driver(uri, auth=auth))
        agent = driver.get_server_info().agent
        meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "load_before": round(os.getloadavg()[0], 2),
                "machine": f"{os.cpu_count()} cores", "repeat": args.repeat, "warmup": args.warmup,
                "neo4j": agent.split("/", 1)[-1],
                "command": "python bench/query_cypher.py " + " ".join(argv if argv is not None else sys.argv[1:])}
        rows = bench(osstore.store, driver, args.repeat, args.warmup)
        meta["load_after"] = round(os.getloadavg()[0], 2)
    body = markdown(meta, rows)
    print(body)
    if args.write:
        write_block(REPO / "bench" / "RESULTS.md", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
