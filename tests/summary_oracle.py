"""The summary graph's facts, and the same facts computed independently from the calls and
mapping rows of a built store (the way the report queries computed them before the
summary graph existed: grouping the call nodes, joining the closure, reading every SSSOM
node and uPheno triple). Shared by the unit test on the mini world and the integration
test on the real graph; the test asserts both sides are equal.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg import vocab
from kg.sparql import select_table

ROOT = "MP:0000001"
P = """PREFIX biolink: <https://w3id.org/biolink/vocab/>
PREFIX kgv: <https://w3id.org/impc-kg/vocab/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX semapv: <https://w3id.org/semapv/vocab/>
PREFIX sssom: <https://w3id.org/sssom/>
PREFIX graph: <https://w3id.org/impc-kg/graph/>
"""


def rows(store: ox.Store, query: str, **subs: Any) -> list[dict[str, Any]]:
    return select_table(store, P + query, subs or None, 600, 10**7).rows


# -- what the summary graph says -------------------------------------------------------------

def summary_term_counts(store: ox.Store) -> dict[str, tuple[int, int]]:
    return {r["t"]: (r["c"], r["g"]) for r in rows(store, """SELECT ?t ?c ?g WHERE {
        GRAPH graph:summary { ?t kgv:impcCallCount ?c ; kgv:impcGeneCount ?g } }""")}


def summary_mapped(store: ox.Store) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in rows(store, "SELECT ?t ?v WHERE { GRAPH graph:summary { ?t kgv:hpMappedVia ?v } }"):
        out.setdefault(r["t"], set()).add(r["v"])
    return out


def summary_systems(store: ox.Store) -> set[str]:
    return {r["s"] for r in rows(store, "SELECT ?s WHERE { GRAPH graph:summary { ?s kgv:countsSummarised true } }")}


def summary_gene_system_counts(store: ox.Store) -> dict[tuple[str, str], tuple[int, int]]:
    return {(r["gene"], r["s"]): (r["c"], r["p"]) for r in rows(store, """SELECT ?gene ?s ?c ?p WHERE {
        GRAPH graph:summary { ?n kgv:countsOf ?gene ; kgv:countsUnder ?s ; kgv:callCount ?c ;
                                 kgv:phenotypeCount ?p } }""")}


# -- the same, from the calls and mapping rows -----------------------------------------------

def term_counts_from_calls(store: ox.Store) -> dict[str, tuple[int, int]]:
    return {r["mp"]: (r["c"], r["g"]) for r in rows(store, """
        SELECT ?mp (COUNT(DISTINCT ?call) AS ?c) (COUNT(DISTINCT ?gene) AS ?g)
        WHERE { GRAPH ?src { ?call kgv:gene ?gene ; biolink:object ?mp } } GROUP BY ?mp""")}


def systems_from_ontology(store: ox.Store) -> set[str]:
    """The MP root (when the store has it) and its direct subclasses."""
    root = ox.NamedNode(vocab.expand(ROOT))
    children = {r["t"] for r in rows(store, "SELECT ?t ?root WHERE { GRAPH graph:mp { ?t rdfs:subClassOf ?root } }",
                                     root=root)}
    has_root = bool(rows(store, "SELECT ?root WHERE { GRAPH graph:mp { ?root rdfs:label ?l } }", root=root))
    return children | {ROOT} if has_root else set()


def gene_system_counts_from_calls(store: ox.Store, systems: set[str]) -> dict[tuple[str, str], tuple[int, int]]:
    out = {}
    for s in sorted(systems):
        for r in rows(store, """SELECT ?gene ?system (COUNT(DISTINCT ?call) AS ?c) (COUNT(DISTINCT ?mp) AS ?p)
                WHERE { ?mp kgv:subClassOfOrSelf ?system . GRAPH ?src { ?call biolink:object ?mp ; kgv:gene ?gene } }
                GROUP BY ?gene ?system""", system=ox.NamedNode(vocab.expand(s))):
            out[(r["gene"], s)] = (r["c"], r["p"])
    return out


#: the call terms without a mapping under ?via, as unmapped_mp_terms.rq computed them before
#: the summary graph (nested single-pattern FILTER (NOT) EXISTS: any other shape is far slower)
UNMAPPED = """SELECT ?phenotype ?via WHERE {
  { SELECT DISTINCT ?phenotype WHERE { GRAPH ?g { ?call kgv:gene ?gene ; biolink:object ?phenotype } } }
  FILTER NOT EXISTS {
    ?m1 sssom:subject_id ?phenotype .
    FILTER EXISTS { ?m1 sssom:object_id ?hp1 FILTER(STRSTARTS(STR(?hp1), "http://purl.obolibrary.org/obo/HP_")) }
    FILTER EXISTS { ?m1 sssom:mapping_justification ?j1
                    FILTER(?j1 != semapv:SemanticSimilarityThresholdMatching
                           && (COALESCE(?via, "any") = "any" || ?j1 = semapv:ManualMappingCuration)) }
  }
  FILTER NOT EXISTS {
    ?m2 sssom:object_id ?phenotype .
    FILTER EXISTS { ?m2 sssom:subject_id ?hp2 FILTER(STRSTARTS(STR(?hp2), "http://purl.obolibrary.org/obo/HP_")) }
    FILTER EXISTS { ?m2 sssom:mapping_justification ?j2
                    FILTER(?j2 != semapv:SemanticSimilarityThresholdMatching
                           && (COALESCE(?via, "any") = "any" || ?j2 = semapv:ManualMappingCuration)) }
  }
  FILTER(COALESCE(?via, "any") = "curated" || NOT EXISTS {
    ?u1 semapv:crossSpeciesExactMatch ?phenotype .
    FILTER EXISTS { ?u1 semapv:crossSpeciesExactMatch ?hp3 FILTER(STRSTARTS(STR(?hp3), "http://purl.obolibrary.org/obo/HP_")) }
  })
  FILTER(COALESCE(?via, "any") = "curated" || NOT EXISTS {
    ?phenotype semapv:crossSpeciesExactMatch ?u2 .
    FILTER EXISTS { ?hp4 semapv:crossSpeciesExactMatch ?u2 FILTER(STRSTARTS(STR(?hp4), "http://purl.obolibrary.org/obo/HP_")) }
  })
}"""


def mapped_from_rows(store: ox.Store) -> dict[str, set[str]]:
    """Call term -> the `via` values under which it counts as mapped (computed from the rows)."""
    terms = set(term_counts_from_calls(store))
    out: dict[str, set[str]] = {}
    for via in ("any", "curated"):
        unmapped = {r["phenotype"] for r in rows(store, UNMAPPED, via=ox.Literal(via))}
        for t in terms - unmapped:
            out.setdefault(t, set()).add(via)
    return out
