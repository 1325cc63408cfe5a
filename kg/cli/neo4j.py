"""`kg load neo4j` (fill a running Neo4j from the store) and `kg neo4j start` (a dev server).

Why two groups: ``load`` is what users run against their own Neo4j (Docker ``neo4j:5``,
a server, or the embedded one); ``neo4j start`` runs the embedded Neo4j 5.26 of
:mod:`kg.store.neo4j_launcher` in the foreground for developers who have no Neo4j.
The password comes from ``--password`` or ``$IMPC_KG_NEO4J_PASSWORD`` and is never
printed or logged.
"""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli.app import app, console
from kg.cli.options import StoreOpt, default_store

load_app = typer.Typer(help="Load the graph into another engine.", no_args_is_help=True)
app.add_typer(load_app, name="load")
neo4j_app = typer.Typer(help="An embedded Neo4j 5.26 for developers (Java 17 + Maven).",
                        no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")

URI_ENV = "IMPC_KG_NEO4J_URI"
USER_ENV = "IMPC_KG_NEO4J_USER"
PASSWORD_ENV = "IMPC_KG_NEO4J_PASSWORD"


def auth_from(user: str | None, password: str | None):
    """The driver's auth: ``None`` (auth disabled) without a password, else (user, password)."""
    if not password:
        return None
    return (user or "neo4j", password)


@load_app.command("neo4j")
def load_neo4j(
    uri: str = typer.Option("bolt://127.0.0.1:7687", "--uri", envvar=URI_ENV,
                            help="Bolt URI of a running Neo4j 5 (bolt:// or neo4j://)"),
    user: str = typer.Option("neo4j", "--user", envvar=USER_ENV),
    password: str = typer.Option(None, "--password", envvar=PASSWORD_ENV, show_default=False,
                                 help=f"or ${PASSWORD_ENV}; omit when auth is disabled"),
    database: str = typer.Option(None, "--database", help="default: the server's default database"),
    batch_size: int = typer.Option(5000, "--batch-size", min=1, help="rows per UNWIND transaction"),
    workers: int = typer.Option(1, "--workers", min=1,
                                help="write transactions in flight at once (2: a little faster, "
                                     "with deadlocks Neo4j detects and the driver retries)"),
    replace: bool = typer.Option(False, "--replace",
                                 help="delete everything in the database first (after a rebuild that "
                                      "removed entities; otherwise MERGE keeps them)"),
    store: Path = StoreOpt,
    no_progress: bool = typer.Option(False, "--no-progress", help="no progress bar (logs, CI)"),
):
    """Load the graph into Neo4j (MERGE: run it again to update), then verify the counts.

    Exit status 1 when Neo4j's counts per label, relationship type or association
    category differ from the graph's: nothing may be lost on the way.
    """
    from neo4j.exceptions import AuthError, ServiceUnavailable

    from kg.store.layout import StoreNotFound
    from kg.store.neo4j_store import load_graph
    from kg.store.oxigraph_store import OxigraphStore

    try:
        ox_store = OxigraphStore.open(store or default_store())
    except StoreNotFound as exc:
        console.print(f"[red]no store:[/red] {exc}")
        raise typer.Exit(2)
    console.print(f"loading into {uri} ...", highlight=False)
    try:
        report = load_graph(ox_store, uri, auth_from(user, password), database=database,
                            batch_size=batch_size, workers=workers, replace=replace,
                            progress=not no_progress,
                            console=console,
                            log=lambda m: console.print(m, highlight=False))
    except (ServiceUnavailable, OSError) as exc:
        console.print(f"[red]cannot reach Neo4j at {uri}:[/red] {exc}", highlight=False)
        raise typer.Exit(2)
    except AuthError:
        console.print(f"[red]Neo4j at {uri} refused the credentials of user {user!r}[/red]",
                      highlight=False)
        raise typer.Exit(2)
    total = report.nodes + report.relationships
    console.print(
        f"loaded {report.nodes} nodes and {report.relationships} relationships in "
        f"{report.seconds:.1f} s ({report.per_second:,.0f}/s; reading the store took "
        f"{report.read_seconds:.1f} s)", highlight=False)
    if report.ok:
        console.print(f"[green]verified:[/green] every label, relationship type and association "
                      f"category has the expected count ({total} entities)", highlight=False)
        return
    console.print("[red]Neo4j does not hold the whole graph:[/red]")
    for line in report.differences:
        console.print(f"  {line}", highlight=False)
    raise typer.Exit(1)


@neo4j_app.command("start")
def neo4j_start(
    home: Path = typer.Option(Path("var/neo4j"), "--home", help="store and logs directory"),
    port: int = typer.Option(7687, "--port", help="Bolt port on 127.0.0.1 (0: a free one)"),
    password: str = typer.Option(None, "--password", envvar=PASSWORD_ENV, show_default=False,
                                 help="enable auth (user neo4j); default: auth disabled"),
    heap: str = typer.Option(None, "--heap", help="JVM max heap, e.g. 2g"),
    page_cache: str = typer.Option(None, "--page-cache", help="Neo4j page cache, e.g. 1g"),
):
    """Run the embedded Neo4j 5.26 in the foreground (Bolt on 127.0.0.1) until Ctrl-C."""
    from kg.store import neo4j_launcher

    argv = ["--home", str(home)]
    if port:
        argv += ["--port", str(port)]
    if heap:
        argv += ["--heap", heap]
    if page_cache:
        argv += ["--page-cache", page_cache]
    if password:
        argv += ["--password", password]
    raise typer.Exit(neo4j_launcher.main(argv))
