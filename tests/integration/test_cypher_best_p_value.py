"""genes_for_phenotype.cypher: the best p-value is the smallest p-value of the matching calls
that have one (null only when none has), as in the .rq.

A hand-made world is built by the real pipeline (builder -> Oxigraph -> property-graph
reading -> Neo4j loader) into the session Neo4j, with ids no other test uses (MP:99...,
MGI:99...), and removed afterwards: the mini graph other tests read stays as it was.
"""

from __future__ import annotations

import pytest

from kg import property_graph as pg
from kg import queries, queries_cypher
from kg.store.neo4j_store import load_property_graph
from kg.store.oxigraph_store import OxigraphStore
from tests import built_graph as bg

pytestmark = [pytest.mark.integration, pytest.mark.neo4j]

MP = [bg.term("MP:9900001"), bg.term("MP:9900010", "MP:9900001"), bg.term("MP:9900011", "MP:9900010")]
CALLS = [bg.call("MGI:9900001", "MP:9900010", 0.03), bg.call("MGI:9900001", "MP:9900011", None),
         bg.call("MGI:9900001", "MP:9900011", 0.002, sex="male"), bg.call("MGI:9900002", "MP:9900011", None),
         bg.call("MGI:9900002", "MP:9900010", None, sex="female")]


@pytest.fixture(scope="module")
def world():
    return bg.build_store([("add_ontology", "mp", MP), ("add_calls", "impc", CALLS)])


@pytest.fixture(scope="module")
def driver(neo4j_server, world):
    from neo4j import GraphDatabase

    nodes, edges = pg.read(OxigraphStore(world))
    assert all(n.startswith(("MP:99", "MGI:99", "MODEL:gene_MGI_99")) for n in nodes), sorted(nodes)
    with GraphDatabase.driver(neo4j_server.uri, auth=neo4j_server.auth) as d:
        try:
            load_property_graph(d, nodes, edges, progress=False)  # counts differ (other graphs): not checked
            yield d
        finally:
            d.execute_query("MATCH (n:`biolink:Entity`) WHERE n.id IN $ids DETACH DELETE n", ids=sorted(nodes))


@pytest.mark.parametrize("params,expected", [
    ({"term": "MP:9900010"}, {"MGI:9900001": (3, 0.002), "MGI:9900002": (2, None)}),
    ({"term": "MP:9900011"}, {"MGI:9900001": (2, 0.002), "MGI:9900002": (1, None)}),
    ({"term": "MP:9900010", "sex": "male"}, {"MGI:9900001": (1, 0.002)}),
])
def test_best_p_value_in_both_forms(driver, world, params, expected):
    cypher = queries_cypher.run(driver, "genes_for_phenotype", params).rows
    sparql = queries.run_on_store(world, "genes_for_phenotype", params).rows
    assert {r["gene"]: (r["calls"], r["best_p_value"]) for r in cypher} == expected
    assert {r["gene"]: (r["calls"], r["best_p_value"]) for r in sparql} == expected
