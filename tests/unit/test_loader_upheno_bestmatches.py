"""loaders.upheno_bestmatches: headerless 6-column HP -> MP best-match TSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.model import MappingSetInfo, Origin, TermMapping
from kg.report import BuildReport, SourceFormatError
from loaders import upheno_bestmatches as ub

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "hp_mp_bestmatches.tsv"


def run(path):
    report = BuildReport()
    return list(ub.load(path, report)), report


def write(tmp_path, text):
    p = tmp_path / "best.tsv"
    p.write_text(text)
    return p


def test_values():
    recs, report = run(FIX)
    assert not report.problems
    assert recs[0] == MappingSetInfo(None, None, None, None, {}, Origin(str(FIX), 1))
    assert len(recs) == 5
    assert recs[1] == TermMapping(
        subject_id="HP:0006944", predicate_id="skos:relatedMatch", object_id="MP:0002752",
        justification="semapv:SemanticSimilarityThresholdMatching",
        subject_label="Abolished vibration sense",
        object_label="abnormal somatic nervous system morphology",
        confidence=0.6428571429, comment="subclass_score=0.9", origin=Origin(str(FIX), 1))
    assert [m.origin.line for m in recs[1:]] == [1, 2, 3, 4]
    assert recs[4].confidence == 1.0 and recs[4].comment == "subclass_score=1"


@pytest.mark.parametrize("first", [
    "HP:0000708\tBehavioral abnormality\tMP:0004924\tabnormal behavior\t1",
    "hp_id\thp_label\tmp_id\tmp_label\tequivalence\tsubclass",
    "HP:0000708,Behavioral abnormality,MP:0004924,abnormal behavior,1,1",
])
def test_wrong_layout_on_line_1(tmp_path, first):
    p = write(tmp_path, first + "\n" + FIX.read_text())
    with pytest.raises(SourceFormatError) as e:
        run(p)
    assert (e.value.file, e.value.line) == (str(p), 1) and "6" in e.value.message


@pytest.mark.parametrize("index,value,field", [
    (4, "high", "equivalence score"), (4, "", "equivalence score"), (5, "x", "subclass score"),
    (0, "HP 0000708", "HP id"), (2, "", "MP id"),
])
def test_bad_row_reported(tmp_path, index, value, field):
    lines = FIX.read_text().splitlines()
    cells = lines[2].split("\t")
    cells[index] = value
    lines[2] = "\t".join(cells)
    p = write(tmp_path, "\n".join(lines) + "\n")
    recs, report = run(p)
    assert [m.origin.line for m in recs[1:]] == [1, 2, 4]
    assert [(pr.file, pr.line, pr.field, pr.action) for pr in report.problems] == [
        (str(p), 3, field, "skipped")]


def test_later_row_wrong_field_count(tmp_path):
    p = write(tmp_path, FIX.read_text() + "HP:1\tx\tMP:1\n")
    recs, report = run(p)
    assert len(recs) == 5 and [(pr.line, pr.field) for pr in report.problems] == [(5, "(row)")]


def test_empty(tmp_path):
    with pytest.raises(SourceFormatError, match="empty"):
        run(write(tmp_path, ""))
