"""Exports for other engines: N-Quads (any SPARQL store), KGX TSV (Monarch), neo4j-admin CSV.

Why: users outgrow the embedded store. The N-Quads dump keeps the named graphs (the
provenance of every triple); KGX and the Neo4j CSVs use the property-graph reading of
:mod:`kg.property_graph`, the same one the Neo4j loader uses, so all three agree. KGX
adds what the Biolink validator asks of it: one id per line (an association that two
source graphs describe gets its id qualified by the graph), Biolink predicates for the
mapping predicates, categories without mixins, ``knowledge_level`` and ``agent_type``.
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


#: Biolink mixins (and the abstract root ``Entity``): Neo4j labels, but not KGX categories
#: (the KGX validator refuses them); a node keeps its class and the class's ancestors
KGX_NOT_CATEGORIES = {"biolink:Entity", "biolink:GeneOrGeneProduct", "biolink:GenomicEntity",
                      "biolink:PhysicalEssence", "biolink:OntologyClass", "biolink:ThingWithTaxon"}
#: mapping predicates -> the Biolink predicate whose exact/close mappings name them (Biolink
#: 4.4 schema); semapv's cross-species ones are the skos ones "for terms of different
#: species"; skos:relatedMatch has no Biolink mapping: the parent of the match predicates.
#: The source's predicate is kept in ``original_predicate``.
KGX_PREDICATES = {
    "skos:exactMatch": "biolink:exact_match", "skos:closeMatch": "biolink:close_match",
    "skos:broadMatch": "biolink:broad_match", "skos:narrowMatch": "biolink:narrow_match",
    "skos:relatedMatch": "biolink:related_to_at_concept_level",
    "semapv:crossSpeciesExactMatch": "biolink:exact_match", "semapv:crossSpeciesCloseMatch": "biolink:close_match",
    "semapv:crossSpeciesBroadMatch": "biolink:broad_match", "semapv:crossSpeciesNarrowMatch": "biolink:narrow_match",
    "owl:equivalentClass": "biolink:same_as", "rdfs:subClassOf": "biolink:subclass_of",
}
#: (knowledge_level, agent_type), both required on every Biolink 4 association:
#: IMPC calls are the significant results of IMPC's statistical pipeline (mutants against
#: controls); HPOA annotations are curated (as Monarch's HPOA ingest says); ontology
#: subclass axioms are the editors'; a mapping's follows its SSSOM justification;
#: anything else (orthology, gene-disease, model structure) "not_provided".
KGX_KNOWLEDGE = {
    "biolink:GenotypeToPhenotypicFeatureAssociation": ("statistical_association", "data_analysis_pipeline"),
    "biolink:DiseaseToPhenotypicFeatureAssociation": ("knowledge_assertion", "manual_agent"),
    "biolink:subclass_of": ("knowledge_assertion", "manual_agent"),
}
KGX_MAPPING_KNOWLEDGE = {
    "semapv:ManualMappingCuration": ("knowledge_assertion", "manual_agent"),
    "semapv:LogicalReasoning": ("logical_entailment", "automated_agent"),
    "semapv:LogicalMatching": ("logical_entailment", "automated_agent"),
    "semapv:LexicalMatching": ("prediction", "automated_agent"),
    "semapv:SemanticSimilarityThresholdMatching": ("prediction", "automated_agent"),
}
NOT_PROVIDED = ("not_provided", "not_provided")


def kgx_edge_row(e: pg.Edge, edge_id: str) -> dict[str, Any]:
    """An edge as a KGX row: Biolink predicate (the source's in ``original_predicate``),
    category, ``knowledge_level`` and ``agent_type``, then its own properties.

    >>> e = pg.Edge("MAPPING:x", "MP:1", "skos:exactMatch", "HP:1", {"category": "sssom:Mapping",
    ...             "mapping_justification": "semapv:LexicalMatching", "provided_by": ["upheno_lexical"]})
    >>> r = kgx_edge_row(e, e.id)
    >>> r["predicate"], r["original_predicate"], r["knowledge_level"], r["agent_type"]
    ('biolink:exact_match', 'skos:exactMatch', 'prediction', 'automated_agent')
    """
    category = e.properties.get("category", "biolink:Association")
    if category == "sssom:Mapping":
        knowledge = KGX_MAPPING_KNOWLEDGE.get(e.properties.get("mapping_justification"), NOT_PROVIDED)
    else:
        knowledge = KGX_KNOWLEDGE.get(category) or KGX_KNOWLEDGE.get(e.predicate, NOT_PROVIDED)
    predicate = KGX_PREDICATES.get(e.predicate, e.predicate)
    return {**e.properties, "id": edge_id, "subject": e.subject, "predicate": predicate, "object": e.object,
            "category": category, "original_predicate": e.predicate if predicate != e.predicate else None,
            "knowledge_level": knowledge[0], "agent_type": knowledge[1]}


def kgx_categories(n: pg.Node) -> list[str]:
    """A node's KGX categories: its class and the class's ancestors, mixins left out."""
    return [c for c in n.labels if c not in KGX_NOT_CATEGORIES] or [n.category]


def export_kgx(store: OxigraphStore, out_dir: Path) -> tuple[Path, Path]:
    """Biolink KGX TSV: nodes.tsv and edges.tsv (list values joined with '|').

    One line per node and per edge of the property graph, with a unique ``id`` on each
    (:func:`kg.property_graph.unique_edge_ids`), Biolink categories and predicates
    (:func:`kgx_categories`, :func:`kgx_edge_row`) and every property of the graph.
    ``bench/kgx_validate.sh`` checks the result with the kgx package's validator.
    """
    nodes, edges = pg.read(store)
    node_props, edge_props = pg.iter_property_names(nodes, edges)
    out_dir.mkdir(parents=True, exist_ok=True)
    npath, epath = out_dir / "nodes.tsv", out_dir / "edges.tsv"
    ncols = ["id", "category"] + [p for p in node_props if p not in ("id", "category")]
    with open(npath, "w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        w.writerow(ncols)
        for n in sorted(nodes.values(), key=lambda n: n.id):
            row = {**n.properties, "id": n.id, "category": kgx_categories(n)}
            w.writerow([_cell(row.get(c), LIST_SEP_KGX) for c in ncols])
    first = ("id", "subject", "predicate", "object", "category", "original_predicate", "knowledge_level",
             "agent_type")
    ecols = list(first) + [p for p in edge_props if p not in first]
    with open(epath, "w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        w.writerow(ecols)
        for e, eid in zip(edges, pg.unique_edge_ids(edges)):
            row = kgx_edge_row(e, eid)
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
