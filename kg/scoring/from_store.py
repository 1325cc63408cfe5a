"""Fill a :class:`ScoringCorpus` from a built graph store, with SPARQL (schema: :mod:`kg.rdf`).

What is read:

* terms: live MP and HP classes (``owl:Class``, not ``owl:deprecated``) with their labels;
  UPHENO classes named by the active mapping sets;
* edges: direct ``rdfs:subClassOf`` in the ``mp`` and ``hp`` graphs, plus
  :func:`~kg.scoring.corpus.bridge_edges` of the mappings of the active mapping sets
  (configuration; a set's graphs are found in the ``meta`` graph by ``kgv:mappingSet``):
  the direct ``skos:exactMatch`` / ``semapv:crossSpeciesExactMatch`` triples of those
  graphs, and their ``sssom:Mapping`` nodes for ``owl:equivalentClass`` and
  ``rdfs:subClassOf`` (which the build writes only as mapping nodes);
* disease profiles: ``biolink:has_phenotype`` edges of ``biolink:Disease`` nodes (the build
  writes them for positive aspect-P HPOA rows only: NOT rows never become such an edge);
* model profiles: the MP objects of each model's ``GenotypeToPhenotypicFeatureAssociation``
  calls that are significant (``biolink:p_value`` <= threshold, or no p-value);
* known genes: mouse genes ``biolink:orthologous_to`` a human gene that
  ``biolink:gene_associated_with_condition`` the disease;
* provenance: versions from the ``meta`` graph.

The p-value threshold and graph names are bound with ``substitutions=`` (never formatted
into the query text).
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from kg import vocab
from kg.scoring.config import ScoringConfig
from kg.scoring.corpus import DiseaseProfile, ModelProfile, Provenance, ScoringCorpus, bridge_edges

PREFIXES = "\n".join(f"PREFIX {p}: <{i}>" for p, i in vocab.PREFIX_MAP.items()) + "\n"

def _graph(name: str) -> str:
    return f"<{vocab.graph_iri(name)}>"


Q_TERMS = """
SELECT ?t ?label WHERE {
  VALUES ?g { %s %s }
  GRAPH ?g { ?t a owl:Class . OPTIONAL { ?t rdfs:label ?label } }
}""" % (_graph("mp"), _graph("hp"))

Q_DEPRECATED = """
SELECT ?t WHERE {
  VALUES ?g { %s %s }
  GRAPH ?g { ?t owl:deprecated true }
}""" % (_graph("mp"), _graph("hp"))

Q_ISA = """
SELECT ?c ?p WHERE {
  VALUES ?g { %s %s }
  GRAPH ?g { ?c rdfs:subClassOf ?p }
}""" % (_graph("mp"), _graph("hp"))

#: graphs of the mapping sets (from the meta graph)
Q_MAPPING_GRAPHS = """
SELECT ?g ?set WHERE { GRAPH ?meta { ?g a kgv:SourceGraph ; kgv:mappingSet ?set } }"""

#: direct triples (SKOS and semapv predicates) of one mapping graph, bound with substitutions
Q_MAPPING_TRIPLES = """
SELECT ?s ?p ?o ?g WHERE {
  VALUES ?p { skos:exactMatch semapv:crossSpeciesExactMatch }
  GRAPH ?g { ?s ?p ?o }
}"""

#: owl:equivalentClass / rdfs:subClassOf rows exist only as mapping nodes
Q_MAPPING_NODES = """
SELECT ?s ?p ?o ?g WHERE {
  VALUES ?p { owl:equivalentClass rdfs:subClassOf }
  GRAPH ?g { ?m sssom:predicate_id ?p ; sssom:subject_id ?s ; sssom:object_id ?o }
}"""

#: labels of the classes a mapping graph describes (UPHENO classes among them), ?g bound
Q_MAPPING_LABELS = """
SELECT ?t ?label ?g WHERE { GRAPH ?g { ?t a owl:Class ; rdfs:label ?label } }"""

Q_DISEASES = """
SELECT ?d ?label WHERE {
  ?d a biolink:Disease .
  OPTIONAL { ?d rdfs:label ?label }
}"""

Q_DISEASE_PHENOTYPES = """
SELECT ?d ?hp WHERE {
  ?d a biolink:Disease ; biolink:has_phenotype ?hp .
}"""

Q_MODELS = """
SELECT ?m ?zyg ?stage ?gene ?gsym ?allele ?asym WHERE {
  ?m a biolink:Genotype .
  OPTIONAL { ?m kgv:zygosity ?zyg }
  OPTIONAL { ?m kgv:lifeStage ?stage }
  OPTIONAL { ?m biolink:has_gene_or_gene_product ?gene .
             OPTIONAL { ?gene biolink:symbol ?gsym } }
  OPTIONAL { ?m biolink:has_sequence_variant ?allele .
             OPTIONAL { ?allele rdfs:label ?asym } }
}"""

Q_SIGNIFICANT_CALLS = """
SELECT DISTINCT ?m ?mp ?threshold WHERE {
  ?a a biolink:GenotypeToPhenotypicFeatureAssociation ;
     biolink:subject ?m ; biolink:object ?mp .
  OPTIONAL { ?a biolink:p_value ?pv }
  FILTER(!BOUND(?pv) || ?pv <= ?threshold)
}"""

Q_KNOWN_GENES = """
SELECT DISTINCT ?d ?mg WHERE {
  ?hg biolink:gene_associated_with_condition ?d .
  ?mg biolink:orthologous_to ?hg .
}"""

Q_VERSIONS = """
SELECT ?name ?version ?set WHERE {
  ?g a kgv:SourceGraph ; kgv:sourceName ?name .
  OPTIONAL { ?g kgv:version ?version }
  OPTIONAL { ?g kgv:mappingSet ?set }
}"""


def _curie(term) -> str:
    return vocab.compress(term.value)


def _val(term) -> str | None:
    return None if term is None else term.value


def _smallest(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else min(a, b)


def _rows(store, query: str, substitutions=None):
    raw = getattr(store, "store", store)  # an OxigraphStore wrapper or a pyoxigraph.Store
    return raw.query(PREFIXES + query, use_default_graph_as_union=True, substitutions=substitutions)


def corpus_from_store(store, config: ScoringConfig | None = None) -> ScoringCorpus:
    """Read everything the engine needs from ``store`` (OxigraphStore or pyoxigraph.Store)."""
    config = config or ScoringConfig()
    labels: dict[str, str | None] = {}
    deprecated = {_curie(r["t"]) for r in _rows(store, Q_DEPRECATED)}
    for r in _rows(store, Q_TERMS):
        t = _curie(r["t"])
        if not t.startswith(("MP:", "HP:")) or t in deprecated:
            continue
        if labels.get(t) is None:
            labels[t] = _val(r["label"])
    edges = sorted({(_curie(r["c"]), _curie(r["p"])) for r in _rows(store, Q_ISA)})
    edges = [(c, p) for c, p in edges if c in labels and p in labels]

    active = set(config.mapping_sets)
    present: set[str] = set()
    active_graphs: set[str] = set()
    for r in _rows(store, Q_MAPPING_GRAPHS):
        present.add(r["set"].value)
        if r["set"].value in active:
            active_graphs.add(r["g"].value)
    mapping_rows = []
    for q in (Q_MAPPING_TRIPLES, Q_MAPPING_NODES):
        for g in sorted(active_graphs):
            for r in _rows(store, q, {ox.Variable("g"): ox.NamedNode(g)}):
                mapping_rows.append((_curie(r["s"]), vocab.compress(r["p"].value), _curie(r["o"])))
    mapping_rows = sorted(set(mapping_rows))
    bridges = [(c, p) for c, p in bridge_edges(mapping_rows)
               if (c in labels or c.startswith("UPHENO:")) and (p in labels or p.startswith("UPHENO:"))]
    upheno = {t for e in bridges for t in e if t.startswith("UPHENO:")}
    for g in sorted(active_graphs):
        for r in _rows(store, Q_MAPPING_LABELS, {ox.Variable("g"): ox.NamedNode(g)}):
            t = _curie(r["t"])
            if t in upheno and labels.get(t) is None:
                labels[t] = _val(r["label"])
    for t in upheno:
        labels.setdefault(t, None)
    edges += bridges

    # where sources describe a node differently, the smallest label wins: a reproducible rule
    # (kg.scoring.collect applies the same one while building)
    disease_labels: dict[str, str | None] = {}
    for r in _rows(store, Q_DISEASES):
        d, lab = _curie(r["d"]), _val(r["label"])
        disease_labels[d] = _smallest(disease_labels.get(d), lab)
    d_terms: dict[str, set[str]] = defaultdict(set)
    for r in _rows(store, Q_DISEASE_PHENOTYPES):
        d = _curie(r["d"])
        hp = _curie(r["hp"])
        if hp in labels:
            d_terms[d].add(hp)
    diseases = {d: DiseaseProfile(d, disease_labels.get(d), tuple(sorted(d_terms.get(d, ()))))
                for d in sorted(set(disease_labels) | set(d_terms))}

    meta: dict[str, dict] = {}
    for r in _rows(store, Q_MODELS):
        m = _curie(r["m"])
        rec = meta.setdefault(m, {})
        for key, var, conv in (("zygosity", "zyg", _val), ("life_stage", "stage", _val),
                               ("gene_id", "gene", _curie), ("gene_symbol", "gsym", _val),
                               ("allele_id", "allele", _curie), ("allele_symbol", "asym", _val)):
            term = r[var]
            if term is not None:
                rec[key] = _smallest(rec.get(key), conv(term))
    threshold = ox.Literal(repr(float(config.p_value_threshold)),
                           datatype=ox.NamedNode(vocab.XSD + "double"))
    m_terms: dict[str, set[str]] = defaultdict(set)
    for r in _rows(store, Q_SIGNIFICANT_CALLS, {ox.Variable("threshold"): threshold}):
        mp = _curie(r["mp"])
        if mp in labels:
            m_terms[_curie(r["m"])].add(mp)
    models = {}
    for m in sorted(meta):
        rec = meta[m]
        models[m] = ModelProfile(m, rec.get("gene_id"), rec.get("gene_symbol"), rec.get("allele_id"),
                                 rec.get("allele_symbol"), rec.get("zygosity"), rec.get("life_stage"),
                                 tuple(sorted(m_terms.get(m, ()))))

    known: dict[str, set[str]] = defaultdict(set)
    for r in _rows(store, Q_KNOWN_GENES):
        known[_curie(r["d"])].add(_curie(r["mg"]))

    versions: dict[str, str | None] = {}
    set_versions: dict[str, str | None] = {}
    for r in _rows(store, Q_VERSIONS):
        name = r["name"].value
        versions[name] = _val(r["version"])
        if r["set"] is not None and r["set"].value in active:
            set_versions[f"{r['set'].value}/{name}"] = _val(r["version"])
    ont = {"MP": versions.get("mp"), "HP": versions.get("hp"), "HPOA": versions.get("hpoa")}
    used_sets = tuple(s for s in config.mapping_sets if s in present)
    prov = Provenance(ontology_versions=ont, mapping_sets=used_sets, ic_corpus=config.ic_corpus,
                      extra={"mapping_set_versions": set_versions,
                             "mapping_sets_missing": sorted(active - present),
                             "p_value_threshold": config.p_value_threshold,
                             "bridge_edges": len(bridges)})
    return ScoringCorpus(term_labels=labels, edges=edges, diseases=diseases, models=models,
                         known_genes={d: frozenset(g) for d, g in known.items()}, provenance=prov)
