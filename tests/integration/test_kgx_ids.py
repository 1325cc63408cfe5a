"""KGX edge ids are unique, also for an IMPC call that two source graphs describe (issue 4).

Why a fixture of its own: an IMPC call is identified by a hash of its facts (gene, allele,
term, zygosity, sex, centre, procedure, p-value, ...), so the release CSV and the API JSON
give one association IRI for one call, while the metadata outside the hash (procedure and
parameter names, top-level terms) may differ. The property graph keeps one edge per
graph (no value dropped), and KGX needs one id per edge line. The mini mirror has no
such call (its API row differs by life stage), so this test copies it and adds one.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter

import pytest
from typer.testing import CliRunner

from kg import property_graph as pg
from kg.cli import app
from kg.store.oxigraph_store import OxigraphStore
from tests.conftest import MINI_MIRROR

#: one call in both sources: every hashed field equal, procedure/parameter names and the
#: top-level term differ (the API spells them its own way)
CSV_ROW = ("MGI:102,Bbb,TCP,,male,heterozygote,MGI:1102,Bbb<tm1b>,targeted mutation 1b,,,DTCC,DTCC,"
           "TCP Pipeline,TCP_001,IMPC_CSD_001,Combined SHIRPA and Dysmorphology,IMPC_CSD_001_001,Body weight,"
           "MP:0005378,growth/size/body region phenotype,MP:0001262,decreased body weight,1.0E-4,,-0.8,,\n")
API_HIT = {"mgiGeneAccessionId": "MGI:102", "pipelineStableId": "TCP_001", "procedureStableId": "IMPC_CSD_001",
           "procedureName": "SHIRPA", "parameterStableId": "IMPC_CSD_001_001", "parameterName": "Weight (g)",
           "alleleAccessionId": "MGI:1102", "alleleName": "targeted mutation 1b", "alleleSymbol": "Bbb<tm1b>",
           "zygosity": "heterozygote", "phenotypingCentre": "TCP", "sex": "male", "projectName": "DTCC",
           "pValue": 1.0e-4, "effectSize": -0.8, "phenotype": {"id": "MP:0001262", "name": "decreased body weight"},
           "topLevelPhenotypes": [{"id": "MP:0001259", "name": "abnormal body weight"}]}


@pytest.fixture(scope="module")
def dup_store(tmp_path_factory):
    """The mini mirror plus one call present in both the CSV and the API JSON, built."""
    from kg.build import build
    base = tmp_path_factory.mktemp("dupcall")
    mirror = base / "mirror"
    shutil.copytree(MINI_MIRROR, mirror)
    with open(mirror / "impc" / "genotype-phenotype-assertions-ALL.csv", "a") as fh:
        fh.write(CSV_ROW)
    api = mirror / "impc" / "api_mocks" / "genes" / "MGI_102.phenotype-hits.json"
    api.write_text(json.dumps(json.loads(api.read_text()) + [API_HIT], indent=1))
    root = base / "store"
    build(root, data_dir=mirror, allow_download=False, log=lambda m: None)
    return root


def _tsv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_the_fixture_has_one_call_in_two_graphs(dup_store):
    """The premise: one association id, two edges (one per graph) with their own metadata."""
    _, edges = pg.read(OxigraphStore.open(dup_store))
    counts = Counter(e.id for e in edges)
    shared = [i for i, n in counts.items() if n > 1]
    assert len(shared) == 1 and shared[0].startswith("ASSOC:impc-")
    pair = sorted((e for e in edges if e.id == shared[0]), key=lambda e: e.properties["provided_by"])
    assert [e.properties["provided_by"] for e in pair] == [["impc"], ["impc_api"]]
    assert [e.properties["procedure_name"] for e in pair] == ["Combined SHIRPA and Dysmorphology", "SHIRPA"]


def test_kgx_edge_and_node_ids_are_unique(dup_store, tmp_path):
    res = CliRunner().invoke(app, ["export", "kgx", "--out", str(tmp_path), "--store", str(dup_store)])
    assert res.exit_code == 0, res.output
    nodes, edges = _tsv(tmp_path / "nodes.tsv"), _tsv(tmp_path / "edges.tsv")
    assert [i for i, n in Counter(e["id"] for e in edges).items() if n > 1] == []
    assert [i for i, n in Counter(n["id"] for n in nodes).items() if n > 1] == []
    # the two descriptions of the call are both there, each id naming its graph
    _, pg_edges = pg.read(OxigraphStore.open(dup_store))
    shared = next(i for i, n in Counter(e.id for e in pg_edges).items() if n > 1)
    both = sorted((e for e in edges if e["id"].startswith(shared)), key=lambda e: e["provided_by"])
    assert [(e["id"], e["provided_by"], e["parameter_name"]) for e in both] == [
        (f"{shared}{pg.EDGE_ID_SOURCE_SEP}impc", "impc", "Body weight"),
        (f"{shared}{pg.EDGE_ID_SOURCE_SEP}impc_api", "impc_api", "Weight (g)")]
    # a call described once keeps its association id as it is
    single = [e for e in edges if e["category"] == "biolink:GenotypeToPhenotypicFeatureAssociation"
              and not e["id"].startswith(shared)]
    assert len(single) == 8 and all(e["id"].startswith("ASSOC:impc-") and pg.EDGE_ID_SOURCE_SEP not in e["id"]
                                    for e in single)


def test_kgx_ids_are_stable_across_exports(dup_store, tmp_path):
    ids = []
    for out in (tmp_path / "a", tmp_path / "b"):
        res = CliRunner().invoke(app, ["export", "kgx", "--out", str(out), "--store", str(dup_store)])
        assert res.exit_code == 0, res.output
        ids.append([e["id"] for e in _tsv(out / "edges.tsv")])
    assert ids[0] == ids[1]


def test_unique_edge_ids_keeps_single_ids_and_qualifies_shared_ones():
    e = [pg.Edge("ASSOC:a", "S", "biolink:has_phenotype", "O", {"provided_by": ["impc"]}),
         pg.Edge("ASSOC:a", "S", "biolink:has_phenotype", "O", {"provided_by": ["impc_api"]}),
         pg.Edge("ASSOC:b", "S", "biolink:has_phenotype", "O", {"provided_by": ["impc"]})]
    sep = pg.EDGE_ID_SOURCE_SEP
    assert pg.unique_edge_ids(e) == [f"ASSOC:a{sep}impc", f"ASSOC:a{sep}impc_api", "ASSOC:b"]
    # the order of the edges does not change an edge's id
    assert pg.unique_edge_ids(e[::-1]) == ["ASSOC:b", f"ASSOC:a{sep}impc_api", f"ASSOC:a{sep}impc"]
    # never two equal ids, even for two edges of one id from one graph (the reading makes none)
    twins = [pg.Edge("ASSOC:c", "S", "p", "O", {"provided_by": ["hpoa"]}) for _ in range(2)]
    ids = pg.unique_edge_ids(twins + e)
    assert len(set(ids)) == len(ids) == 5 and all(i.startswith(f"ASSOC:c{sep}hpoa") for i in ids[:2])


#: Biolink 4 KnowledgeLevelEnum and AgentTypeEnum (biolink-model 4.4.6)
KNOWLEDGE_LEVELS = {"knowledge_assertion", "logical_entailment", "prediction", "statistical_association",
                    "text_co_occurrence", "observation", "not_provided"}
AGENT_TYPES = {"manual_agent", "automated_agent", "data_analysis_pipeline", "computational_model",
               "text_mining_agent", "image_processing_agent", "manual_validation_of_automated_agent",
               "not_provided"}


def test_kgx_rows_are_what_the_biolink_validator_asks_for(mini_store, tmp_path):
    """What `kgx validate` flagged in the export before (bench/RESULTS.md, "kgx validation")."""
    res = CliRunner().invoke(app, ["export", "kgx", "--out", str(tmp_path), "--store", str(mini_store)])
    assert res.exit_code == 0, res.output
    nodes, edges = _tsv(tmp_path / "nodes.tsv"), _tsv(tmp_path / "edges.tsv")
    # an id is one value: never the list separator in it
    assert [e["id"] for e in edges if "|" in e["id"]] == []
    sub = next(e for e in edges if e["predicate"] == "biolink:subclass_of" and e["subject"] == "MP:0001262"
               and e["object"] == "MP:0001259")
    assert sub["id"] == "MP:0001262--biolink:subclass_of->MP:0001259"
    # categories: the class and its ancestors, no mixin, no abstract root
    gene = next(n for n in nodes if n["id"] == "MGI:101")
    assert gene["category"].split("|") == ["biolink:Gene", "biolink:BiologicalEntity", "biolink:NamedThing"]
    mixins = {"biolink:Entity", "biolink:ThingWithTaxon", "biolink:GenomicEntity", "biolink:GeneOrGeneProduct",
              "biolink:PhysicalEssence"}
    assert [n["id"] for n in nodes if mixins & set(n["category"].split("|"))] == []
    # required association slots, with Biolink enum values
    assert {e["knowledge_level"] for e in edges} <= KNOWLEDGE_LEVELS
    assert {e["agent_type"] for e in edges} <= AGENT_TYPES
    calls = [e for e in edges if e["category"] == "biolink:GenotypeToPhenotypicFeatureAssociation"]
    assert {(e["knowledge_level"], e["agent_type"]) for e in calls} == {("statistical_association",
                                                                       "data_analysis_pipeline")}
    # mapping predicates become Biolink ones, the source's kept
    maps = [e for e in edges if e["category"] == "sssom:Mapping"]
    assert maps and all(e["predicate"].startswith("biolink:") and e["original_predicate"] for e in maps)
    exact = [e for e in maps if e["original_predicate"] == "skos:exactMatch"]
    assert exact and {e["predicate"] for e in exact} == {"biolink:exact_match"}
    manual = [e for e in maps if e["mapping_justification"] == "semapv:ManualMappingCuration"]
    assert manual and {(e["knowledge_level"], e["agent_type"]) for e in manual} == {("knowledge_assertion",
                                                                                    "manual_agent")}
    # only the obsolete-term bookkeeping keeps a predicate outside Biolink (listed in RESULTS.md)
    assert {e["predicate"] for e in edges if not e["predicate"].startswith("biolink:")} == {
        "IAO:0100001", "oboInOwl:consider"}
