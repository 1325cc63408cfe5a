"""`kg mappings validate FILE`: check an MP<->HP SSSOM file against the store, for curators.

Prints the Markdown summary (or ``--format json|sssom|html``) on stdout and writes any of
the reports to files (``--json``, ``--sssom``, ``--markdown``, ``--html``: a self-contained
page). Exit codes: 0 done,
1 a flag at or above ``--fail-on`` (for CI), 2 the file is not SSSOM TSV (the message
names the line) or there is no store. The store is opened read-only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console

from kg.cli.app import app
from kg.cli.options import StoreOpt, default_store

mappings_app = typer.Typer(help="MP<->HP term mappings: validate SSSOM files against the ontologies and IMPC data.",
                           no_args_is_help=True)
app.add_typer(mappings_app, name="mappings")
err = Console(stderr=True, soft_wrap=True)


@mappings_app.command("validate")
def validate_cmd(
    file: Path = typer.Argument(..., help="SSSOM TSV file (plain or gzipped)"),
    store: Path = StoreOpt,
    checks: str = typer.Option(None, "--checks", "-c",
                               help="checks by number or name, comma separated (1 structure, 2 ids, 3 labels, "
                                    "4 cardinality, 5 hierarchy, 6 agreement, 7 coverage, 8 impact); "
                                    "default 1-7, 'all' = 1-8"),
    impact: bool = typer.Option(False, "--impact", help="also run check 8 (rankings; ~1 min on the real data)"),
    replaces: str = typer.Option("auto", "--replaces",
                                 help="impact: the active mapping set the file replaces; 'auto' (the one sharing "
                                      ">= 50% of its rows) or 'none' (added to the active sets)"),
    max_diseases: int = typer.Option(500, "--max-diseases", min=1, help="impact: diseases ranked again, most changed first"),
    top_k: int = typer.Option(10, "--top-k", min=1, max=100, help="impact: size of the top lists compared"),
    fmt: str = typer.Option("markdown", "--format", "-f", help="printed on stdout: markdown, json, sssom or html"),
    json_out: Path = typer.Option(None, "--json", help="write the JSON report here"),
    sssom_out: Path = typer.Option(None, "--sssom", help="write the flagged rows (SSSOM TSV with comments) here"),
    markdown_out: Path = typer.Option(None, "--markdown", help="write the Markdown summary here"),
    html_out: Path = typer.Option(None, "--html", help="write the summary as a self-contained HTML page here"),
    min_severity: str = typer.Option("info", "--min-severity", help="error, warning or info: what the JSON and "
                                                                      "SSSOM outputs keep"),
    fail_on: str = typer.Option(None, "--fail-on", help="exit 1 if there is a flag of this severity or worse"),
    top: int = typer.Option(100, "--top", min=1, help="rows kept in the agreement and coverage tables"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress on stderr"),
):
    """Validate an MP<->HP mapping file (SSSOM TSV) against the store's MP, HP, IMPC calls and mapping sets."""
    from kg.mappings import MalformedMappingFile, open_context, validate
    from kg.mappings.report import to_html, to_json, to_markdown, to_sssom
    from kg.mappings.validate import SEVERITIES, parse_checks
    from kg.store.layout import StoreNotFound

    for name, value in (("--format", fmt), ("--min-severity", min_severity), ("--fail-on", fail_on)):
        allowed = ("markdown", "json", "sssom", "html") if name == "--format" else SEVERITIES
        if value is not None and value not in allowed:
            err.print(f"[red]{name} {value!r}:[/red] use one of {', '.join(allowed)}")
            raise typer.Exit(2)
    try:
        chosen = parse_checks(checks)
    except ValueError as exc:
        err.print(f"[red]--checks:[/red] {exc}")
        raise typer.Exit(2)
    if impact and "impact" not in chosen:
        chosen.append("impact")
    if not file.is_file():
        err.print(f"[red]no such file:[/red] {file}")
        raise typer.Exit(2)
    log = (lambda m: None) if quiet else (lambda m: err.print(m, highlight=False))
    try:
        log("reading the store (read-only) ...")
        ctx = open_context(store or default_store())
        report = validate(file, ctx, chosen, name=str(file), top=top, log=log,
                          impact_options={"replaces": replaces, "max_diseases": max_diseases, "top_k": top_k})
    except StoreNotFound as exc:
        err.print(f"[red]no store:[/red] {exc}")
        raise typer.Exit(2)
    except MalformedMappingFile as exc:
        err.print(f"[red]not a readable SSSOM TSV:[/red] {exc}")
        raise typer.Exit(2)
    except ValueError as exc:  # e.g. --replaces names a set that is not active
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)
    render = {
        "json": lambda: json.dumps(to_json(report, min_severity), indent=1) + "\n",
        "sssom": lambda: to_sssom(report, min_severity),
        "markdown": lambda: to_markdown(report),
        "html": lambda: to_html(report),
    }
    done: dict[str, str] = {}

    def output(kind: str) -> str:  # each format rendered once, even when printed and written
        if kind not in done:
            done[kind] = render[kind]()
        return done[kind]

    for kind, path in (("json", json_out), ("sssom", sssom_out), ("markdown", markdown_out), ("html", html_out)):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(output(kind))
            log(f"wrote {path}")
    sys.stdout.write(output(fmt))
    if fail_on is not None:
        worst = SEVERITIES.index(fail_on)
        if any(SEVERITIES.index(f.severity) <= worst for f in report.flags):
            raise typer.Exit(1)
