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
CLOSURE_GRAPH = vocab.graph_iri("closure")
HIDDEN_GRAPHS = {CLOSURE_GRAPH, vocab.graph_iri("meta"), vocab.graph_iri("summary")}
STRUCTURAL = {vocab.RDF + "type", vocab.BIOLINK + "category", vocab.KGV + "curie"}
CATEGORY = vocab.BIOLINK + "category"
LABEL = vocab.RDFS + "label"

#: IRI -> CURIE (memoised; kg.vocab.compress)
compress = vocab.compress


def term_value(t: Any) -> Any:
    """pyoxigraph term -> Python value (IRIs compressed to CURIEs, literals typed)."""
    if isinstance(t, ox.NamedNode):
        return compress(t.value)
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


#: labels kept per store (cleared when full; the full build has ~123k labelled nodes)
LABEL_CACHE_MAX = 200_000
#: reified nodes (IMPC calls and HPOA annotations, SSSOM mapping rows) never get an
#: rdfs:label (only ``QuadWriter.node`` writes labels, for genes, alleles, models, terms,
#: diseases): half of an entity's neighbours are such nodes, looked up for nothing.
#: tests/unit/test_oxigraph_store_fast.py checks the built store holds no such label.
UNLABELLED_NAMESPACES = (vocab.PREFIX_MAP["ASSOC"], vocab.PREFIX_MAP["MAPPING"])
#: incoming edges of ``?o`` counted inside Oxigraph, as :meth:`OxigraphStore._incoming` counts them
_COUNT_IN = """
SELECT ?o (COUNT(?s) AS ?n) WHERE {{
  {{ SELECT ?o ?s WHERE {{
      GRAPH ?g {{ ?s ?p ?o }}
      FILTER(?g NOT IN ({hidden}) && ?p NOT IN ({structural}))
  }} {limit} }}
}} GROUP BY ?o"""
#: fixed LIMITs (the caller's cap is applied after): 5000 = the cap of max_neighbours <= 500
COUNT_IN_LIMITS = (5000, 50_000)
COUNT_IN = {n: _COUNT_IN.format(hidden=", ".join(f"<{g}>" for g in sorted(HIDDEN_GRAPHS)),
                                structural=", ".join(f"<{p}>" for p in sorted(STRUCTURAL)),
                                limit=f"LIMIT {n}" if n else "")
            for n in (*COUNT_IN_LIMITS, None)}


