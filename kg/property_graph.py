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
  two nodes becomes an edge with its predicate's CURIE. The closure and summary graphs
  are left out.
- An HPOA annotation of aspect I (inheritance) is a ``biolink:has_mode_of_inheritance``
  edge, as its direct triple in the store and in Monarch; the other aspects are
  ``biolink:has_phenotype`` (negated ones carry ``negated: true``).
- An association described by two source graphs (the same IMPC call in two data files)
  is two edges with the same ``id``, one per graph, each with that graph's values and
  ``provided_by``: the SPARQL queries see it per graph too, and no value is dropped.
  ``id`` stays the association's CURIE, as SPARQL's ``?call`` (the Cypher queries count
  ``DISTINCT r.id``; Neo4j keys a relationship by ``id`` and ``provided_by``). Where an
  export needs one id per edge line (KGX), :func:`unique_edge_ids` qualifies such an id
  by its graph: ``ASSOC:impc-…@impc`` and ``ASSOC:impc-…@impc_api``.
- A direct edge's ``id`` is ``subject--predicate->object`` (no ``|``: KGX's list separator).

How it reads the store: one SPARQL query per (graph, predicate) with both bound
(see :class:`_Reader` for why): 54 s of CPU on the full graph instead of 75 s for the
quad-by-quad reading (5.6 M quads, bench/RESULTS.md, "neo4j").
"""

from __future__ import annotations

from collections import Counter
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
#: SSSOM's object of a row recording that no term matched: kept in the RDF graph as a mapping
#: node, but it names no node, so the property graph (Neo4j, KGX) has no edge for it
NO_TERM_FOUND = "sssom:NoTermFound"
SKIP_GRAPHS = {vocab.graph_iri("closure"), vocab.graph_iri("meta"), vocab.graph_iri("summary")}
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


def _add(props: dict[str, Any], key: str, value: Any) -> None:
    if key in MULTI:
        lst = props.setdefault(key, [])
        if value not in lst:
            lst.append(value)
    elif key not in props:
        props[key] = value


#: association-node predicates that are the edge's ends and type, not its properties
_ASSOC_ENDS = {
    False: {vocab.BIOLINK + "subject": "subject", vocab.BIOLINK + "predicate": "predicate",
            vocab.BIOLINK + "object": "object"},
    True: {vocab.SSSOM + "subject_id": "subject", vocab.SSSOM + "predicate_id": "predicate",
           vocab.SSSOM + "object_id": "object"},
}
_ASSOC_NAMES = {vocab.KGV + "topLevelPhenotype": "top_level_phenotype",
                vocab.KGV + "mappingSet": "mapping_set"}
#: HPOA aspect I annotations are the disease's mode of inheritance (Monarch's predicate);
#: the store writes their direct triple as biolink:has_mode_of_inheritance too
_INHERITANCE_ASPECT = "I"


class _Reader:
    """One pass over the store with SPARQL queries whose projections are fixed.

    Why not iterate the quads: decoding a stored term costs ~2.5 us (a RocksDB look-up
    for every IRI and long string), and a quad scan decodes subject, predicate, object
    and graph of every quad. One query per (graph, predicate) with the predicate and
    graph bound decodes only subject and object, and the mirrored triples the reading
    skips are left undecoded where a predicate is skipped whole. A join in the query
    (e.g. ``?a rdf:type T . ?a <p> ?o``) is worse still: a RocksDB seek per row, ~10 us,
    so associations and nodes are told apart in Python from one type/category scan.
    """

    def __init__(self, store: OxigraphStore):
        self.st = store.store
        self._curie: dict[str, str] = {}

    def select(self, query: str):
        return self.st.query(query)

    def curie(self, iri: str) -> str:
        c = self._curie.get(iri)
        if c is None:
            c = self._curie[iri] = vocab.compress(iri)
        return c

    def value(self, term) -> Any:
        if isinstance(term, ox.NamedNode):
            return self.curie(term.value)
        return term_value(term)

    def graphs(self) -> list[tuple[str, list[str]]]:
        """(graph IRI, its predicate IRIs) in the store's graph order; closure and meta left out."""
        preds: dict[str, set[str]] = {}
        for sol in self.select("SELECT DISTINCT ?g ?p WHERE { GRAPH ?g { ?s ?p ?o } }"):
            preds.setdefault(sol[0].value, set()).add(sol[1].value)
        return [(g.value, sorted(preds.get(g.value, ())))
                for g in self.st.named_graphs() if g.value not in SKIP_GRAPHS]


