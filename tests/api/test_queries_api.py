"""GET /queries and GET /queries/{name} on the mini store (answers: tests/unit/test_sparql_queries.py)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app


@pytest.fixture(scope="module", params=["process", "thread"])
def client(request, mini_store):
    with TestClient(create_app(mini_store, settings={"sparql_isolation": request.param,
                                                     "sparql_workers": 1})) as c:
        yield c


def test_list(client):
    r = client.get("/queries")
    assert r.status_code == 200
    by_name = {q["name"]: q for q in r.json()["queries"]}
    assert {"genes_for_phenotype", "gene_phenotype_calls", "disease_phenocopies", "unmapped_mp_terms",
            "gene_phenotype_systems", "orphan_knockout_genes"} <= set(by_name)
    g = by_name["genes_for_phenotype"]
    assert g["title"] and g["question"] and g["examples"][0].startswith("/queries/genes_for_phenotype?")
    params = {p["name"]: p for p in g["parameters"]}
    assert params["term"] == {"name": "term", "type": "curie", "required": True, "default": None,
                              "description": params["term"]["description"], "prefixes": ["MP"]}
    assert params["sex"]["choices"] == ["male", "female", "both"] and params["sex"]["required"] is False


def test_run_with_parameters(client):
    r = client.get("/queries/genes_for_phenotype", params={"term": "MP:0005367", "centre": "TCP"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["query"] == "genes_for_phenotype" and body["count"] == 1
    assert body["parameters"] == {"term": "MP:0005367", "centre": "TCP"}
    assert body["columns"][:4] == ["term", "gene", "symbol", "calls"]
    assert body["rows"] == [{"term": "MP:0005367", "gene": "MGI:102", "symbol": "Bbb", "calls": 2,
                             "best_p_value": 2e-05, "phenotypes": "MP:0002135", "sex": None, "zygosity": None,
                             "p_value_max": None, "centre": "TCP"}]


def test_defaults_are_applied_and_shown(client):
    body = client.get("/queries/unmapped_mp_terms").json()
    assert body["parameters"] == {"via": "any", "min_calls": 1}
    assert [r["phenotype"] for r in body["rows"]] == ["MP:0011100"]


def test_every_example_runs(client):
    for q in client.get("/queries").json()["queries"]:
        for example in q["examples"]:
            r = client.get(example)
            assert r.status_code == 200, (example, r.text)


@pytest.mark.parametrize("how", ["param", "accept"])
def test_tsv(client, how):
    if how == "param":
        r = client.get("/queries/gene_phenotype_systems", params={"gene": "MGI:101", "format": "tsv"})
    else:
        r = client.get("/queries/gene_phenotype_systems", params={"gene": "MGI:101"},
                       headers={"accept": "text/tab-separated-values"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/tab-separated-values")
    lines = [line for line in r.text.splitlines() if not line.startswith("# ")]
    assert lines[0].split("\t") == ["gene", "system", "system_label", "calls", "phenotypes", "phenotype_ids"]
    assert lines[1].split("\t") == ["MGI:101", "MP:0005378", "growth/size/body region phenotype", "2", "1",
                                    "MP:0001262"]
    assert "# parameters: gene=MGI:101" in r.text


def test_sparql_text_of_a_query(client):
    r = client.get("/queries/gene_phenotype_calls/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-query")
    assert "# title:" in r.text and "SELECT" in r.text


def test_unknown_query_is_404(client):
    r = client.get("/queries/nope")
    assert r.status_code == 404 and "genes_for_phenotype" in r.json()["detail"]
    assert client.get("/queries/nope/sparql").status_code == 404


@pytest.mark.parametrize("name,params,words", [
    ("genes_for_phenotype", {}, "missing required parameter 'term'"),
    ("genes_for_phenotype", {"term": "MP:1", "bogus": "1"}, "unknown parameter 'bogus'"),
    ("genes_for_phenotype", {"term": "MGI:101"}, "expected a CURIE with prefix MP"),
    ("genes_for_phenotype", {"term": "MP:0001259", "zygosity": "hom"}, "expected one of homozygote"),
    ("genes_for_phenotype", {"term": "MP:0001259", "p_value_max": "0.05%"}, "expected a number"),
    ("unmapped_mp_terms", {"min_calls": "many"}, "expected an integer"),
    ("gene_phenotype_calls", {"gene": "MGI:101", "format": "xlsx"}, "format must be json or tsv"),
])
def test_bad_parameters_are_422_with_the_reason(client, name, params, words):
    r = client.get(f"/queries/{name}", params=params)
    assert r.status_code == 422, r.text
    assert words in r.json()["detail"]


def test_named_queries_obey_the_row_cap(mini_store):
    with TestClient(create_app(mini_store, settings={"sparql_max_rows": 2, "sparql_isolation": "thread"})) as c:
        r = c.get("/queries/genes_for_phenotype", params={"term": "MP:0000001"})
        assert r.status_code == 400 and "2 rows" in r.json()["detail"]
