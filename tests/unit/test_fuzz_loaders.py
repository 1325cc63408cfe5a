"""Property-based fuzzing of every loader with mutated real rows (hypothesis).

Why: the bad-input suite (tests/integration/test_build_mini.py) checks the failures
someone thought of; this one mutates real-format files (the mini mirror and the
fixtures: IMPC CSV, HPOA, SSSOM, MGI HMD, OBO, HPO genes, uPheno best matches, MGI
COVID) at random: cells replaced by junk, dropped or duplicated, lines cut short,
stray bytes and delimiters, huge cells, blank lines, shuffled lines. The contract:
every outcome is a loaded record, or a problem in the report naming file, line and
field, or a :class:`SourceFormatError` naming the file - never any other exception.

A build-level property closes the loop: a whole build on a mutated mirror either
publishes or raises ``BuildFailed``, and when it fails the store that was serving
is untouched (same build, same counts) and no ``.partial`` directory is left.

Bounded for CI: a few dozen examples per loader, fixed seed (derandomize), no deadline.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kg.report import BuildReport, SourceFormatError
from loaders import LOADERS
from tests.conftest import FIXTURES, MINI_MIRROR

#: loader -> a real-format file to mutate, and its cell delimiter
CASES = {
    "impc_csv": (MINI_MIRROR / "impc" / "genotype-phenotype-assertions-ALL.csv", ","),
    "hpoa": (MINI_MIRROR / "hpo" / "phenotype.hpoa", "\t"),
    "sssom": (MINI_MIRROR / "mappings" / "mh_mapping_initiative" / "mp_hp_mgi_all.sssom.tsv", "\t"),
    "mgi_orthology": (MINI_MIRROR / "mgi" / "HMD_HumanPhenotype.rpt", "\t"),
    "obo": (MINI_MIRROR / "mp" / "mp.obo", ": "),
    "hpo_genes": (FIXTURES / "genes_to_phenotype.txt", "\t"),
    "upheno_bestmatches": (FIXTURES / "hp_mp_bestmatches.tsv", "\t"),
    "mgi_covid": (FIXTURES / "covid_3way.tsv", "\t"),
}
SETTINGS = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))

junk_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "NA", "nan", "inf", "-1e999", "1e-400", "%", "MP:", ":", "MP:abc",
                     "HP:0000001", "MGI:", "\"", "\"a,b\"", "\\", "\t", ",", "NOT", "#", "[Term]",
                     "id: MP:0000001", "is_a: ", "\x00", "\ufeff", "é", "🐭"]),
    st.integers(1, 5000).map(lambda n: "x" * n))
junk_bytes = st.one_of(st.binary(max_size=12),
                       st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\r", b"\x00", b"\x1f\x8b"]))


@st.composite
def mutations(draw, lines: list[bytes], sep: str):
    """A list of lines with 1-4 random edits of the kinds a damaged or odd release shows."""
    lines = list(lines)
    bsep = sep.encode()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        # mostly data lines, sometimes the header / first lines
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i].rstrip(b"\r\n")
        cells = line.split(bsep)
        kind = draw(st.sampled_from(["cell", "drop", "dup", "bytes", "cut", "huge", "blank",
                                     "swap", "delim", "shuffle", "newline"]))
        j = draw(st.integers(0, max(0, len(cells) - 1)))
        if kind == "cell":
            cells[j] = draw(junk_text).encode("utf-8", "surrogatepass")
        elif kind == "drop" and len(cells) > 1:
            del cells[j]
        elif kind == "dup":
            cells.insert(j, cells[j])
        elif kind == "bytes":
            cells[j] = cells[j] + draw(junk_bytes)
        elif kind == "cut":
            line = line[:draw(st.integers(0, len(line)))]
            cells = [line]
        elif kind == "huge":
            cells[j] = cells[j] * draw(st.integers(50, 400))
        elif kind == "blank":
            lines.insert(i, b"\n")
        elif kind == "swap" and len(cells) > 1:
            k = draw(st.integers(0, len(cells) - 1))
            cells[j], cells[k] = cells[k], cells[j]
        elif kind == "delim":
            cells[j] = cells[j] + draw(st.sampled_from([b",", b"\t", b";", b"|", b'"']))
        elif kind == "shuffle":
            k = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[k] = lines[k], lines[i]
            continue
        elif kind == "newline":
            cells[j] = cells[j] + b"\n"
        lines[i] = bsep.join(cells) + b"\n"
    return lines


def run_loader(name: str, data: bytes, gz: bool) -> tuple[list, BuildReport, Path]:
    """Load ``data`` with loader ``name``; assert the outcome is one the contract allows."""
    src, _ = CASES[name]
    with tempfile.TemporaryDirectory(prefix="kg-fuzz-") as tmp:
        path = Path(tmp) / (src.name + (".gz" if gz else ""))
        path.write_bytes(gzip.compress(data) if gz else data)
        report = BuildReport()
        try:
            records = list(LOADERS[name].load(path, report))
        except SourceFormatError as exc:
            assert exc.file and str(path.name) in exc.file, exc
            assert exc.message, exc
            return [], report, path
        for p in report.problems:
            assert p.file == str(path), p
            assert isinstance(p.line, int) and p.line >= 0, p
            assert p.field and isinstance(p.field, str), p
            assert p.message, p
        return records, report, path


def _lines(name: str) -> tuple[list[bytes], str]:
    src, sep = CASES[name]
    return src.read_bytes().splitlines(keepends=True), sep


@pytest.mark.parametrize("name", sorted(CASES))
def test_unmutated_fixture_loads(name):
    """The starting point is a file the loader reads without a fatal error."""
    lines, _ = _lines(name)
    records, _, _ = run_loader(name, b"".join(lines), gz=False)
    assert records


@pytest.mark.parametrize("name", sorted(CASES))
def test_mutated_rows_give_a_record_a_reported_problem_or_a_format_error(name):
    lines, sep = _lines(name)

    @given(mutated=mutations(lines, sep), gz=st.booleans())
    @SETTINGS
    def check(mutated, gz):
        run_loader(name, b"".join(mutated), gz)

    check()


@pytest.mark.parametrize("name", ["impc_csv", "hpoa", "sssom", "mgi_orthology"])
def test_random_bytes_never_crash_a_loader(name):
    """Whole files of arbitrary bytes (after a real header, or without one)."""
    lines, _ = _lines(name)

    @given(body=st.binary(max_size=400), keep_header=st.booleans())
    @SETTINGS
    def check(body, keep_header):
        run_loader(name, (lines[0] if keep_header else b"") + body, gz=False)

    check()


def test_stray_carriage_return_in_a_csv_cell_is_a_reported_row():
    """Found by this fuzzer: ``_csv.Error`` escaped the IMPC loader (and ``kg build``) as a traceback."""
    lines, _ = _lines("impc_csv")
    bad = lines[1].replace(b",JAX,", b",J\rAX,", 1)
    records, report, path = run_loader("impc_csv", b"".join([lines[0], bad, *lines[2:]]), gz=False)
    assert len(records) == len(lines) - 2  # every other row still loaded
    [problem] = [p for p in report.problems if p.field == "(csv)"]
    assert problem.line == 2 and problem.action == "skipped"


# -- build level ------------------------------------------------------------------------

MIRROR_TARGETS = ["impc/genotype-phenotype-assertions-ALL.csv", "hpo/phenotype.hpoa",
                  "mgi/HMD_HumanPhenotype.rpt", "mappings/mh_mapping_initiative/mp_hp_mgi_all.sssom.tsv",
                  "mp/mp.obo"]
SEPS = {"impc/genotype-phenotype-assertions-ALL.csv": ",", "mp/mp.obo": ": "}


@pytest.fixture(scope="module")
def served_store(tmp_path_factory):
    """A store with one published build (no scoring: the property is about publishing)."""
    from kg.build import build
    root = tmp_path_factory.mktemp("fuzzbuild") / "store"
    build(root, data_dir=MINI_MIRROR, allow_download=False, with_scoring=False, log=lambda m: None)
    return root


def test_build_on_a_mutated_mirror_publishes_or_fails_cleanly(served_store):
    from kg.build import BuildFailed, build
    from kg.store.layout import StoreRoot
    from kg.store.oxigraph_store import OxigraphStore

    files = {t: (MINI_MIRROR / t).read_bytes().splitlines(keepends=True) for t in MIRROR_TARGETS}

    @given(target=st.sampled_from(MIRROR_TARGETS), data=st.data())
    @settings(max_examples=8, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(target, data):
        mutated = data.draw(mutations(files[target], SEPS.get(target, "\t")))
        root = StoreRoot(served_store)
        before = root.require_current()
        counts_before = OxigraphStore.open_build(before).counts()
        with tempfile.TemporaryDirectory(prefix="kg-fuzz-mirror-") as tmp:
            mirror = Path(tmp) / "mirror"
            shutil.copytree(MINI_MIRROR, mirror)
            (mirror / target).write_bytes(b"".join(mutated))
            try:
                result = build(served_store, data_dir=mirror, allow_download=False,
                               with_scoring=False, log=lambda m: None)
            except BuildFailed:
                assert root.require_current() == before
                assert OxigraphStore.open_build(before).counts() == counts_before
            else:
                assert root.require_current() == result.build_dir
        assert not list((served_store / "builds").glob("*.partial"))

    check()
