"""Fill a :class:`ScoringCorpus` while the graph is being built, from the builder's own records.

Why: reading the corpus back from the finished store with SPARQL
(:mod:`kg.scoring.from_store`) cost ~14 s of CPU on the full graph, after the bulk load;
collecting the same facts as :class:`~kg.graph_builder.GraphBuilder` writes them costs
almost nothing, and lets the scoring tables be computed while Oxigraph loads the last
batch. The two must give the same corpus: ``tests/integration/test_corpus_collect.py``
compares them on the mini build and on the full real build, item by item.

So each fact is taken at the point where the builder writes the quads that
``from_store`` reads, with the same rules:

* terms: the live MP/HP terms of the ontologies, their labels; edges: their is_a parents;
* mapping rows of every mapping source (kept per source; the active sets are chosen at
  :meth:`CorpusCollector.corpus` from the sources' ``mapping_set``, as the meta graph records it);
* labels of non-MP/HP classes (UPHENO) as each mapping graph first describes them;
* diseases (as the HPOA graph describes them) and their positive aspect-P phenotypes;
* models, their gene/allele symbols (every source's description; the smallest wins, the same
  reproducible rule as ``from_store``), and their calls' MP terms with p-values;
* orthology pairs and disease genes, for the known-gene links;
* versions from the build's per-source metadata.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg import vocab
from kg.scoring.config import ScoringConfig
from kg.scoring.corpus import DiseaseProfile, ModelProfile, Provenance, ScoringCorpus, bridge_edges

#: mapping predicates the corpus reads (see kg.scoring.from_store: direct SKOS/semapv triples
#: and the mapping nodes of owl:equivalentClass / rdfs:subClassOf rows)
CORPUS_MAPPING_PREDICATES = frozenset({"skos:exactMatch", "semapv:crossSpeciesExactMatch",
                                       "owl:equivalentClass", "rdfs:subClassOf"})
_SPECIES = ("MP:", "HP:")


@dataclass
class _Model:
    gene_id: str | None
    allele_id: str | None
    zygosity: str | None
    life_stage: str | None


@dataclass
class CorpusCollector:
    """Receives the builder's facts; :meth:`corpus` turns them into a ScoringCorpus."""

    #: (curie, category) -> {source: label as that source's graph first described it}
    _labels: dict[tuple[str, str], dict[str, str | None]] = field(default_factory=lambda: defaultdict(dict))
    _models: dict[str, _Model] = field(default_factory=dict)
    #: (model, mp) -> [any call without p-value, smallest p-value]
    _calls: dict[tuple[str, str], list] = field(default_factory=dict)
    _disease_hp: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _mappings: dict[str, set[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(set))
    _orthologs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # human -> mouse
    _disease_genes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # disease -> human

    # -- facts, as the builder writes them ------------------------------------------------
    def node_described(self, curie: str, category: str, label: str | None, source: str) -> None:
        """A node's first description in one source graph (QuadWriter.node)."""
        if category in (vocab.GENE, vocab.ALLELE, vocab.DISEASE) or (
                category == vocab.PHENOTYPE and not curie.startswith(_SPECIES)):
            self._labels[(curie, category)][source] = label or None

    def model(self, model_id: str, gene_id: str, allele_id: str | None, zygosity: str | None,
              life_stage: str | None) -> None:
        if model_id not in self._models:
            self._models[model_id] = _Model(gene_id, allele_id, zygosity, life_stage)

    def call(self, model_id: str, mp: str, p_value: float | None) -> None:
        got = self._calls.get((model_id, mp))
        if got is None:
            self._calls[(model_id, mp)] = [p_value is None, p_value]
        elif p_value is None:
            got[0] = True
        elif got[1] is None or p_value < got[1]:
            got[1] = p_value

    def disease_phenotype(self, disease_id: str, hp: str) -> None:
        self._disease_hp[disease_id].add(hp)

    def mapping(self, source: str, subject: str, predicate: str, obj: str) -> None:
        if predicate in CORPUS_MAPPING_PREDICATES:
            self._mappings[source].add((subject, predicate, obj))

    def orthology(self, mouse_gene: str, human_gene: str) -> None:
        self._orthologs[human_gene].add(mouse_gene)

    def disease_gene(self, human_gene: str, disease_id: str) -> None:
        self._disease_genes[disease_id].add(human_gene)

    # -- the corpus -------------------------------------------------------------------------
    def _label(self, curie: str, category: str) -> str | None:
        found = [v for v in self._labels.get((curie, category), {}).values() if v]
        return min(found) if found else None

    def corpus(self, term_labels: dict[str, str | None], term_parents: dict[str, tuple[str, ...]],
               sources: dict[str, dict], config: ScoringConfig | None = None) -> ScoringCorpus:
        """The corpus :func:`kg.scoring.from_store.corpus_from_store` would read from the built store.

        ``term_labels`` / ``term_parents``: the live terms of the ontologies (TermIndex);
        ``sources``: the build's per-source metadata (version, mapping_set), as in the manifest.
        """
        config = config or ScoringConfig()
        labels = {t: (lab or None) for t, lab in term_labels.items() if t.startswith(_SPECIES)}
        edges = sorted({(c, p) for c in labels for p in term_parents.get(c, ()) if p in labels})

        active = set(config.mapping_sets)
        present = {m["mapping_set"] for m in sources.values() if m.get("mapping_set")}
        active_sources = sorted((n for n, m in sources.items() if m.get("mapping_set") in active),
                                key=vocab.graph_iri)
        rows = sorted({r for n in active_sources for r in self._mappings.get(n, ())})
        bridges = [(c, p) for c, p in bridge_edges(rows)
                   if (c in labels or c.startswith("UPHENO:")) and (p in labels or p.startswith("UPHENO:"))]
        upheno = {t for e in bridges for t in e if t.startswith("UPHENO:")}
        for n in active_sources:  # the first active graph (in IRI order) that labels a class
            for t in sorted(upheno):
                if labels.get(t) is None:
                    got = self._labels.get((t, vocab.PHENOTYPE), {}).get(n)
                    if got:
                        labels[t] = got
        for t in upheno:
            labels.setdefault(t, None)
        edges += bridges

        disease_ids = {c for (c, cat) in self._labels if cat == vocab.DISEASE}
        diseases = {}
        for d in sorted(disease_ids | set(self._disease_hp)):
            hp = tuple(sorted(h for h in self._disease_hp.get(d, ()) if h in labels))
            diseases[d] = DiseaseProfile(d, self._label(d, vocab.DISEASE), hp)

        threshold = float(config.p_value_threshold)
        m_terms: dict[str, set[str]] = defaultdict(set)
        for (m, mp), (no_p, best) in self._calls.items():
            if mp in labels and (no_p or (best is not None and best <= threshold)):
                m_terms[m].add(mp)
        models = {}
        for m in sorted(self._models):
            rec = self._models[m]
            models[m] = ModelProfile(
                m, rec.gene_id, self._label(rec.gene_id, vocab.GENE) if rec.gene_id else None,
                rec.allele_id, self._label(rec.allele_id, vocab.ALLELE) if rec.allele_id else None,
                rec.zygosity, rec.life_stage, tuple(sorted(m_terms.get(m, ()))))

        known = {}
        for d, human in self._disease_genes.items():
            mouse = {mg for hg in human for mg in self._orthologs.get(hg, ())}
            if mouse:
                known[d] = frozenset(mouse)

        versions = {n: (m.get("version") or None) for n, m in sources.items()}
        set_versions = {f"{m['mapping_set']}/{n}": (m.get("version") or None)
                        for n, m in sources.items() if m.get("mapping_set") in active}
        prov = Provenance(
            ontology_versions={"MP": versions.get("mp"), "HP": versions.get("hp"), "HPOA": versions.get("hpoa")},
            mapping_sets=tuple(s for s in config.mapping_sets if s in present), ic_corpus=config.ic_corpus,
            extra={"mapping_set_versions": set_versions, "mapping_sets_missing": sorted(active - present),
                   "p_value_threshold": config.p_value_threshold, "bridge_edges": len(bridges)})
        return ScoringCorpus(term_labels=labels, edges=edges, diseases=diseases, models=models,
                             known_genes=known, provenance=prov)
