"""The full build from ../shared/data: `kg stats` agrees with counts taken straight from the raw files.

The raw counts here are computed with plain text scans, independently of the loaders.
"""

from __future__ import annotations

import csv
import gzip
import io
import json

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.store.oxigraph_store import OxigraphStore

pytestmark = pytest.mark.integration


def _text(path):
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8")


@pytest.fixture(scope="module")
def stats(real_store):
    res = CliRunner().invoke(app, ["stats", "--store", str(real_store), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _live_terms(text: str) -> int:
    stanzas = text.split("\n[")
    terms = [s for s in stanzas if s.startswith("Term]")]
    return sum(1 for s in terms if "\nis_obsolete: true" not in s)


def test_live_mp_and_hp_terms(stats, data_dir):
    per = stats["counts"]["per_source"]
    mp_live = per["mp"]["owl:Class"] - per["mp"]["obsolete terms"]
    hp_live = per["hp"]["owl:Class"] - per["hp"]["obsolete terms"]
    assert mp_live == _live_terms(_text(data_dir / "mp" / "mp.obo.gz")) == 14451
    assert hp_live == _live_terms(_text(data_dir / "hpo" / "hp.obo.gz"))


def test_hpoa_diseases_and_not_annotations(stats, data_dir):
    rows = [line.split("\t") for line in _text(data_dir / "hpo" / "phenotype.hpoa.gz").splitlines()
            if line and not line.startswith("#") and not line.startswith("database_id")]
    diseases = {r[0] for r in rows}
    assert stats["counts"]["per_source"]["hpoa"]["biolink:Disease"] == len(diseases)
    distinct_not = {tuple(r) for r in rows if r[2] == "NOT"}
    # every NOT row is kept (as a negated annotation): distinct NOT rows = negated associations
    assert stats["counts"]["negated_annotations"] == len(distinct_not) > 0


def test_impc_genes_and_calls(stats, data_dir, real_store):
    text = _text(data_dir / "impc" / "reconstructed" / "genotype-phenotype-reconstructed.csv.gz")
    rows = list(csv.DictReader(io.StringIO(text)))
    genes = {r["marker_accession_id"] for r in rows}
    assert len(genes) > 6000
    store = OxigraphStore.open(real_store)
    got = store.select("""SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {
        GRAPH <https://w3id.org/impc-kg/graph/impc> { ?c kgv:gene ?g } }""")[0]["n"]
    assert got == len(genes)
    distinct_calls = {(r["marker_accession_id"], r["zygosity"], r["mp_term_id"], r["effect_size"])
                      for r in rows}
    assert stats["counts"]["per_source"]["impc"]["biolink:GenotypeToPhenotypicFeatureAssociation"] \
        == len(distinct_calls)


def test_orthology_pairs(stats, data_dir):
    pairs = set()
    for line in _text(data_dir / "mgi" / "HMD_HumanPhenotype.rpt").splitlines():
        f = line.split("\t")
        if len(f) >= 4 and f[1].strip():
            pairs.add((f[3], f[1]))
    assert stats["counts"]["edges"]["mgi_orthology"]["biolink:orthologous_to"] == len(pairs)


def test_every_source_is_named_with_its_version(stats):
    src = stats["sources"]
    assert src["mp"]["version"] == "releases/2025-08-27/mp.obo"
    assert src["hp"]["version"] == "hp/releases/2025-01-16"
    assert src["hpoa"]["version"] == "2025-01-16"
    for name in ("impc", "impc_api", "mgi_orthology", "hpoa", "hpo_genes", "mgi_mp_hp_curated",
                 "upheno_species_independent", "upheno_lexical"):
        assert src[name]["used"] > 0, name
        assert len(src[name]["sha256"]) == 64


def test_recount_agrees_with_manifest(real_store, stats):
    res = CliRunner().invoke(app, ["stats", "--store", str(real_store), "--json", "--recount"])
    assert json.loads(res.stdout)["counts"] == stats["counts"]
