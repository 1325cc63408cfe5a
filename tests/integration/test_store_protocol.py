"""One suite, two backends: OxigraphStore and Neo4jStore answer entity() and counts() alike.

Why: the API and the CLI talk to "a graph store"; a question must get the same answer
whichever store serves it. The two stores hold two readings of one graph, so the
comparison is made on what both readings have (documented in :func:`node_neighbours`):
Oxigraph also lists the reified association and mapping nodes, which in Neo4j *are*
the edges; ``rdfs:subClassOf`` is ``biolink:subclass_of`` in the property graph; a
negated HPOA annotation is an edge with ``negated: true`` in Neo4j but, by design, no
direct triple in RDF; ``biolink:in_taxon`` is a node property in Neo4j.
"""

from __future__ import annotations

import pytest

from kg.store.interface import Entity, GraphStore
from kg.store.neo4j_store import Neo4jStore
from kg.store.oxigraph_store import OxigraphStore
from tests.neo4j_graph import mini_neo4j  # noqa: F401  (a fixture)

IDS = ["MGI:101", "MGI:1101", "MODEL:MGI_1101_hom", "MP:0001262", "HP:0004325", "OMIM:100001",
       "NCBIGene:1001", "UPHENO:0000002"]
REIFIED = ("ASSOC:", "MAPPING:")

#: the neighbours of two entities, written out: what both stores must answer
EXPECTED = {
    "MGI:101": {
        ("biolink:has_phenotype", "MP:0001262", "out"), ("biolink:has_phenotype", "MP:0003622", "out"),
        ("biolink:orthologous_to", "NCBIGene:1001", "out"),
        ("biolink:has_gene_or_gene_product", "MODEL:MGI_1101_het", "in"),
        ("biolink:has_gene_or_gene_product", "MODEL:MGI_1101_hom", "in"),
        ("biolink:is_sequence_variant_of", "MGI:1101", "in")},
    "OMIM:100001": {
        ("biolink:has_phenotype", "HP:0000016", "out"), ("biolink:has_phenotype", "HP:0004325", "out"),
        ("biolink:has_mode_of_inheritance", "HP:0000007", "out"),
        ("biolink:gene_associated_with_condition", "NCBIGene:1001", "in")},
}


@pytest.fixture(scope="module", params=["oxigraph", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request, mini_store):
    if request.param == "oxigraph":
        s = OxigraphStore.open(mini_store)
    else:
        server, _ = request.getfixturevalue("mini_neo4j")
        s = Neo4jStore.connect(server.uri, server.auth)
    yield s
    s.close()


@pytest.fixture(scope="module")
def oxigraph(mini_store):
    return OxigraphStore.open(mini_store)


def node_neighbours(store: GraphStore, entity: Entity) -> set[tuple[str, str, str]]:
    """(predicate, neighbour id, direction) of the entity-to-entity neighbours."""
    out = set()
    for n in entity.neighbours:
        if n.id.startswith(REIFIED) or n.predicate == "biolink:in_taxon":
            continue
        pred = "biolink:subclass_of" if n.predicate == "rdfs:subClassOf" else n.predicate
        out.add((pred, n.id, n.direction))
    if isinstance(store, Neo4jStore):
        negated = store._read("MATCH (a {id: $id})-[r {negated: true}]-(b) "
                              "RETURN type(r) AS t, b.id AS b, startNode(r) = a AS out", id=entity.id)
        out -= {(r["t"], r["b"], "out" if r["out"] else "in") for r in negated}
    return out


def test_implements_the_protocol(store):
    assert isinstance(store, GraphStore)
    assert store.entity("MGI:999999999") is None


@pytest.mark.parametrize("curie", IDS)
def test_entity_agrees_with_the_embedded_store(store, oxigraph, curie):
    mine, ref = store.entity(curie), oxigraph.entity(curie)
    assert (mine.id, mine.category, mine.label) == (ref.id, ref.category, ref.label)
    assert node_neighbours(store, mine) == node_neighbours(oxigraph, ref)
    if curie in EXPECTED:
        assert node_neighbours(store, mine) == EXPECTED[curie]
    # Oxigraph names every graph with a triple about the entity (mapping files too),
    # Neo4j the graphs that describe it as a node (provided_by): the latter are among the former
    assert set(mine.sources) <= set(ref.sources) and mine.sources


def test_neighbour_cap(store):
    e = store.entity("MGI:101", max_neighbours=1)
    assert len([n for n in e.neighbours if n.direction == "out"]) <= 1
    assert e.neighbour_counts["out"] >= 3


def test_counts_agree(store, oxigraph):
    mine, ref = store.counts(), oxigraph.counts()
    shared = ["biolink:Gene", "biolink:Genotype", "biolink:SequenceVariant", "biolink:Disease",
              "biolink:GenotypeToPhenotypicFeatureAssociation", "biolink:DiseaseToPhenotypicFeatureAssociation",
              "sssom:Mapping"]
    assert {k: mine["totals"].get(k) for k in shared} == {k: ref["totals"].get(k) for k in shared}
    assert mine["totals"]["biolink:Gene"] == 8
    assert mine["negated_annotations"] == ref["negated_annotations"] == 1
