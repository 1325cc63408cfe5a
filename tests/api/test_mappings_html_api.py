"""POST /mappings/validate answers the HTML report to a client that asks for text/html (issue 5).

Through the real app on the mini store (no mocks); the same page checks as the CLI test.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.mappings import negotiate
from kg.mappings import load_context, validate
from kg.store.oxigraph_store import OxigraphStore
from tests.html_page import parse
from tests.unit.test_mappings_html import check_page, evil_cases

TSV = {"content-type": "text/tab-separated-values"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(mini_store):
    with TestClient(create_app(mini_store)) as c:
        yield c


@pytest.fixture(scope="module")
def upload(tmp_path_factory):
    return evil_cases(tmp_path_factory.mktemp("html-api"))


def _post(client, upload, query="", **headers):
    return client.post(f"/mappings/validate?filename=cases.sssom.tsv{query}", content=upload.read_bytes(),
                       headers={**TSV, **headers})


@pytest.mark.parametrize("accept", ["text/html", BROWSER])
def test_accept_text_html_gives_the_page(client, upload, mini_store, accept):
    r = _post(client, upload, accept=accept)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html") and r.headers["vary"] == "Accept"
    report = validate(upload, load_context(OxigraphStore.open(mini_store)), name="cases.sssom.tsv")
    check_page(r.text, report)
    assert "Mapping validation: cases.sssom.tsv" in parse(r.text).text


def test_format_html_and_format_wins_over_accept(client, upload):
    r = _post(client, upload, "&format=html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert parse(r.text).errors == [] and "&lt;script&gt;" in r.text
    r = _post(client, upload, "&format=json", accept="text/html")
    assert r.headers["content-type"].startswith("application/json") and r.json()["rows_read"] == 11


@pytest.mark.parametrize("accept,kind", [
    ("*/*", "application/json"), ("application/json", "application/json"), ("image/png", "application/json"),
    ("text/markdown", "text/markdown"), ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/html;q=0.5, application/json", "application/json"),
])
def test_other_accept_headers_keep_their_format(client, upload, accept, kind):
    r = _post(client, upload, accept=accept)
    assert r.status_code == 200 and r.headers["content-type"].startswith(kind)
    assert r.headers["vary"] == "Accept"


def test_errors_stay_json_for_a_browser(client):
    r = client.post("/mappings/validate", content=b"subject_id\tobject_id\nMP:1\tHP:1\n",
                    headers={**TSV, "accept": BROWSER})
    assert r.status_code == 422 and r.json()["detail"]["line"] == 1


def test_negotiate():
    assert negotiate(BROWSER) == "html"
    assert negotiate("application/xhtml+xml") == "html"
    assert negotiate("text/html;q=0, */*") == "json"
    assert negotiate("text/*;q=0.9, text/markdown") == "markdown"
    assert negotiate("") == negotiate(None) == "json"


def test_openapi_documents_the_html_answer(client):
    op = client.get("/openapi.json").json()["paths"]["/mappings/validate"]["post"]
    assert {"application/json", "text/html", "text/markdown", "text/tab-separated-values"} <= set(
        op["responses"]["200"]["content"])
    fmt = next(p for p in op["parameters"] if p["name"] == "format")
    assert "html" in str(fmt["schema"])
