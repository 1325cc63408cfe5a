"""Exports for other engines: N-Quads (any SPARQL store), KGX TSV (Monarch), neo4j-admin CSV.

Why: users outgrow the embedded store. The N-Quads dump keeps the named graphs (the
provenance of every triple); KGX and the Neo4j CSVs use the property-graph reading of
:mod:`kg.property_graph`, the same one the Neo4j loader uses, so all three agree.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import property_graph as pg
from kg.store.oxigraph_store import OxigraphStore

LIST_SEP_KGX = "|"
LIST_SEP_NEO4J = ";"


def export_rdf(store: OxigraphStore, out: Path) -> Path:
    """Every quad, named graphs kept, as gzip-compressed N-Quads."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with gzip.open(tmp, "wb", compresslevel=5) as fh:
        store.store.dump(fh, format=ox.RdfFormat.N_QUADS)
    tmp.replace(out)
    return out


def _cell(value: Any, sep: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return sep.join(_cell(v, sep) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("\t", " ").replace("\n", " ")


def export_kgx(store: OxigraphStore, out_dir: Path) -> tuple[Path, Path]:
    """Biolink KGX TSV: nodes.tsv and edges.tsv (list values joined with '|')."""
    nodes, edges = pg.read(store)
    node_props, edge_props = pg.iter_property_names(nodes, edges)
    out_dir.mkdir(parents=True, exist_ok=True)
    npath, epath = out_dir / "nodes.tsv", out_dir / "edges.tsv"
    ncols = ["id", "category"] + [p for p in node_props if p not in ("id", "category")]
    with open(npath, "w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        w.writerow(ncols)
        for n in sorted(nodes.values(), key=lambda n: n.id):
            row = {"id": n.id, "category": list(n.labels), **n.properties}
            w.writerow([_cell(row.get(c), LIST_SEP_KGX) for c in ncols])
    ecols = ["id", "subject", "predicate", "object", "category"] + [
        p for p in edge_props if p not in ("id", "subject", "predicate", "object", "category")]
    with open(epath, "w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        w.writerow(ecols)
        for e in edges:
            row = {"id": e.id, "subject": e.subject, "predicate": e.predicate, "object": e.object,
                   "category": e.properties.get("category", "biolink:Association"), **e.properties}
            w.writerow([_cell(row.get(c), LIST_SEP_KGX) for c in ecols])
    return npath, epath


def _neo4j_type(values: list[Any]) -> str:
    """The neo4j-admin header type of a column from the values it holds."""
    kinds = {type(v) for v in values if v is not None}
    if kinds == {list}:
        return "string[]"
    if kinds and kinds <= {bool}:
        return "boolean"
    if kinds and kinds <= {float, int}:
        return "double"
    return "string"


def export_neo4j_csv(store: OxigraphStore, out_dir: Path) -> tuple[Path, Path]:
    """CSV files for `neo4j-admin database import full` (Monarch KG conventions).

    nodes.csv: ``id:ID``, ``:LABEL`` (the category and its ancestors, ';'-joined), typed
    property columns; edges.csv: ``:START_ID``, ``:END_ID``, ``:TYPE`` (the predicate),
    ``id`` and typed property columns. Import with:

        neo4j-admin database import full --nodes=nodes.csv --relationships=edges.csv \\
            --array-delimiter=';' neo4j
    """
    nodes, edges = pg.read(store)
    node_props, edge_props = pg.iter_property_names(nodes, edges)
    out_dir.mkdir(parents=True, exist_ok=True)
    ntypes = {p: _neo4j_type([n.properties.get(p) for n in nodes.values()]) for p in node_props}
    etypes = {p: _neo4j_type([e.properties.get(p) for e in edges]) for p in edge_props}
    npath, epath = out_dir / "nodes.csv", out_dir / "edges.csv"
    with open(npath, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id:ID", ":LABEL", "category"] + [f"{p}:{ntypes[p]}" for p in node_props])
        for n in sorted(nodes.values(), key=lambda n: n.id):
            w.writerow([n.id, LIST_SEP_NEO4J.join(n.labels), n.category]
                       + [_cell(n.properties.get(p), LIST_SEP_NEO4J) for p in node_props])
    with open(epath, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([":START_ID", ":END_ID", ":TYPE", "id"] + [f"{p}:{etypes[p]}" for p in edge_props])
        for e in edges:
            w.writerow([e.subject, e.object, e.predicate, e.id]
                       + [_cell(e.properties.get(p), LIST_SEP_NEO4J) for p in edge_props])
    return npath, epath
