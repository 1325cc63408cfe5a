"""loaders.impc_csv: the 28-column IMPC genotype-phenotype CSV, with and without header."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kg.report import BuildReport, SourceFormatError
from loaders import impc_csv

FIX = Path(__file__).resolve().parents[1] / "fixtures"
WITH_HEADER = FIX / "impc_calls.csv"
NO_HEADER = FIX / "impc_calls_noheader.csv"
HEADER = ",".join(impc_csv.COLUMNS)


def run(path):
    report = BuildReport()
    return list(impc_csv.load(path, report)), report


def problems(report):
    return [(p.file, p.line, p.field, p.action) for p in report.problems]


def write(tmp_path, lines, name="calls.csv"):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


def data_rows():
    return WITH_HEADER.read_text().splitlines()[1:]


def test_columns_are_the_official_28():
    assert len(impc_csv.COLUMNS) == 28 and impc_csv.COLUMNS[21] == "mp_term_id"


def test_with_header_values():
    calls, report = run(WITH_HEADER)
    assert not report.problems and len(calls) == 5
    c = calls[0]
    assert (c.gene_id, c.gene_symbol, c.mp_term_id, c.mp_term_name) == (
        "MGI:2147134", "Fbxo11", "MP:0001262", "decreased body weight")
    assert (c.zygosity, c.sex, c.allele_id, c.allele_symbol, c.allele_name) == (
        "heterozygote", "male", "MGI:1862017", "Fbxo11<Jf>", "jeff")
    assert (c.strain_id, c.strain_name, c.colony_id, c.phenotyping_center) == (
        "MGI:2159743", "C3H/HeH", "C3H.Cg-Fbxo11<Jf>/H", "MRC Harwell")
    assert (c.project_name, c.pipeline_id, c.pipeline_name) == ("EUMODIC", "ESLIM_001",
                                                                "EUMODIC Pipeline 1")
    assert (c.procedure_id, c.procedure_name, c.parameter_id, c.parameter_name) == (
        "ESLIM_022_001", "Body Weight", "ESLIM_022_001_708", "Heart Weight/Tibia Length Body Weight")
    assert c.top_level_mp_term_ids == ("MP:0005378",)
    assert c.p_value == pytest.approx(1.21417411680369e-8)
    assert c.percentage_change == -18.02
    assert c.effect_size == pytest.approx(-5.45546287090715)
    assert c.statistical_method.startswith("Mixed Model framework")
    assert c.resource_name == "EuroPhenome" and c.life_stage is None
    assert c.origin.file == str(WITH_HEADER) and c.origin.line == 2


def test_multi_top_level_and_empty_numbers():
    calls = run(WITH_HEADER)[0]
    last = calls[-1]
    assert last.top_level_mp_term_ids == ("MP:0005380", "MP:0003631")
    assert last.sex == "no_data" and last.p_value is None and last.effect_size is None
    assert last.percentage_change is None and last.origin.line == 6
    tbx4 = calls[2]
    assert tbx4.p_value == 0.0 and tbx4.percentage_change is None and tbx4.effect_size == 1.0


def test_headerless_file():
    calls, report = run(NO_HEADER)
    assert [c.origin.line for c in calls] == [1, 2, 3]
    assert [c.sex for c in calls] == ["male", "male", "female"]
    elk3 = calls[2]
    # EuroPhenome's placeholder allele: the call is kept, the allele left unknown, a warning given
    assert elk3.allele_id is None and elk3.allele_symbol == "Elk3"
    assert problems(report) == [(str(NO_HEADER), 3, "allele_accession_id", "warning")]


def test_gzip(tmp_path):
    p = tmp_path / "calls.csv.gz"
    p.write_bytes(gzip.compress(WITH_HEADER.read_bytes()))
    assert len(run(p)[0]) == 5


def test_wrong_header_order(tmp_path):
    cols = list(impc_csv.COLUMNS)
    cols[23], cols[25] = cols[25], cols[23]  # p_value <-> effect_size
    p = write(tmp_path, [",".join(cols)] + data_rows())
    with pytest.raises(SourceFormatError) as e:
        run(p)
    assert (e.value.file, e.value.line) == (str(p), 1)
    assert "column 24 is 'effect_size', expected 'p_value'" in e.value.message


def test_header_missing_and_unexpected_columns(tmp_path):
    cols = list(impc_csv.COLUMNS)
    cols[4] = "gender"
    p = write(tmp_path, [",".join(cols)])
    with pytest.raises(SourceFormatError) as e:
        run(p)
    assert "missing: ['sex']" in e.value.message and "unexpected: ['gender']" in e.value.message


def test_headerless_first_row_wrong_count(tmp_path):
    p = write(tmp_path, ["MGI:102556,Tbx4,TCP"])
    with pytest.raises(SourceFormatError) as e:
        run(p)
    assert e.value.line == 1 and "28" in e.value.message and "found 3 fields" in e.value.message


def test_not_a_csv_at_all(tmp_path):
    p = write(tmp_path, ["format-version: 1.2"])
    with pytest.raises(SourceFormatError):
        run(p)


def _with(row: str, column: str, value: str) -> str:
    import csv
    import io
    cells = next(csv.reader([row]))
    cells[impc_csv.COLUMNS.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()[:-1]


@pytest.mark.parametrize("column,value,message", [
    ("p_value", "abc", "not a number: 'abc'"),
    ("effect_size", "1.2.3", "not a number"),
    ("percentage_change", "x%", "not a number: 'x%'"),
    ("p_value", "nan", "not a finite number"),
    ("marker_accession_id", "97490", "not a CURIE"),
    ("marker_accession_id", "", "required field is empty"),
    ("mp_term_id", "", "required field is empty"),
    ("mp_term_id", "MP 0001262", "not a CURIE"),
    ("allele_accession_id", "MGI 1862017", "not a CURIE"),
    ("top_level_mp_term_id", "MP:0005378,growth", "not a CURIE: 'growth'"),
])
def test_bad_value_reported_and_row_skipped(tmp_path, column, value, message):
    rows = data_rows()
    rows[1] = _with(rows[1], column, value)
    p = write(tmp_path, [HEADER] + rows)
    calls, report = run(p)
    assert len(calls) == 4 and 3 not in [c.origin.line for c in calls]
    assert problems(report) == [(str(p), 3, column, "skipped")]
    assert message in report.problems[0].message


def test_row_with_wrong_field_count_skipped(tmp_path):
    rows = data_rows()
    rows[2] = rows[2] + ",extra"
    p = write(tmp_path, [HEADER] + rows)
    calls, report = run(p)
    assert len(calls) == 4
    assert problems(report) == [(str(p), 4, "(row)", "skipped")]
    assert "expected 28 fields, found 29" in report.problems[0].message


def test_multiline_quoted_field_keeps_physical_lines(tmp_path):
    rows = data_rows()
    rows[0] = _with(rows[0], "allele_name", "jeff\nsecond line")
    p = write(tmp_path, [HEADER] + rows)
    calls, report = run(p)
    assert not report.problems
    assert calls[0].allele_name == "jeff\nsecond line"
    assert [c.origin.line for c in calls] == [2, 4, 5, 6, 7]


def test_empty_file(tmp_path):
    p = tmp_path / "calls.csv"
    p.write_bytes(b"")
    with pytest.raises(SourceFormatError, match="empty"):
        run(p)


def test_header_only_gives_nothing(tmp_path):
    calls, report = run(write(tmp_path, [HEADER]))
    assert calls == [] and not report.problems


def test_truncated_gzip(tmp_path):
    p = tmp_path / "calls.csv.gz"
    data = gzip.compress(WITH_HEADER.read_bytes() * 50)
    p.write_bytes(data[: len(data) - 20])
    with pytest.raises(SourceFormatError, match="truncated"):
        run(p)


def test_non_utf8_line_reported_and_skipped(tmp_path):
    rows = data_rows()
    p = tmp_path / "calls.csv"
    p.write_bytes("\n".join([HEADER] + rows[:2]).encode() + b"\nMGI:1,caf\xe9\n"
                  + "\n".join(rows[2:]).encode() + b"\n")
    calls, report = run(p)
    assert len(calls) == 5
    assert problems(report) == [(str(p), 4, "(bytes)", "skipped")]
    assert [c.origin.line for c in calls] == [2, 3, 5, 6, 7]


def test_byte_order_mark_before_header(tmp_path):
    p = tmp_path / "calls.csv"
    p.write_bytes(b"\xef\xbb\xbf" + WITH_HEADER.read_bytes())
    calls, report = run(p)
    assert len(calls) == 5 and not report.problems


def test_placeholder_allele_on_a_skipped_row_gives_one_problem(tmp_path):
    row = NO_HEADER.read_text().splitlines()[2]
    p = write(tmp_path, [_with(row, "mp_term_id", "")])
    calls, report = run(p)
    assert calls == [] and problems(report) == [(str(p), 1, "mp_term_id", "skipped")]
