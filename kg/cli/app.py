"""`kg build`, `kg stats`, `kg serve`: each a few lines over a library function.

Other command groups register themselves on ``app`` from their own modules
(imported at the bottom), so this file stays small.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kg.cli.options import StoreOpt, default_store

app = typer.Typer(help="impc-kg: build, query and serve the IMPC knowledge graph.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
console = Console(stderr=True, soft_wrap=True)


@app.command()
def build(
    data_dir: Path = typer.Option(None, "--data-dir", envvar="IMPC_KG_DATA_DIR",
                                  help="local mirror folder laid out like ../shared/data"),
    store: Path = StoreOpt,
    cache_dir: Path = typer.Option(Path("var/cache"), "--cache-dir", help="download cache"),
    offline: bool = typer.Option(False, "--offline", help="never download; use the mirror and cache only"),
    only: list[str] = typer.Option(None, "--only", help="build only these sources (repeatable)"),
    no_scoring: bool = typer.Option(False, "--no-scoring", help="skip the PhenoDigm tables"),
):
    """Build the graph from the sources into a new store and swap it in atomically."""
    from kg.build import BuildFailed, build as run_build
    try:
        result = run_build(store or default_store(), data_dir=data_dir, cache_dir=cache_dir,
                           allow_download=not offline, only=set(only) if only else None,
                           with_scoring=not no_scoring, log=lambda m: console.print(m, highlight=False))
    except BuildFailed as exc:
        console.print(f"[red]build failed:[/red] {exc}\nthe previous store (if any) is unchanged")
        raise typer.Exit(2)
    problems = dict(result.report.counts())
    console.print(f"[green]built[/green] {result.build_dir} in {result.manifest['timings_s']['total']} s; "
                  f"problems: {problems or 'none'} (see {result.build_dir / 'report.md'})")


@app.command()
def stats(store: Path = StoreOpt,
          as_json: bool = typer.Option(False, "--json", help="print JSON"),
          recount: bool = typer.Option(False, "--recount", help="count again in the store, not from the manifest")):
    """Counts per entity and association type and per source, with versions."""
    from kg.stats import store_stats
    data = store_stats(store or default_store(), recount=recount)
    if as_json:
        json.dump(data, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
        return
    out = Console()
    t = Table(title="Sources")
    for col in ("source", "version", "retrieved", "rows", "used"):
        t.add_column(col)
    for name, m in data["sources"].items():
        t.add_row(name, str(m.get("version") or ""), str(m.get("retrieved") or ""),
                  str(m.get("rows", "")), str(m.get("used", "")))
    out.print(t)
    t = Table(title="Entities and associations (all sources)")
    t.add_column("type")
    t.add_column("count", justify="right")
    for typ, n in sorted(data["counts"]["totals"].items()):
        t.add_row(typ, str(n))
    out.print(t)
    t = Table(title="Per source")
    for col in ("source", "type", "count"):
        t.add_column(col)
    for src, per in sorted(data["counts"]["per_source"].items()):
        for typ, n in sorted(per.items()):
            t.add_row(src, typ, str(n))
    for src, per in sorted(data["counts"]["edges"].items()):
        for p, n in sorted(per.items()):
            t.add_row(src, f"edge {p}", str(n))
    out.print(t)


@app.command()
def serve(store: Path = StoreOpt,
          host: str = typer.Option("127.0.0.1", "--host"),
          port: int = typer.Option(8000, "--port")):
    """Serve the current store over HTTP (FastAPI), read-only."""
    import uvicorn

    from api.app import check_store, create_app
    from kg.store.layout import StoreNotFound
    root = store or default_store()
    try:
        check_store(root)  # a damaged store: one clear line, not uvicorn's start-up traceback
    except StoreNotFound as exc:
        console.print(f"[red]cannot serve:[/red] {exc}")
        raise typer.Exit(2)
    uvicorn.run(create_app(root), host=host, port=port)


def _register_optional_groups() -> None:
    """Command groups living in their own modules register on import."""
    import importlib
    for mod in ("kg.cli.scoring", "kg.cli.queries", "kg.cli.exports", "kg.cli.mappings",
                "kg.cli.neo4j"):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise


_register_optional_groups()
