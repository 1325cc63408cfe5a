"""The embedded store: pyoxigraph on disk, opened read-only for serving.

Why read-only: serving never writes, several processes may open the same build,
and a build in progress writes elsewhere (see :mod:`kg.store.layout`).
Every query runs with the default graph as the union of the named graphs; values
from users are bound with ``substitutions=``, never formatted into query text.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import vocab
from kg.store.interface import Entity, Neighbour
from kg.store.layout import OXIGRAPH_DIR, StoreNotFound, StoreRoot

PREFIXES = "\n".join(f"PREFIX {p}: <{i}>" for p, i in vocab.PREFIX_MAP.items()) + "\n"
HIDDEN_GRAPHS = {vocab.graph_iri("closure"), vocab.graph_iri("meta")}
STRUCTURAL = {vocab.RDF + "type", vocab.BIOLINK + "category", vocab.KGV + "curie"}


def term_value(t: Any) -> Any:
    """pyoxigraph term -> Python value (IRIs compressed to CURIEs, literals typed)."""
    if isinstance(t, ox.NamedNode):
        return vocab.compress(t.value)
    if isinstance(t, ox.Literal):
        dt = t.datatype.value
        if dt in (vocab.XSD + "double", vocab.XSD + "float", vocab.XSD + "decimal"):
            return float(t.value)
        if dt == vocab.XSD + "integer":
            return int(t.value)
        if dt == vocab.XSD + "boolean":
            return t.value == "true"
        return t.value
    if t is None:
        return None
    return str(t)


class OxigraphStore:
    backend = "oxigraph"

    def __init__(self, store: ox.Store, build_dir: Path | None = None):
        self.store = store
        self.build_dir = build_dir
        self._graphs: list[ox.NamedNode] | None = None

    @classmethod
    def open_build(cls, build_dir: Path) -> "OxigraphStore":
        path = Path(build_dir) / OXIGRAPH_DIR
        if not path.is_dir():
            raise StoreNotFound(f"{build_dir} has no {OXIGRAPH_DIR}/ directory: the build is incomplete")
        try:
            return cls(ox.Store.read_only(str(path)), Path(build_dir))
        except OSError as exc:
            raise StoreNotFound(f"cannot open the store in {path}: {exc}") from None

    @classmethod
    def open(cls, root: Path) -> "OxigraphStore":
        """Open the current build of a store root, read-only."""
        return cls.open_build(StoreRoot(root).require_current())

    def close(self) -> None:
        self.store = None  # pyoxigraph closes on garbage collection

    # -- SPARQL ---------------------------------------------------------------------
    def select(self, query: str, substitutions: dict[str, Any] | None = None,
               prefixes: bool = True) -> list[dict[str, Any]]:
        """Run a SELECT and return rows as dicts of Python values."""
        res = self.store.query(PREFIXES + query if prefixes else query,
                               substitutions=substitutions, use_default_graph_as_union=True)
        names = [v.value for v in res.variables]
        return [{n: term_value(sol[n]) for n in names} for sol in res]

    def ask(self, query: str, substitutions: dict[str, Any] | None = None) -> bool:
        return bool(self.store.query(PREFIXES + query, substitutions=substitutions,
                                     use_default_graph_as_union=True))

    # -- entities -------------------------------------------------------------------
    def entity(self, curie: str, max_neighbours: int = 500) -> Entity | None:
        node = ox.NamedNode(vocab.expand(curie))
        props: dict[str, list[Any]] = defaultdict(list)
        out: list[Neighbour] = []
        sources: set[str] = set()
        category = label = None
        n_out = 0
        for q in self.store.quads_for_pattern(node, None, None, None):
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if g in HIDDEN_GRAPHS:
                continue
            sources.add(g.rsplit("/", 1)[-1])
            p = q.predicate.value
            if p == vocab.BIOLINK + "category":
                category = vocab.compress(q.object.value)
                continue
            if p in STRUCTURAL:
                continue
            if p == vocab.RDFS + "label" and label is None:
                label = q.object.value
            if isinstance(q.object, ox.NamedNode):
                n_out += 1
                if len(out) < max_neighbours:
                    out.append(Neighbour(vocab.compress(p), vocab.compress(q.object.value), None,
                                         "out", g.rsplit("/", 1)[-1]))
            else:
                props[vocab.compress(p)].append(term_value(q.object))
        incoming: list[Neighbour] = []
        n_in = 0
        count_cap = max(10 * max_neighbours, 5000)  # beyond this, counts are lower bounds
        for g in self._visible_graphs():
            source = g.value.rsplit("/", 1)[-1]
            for q in self.store.quads_for_pattern(None, None, node, g):
                if q.predicate.value in STRUCTURAL:
                    continue
                n_in += 1
                if len(incoming) < max_neighbours:
                    incoming.append(Neighbour(vocab.compress(q.predicate.value),
                                              vocab.compress(q.subject.value), None, "in", source))
                elif n_in >= count_cap:
                    break
            if n_in >= count_cap:
                break
        if category is None and not props and not out and not incoming:
            return None
        self._label_neighbours(out + incoming)
        # dedupe same neighbour from several graphs: keep first, record sources
        seen: dict[tuple, Neighbour] = {}
        for n in out + incoming:
            key = (n.predicate, n.id, n.direction)
            if key in seen:
                if n.source not in seen[key].source.split(","):
                    seen[key].source += "," + n.source
            else:
                seen[key] = n
        props = {k: sorted(set(v), key=str) for k, v in props.items()}
        return Entity(curie, category, label, props, list(seen.values()),
                      {"out": n_out, "in": n_in}, sorted(sources))

    def _visible_graphs(self) -> list[ox.NamedNode]:
        """The source graphs (not the closure nor the metadata), listed once per store."""
        if self._graphs is None:
            self._graphs = sorted((g for g in self.store.named_graphs()
                                   if isinstance(g, ox.NamedNode) and g.value not in HIDDEN_GRAPHS),
                                  key=lambda g: g.value)
        return self._graphs

    def _label_neighbours(self, items: list[Neighbour]) -> None:
        lab = ox.NamedNode(vocab.RDFS + "label")
        cache: dict[str, str | None] = {}
        for n in items:
            if n.id not in cache:
                try:
                    iri = vocab.expand(n.id)
                except vocab.UnknownPrefix:
                    cache[n.id] = None
                    continue
                got = next(iter(self.store.quads_for_pattern(ox.NamedNode(iri), lab, None, None)), None)
                cache[n.id] = got.object.value if got is not None else None
            n.label = cache[n.id]

    # -- counts ---------------------------------------------------------------------
    def counts(self) -> dict[str, Any]:
        return compute_counts(self)


COUNT_NODES = """
SELECT ?g ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s rdf:type ?type }
} GROUP BY ?g ?type"""
COUNT_NODES_TOTAL = """
SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s rdf:type ?type } GROUP BY ?type"""
COUNT_OBSOLETE = """
SELECT ?g (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s owl:deprecated true } } GROUP BY ?g"""
COUNT_EDGES = """
SELECT ?g ?p (COUNT(*) AS ?n) WHERE {
  GRAPH ?g { ?s ?p ?o }
  VALUES ?p { biolink:has_phenotype biolink:has_sequence_variant biolink:is_sequence_variant_of
              biolink:has_gene_or_gene_product biolink:orthologous_to
              biolink:gene_associated_with_condition biolink:has_mode_of_inheritance
              rdfs:subClassOf skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch
              skos:relatedMatch semapv:crossSpeciesExactMatch semapv:crossSpeciesBroadMatch
              kgv:subClassOfOrSelf }
} GROUP BY ?g ?p"""
COUNT_NEGATED = """
SELECT (COUNT(?a) AS ?n) WHERE { ?a biolink:negated true }"""
COUNT_MAPPING_SETS = """
SELECT ?set (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a sssom:Mapping ; kgv:mappingSet ?set } GROUP BY ?set"""


def compute_counts(store: OxigraphStore) -> dict[str, Any]:
    """Counts per entity/association type, per source graph, and edges per predicate."""
    per_source: dict[str, dict[str, int]] = defaultdict(dict)
    for r in store.select(COUNT_NODES):
        per_source[r["g"].rsplit("/", 1)[-1]][r["type"]] = r["n"]
    for r in store.select(COUNT_OBSOLETE):
        per_source[r["g"].rsplit("/", 1)[-1]]["obsolete terms"] = r["n"]
    edges: dict[str, dict[str, int]] = defaultdict(dict)
    for r in store.select(COUNT_EDGES):
        edges[r["g"].rsplit("/", 1)[-1]][r["p"]] = r["n"]
    totals = {r["type"]: r["n"] for r in store.select(COUNT_NODES_TOTAL)}
    negated = store.select(COUNT_NEGATED)[0]["n"]
    sets = {r["set"]: r["n"] for r in store.select(COUNT_MAPPING_SETS)}
    return {"totals": totals, "per_source": dict(per_source), "edges": dict(edges),
            "negated_annotations": negated, "mappings_per_set": sets}
