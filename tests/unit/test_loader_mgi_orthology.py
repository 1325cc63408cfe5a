"""loaders.mgi_orthology: MGI HMD_HumanPhenotype.rpt and HOM_MouseHumanSequence.rpt."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kg.model import Orthology, Origin
from kg.report import BuildReport, SourceFormatError
from loaders import mgi_orthology

FIX = Path(__file__).resolve().parents[1] / "fixtures"
HMD = FIX / "hmd.rpt"
HOM = FIX / "hom.rpt"


def run(path):
    report = BuildReport()
    return list(mgi_orthology.load(path, report)), report


def problems(report):
    return [(p.file, p.line, p.field, p.action) for p in report.problems]


def write(tmp_path, text, name="x.rpt"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_hmd():
    pairs, report = run(HMD)
    assert not report.problems and len(pairs) == 8
    assert pairs[0] == Orthology("MGI:2152878", "A1bg", "NCBIGene:1", "A1BG", Origin(str(HMD), 1))
    assert pairs[-1] == Orthology("MGI:102556", "Tbx4", "NCBIGene:9496", "TBX4", Origin(str(HMD), 8))


def test_hom_groups_mouse_and_human_rows():
    pairs, report = run(HOM)
    assert not report.problems  # 12-field rows (no SWISS_PROT cell) are padded, not skipped
    got = [(p.mouse_gene_id, p.mouse_symbol, p.human_gene_id, p.human_symbol, p.origin.line)
           for p in pairs]
    assert got == [
        ("MGI:87867", "Acadm", "NCBIGene:34", "ACADM", 3),
        ("MGI:895149", "Acadvl", "NCBIGene:37", "ACADVL", 5),
        ("MGI:1915220", "Slx1b", "NCBIGene:548593", "SLX1A", 7),
        ("MGI:1915220", "Slx1b", "NCBIGene:79008", "SLX1B", 8),
        ("MGI:3031035", "Olfr1201", "NCBIGene:219429", "OR4C11", 12),
        ("MGI:3031039", "Olfr1205", "NCBIGene:219429", "OR4C11", 12),
        ("MGI:3031040", "Olfr1206", "NCBIGene:219429", "OR4C11", 12),
    ]  # class 137631 has a mouse gene only: no pair


def test_hom_db_class_key_header(tmp_path):
    text = HOM.read_text().replace("HomoloGene ID", "DB Class Key", 1)
    text = text.replace("Genomic Coordinates (mouse: , human: )",
                        "Genome Coordinates (mouse: GRCm39 human: GRCh38)")
    assert len(run(write(tmp_path, text))[0]) == 7


def test_hom_header_missing_column(tmp_path):
    text = HOM.read_text().replace("EntrezGene ID", "Entrez", 1)
    with pytest.raises(SourceFormatError) as e:
        run(write(tmp_path, text))
    assert e.value.line == 1 and "EntrezGene ID" in e.value.message


def test_hom_bad_rows(tmp_path):
    lines = HOM.read_text().splitlines()
    lines[2] = lines[2].replace("\t34\t", "\t\t")        # human ACADM: no Entrez id
    lines[3] = lines[3].replace("MGI:895149", "895149")  # mouse Acadvl: not a CURIE
    p = write(tmp_path, "\n".join(lines) + "\n")
    pairs, report = run(p)
    assert len(pairs) == 5
    assert problems(report) == [(str(p), 3, "EntrezGene ID", "skipped"),
                                (str(p), 4, "Mouse MGI ID", "skipped")]


def test_hmd_empty_entrez_skipped(tmp_path):
    lines = HMD.read_text().splitlines()
    lines[1] = lines[1].replace("\t440\t", "\t\t")
    p = write(tmp_path, "\n".join(lines) + "\n")
    pairs, report = run(p)
    assert len(pairs) == 7
    assert problems(report) == [(str(p), 2, "Human Entrez Gene ID", "skipped")]


@pytest.mark.parametrize("old,new,field", [
    ("\tMGI:1350929\t", "\tMGI 1350929\t", "MGI Marker Accession ID"),
    ("\t440\t", "\tNCBI:440\t", "Human Entrez Gene ID"),
    ("\t440\t", "\t440\textra\tcells\t", "(row)"),
])
def test_hmd_bad_row(tmp_path, old, new, field):
    lines = HMD.read_text().splitlines()
    lines[1] = lines[1].replace(old, new)
    p = write(tmp_path, "\n".join(lines) + "\n")
    pairs, report = run(p)
    assert len(pairs) == 7 and problems(report) == [(str(p), 2, field, "skipped")]


def test_hmd_without_trailing_tab(tmp_path):
    text = "\n".join(line.rstrip("\t") for line in HMD.read_text().splitlines()) + "\n"
    assert len(run(write(tmp_path, text))[0]) == 8


def test_not_an_orthology_report(tmp_path):
    p = write(tmp_path, "marker,symbol\nMGI:1,A\n")
    with pytest.raises(SourceFormatError) as e:
        run(p)
    assert (e.value.file, e.value.line) == (str(p), 1) and "HMD_HumanPhenotype" in e.value.message


def test_empty_file(tmp_path):
    with pytest.raises(SourceFormatError, match="empty"):
        run(write(tmp_path, ""))


def test_truncated_gzip(tmp_path):
    p = tmp_path / "x.rpt.gz"
    data = gzip.compress(HMD.read_bytes() * 20)
    p.write_bytes(data[:-25])
    with pytest.raises(SourceFormatError, match="truncated"):
        run(p)


def test_non_utf8_line(tmp_path):
    lines = HMD.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Cep76", b"Cep\xff76")
    p = tmp_path / "x.rpt"
    p.write_bytes(b"\n".join(lines))
    pairs, report = run(p)
    assert len(pairs) == 7 and problems(report) == [(str(p), 3, "(bytes)", "skipped")]
