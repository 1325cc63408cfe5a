"""Exports on the mini store: N-Quads round-trip, KGX and neo4j-admin CSV shapes."""

from __future__ import annotations

import csv
import gzip

import pyoxigraph as ox
from typer.testing import CliRunner

from kg.cli import app
from kg.store.oxigraph_store import OxigraphStore


def test_rdf_export_round_trips_with_named_graphs(mini_store, tmp_path):
    out = tmp_path / "kg.nq.gz"
    res = CliRunner().invoke(app, ["export", "rdf", "--out", str(out), "--store", str(mini_store)])
    assert res.exit_code == 0, res.output
    src = OxigraphStore.open(mini_store).store
    copy = ox.Store()
    copy.load(gzip.decompress(out.read_bytes()), format=ox.RdfFormat.N_QUADS)
    assert len(copy) == len(src)
    assert {g.value for g in copy.named_graphs()} == {g.value for g in src.named_graphs()}


def test_kgx_export(mini_store, tmp_path):
    res = CliRunner().invoke(app, ["export", "kgx", "--out", str(tmp_path), "--store", str(mini_store)])
    assert res.exit_code == 0, res.output
    nodes = list(csv.DictReader(open(tmp_path / "nodes.tsv"), delimiter="\t"))
    edges = list(csv.DictReader(open(tmp_path / "edges.tsv"), delimiter="\t"))
    by_id = {n["id"]: n for n in nodes}
    assert by_id["MGI:101"]["category"].split("|")[0] == "biolink:Gene"
    assert "biolink:NamedThing" in by_id["MGI:101"]["category"].split("|")
    assert by_id["MODEL:MGI_1101_hom"]["zygosity"] == "homozygote"
    calls = [e for e in edges if e["category"] == "biolink:GenotypeToPhenotypicFeatureAssociation"]
    assert len(calls) == 8  # 7 CSV rows + 1 API row, each one edge with its statistics
    weight = [e for e in calls if e["subject"] == "MODEL:MGI_1101_hom" and e["object"] == "MP:0001262"]
    assert len(weight) == 1 and float(weight[0]["p_value"]) == 1e-8 and weight[0]["sex"] == "male"
    negated = [e for e in edges if e.get("negated") == "true"]
    assert [(e["subject"], e["object"]) for e in negated] == [("OMIM:100001", "HP:0004324")]
    assert any(e["predicate"] == "biolink:subclass_of" and e["subject"] == "MP:0001262"
               and e["object"] == "MP:0001259" for e in edges)


def test_neo4j_csv_export_header(mini_store, tmp_path):
    res = CliRunner().invoke(app, ["export", "neo4j", "--out", str(tmp_path), "--store", str(mini_store)])
    assert res.exit_code == 0, res.output
    nodes = list(csv.reader(open(tmp_path / "nodes.csv")))
    edges = list(csv.reader(open(tmp_path / "edges.csv")))
    assert nodes[0][:2] == ["id:ID", ":LABEL"]
    assert edges[0][:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert "p_value:double" in edges[0] and "negated:boolean" in edges[0]
    gene = next(r for r in nodes[1:] if r[0] == "MGI:101")
    assert gene[1].split(";")[0] == "biolink:Gene"
    types = {r[2] for r in edges[1:]}
    assert {"biolink:has_phenotype", "biolink:orthologous_to", "biolink:subclass_of"} <= types
