"""POST /mappings/validate on the mini store, through the real app and lifespan (no mocks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "mappings_validate_mini.sssom.tsv"
TSV = {"content-type": "text/tab-separated-values"}


@pytest.fixture(scope="module")
def client(mini_store):
    with TestClient(create_app(mini_store)) as c:
        yield c


def _files(build: Path):
    return sorted((p.relative_to(build), p.stat().st_mtime_ns, p.stat().st_size)
                  for p in build.rglob("*") if p.is_file())


def test_raw_body_json_report(client):
    r = client.post("/mappings/validate?filename=cases.sssom.tsv", content=CASES.read_bytes(), headers=TSV)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["file"] == "cases.sssom.tsv" and body["rows_read"] == 11 and body["rows_unreadable"] == 1
    assert body["checks"] == ["structure", "ids", "labels", "cardinality", "hierarchy", "agreement", "coverage"]
    assert body["counts"]["ids"]["by_code"] == {"obsolete": 1, "alt_id": 1, "unknown_id": 1}
    assert body["counts"]["cardinality"]["flags"] == 1
    assert body["summaries"]["coverage"]["worklist"][0]["mp"] == "MP:0002135"
    assert "build_dir" not in body["store"] and body["store"]["build_id"]
    assert not any("/tmp" in str(f["message"]) for f in body["flags"])


def test_multipart_upload_and_check_selection(client):
    r = client.post("/mappings/validate?checks=2,3", files={"file": ("mine.tsv", CASES.read_bytes(), "text/plain")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["file"] == "mine.tsv" and body["checks"] == ["ids", "labels"]
    assert {f["check"] for f in body["flags"]} == {"ids", "labels"}


def test_sssom_and_markdown_formats(client):
    r = client.post("/mappings/validate?format=sssom&min_severity=error", content=CASES.read_bytes(), headers=TSV)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/tab-separated-values")
    rows = [ln for ln in r.text.splitlines() if not ln.startswith("#")]
    assert rows[0].split("\t")[0] == "subject_id"
    assert [ln.split("\t")[-1].split(":")[0] for ln in rows[1:]] == ["line 12", "line 13", "line 14", "line 16"]
    md = client.post("/mappings/validate?format=markdown", content=CASES.read_bytes(), headers=TSV)
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "## 7. coverage" in md.text


def test_impact_is_optional(client):
    r = client.post("/mappings/validate?checks=1&impact=true&replaces=mgi_curated&max_diseases=5",
                    content=CASES.read_bytes(), headers=TSV)
    assert r.status_code == 200, r.text
    s = r.json()["summaries"]["impact"]
    assert s["replaces"] == "mgi_curated" and s["diseases"] == 3


@pytest.mark.parametrize("content,needle,line", [
    (b"subject_id\tobject_id\nMP:1\tHP:1\n", "missing required column", 1),
    (b"#curie_map: [\n#  - x\nsubject_id\tpredicate_id\tobject_id\n", "not YAML", 2),
])
def test_malformed_tsv_is_422_with_the_line(client, content, needle, line):
    r = client.post("/mappings/validate?filename=bad.tsv", content=content, headers=TSV)
    assert r.status_code == 422
    d = r.json()["detail"]
    assert d["line"] == line and d["file"] == "bad.tsv" and needle in d["message"]


@pytest.mark.parametrize("url,kwargs,status,needle", [
    ("/mappings/validate", {"content": b"  \n"}, 422, "empty upload"),
    ("/mappings/validate?checks=9", {"content": CASES.read_bytes()}, 422, "unknown check"),
    ("/mappings/validate?format=xml", {"content": CASES.read_bytes()}, 422, ""),
    ("/mappings/validate", {"files": {"other": (None, "x")}}, 422, "no file"),
    ("/mappings/validate?checks=8&replaces=pistoia", {"content": CASES.read_bytes()}, 422, "not an active"),
])
def test_bad_requests(client, url, kwargs, status, needle):
    r = client.post(url, **kwargs)
    assert r.status_code == status
    assert needle in r.text


def test_body_size_limit(mini_store):
    with TestClient(create_app(mini_store, settings={"mappings_max_upload_bytes": 500})) as c:
        r = c.post("/mappings/validate", content=CASES.read_bytes(), headers=TSV)
        assert r.status_code == 413 and "limit of 500 bytes" in r.text
        def chunks():  # no content-length: the cap applies while reading
            for _ in range(10):
                yield CASES.read_bytes()[:100]
        r = c.post("/mappings/validate", content=chunks(), headers=TSV)
        assert r.status_code == 413 and "over the limit of 500 bytes" in r.text
        small = b"subject_id\tpredicate_id\tobject_id\nMP:0001262\tskos:exactMatch\tHP:0004325\n"
        assert c.post("/mappings/validate", content=small, headers=TSV).status_code == 200


def test_validation_never_writes_to_the_store(client, mini_store):
    build = (mini_store / "current").resolve()
    before = _files(build)
    for fmt in ("json", "sssom"):
        assert client.post(f"/mappings/validate?format={fmt}", content=CASES.read_bytes(),
                           headers=TSV).status_code == 200
    assert _files(build) == before


def test_openapi_documents_the_upload(client):
    op = client.get("/openapi.json").json()["paths"]["/mappings/validate"]["post"]
    assert set(op["requestBody"]["content"]) == {"text/tab-separated-values", "multipart/form-data"}
