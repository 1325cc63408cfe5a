"""GET /health and GET /entities/{curie} on the mini store, through the real app and lifespan."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app


@pytest.fixture(scope="module")
def client(mini_store):
    with TestClient(create_app(mini_store)) as c:
        yield c


def test_health_names_versions_and_counts(client):
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["versions"]["mp"] == "releases/2025-01-01/mp.obo"
    assert body["versions"]["hpoa"] == "2025-01-16"
    assert body["counts"]["biolink:Disease"] == 3


@pytest.mark.parametrize("curie,category,label", [
    ("MGI:101", "biolink:Gene", "Aaa"),
    ("MGI:1101", "biolink:SequenceVariant", "Aaa<tm1>"),
    ("MODEL:MGI_1101_hom", "biolink:Genotype", "Aaa<tm1> homozygote"),
    ("MP:0001262", "biolink:PhenotypicFeature", "decreased body weight"),
    ("OMIM:100001", "biolink:Disease", "Disease A"),
    ("NCBIGene:1001", "biolink:Gene", "AAA"),
])
def test_entity_with_neighbours(client, curie, category, label):
    r = client.get(f"/entities/{curie}")
    assert r.status_code == 200, r.text
    e = r.json()
    assert (e["id"], e["category"], e["label"]) == (curie, category, label)
    assert e["neighbours"], "every fixture entity has direct neighbours"


def test_model_neighbours_are_its_allele_gene_and_phenotypes(client):
    e = client.get("/entities/MODEL:MGI_1101_hom").json()
    out = {(n["predicate"], n["id"]) for n in e["neighbours"] if n["direction"] == "out"}
    assert ("biolink:has_sequence_variant", "MGI:1101") in out
    assert ("biolink:has_gene_or_gene_product", "MGI:101") in out
    assert ("biolink:has_phenotype", "MP:0001262") in out
    assert ("biolink:has_phenotype", "MP:0003622") in out
    labels = {n["id"]: n["label"] for n in e["neighbours"]}
    assert labels["MP:0003622"] == "ischuria"
    assert e["properties"]["kgv:zygosity"] == ["homozygote"]


def test_gene_links_orthologue(client):
    e = client.get("/entities/MGI:101").json()
    assert any(n["predicate"] == "biolink:orthologous_to" and n["id"] == "NCBIGene:1001"
               for n in e["neighbours"])


def test_unknown_id_is_404(client):
    r = client.get("/entities/MGI:999999")
    assert r.status_code == 404
    assert "MGI:999999" in r.json()["detail"]


@pytest.mark.parametrize("bad", ["MGI-101", "nonsense", "FOO:1", "MP:"])
def test_malformed_curie_is_422(client, bad):
    r = client.get(f"/entities/{bad}")
    assert r.status_code == 422
    assert "detail" in r.json()
