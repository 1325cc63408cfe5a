"""POST /cypher against the real embedded Neo4j holding the mini graph.

Checks: a read query with parameters answers rows; every write or admin clause is
refused with 403 *before* it reaches Neo4j (and the graph is unchanged afterwards);
the row cap and the timeout answer clear errors; no Neo4j configured or reachable
answers 503, and the endpoint recovers once Neo4j is up.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.store.neo4j_launcher import EmbeddedNeo4j, free_loopback_port
from tests.neo4j_graph import mini_neo4j  # noqa: F401  (a fixture)

pytestmark = pytest.mark.neo4j

COUNT = "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS nodes, count(r) AS rels"


@pytest.fixture(scope="module")
def client(mini_store, mini_neo4j):
    server, _ = mini_neo4j
    settings = {"neo4j_uri": server.uri, "cypher_max_rows": 50, "cypher_timeout": 2}
    with TestClient(create_app(mini_store, settings)) as c:
        yield c


def test_read_query_with_parameters(client):
    r = client.post("/cypher", json={
        "query": "MATCH (m:`biolink:Genotype`)-[r:`biolink:has_phenotype`]->(p) "
                 "WHERE r.p_value <= $p RETURN m.id AS model, p.id AS phenotype, r.p_value AS p_value, p "
                 "ORDER BY p_value, model",
        "parameters": {"p": 1e-5}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["columns"] == ["model", "phenotype", "p_value", "p"]
    assert [(x["model"], x["phenotype"], x["p_value"]) for x in body["rows"]][:2] == [
        ("MODEL:MGI_1102_hom", "MP:0011100", 0.0), ("MODEL:MGI_1101_hom", "MP:0001262", 1e-8)]
    node = body["rows"][0]["p"]
    assert "biolink:PhenotypicFeature" in node["labels"] and node["properties"]["id"] == "MP:0011100"


def test_parameters_are_values_not_text(client):
    evil = "MP:0001262'}) DETACH DELETE n //"
    r = client.post("/cypher", json={"query": "MATCH (n {id: $id}) RETURN n.id AS id", "parameters": {"id": evil}})
    assert r.status_code == 200 and r.json()["rows"] == []


def test_strings_and_comments_may_mention_write_words(client):
    r = client.post("/cypher", json={"query": "RETURN 'CREATE (n) SET n.x = 1' AS s // DELETE everything\n"
                                              "/* MERGE */ , 1 AS `SET`"})
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == [{"s": "CREATE (n) SET n.x = 1", "SET": 1}]


WRITES = [
    "CREATE (n:`biolink:Gene` {id: 'X:1'})",
    "MERGE (n:`biolink:Gene` {id: 'X:1'}) RETURN n",
    "MATCH (n) DELETE n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n {id: 'MGI:101'}) SET n.name = 'x'",
    "MATCH (n {id: 'MGI:101'}) REMOVE n.name",
    "match (n) detach delete n",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "MATCH (n) FOREACH (x IN [1] | SET n.x = x)",
    "CALL db.createLabel('Evil')",
    "CALL dbms.listConfig()",
    "CALL apoc.load.json('http://example.org/')",
    "RETURN apoc.text.join(['a'], ',')",
    "USING PERIODIC COMMIT 10 LOAD CSV FROM 'file:///x' AS l CREATE (:X)",
    "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10 ROWS",
    "UNWIND [1] AS x CALL { WITH x RETURN x AS y } IN TRANSACTIONS RETURN y",
    "DROP INDEX impckg_id_biolink_Gene",
    "CREATE CONSTRAINT c FOR (n:X) REQUIRE n.id IS UNIQUE",
    "SHOW TRANSACTIONS",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "USE system SHOW USERS",
    "STOP DATABASE neo4j",
    "INSERT (n:X {id: 1})",
]


@pytest.mark.parametrize("query", WRITES)
def test_write_and_admin_clauses_are_refused_before_sending(client, query):
    before = client.post("/cypher", json={"query": COUNT}).json()["rows"]
    r = client.post("/cypher", json={"query": query})
    assert r.status_code == 403, r.text
    assert "not allowed" in r.json()["detail"]
    assert client.post("/cypher", json={"query": COUNT}).json()["rows"] == before


def test_unreadable_query_is_400(client):
    r = client.post("/cypher", json={"query": "RETURN 'never closed"})
    assert r.status_code == 400 and "unterminated" in r.json()["detail"]
    r = client.post("/cypher", json={"query": "MATCH (n RETURN n"})
    assert r.status_code == 400  # Neo4j's syntax error, passed on


def test_row_cap_and_timeout(client):
    r = client.post("/cypher", json={"query": "UNWIND range(1, 51) AS x RETURN x"})
    assert r.status_code == 400 and "row cap" in r.json()["detail"]
    assert client.post("/cypher", json={"query": "UNWIND range(1, 50) AS x RETURN x"}).json()["count"] == 50
    slow = "UNWIND range(1, 2000000000) AS x WITH x WHERE x = -1 RETURN count(x) AS n"
    r = client.post("/cypher", json={"query": slow})
    assert r.status_code == 503 and "timeout" in r.json()["detail"]


def test_503_when_no_neo4j_is_configured(mini_store, monkeypatch):
    monkeypatch.delenv("IMPC_KG_NEO4J_URI", raising=False)
    with TestClient(create_app(mini_store, {})) as c:
        r = c.post("/cypher", json={"query": "RETURN 1 AS one"})
    assert r.status_code == 503 and "IMPC_KG_NEO4J_URI" in r.json()["detail"]


def test_503_while_unreachable_then_recovers(mini_store, tmp_path):
    """A Neo4j that is down answers 503; once it is up, the same app answers 200."""
    from tests.neo4j_fixture import require_java
    require_java()
    port = free_loopback_port()
    with TestClient(create_app(mini_store, {"neo4j_uri": f"bolt://127.0.0.1:{port}"})) as c:
        r = c.post("/cypher", json={"query": "RETURN 1 AS one"})
        assert r.status_code == 503 and "not reachable" in r.json()["detail"]
        with EmbeddedNeo4j(tmp_path / "late", port=port):
            r = c.post("/cypher", json={"query": "RETURN 1 AS one"})
            assert r.status_code == 200, r.text
            assert r.json()["rows"] == [{"one": 1}]
