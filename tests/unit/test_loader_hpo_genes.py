"""loaders.hpo_genes: genes_to_phenotype.txt -> one DiseaseGene per (gene, disease) pair."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kg.model import DiseaseGene, Origin
from kg.report import BuildReport, SourceFormatError
from loaders import hpo_genes

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "genes_to_phenotype.txt"


def run(path):
    report = BuildReport()
    return list(hpo_genes.load(path, report)), report


def problems(report):
    return [(p.file, p.line, p.field, p.action) for p in report.problems]


def write(tmp_path, rows, name="genes_to_phenotype.txt"):
    p = tmp_path / name
    p.write_text("\n".join(rows) + "\n")
    return p


def test_pairs_once_with_first_origin():
    genes, report = run(FIX)
    assert not report.problems
    f = str(FIX)
    assert genes == [
        DiseaseGene("NCBIGene:1804", "DPP6", "OMIM:616311", Origin(f, 2)),
        DiseaseGene("NCBIGene:6905", "TBCE", "OMIM:244460", Origin(f, 5)),
        DiseaseGene("NCBIGene:6905", "TBCE", "ORPHA:2323", Origin(f, 6)),
    ]


def test_gzip(tmp_path):
    p = tmp_path / "g.txt.gz"
    p.write_bytes(gzip.compress(FIX.read_bytes()))
    assert len(run(p)[0]) == 3


def test_wrong_header(tmp_path):
    rows = FIX.read_text().splitlines()
    rows[0] = rows[0].replace("disease_id", "disease")
    p = write(tmp_path, rows)
    with pytest.raises(SourceFormatError) as e:
        run(p)
    assert (e.value.file, e.value.line) == (str(p), 1) and "disease_id" in e.value.message


@pytest.mark.parametrize("index,value,field", [
    (0, "NCBIGene:1804", "ncbi_gene_id"), (0, "", "ncbi_gene_id"), (5, "OMIM 616311", "disease_id"),
])
def test_bad_row_reported(tmp_path, index, value, field):
    rows = FIX.read_text().splitlines()
    cells = rows[1].split("\t")
    cells[index] = value
    rows[1] = "\t".join(cells)
    p = write(tmp_path, rows)
    genes, report = run(p)
    assert problems(report) == [(str(p), 2, field, "skipped")]
    # the next row of the same pair still gives it (line 3)
    assert genes[0].origin.line == 3 and len(genes) == 3


def test_wrong_field_count(tmp_path):
    rows = FIX.read_text().splitlines()
    rows[4] = rows[4] + "\textra"
    p = write(tmp_path, rows)
    genes, report = run(p)
    assert problems(report) == [(str(p), 5, "(row)", "skipped")]
    assert [g.origin.line for g in genes] == [2, 6, 7]


def test_empty_and_truncated(tmp_path):
    p = tmp_path / "g.txt"
    p.write_bytes(b"")
    with pytest.raises(SourceFormatError, match="empty"):
        run(p)
    z = tmp_path / "g.txt.gz"
    data = gzip.compress(FIX.read_bytes() * 40)
    z.write_bytes(data[:-30])
    with pytest.raises(SourceFormatError, match="truncated"):
        run(z)


def test_non_utf8_line(tmp_path):
    raw = FIX.read_bytes().split(b"\n")
    raw[2] = raw[2].replace(b"Autosomal", b"Autosom\xe4l")
    p = tmp_path / "g.txt"
    p.write_bytes(b"\n".join(raw))
    genes, report = run(p)
    assert problems(report) == [(str(p), 3, "(bytes)", "skipped")] and len(genes) == 3