def read(store: OxigraphStore) -> tuple[dict[str, Node], list[Edge]]:
    """Every node and edge of the graph (see the module docstring for the rules).

    Deterministic: graphs in the store's order, association edges by id within a graph,
    then the direct edges by (graph, subject, predicate, object); list values are sorted
    except ``provided_by`` (graph order). A single-valued property described by several
    graphs keeps the first graph's value.
    """
    r = _Reader(store)
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    # direct triples (graph rank, s, p, o, source), kept if both ends are nodes
    pending: list[tuple[int, str, str, str, str]] = []
    mirrored_phenotype = {vocab.BIOLINK + "Genotype", vocab.BIOLINK + "Disease"}
    for rank, (g, preds) in enumerate(r.graphs()):
        source = g.rsplit("/", 1)[-1]
        # 1. which subjects of this graph are associations (-> edges) and which are nodes
        assoc: dict[str, dict[str, Any]] = {}  # IRI -> properties
        ends: dict[str, dict[str, str]] = {}  # IRI -> subject/predicate/object
        mapping: set[str] = set()
        if TYPE in preds:
            for a, t in r.select(f"SELECT ?a ?t WHERE {{ GRAPH <{g}> {{ ?a <{TYPE}> ?t }} }}"):
                if t.value in ASSOCIATION_TYPES or t.value == MAPPING_TYPE:
                    assoc[a.value] = {"provided_by": [source], "category": r.curie(t.value)}
                    ends[a.value] = {}
                    if t.value == MAPPING_TYPE:
                        mapping.add(a.value)
        category: dict[str, str] = {}  # node IRI -> category IRI, in this graph
        if CATEGORY in preds:
            for s, c in r.select(f"SELECT ?s ?c WHERE {{ GRAPH <{g}> {{ ?s <{CATEGORY}> ?c }} }}"):
                if s.value in assoc:
                    continue
                category.setdefault(s.value, c.value)
                sid = r.curie(s.value)
                if sid not in nodes:
                    nodes[sid] = Node(sid, r.curie(c.value))
                _add(nodes[sid].properties, "provided_by", source)
        # 2. one query per predicate; its rows go to associations or nodes
        mirrored_by_mapping = source not in _NON_MAPPING_SOURCES
        for p in preds:
            if p == TYPE or p == CATEGORY:
                continue
            node_pred = p not in SKIP_NODE_PREDICATES and p not in MIRRORED
            pc = "biolink:subclass_of" if p == vocab.RDFS + "subClassOf" else r.curie(p)
            if node_pred and mirrored_by_mapping and vocab.prefix_of(pc) in ("skos", "semapv"):
                node_pred = False  # mirrored by the mapping node
            if not node_pred and not assoc:
                continue
            is_phenotype = p == vocab.BIOLINK + "has_phenotype"
            node_name = NODE_PROPERTY_NAMES.get(p) or _local(p)
            assoc_name = _ASSOC_NAMES.get(p) or _local(p)
            end_slot = {False: _ASSOC_ENDS[False].get(p), True: _ASSOC_ENDS[True].get(p)}
            for s, o in r.select(f"SELECT ?s ?o WHERE {{ GRAPH <{g}> {{ ?s <{p}> ?o }} }}"):
                si = s.value
                props = assoc.get(si)
                if props is not None:
                    slot = end_slot[si in mapping]
                    if slot is not None:
                        ends[si].setdefault(slot, r.curie(o.value))
                    else:
                        _add(props, assoc_name, r.value(o))
                    continue
                cat = category.get(si)
                if cat is None or not node_pred:
                    continue
                if isinstance(o, ox.NamedNode):
                    if is_phenotype and cat in mirrored_phenotype:
                        continue  # mirrored by the association nodes
                    if p == vocab.BIOLINK + "in_taxon":
                        _add(nodes[r.curie(si)].properties, "in_taxon", r.curie(o.value))
                    else:
                        pending.append((rank, r.curie(si), pc, r.curie(o.value), source))
                else:
                    _add(nodes[r.curie(si)].properties, node_name, r.value(o))
        # 3. the associations of this graph, as edges, by id
        for a in sorted(assoc, key=r.curie):
            props, part = assoc[a], ends[a]
            for k in MULTI & props.keys():
                if k != "provided_by":
                    props[k] = sorted(props[k], key=str)
            if NO_TERM_FOUND in (part.get("subject"), part.get("object")):
                continue  # an SSSOM "no term found" record: no node at its other end (graph only)
            pred = part.get("predicate")
            if (props.get("aspect") == _INHERITANCE_ASPECT
                    and props.get("category") == vocab.DISEASE_PHENOTYPE):
                pred = "biolink:has_mode_of_inheritance"
            edges.append(Edge(r.curie(a), part.get("subject"), pred, part.get("object"), props))
    for n in nodes.values():
        for k in MULTI & n.properties.keys():
            if k != "provided_by":
                n.properties[k] = sorted(n.properties[k], key=str)
    seen_edges: set[tuple[str, str, str]] = set()
    for _, sid, pc, oid, source in sorted(pending):
        key = (sid, pc, oid)
        if key in seen_edges or oid not in nodes:
            continue
        seen_edges.add(key)
        edges.append(Edge(direct_edge_id(sid, pc, oid), sid, pc, oid, {"provided_by": [source]}))
    return nodes, edges


