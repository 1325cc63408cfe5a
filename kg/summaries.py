"""Per-build summary facts (graph ``summary``): the counts report queries would otherwise
compute from every IMPC call at query time.

Why: a report over the whole graph (unmapped_mp_terms, orphan_knockout_genes) joins the
~39k calls with their genes and terms; in Oxigraph every intermediate row of a join is a
RocksDB look-up (~5-12 us), so grouping the calls alone costs ~0.5-1 s per query, however
the SPARQL is written. The store is immutable once built, so these counts are facts of
the build, materialised once, the way the ``closure`` graph materialises the subclass
closure. The builder feeds this module while it writes the calls and mappings (the same
ids it writes), and :meth:`SummaryFacts.write` adds the facts at the end of the build.

Facts (``kgv:`` = https://w3id.org/impc-kg/vocab/; the schema is kg/rdf.py's docstring)
    per MP term with at least one IMPC call annotated directly to it:
    ``kgv:impcCallCount`` (distinct calls, over every call graph), ``kgv:impcGeneCount``
    (distinct genes of those calls), and ``kgv:hpMappedVia "any"`` / ``"curated"`` when the
    term counts as mapped to HPO under unmapped_mp_terms' ``via`` of that name: "any" is
    an SSSOM mapping row with the term on one side and an HP term on the other whose
    justification is anything but semapv:SemanticSimilarityThresholdMatching, or a uPheno
    class linked by semapv:crossSpeciesExactMatch to the term and to an HP term (either
    direction); "curated" is such a row justified by semapv:ManualMappingCuration.
    per mouse gene and *system* (the MP root MP:0000001 and each of its direct
    subclasses), when the gene has calls under the system (closure): a node
    ``IMPCKG:counts-<gene>-<system>`` with ``kgv:countsOf ?gene``,
    ``kgv:countsUnder ?system``, ``kgv:callCount`` (distinct calls annotated to the system
    or a descendant) and ``kgv:phenotypeCount`` (distinct MP terms of those calls); and
    ``?system kgv:countsSummarised true`` for every such system, so that a query can tell a
    system without calls from one that is not summarised (then it counts from the calls).

>>> f = SummaryFacts()
>>> f.add_call("k1", "MGI:1", "MP:0000002"); f.add_call("k2", "MGI:1", "MP:0000002")
>>> f.add_call("k3", "MGI:2", "MP:0000002"); f.add_call("k1", "MGI:1", "MP:0000002")
>>> f.add_mapping("HP:0000001", "MP:0000002", "semapv:ManualMappingCuration")
>>> f.term_counts()["MP:0000002"]
(3, 2)
>>> sorted(f.hp_mapped_via("MP:0000002"))
['any', 'curated']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from kg import vocab
from kg.rdf import TRUE, QuadWriter, graph, iri, literal, pred

ROOT = "MP:0000001"
SOURCE = "summary"
_HP = "<" + vocab.OBO + "HP_"
_SIMILARITY = iri("semapv:SemanticSimilarityThresholdMatching")
_CURATED = iri("semapv:ManualMappingCuration")
_UPHENO_CLASS = iri("semapv:crossSpeciesExactMatch")
_INTEGER = f"<{vocab.XSD}integer>"


def integer(n: int) -> str:
    return f'"{n}"^^{_INTEGER}'


def counts_node(gene: str, system: str) -> str:
    """The CURIE of the gene-system counts node.

    >>> counts_node("MGI:97490", "MP:0005367")
    'IMPCKG:counts-MGI_97490-MP_0005367'
    """
    return f"IMPCKG:counts-{gene.replace(':', '_')}-{system.replace(':', '_')}"


def _justification(j: str | None) -> str | None:
    """The sssom:mapping_justification term the builder writes (None: not written)."""
    if not (j and vocab.is_curie(j)):
        return None
    try:
        return iri(j)
    except vocab.UnknownPrefix:
        return literal(j)


class SummaryFacts:
    """Accumulates what the summary facts need while the builder writes the graph."""

    def __init__(self) -> None:
        self._calls: dict[str, tuple[str, str]] = {}   # call key -> (gene CURIE, MP CURIE)
        self._mapped: dict[str, set[str]] = defaultdict(set)  # term IRI -> {"any", "curated"}
        self._upheno_out: dict[str, set[str]] = defaultdict(set)  # crossSpeciesExactMatch s -> o
        self._upheno_in: dict[str, set[str]] = defaultdict(set)   # and o -> s

    # -- fed by the builder --------------------------------------------------------------
    def add_call(self, key: str, gene: str, mp: str) -> None:
        """A call the builder wrote (``ASSOC:impc-<key>``; the same key in two graphs is one call)."""
        self._calls[key] = (gene, mp)

    def add_mapping(self, subject: str, obj: str, justification: str | None) -> None:
        """A mapping node the builder wrote (sssom:subject_id, sssom:object_id, justification)."""
        s, o = iri(subject), iri(obj)
        j = _justification(justification)
        if j is not None and j != _SIMILARITY:
            flags = {"any", "curated"} if j == _CURATED else {"any"}
            if o.startswith(_HP):
                self._mapped[s] |= flags
            if s.startswith(_HP):
                self._mapped[o] |= flags

    def add_direct_mapping(self, subject: str, predicate: str, obj: str) -> None:
        """A direct mapping triple the builder wrote (uPheno classes are read from these)."""
        if pred(predicate) == _UPHENO_CLASS:
            s, o = iri(subject), iri(obj)
            self._upheno_out[s].add(o)
            self._upheno_in[o].add(s)

    # -- the facts ---------------------------------------------------------------------
    def term_counts(self) -> dict[str, tuple[int, int]]:
        """MP term -> (distinct calls, distinct genes), for every term with a call."""
        calls: dict[str, int] = defaultdict(int)
        genes: dict[str, set[str]] = defaultdict(set)
        for gene, mp in self._calls.values():
            calls[mp] += 1
            genes[mp].add(gene)
        return {mp: (calls[mp], len(genes[mp])) for mp in calls}

    def hp_mapped_via(self, term: str) -> set[str]:
        """The ``via`` values of unmapped_mp_terms under which ``term`` counts as mapped."""
        t = iri(term)
        flags = set(self._mapped.get(t, ()))
        if "any" not in flags and (
                any(o.startswith(_HP) for u in self._upheno_in.get(t, ()) for o in self._upheno_out[u])
                or any(s.startswith(_HP) for u in self._upheno_out.get(t, ()) for s in self._upheno_in[u])):
            flags.add("any")
        return flags

    @staticmethod
    def systems(parents: dict[str, tuple[str, ...]], live: Iterable[str]) -> list[str]:
        """The summarised systems: the MP root and its direct (live) subclasses.

        >>> SummaryFacts.systems({"MP:2": ("MP:0000001",), "MP:3": ("MP:2",)}, ["MP:0000001", "MP:2", "MP:3"])
        ['MP:0000001', 'MP:2']
        """
        live = set(live)
        if ROOT not in live:
            return []
        return [ROOT] + sorted(t for t in live if ROOT in parents.get(t, ()))

    def gene_system_counts(self, ancestors: dict[str, set[str]], systems: Iterable[str]
                           ) -> dict[tuple[str, str], tuple[int, int]]:
        """(gene, system) -> (distinct calls, distinct MP terms) under the system (closure)."""
        wanted = set(systems)
        calls: dict[tuple[str, str], int] = defaultdict(int)
        terms: dict[tuple[str, str], set[str]] = defaultdict(set)
        for gene, mp in self._calls.values():
            for s in wanted.intersection(ancestors.get(mp, ())):
                calls[(gene, s)] += 1
                terms[(gene, s)].add(mp)
        return {k: (calls[k], len(terms[k])) for k in calls}

    def write(self, w: QuadWriter, ancestors: dict[str, set[str]],
              parents: dict[str, tuple[str, ...]], source: str = SOURCE) -> int:
        """Write every fact into graph ``source``; returns the number of quads."""
        g = graph(source)
        n0 = w.count
        p_calls, p_genes, p_via = pred("kgv:impcCallCount"), pred("kgv:impcGeneCount"), pred("kgv:hpMappedVia")
        for mp, (n_calls, n_genes) in sorted(self.term_counts().items()):
            t = iri(mp)
            w.quad(t, p_calls, integer(n_calls), g)
            w.quad(t, p_genes, integer(n_genes), g)
            for via in sorted(self.hp_mapped_via(mp)):
                w.quad(t, p_via, literal(via), g)
        systems = self.systems(parents, ancestors)
        p_done = pred("kgv:countsSummarised")
        for s in systems:
            w.quad(iri(s), p_done, TRUE, g)
        p_of, p_under = pred("kgv:countsOf"), pred("kgv:countsUnder")
        p_n, p_terms = pred("kgv:callCount"), pred("kgv:phenotypeCount")
        for (gene, s), (n_calls, n_terms) in sorted(self.gene_system_counts(ancestors, systems).items()):
            node = iri(counts_node(gene, s))
            w.quad(node, p_of, iri(gene), g)
            w.quad(node, p_under, iri(s), g)
            w.quad(node, p_n, integer(n_calls), g)
            w.quad(node, p_terms, integer(n_terms), g)
        return w.count - n0
