"""`kg rank`, `kg match`, `kg explain`, `kg export-scores`: the PhenoDigm API's command-line twins.

Each loads the precomputed tables of the current build (``STORE/current/scoring``) and
calls the same functions as the HTTP endpoints (:mod:`kg.scoring.service`).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from kg.cli.app import app
from kg.cli.options import StoreOpt, default_store

err = Console(stderr=True)
FORMATS = ("table", "tsv", "json")
#: columns of the terminal table (TSV and JSON have them all)
TABLE_COLUMNS = ("rank", "model_id", "gene_symbol", "zygosity", "disease_id", "disease_label", "overall",
                 "max_norm", "avg_norm", "evidence")


def _load(store: Path | None):
    from kg.scoring import ScoringArtifactsMissing, load_scoring_index
    from kg.store.layout import SCORING_DIR, StoreNotFound, StoreRoot
    try:
        build_dir = StoreRoot(store or default_store()).require_current()
        return load_scoring_index(build_dir / SCORING_DIR)
    except (StoreNotFound, ScoringArtifactsMissing) as exc:
        err.print(f"[red]no scoring tables:[/red] {exc}")
        raise typer.Exit(2)


def _emit(body: dict, columns, fmt: str, title: str) -> None:
    from kg.scoring import service
    if fmt not in FORMATS:
        err.print(f"[red]unknown format {fmt!r}[/red] (one of {', '.join(FORMATS)})")
        raise typer.Exit(2)
    if fmt == "json":
        json.dump(body, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return
    if fmt == "tsv":
        sys.stdout.write(service.to_tsv(body["results"], columns, body["provenance"]))
        return
    p = body["provenance"]
    t = Table(title=title, caption=f"{body['total']} rows; IC corpus {p.get('ic_corpus')}, "
                                   f"mapping sets {', '.join(p.get('mapping_sets', []))}")
    shown = [c for c in columns if c in TABLE_COLUMNS]
    for c in shown:
        if c in service.SCORE_FIELDS or c == "rank":
            t.add_column(c, justify="right", no_wrap=True)
        else:
            t.add_column(c, overflow="fold", min_width=8 if c.endswith("_id") else None)
    for r in body["results"]:
        t.add_row(*(f"{r[c]:.2f}" if isinstance(r.get(c), float) else str(r.get(c) or "") for c in shown))
    Console().print(t)
    if body.get("reason"):
        err.print(f"note: {body['reason']}")


def _unknown(exc) -> None:
    err.print(f"[red]not found:[/red] {exc}")
    raise typer.Exit(1)


@app.command()
def rank(disease: str = typer.Argument(..., help="disease id, e.g. OMIM:154700"),
         store: Path = StoreOpt,
         limit: int = typer.Option(20, "--limit", min=1), offset: int = typer.Option(0, "--offset", min=0),
         min_score: float = typer.Option(0.0, "--min-score", help="keep rows with overall >= this"),
         zygosity: str = typer.Option(None, "--zygosity", help="homozygote, heterozygote or hemizygote"),
         known_only: bool = typer.Option(False, "--known-only", help="only models of known (curated) genes"),
         novel_only: bool = typer.Option(False, "--novel-only", help="only models of other genes"),
         fmt: str = typer.Option("table", "--format", help="table, tsv or json")):
    """Mouse models ranked for a disease (PhenoDigm)."""
    from kg.scoring import UnknownId, service
    idx = _load(store)
    try:
        body = service.models_for_disease(idx, disease, limit=limit, offset=offset, min_score=min_score,
                                          zygosity=zygosity, known_gene_only=known_only, novel_only=novel_only)
    except UnknownId as exc:
        _unknown(exc)
    _emit(body, service.MODEL_COLUMNS, fmt, f"Models for {disease} {body.get('disease_label') or ''}")


@app.command()
def match(terms: list[str] = typer.Argument(None, help="HPO term ids (HP:...)"),
          phenopacket: Path = typer.Option(None, "--phenopacket", help="a GA4GH Phenopacket JSON file"),
          store: Path = StoreOpt,
          limit: int = typer.Option(20, "--limit", min=1), offset: int = typer.Option(0, "--offset", min=0),
          min_score: float = typer.Option(0.0, "--min-score"),
          zygosity: str = typer.Option(None, "--zygosity"),
          fmt: str = typer.Option("table", "--format", help="table, tsv or json")):
    """Mouse models ranked for a patient profile (HPO ids, or a Phenopacket's non-excluded features)."""
    from kg import vocab
    from kg.scoring import service
    ids = list(terms or [])
    if phenopacket is not None:
        doc = json.loads(phenopacket.read_text())
        ids += [f["type"]["id"] for f in doc.get("phenotypicFeatures", []) if not f.get("excluded")]
    bad = [t for t in ids if not vocab.is_curie(t) or vocab.prefix_of(t) != "HP"]
    if bad or not ids:
        err.print(f"[red]give HPO ids (HP:0000001 ...)[/red]{': not HPO ids: ' + ', '.join(bad) if bad else ''}")
        raise typer.Exit(2)
    idx = _load(store)
    body = service.models_for_terms(idx, ids, limit=limit, offset=offset, min_score=min_score, zygosity=zygosity)
    if body["unknown_terms"]:
        err.print(f"note: unknown terms skipped: {', '.join(body['unknown_terms'])}")
    _emit(body, service.MODEL_COLUMNS, fmt, "Models for the profile")


@app.command()
def explain(disease: str = typer.Argument(...), model: str = typer.Argument(...), store: Path = StoreOpt):
    """The matched term pairs of a disease and a model, both ways (JSON)."""
    from kg.scoring import UnknownId, service
    idx = _load(store)
    try:
        body = service.explain(idx, disease, model)
    except UnknownId as exc:
        _unknown(exc)
    json.dump(body, sys.stdout, indent=1)
    sys.stdout.write("\n")


@app.command("export-scores")
def export_scores(out: Path = typer.Option(..., "--out", help="FILE.tsv or FILE.parquet"),
                  min_score: float = typer.Option(0.0, "--min-score", help="keep pairs with overall >= this"),
                  store: Path = StoreOpt,
                  semsimian: bool = typer.Option(True, "--semsimian/--no-semsimian",
                                                 help="also compute the semsimian-style score")):
    """All diseases x all models above a threshold, to TSV or Parquet (needs pyarrow)."""
    from kg.scoring import service
    if out.suffix not in (".tsv", ".parquet"):
        err.print("[red]--out must end in .tsv or .parquet[/red]")
        raise typer.Exit(2)
    idx = _load(store)
    t0 = time.perf_counter()
    n = write_export(idx, out, min_score=min_score, semsimian=semsimian)
    err.print(f"wrote {n} disease-model pairs to {out} in {time.perf_counter() - t0:.1f}s")


def write_export(idx, out: Path, min_score: float = 0.0, semsimian: bool = True) -> int:
    """Write the batch export (TSV, or Parquet with pyarrow); returns the number of rows."""
    from kg.scoring import service
    cols = list(service.EXPORT_COLUMNS)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    batches = service.export_batches(idx, min_score=min_score, semsimian=semsimian)
    n = 0
    if out.suffix == ".parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            err.print("[red]Parquet output needs pyarrow[/red] (pip install pyarrow), or write .tsv")
            raise typer.Exit(2)
        schema = pa.schema([(c, pa.string()) for c in cols[:5]] + [(c, pa.float64()) for c in cols[5:-1]]
                           + [("known_gene", pa.bool_())],
                           metadata={"provenance": json.dumps(service.provenance(idx))})
        with pq.ParquetWriter(tmp, schema) as w:
            for b in batches:
                k = len(b["model_id"])
                data = {c: ([b[c]] * k if c == "disease_id" else b[c]) for c in cols}
                w.write_table(pa.table(data, schema=schema))
                n += k
    else:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(service.to_tsv([], cols, service.provenance(idx)))
            fmt = "\t".join(["%s"] * 5 + ["%.6g"] * 6 + ["%s"]) + "\n"
            for b in batches:
                d = b["disease_id"]
                k = len(b["model_id"])
                rows = zip([d] * k, b["model_id"], b["gene_id"], b["gene_symbol"], b["zygosity"],
                           *(b[c].tolist() for c in cols[5:-1]),
                           np.where(b["known_gene"], "true", "false").tolist())
                fh.write("".join(fmt % tuple("" if v is None else v for v in r) for r in rows))
                n += k
    tmp.replace(out)
    return n
