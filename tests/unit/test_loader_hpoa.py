"""loaders.hpoa: phenotype.hpoa, NOT rows kept as negated, version line, bad rows."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kg.model import DiseasePhenotype, SourceVersion
from kg.report import BuildReport, SourceFormatError
from loaders import hpoa

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "phenotype.hpoa"
HEADER = "\t".join(hpoa.COLUMNS)


def run(path):
    report = BuildReport()
    return list(hpoa.load(path, report)), report


def problems(report):
    return [(p.file, p.line, p.field, p.action) for p in report.problems]


def lines():
    return FIX.read_text().splitlines()


def write(tmp_path, rows, name="phenotype.hpoa"):
    p = tmp_path / name
    p.write_text("\n".join(rows) + "\n")
    return p


def test_version_first_then_rows():
    recs, report = run(FIX)
    assert not report.problems
    assert recs[0] == SourceVersion("hpoa", "2025-01-16", recs[0].origin)
    assert recs[0].origin.line == 2
    rows = recs[1:]
    assert all(isinstance(r, DiseasePhenotype) for r in rows) and len(rows) == 9
    assert [r.origin.line for r in rows] == list(range(6, 15))


def test_values():
    rows = run(FIX)[0][1:]
    r = rows[0]
    assert (r.disease_id, r.disease_name, r.negated, r.hpo_id) == (
        "OMIM:616311", "Intellectual developmental disorder, autosomal dominant 33", False,
        "HP:0004325")
    assert (r.references, r.evidence, r.onset, r.frequency, r.sex, r.modifiers, r.aspect) == (
        ("PMID:23832105",), "PCS", None, "6/6", None, (), "P")
    assert r.biocuration == "HPO:skoehler[2015-09-16];HPO:probinson[2020-07-22]"
    acro = rows[5]
    assert acro.references == ("PMID:21651393", "PMID:22464252")
    assert acro.sex == "male" and acro.modifiers == ("HP:0012833",) and acro.frequency == "3/4"
    assert rows[6].modifiers == ("HP:0012828", "HP:0012828")  # as written: never deduplicated
    ibd = rows[7]
    assert ibd.onset == "HP:0003593" and ibd.sex == "female"
    assert rows[8].disease_id == "DECIPHER:16"


def test_not_rows_kept_as_negated():
    rows = run(FIX)[0][1:]
    neg = [r for r in rows if r.negated]
    assert [(r.disease_id, r.hpo_id, r.origin.line) for r in neg] == [
        ("ORPHA:199310", "HP:0001263", 10)]
    assert sum("\tNOT\t" in line for line in lines()) == len(neg)


def test_gzip(tmp_path):
    p = tmp_path / "phenotype.hpoa.gz"
    p.write_bytes(gzip.compress(FIX.read_bytes()))
    assert len(run(p)[0]) == 10


def test_without_version_line(tmp_path):
    p = write(tmp_path, [HEADER] + lines()[5:7])
    recs, _ = run(p)
    assert recs[0] == SourceVersion("hpoa", None, recs[0].origin) and len(recs) == 3


def test_older_date_line(tmp_path):
    p = write(tmp_path, ["#date: 2021-10-10", HEADER] + lines()[5:6])
    assert run(p)[0][0].version == "2021-10-10"


def test_wrong_header(tmp_path):
    rows = lines()
    rows[4] = rows[4].replace("qualifier", "negation")
    p = write(tmp_path, rows)
    with pytest.raises(SourceFormatError) as e:
        run(p)
    assert (e.value.file, e.value.line) == (str(p), 5)
    assert "missing: ['qualifier']" in e.value.message


def test_old_hpoa_layout_rejected(tmp_path):
    # the pre-2021 'DatabaseID  DiseaseName  Qualifier ...' header is another format
    old = "#DatabaseID\tDiseaseName\tQualifier\tHPO_ID\tReference\tEvidence\tOnset\tFrequency" \
          "\tSex\tModifier\tAspect\tBiocuration"
    p = write(tmp_path, [old.lstrip("#")] + lines()[5:6])
    with pytest.raises(SourceFormatError, match="not the HPOA header"):
        run(p)


def test_no_header_at_all(tmp_path):
    p = write(tmp_path, ["#version: 2025-01-16"])
    with pytest.raises(SourceFormatError, match="no HPOA header"):
        run(p)


@pytest.mark.parametrize("column,value", [
    ("database_id", "OMIM 616311"), ("database_id", ""), ("hpo_id", "HP0004325"),
    ("qualifier", "not"),
])
def test_bad_row_reported_and_skipped(tmp_path, column, value):
    rows = lines()
    cells = rows[6].split("\t")
    cells[hpoa.COLUMNS.index(column)] = value
    rows[6] = "\t".join(cells)
    p = write(tmp_path, rows)
    recs, report = run(p)
    assert len(recs) == 9 and 7 not in [r.origin.line for r in recs]
    assert problems(report) == [(str(p), 7, column, "skipped")]


def test_wrong_field_count(tmp_path):
    rows = lines()
    rows[7] = rows[7] + "\textra"
    p = write(tmp_path, rows)
    recs, report = run(p)
    assert len(recs) == 9 and problems(report) == [(str(p), 8, "(row)", "skipped")]


def test_empty_file(tmp_path):
    p = tmp_path / "phenotype.hpoa"
    p.write_bytes(b"")
    with pytest.raises(SourceFormatError, match="empty"):
        run(p)


def test_truncated_gzip(tmp_path):
    p = tmp_path / "phenotype.hpoa.gz"
    data = gzip.compress(FIX.read_bytes() * 30)
    p.write_bytes(data[:-40])
    with pytest.raises(SourceFormatError, match="truncated"):
        run(p)


def test_non_utf8_line(tmp_path):
    raw = FIX.read_bytes().split(b"\n")
    raw[8] = raw[8].replace(b"Kenny-caffey", b"Kenny-caff\xe9y")
    p = tmp_path / "phenotype.hpoa"
    p.write_bytes(b"\n".join(raw))
    recs, report = run(p)
    assert len(recs) == 9 and problems(report) == [(str(p), 9, "(bytes)", "skipped")]
