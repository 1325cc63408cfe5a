"""The summary graph (kg/summaries.py) on the mini world and on hand-made worlds: each fact
equals the count worked out by hand from the fixture rows, and the same count computed
from the store's calls and mapping rows (tests/summary_oracle.py)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import queries
from kg.store.oxigraph_store import OxigraphStore
from kg.summaries import SummaryFacts, counts_node
from tests import built_graph as bg
from tests import summary_oracle as oracle


@pytest.fixture(scope="module")
def store(mini_store) -> ox.Store:
    return OxigraphStore.open(mini_store).store


# Calls of the mini world (tests/unit/test_sparql_queries.py has them row by row):
#   Aaa MGI:101: MP:0001262 hom, MP:0003622 hom, MP:0001262 het
#   Bbb MGI:102: MP:0011100, MP:0002135 (CSV) and MP:0002135 again from the API (another life stage)
#   Ccc MGI:103: MP:0001260, MP:0000002 (obsolete -> MP:0001262)
TERM_COUNTS = {"MP:0001262": (3, 2), "MP:0002135": (2, 1), "MP:0003622": (1, 1), "MP:0011100": (1, 1),
               "MP:0001260": (1, 1)}
# MP:0001262 and MP:0001260 are under MP:0005378 (growth/size/body), MP:0003622 and MP:0002135
# under MP:0005367 (renal/urinary), MP:0011100 under MP:0010768 (mortality/aging)
GENE_SYSTEM_COUNTS = {
    ("MGI:101", "MP:0000001"): (3, 2), ("MGI:101", "MP:0005378"): (2, 1), ("MGI:101", "MP:0005367"): (1, 1),
    ("MGI:102", "MP:0000001"): (3, 2), ("MGI:102", "MP:0005367"): (2, 1), ("MGI:102", "MP:0010768"): (1, 1),
    ("MGI:103", "MP:0000001"): (2, 2), ("MGI:103", "MP:0005378"): (2, 2)}


def test_term_counts_on_the_mini_world(store):
    assert oracle.summary_term_counts(store) == TERM_COUNTS
    assert oracle.term_counts_from_calls(store) == TERM_COUNTS


def test_mapping_status_on_the_mini_world(store):
    # every term but MP:0011100 has a curated MGI row (MP:0002135 a broadMatch: any predicate counts)
    expected = {t: {"any", "curated"} for t in TERM_COUNTS if t != "MP:0011100"}
    assert oracle.summary_mapped(store) == expected
    assert oracle.mapped_from_rows(store) == expected


def test_gene_system_counts_on_the_mini_world(store):
    systems = oracle.summary_systems(store)
    assert systems == oracle.systems_from_ontology(store)
    assert {"MP:0000001", "MP:0005378", "MP:0005367", "MP:0010768"} <= systems
    assert oracle.summary_gene_system_counts(store) == GENE_SYSTEM_COUNTS
    assert oracle.gene_system_counts_from_calls(store, systems) == GENE_SYSTEM_COUNTS


def test_counts_nodes_are_named_and_hidden_from_entity_pages(mini_store):
    st = OxigraphStore.open(mini_store)
    node = ox.NamedNode("https://w3id.org/impc-kg/id/" + counts_node("MGI:103", "MP:0005378").split(":", 1)[1])
    assert len(list(st.store.quads_for_pattern(node, None, None, None))) == 4
    page = st.entity("MP:0001262")
    assert "summary" not in page.sources
    assert not any(k.startswith("kgv:impc") for k in page.properties)
    assert all(n.source != "summary" for n in page.neighbours)


def test_a_call_in_two_graphs_counts_once_and_each_system_is_complete():
    """The same call in two source graphs is one call (one ASSOC id), as COUNT(DISTINCT ?call);
    a system without calls is still marked summarised, so the query does not recount it."""
    mp = [bg.term("MP:0000001"), bg.term("MP:0000010", "MP:0000001"), bg.term("MP:0000011", "MP:0000010"),
          bg.term("MP:0000020", "MP:0000001"), bg.term("MP:0000012", "MP:0000010")]
    same = bg.call("MGI:1", "MP:0000011", 0.01)
    s = bg.build_store([("add_ontology", "mp", mp),
                        ("add_calls", "impc", [same, bg.call("MGI:1", "MP:0000012"), bg.call("MGI:2", "MP:0000010")]),
                        ("add_calls", "impc_api", [same])])
    assert oracle.summary_term_counts(s) == {"MP:0000011": (1, 1), "MP:0000012": (1, 1), "MP:0000010": (1, 1)}
    assert oracle.summary_systems(s) == {"MP:0000001", "MP:0000010", "MP:0000020"}
    assert oracle.summary_gene_system_counts(s) == {
        ("MGI:1", "MP:0000001"): (2, 2), ("MGI:1", "MP:0000010"): (2, 2),
        ("MGI:2", "MP:0000001"): (1, 1), ("MGI:2", "MP:0000010"): (1, 1)}
    assert oracle.summary_term_counts(s) == oracle.term_counts_from_calls(s)
    assert oracle.summary_gene_system_counts(s) == oracle.gene_system_counts_from_calls(s, oracle.summary_systems(s))


def test_orphan_query_reads_summarised_systems_and_counts_the_others():
    """Both branches of orphan_knockout_genes give the counts of the calls: a summarised system
    (root, top level) from the summary graph, any other term from the calls; a human gene with
    a disease is left out either way."""
    mp = [bg.term("MP:0000001"), bg.term("MP:0000010", "MP:0000001"), bg.term("MP:0000011", "MP:0000010"),
          bg.term("MP:0000012", "MP:0000011"), bg.term("MP:0000020", "MP:0000001")]
    calls = [bg.call("MGI:1", "MP:0000011"), bg.call("MGI:1", "MP:0000012"), bg.call("MGI:1", "MP:0000012", sex="male"),
             bg.call("MGI:2", "MP:0000012"), bg.call("MGI:2", "MP:0000020"), bg.call("MGI:3", "MP:0000011")]
    from kg.model import DiseaseGene, Origin
    s = bg.build_store([
        ("add_ontology", "mp", mp), ("add_calls", "impc", calls),
        ("add_orthology", "mgi_orthology", [bg.ortholog("MGI:1", "NCBIGene:1"), bg.ortholog("MGI:2", "NCBIGene:2"),
                                            bg.ortholog("MGI:3", "NCBIGene:3")]),
        ("add_disease_genes", "hpo_genes", [DiseaseGene("NCBIGene:3", "H3", "OMIM:1", Origin("t", 1))])])

    def run(system):
        return [(r["gene"], r["human_gene"], r["calls"], r["phenotypes"])
                for r in queries.run_on_store(s, "orphan_knockout_genes", {"system": system}).rows]
    summarised = oracle.summary_systems(s)
    assert summarised == {"MP:0000001", "MP:0000010", "MP:0000020"}
    assert run("MP:0000001") == [("MGI:1", "NCBIGene:1", 3, 2), ("MGI:2", "NCBIGene:2", 2, 2)]
    assert run("MP:0000010") == [("MGI:1", "NCBIGene:1", 3, 2), ("MGI:2", "NCBIGene:2", 1, 1)]
    assert run("MP:0000020") == [("MGI:2", "NCBIGene:2", 1, 1)]
    assert "MP:0000011" not in summarised and "MP:0000012" not in summarised
    assert run("MP:0000011") == [("MGI:1", "NCBIGene:1", 3, 2), ("MGI:2", "NCBIGene:2", 1, 1)]
    assert run("MP:0000012") == [("MGI:1", "NCBIGene:1", 2, 1), ("MGI:2", "NCBIGene:2", 1, 1)]


def test_summary_facts_without_an_mp_ontology():
    f = SummaryFacts()
    f.add_call("k", "MGI:1", "MP:0000010")
    assert f.systems({}, []) == []
    assert f.gene_system_counts({}, []) == {}
    assert f.term_counts() == {"MP:0000010": (1, 1)}
