"""loaders.obo on the mini MP/HP fixtures and on broken OBO files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kg.model import OntologyHeader, OntologyTerm, Synonym
from kg.report import BuildReport, SourceFormatError
from loaders import obo

FIX = Path(__file__).resolve().parents[1] / "fixtures"
MINI_MP = FIX / "mini_mp.obo"
MINI_HP = FIX / "mini_hp.obo"


def run(path):
    report = BuildReport()
    return list(obo.load(path, report)), report


def line_of(path: Path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


def test_mini_mp_header_and_terms():
    recs, report = run(MINI_MP)
    assert not report.problems
    head, terms = recs[0], recs[1:]
    assert isinstance(head, OntologyHeader)
    assert (head.prefix, head.data_version, head.format_version, head.default_namespace) == (
        "MP", "releases/2025-08-27/mp.obo", "1.2", "MPheno.ontology")
    assert head.date is None and head.origin.line == 1 and head.origin.file == str(MINI_MP)
    assert all(isinstance(t, OntologyTerm) for t in terms)
    assert len(terms) == MINI_MP.read_text().count("[Term]") == 15
    assert "part_of" not in {t.id for t in terms}  # Typedefs are not terms


def test_mini_mp_term_values():
    terms = {t.id: t for t in run(MINI_MP)[0][1:]}
    t = terms["MP:0001262"]
    assert t.label == "decreased body weight"
    assert t.definition == "lower than normal average weight"
    assert t.synonyms == (Synonym("decreased weight", "EXACT"), Synonym("low body weight", "EXACT"),
                          Synonym("reduced body weight", "EXACT"))
    assert t.xrefs == ("HP:0004325",)
    assert t.parents == ("MP:0001259",)
    assert t.subsets == ("Europhenome_Terms", "IMPC")
    assert not t.obsolete and t.replaced_by == () and t.comment is None
    assert t.origin.line == line_of(MINI_MP, "id: MP:0001262")
    assert terms["MP:0000001"].parents == ()
    assert terms["MP:0005386"].alt_ids == ("MP:0001350",)
    assert terms["MP:0000195"].alt_ids == ("MP:0001564", "MP:0001769")
    assert terms["MP:0004924"].synonyms[1] == Synonym("abnormal general behavior", "RELATED")


def test_obsolete_terms_are_kept_with_replacements():
    terms = {t.id: t for t in run(MINI_MP)[0][1:]}
    obs = terms["MP:0020181"]
    assert obs.obsolete and obs.replaced_by == ("MP:0001259",) and obs.parents == ()
    assert obs.comment == "Obsoleting because it is a duplicate"
    assert terms["MP:0000002"].obsolete and terms["MP:0000002"].consider == ("MP:0005378",)


def test_mini_hp():
    recs, report = run(MINI_HP)
    assert not report.problems
    assert recs[0].prefix == "HP" and recs[0].data_version == "hp/releases/2025-01-16"
    terms = {t.id: t for t in recs[1:]}
    assert len(terms) == 16
    assert terms["HP:0000118"].parents == ("HP:0000001",)
    assert terms["HP:0000001"].comment.startswith("Root of all terms")
    assert terms["HP:0004325"].synonyms[0] == Synonym("Decreased weight", "EXACT")
    assert terms["HP:0000057"].replaced_by == ("HP:0008665",)


def test_gzip_gives_same_terms(tmp_path):
    p = tmp_path / "mp.obo.gz"
    p.write_bytes(gzip.compress(MINI_MP.read_bytes()))
    plain, gz = run(MINI_MP)[0], run(p)[0]
    assert [(t.id, t.parents, t.origin.line) for t in plain[1:]] == [
        (t.id, t.parents, t.origin.line) for t in gz[1:]]


def test_date_header_kept_as_written(tmp_path):
    p = tmp_path / "x.obo"
    p.write_text("format-version: 1.2\ndate: 27:08:2025 12:00\n\n[Term]\nid: MP:0000001\nname: root\n")
    head = run(p)[0][0]
    assert head.date == "27:08:2025 12:00" and head.data_version is None


def test_dangling_is_a_is_kept_not_checked(tmp_path):
    # existence of terms is the builder's job: the loader keeps the reference as written
    p = tmp_path / "x.obo"
    p.write_text("format-version: 1.2\n\n[Term]\nid: MP:0000002\nname: child\n"
                 "is_a: MP:9999999 ! not in this file\n")
    recs, report = run(p)
    assert recs[1].parents == ("MP:9999999",) and not report.problems


def test_csv_is_not_obo(tmp_path):
    p = tmp_path / "x.obo"
    p.write_text("marker_accession_id,marker_symbol\nMGI:1,A\n")
    with pytest.raises(SourceFormatError) as e:
        run(p)
    assert e.value.file == str(p) and e.value.line == 1 and "format-version" in e.value.message


def test_curie_first_line_is_not_obo(tmp_path):
    p = tmp_path / "x.obo"
    p.write_text("MGI:102556,Tbx4,TCP\n")
    with pytest.raises(SourceFormatError, match="not an OBO file"):
        run(p)


def test_syntax_error_names_line(tmp_path):
    p = tmp_path / "x.obo"
    p.write_text("format-version: 1.2\n\n[Term]\nid: MP:0000001\nname: root\nthis is not a tag\n")
    with pytest.raises(SourceFormatError) as e:
        run(p)
    assert e.value.line == 6 and "syntax" in e.value.message


def test_no_terms(tmp_path):
    p = tmp_path / "x.obo"
    p.write_text("format-version: 1.2\n\n[Typedef]\nid: part_of\nname: part of\n")
    with pytest.raises(SourceFormatError, match="no \\[Term\\]"):
        run(p)


def test_empty_file(tmp_path):
    p = tmp_path / "x.obo"
    p.write_bytes(b"")
    with pytest.raises(SourceFormatError, match="empty"):
        run(p)


def test_truncated_gzip(tmp_path):
    p = tmp_path / "x.obo.gz"
    data = gzip.compress(MINI_MP.read_bytes())
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceFormatError, match="truncated or corrupt gzip"):
        run(p)


def test_non_utf8_line_reported_and_skipped(tmp_path):
    text = MINI_MP.read_bytes()
    marker = b'synonym: "low body weight" EXACT []\n'
    p = tmp_path / "x.obo"
    p.write_bytes(text.replace(marker, marker + b'synonym: "caf\xe9 weight" EXACT []\n'))
    recs, report = run(p)
    bad_line = p.read_bytes().split(b"\n").index(b'synonym: "caf\xe9 weight" EXACT []') + 1
    assert [(pr.line, pr.field, pr.action) for pr in report.problems] == [
        (bad_line, "(bytes)", "skipped")]
    terms = {t.id: t for t in recs[1:]}
    assert len(terms["MP:0001262"].synonyms) == 3
    # lines after the dropped one keep their physical numbers
    assert terms["MP:0001260"].origin.line == p.read_bytes().split(b"\n").index(b"id: MP:0001260") + 1


def test_non_curie_term_id_reported(tmp_path):
    p = tmp_path / "x.obo"
    p.write_text("format-version: 1.2\n\n[Term]\nid: MP:0000001\nname: root\n\n"
                 "[Term]\nid: notacurie\nname: odd\n")
    recs, report = run(p)
    assert [t.id for t in recs[1:]] == ["MP:0000001"]
    assert [(pr.line, pr.field) for pr in report.problems] == [(8, "id")]


def test_byte_order_mark(tmp_path):
    p = tmp_path / "x.obo"
    p.write_bytes(b"\xef\xbb\xbf" + MINI_HP.read_bytes())
    recs, report = run(p)
    assert len(recs) == 17 and not report.problems
