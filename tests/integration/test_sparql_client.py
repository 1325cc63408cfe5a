"""A real SPARQL client over real HTTP, and the named queries on the real graph.

1. SPARQLWrapper against `kg serve` started in a subprocess on a free loopback port
   (uvicorn, worker processes, the whole stack), on the mini store.
2. (integration: ../shared/data) every named query on the full real graph returns
   plausible rows for its examples.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg import vocab

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(mini_store):
    port = free_port()
    env = dict(os.environ, IMPC_KG_SPARQL_WORKERS="1", IMPC_KG_SPARQL_TIMEOUT="5")
    proc = subprocess.Popen([sys.executable, "-c", "from kg.cli import app; app()", "serve", "--store", str(mini_store),
                             "--port", str(port)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("kg serve exited:\n" + proc.stdout.read().decode())
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("kg serve did not come up")
            time.sleep(0.2)
    yield base + "/sparql"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def client(endpoint: str, query: str, fmt=JSON, method=None) -> SPARQLWrapper:
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    if method:
        sw.setMethod(method)
    return sw


LABELS = """PREFIX biolink: <https://w3id.org/biolink/vocab/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?d ?label WHERE { ?d a biolink:Disease ; rdfs:label ?label } ORDER BY ?label"""


@pytest.mark.parametrize("method", [None, POST])
def test_select_json(endpoint, method):
    res = client(endpoint, LABELS, JSON, method).query().convert()
    assert [b["label"]["value"] for b in res["results"]["bindings"]] == ["Disease A", "Disease B", "Disease C"]


def test_select_xml_and_csv(endpoint):
    doc = client(endpoint, LABELS, XML).query().convert()  # a DOM
    assert [n.firstChild.data for n in doc.getElementsByTagName("literal")] == ["Disease A", "Disease B", "Disease C"]
    text = client(endpoint, LABELS, CSV).query().convert().decode()
    assert text.splitlines()[0] == "d,label" and "Disease B" in text


def test_ask_and_construct(endpoint):
    ask = client(endpoint, "PREFIX biolink: <https://w3id.org/biolink/vocab/>\n"
                           "ASK { ?g biolink:orthologous_to ?h }").query().convert()
    assert ask["boolean"] is True
    body = client(endpoint, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o "
                            "FILTER(?s = <http://purl.obolibrary.org/obo/MP_0001262>) }", TURTLE).query().convert()
    g = rdflib.Graph().parse(data=body, format="turtle")
    assert {str(o) for o in g.objects(predicate=rdflib.RDFS.label)} == {"decreased body weight"}


def test_update_is_refused(endpoint):
    sw = client(endpoint, "INSERT DATA { <http://a> <http://b> <http://c> }")
    sw.setMethod(POST)  # SPARQLWrapper sends it as an update= form
    with pytest.raises(urllib.error.HTTPError) as exc:  # SPARQLWrapper maps 401 but not 403
        sw.query()
    assert exc.value.code == 403 and b"read-only" in exc.value.read()


def test_malformed_query_is_bad_formed(endpoint):
    with pytest.raises(QueryBadFormed):
        client(endpoint, "SELECT * WHERE { ?s ?p }").query()


def test_named_query_over_http(endpoint):
    base = endpoint.rsplit("/", 1)[0]
    with urllib.request.urlopen(base + "/queries/gene_phenotype_systems?gene=MGI:102&format=tsv") as r:
        rows = [line.split("\t") for line in r.read().decode().splitlines() if not line.startswith("#")]
    assert [row[1] for row in rows[1:]] == ["MP:0005367", "MP:0010768"]


# -- the real graph ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real(real_store):
    from kg.store.oxigraph_store import OxigraphStore
    return OxigraphStore.open(real_store).store


def run_real(real, name, params):
    from kg import queries
    return queries.run_on_store(real, name, params).rows


@pytest.mark.integration
def test_real_genes_for_phenotype(real):
    rows = run_real(real, "genes_for_phenotype", {"term": "MP:0001259"})
    assert len(rows) > 100  # abnormal body weight: one of the commonest IMPC findings
    assert all(r["calls"] >= 1 and r["gene"].startswith("MGI:") for r in rows)
    assert [r["calls"] for r in rows] == sorted((r["calls"] for r in rows), reverse=True)
    # descendants are included: the term itself is rarely used, its children are
    assert any("MP:0001262" in r["phenotypes"] for r in rows)
    narrow = run_real(real, "genes_for_phenotype", {"term": "MP:0001259", "p_value_max": "1e-4"})
    assert 0 < len(narrow) < len(rows) and all(r["best_p_value"] <= 1e-4 for r in narrow)


@pytest.mark.integration
def test_real_gene_phenotype_calls(real):
    rows = run_real(real, "gene_phenotype_calls", {"gene": "MGI:1860086"})  # Crlf3
    assert len(rows) >= 20
    with_p = [r["p_value"] for r in rows if r["p_value"] is not None]
    assert with_p and with_p == sorted(with_p)  # p-values first, ascending
    assert {r["source"] for r in rows} >= {"impc"} and all(r["phenotype"].startswith("MP:") for r in rows)
    assert all(r["phenotype_label"] for r in rows)


@pytest.mark.integration
def test_real_disease_phenocopies(real):
    rows = run_real(real, "disease_phenocopies", {"gene": "MGI:97490"})  # Pax6: aniridia, coloboma
    assert rows and all(r["human_symbol"] == "PAX6" for r in rows)
    assert any("MP:0001297=HP:0000568" in r["matches"] for r in rows)  # microphthalmia
    cyp = run_real(real, "disease_phenocopies", {"gene": "MGI:1098274", "via": "curated"})  # Cyp27b1: rickets
    assert any("rickets" in (r["disease_name"] or "").lower() for r in cyp)


@pytest.mark.integration
def test_real_unmapped_mp_terms(real):
    rows = run_real(real, "unmapped_mp_terms", {"min_calls": "20"})
    assert 20 < len(rows) < 660 and all(r["calls"] >= 20 for r in rows)
    curated = run_real(real, "unmapped_mp_terms", {"via": "curated", "min_calls": "20"})
    assert len(curated) > len(rows)  # fewer terms have a curated mapping than any mapping
    assert {r["phenotype"] for r in rows} <= {r["phenotype"] for r in curated}


@pytest.mark.integration
def test_real_gene_phenotype_systems(real):
    rows = run_real(real, "gene_phenotype_systems", {"gene": "MGI:1931838"})  # Dbn1
    assert 5 <= len(rows) <= 28 and rows[0]["calls"] >= rows[-1]["calls"]
    assert all(r["system_label"].endswith("phenotype") or r["system"] == "MP:0010768" for r in rows)


@pytest.mark.integration
def test_real_orphan_knockout_genes(real):
    rows = run_real(real, "orphan_knockout_genes", {"system": "MP:0005367", "min_phenotypes": "2"})
    assert rows and all(r["human_gene"].startswith("NCBIGene:") and r["phenotypes"] >= 2 for r in rows)
    assert all(r["human_symbol"] and r["mouse_symbol"] and r["system"] == "MP:0005367" for r in rows)
    for r in rows[:20]:  # really no disease, really calls under the system
        human = vocab.expand(r["human_gene"])
        assert not real.query(f"ASK {{ <{human}> <{vocab.BIOLINK}gene_associated_with_condition> ?d }}",
                              use_default_graph_as_union=True)
    everything = run_real(real, "orphan_knockout_genes", {})
    assert len(everything) > 1000 and everything[0]["phenotypes"] >= everything[-1]["phenotypes"]
