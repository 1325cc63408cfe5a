"""`kg query NAME --param k=v` and `kg sparql 'SELECT ...'`: the query surfaces on the command line.

Why the same rules as the endpoint: `kg sparql` goes through :func:`kg.sparql.analyse`
(no Update, no SERVICE) and :func:`kg.sparql.run_query` (timeout, row cap, union default
graph, predeclared prefixes), so a query behaves the same here and over HTTP. Both
run in this process (a local user can Ctrl-C); the store is opened read-only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table as RichTable

from kg.cli.app import app
from kg.cli.options import StoreOpt, default_store

err = Console(stderr=True, soft_wrap=True)
TimeoutOpt = typer.Option(None, "--timeout", help="seconds (default $IMPC_KG_SPARQL_TIMEOUT or 30)")
MaxRowsOpt = typer.Option(None, "--max-rows", help="row cap (default $IMPC_KG_SPARQL_MAX_ROWS or 100000)")


def _limits(timeout: float | None, max_rows: int | None):
    from kg.sparql import Limits
    settings = {"sparql_timeout_s": timeout, "sparql_max_rows": max_rows, "sparql_isolation": "thread"}
    return Limits.from_settings(settings)


def _open(store: Path | None):
    from kg.store.layout import StoreNotFound
    from kg.store.oxigraph_store import OxigraphStore
    try:
        return OxigraphStore.open(store or default_store()).store
    except StoreNotFound as exc:
        err.print(f"[red]no store:[/red] {exc}")
        raise typer.Exit(2)


@app.command("query")
def query(name: str = typer.Argument(None, help="a named query (queries/NAME.rq); leave out to list them"),
          param: list[str] = typer.Option(None, "--param", "-p", help="NAME=VALUE, repeatable"),
          fmt: str = typer.Option("table", "--format", help="table, tsv or json"),
          store: Path = StoreOpt, timeout: float = TimeoutOpt, max_rows: int = MaxRowsOpt):
    """Run a named query with bound parameters (or list the library)."""
    from kg import queries
    from kg.sparql import SparqlError
    if not name:
        t = RichTable(title="Named queries (kg query NAME -p k=v)")
        for col in ("name", "title", "parameters"):
            t.add_column(col, overflow="fold")
        for q in queries.load().values():
            t.add_row(q.name, q.title, ", ".join(
                f"{p.name}:{p.spec}" + ("" if p.required else f"={p.default}" if p.default else "?")
                for p in q.params))
        Console().print(t)
        return
    raw: dict[str, str] = {}
    for item in param or []:
        if "=" not in item:
            err.print(f"[red]--param {item!r}:[/red] expected NAME=VALUE")
            raise typer.Exit(2)
        k, v = item.split("=", 1)
        raw[k.strip()] = v
    if fmt not in ("table", "tsv", "json"):
        err.print(f"[red]unknown format {fmt!r}[/red] (table, tsv or json)")
        raise typer.Exit(2)
    try:
        nq = queries.get(name)
        limits = _limits(timeout, max_rows)
        ox_store = _open(store)
        from kg.sparql import select_table
        table, shown = queries.run(nq, raw, lambda q, s: select_table(ox_store, q, s, limits.timeout_s,
                                                                        limits.max_rows))
    except (queries.UnknownQuery, queries.ParamError, SparqlError) as exc:
        err.print(f"[red]{name}:[/red] {exc}")
        raise typer.Exit(2)
    if fmt == "json":
        json.dump({"query": name, "parameters": shown, "columns": table.columns,
                   "count": len(table.rows), "rows": table.rows}, sys.stdout, indent=1)
        sys.stdout.write("\n")
    elif fmt == "tsv":
        sys.stdout.write(queries.to_tsv(table))
    else:
        t = RichTable(title=f"{nq.title}", caption=f"{len(table.rows)} rows in {table.elapsed_s * 1000:.0f} ms")
        for c in table.columns:
            t.add_column(c, overflow="fold")
        for row in table.rows:
            t.add_row(*(queries.format_cell(row[c]) for c in table.columns))
        Console().print(t)


@app.command("sparql")
def sparql_cmd(query: str = typer.Argument(..., help="a SPARQL query, a .rq file, or - for stdin"),
               fmt: str = typer.Option(None, "--format",
                                       help="SELECT/ASK: tsv (default), csv, json, xml; "
                                            "CONSTRUCT/DESCRIBE: ttl (default), nt, nq, trig, rdfxml, jsonld, n3"),
               store: Path = StoreOpt, timeout: float = TimeoutOpt, max_rows: int = MaxRowsOpt):
    """Run a SPARQL query on the store (read-only; the default graph is the union of all graphs)."""
    from kg import sparql
    if query == "-":
        text = sys.stdin.read()
    elif query.endswith(".rq") and Path(query).is_file():
        text = Path(query).read_text(encoding="utf-8")
    else:
        text = query
    try:
        limits = _limits(timeout, max_rows)
        info = sparql.analyse(text, limits.max_query_chars)
        rf = sparql.negotiate(info.form, None, fmt or ("ttl" if info.form in ("CONSTRUCT", "DESCRIBE") else "tsv"))
        body = sparql.run_job(_open(store), sparql.Job(text, rf.name, timeout_s=limits.timeout_s,
                                                        max_rows=limits.max_rows))
    except sparql.SparqlError as exc:
        err.print(f"[red]refused ({exc.status}):[/red] {exc.message}")
        raise typer.Exit(2)
    sys.stdout.buffer.write(body)
    sys.stdout.flush()
