"""The /cypher refusal rules (kg.cypher.analyse), without a server: what is read, what is refused.

Why here and not only through HTTP: the tokenizer decides what reaches Neo4j, so its
edge cases (keywords inside strings, comments, backticks, property and map keys,
variables named like keywords) are pinned down one by one.
"""

from __future__ import annotations

import pytest

from kg.cypher import CypherRefused, CypherSettings, analyse

READS = [
    "MATCH (g:`biolink:Gene` {id: $id}) RETURN g.name",
    "RETURN 'MATCH (n) DETACH DELETE n' AS s",
    'RETURN "CREATE \\" SET" AS s',
    "MATCH (n) RETURN n.set, n.create, n.delete",           # property keys
    "RETURN {set: 1, merge: 2, load: 3} AS m",               # map keys
    "MATCH (n:`CREATE`) RETURN n",                           # a backticked label
    "MATCH (start)-[r]->(stop) RETURN start, stop",          # variables named like keywords
    "MATCH (n) // DELETE n\nRETURN n /* SET n.x = 1 */",
    "CALL db.labels() YIELD label RETURN label",
    "CALL db.schema.visualization()",
    "MATCH (n) CALL (n) { MATCH (n)-->(m) RETURN count(m) AS k } RETURN n.id, k",
    "UNWIND [1, 2] AS x CALL { WITH x RETURN x * 2 AS y } RETURN y",
    "EXPLAIN MATCH (n) RETURN n",
    "MATCH (n) RETURN n;",
    "MATCH (n) WHERE n.id IN $ids RETURN n",
]

REFUSED = [
    ("CREATE (n)", 403), ("MERGE (n {id: 1})", 403), ("MATCH (n) DELETE n", 403),
    ("MATCH (n) DETACH DELETE n", 403), ("MATCH (n) SET n.x = 1", 403), ("MATCH (n) REMOVE n:X", 403),
    ("MATCH (n) FOREACH (x IN [1] | CREATE (m))", 403), ("LOAD CSV FROM 'file:///x' AS l RETURN l", 403),
    ("CALL dbms.components()", 403), ("CALL db.createLabel('X')", 403), ("CALL gds.graph.drop('g')", 403),
    ("RETURN apoc.text.join(['a'], ',')", 403), ("CALL apoc.load.json('http://x')", 403),
    ("USING PERIODIC COMMIT LOAD CSV FROM 'f' AS l CREATE (n)", 403),
    ("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS", 403),
    ("UNWIND [1] AS x CALL { WITH x RETURN x } IN TRANSACTIONS OF 5 ROWS RETURN x", 403),
    ("SHOW USERS", 403), ("USE system MATCH (n) RETURN n", 403), ("STOP DATABASE neo4j", 403),
    ("TERMINATE TRANSACTIONS 'x'", 403), ("INSERT (n:X)", 403), ("DROP INDEX i", 403),
    ("CREATE INDEX i FOR (n:X) ON (n.id)", 403), ("GRANT ROLE admin TO me", 403),
    ("cReAtE (n)", 403),
    ("RETURN 'unterminated", 400), ("MATCH (n) /* never closed", 400), ("MATCH (n:`oops) RETURN n", 400),
    ("MATCH (n) RETURN n; MATCH (m) RETURN m", 400), ("", 400),
]


@pytest.mark.parametrize("query", READS)
def test_reads_pass(query):
    assert analyse(query) == "read"


@pytest.mark.parametrize("query,status", REFUSED)
def test_writes_and_admin_are_refused(query, status):
    with pytest.raises(CypherRefused) as exc:
        analyse(query)
    assert exc.value.status == status


def test_settings_never_show_the_password():
    s = CypherSettings.from_settings({"neo4j_uri": "bolt://h:1", "neo4j_password": "hunter2"}, env={})
    assert s.auth == ("neo4j", "hunter2") and "hunter2" not in repr(s)
    assert CypherSettings.from_settings({}, env={"IMPC_KG_NEO4J_URI": "bolt://e:2"}).uri == "bolt://e:2"
