"""The RDF graph seen as a property graph: nodes with properties, edges with properties.

Why: Neo4j (Cypher), KGX TSV and `neo4j-admin import` all want the Biolink property-graph
shape Monarch uses: one node per entity (``category`` = its Biolink class and that
class's ancestors), one edge per association, the association's statistics as edge
properties. The RDF store reifies associations as nodes; this module folds them back
into edges, so every exporter and the Neo4j loader share one reading of the graph.

Rules
-----
- A node is any IRI with ``biolink:category``; its properties are its literal values
  (label -> ``name``, ``biolink:symbol`` -> ``symbol``, ``kgv:zygosity`` -> ``zygosity``, …),
  merged over every source graph that describes it; ``provided_by`` lists those graphs.
- An association node (IMPC call, HPOA annotation) becomes one edge subject -[predicate]->
  object carrying its properties; an SSSOM mapping node becomes one edge with the mapping
  predicate and its metadata. The direct triples that merely mirror those associations
  (model/disease ``has_phenotype``, ``has_mode_of_inheritance``, mapping triples) are not
  repeated as edges.
- ``rdfs:subClassOf`` becomes ``biolink:subclass_of``; every other IRI-valued triple between
  two nodes becomes an edge with its predicate's CURIE. The closure graph is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg import vocab
from kg.store.oxigraph_store import OxigraphStore, term_value

CATEGORY = vocab.BIOLINK + "category"
TYPE = vocab.RDF + "type"
ASSOCIATION_TYPES = {vocab.BIOLINK + "GenotypeToPhenotypicFeatureAssociation",
                     vocab.BIOLINK + "DiseaseToPhenotypicFeatureAssociation"}
MAPPING_TYPE = vocab.SSSOM + "Mapping"
SKIP_GRAPHS = {vocab.graph_iri("closure"), vocab.graph_iri("meta")}
#: direct triples that mirror an association node, per predicate
MIRRORED = {vocab.BIOLINK + "has_mode_of_inheritance"}
NODE_PROPERTY_NAMES = {
    vocab.RDFS + "label": "name",
    vocab.BIOLINK + "symbol": "symbol",
    vocab.BIOLINK + "name": "full_name",
    vocab.KGV + "zygosity": "zygosity",
    vocab.KGV + "lifeStage": "life_stage",
    vocab.OBO + "IAO_0000115": "description",
    vocab.OWL + "deprecated": "deprecated",
    vocab.OIO + "hasExactSynonym": "synonym",
    vocab.OIO + "hasRelatedSynonym": "synonym",
    vocab.OIO + "hasBroadSynonym": "synonym",
    vocab.OIO + "hasNarrowSynonym": "synonym",
    vocab.OIO + "hasDbXref": "xref",
}
MULTI = {"synonym", "xref", "provided_by", "publications", "top_level_phenotype", "modifier"}
SKIP_NODE_PREDICATES = {TYPE, CATEGORY, vocab.KGV + "curie", vocab.OIO + "inSubset",
                        vocab.OIO + "hasAlternativeId", vocab.RDFS + "comment"}


@dataclass
class Node:
    id: str
    category: str
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> tuple[str, ...]:
        """The category and its Biolink ancestors (Neo4j labels / KGX category list)."""
        return vocab.CATEGORY_ANCESTORS.get(self.category, (self.category,))


@dataclass
class Edge:
    id: str
    subject: str
    predicate: str
    object: str
    properties: dict[str, Any] = field(default_factory=dict)


def _local(iri: str) -> str:
    """Property name for a predicate IRI: the part after the namespace."""
    for ns in (vocab.BIOLINK, vocab.KGV, vocab.SSSOM):
        if iri.startswith(ns):
            name = iri[len(ns):]
            # kgv:effectSize -> effect_size (one naming style for all properties)
            return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return vocab.compress(iri).replace(":", "_")


def _value(term) -> Any:
    if isinstance(term, ox.NamedNode):
        return vocab.compress(term.value)
    return term_value(term)


def _group_by_subject(store: ox.Store, graph: ox.NamedNode):
    """Yield (subject IRI, [(predicate IRI, object term)]) for one graph, subject by subject."""
    current, items = None, []
    for q in store.quads_for_pattern(None, None, None, graph):
        s = q.subject.value
        if s != current:
            if current is not None:
                yield current, items
            current, items = s, []
        items.append((q.predicate.value, q.object))
    if current is not None:
        yield current, items


def _add(props: dict[str, Any], key: str, value: Any) -> None:
    if key in MULTI:
        lst = props.setdefault(key, [])
        if value not in lst:
            lst.append(value)
    elif key not in props:
        props[key] = value


def read(store: OxigraphStore) -> tuple[dict[str, Node], list[Edge]]:
    """Every node and edge of the graph (see the module docstring for the rules)."""
    st = store.store
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    seen_edges: set[tuple[str, str, str]] = set()
    pending: list[tuple[str, str, str, str]] = []  # direct triples, kept if both ends are nodes
    for g in st.named_graphs():
        if g.value in SKIP_GRAPHS:
            continue
        source = g.value.rsplit("/", 1)[-1]
        for s, items in _group_by_subject(st, g):
            types = {o.value for p, o in items if p == TYPE and isinstance(o, ox.NamedNode)}
            if types & ASSOCIATION_TYPES or MAPPING_TYPE in types:
                edges.append(_association_edge(s, items, source, MAPPING_TYPE in types))
                continue
            cat = next((o.value for p, o in items if p == CATEGORY), None)
            if cat is None:
                continue
            sid = vocab.compress(s)
            node = nodes.get(sid)
            if node is None:
                node = nodes[sid] = Node(sid, vocab.compress(cat))
            _add(node.properties, "provided_by", source)
            for p, o in items:
                if p in SKIP_NODE_PREDICATES:
                    continue
                if p == vocab.BIOLINK + "in_taxon":
                    _add(node.properties, "in_taxon", vocab.compress(o.value))
                    continue
                if isinstance(o, ox.NamedNode):
                    pc = "biolink:subclass_of" if p == vocab.RDFS + "subClassOf" else vocab.compress(p)
                    if p in MIRRORED or (p == vocab.BIOLINK + "has_phenotype" and cat in (
                            vocab.BIOLINK + "Genotype", vocab.BIOLINK + "Disease")):
                        continue
                    if source not in _NON_MAPPING_SOURCES and vocab.prefix_of(pc) in ("skos", "semapv"):
                        continue  # mirrored by the mapping node
                    pending.append((sid, pc, vocab.compress(o.value), source))
                else:
                    _add(node.properties, NODE_PROPERTY_NAMES.get(p, _local(p)), _value(o))
    for sid, pc, oid, source in pending:
        key = (sid, pc, oid)
        if key in seen_edges or oid not in nodes:
            continue
        seen_edges.add(key)
        edges.append(Edge(f"{sid}|{pc}|{oid}", sid, pc, oid, {"provided_by": [source]}))
    return nodes, edges


_NON_MAPPING_SOURCES = {"mp", "hp", "impc", "impc_api", "impc_sample", "impc_test", "mgi_orthology",
                        "hpoa", "hpo_genes"}


def _association_edge(s: str, items: list, source: str, is_mapping: bool) -> Edge:
    props: dict[str, Any] = {"provided_by": [source]}
    subj = pred = obj = None
    for p, o in items:
        if is_mapping:
            if p == vocab.SSSOM + "subject_id":
                subj = vocab.compress(o.value)
                continue
            if p == vocab.SSSOM + "predicate_id":
                pred = vocab.compress(o.value)
                continue
            if p == vocab.SSSOM + "object_id":
                obj = vocab.compress(o.value)
                continue
        else:
            if p == vocab.BIOLINK + "subject":
                subj = vocab.compress(o.value)
                continue
            if p == vocab.BIOLINK + "predicate":
                pred = vocab.compress(o.value)
                continue
            if p == vocab.BIOLINK + "object":
                obj = vocab.compress(o.value)
                continue
        if p == TYPE:
            props["category"] = vocab.compress(o.value)
            continue
        name = {vocab.KGV + "topLevelPhenotype": "top_level_phenotype",
                vocab.KGV + "mappingSet": "mapping_set"}.get(p, _local(p))
        _add(props, name, _value(o))
    return Edge(vocab.compress(s), subj, pred, obj, props)


def iter_property_names(nodes: dict[str, Node], edges: list[Edge]) -> tuple[list[str], list[str]]:
    """All node and edge property names, sorted (the columns of a tabular export)."""
    np_: set[str] = set()
    ep: set[str] = set()
    for n in nodes.values():
        np_.update(n.properties)
    for e in edges:
        ep.update(e.properties)
    return sorted(np_), sorted(ep)


def edges_of(edges: list[Edge], predicate: str) -> Iterator[Edge]:
    return (e for e in edges if e.predicate == predicate)
