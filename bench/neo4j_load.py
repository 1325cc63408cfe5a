"""Throughput of `kg load neo4j` on the full graph, and neo4j-admin import from the same artifacts.

Usage (the store built once with
``kg build --data-dir ../shared/data --store var/bench-store --offline``)::

    python bench/neo4j_load.py --store var/bench-store --write

What it measures, each against a fresh embedded Neo4j 5.26 (kg.store.neo4j_launcher,
page cache 1g, heap 2g):

1. reading the store as a property graph (:func:`kg.property_graph.read`), CPU and wall;
2. the Bolt load (:func:`kg.store.neo4j_store.load_property_graph`, what `kg load neo4j`
   runs after the read): constraints and indexes, UNWIND/MERGE batches, then the count
   verification; nodes + relationships per second, with ``--workers`` 1 and 2;
3. a second load into the same database (idempotent MERGE: same counts, measured);
4. `kg export neo4j` (CSV) followed by ``neo4j-admin database import full`` -- run as
   ``java org.neo4j.cli.AdminTool`` from the launcher's Maven classpath
   (org.neo4j:neo4j-import-tool is already among its dependencies) -- then the same
   count verification on the imported database.

The machine is shared: the load average is printed beside every figure. ``--write``
replaces this script's block in the ``## neo4j`` section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

MARKS = ("<!-- bench/neo4j_load.py:begin -->", "<!-- bench/neo4j_load.py:end -->")


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _driver_version() -> str:
    import neo4j

    return neo4j.__version__


def _rust_ext() -> bool:
    try:
        import neo4j._rust  # noqa: F401  (present when neo4j-rust-ext is installed)
    except ImportError:
        return False
    return True


def admin_import(home: Path, nodes_csv: Path, edges_csv: Path) -> float:
    """``neo4j-admin database import full`` into ``home`` (seconds); raises on failure."""
    from kg.store.neo4j_launcher import find_launcher_classpath, java_executable

    (home / "conf").mkdir(parents=True, exist_ok=True)
    (home / "conf" / "neo4j.conf").touch()
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(home / "conf"))
    cmd = [java_executable(), "-Xmx2g", "-cp", find_launcher_classpath(), "org.neo4j.cli.AdminTool",
           "database", "import", "full", f"--nodes={nodes_csv}", f"--relationships={edges_csv}",
           "--array-delimiter=;", "--overwrite-destination=true", "neo4j"]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError("neo4j-admin import failed:\n" + (res.stdout + res.stderr)[-3000:])
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, default=REPO / "var" / "bench-store")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-admin", action="store_true", help="skip the neo4j-admin comparison")
    ap.add_argument("--write", action="store_true", help="write into bench/RESULTS.md (## neo4j)")
    args = ap.parse_args(argv)

    from neo4j import GraphDatabase

    from kg import property_graph as pg
    from kg.exports import export_neo4j_csv
    from kg.store.neo4j_launcher import EmbeddedNeo4j
    from kg.store.neo4j_store import load_property_graph, verify
    from kg.store.oxigraph_store import OxigraphStore
    from query_cypher import write_block

    store = OxigraphStore.open(args.store)
    lines = []
    first_load = None
    date = time.strftime("%Y-%m-%d %H:%M")
    print(f"load average {_load()}", file=sys.stderr)
    la = _load()
    t0, c0 = time.perf_counter(), time.process_time()
    nodes, edges = pg.read(store)
    read_wall, read_cpu = time.perf_counter() - t0, time.process_time() - c0
    total = len(nodes) + len(edges)
    lines.append(f"| read the store (`kg.property_graph.read`) | {read_wall:.1f} s (CPU {read_cpu:.1f} s) | "
                 f"{len(nodes):,} nodes + {len(edges):,} edges | - | {la} |")
    print(lines[-1], file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-neo4j-") as tmp:
        tmp = Path(tmp)
        for i, workers in enumerate(args.workers):
            with EmbeddedNeo4j(tmp / f"bolt{i}", page_cache="1g") as server:
                with GraphDatabase.driver(server.uri, auth=server.auth) as driver:
                    la = _load()
                    c0 = time.process_time()
                    r = load_property_graph(driver, nodes, edges, progress=False, workers=workers)
                    cpu = time.process_time() - c0
                    lines.append(f"| Bolt load, empty database, {workers} transaction(s) in flight | "
                                 f"{r.seconds:.1f} s (client CPU {cpu:.1f} s) | "
                                 f"{r.nodes + r.relationships:,} ({r.per_second:,.0f}/s) | "
                                 f"{'all counts equal' if r.ok else 'DIFFERENCES: ' + '; '.join(r.differences)} | {la} |")
                    print(lines[-1], file=sys.stderr)
                    if first_load is None:
                        first_load = r.seconds
                    if i == 0:
                        la = _load()
                        r2 = load_property_graph(driver, nodes, edges, progress=False, workers=workers)
                        lines.append(f"| second Bolt load into the same database (MERGE, idempotent) | "
                                     f"{r2.seconds:.1f} s | {r2.nodes + r2.relationships:,} ({r2.per_second:,.0f}/s) | "
                                     f"{'same counts' if r2.ok and r2.found_labels == r.found_labels and r2.found_types == r.found_types else 'DIFFERENT'} | {la} |")
                        print(lines[-1], file=sys.stderr)
        if not args.no_admin:
            la = _load()
            t0 = time.perf_counter()
            ncsv, ecsv = export_neo4j_csv(store, tmp / "csv")
            export_s = time.perf_counter() - t0
            lines.append(f"| `kg export neo4j` (CSV, includes its own read of the store) | {export_s:.1f} s | "
                         f"{total:,} | - | {la} |")
            print(lines[-1], file=sys.stderr)
            la = _load()
            home = tmp / "admin"
            import_s = admin_import(home, ncsv, ecsv)
            with EmbeddedNeo4j(home, page_cache="1g") as server:
                with GraphDatabase.driver(server.uri, auth=server.auth) as driver:
                    v = verify(driver, nodes, edges)
            lines.append(f"| `neo4j-admin database import full` (AdminTool from the launcher classpath) | "
                         f"{import_s:.1f} s | {total:,} ({total / import_s:,.0f}/s) | "
                         f"{'all counts equal' if v.ok else 'DIFFERENCES: ' + '; '.join(v.differences)} | {la} |")
            print(lines[-1], file=sys.stderr)
    body = "\n".join([
        "### Loading the full graph into Neo4j 5.26",
        "",
        f"Command: `python bench/neo4j_load.py {' '.join(argv if argv is not None else sys.argv[1:])}` ({date}; "
        "a fresh embedded Neo4j 5.26.30 per load, page cache 1g, heap 2g, Bolt on loopback; "
        f"2 cores **shared** with other engineers' jobs, load average 1/5/15 min per row).",
        "",
        "| step | time | entities | check | load avg |",
        "| --- | ---: | ---: | --- | --- |",
        *lines,
        "",
        f"`kg load neo4j` = read + Bolt load (the verification is inside the load time): "
        f"{read_wall + (first_load or 0):.0f} s here; target at most 3 minutes for the full graph "
        f"({'met' if read_wall + (first_load or 0) <= 180 else 'MISSED'}). Python driver: neo4j "
        f"{_driver_version()}" + (" with neo4j-rust-ext (packing in Rust; without it the client "
                                  "CPU of the load roughly doubles)" if _rust_ext() else " (pure Python)") + ".",
    ])
    print(body)
    if args.write:
        write_block(REPO / "bench" / "RESULTS.md", body, MARKS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
