"""Every named query with a .rq and a .cypher form answers the same rows from both engines,
on the full real graph: the embedded Oxigraph store and Neo4j loaded by `kg load neo4j`.

Why on the real graph: the mini fixture cannot show the differences that matter (calls
described by two source graphs, HPOA aspects and negations, SSSOM rows in both
directions, DAG paths in MP). Rows are compared as multisets, values canonicalised
only where SPARQL leaves the order open: a GROUP_CONCAT list ("a|b") is compared as a
set of its items, floats to 12 digits. Column names and order must be identical.
Neo4j runs in its own embedded server (the session one holds the mini graph).
"""

from __future__ import annotations

import pytest

from kg import queries, queries_cypher
from kg.store.neo4j_launcher import EmbeddedNeo4j
from kg.store.oxigraph_store import OxigraphStore
from tests.neo4j_fixture import require_java

pytestmark = [pytest.mark.integration, pytest.mark.neo4j]

#: parameter sets beyond each query's header examples
EXTRA = {
    "genes_for_phenotype": ["term=MP:0000001&centre=MRC Harwell&sex=female",
                            "term=MP:0000001&zygosity=hemizygote"],
    "disease_phenocopies": ["gene=MGI:88057&via=upheno", "via=upheno"],
    "gene_phenotype_calls": ["gene=MGI:96522", "gene=MGI:1931838"],
    "gene_phenotype_systems": ["gene=MGI:1860086"],
}


def cases() -> list[tuple[str, str]]:
    out = []
    for name, cq in sorted(queries_cypher.load().items()):
        for ex in cq.named.examples + EXTRA.get(name, []):
            out.append((name, ex))
    return out


@pytest.fixture(scope="module")
def full_neo4j(real_store, tmp_path_factory):
    """A second embedded Neo4j holding the full graph (loaded and verified once)."""
    require_java()
    from tests.neo4j_graph import load_store
    with EmbeddedNeo4j(tmp_path_factory.mktemp("neo4j-full") / "home", page_cache="512m") as server:
        report = load_store(real_store, server.uri, server.auth)
        assert report.ok, report.differences
        from neo4j import GraphDatabase
        with GraphDatabase.driver(server.uri, auth=server.auth) as driver:
            yield driver


@pytest.fixture(scope="module")
def oxigraph(real_store):
    return OxigraphStore.open(real_store)


def _canon(value):
    if isinstance(value, str) and "|" in value:
        return "|".join(sorted(value.split("|")))
    if isinstance(value, float):
        return round(value, 12)
    return value


def _rows(table):
    return sorted((tuple(_canon(r[c]) for c in table.columns) for r in table.rows), key=repr)


def test_every_named_query_with_a_cypher_twin_is_covered():
    assert set(queries_cypher.load()) == set(queries.load()), "a .rq without its .cypher twin"


@pytest.mark.parametrize("name,example", cases())
def test_sparql_and_cypher_agree(oxigraph, full_neo4j, name, example):
    params = dict(kv.split("=", 1) for kv in example.split("&") if kv)
    sparql = queries.run_on_store(oxigraph.store, name, params)
    cypher = queries_cypher.run(full_neo4j, name, params)
    assert cypher.columns == sparql.columns
    assert sparql.rows, f"{name}?{example}: no rows; pick parameters that exercise the query"
    assert _rows(cypher) == _rows(sparql)
