"""OBO 1.2/1.4 ontologies (MP, HP) -> one OntologyHeader, then one OntologyTerm per [Term].

Why this shape: the builder needs every term, live or obsolete (obsolete terms
carry ``replaced_by`` / ``consider`` so annotations on them can be remapped), with
its direct ``is_a`` parents, synonyms, xrefs, subsets and alt_ids, plus the
release (``data-version``) for provenance. Typedef and Instance stanzas are not
used by the graph and are ignored.

Parser: ``fastobo`` (the Rust OBO parser that pronto itself is built on, installed
with pronto) rather than ``pronto.Ontology``. Reasons, measured on the real files:
pronto raises ``KeyError`` on an ``is_a`` to a term not declared in the file (a
loader must not decide whether a term exists: the builder does, and reports it),
it returns synonyms/xrefs/parents as unordered sets (records would not be
reproducible), and it takes about twice as long (hp.obo: ~3 s vs ~1.5 s).
fastobo gives the clauses in file order and a syntax error with its line.

Line numbers: fastobo does not keep them, so the text is scanned once (we read
it anyway, through :func:`loaders.textfile.numbered_lines`, which also reports
non-UTF-8 lines and raises on an empty or truncated gzip). A term's origin line
is the line of its ``id:`` tag; the header's origin is line 1.

Values are kept as written: synonym scope (EXACT, BROAD, NARROW, RELATED), the
header ``date`` as its raw text (OBO ``dd:MM:yyyy HH:mm``), ids as CURIEs.
A [Term] whose id is not a CURIE is reported (field ``id``) and skipped.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

import fastobo

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


def _scan(path: str | os.PathLike, report: BuildReport) -> tuple[str, list[tuple[str, int]]]:
    """Read the text; return it and, in file order, (id, line) of every [Term] stanza."""
    name = display_name(path)
    lines: list[str] = []
    term_ids: list[tuple[str, int]] = []
    want_id = False  # inside a [Term] stanza whose id: line is not seen yet
    checked = False
    for n, line in text_lines(path, report):
        lines.append(line)
        if not checked:
            if not line.strip() or line.lstrip().startswith("!"):
                continue
            _check_first_line(name, n, line)
            checked = True
        if line.startswith("["):
            want_id = line.startswith("[Term]")
        elif want_id and line.startswith("id:"):
            ident = line[3:].split("!", 1)[0].strip()
            term_ids.append((ident, n))
            want_id = False
    if not checked:
        raise SourceFormatError(name, None, None, "not an OBO file: no header and no stanza")
    return "".join(lines), term_ids


def _header(doc: fastobo.doc.OboDoc) -> dict[str, str | None]:
    out: dict[str, str | None] = dict.fromkeys(HEADER_TAGS)
    for clause in doc.header:
        tag = clause.raw_tag()
        if tag in out and out[tag] is None:
            out[tag] = str(clause.raw_value()).strip() or None
    return out


def load(path: str | os.PathLike, report: BuildReport) -> Iterator[OntologyHeader | OntologyTerm]:
    """Yield the header, then every [Term] (obsolete ones included) in file order."""
    name = display_name(path)
    text, term_lines = _scan(path, report)
    try:
        doc = fastobo.loads(text, ordered=True, threads=0)
    except SyntaxError as exc:
        raise SourceFormatError(name, exc.lineno, None, f"OBO syntax error: {exc.msg}") from None
    frames = [f for f in doc if isinstance(f, fastobo.term.TermFrame)]
    if not frames:
        raise SourceFormatError(name, None, None, "no [Term] stanza in the file")

    # Positional pairing of frames with the scanned [Term] stanzas is exact (both in
    # file order); fall back to a lookup by id if the scan disagrees with the parser.
    if len(term_lines) == len(frames):
        lines = [ln for _, ln in term_lines]
    else:  # pragma: no cover - only if the scan and fastobo disagree
        by_id = {i: ln for i, ln in term_lines}
        lines = [by_id.get(str(f.id), 1) for f in frames]

    terms: list[OntologyTerm] = []
    prefixes: Counter = Counter()
    for frame, line in zip(frames, lines):
        origin = Origin(name, line)
        term_id = str(frame.id)
        if not is_curie(term_id):
            report.add(origin, "id", f"term id is not a CURIE: {term_id!r}", "skipped")
            continue
        prefixes[prefix_of(term_id)] += 1
        terms.append(_term(term_id, frame, origin))

    head = _header(doc)
    prefix = prefixes.most_common(1)[0][0] if prefixes else ""
    yield OntologyHeader(
        prefix=prefix,
        data_version=head["data-version"],
        format_version=head["format-version"],
        date=head["date"],
        default_namespace=head["default-namespace"],
        origin=Origin(name, 1),
    )
    yield from terms


def _term(term_id: str, frame: fastobo.term.TermFrame, origin: Origin) -> OntologyTerm:
    label = definition = comment = None
    synonyms: list[Synonym] = []
    xrefs: list[str] = []
    parents: list[str] = []
    subsets: list[str] = []
    alt_ids: list[str] = []
    replaced_by: list[str] = []
    consider: list[str] = []
    obsolete = False
    t = fastobo.term
    for clause in frame:
        if isinstance(clause, t.NameClause):
            if label is None:
                label = clause.name
        elif isinstance(clause, t.DefClause):
            if definition is None:
                definition = clause.definition
        elif isinstance(clause, t.SynonymClause):
            syn = clause.synonym
            synonyms.append(Synonym(syn.desc, str(syn.scope)))
        elif isinstance(clause, t.XrefClause):
            xrefs.append(str(clause.xref.id))
        elif isinstance(clause, t.IsAClause):
            parents.append(str(clause.term))
        elif isinstance(clause, t.SubsetClause):
            subsets.append(str(clause.subset))
        elif isinstance(clause, t.AltIdClause):
            alt_ids.append(str(clause.alt_id))
        elif isinstance(clause, t.IsObsoleteClause):
            obsolete = bool(clause.obsolete)
        elif isinstance(clause, t.ReplacedByClause):
            replaced_by.append(str(clause.term))
        elif isinstance(clause, t.ConsiderClause):
            consider.append(str(clause.term))
        elif isinstance(clause, t.CommentClause):
            if comment is None:
                comment = clause.comment
    return OntologyTerm(
        id=term_id,
        label=label or None,
        definition=definition or None,
        synonyms=tuple(synonyms),
        xrefs=tuple(xrefs),
        parents=tuple(parents),
        subsets=tuple(subsets),
        alt_ids=tuple(alt_ids),
        obsolete=obsolete,
        replaced_by=tuple(replaced_by),
        consider=tuple(consider),
        comment=comment or None,
        origin=origin,
    )
