"""GET/POST /sparql on the mini store, through the real app (lifespan, routers, workers)."""

from __future__ import annotations

import csv
import io
import json
import time

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app

GENES = "SELECT DISTINCT ?g WHERE { ?g a biolink:Gene ; biolink:in_taxon NCBITaxon:10090 } ORDER BY ?g"
MOUSE = ["http://identifiers.org/MGI:101", "http://identifiers.org/MGI:102",
         "http://identifiers.org/MGI:103", "http://identifiers.org/MGI:104"]


@pytest.fixture(scope="module", params=["process", "thread"])
def client(request, mini_store):
    app = create_app(mini_store, settings={"sparql_isolation": request.param, "sparql_workers": 1})
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def thread_client(mini_store):
    with TestClient(create_app(mini_store, settings={"sparql_isolation": "thread"})) as c:
        yield c


def bindings(r) -> list[dict]:
    assert r.status_code == 200, r.text
    return json.loads(r.content)["results"]["bindings"]


def test_get_post_form_and_post_body_agree(client):
    got_get = bindings(client.get("/sparql", params={"query": GENES}))
    got_form = bindings(client.post("/sparql", data={"query": GENES}))
    got_body = bindings(client.post("/sparql", content=GENES, headers={"content-type": "application/sparql-query"}))
    assert [b["g"]["value"] for b in got_get] == MOUSE
    assert got_get == got_form == got_body


def test_default_graph_is_the_union_and_can_be_narrowed(client):
    q = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g a biolink:Gene }"
    assert bindings(client.get("/sparql", params={"query": q}))[0]["n"]["value"] == "8"  # 4 mouse + 4 human
    only = client.get("/sparql", params=[("query", q), ("default-graph-uri", "https://w3id.org/impc-kg/graph/hpo_genes")])
    assert bindings(only)[0]["n"]["value"] == "3"  # human genes with a disease
    named = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    r = client.get("/sparql", params=[("query", named), ("named-graph-uri", "https://w3id.org/impc-kg/graph/mp")])
    assert [b["g"]["value"] for b in bindings(r)] == ["https://w3id.org/impc-kg/graph/mp"]


@pytest.mark.parametrize("accept,ctype", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("application/json", "application/sparql-results+json"),
    (None, "application/sparql-results+json"),
])
def test_select_formats(client, accept, ctype):
    headers = {"accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": GENES}, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"] == ctype
    assert "Accept" in r.headers["vary"]
    if accept == "text/csv":  # lossy: pyoxigraph does not parse it back; see the next test
        return
    fmt = ox.QueryResultsFormat.from_media_type(ctype.split(";")[0])
    assert [s["g"].value for s in ox.parse_query_results(r.content, fmt)] == MOUSE


def test_csv_is_the_w3c_layout(client):
    r = client.get("/sparql", params={"query": GENES, "format": "csv"})
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows == [["g"]] + [[g] for g in MOUSE]


def test_ask(client):
    r = client.get("/sparql", params={"query": "ASK { MGI:101 biolink:orthologous_to NCBIGene:1001 }"})
    assert r.json() == {"head": {}, "boolean": True}
    r = client.get("/sparql", params={"query": "ASK { MGI:101 biolink:orthologous_to NCBIGene:1002 }"},
                   headers={"accept": "application/sparql-results+xml"})
    assert "<boolean>false</boolean>" in r.text


CONSTRUCT = "CONSTRUCT { ?d rdfs:label ?l } WHERE { ?d a biolink:Disease ; rdfs:label ?l }"


@pytest.mark.parametrize("accept,fmt", [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/n-quads", ox.RdfFormat.N_QUADS), ("application/trig", ox.RdfFormat.TRIG),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML), ("application/ld+json", ox.RdfFormat.JSON_LD),
])
def test_construct_formats(client, accept, fmt):
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    labels = sorted(q.object.value for q in ox.parse(r.content, fmt))
    assert labels == ["Disease A", "Disease B", "Disease C"]


def test_describe_defaults_to_turtle_with_the_graph_prefixes(client):
    r = client.get("/sparql", params={"query": "DESCRIBE MP:0001262"})
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert "@prefix MP: <http://purl.obolibrary.org/obo/MP_> ." in r.text
    assert '"decreased body weight"' in r.text


@pytest.mark.parametrize("kwargs,status,words", [
    ({"params": {"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}}, 403, "read-only"),
    ({"params": {"query": "DELETE WHERE { ?s ?p ?o }"}}, 403, "read-only"),
    ({"params": {"query": "LOAD <http://example.org/x.ttl>"}}, 403, "LOAD"),
    ({"params": {"update": "CLEAR ALL"}}, 403, "update"),
    ({"params": {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}}, 403, "SERVICE"),
    ({"params": {"query": "SELECT * WHERE { ?s ?p }"}}, 400, "syntax error"),
    ({"params": {"query": "hello"}}, 400, "not a SPARQL query"),
    ({"params": {"query": "SELECT * {}"}, "headers": {"accept": "image/png"}}, 406, "text/csv"),
    ({"params": {"query": "SELECT * {}", "format": "ttl"}}, 406, "not available for SELECT"),
])
def test_refusals_and_errors(client, kwargs, status, words):
    r = client.get("/sparql", **kwargs)
    assert r.status_code == status, r.text
    assert words.lower() in r.json()["detail"].lower()


def test_post_update_and_wrong_content_type(client):
    r = client.post("/sparql", content="CLEAR ALL", headers={"content-type": "application/sparql-update"})
    assert r.status_code == 403
    r = client.post("/sparql", data={"update": "DROP ALL"})
    assert r.status_code == 403
    r = client.post("/sparql", content="ASK {}", headers={"content-type": "text/plain"})
    assert r.status_code == 415 and "application/sparql-query" in r.json()["detail"]


def test_store_is_unchanged_after_refused_updates(client):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = bindings(client.get("/sparql", params={"query": q}))[0]["n"]["value"]
    client.post("/sparql", data={"update": "CLEAR ALL"})
    client.get("/sparql", params={"query": "DELETE WHERE { ?s ?p ?o }"})
    assert bindings(client.get("/sparql", params={"query": q}))[0]["n"]["value"] == before


def test_service_description_without_query(client):
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    sd = {(t.predicate.value, t.object.value) for t in ox.parse(r.content, ox.RdfFormat.TURTLE)
          if isinstance(t.object, ox.NamedNode)}
    assert ("http://www.w3.org/ns/sparql-service-description#feature",
            "http://www.w3.org/ns/sparql-service-description#UnionDefaultGraph") in sd


def test_row_cap_and_timeout_from_settings(mini_store):
    settings = {"sparql_max_rows": 3, "sparql_timeout_s": 0.5, "sparql_grace_s": 0.5, "sparql_workers": 1}
    with TestClient(create_app(mini_store, settings=settings)) as c:
        r = c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
        assert r.status_code == 400 and "3 rows" in r.json()["detail"]
        assert c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 3"}).status_code == 200
        t0 = time.monotonic()
        r = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
        assert r.status_code == 503 and "timeout" in r.json()["detail"]
        assert time.monotonic() - t0 < 5
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200  # the pool recovered


def test_timeout_from_the_environment(mini_store, monkeypatch):
    monkeypatch.setenv("IMPC_KG_SPARQL_MAX_ROWS", "2")
    with TestClient(create_app(mini_store, settings={"sparql_isolation": "thread"})) as c:
        r = c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
        assert r.status_code == 400 and "2 rows" in r.json()["detail"]


def test_openapi_documents_the_endpoint(thread_client):
    paths = thread_client.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/sparql"])
