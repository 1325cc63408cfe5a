"""OBO 1.2/1.4 ontologies (MP, HP) -> one OntologyHeader, then one OntologyTerm per [Term].

Why this shape: the builder needs every term, live or obsolete (obsolete terms
carry ``replaced_by`` / ``consider`` so annotations on them can be remapped), with
its direct ``is_a`` parents, synonyms, xrefs, subsets and alt_ids, plus the
release (``data-version``) for provenance. Typedef and Instance stanzas are not
used by the graph and are ignored.

Parser: ``pronto.Ontology`` (issue 2 and the design card: "MP and HPO, parsed with
pronto"). Three things pronto does that a loader must not, and how they are handled:

- It raises ``KeyError`` on an ``is_a`` to a term not declared in the file, but
  whether a term exists is the builder's decision (it reports it), so the loader
  keeps such a parent as written. The text scan below collects every ``is_a``
  target; for each undeclared one a bare ``[Term]`` (or ``[Typedef]``) stub is
  appended to the text given to pronto, and stubs are never yielded. Should pronto
  still name a missing id, it is stubbed and the file parsed again (a few times
  at most).
- It returns synonyms, xrefs, parents, subsets, alt_ids, replaced_by and consider
  as sets. Each is put back in file order, using the order of those lines that
  the scan records per stanza (anything the scan could not match goes last,
  sorted), so records are reproducible and read like the file.
- It guesses the encoding of a binary handle from its first 8 KiB with chardet
  (and warns, ``UnicodeWarning``). A valid UTF-8 file whose 8 KiB peek ends inside
  a multi-byte character is then taken for cp1258 and silently transcoded. So the
  text is handed over as a path with ``encoding="utf-8"`` (no guessing): the scan
  writes the lines it read to a temporary file, removed before the first record is
  yielded. ``import:`` clauses are not followed (``import_depth=0``, no network),
  and pronto's warnings about OBO features the loader does not read are silenced.
  pronto only takes text that starts with ``format-version:``, ``[Term`` or
  ``[Typedef``; a file that opens with another header tag (legal OBO) gets a
  synthetic ``format-version`` first line in that copy, not reported in the header.

Sets also mean that two clauses pronto considers equal collapse to one (a synonym
repeated with the same text and scope, an ``is_a`` given twice); real MP/HP files
have none. Two [Term] stanzas with the same id are merged, as OBO specifies and
pronto does: one record at the first stanza's line, the later stanza reported
(``deduplicated``).

Line numbers: pronto does not keep them, so the text is scanned once (we read
it anyway, through :func:`loaders.textfile.numbered_lines`, which also reports
non-UTF-8 lines and raises on an empty or truncated gzip). A term's origin line
is the line of its ``id:`` tag; the header's origin is line 1. A syntax error is
reported at its line in the source file (lines dropped by the scan accounted for).

Values are kept as written: synonym scope (EXACT, BROAD, NARROW, RELATED), the
header ``date`` in OBO's ``dd:MM:yyyy HH:mm`` (the only form the parser accepts,
so re-formatting pronto's datetime gives the text back), ids as CURIEs.
A [Term] whose id is not a CURIE is reported (field ``id``) and skipped.

Two differences from the former fastobo loader that no real file shows: a file
whose last line lacks its newline now loads (fastobo stopped with "expected EOL"),
and a ``union_of`` with a single member stops the load (pronto refuses it:
SourceFormatError, "rejected by pronto"). On mp.obo.gz and hp.obo.gz every record
is identical to the fastobo loader's (compared field by field).

Time, best of 3 rounds, ``list(load(path, BuildReport()))`` on the gzipped releases
(before and after run alternately in the same process; shared 2-core machine, load
average 6-7). CPU time (``time.process_time``, all threads) is the stable figure;
wall time on this machine swung 2-3x from one round to the next:

============  ======================  ======================  =======================
file          before (fastobo), CPU   after (pronto), CPU     ``pronto.Ontology`` CPU
============  ======================  ======================  =======================
hp.obo.gz     2.22 s                  4.09 s                  2.87 s
mp.obo.gz     1.50 s                  3.05 s                  2.10 s
============  ======================  ======================  =======================

Wall time, same run, best of 3: hp 5.34 s -> 5.39 s, mp 1.76 s -> 7.87 s; the
first measurement before the change (unloaded moment) was hp 4.50 s, mp 2.64 s.
Most of the difference is pronto's own work per clause (fastobo, which pronto
uses, parses in Rust; pronto then builds Python objects for every clause, including
``property_value`` and ``creation_date`` lines this loader does not read). The rest
is the scan writing the temporary file and reading records through pronto's API.
Parsing with ``threads=1`` was faster here than pronto's default (one thread per
CPU), and keeps the parse free of races on repeated ids.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
import tempfile
import warnings
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import pronto

try:  # pronto type-checks the arguments of every public call (60k calls on hp.obo); we only read
    from pronto.utils.meta import typechecked as _typechecked
    _no_typechecks = _typechecked.disabled
except (ImportError, AttributeError):  # pragma: no cover - a pronto without that helper
    _no_typechecks = contextlib.nullcontext

from kg.model import OntologyHeader, OntologyTerm, Origin, Synonym
from kg.report import BuildReport, SourceFormatError
from kg.vocab import is_curie, prefix_of
from loaders.common import text_lines
from loaders.textfile import display_name

FORMAT = "obo"

#: the OBO tags this loader reads: header tags, then [Term] tags (OBO 1.4 names)
HEADER_TAGS = ("format-version", "data-version", "date", "default-namespace")
TERM_TAGS = (
    "id", "name", "def", "synonym", "xref", "is_a", "subset", "alt_id",
    "is_obsolete", "replaced_by", "consider", "comment",
)

# Tags that may open an OBO header (OBO 1.4 spec, section 3.2): used to tell an OBO
# file from, say, a CSV before handing it to the parser.
_KNOWN_HEADER_TAGS = frozenset({
    "format-version", "data-version", "version", "date", "saved-by", "auto-generated-by",
    "import", "subsetdef", "synonymtypedef", "idspace", "id-mapping",
    "default-relationship-id-prefix", "default-namespace", "namespace-id-rule",
    "remark", "ontology", "owl-axioms", "property_value", "treat-xrefs-as-equivalent",
    "treat-xrefs-as-genus-differentia", "treat-xrefs-as-relationship",
    "treat-xrefs-as-is_a", "treat-xrefs-as-has-subclass", "logical-definition-view-relation",
})
_STANZAS = ("[Term]", "[Typedef]", "[Instance]")

# pronto only recognises OBO text that starts with one of these (after blanks); a
# file that opens otherwise gets a synthetic first line in the copy (see _scan).
_PRONTO_STARTS = ("format-version:", "[Term", "[Typedef")
_SYNTHETIC_FIRST = "format-version: 1.2\n"

#: [Term] tags whose values pronto returns as sets; the scan records their file order
_ORDERED_TAGS = frozenset({
    "is_a", "synonym", "xref", "subset", "alt_id", "replaced_by", "consider"})
_MAX_REPARSE = 3

_TOKEN = re.compile(r"\s*((?:\\.|[^\s\\])+)")  # an OBO identifier, escapes included
_SYNONYM = re.compile(r'\s*"((?:\\.|[^"\\])*)"\s+(\S+)')  # "text" SCOPE ...
_ESCAPE = re.compile(r"\\(.)")
_UNESCAPE = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "W": " "}


def _check_first_line(name: str, n: int, line: str) -> None:
    text = line.strip()
    if text in _STANZAS:
        return
    tag = text.split(":", 1)[0] if ":" in text else None
    if tag in _KNOWN_HEADER_TAGS:
        return
    raise SourceFormatError(
        name, n, None,
        "not an OBO file: expected a header tag such as 'format-version:' or a "
        f"[Term] stanza on the first line, found {text[:80]!r}")


def _token(value: str) -> str | None:
    m = _TOKEN.match(value)
    return m.group(1) if m else None


def _synonym_key(value: str) -> tuple[str, str] | None:
    m = _SYNONYM.match(value)
    if not m:
        return None
    text = m.group(1)
    if "\\" in text:
        text = _ESCAPE.sub(lambda e: _UNESCAPE.get(e.group(1), e.group(1)), text)
    return text, m.group(2)


@dataclass
class _Stanza:
    """One [Term] as the scan saw it: its id line and, per set-valued tag, file order."""

    id: str
    line: int
    order: dict[str, list[Hashable]] = field(default_factory=dict)


@dataclass
class _Scan:
    terms: list[_Stanza] = field(default_factory=list)  # one per [Term], file order
    term_parents: set[str] = field(default_factory=set)  # is_a targets in [Term]s
    typedef_ids: set[str] = field(default_factory=set)
    typedef_parents: set[str] = field(default_factory=set)
    has_format_version: bool = False
    # (line in the temporary file, line in the source) wherever their offset changes
    marks: list[tuple[int, int]] = field(default_factory=lambda: [(1, 1)])

    def source_line(self, line: int | None) -> int | None:
        if line is None:
            return None
        i = bisect.bisect_right(self.marks, (line, float("inf"))) - 1
        tmp, src = self.marks[max(i, 0)]
        return src + (line - tmp)


def _scan(path: str | os.PathLike, report: BuildReport, out: IO[str]) -> _Scan:
    """Read the text, write it to ``out`` for pronto, and record what pronto drops."""
    name = display_name(path)
    scan = _Scan()
    written = 0  # lines written to out
    offset = 0  # source line - written line
    stanza: _Stanza | None = None  # the current [Term], once its id: line is seen
    kind: str | None = None  # "[Term]", "[Typedef]", ... or None in the header
    want_id = False
    checked = False  # the first line that is not blank or a comment passed the check
    for n, line in text_lines(path, report):
        if not checked:
            if not line.strip():
                continue  # leading blank lines: not written, line numbers kept by marks
            if not written and not line.startswith(_PRONTO_STARTS):
                out.write(_SYNTHETIC_FIRST)
                written += 1
            if not line.lstrip().startswith("!"):
                _check_first_line(name, n, line)
                checked = True
        out.write(line)
        written += 1
        if n - written != offset:
            offset = n - written
            scan.marks.append((written, n))

        if line.startswith("["):
            kind = line.strip()
            stanza, want_id = None, True
            continue
        tag, sep, value = line.partition(":")
        if not sep:
            continue
        if kind is None:
            if tag == "format-version":
                scan.has_format_version = True
        elif kind == "[Term]":
            if want_id and tag == "id":
                stanza = _Stanza(value.split("!", 1)[0].strip(), n)
                scan.terms.append(stanza)
                want_id = False
            elif stanza is not None and tag in _ORDERED_TAGS:
                key = _synonym_key(value) if tag == "synonym" else _token(value)
                if key is not None:
                    stanza.order.setdefault(tag, []).append(key)
                    if tag == "is_a":
                        scan.term_parents.add(key)
        elif kind == "[Typedef]":
            if want_id and tag == "id":
                scan.typedef_ids.add(value.split("!", 1)[0].strip())
                want_id = False
            elif tag == "is_a" and (key := _token(value)) is not None:
                scan.typedef_parents.add(key)
    if not checked:
        raise SourceFormatError(name, None, None, "not an OBO file: no header and no stanza")
    return scan


def _write_stubs(out: IO[str], stanza: str, ids: Iterable[str]) -> None:
    for ident in sorted(ids):
        out.write(f"\n{stanza}\nid: {ident}\n")


def _parse(name: str, tmp: str, scan: _Scan, out: IO[str]) -> pronto.Ontology:
    """``pronto.Ontology`` on the scanned text, stubbing undeclared is_a targets."""
    declared = {s.id for s in scan.terms}
    stubbed = scan.term_parents - declared
    out.write("\n")  # the last source line may lack its newline
    _write_stubs(out, "[Term]", stubbed)
    _write_stubs(out, "[Typedef]", scan.typedef_parents - scan.typedef_ids)
    for _ in range(_MAX_REPARSE + 1):
        out.flush()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UnicodeWarning)
                warnings.simplefilter("ignore", pronto.warnings.ProntoWarning)
                return pronto.Ontology(tmp, import_depth=0, threads=1, encoding="utf-8")
        except SyntaxError as exc:
            raise SourceFormatError(name, scan.source_line(exc.lineno), None,
                                    f"OBO syntax error: {exc.msg}") from None
        except KeyError as exc:  # an is_a target the scan did not read as pronto does
            missing = exc.args[0] if exc.args else None
            if not isinstance(missing, str) or missing in stubbed or missing in declared:
                msg = f"OBO file rejected by pronto: unknown id {missing!r}"
                raise SourceFormatError(name, None, None, msg) from None
            stubbed.add(missing)
            _write_stubs(out, "[Term]", [missing])
        except ValueError as exc:  # e.g. a union_of with one member
            raise SourceFormatError(name, None, None,
                                    f"OBO file rejected by pronto: {exc}") from None
    raise SourceFormatError(name, None, None,
                            f"OBO file rejected by pronto: more than {_MAX_REPARSE} undeclared ids")


def _in_file_order(by_key: dict[Hashable, Any], keys: list[Hashable] | None) -> tuple:
    """The values of ``by_key`` (pronto's set, keyed as the scan keys its lines) in file order.

    Values whose key the scan did not record come last, sorted by key.
    """
    if len(by_key) < 2:
        return tuple(by_key.values())
    out = [by_key[k] for k in dict.fromkeys(keys or ()) if k in by_key]
    if len(out) < len(by_key):
        seen = set(keys or ())
        out += [by_key[k] for k in sorted(k for k in by_key if k not in seen)]
    return tuple(out)


def _ids(ids: Iterable[str]) -> dict[str, str]:
    return {i: i for i in ids}


def _header(ont: pronto.Ontology, scan: _Scan, prefix: str, origin: Origin) -> OntologyHeader:
    meta = ont.metadata

    def text(value: str | None) -> str | None:
        return (value or "").strip() or None

    return OntologyHeader(
        prefix=prefix,
        data_version=text(meta.data_version),
        format_version=text(meta.format_version) if scan.has_format_version else None,
        date=meta.date.strftime("%d:%m:%Y %H:%M") if meta.date else None,
        default_namespace=text(meta.default_namespace),
        origin=origin,
    )


def load(path: str | os.PathLike, report: BuildReport) -> Iterator[OntologyHeader | OntologyTerm]:
    """Yield the header, then every [Term] (obsolete ones included) in file order."""
    name = display_name(path)
    with tempfile.TemporaryDirectory(prefix="impc-kg-obo-") as tmpdir:
        tmp = os.path.join(tmpdir, "source.obo")
        with open(tmp, "w", encoding="utf-8", newline="") as out:
            scan = _scan(path, report, out)
            ont = _parse(name, tmp, scan, out)
    if not scan.terms:
        raise SourceFormatError(name, None, None, "no [Term] stanza in the file")

    # one record per id, at its first stanza; a repeated stanza is merged by pronto
    first: dict[str, _Stanza] = {}
    for st in scan.terms:
        seen = first.get(st.id)
        if seen is None:
            first[st.id] = st
            continue
        for tag, keys in st.order.items():
            seen.order.setdefault(tag, []).extend(keys)
        if is_curie(st.id):
            report.add(Origin(name, st.line), "id",
                       f"[Term] {st.id} repeats the stanza at line {seen.line}: merged",
                       "deduplicated")

    terms: list[OntologyTerm] = []
    prefixes: Counter = Counter()
    with _no_typechecks():
        terms.extend(_terms(ont, first.values(), name, report, prefixes))
    prefix = prefixes.most_common(1)[0][0] if prefixes else ""
    yield _header(ont, scan, prefix, Origin(name, 1))
    yield from terms


def _terms(ont: pronto.Ontology, stanzas: Iterable[_Stanza], name: str, report: BuildReport,
           prefixes: Counter) -> Iterator[OntologyTerm]:
    for st in stanzas:
        origin = Origin(name, st.line)
        if not is_curie(st.id):
            report.add(origin, "id", f"term id is not a CURIE: {st.id!r}", "skipped")
            continue
        try:
            term = ont.get_term(st.id)
        except KeyError:  # pragma: no cover - only if the scan and pronto disagree on an id
            report.add(origin, "id", f"term {st.id!r} not found by the OBO parser", "skipped")
            continue
        prefixes[prefix_of(st.id)] += 1
        yield _term(term, st, origin)


def _term(term: pronto.Term, st: _Stanza, origin: Origin) -> OntologyTerm:
    order = st.order.get
    return OntologyTerm(
        id=st.id,
        label=term.name or None,
        definition=str(term.definition) if term.definition else None,
        synonyms=_in_file_order({(s.description, s.scope): Synonym(s.description, s.scope)
                                 for s in term.synonyms}, order("synonym")),
        xrefs=_in_file_order(_ids(x.id for x in term.xrefs), order("xref")),
        parents=_in_file_order(_ids(p.id for p in term.superclasses(distance=1, with_self=False)),
                               order("is_a")),
        subsets=_in_file_order(_ids(term.subsets), order("subset")),
        alt_ids=_in_file_order(_ids(term.alternate_ids), order("alt_id")),
        obsolete=bool(term.obsolete),
        replaced_by=_in_file_order(_ids(term.replaced_by.ids), order("replaced_by")),
        consider=_in_file_order(_ids(term.consider.ids), order("consider")),
        comment=term.comment or None,
        origin=origin,
    )