class OxigraphStore:
    backend = "oxigraph"

    def __init__(self, store: ox.Store, build_dir: Path | None = None):
        self.store = store
        self.build_dir = build_dir
        self._graphs: list[ox.NamedNode] | None = None
        self._label_cache: dict[str, str | None] = {}  # IRI -> label (None: has none)

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
    # Cost model (bench/load.py, profiled): every quad read from pyoxigraph decodes its four
    # terms (a RocksDB look-up per IRI, ~5 us each) and every quads_for_pattern call opens
    # an iterator (~10-20 us). So: one outgoing scan; one incoming scan over all graphs
    # unless the node is an ontology term (then one per source graph, so that the closure
    # graph's "every descendant" quads are never read); stop decoding incoming quads once
    # the page is full and count the rest inside Oxigraph (no decoding); labels and
    # CURIEs memoised (the store is read-only while it is served).
    def entity(self, curie: str, max_neighbours: int = 500) -> Entity | None:
        node = ox.NamedNode(vocab.expand(curie))
        props: dict[str, list[Any]] = defaultdict(list)
        out: list[tuple[str, ox.NamedNode, str, str]] = []  # (predicate IRI, other node, direction, graph IRI)
        sources: set[str] = set()
        category = label = None
        n_out = 0
        in_closure = False
        for q in self.store.quads_for_pattern(node, None, None, None):
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if g in HIDDEN_GRAPHS:
                in_closure = in_closure or g == CLOSURE_GRAPH
                continue
            sources.add(g)
            p = q.predicate.value
            if p == CATEGORY:
                category = compress(q.object.value)
                continue
            if p in STRUCTURAL:
                continue
            obj = q.object
            if p == LABEL and label is None:
                label = obj.value
            if isinstance(obj, ox.NamedNode):
                n_out += 1
                if len(out) < max_neighbours:
                    out.append((p, obj, "out", g))
            else:
                props[compress(p)].append(term_value(obj))
        incoming, n_in = self._incoming(node, max_neighbours, per_graph=in_closure)
        if category is None and not props and not out and not incoming:
            return None
        labels = self._labels(out + incoming)
        # dedupe same neighbour from several graphs: keep first, record sources
        seen: dict[tuple, Neighbour] = {}
        for (p, other, direction, g), lab in zip(out + incoming, labels):
            key = (p, other.value, direction)
            got = seen.get(key)
            src = g.rsplit("/", 1)[-1]
            if got is None:
                seen[key] = Neighbour(compress(p), compress(other.value), lab, direction, src)
            elif src not in got.source.split(","):
                got.source += "," + src
        props = {k: sorted(set(v), key=str) for k, v in props.items()}
        return Entity(curie, category, label, props, list(seen.values()),
                      {"out": n_out, "in": n_in}, sorted(g.rsplit("/", 1)[-1] for g in sources))

    def _incoming(self, node: ox.NamedNode, max_neighbours: int,
                  per_graph: bool) -> tuple[list[tuple[str, ox.NamedNode, str, str]], int]:
        """The first ``max_neighbours`` incoming edges (no closure, metadata or structural
        quads) and their count, which stops at ``max(10 x max_neighbours, 5000)``.

        ``per_graph``: the node is an MP/HP term (it has quads in the closure graph), so the
        closure graph may hold one quad per descendant (18k for HP:0000118); reading the
        source graphs one by one skips them without decoding them.
        """
        found: list[tuple[str, ox.NamedNode, str, str]] = []
        distinct = 0  # entries of the page (edges found in several graphs are one entry)
        full = False
        if per_graph:  # lazily: no iterator is opened for the graphs after a full page
            scans = ((g.value, self.store.quads_for_pattern(None, None, node, g)) for g in self._visible_graphs())
        else:
            scans = iter([(None, self.store.quads_for_pattern(None, None, node, None))])
        for graph, quads in scans:
            for q in quads:
                if graph is None:
                    gn = q.graph_name
                    g = gn.value if isinstance(gn, ox.NamedNode) else ""
                    if g in HIDDEN_GRAPHS:
                        continue
                else:
                    g = graph
                p = q.predicate.value
                if p in STRUCTURAL:
                    continue
                s = q.subject
                if graph is None and found and found[-1][0] == p and found[-1][1] == s:
                    # the same edge in another graph (adjacent in this scan's order): it only
                    # adds a source to the last neighbour, so it does not take a place on the page
                    found.append((p, s, "in", g))
                    continue
                if distinct == max_neighbours:
                    full = True
                    break
                distinct += 1
                found.append((p, s, "in", g))
            if full:
                break
        if not full:
            return found, len(found)  # every incoming quad read: the count is exact
        return found, self._count_incoming(node, max(10 * max_neighbours, 5000), per_graph)

    def _count_incoming(self, node: ox.NamedNode, cap: int, per_graph: bool) -> int:
        """Incoming edges of a node as :meth:`_incoming` counts them, up to ``cap``,
        counted inside Oxigraph (~1 us a quad instead of ~20 us decoding it in Python)."""
        limit = next((n for n in COUNT_IN_LIMITS if n >= cap), None)
        kw: dict[str, Any] = {"named_graphs": self._visible_graphs()} if per_graph else {}
        rows = list(self.store.query(COUNT_IN[limit], substitutions={ox.Variable("o"): node}, **kw))
        n = int(rows[0]["n"].value) if rows else 0
        return min(n, cap)

    def _visible_graphs(self) -> list[ox.NamedNode]:
        """The source graphs (not the closure nor the metadata), listed once per store."""
        if self._graphs is None:
            self._graphs = sorted((g for g in self.store.named_graphs()
                                   if isinstance(g, ox.NamedNode) and g.value not in HIDDEN_GRAPHS),
                                  key=lambda g: g.value)
        return self._graphs

    def _labels(self, items: list[tuple[str, ox.NamedNode, str, str]]) -> list[str | None]:
        """The rdfs:label of each item's other node (first found), memoised per store."""
        cache = self._label_cache
        lab = ox.NamedNode(LABEL)
        got: list[str | None] = []
        for _, other, _, _ in items:
            iri = other.value
            if iri in cache:
                got.append(cache[iri])
                continue
            if iri.startswith(UNLABELLED_NAMESPACES):
                got.append(None)
                continue
            q = next(iter(self.store.quads_for_pattern(other, lab, None, None)), None)
            value = q.object.value if q is not None else None
            if len(cache) >= LABEL_CACHE_MAX:
                cache.clear()
            cache[iri] = value
            got.append(value)
        return got

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
