"""The summary graph of the full real build equals the counts computed from its calls and
mapping rows (tests/summary_oracle.py), and genes_for_phenotype's best p-value is the
smallest p-value of each gene's calls that have one, in both query languages' SPARQL form
(the Cypher twin is held to the same rows by test_query_agreement.py)."""

from __future__ import annotations

import pytest

from kg import queries
from kg.sparql import Limits
from kg.store.oxigraph_store import OxigraphStore
from tests import summary_oracle as oracle

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def store(real_store):
    return OxigraphStore.open(real_store).store


def test_term_counts_and_mapping_status(store):
    counts = oracle.summary_term_counts(store)
    assert len(counts) > 500
    assert counts == oracle.term_counts_from_calls(store)
    mapped = oracle.summary_mapped(store)
    assert 0 < len([t for t, v in mapped.items() if "curated" in v]) < len(mapped) < len(counts)
    assert mapped == oracle.mapped_from_rows(store)


def test_gene_system_counts(store):
    systems = oracle.summary_systems(store)
    assert len(systems) > 20 and systems == oracle.systems_from_ontology(store)
    got = oracle.summary_gene_system_counts(store)
    assert len(got) > 20_000
    assert got == oracle.gene_system_counts_from_calls(store, systems)


def test_best_p_value_skips_calls_without_one(store):
    """On the root every gene's calls match: its best p-value is the minimum of its calls'
    p-values (17 genes of the real data have calls with and calls without one)."""
    rows = oracle.rows(store, """SELECT ?gene (COUNT(*) AS ?n) (COUNT(?p) AS ?with_p) WHERE {
        GRAPH ?src { ?call kgv:gene ?gene ; biolink:object ?mp OPTIONAL { ?call biolink:p_value ?p } } }
        GROUP BY ?gene""")
    mixed = {r["gene"] for r in rows if 0 < r["with_p"] < r["n"]}
    assert len(mixed) >= 10  # genes with calls with and calls without a p-value: the case of the bug
    expected: dict[str, float | None] = {r["gene"]: None for r in rows}
    for r in oracle.rows(store, """SELECT ?gene ?p WHERE {
            GRAPH ?src { ?call kgv:gene ?gene ; biolink:object ?mp ; biolink:p_value ?p } }"""):
        best = expected[r["gene"]]
        expected[r["gene"]] = r["p"] if best is None else min(best, r["p"])
    got = queries.run_on_store(store, "genes_for_phenotype", {"term": "MP:0000001"},
                               Limits(timeout_s=600, max_rows=10**6)).rows
    assert {r["gene"]: r["best_p_value"] for r in got} == expected
