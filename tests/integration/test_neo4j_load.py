"""`kg load neo4j` on the mini store into the real embedded Neo4j: complete, idempotent, Monarch-style.

Why these checks: Monarch once lost phenotype edges between its KG and Neo4j without
noticing (monarch-app#1116). Here the load is verified against the property-graph
reading per label, relationship type and association category, a second load must
leave the same graph, and a deliberately lost edge must be reported.
"""

from __future__ import annotations

import pytest
from neo4j import GraphDatabase
from typer.testing import CliRunner

from kg import property_graph as pg
from kg.cli import app
from kg.store.neo4j_store import KEY_LABEL, expected_counts, verify
from kg.store.oxigraph_store import OxigraphStore
from tests.neo4j_graph import load_store, mini_neo4j  # noqa: F401  (a fixture)

pytestmark = pytest.mark.neo4j


def _graph(server):
    with GraphDatabase.driver(server.uri, auth=server.auth) as d:
        labels = {r["label"]: d.execute_query(f"MATCH (n:`{r['label']}`) RETURN count(n) AS n").records[0]["n"]
                  for r in d.execute_query("CALL db.labels() YIELD label").records}
        types = {r["t"]: d.execute_query(f"MATCH ()-[x:`{r['t']}`]->() RETURN count(x) AS n").records[0]["n"]
                 for r in d.execute_query("CALL db.relationshipTypes() YIELD relationshipType AS t").records}
        props = d.execute_query("MATCH ()-[r]->() RETURN r.id AS id, r.provided_by AS src, properties(r) AS p "
                                "ORDER BY id, src").records
    return ({k: v for k, v in labels.items() if v}, {k: v for k, v in types.items() if v},
            [(r["id"], tuple(r["src"]), sorted(r["p"].items())) for r in props])


def test_load_is_complete(mini_neo4j, mini_store):
    server, report = mini_neo4j
    assert report.ok, report.differences
    nodes, edges = pg.read(OxigraphStore.open(mini_store))
    labels, types, cats = expected_counts(nodes, edges)
    assert report.found_labels == dict(labels) and report.found_types == dict(types)
    assert report.nodes == len(nodes) == labels[KEY_LABEL] == 52
    assert report.relationships == len(edges) == sum(types.values()) == 79
    assert cats == {"biolink:GenotypeToPhenotypicFeatureAssociation": 8,
                    "biolink:DiseaseToPhenotypicFeatureAssociation": 8, "sssom:Mapping": 10}


def test_second_load_is_idempotent(mini_neo4j, mini_store):
    server, _ = mini_neo4j
    before = _graph(server)
    again = load_store(mini_store, server.uri, server.auth)
    assert again.ok, again.differences
    assert _graph(server) == before


def test_monarch_style_cypher_returns_the_calls_with_statistics(mini_neo4j):
    server, _ = mini_neo4j
    with GraphDatabase.driver(server.uri, auth=server.auth) as d:
        rows = d.execute_query(
            "MATCH (m:`biolink:Genotype`)-[r:`biolink:has_phenotype`]->(p:`biolink:PhenotypicFeature`) "
            "MATCH (m)-[:`biolink:has_gene_or_gene_product`]->(g:`biolink:Gene`) "
            "RETURN g.symbol AS gene, m.id AS model, p.id AS phenotype, r.p_value AS p_value, "
            "       r.sex AS sex, r.zygosity AS zygosity ORDER BY model, phenotype, sex").records
    calls = [dict(r) for r in rows]
    assert len(calls) == 8  # 7 CSV rows + 1 API row, as in the KGX export
    weight = [c for c in calls if c["model"] == "MODEL:MGI_1101_hom" and c["phenotype"] == "MP:0001262"]
    assert weight == [{"gene": "Aaa", "model": "MODEL:MGI_1101_hom", "phenotype": "MP:0001262",
                       "p_value": 1e-8, "sex": "male", "zygosity": "homozygote"}]
    # the two fixture rows without a p-value stay without one (no 0, no NaN invented)
    assert sorted(c["model"] for c in calls if c["p_value"] is None) == [
        "MODEL:gene_MGI_103_het", "MODEL:gene_MGI_103_hom"]


def test_inheritance_and_negation_keep_their_meaning(mini_neo4j):
    server, _ = mini_neo4j
    with GraphDatabase.driver(server.uri, auth=server.auth) as d:
        moi = d.execute_query("MATCH (:`biolink:Disease` {id: 'OMIM:100001'})-[:`biolink:has_mode_of_inheritance`]->(h) "
                              "RETURN h.id AS id").records
        neg = d.execute_query("MATCH (d)-[r:`biolink:has_phenotype` {negated: true}]->(h) "
                              "RETURN d.id AS d, h.id AS h").records
    assert [r["id"] for r in moi] == ["HP:0000007"]
    assert [(r["d"], r["h"]) for r in neg] == [("OMIM:100001", "HP:0004324")]


def test_a_lost_edge_is_reported_and_a_reload_restores_it(mini_neo4j, mini_store):
    server, _ = mini_neo4j
    nodes, edges = pg.read(OxigraphStore.open(mini_store))
    with GraphDatabase.driver(server.uri, auth=server.auth) as d:
        lost = d.execute_query("MATCH (m:`biolink:Genotype`)-[r:`biolink:has_phenotype`]->() "
                               "WITH r, r.id AS id ORDER BY id LIMIT 1 DELETE r RETURN id").records[0]["id"]
        report = verify(d, nodes, edges)
    assert not report.ok
    assert report.differences[:2] == [
        "relationship type biolink:has_phenotype: expected 21, Neo4j has 20",
        "association category biolink:GenotypeToPhenotypicFeatureAssociation: expected 8, Neo4j has 7"]
    assert report.missing_relationship_ids == [lost]
    assert load_store(mini_store, server.uri, server.auth).ok


def test_cli_load_reports_and_never_prints_the_password(mini_neo4j, mini_store, monkeypatch):
    server, _ = mini_neo4j
    monkeypatch.setenv("IMPC_KG_NEO4J_PASSWORD", "s3cret-not-needed")  # auth is off: ignored by Neo4j
    res = CliRunner().invoke(app, ["load", "neo4j", "--uri", server.uri, "--store", str(mini_store),
                                   "--no-progress"])
    # the embedded test server has auth disabled; Neo4j accepts any credentials then
    assert res.exit_code == 0, res.output
    assert "verified" in res.output and "52 nodes and 79 relationships" in res.output
    assert "s3cret" not in res.output


def test_cli_load_unreachable_neo4j_exits_2(mini_store):
    from kg.store.neo4j_launcher import free_loopback_port
    res = CliRunner().invoke(app, ["load", "neo4j", "--uri", f"bolt://127.0.0.1:{free_loopback_port()}",
                                   "--store", str(mini_store), "--no-progress"])
    assert res.exit_code == 2 and "cannot reach Neo4j" in res.output


def test_stale_entities_are_reported_and_replace_removes_them(mini_neo4j, mini_store):
    server, _ = mini_neo4j
    with GraphDatabase.driver(server.uri, auth=server.auth) as d:
        d.execute_query("CREATE (:`biolink:Entity`:`biolink:Gene` {id: 'MGI:STALE', category: 'biolink:Gene'})")
    again = load_store(mini_store, server.uri, server.auth)
    assert "label biolink:Gene: expected 8, Neo4j has 9" in again.differences
    res = CliRunner().invoke(app, ["load", "neo4j", "--uri", server.uri, "--store", str(mini_store),
                                   "--no-progress", "--replace"])
    assert res.exit_code == 0, res.output
    assert load_store(mini_store, server.uri, server.auth).ok
