"""The HTML form of the mapping validation report (issue 5): `to_html` and `kg mappings validate --html`.

On the validator's mini fixture (tests/fixtures/mappings_validate_mini.sssom.tsv) against the
mini store, with one label turned into markup: what the file says must come out as text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.mappings import load_context, validate
from kg.mappings.report import to_html, to_json
from kg.store.oxigraph_store import OxigraphStore
from tests.html_page import parse

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "mappings_validate_mini.sssom.tsv"
#: the subject_label of fixture line 17 (label drift), replaced by markup
EVIL = 'kidney <script>alert("x")</script> & <b>co</b>'


def evil_cases(tmp_path: Path) -> Path:
    p = tmp_path / "evil <cases>.sssom.tsv"
    text = CASES.read_text()
    assert "\tkidney phenotype\t" in text
    p.write_text(text.replace("\tkidney phenotype\t", f"\t{EVIL}\t"))
    return p


@pytest.fixture(scope="module")
def ctx(mini_store):
    return load_context(OxigraphStore.open(mini_store))


@pytest.fixture(scope="module")
def report(ctx, tmp_path_factory):
    return validate(evil_cases(tmp_path_factory.mktemp("html")), ctx)


def check_page(html: str, report) -> None:
    """What every HTML report must be: well formed, self-contained, escaped, complete."""
    page = parse(html)
    assert page.errors == [] and page.doctype and page.doctype.lower() == "doctype html"
    assert page.tags["html"] == page.tags["head"] == page.tags["body"] == page.tags["style"] == 1
    # self-contained: no script, no stylesheet or image to fetch, links only within the page
    assert page.tags["script"] == page.tags["link"] == page.tags["img"] == 0
    assert not [a for _, a in page.attrs if "src" in a]
    assert {a["href"][0] for t, a in page.attrs if t == "a"} == {"#"}
    # escaped: the markup of the file is text of the page
    assert "<script>" not in html and "<b>co</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert EVIL in page.text and f"Mapping validation: {report.file}" in page.text
    # the summary table: one row per check, the counts of the JSON report
    counts = to_json(report)["counts"]
    summary = page.tables[0]
    assert summary[0].cells[:3] == ["#", "check", "flags"]
    assert [(r.cells[1], int(r.cells[2]), int(r.cells[4])) for r in summary[1:]] == [
        (name, counts[name]["flags"], counts[name]["by_severity"].get("error", 0)) for name in report.checks]
    # a section per check, the anchors of the summary pointing at them
    assert {f"check-{name}" for name in report.checks} <= set(page.ids)
    assert {a["href"] for t, a in page.attrs if t == "a"} == {f"#check-{name}" for name in report.checks}


def flag_rows(page, check: str):
    """The rows of the flag table of a check's section (the table with a severity column)."""
    tables = [t for t in page.tables_in(f"check-{check}") if t and t[0].cells[:3] == ["lines", "severity", "code"]]
    assert len(tables) == 1
    return tables[0][1:]


def test_html_report_content_and_escaping(report):
    html = to_html(report)
    check_page(html, report)
    assert "evil <cases>.sssom.tsv" in report.file and "<cases>" not in html  # the file name too
    page = parse(html)
    ids = flag_rows(page, "ids")
    assert sorted(r.cells[2] for r in ids) == ["alt_id", "obsolete", "unknown_id"]
    assert all(r.cls == r.cells[1] for r in ids)  # each row classed by its severity
    assert [r.cells[1] for r in ids] == ["error", "error", "warning"]  # worst first
    drift = [r for r in flag_rows(page, "labels") if r.cells[2] == "label_drift"]
    assert len(drift) == 1 and EVIL in drift[0].cells[3] and drift[0].cells[0] == "17"
    # the coverage worklist is a table of its own; coverage flags are not listed again
    worklist = page.tables_in("check-coverage")
    assert len(worklist) == 1 and worklist[0][1].cells[:3] == ["MP:0002135", "abnormal kidney morphology", "2"]


def test_html_lists_at_most_examples_flags_per_check(report):
    page = parse(to_html(report, examples=1))
    assert len(flag_rows(page, "ids")) == 1
    assert "... and 2 more" in page.text


def test_cli_writes_the_html_page(mini_store, tmp_path):
    src = evil_cases(tmp_path)
    out = tmp_path / "out" / "report.html"
    res = CliRunner().invoke(app, ["mappings", "validate", str(src), "--store", str(mini_store),
                                   "--html", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("# Mapping validation: ")  # stdout stays the Markdown summary
    html = out.read_text()
    ctx = load_context(OxigraphStore.open(mini_store))
    check_page(html, validate(src, ctx, name=str(src)))
    # --format html prints the same page
    res = CliRunner().invoke(app, ["mappings", "validate", str(src), "--store", str(mini_store),
                                   "--format", "html", "--quiet"])
    assert res.exit_code == 0 and res.stdout.startswith("<!DOCTYPE html>")
    assert parse(res.stdout).errors == [] and "&lt;script&gt;" in res.stdout
