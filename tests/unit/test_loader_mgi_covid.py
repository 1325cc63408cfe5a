"""loaders.mgi_covid: the MGI COVID symptom / MP / HPO three-way table."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.model import MappingSetInfo
from kg.report import BuildReport, SourceFormatError
from loaders import mgi_covid

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "covid_3way.tsv"


def run(path):
    report = BuildReport()
    return list(mgi_covid.load(path, report)), report


def problems(report):
    return [(p.file, p.line, p.field, p.action) for p in report.problems]


def with_cell(line_no: int, column: str, value: str, tmp_path) -> Path:
    lines = FIX.read_text().split("\n")
    cells = lines[line_no - 1].split("\t")
    cells[mgi_covid.COLUMNS.index(column)] = value
    lines[line_no - 1] = "\t".join(cells)
    p = tmp_path / "covid.tsv"
    p.write_text("\n".join(lines))
    return p


def test_mappings_only_where_both_ids():
    recs, report = run(FIX)
    assert not report.problems
    assert isinstance(recs[0], MappingSetInfo) and recs[0].origin.line == 2
    got = [(m.subject_id, m.predicate_id, m.object_id, m.confidence, m.origin.line)
           for m in recs[1:]]
    assert got == [
        ("MP:0005119", "skos:narrowMatch", "HP:0031098", 0.8, 5),
        ("MP:0001559", "skos:narrowMatch", "HP:0003074", 0.8, 6),
        ("MP:0000195", "skos:exactMatch", "HP:0002901", 1.0, 7),
    ]


def test_values():
    m = run(FIX)[0][3]
    assert (m.subject_label, m.object_label) == ("decreased circulating calcium level", "Hypocalcemia")
    assert m.justification == "semapv:ManualMappingCuration"
    assert m.author_id == "orcid:0000-0003-4606-0597|orcid:0000-0002-6490-7723"
    assert m.comment is None
    assert run(FIX)[0][2].comment.startswith("MP term specifies pathology")


def test_header_cell_with_trailing_space_is_matched():
    assert "Feature match MP to HPO \t" in FIX.read_text()
    assert len(run(FIX)[0]) == 4


@pytest.mark.parametrize("column,value,field", [
    ("Feature match MP to HPO", "", "Feature match MP to HPO"),
    ("Feature match MP to HPO", "similar", "Feature match MP to HPO"),
    ("Confidence MP to HPO match", "high", "Confidence MP to HPO match"),
    ("Confidence MP to HPO match", "11", "Confidence MP to HPO match"),
    ("MP TERM ID", "MP 0000195", "MP TERM ID"),
])
def test_bad_rows_reported(tmp_path, column, value, field):
    p = with_cell(7, column, value, tmp_path)
    recs, report = run(p)
    assert len(recs) == 3 and problems(report) == [(str(p), 7, field, "skipped")]


def test_missing_confidence_is_none(tmp_path):
    p = with_cell(7, "Confidence MP to HPO match", "", tmp_path)
    recs, report = run(p)
    assert recs[3].confidence is None and not report.problems


def test_missing_side_gives_no_mapping_and_no_report(tmp_path):
    p = with_cell(7, "HPO TERM ID", "--", tmp_path)
    recs, report = run(p)
    assert len(recs) == 3 and not report.problems


def test_wrong_header(tmp_path):
    text = FIX.read_text().replace("HPO TERM ID", "HPO ID", 1)
    p = tmp_path / "covid.tsv"
    p.write_text(text)
    with pytest.raises(SourceFormatError) as e:
        run(p)
    assert (e.value.file, e.value.line) == (str(p), 2) and "HPO TERM ID" in e.value.message


def test_empty(tmp_path):
    p = tmp_path / "covid.tsv"
    p.write_text("")
    with pytest.raises(SourceFormatError, match="empty"):
        run(p)
    p.write_text("# only a comment\n")
    with pytest.raises(SourceFormatError, match="no header"):
        run(p)
