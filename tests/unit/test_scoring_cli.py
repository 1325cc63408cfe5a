"""`kg rank`, `kg match`, `kg explain`, `kg export-scores` on a store holding the tiny index."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli.app import app
from kg.scoring import ScoringIndex, save_index, service

_spec = importlib.util.spec_from_file_location("scoring_tiny_cli", Path(__file__).with_name("test_scoring.py"))
tiny = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tiny)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli") / "store"
    build = root / "builds" / "b1"
    build.mkdir(parents=True)
    (build / "manifest.json").write_text("{}")
    os.symlink("builds/b1", root / "current")
    idx = ScoringIndex.build(tiny.make_corpus(), tiny.CFG)
    save_index(idx, build / "scoring")
    return root


runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_rank_tsv_and_json(store):
    r = run("rank", "OMIM:100001", "--store", store, "--format", "tsv")
    assert r.exit_code == 0, r.output
    rows = [l for l in r.stdout.splitlines() if l and not l.startswith("#")]
    assert rows[0].split("\t")[:2] == ["rank", "model_id"] and len(rows) > 2
    r = run("rank", "OMIM:100001", "--store", store, "--format", "json", "--known-only")
    body = json.loads(r.stdout)
    assert body["results"] and all(x["known_gene"] for x in body["results"])
    assert body["provenance"]["mapping_sets"] == ["tiny"]
    r = run("rank", "OMIM:100001", "--store", store)
    assert r.exit_code == 0 and "MODEL:" in r.stdout


def test_rank_unknown_disease(store):
    r = run("rank", "OMIM:999", "--store", store)
    assert r.exit_code == 1 and "OMIM:999" in r.output


def test_match_terms_and_phenopacket(store, tmp_path):
    r = run("match", "HP:0000301", "HP:0000202", "--store", store, "--format", "json")
    assert r.exit_code == 0, r.output
    a = json.loads(r.stdout)
    pp = tmp_path / "p.json"
    pp.write_text(json.dumps({"phenotypicFeatures": [{"type": {"id": "HP:0000301"}},
                                                     {"type": {"id": "HP:0000202"}},
                                                     {"type": {"id": "HP:0000101"}, "excluded": True}]}))
    r = run("match", "--phenopacket", pp, "--store", store, "--format", "json")
    assert json.loads(r.stdout)["results"] == a["results"]
    assert run("match", "MP:0000001", "--store", store).exit_code == 2


def test_explain(store):
    r = run("explain", "OMIM:100003", "MODEL:a2_hom", "--store", store)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["disease_to_model"]


def test_export_tsv(store, tmp_path):
    out = tmp_path / "all.tsv"
    r = run("export-scores", "--store", store, "--out", out, "--min-score", "10")
    assert r.exit_code == 0, r.output
    lines = out.read_text().splitlines()
    assert lines[0].startswith("# ontology_versions")
    rows = list(csv.DictReader((l for l in lines if not l.startswith("#")), delimiter="\t"))
    assert rows and all(float(x["overall"]) >= 10 for x in rows)
    from kg.scoring import load_scoring_index
    idx = load_scoring_index(store / "current" / "scoring")
    want = [r_ for r_ in service.export_all(idx, min_score=10)]
    assert len(rows) == len(want)
    assert {(x["disease_id"], x["model_id"]) for x in rows} == {(w["disease_id"], w["model_id"]) for w in want}


def test_export_parquet(store, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "all.parquet"
    r = run("export-scores", "--store", store, "--out", out)
    assert r.exit_code == 0, r.output
    t = pq.read_table(out)
    assert t.num_rows > 0 and "semsimian_score" in t.column_names
    assert b"provenance" in t.schema.metadata


def test_no_scoring_tables(tmp_path):
    r = run("rank", "OMIM:1", "--store", tmp_path / "none")
    assert r.exit_code == 2
