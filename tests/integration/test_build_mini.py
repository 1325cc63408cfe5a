"""The whole build on the mini mirror: counts, atomic publish, and the bad-input suite.

Each bad-input case copies the mini mirror, breaks one file, builds into a store
root that already holds a good build, and checks the documented outcome and that
the previous store still answers with its own counts.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from kg.build import BuildFailed, build
from kg.store.layout import StoreRoot
from kg.store.oxigraph_store import OxigraphStore

from tests.conftest import MINI_MIRROR

IMPC = "impc/genotype-phenotype-assertions-ALL.csv"


def _build(root: Path, data: Path):
    return build(root, data_dir=data, allow_download=False, with_scoring=False, log=lambda m: None)


@pytest.fixture
def mirror(tmp_path) -> Path:
    d = tmp_path / "mirror"
    shutil.copytree(MINI_MIRROR, d)
    return d


@pytest.fixture
def good_root(tmp_path) -> tuple[Path, str, dict]:
    root = tmp_path / "store"
    res = _build(root, MINI_MIRROR)
    return root, res.build_dir.name, res.manifest["counts"]


def _assert_previous_intact(root: Path, build_id: str, counts: dict) -> None:
    sr = StoreRoot(root)
    assert sr.require_current().name == build_id
    assert OxigraphStore.open(root).counts() == counts
    assert not list((root / "builds").glob("*.partial"))


def test_mini_build_counts(good_root):
    root, _, counts = good_root
    totals = counts["totals"]
    # 10 live + 2 obsolete MP terms, 17 live + 1 obsolete HP terms, and 3 UPHENO classes
    assert counts["per_source"]["mp"]["owl:Class"] == 12
    assert counts["per_source"]["mp"]["obsolete terms"] == 2
    assert counts["per_source"]["hp"]["owl:Class"] == 18
    assert totals["biolink:Disease"] == 3
    # 7 CSV rows, all distinct calls (one remapped), plus 1 API call with a life stage
    assert counts["per_source"]["impc"]["biolink:GenotypeToPhenotypicFeatureAssociation"] == 7
    assert counts["per_source"]["impc_api"]["biolink:GenotypeToPhenotypicFeatureAssociation"] == 1
    # models: Aaa<tm1> hom/het, Bbb<tm1b> hom, Ccc gene-level hom/het; API adds Bbb<tm1b> hom early adult
    assert totals["biolink:Genotype"] == 6
    assert counts["negated_annotations"] == 1
    assert counts["edges"]["mgi_orthology"]["biolink:orthologous_to"] == 4


def test_not_annotation_is_kept_negated_and_never_a_phenotype_edge(good_root):
    root, _, _ = good_root
    s = OxigraphStore.open(root)
    rows = s.select("""SELECT ?neg WHERE { ?a biolink:subject OMIM:100001 ; biolink:object HP:0004324 ;
                                              biolink:negated ?neg }""")
    assert rows == [{"neg": True}]
    assert not s.ask("ASK { OMIM:100001 biolink:has_phenotype HP:0004324 }")
    assert s.ask("ASK { OMIM:100001 biolink:has_phenotype HP:0004325 }")


def test_obsolete_term_is_remapped_and_reported(good_root):
    root, _, _ = good_root
    report = json.loads((StoreRoot(root).require_current() / "report.json").read_text())
    remaps = [p for p in report["problems"] if p["action"] == "remapped"]
    assert {(Path(p["file"]).name, p["line"], p["field"]) for p in remaps} == {
        ("genotype-phenotype-assertions-ALL.csv", 8, "mp_term_id"),
        ("phenotype.hpoa", 12, "hpo_id"),
    }
    s = OxigraphStore.open(root)
    assert s.ask("ASK { MODEL:gene_MGI_103_het biolink:has_phenotype MP:0001262 }")


def test_a_second_build_swaps_and_keeps_the_old_one_until_pruned(good_root):
    root, first, _ = good_root
    res = _build(root, MINI_MIRROR)
    assert res.build_dir.name != first
    assert StoreRoot(root).require_current().name == res.build_dir.name


def test_same_inputs_give_the_same_graph(good_root, tmp_path):
    root, _, _ = good_root
    other = tmp_path / "other"
    _build(other, MINI_MIRROR)

    def dump(r):
        st = OxigraphStore.open(r).store
        return sorted(str(q) for q in st.quads_for_pattern(None, None, None, None))

    assert dump(root) == dump(other)


# -- bad input: fatal ------------------------------------------------------------------

def test_truncated_gzip_stops_the_build(good_root, mirror):
    root, build_id, counts = good_root
    p = mirror / "hpo" / "genes_to_phenotype.txt.gz"
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(BuildFailed, match=r"genes_to_phenotype\.txt\.gz.*(truncated|corrupt)"):
        _build(root, mirror)
    _assert_previous_intact(root, build_id, counts)


def test_wrong_header_stops_the_build(good_root, mirror):
    root, build_id, counts = good_root
    p = mirror / IMPC
    lines = p.read_text().splitlines(True)
    lines[0] = lines[0].replace("mp_term_id", "mp_id")
    p.write_text("".join(lines))
    with pytest.raises(BuildFailed, match=r"genotype-phenotype-assertions-ALL\.csv:1"):
        _build(root, mirror)
    _assert_previous_intact(root, build_id, counts)


def test_empty_file_stops_the_build(good_root, mirror):
    root, build_id, counts = good_root
    (mirror / "mgi" / "HMD_HumanPhenotype.rpt").write_bytes(b"")
    with pytest.raises(BuildFailed, match=r"HMD_HumanPhenotype\.rpt.*empty"):
        _build(root, mirror)
    _assert_previous_intact(root, build_id, counts)


def test_file_in_the_wrong_format_stops_the_build(good_root, mirror):
    root, build_id, counts = good_root
    shutil.copy(mirror / IMPC, mirror / "mp" / "mp.obo")  # a CSV where the OBO should be
    with pytest.raises(BuildFailed, match=r"mp\.obo"):
        _build(root, mirror)
    _assert_previous_intact(root, build_id, counts)


def test_cli_exits_non_zero_on_bad_input(good_root, mirror):
    from typer.testing import CliRunner
    from kg.cli import app
    root, build_id, counts = good_root
    (mirror / "hpo" / "phenotype.hpoa").write_bytes(b"")
    res = CliRunner().invoke(app, ["build", "--data-dir", str(mirror), "--store", str(root),
                                   "--offline", "--no-scoring"])
    assert res.exit_code == 2
    assert "phenotype.hpoa" in res.output and "empty" in res.output
    _assert_previous_intact(root, build_id, counts)


# -- bad input: row level ---------------------------------------------------------------

def _replace_line(path: Path, lineno: int, old: str, new: str) -> None:
    lines = path.read_text().splitlines(True)
    assert old in lines[lineno - 1]
    lines[lineno - 1] = lines[lineno - 1].replace(old, new, 1)
    path.write_text("".join(lines))


def _problems(build_dir: Path) -> list[dict]:
    return json.loads((build_dir / "report.json").read_text())["problems"]


def test_non_numeric_p_value_is_reported_and_skipped(good_root, mirror):
    root, _, counts = good_root
    _replace_line(mirror / IMPC, 2, "1.0E-8", "abc")
    res = _build(root, mirror)
    hits = [p for p in _problems(res.build_dir) if p["field"] == "p_value"]
    assert [(Path(h["file"]).name, h["line"], h["action"]) for h in hits] == [
        ("genotype-phenotype-assertions-ALL.csv", 2, "skipped")]
    before = counts["per_source"]["impc"]["biolink:GenotypeToPhenotypicFeatureAssociation"]
    after = res.manifest["counts"]["per_source"]["impc"]["biolink:GenotypeToPhenotypicFeatureAssociation"]
    assert after == before - 1


def test_unknown_mp_id_is_reported_and_skipped(good_root, mirror):
    root, _, counts = good_root
    _replace_line(mirror / IMPC, 3, "MP:0003622", "MP:9999999")
    res = _build(root, mirror)
    hits = [p for p in _problems(res.build_dir) if p["field"] == "mp_term_id" and p["action"] == "skipped"]
    assert len(hits) == 1 and hits[0]["line"] == 3 and "MP:9999999" in hits[0]["message"]


def test_duplicate_rows_are_kept_once_and_counted(good_root, mirror):
    root, _, counts = good_root
    p = mirror / IMPC
    lines = p.read_text().splitlines(True)
    p.write_text("".join(lines + [lines[1], lines[4]]))
    res = _build(root, mirror)
    dups = [x for x in _problems(res.build_dir) if x["action"] == "deduplicated"]
    assert sorted(x["line"] for x in dups) == [len(lines) + 1, len(lines) + 2]
    assert res.manifest["counts"]["per_source"]["impc"] == counts["per_source"]["impc"]


def test_non_utf8_line_is_reported_and_skipped(good_root, mirror):
    root, _, counts = good_root
    p = mirror / IMPC
    raw = p.read_bytes().split(b"\n")
    raw[5] = raw[5].replace(b"Bbb<tm1b>", b"Bbb<tm1\xff>")
    p.write_bytes(b"\n".join(raw))
    res = _build(root, mirror)
    hits = [x for x in _problems(res.build_dir) if x["field"] == "(bytes)"]
    assert [(h["line"], h["action"]) for h in hits] == [(6, "skipped")]


def test_gzipped_and_plain_mirror_files_build_the_same(good_root, mirror):
    root, _, counts = good_root
    p = mirror / IMPC
    with gzip.open(str(p) + ".gz", "wb") as fh:
        fh.write(p.read_bytes())
    p.unlink()
    res = _build(root, mirror)
    assert res.manifest["counts"] == counts