def direct_edge_id(subject: str, predicate: str, obj: str) -> str:
    """The id of a direct (not reified) edge: readable, stable, one per (s, p, o).

    >>> direct_edge_id("MP:0001262", "biolink:subclass_of", "MP:0001259")
    'MP:0001262--biolink:subclass_of->MP:0001259'
    """
    return f"{subject}--{predicate}->{obj}"


#: between an association id and the source graph, in an edge id that must be unique
EDGE_ID_SOURCE_SEP = "@"


def unique_edge_ids(edges: list[Edge]) -> list[str]:
    """One id per edge, never repeated (KGX): ``edge.id`` where no other edge has it, else
    ``edge.id@graph`` (its ``provided_by``), e.g. an IMPC call in two source graphs.

    Stable: an edge's id depends on the edges that share its ``id``, not on their order.
    Two edges with the same id *and* graph (the reading makes none) get ``~2``, ``~3``.

    >>> e = [Edge("ASSOC:a", "M", "biolink:has_phenotype", "MP:1", {"provided_by": ["impc"]}),
    ...      Edge("ASSOC:a", "M", "biolink:has_phenotype", "MP:1", {"provided_by": ["impc_api"]}),
    ...      Edge("ASSOC:b", "M", "biolink:has_phenotype", "MP:2", {"provided_by": ["impc"]})]
    >>> unique_edge_ids(e)
    ['ASSOC:a@impc', 'ASSOC:a@impc_api', 'ASSOC:b']
    """
    counts = Counter(e.id for e in edges)
    wanted = [e.id if counts[e.id] == 1 else
              e.id + EDGE_ID_SOURCE_SEP + ",".join(map(str, e.properties.get("provided_by") or ()))
              for e in edges]
    taken = set(wanted)
    seen: set[str] = set()
    out: list[str] = []
    for eid in wanted:
        if eid in seen:
            n = 2
            while f"{eid}~{n}" in taken:
                n += 1
            eid = f"{eid}~{n}"
            taken.add(eid)
        seen.add(eid)
        out.append(eid)
    return out


_NON_MAPPING_SOURCES = {"mp", "hp", "impc", "impc_api", "impc_sample", "impc_test", "mgi_orthology",
                        "hpoa", "hpo_genes"}


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
