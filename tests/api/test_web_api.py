"""The web front end's JSON helpers and static files on the mini store (no browser: tests/e2e)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app


@pytest.fixture(scope="module")
def client(mini_store):
    with TestClient(create_app(mini_store)) as c:
        yield c


def test_search_labels_synonyms_genes_diseases(client):
    r = client.get("/search", params={"q": "disease b"})
    assert r.status_code == 200
    assert r.json()["results"][0] == {"id": "OMIM:100002", "kind": "disease", "label": "Disease B", "matched": None}
    genes = client.get("/search", params={"q": "aaa", "kind": "gene"}).json()["results"]
    assert [g["id"] for g in genes] == ["MGI:101"]
    body = client.get("/search", params={"q": "body weight", "limit": 3}).json()
    assert 0 < len(body["results"]) <= 3 and all(h["kind"] in ("MP", "HP") for h in body["results"])
    assert body["index"]["entries"] > 0 and body["index"]["build_s"] >= 0
    assert client.get("/search", params={"q": ""}).status_code == 422


def test_search_never_lists_obsolete_terms(client):
    ids = [h["id"] for h in client.get("/search", params={"q": "obsolete", "limit": 50}).json()["results"]]
    assert "MP:0000002" not in ids


def test_gene_calls_grouped_by_system(client):
    body = client.get("/web/genes/MGI:101").json()
    assert body["symbol"] == "Aaa" and body["calls"] == 3
    systems = {s["label"]: s["calls"] for s in body["systems"]}
    assert "growth/size/body region phenotype" in systems
    call = next(iter(systems.values()))[0]
    assert {"p_value", "effect_size", "sex", "zygosity"} <= call.keys()
    assert client.get("/web/genes/MGI:999999999").status_code == 404
    assert client.get("/web/genes/MP:0000001").status_code == 422


def test_term_hierarchy_and_genes(client):
    body = client.get("/web/terms/MP:0005378").json()
    assert body["label"] and body["children"]
    assert any(g["gene"] == "MGI:101" for g in body["genes"])
    child = body["children"][0]["id"]
    assert any(p["id"] == "MP:0005378" for p in client.get(f"/web/terms/{child}").json()["parents"])
    assert client.get("/web/terms/MGI:101").status_code == 422


def test_examples_and_static_files(client):
    ex = {e["name"]: e for e in client.get("/web/examples").json()}
    assert ex["gene_phenotype_calls"]["params"][0] == {"name": "gene", "type": "curie(MGI)"}
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui/"
    page = client.get("/ui/")
    assert page.status_code == 200 and "/static/app.js" in page.text and "http" not in page.text.split("<body>")[0]
    assert client.get("/static/app.js").headers["content-type"].startswith(("application/javascript", "text/javascript"))
    assert client.get("/static/../routes/web.py").status_code == 404
    assert client.get("/static/%2e%2e/routes/web.py").status_code == 404
    assert client.get("/web/config").json()["cypher"] is False
