"""`kg export rdf|kgx|neo4j`: write the graph for other engines (see :mod:`kg.exports`)."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli.app import app, console
from kg.cli.options import StoreOpt, default_store

export_app = typer.Typer(help="Export the graph for other engines.", no_args_is_help=True)
app.add_typer(export_app, name="export")


def _store(store: Path | None):
    from kg.store.oxigraph_store import OxigraphStore
    return OxigraphStore.open(store or default_store())


@export_app.command("rdf")
def export_rdf(out: Path = typer.Option(..., "--out", help="e.g. impc-kg.nq.gz"), store: Path = StoreOpt):
    """The whole graph as gzip N-Quads, named graphs kept (QLever, Virtuoso, GraphDB, Oxigraph server)."""
    from kg.exports import export_rdf as run
    console.print(f"wrote {run(_store(store), out)}")


@export_app.command("kgx")
def export_kgx(out: Path = typer.Option(..., "--out", help="a directory"), store: Path = StoreOpt):
    """Biolink KGX TSV (nodes.tsv, edges.tsv), as the Monarch ecosystem exchanges graphs."""
    from kg.exports import export_kgx as run
    n, e = run(_store(store), out)
    console.print(f"wrote {n} and {e}")


@export_app.command("neo4j")
def export_neo4j(out: Path = typer.Option(..., "--out", help="a directory"), store: Path = StoreOpt):
    """CSV files for `neo4j-admin database import full` (:ID, :LABEL, :TYPE, typed columns)."""
    from kg.exports import export_neo4j_csv as run
    n, e = run(_store(store), out)
    console.print(f"wrote {n} and {e}; import with: neo4j-admin database import full "
                  f"--nodes={n} --relationships={e} --array-delimiter=';' neo4j")
