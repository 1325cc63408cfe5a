"""Every loader on the real files of ../shared/data (or $IMPC_KG_DATA_DIR).

Counts are recomputed here from the raw files with plain text scans (not with the
loaders' code) and, where PROVENANCE.md states them, also checked against its
numbers. Real files must load with zero problems, except where a real row is bad;
each such case is asserted and explained below.

Timing guards are deliberately loose (a regression to quadratic behaviour, not a
benchmark); the measured times are in the loaders' report.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import time
from collections import Counter
from pathlib import Path

import pytest

from kg.model import (DiseaseGene, DiseasePhenotype, MappingSetInfo, OntologyHeader,
                      OntologyTerm, Orthology, PhenotypeCall, SourceVersion, TermMapping)
from kg.report import BuildReport
from loaders import (hpo_genes, hpoa, impc_api, impc_csv, mgi_covid, mgi_orthology, obo, sssom,
                     upheno_bestmatches)

pytestmark = pytest.mark.integration


def _data_dir() -> Path | None:
    env = os.environ.get("IMPC_KG_DATA_DIR")
    p = Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "data"
    return p if p.is_dir() else None


DATA = _data_dir()
if DATA is None:
    pytest.skip("real data folder (../shared/data or $IMPC_KG_DATA_DIR) not present",
                allow_module_level=True)



def need(rel: str) -> Path:
    p = DATA / rel
    if not p.exists():
        pytest.skip(f"{rel} not in {DATA}")
    return p


def text_lines(p: Path) -> list[str]:
    raw = gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
    return raw.decode("utf-8").splitlines()


def load(module, path: Path):
    report = BuildReport()
    t0 = time.perf_counter()
    recs = list(module.load(path, report))
    return recs, report, time.perf_counter() - t0


# --- ontologies ----------------------------------------------------------------------

@pytest.mark.parametrize("rel,prefix,version,n_terms,n_obsolete", [
    ("mp/mp.obo.gz", "MP", "releases/2025-08-27/mp.obo", 14905, 454),
    ("hpo/hp.obo.gz", "HP", "hp/releases/2025-01-16", None, None),
])
def test_obo(rel, prefix, version, n_terms, n_obsolete):
    p = need(rel)
    recs, report, secs = load(obo, p)
    assert not report.problems
    lines = text_lines(p)
    head, terms = recs[0], recs[1:]
    assert isinstance(head, OntologyHeader) and (head.prefix, head.data_version) == (prefix, version)
    assert all(isinstance(t, OntologyTerm) for t in terms)
    assert len(terms) == sum(line == "[Term]" for line in lines)
    assert sum(t.obsolete for t in terms) == sum(line == "is_obsolete: true" for line in lines)
    # every is_a / synonym / alt_id / replaced_by line of a [Term] stanza is kept (no Typedef
    # in MP/HP has these tags)
    assert sum(len(t.parents) for t in terms) == sum(line.startswith("is_a: ") for line in lines)
    assert sum(len(t.synonyms) for t in terms) == sum(line.startswith("synonym: ") for line in lines)
    assert sum(len(t.alt_ids) for t in terms) == sum(line.startswith("alt_id: ") for line in lines)
    assert sum(len(t.replaced_by) for t in terms) == sum(
        line.startswith("replaced_by: ") for line in lines)
    # origin lines point at the term's id line
    for t in terms[:: max(1, len(terms) // 50)]:
        assert lines[t.origin.line - 1] == f"id: {t.id}"
    if n_terms is not None:  # PROVENANCE.md numbers
        assert (len(terms), sum(t.obsolete for t in terms)) == (n_terms, n_obsolete)
        assert sum(len(t.parents) for t in terms) == 18995
        assert sum(len(t.synonyms) for t in terms) == 29969
        assert Counter(s for t in terms for s in t.subsets)["IMPC"] == 756
    if prefix == "HP":
        ids = {t.id for t in terms}
        assert {"HP:0000001", "HP:0000118"} <= ids


# --- IMPC ------------------------------------------------------------------------------

def test_impc_reconstructed():
    p = need("impc/reconstructed/genotype-phenotype-reconstructed.csv.gz")
    calls, report, secs = load(impc_csv, p)
    assert not report.problems
    rows = list(csv.reader(text_lines(p)))
    assert rows[0] == list(impc_csv.COLUMNS)
    assert len(calls) == len(rows) - 1 == 42528  # PROVENANCE: 42,528 rows
    # PROVENANCE says 6,749 genes; the file itself has 6,748 distinct marker_accession_id
    assert len({c.gene_id for c in calls}) == len({r[0] for r in rows[1:]}) == 6748
    assert all(isinstance(c, PhenotypeCall) and c.p_value is None for c in calls)
    assert Counter(c.zygosity for c in calls) == Counter(r[5] for r in rows[1:])


def test_impc_sample():
    p = need("impc/ALL_genotype_phenotype_sample.csv")
    calls, report, _ = load(impc_csv, p)
    assert not report.problems and len(calls) == 6  # PROVENANCE: 1 header + 6 rows
    assert calls[0].percentage_change == -18.02


def test_impc_test_extract_has_explained_bad_rows():
    """The Exomiser extract (no header) holds two kinds of real rows the graph cannot use as is.

    - 124 Histopathology rows (parameter '... - MPATH process/diagnostic term') have an
      EMPTY mp_term_id: the call is annotated with an MPATH term, which the 28-column
      file does not carry. They are reported (mp_term_id, skipped).
    - 14 EuroPhenome rows have the placeholder allele id 'NULL-B95772D5C': the calls are
      kept without an allele and a warning is reported.
    """
    p = need("impc/ALL_genotype_phenotype_test.csv.gz")
    calls, report, _ = load(impc_csv, p)
    rows = list(csv.reader(text_lines(p)))
    assert len(rows) == 204 and all(len(r) == 28 for r in rows)  # PROVENANCE: 204 rows, no header
    no_mp = [i for i, r in enumerate(rows, 1) if not r[21]]
    placeholder = [i for i, r in enumerate(rows, 1) if r[6].startswith("NULL-") and r[21]]
    assert all("MPATH" in rows[i - 1][18] for i in no_mp)
    assert len(calls) == 204 - len(no_mp) == 80
    skipped = [(pr.line, pr.field) for pr in report.problems if pr.action == "skipped"]
    warned = [(pr.line, pr.field) for pr in report.problems if pr.action == "warning"]
    assert skipped == [(i, "mp_term_id") for i in no_mp] and len(no_mp) == 124
    assert warned == [(i, "allele_accession_id") for i in placeholder] and len(placeholder) == 14
    assert Counter(c.resource_name for c in calls)["EuroPhenome"] == 14


def test_impc_api_phenotype_hits():
    d = need("impc/api_mocks/genes")
    calls, report, _ = load(impc_api, d)
    assert not report.problems
    expected = 0
    for f in sorted(d.glob("*.phenotype-hits.json.gz")):
        expected += len(json.loads(gzip.decompress(f.read_bytes())))
    assert len(calls) == expected == 192  # PROVENANCE: 192 significant calls
    assert Counter(c.gene_id for c in calls)["MGI:1931838"] == 93  # Dbn1
    assert {c.life_stage for c in calls} >= {"Early adult", "E18.5"}
    # 12 Gls2 (MGI:2143539) Histopathology calls carry an MPATH term as their 'phenotype':
    # CURIEs, so the loader keeps them; whether a term is in MP is the builder's check
    prefixes = Counter(c.mp_term_id.split(":")[0] for c in calls)
    assert prefixes == {"MP": 180, "MPATH": 12}


# --- orthology -------------------------------------------------------------------------

def test_hmd():
    p = need("mgi/HMD_HumanPhenotype.rpt")
    pairs, report, secs = load(mgi_orthology, p)
    assert not report.problems
    lines = text_lines(p)
    assert len(pairs) == len(lines) == 29597  # PROVENANCE: 29,597 rows, none bad
    assert all(isinstance(o, Orthology) for o in pairs)
    assert len({o.mouse_gene_id for o in pairs}) == 20120  # PROVENANCE: 20,120 MGI ids
    assert {o.human_gene_id for o in pairs} == {"NCBIGene:" + line.split("\t")[1] for line in lines}


def test_hom_extract():
    p = need("mgi/HOM_MouseHumanSequence_test.rpt")
    pairs, report, _ = load(mgi_orthology, p)
    assert not report.problems
    groups: dict[str, Counter] = {}
    for line in text_lines(p)[1:]:
        cells = line.split("\t")
        groups.setdefault(cells[0], Counter())[cells[2]] += 1
    expected = sum(c["10090"] * c["9606"] for c in groups.values())
    assert len(pairs) == expected == 13


# --- HPO annotations -------------------------------------------------------------------

def test_hpoa():
    p = need("hpo/phenotype.hpoa.gz")
    recs, report, secs = load(hpoa, p)
    assert not report.problems
    lines = text_lines(p)
    assert recs[0] == SourceVersion("hpoa", "2025-01-16", recs[0].origin)
    rows = recs[1:]
    assert all(isinstance(r, DiseasePhenotype) for r in rows)
    data = [line for line in lines if not line.startswith("#")][1:]
    assert len(lines) == 271707 and len(rows) == len(data) == 271702
    n_not = sum(line.split("\t")[2] == "NOT" for line in data)
    assert sum(r.negated for r in rows) == n_not == 711  # NOT rows kept, flagged
    by_prefix = Counter(r.disease_id.split(":")[0] for r in rows)
    assert by_prefix == {"OMIM": 156446, "ORPHA": 114960, "DECIPHER": 296}  # PROVENANCE
    # PROVENANCE (after the file's #description: 8359 + 47 + 4283) says 12,689 diseases;
    # the rows hold 12,687 distinct database_id values
    assert len({r.disease_id for r in rows}) == len({line.split("\t")[0] for line in data}) == 12687
    assert {r.sex for r in rows} == {None, "male", "female"}


def test_genes_to_phenotype():
    p = need("hpo/genes_to_phenotype.txt.gz")
    genes, report, secs = load(hpo_genes, p)
    assert not report.problems
    lines = text_lines(p)
    assert len(lines) == 316590  # PROVENANCE
    pairs = {(c[0], c[5]) for c in (line.split("\t") for line in lines[1:])}
    assert all(isinstance(g, DiseaseGene) for g in genes)
    assert {(g.gene_id.removeprefix("NCBIGene:"), g.disease_id) for g in genes} == pairs
    assert len(genes) == len(pairs)


# --- mappings --------------------------------------------------------------------------

SSSOM_FILES = [  # file, rows per PROVENANCE.md
    ("mappings/mh_mapping_initiative/mp_hp_mgi_all.sssom.tsv", 1564),
    ("mappings/mh_mapping_initiative/mp_hp_mgi_lex.tsv", 3557),
    ("mappings/mh_mapping_initiative/mp_hp_pistoia.sssom.tsv", 1671),
    ("mappings/mh_mapping_initiative/mp_hp_eye_impc.sssom.tsv", 47),
    ("mappings/mh_mapping_initiative/mp_hp_hwt_impc.sssom.tsv", 6),
    ("mappings/mh_mapping_initiative/mp_hp_owt_impc.sssom.tsv", 33),
    ("mappings/mh_mapping_initiative/mp_hp_pat_impc.sssom.tsv", 188),
    ("mappings/mh_mapping_initiative/mp_hp_xry_impc.sssom.tsv", 57),
    ("mappings/mgi/MP_HP_upper_level_SSSOM.tsv", 106),
    ("mappings/upheno/upheno-species-independent.sssom.tsv", 32087),
    ("mappings/upheno/upheno-species-independent-eq.sssom.tsv", 21953),
    ("mappings/upheno/upheno-species-independent-manual.sssom.tsv", 3884),
    # PROVENANCE says 15,016 rows: that count includes the header line (15,015 data rows)
    ("mappings/upheno/upheno-lexical.sssom.tsv", 15015),
]


@pytest.mark.parametrize("rel,n_rows", SSSOM_FILES)
def test_sssom(rel, n_rows):
    p = need(rel)
    recs, report, _ = load(sssom, p)
    assert not report.problems
    lines = text_lines(p)
    body = [line for line in lines if not line.startswith("#") and line.strip()]
    assert isinstance(recs[0], MappingSetInfo)
    mappings = recs[1:]
    assert all(isinstance(m, TermMapping) for m in mappings)
    assert len(mappings) == len(body) - 1 == n_rows
    header = body[0].split("\t")
    i = header.index("predicate_id")
    assert Counter(m.predicate_id for m in mappings) == Counter(
        line.split("\t")[i].strip() for line in body[1:])
    if any(line.startswith("#") for line in lines):
        assert recs[0].curie_map and recs[0].license


def test_sssom_mgi_all_predicates_and_metadata():
    p = need("mappings/mh_mapping_initiative/mp_hp_mgi_all.sssom.tsv")
    recs, _, _ = load(sssom, p)
    assert recs[0].license == "https://creativecommons.org/licenses/by/4.0/"
    assert Counter(m.predicate_id for m in recs[1:]) == {  # PROVENANCE
        "skos:exactMatch": 625, "skos:broadMatch": 438, "skos:narrowMatch": 335,
        "skos:relatedMatch": 159, "skos:closeMatch": 7}
    assert all(m.subject_id.startswith("MP:") and m.object_id.startswith("HP:") for m in recs[1:])


def test_mgi_covid():
    """355 data rows; 268 carry both an MP and an HP id. One of those (line 331, Priapism
    MP:0003415 / HP:0200023) has no MP-to-HPO match type: reported and skipped."""
    p = need("mappings/mgi/MGI_COVIDSymptom_MP_HPO_3way.tsv")
    recs, report, _ = load(mgi_covid, p)
    lines = text_lines(p)
    assert len(lines) == 357  # 1 comment + 1 header + 355 rows (PROVENANCE)
    both = [n for n, line in enumerate(lines[2:], 3)
            if (c := [x.strip() for x in line.split("\t")]) and len(c) > 8
            and c[2].startswith("MP:") and c[8].startswith("HP:")]
    assert len(both) == 268
    assert [(pr.line, pr.field, pr.action) for pr in report.problems] == [
        (331, "Feature match MP to HPO", "skipped")]
    mappings = recs[1:]
    assert [m.origin.line for m in mappings] == [n for n in both if n != 331]
    assert all(m.confidence is None or 0.7 <= m.confidence <= 1.0 for m in mappings)


def test_upheno_bestmatches():
    p = need("mappings/upheno/hp-to-mp-bestmatches.tsv")
    recs, report, _ = load(upheno_bestmatches, p)
    assert not report.problems
    mappings = recs[1:]
    assert len(mappings) == len(text_lines(p)) == 13600  # PROVENANCE
    assert len({m.subject_id for m in mappings}) == 13600
    assert len({m.object_id for m in mappings}) == 2283
    assert all(0.5 <= m.confidence <= 1.0 for m in mappings)  # minimumSimJ=0.5
