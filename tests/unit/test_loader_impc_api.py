"""loaders.impc_api: IMPC API phenotype-hits JSON (a directory of per-gene files, or one file)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from kg.report import BuildReport, SourceFormatError
from loaders import impc_api

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "impc_api"


def run(path):
    report = BuildReport()
    return list(impc_api.load(path, report)), report


def hits():
    return json.loads(gzip.decompress((FIX / "MGI_1860086.phenotype-hits.json.gz").read_bytes()))


def write(tmp_path, obj, name="MGI_1.phenotype-hits.json"):
    p = tmp_path / name
    p.write_text(json.dumps(obj) if not isinstance(obj, str) else obj)
    return p


def test_directory_reads_hits_files_sorted_and_ignores_others():
    calls, report = run(FIX)
    assert not report.problems
    assert [(Path(c.origin.file).name, c.origin.line) for c in calls] == [
        ("MGI_1860086.phenotype-hits.json.gz", 1), ("MGI_1860086.phenotype-hits.json.gz", 2),
        ("MGI_1923401.phenotype-hits.json", 1)]


def test_values():
    calls = run(FIX)[0]
    c = calls[0]
    assert (c.gene_id, c.mp_term_id, c.mp_term_name) == ("MGI:1860086", "MP:0001262",
                                                         "decreased body weight")
    assert (c.allele_id, c.allele_symbol) == ("MGI:4363171", "Crlf3<tm1a(KOMP)Wtsi>")
    assert c.allele_name == "targeted mutation 1a, Wellcome Trust Sanger Institute"
    assert (c.zygosity, c.sex, c.life_stage) == ("homozygote", "male", "Early adult")
    assert (c.phenotyping_center, c.project_name) == ("WTSI", "EUMODIC")
    assert (c.pipeline_id, c.procedure_id, c.procedure_name) == ("ESLIM_001", "ESLIM_022_001",
                                                                 "Body Weight")
    assert (c.parameter_id, c.parameter_name) == ("ESLIM_022_001_001", "Body Weight")
    assert c.p_value == pytest.approx(4.36980533547096e-17)
    assert c.effect_size == pytest.approx(-1.1200840796266)
    # the first call uses the older singular key 'topLevelPhenotype'
    assert c.top_level_mp_term_ids == ("MP:0005378",)
    assert c.gene_symbol is None and c.pipeline_name is None and c.percentage_change is None
    assert calls[1].sex == "not_considered"
    cep76 = calls[2]
    assert cep76.top_level_mp_term_ids == ("MP:0005387", "MP:0005397")
    assert cep76.p_value == 0.0 and cep76.effect_size == 1.0


def test_single_file():
    calls, _ = run(FIX / "MGI_1923401.phenotype-hits.json")
    assert len(calls) == 1 and calls[0].gene_id == "MGI:1923401"


def test_null_and_integer_numbers(tmp_path):
    h = hits()[1]
    h["pValue"], h["effectSize"] = None, 0
    calls, report = run(write(tmp_path, [h]))
    assert calls[0].p_value is None and calls[0].effect_size == 0.0 and not report.problems


@pytest.mark.parametrize("change,field", [
    (lambda h: h.update(pValue="abc"), "pValue"),
    (lambda h: h.update(effectSize=True), "effectSize"),
    (lambda h: h.pop("phenotype"), "phenotype.id"),
    (lambda h: h["phenotype"].update(id="MP 0001262"), "phenotype.id"),
    (lambda h: h.update(mgiGeneAccessionId=""), "mgiGeneAccessionId"),
    (lambda h: h.update(alleleAccessionId="NULL"), "alleleAccessionId"),
    (lambda h: h.update(topLevelPhenotypes=[{"name": "no id"}]), "topLevelPhenotypes.id"),
])
def test_bad_call_reported_and_skipped(tmp_path, change, field):
    good, bad = hits()[1], hits()[1]
    change(bad)
    p = write(tmp_path, [good, bad, good])
    calls, report = run(p)
    assert [c.origin.line for c in calls] == [1, 3]
    assert [(pr.file, pr.line, pr.field, pr.action) for pr in report.problems] == [
        (str(p), 2, field, "skipped")]


def test_non_object_element_skipped(tmp_path):
    p = write(tmp_path, [hits()[1], 42])
    calls, report = run(p)
    assert len(calls) == 1 and report.problems[0].line == 2 and report.problems[0].field == "(record)"


def test_not_json(tmp_path):
    p = write(tmp_path, "[{\"a\": 1},\n oops]")
    with pytest.raises(SourceFormatError) as e:
        run(p)
    assert e.value.file == str(p) and e.value.line == 2 and "not JSON" in e.value.message


def test_not_a_list(tmp_path):
    p = write(tmp_path, {"mgiGeneAccessionId": "MGI:1"})
    with pytest.raises(SourceFormatError, match="expected a JSON list"):
        run(p)


def test_directory_without_hits_files(tmp_path):
    write(tmp_path, [], name="MGI_1.summary.json")
    with pytest.raises(SourceFormatError, match="no \\*.phenotype-hits.json"):
        run(tmp_path)


def test_empty_file(tmp_path):
    p = write(tmp_path, "")
    with pytest.raises(SourceFormatError, match="empty"):
        run(p)


def test_truncated_gzip(tmp_path):
    p = tmp_path / "MGI_1.phenotype-hits.json.gz"
    data = (FIX / "MGI_1860086.phenotype-hits.json.gz").read_bytes()
    p.write_bytes(data[:-30])
    with pytest.raises(SourceFormatError, match="truncated"):
        run(p)


def test_not_utf8(tmp_path):
    p = tmp_path / "MGI_1.phenotype-hits.json"
    p.write_bytes(b'[\n{"sex": "caf\xe9"}]')
    with pytest.raises(SourceFormatError) as e:
        run(p)
    assert e.value.line == 2 and "UTF-8" in e.value.message
