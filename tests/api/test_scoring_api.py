"""The PhenoDigm endpoints: on the tiny hand-made index (router alone), and through the real
app and lifespan on the mini store build."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routes.scoring import router
from kg.scoring import ScoringIndex

_spec = importlib.util.spec_from_file_location(
    "scoring_tiny", Path(__file__).resolve().parents[1] / "unit" / "test_scoring.py")
tiny = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tiny)


@pytest.fixture(scope="module")
def index():
    return ScoringIndex.build(tiny.make_corpus(), tiny.CFG)


@pytest.fixture(scope="module")
def client(index):
    app = FastAPI()
    app.include_router(router)
    app.state.scoring = index
    with TestClient(app) as c:
        yield c


def assert_provenance(body):
    p = body["provenance"]
    assert p["mapping_sets"] == ["tiny"] and p["ic_corpus"] == "annotations"
    assert p["ontology_versions"] == {"MP": "test-mp", "HP": "test-hp"} and p["min_ic"] == 1.0


def test_disease_models_ranked(client, index):
    r = client.get("/diseases/OMIM:100001/models")
    assert r.status_code == 200, r.text
    body = r.json()
    assert_provenance(body)
    rows = body["results"]
    assert body["total"] == len(rows) > 0
    assert [x["rank"] for x in rows] == list(range(1, len(rows) + 1))
    assert [x["overall"] for x in rows] == sorted((x["overall"] for x in rows), reverse=True)
    top = rows[0]
    for f in ("model_id", "gene_id", "gene_symbol", "allele_id", "zygosity", "life_stage", "max_raw",
              "max_norm", "avg_raw", "avg_norm", "overall", "semsimian_score", "known_gene", "evidence"):
        assert f in top
    a1 = {x["model_id"]: x for x in rows}["MODEL:a1_hom"]
    assert a1["known_gene"] is True and a1["evidence"] == "curated"
    assert a1["overall"] == pytest.approx((a1["max_norm"] + a1["avg_norm"]) / 2)
    assert {x["evidence"] for x in rows} == {"curated", "predicted"}


def test_disease_models_filters_and_pages(client):
    allrows = client.get("/diseases/OMIM:100001/models").json()["results"]
    known = client.get("/diseases/OMIM:100001/models?known_gene_only=true").json()["results"]
    novel = client.get("/diseases/OMIM:100001/models?novel_only=true").json()["results"]
    assert {x["model_id"] for x in known} | {x["model_id"] for x in novel} == {x["model_id"] for x in allrows}
    assert all(x["known_gene"] for x in known) and not any(x["known_gene"] for x in novel)
    het = client.get("/diseases/OMIM:100001/models?zygosity=heterozygote").json()["results"]
    assert het and all(x["zygosity"] == "heterozygote" for x in het)
    page = client.get("/diseases/OMIM:100001/models?limit=1&offset=1").json()
    assert page["total"] == len(allrows) and [x["model_id"] for x in page["results"]] == [allrows[1]["model_id"]]
    assert page["results"][0]["rank"] == 2
    cut = allrows[1]["overall"]
    high = client.get(f"/diseases/OMIM:100001/models?min_score={cut}").json()["results"]
    assert all(x["overall"] >= cut for x in high) and len(high) >= 2
    assert client.get("/diseases/OMIM:100001/models?known_gene_only=true&novel_only=true").status_code == 422


def test_disease_models_tsv(client):
    r = client.get("/diseases/OMIM:100001/models?format=tsv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/tab-separated-values")
    lines = r.text.splitlines()
    assert lines[0].startswith("# ontology_versions: MP=test-mp")
    assert any(l.startswith("# mapping_sets: tiny") for l in lines)
    header = [l for l in lines if not l.startswith("#")][0].split("\t")
    assert header[:3] == ["rank", "model_id", "gene_id"] and "semsimian_score" in header


def test_errors(client):
    r = client.get("/diseases/OMIM:999999/models")
    assert r.status_code == 404 and "OMIM:999999" in r.json()["detail"]
    assert client.get("/diseases/not-an-id/models").status_code == 422
    assert client.get("/diseases/MGI:1/models").status_code == 422  # wrong kind of id
    assert client.get("/models/MODEL:nope/diseases").status_code == 404
    assert client.get("/models/OMIM:1/diseases").status_code == 422
    assert client.get("/genes/MGI:999/diseases").status_code == 404
    assert client.get("/genes/HP:1/diseases").status_code == 422
    assert client.get("/diseases/OMIM:100001/models/MODEL:nope/explain").status_code == 404
    assert client.get("/diseases/OMIM:100001/models?limit=0").status_code == 422


def test_empty_profiles_are_200_with_reason(client):
    for d in ("OMIM:100004", "OMIM:100006"):
        body = client.get(f"/diseases/{d}/models").json()
        assert body["results"] == [] and body["total"] == 0 and body["reason"]
        assert_provenance(body)
    body = client.post("/match", json={"hpo_ids": ["HP:9999999"]}).json()
    assert body["results"] == [] and "no usable" in body["reason"] and body["unknown_terms"] == ["HP:9999999"]
    body = client.post("/match", json=["HP:0000400"]).json()
    assert body["results"] == [] and "cross-species" in body["reason"]


def test_model_and_gene_diseases(client, index):
    body = client.get("/models/MODEL:a1_hom/diseases").json()
    assert_provenance(body)
    assert body["gene_symbol"] == "G1" and body["query_terms"] == ["MP:0000004", "MP:0000011"]
    rows = {x["disease_id"]: x for x in body["results"]}
    assert rows["OMIM:100001"]["known_gene"] is True and rows["OMIM:100001"]["evidence"] == "curated"
    g = client.get("/genes/MGI:1/diseases").json()
    assert g["models"] == ["MODEL:a1_het", "MODEL:a1_hom"]
    best = {x["disease_id"]: x for x in g["results"]}
    # each disease's row is the better of the gene's two models
    for d, row in best.items():
        per_model = [client.get(f"/models/{m}/diseases?limit=10000").json()["results"] for m in g["models"]]
        overall = max(({x["disease_id"]: x["overall"] for x in rows_}.get(d, 0.0) for rows_ in per_model))
        assert row["overall"] == pytest.approx(overall)
    tsv = client.get("/genes/MGI:1/diseases?format=tsv").text
    assert "\tmodel_id\t" in tsv


def test_match_hpo_ids_and_phenopacket(client):
    a = client.post("/match", json={"hpo_ids": ["HP:0000301", "HP:0000202"]}).json()
    b = client.post("/match", json={"id": "p1", "phenotypicFeatures": [
        {"type": {"id": "HP:0000301", "label": "Hyperactivity"}},
        {"type": {"id": "HP:0000202"}},
        {"type": {"id": "HP:0000101"}, "excluded": True}]}).json()
    c = client.post("/match", json=["HP:0000301", "HP:0000202"]).json()
    assert a["results"] and a["results"] == b["results"] == c["results"]
    assert b["excluded_terms"] == ["HP:0000101"]
    assert a["results"][0]["model_id"] == "MODEL:a2_hom"
    assert a["results"][0]["known_gene"] is None
    assert_provenance(a)
    assert client.post("/match", json={"hpo_ids": ["MP:0000001"]}).status_code == 422
    assert client.post("/match", json={"hpo_ids": ["bad id"]}).status_code == 422
    assert client.post("/match", json={"nothing": 1}).status_code == 422
    tsv = client.post("/match?format=tsv", json=["HP:0000301"]).text.splitlines()
    assert tsv[0].startswith("# ") and any(line.startswith("1\tMODEL:") for line in tsv)


def test_explain(client):
    body = client.get("/diseases/OMIM:100003/models/MODEL:a2_hom/explain").json()
    assert_provenance(body)
    pair = [p for p in body["disease_to_model"] if p["hp_id"] == "HP:0000301"][0]
    assert pair["mp_id"] == "MP:0000021" and pair["mica_id"] == "HP:0000301" and pair["simj"] == 1.0
    assert set(pair) >= {"hp_label", "mp_label", "mica_label", "ic", "score"}
    assert body["scores"]["overall"] > 0 and body["known_gene"] is False
    assert {p["mp_id"] for p in body["model_to_disease"]} == {"MP:0000012", "MP:0000021"}


def test_no_scoring_tables_is_503():
    app = FastAPI()
    app.include_router(router)
    app.state.scoring = None
    with TestClient(app) as c:
        assert c.get("/diseases/OMIM:1/models").status_code == 503


# -- through the real app (lifespan loads BUILD/scoring) -------------------------------------
def test_real_app_serves_scoring(mini_store):
    from api.app import create_app
    with TestClient(create_app(mini_store)) as c:
        idx = c.app.state.scoring
        if idx is None:
            pytest.skip("the mini build has no scoring tables")
        d = idx.disease_ids[0]
        r = c.get(f"/diseases/{d}/models")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["provenance"]["ic_corpus"] == "annotations" and "ontology_versions" in body["provenance"]
        assert body["results"] or body["reason"]  # the mini corpus is too small for IC >= 2.5
        assert c.get("/diseases/OMIM:999999/models").status_code == 404
        m = idx.model_ids[0]
        assert c.get(f"/models/{m}/diseases").status_code == 200
