"""kg.mappings: one fixture row per check (tests/fixtures/mappings_validate_mini.sssom.tsv),
validated against the mini store (tests/fixtures/mirror, built once per session), plus
hand-made contexts for the cases the mini ontologies cannot show, and malformed files.

Line numbers are the fixture's: 8 '#' lines, the header on line 9, rows from line 10.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kg.mappings import MalformedMappingFile, load_context, validate
from kg.mappings.context import MappingContext, ReferenceSet
from kg.mappings.impact import build_baseline
from kg.mappings.report import to_json, to_markdown, to_sssom
from kg.mappings.validate import (
    CHECKS, EXACT, MappingFile, _State, check_hierarchy, mapping_pairs, parse_checks, parse_mapping_file,
)
from kg.scoring import ScoringConfig
from kg.store.oxigraph_store import OxigraphStore

FIX = Path(__file__).resolve().parents[1] / "fixtures"
CASES = FIX / "mappings_validate_mini.sssom.tsv"


@pytest.fixture(scope="module")
def ctx(mini_store):
    return load_context(OxigraphStore.open(mini_store))


@pytest.fixture(scope="module")
def report(ctx):
    return validate(CASES, ctx)


def flags(report, check, code=None):
    return [f for f in report.results[check].flags if code is None or f.code == code]


def lines(report, check, code):
    return sorted(n for f in flags(report, check, code) for n in f.lines)


def write(tmp_path, text, name="m.sssom.tsv"):
    p = tmp_path / name
    p.write_text(text)
    return p


# -- the context read from the store -----------------------------------------------------------
def test_context_from_the_mini_store(ctx):
    assert ctx.labels["MP:0001262"] == "decreased body weight"
    assert ctx.alt["MP:0099999"] == "MP:0001260"
    assert ctx.obsolete["MP:0000002"][0] == ("MP:0001262",)
    assert ctx.live("MP:0000002") == "MP:0001262" and ctx.live("MP:0000003") is None
    assert ctx.is_a("MP:0011100", "MP:0010768") and not ctx.is_a("MP:0010768", "MP:0011100")
    assert ctx.calls["MP:0001262"][0] == 3  # two calls plus the obsolete MP:0000002 one, remapped
    assert ctx.active_sets == ("upheno_species_independent", "mgi_curated")
    assert set(ctx.sets) == {"upheno_species_independent", "mgi_curated"}
    assert ctx.build["mapping_sets_missing"] == ["upheno_lexical"]
    assert ctx.n_diseases == 3


def test_rows_read_and_the_clean_row_has_no_flag(report):
    assert report.rows_read == 11 and report.rows_unreadable == 1
    assert report.checks == list(CHECKS[:-1])
    assert not [f for f in report.flags if 10 in f.lines]


# -- 1 structure --------------------------------------------------------------------------------
def test_structure(report):
    assert lines(report, "structure", "unreadable_row") == [11]
    assert lines(report, "structure", "invalid_justification") == [12]
    (f,) = flags(report, "structure", "invalid_justification")
    assert f.suggestion == "semapv:LogicalReasoning" and f.severity == "error"
    assert lines(report, "structure", "confidence_out_of_range") == [13]
    assert {f.code for f in flags(report, "structure")} == {
        "unreadable_row", "invalid_justification", "confidence_out_of_range"}


def test_structure_metadata_prefixes_columns_duplicates(tmp_path, ctx):
    p = write(tmp_path, "subject_id\tpredicate_id\tobject_id\tmatch_type\tfoo\n"
                        "MP:0001262\tskos:exactMatch\tHP:0004325\tsemapv:ManualMappingCuration\tx\n"
                        "MP:0001262\tskos:exactMatch\tHP:0004325\tsemapv:ManualMappingCuration\tx\n"
                        "MP:0001260\tex:foo\tZZZ:1\tsemapv:ManualMappingCuration\t\n"
                        "MP:0001262\tskos:exactMatch\tHP:0004325\tsemapv:ManualMappingCuration\ty\n")
    r = validate(p, ctx, "structure")
    codes = {f.code: f for f in flags(r, "structure")}
    assert {"missing_metadata", "nonstandard_column", "unknown_column", "duplicate_row",
            "prefix_not_in_curie_map", "prefix_unknown_to_graph", "predicate_not_kept"} <= set(codes)
    assert codes["duplicate_row"].lines == (3,) and codes["duplicate_row"].details["first_line"] == 2
    assert codes["repeated_triple"].lines == (5,) and codes["repeated_triple"].severity == "info"
    missing = {f.details["value"] for f in flags(r, "structure", "prefix_not_in_curie_map")}
    assert missing == {"MP", "HP", "ZZZ", "ex"}  # skos and semapv are built in
    assert {f.details["slot"] for f in flags(r, "structure", "missing_metadata")} == {"mapping_set_id", "license"}
    assert lines(r, "structure", "predicate_not_kept") == [4]


# -- 2 ids -------------------------------------------------------------------------------------------
def test_ids(report):
    (obs,) = flags(report, "ids", "obsolete")
    assert obs.lines == (14,) and obs.suggestion == "MP:0001262"
    (alt,) = flags(report, "ids", "alt_id")
    assert alt.lines == (15,) and alt.suggestion == "MP:0001260"
    (unk,) = flags(report, "ids", "unknown_id")
    assert unk.lines == (16,) and unk.object_id == "HP:9999999"
    assert report.results["ids"].summary["ids_checked"] == 22


def test_obsolete_without_replacement_suggests_consider(tmp_path, ctx):
    p = write(tmp_path, "subject_id\tpredicate_id\tobject_id\nMP:0000003\tskos:exactMatch\tHP:0004324\n")
    (f,) = flags(validate(p, ctx, "ids"), "ids")
    assert f.code == "obsolete_no_replacement" and f.suggestion == "MP:0001260"


# -- 3 labels ---------------------------------------------------------------------------------------
def test_labels_show_both(report):
    drift = flags(report, "labels", "label_drift")
    assert [(f.lines, f.details["file_label"], f.details["current_label"]) for f in drift] == [
        ((17,), "kidney phenotype", "renal/urinary system phenotype")]
    (minor,) = flags(report, "labels", "label_minor")
    assert minor.lines == (17,) and minor.severity == "info"


# -- 4 cardinality ---------------------------------------------------------------------------------
def test_cardinality(report):
    (f,) = flags(report, "cardinality")
    assert f.code == "many_to_one" and f.object_id == "HP:0001522" and f.lines == (18, 19)
    assert f.details["partners"] == ["MP:0010768", "MP:0011100"]


# -- 5 hierarchy ------------------------------------------------------------------------------------
def test_hierarchy(report):
    assert lines(report, "hierarchy", "exact_is_broader") == [18]
    assert lines(report, "hierarchy", "exact_is_narrower") == [19]
    (f,) = flags(report, "hierarchy", "parent_not_preserved")
    assert f.lines == (17, 20) and f.details["parent"]["mp"] == "MP:0005367"  # both rows: either may be wrong
    assert f.details["subtype"] == "unrelated" and f.severity == "info"


def _ctx(parents: dict[str, tuple[str, ...]], sets: dict | None = None) -> MappingContext:
    """A hand-made snapshot (what load_context would read), for shapes the mini store lacks."""
    labels = {t: t.lower() for t in parents}
    return MappingContext(labels=labels, parents=parents, obsolete={}, alt={}, calls={}, n_diseases=1,
                          sets=sets or {}, active_sets=())


def _mf(rows):
    from kg.model import MappingSetInfo, Origin, TermMapping
    ms = [TermMapping(s, p, o, None, origin=Origin("x", n)) for n, (s, p, o) in enumerate(rows, start=2)]
    return MappingFile("x", MappingSetInfo(None, None, None, None, {}, Origin("x", 1)), [], 1, ms, [])


def test_hierarchy_inverted_close_pair_is_a_warning():
    # MP:2 is_a MP:1; HP:1 is_a HP:2 (inverted); one pair close: parent_not_preserved, inverted
    c = _ctx({"MP:1": (), "MP:2": ("MP:1",), "HP:2": (), "HP:1": ("HP:2",)})
    mf = _mf([("MP:1", "skos:exactMatch", "HP:1"), ("MP:2", "skos:closeMatch", "HP:2")])
    res = check_hierarchy(mf, c, _State(mapping_pairs([(m.subject_id, m.predicate_id, m.object_id,
                                                        m.origin.line) for m in mf.rows], c), {}))
    (f,) = res.flags
    assert (f.code, f.severity, f.details["subtype"], f.lines) == ("parent_not_preserved", "warning", "inverted", (2, 3))


def test_upheno_class_rows_make_pairs_in_either_column_order():
    c = _ctx({"MP:1": (), "HP:1": (), "HP:2": ()})
    pairs = mapping_pairs([("UPHENO:1", "semapv:crossSpeciesExactMatch", "MP:1", 2),
                           ("HP:1", "semapv:crossSpeciesExactMatch", "UPHENO:1", 3),
                           ("UPHENO:1", "semapv:crossSpeciesExactMatch", "ZP:9", 4),
                           ("HP:2", "skos:broadMatch", "MP:1", 5)], c)
    got = {(p.mp, p.hp, p.kind, p.lines, p.via) for p in pairs}
    assert got == {("MP:1", "HP:1", EXACT, (2, 3), "UPHENO:1"), ("MP:1", "HP:2", "mp_broader", (5,), None)}


# -- 6 agreement ------------------------------------------------------------------------------------
def test_agreement(report):
    (conflict,) = flags(report, "agreement", "conflict")
    assert conflict.lines == (20,) and conflict.details == {
        "reference_set": "mgi_curated", "file": ["HP:0001522"], "reference": ["HP:0000016"]}
    (related,) = flags(report, "agreement", "conflict_related")
    assert related.lines == (21,) and related.details["reference_set"] == "upheno_species_independent"
    s = report.results["agreement"].summary
    row = next(r for r in s["pairwise"] if r["sets"] == ["file", "mgi_curated"])
    assert (row["agree"], row["conflict"]) == (2, 1)  # MP:0001262 and MP:0001260 agree
    assert s["reference_sets_missing"] == ["upheno_lexical"]


# -- 7 coverage --------------------------------------------------------------------------------------
def test_coverage_worklist(report):
    (f,) = flags(report, "coverage")
    assert f.subject_id == "MP:0002135" and f.severity == "info" and f.lines == ()
    s = report.results["coverage"].summary
    (w,) = s["worklist"]
    assert (w["calls"], w["models"], w["models_reached"], w["scores"], w["mapped_in"]) == (2, 2, 2, 6, ["mgi_curated"])
    assert (s["mp_terms_with_calls"], s["unmapped"], s["calls_on_unmapped_terms"]) == (5, 1, 2)


# -- 8 impact ----------------------------------------------------------------------------------------
def test_impact_rebuilds_the_scores_with_the_file_swapped_in(ctx):
    # min_ic 0: the mini corpus is too small for the default threshold to leave any score
    base = build_baseline(ctx, ScoringConfig(min_ic=0.0))
    r = validate(CASES, ctx, "8", impact_options={"baseline": base, "replaces": "mgi_curated"})
    s = r.results["impact"].summary
    assert s["replaces"] == "mgi_curated" and s["shared_rows_with_active_sets"]["mgi_curated"] == 0.2
    assert s["bridge_edges_before"] == 12 and s["bridge_edges_from_file"] > 0
    assert s["hp_terms_with_changed_scores"] > 0 and s["diseases_ranked"] == s["diseases_with_changed_scores"] > 0
    assert not s["truncated"]
    auto = validate(CASES, ctx, "impact", impact_options={"baseline": base}).results["impact"].summary
    assert auto["replaces"] is None  # shares 20% < 50% with mgi_curated: added, not swapped
    with pytest.raises(ValueError, match="not an active mapping set"):
        validate(CASES, ctx, "impact", impact_options={"baseline": base, "replaces": "pistoia"})


def test_impact_of_the_active_set_itself_is_nil(ctx):
    base = build_baseline(ctx, ScoringConfig(min_ic=0.0))
    p = FIX / "mirror" / "mappings" / "mh_mapping_initiative" / "mp_hp_mgi_all.sssom.tsv"
    s = validate(p, ctx, "impact", impact_options={"baseline": base}).results["impact"].summary
    assert s["replaces"] == "mgi_curated" and s["diseases_with_changed_scores"] == 0


# -- reports ----------------------------------------------------------------------------------------
def test_sssom_output_is_sssom_with_a_comment_per_flagged_row(report, tmp_path):
    text = to_sssom(report)
    p = write(tmp_path, text, "flagged.sssom.tsv")
    mf = parse_mapping_file(p)
    assert not mf.problems
    assert mf.info.mapping_set_id == "https://example.org/mini/validator-cases.sssom.tsv"
    assert mf.info.curie_map["MP"] == "http://purl.obolibrary.org/obo/MP_"
    by_subject = {m.subject_id: m.comment for m in mf.rows}
    assert len(mf.rows) == 10  # the 11 rows read, less the clean one (line 10)
    assert "MP:0001262" not in by_subject
    assert by_subject["MP:0000002"].startswith("line 14: [ids/obsolete]")
    assert "(suggestion: MP:0001262)" in by_subject["MP:0000002"]
    assert by_subject["MP:0000002"].endswith("|| original comment: 2 ids: obsolete, replaced_by MP:0001262")
    assert "coverage/unmapped_with_calls x1" in text.splitlines()[3]
    only_errors = parse_mapping_file(write(tmp_path, to_sssom(report, "error"), "e.tsv"))
    assert [m.comment.split(":")[0] for m in only_errors.rows] == ["line 12", "line 13", "line 14", "line 16"]


def test_json_and_markdown(report):
    j = to_json(report)
    assert j["counts"]["ids"]["by_code"] == {"obsolete": 1, "alt_id": 1, "unknown_id": 1}
    assert j["rows_read"] == 11 and len(j["flags"]) == len(report.flags)
    assert {f["severity"] for f in to_json(report, "warning")["flags"]} <= {"error", "warning"}
    md = to_markdown(report)
    assert md.startswith("# Mapping validation: ")
    for heading in ("## Summary", "## 1. structure", "## 6. agreement", "## 7. coverage"):
        assert heading in md
    assert "| MP:0002135 | abnormal kidney morphology | 2 | 2 | 2 | 6 | mgi_curated |" in md


# -- malformed files and options -------------------------------------------------------------------------
@pytest.mark.parametrize("text,line,needle", [
    ("subject_id\tobject_id\nMP:1\tHP:1\n", 1, "missing required column(s) ['predicate_id']"),
    ("#curie_map: [\n#  - x\nsubject_id\tpredicate_id\tobject_id\n", 2, "not YAML"),
    ("# only comments\n", None, "no header line"),
])
def test_malformed_file_names_the_line(tmp_path, ctx, text, line, needle):
    with pytest.raises(MalformedMappingFile) as exc:
        validate(write(tmp_path, text), ctx, name="cand.tsv")
    assert exc.value.file == "cand.tsv" and exc.value.line == line and needle in exc.value.message
    assert str(exc.value).startswith("cand.tsv")


def test_empty_and_gzipped_files(tmp_path, ctx):
    with pytest.raises(MalformedMappingFile, match="empty"):
        validate(write(tmp_path, ""), ctx)
    gz = tmp_path / "c.sssom.tsv.gz"
    gz.write_bytes(gzip.compress(CASES.read_bytes()))
    assert validate(gz, ctx, "1").rows_read == 11


def test_wrong_field_count_and_non_utf8_rows_are_structure_flags(tmp_path, ctx):
    p = tmp_path / "b.tsv"
    p.write_bytes(b"subject_id\tpredicate_id\tobject_id\nMP:0001262\tskos:exactMatch\tHP:0004325\tx\n"
                  b"MP:0001260\tskos:exactMatch\tHP:\xff0004324\n")
    r = validate(p, ctx, "structure")
    got = {(f.lines, f.details["field"]) for f in flags(r, "structure", "unreadable_row")}
    assert got == {((2,), "(row)"), ((3,), "(bytes)")}


def test_parse_checks():
    assert parse_checks("2,1") == ["structure", "ids"]
    with pytest.raises(ValueError, match="unknown check"):
        parse_checks("9")


def test_the_store_is_not_changed(mini_store, ctx):
    build = next((mini_store / "builds").iterdir())
    before = sorted((p.relative_to(build), p.stat().st_mtime_ns, p.stat().st_size)
                    for p in build.rglob("*") if p.is_file())
    validate(CASES, ctx)
    after = sorted((p.relative_to(build), p.stat().st_mtime_ns, p.stat().st_size)
                   for p in build.rglob("*") if p.is_file())
    assert before == after


def test_reference_sets_are_only_read(ctx):
    assert isinstance(ctx.sets["mgi_curated"], ReferenceSet)
    assert ("MP:0003622", "skos:exactMatch", "HP:0000016") in ctx.sets["mgi_curated"].rows
