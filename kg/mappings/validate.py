"""The mapping validator: parse an SSSOM TSV with :mod:`loaders.sssom`, then one function per check.

Why these checks: curators fix what breaks the graph or the disease-model scores first.
A row the build would skip or misread (structure, ids) is an error; a row that is
readable but probably wrong (label drift, cardinality, hierarchy, disagreement with the
other sets) is a warning; the coverage worklist says which missing mappings matter most
for IMPC data. Every flag names the file line(s) so the curator can go straight there.

Checks (``CHECKS``, numbered as in the issue):

1. ``structure``: what the SSSOM 1.1 schema (sssom-schema 1.1.0a5) requires of the slots
   the loader reads: required columns and metadata (``mapping_justification``,
   ``mapping_set_id``, ``license``), the SEMAPV justification values, confidence in
   [0, 1], ISO dates, strict CURIEs (no ``|`` in single-valued references), prefix-map
   completeness (every prefix used is in ``curie_map`` or is one of sssom-py's built-ins),
   plus what the build needs (prefixes it knows, mapping predicates it keeps); a row
   written twice is ``duplicate_row``, a triple repeated with other metadata (several
   records of evidence, allowed by SSSOM) only ``repeated_triple`` (info). Rows the
   loader could not read are listed with their line and field. Own code rather than
   sssom-py: measured on the 32k-row uPheno file, sssom-py 0.4.21 needs 4.9 s to import,
   12.5 s to parse and 91 s for its JSON-schema validation (2 shared cores, loaded), and
   brings ~100 packages (pandas, linkml); the whole validator has 10 s. Its rules for
   the slots read here are reproduced (enumerations and built-in prefixes copied from
   sssom-schema 1.1.0a5 and sssom-py), not its columns the loader ignores.
2. ``ids``: MP and HP ids against the store's ontologies: unknown, obsolete (with
   ``replaced_by`` or the ``consider`` list), alt_id (with the live id). Ids of other
   ontologies (ZP, UPHENO, ...) are counted, not checked: the store does not hold them.
3. ``labels``: ``subject_label`` / ``object_label`` against the current label (both shown);
   a difference in case, spacing or punctuation only is ``label_minor`` (``info``).
4. ``cardinality``: exact MP<->HP pairs (``skos:exactMatch``, ``owl:equivalentClass``, and
   MP/HP members of one uPheno class) that are not 1:1 within the file.
5. ``hierarchy``: for exact or close pairs A<->a and B<->b with A is_a+ B (B the nearest
   mapped MP ancestor), a must be a descendant-or-self of b in HP, and the reverse;
   an exact pair whose terms sit below or above each other across the file's other exact
   pairs (A is_a* B = b is_a* a) is flagged as broad/narrow, not exact: with it, the
   bridge makes distinct terms of one ontology equivalent. An HP counterpart that is merely
   elsewhere in HP (the two ontologies classify by different axes) is ``info``; one that
   is above the parent's counterpart (inverted) is a ``warning``.
6. ``agreement``: per MP term, the HP terms that the file and the store's MGI curated,
   uPheno lexical and uPheno species-independent sets map it to (exact or close):
   agree, overlap, conflict between related terms, conflict.
7. ``coverage``: MP terms of IMPC calls that the file maps to no HP term, weighted by
   their calls and by the disease-model scores a mapping on them could change (models
   having the term or a descendant x diseases): the worklist, unmapped-everywhere first.
8. ``impact`` (optional, slower): disease-model rankings with the file swapped into the
   active mapping sets, against the active sets (:mod:`kg.mappings.impact`).

MP<->HP pairs: a row links an MP and an HP term directly (either column order), or two
rows put an MP and an HP term in one uPheno species-independent class
(``semapv:crossSpeciesExactMatch``); ids are taken as the build takes them (alt_id and
``replaced_by`` remapped, unknown ones left out of checks 4-8).

>>> [c for c in CHECKS]
['structure', 'ids', 'labels', 'cardinality', 'hierarchy', 'agreement', 'coverage', 'impact']
>>> pair_kind("skos:broadMatch", subject_is_mp=True), pair_kind("skos:broadMatch", subject_is_mp=False)
('hp_broader', 'mp_broader')
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from kg import vocab
from kg.graph_builder import KNOWN_MAPPING_PREFIXES
from kg.mappings.context import MappingContext
from kg.model import MappingSetInfo, Origin, TermMapping
from kg.report import BuildReport, Problem, SourceFormatError
from loaders import sssom
from loaders.common import split_tsv, text_lines

CHECKS = ("structure", "ids", "labels", "cardinality", "hierarchy", "agreement", "coverage", "impact")
#: what runs unless asked otherwise (impact builds two scoring indexes: opt in)
DEFAULT_CHECKS = CHECKS[:-1]
SEVERITIES = ("error", "warning", "info")

#: SSSOM 1.1 (sssom-schema 1.1.0a5): mapping_justification's permissible values
JUSTIFICATIONS = frozenset("semapv:" + v for v in (
    "MappingReview", "ManualMappingCuration", "LogicalReasoning", "LexicalMatching",
    "CompositeMatching", "UnspecifiedMatching", "SemanticSimilarityThresholdMatching",
    "LexicalSimilarityThresholdMatching", "MappingChaining", "MappingInversion",
    "StructuralMatching", "InstanceBasedMatching", "BackgroundKnowledgeBasedMatching"))
#: values seen in the wild that SSSOM does not have, with the one meant
JUSTIFICATION_HINTS = {"semapv:LogicalMatching": "semapv:LogicalReasoning",
                       "semapv:ManualMatching": "semapv:ManualMappingCuration",
                       "semapv:LexicalMatch": "semapv:LexicalMatching"}
#: prefixes sssom-py resolves without a curie_map entry (sssom.context.SSSOM_BUILT_IN_PREFIXES)
BUILTIN_PREFIXES = frozenset({"sssom", "owl", "rdf", "rdfs", "skos", "semapv"})
#: the mapping slots of the SSSOM 1.1 schema (a column with another name is not SSSOM)
SSSOM_COLUMNS = frozenset((
    "record_id subject_id subject_label subject_category predicate_id predicate_label "
    "predicate_modifier object_id object_label object_category mapping_justification author_id "
    "author_label reviewer_id reviewer_label creator_id creator_label license subject_type "
    "subject_source subject_source_version object_type object_source object_source_version "
    "predicate_type mapping_provider mapping_source mapping_cardinality cardinality_scope "
    "mapping_tool mapping_tool_id mapping_tool_version mapping_date publication_date review_date "
    "confidence reviewer_agreement curation_rule curation_rule_text subject_match_field "
    "object_match_field match_string subject_preprocessing object_preprocessing "
    "similarity_score similarity_measure see_also issue_tracker_item other comment").split())
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

EXACT, CLOSE, HP_BROADER, MP_BROADER, RELATED = "exact", "close", "hp_broader", "mp_broader", "related"
#: predicate -> how the object relates to the subject
_OBJECT_IS = {
    "skos:exactMatch": EXACT, "owl:equivalentClass": EXACT, "semapv:crossSpeciesExactMatch": EXACT,
    "skos:closeMatch": CLOSE, "semapv:crossSpeciesCloseMatch": CLOSE,
    "skos:broadMatch": "broader", "semapv:crossSpeciesBroadMatch": "broader", "rdfs:subClassOf": "broader",
    "skos:narrowMatch": "narrower", "semapv:crossSpeciesNarrowMatch": "narrower",
    "skos:relatedMatch": RELATED,
}
UPHENO_CLASS_PREDICATES = frozenset({"semapv:crossSpeciesExactMatch"})


def pair_kind(predicate: str, subject_is_mp: bool) -> str | None:
    """How a direct MP<->HP row relates its two terms, seen from MP: exact, close,
    hp_broader (the HP term is broader), mp_broader, related; None for other predicates."""
    k = _OBJECT_IS.get(predicate)
    if k == "broader":
        return HP_BROADER if subject_is_mp else MP_BROADER
    if k == "narrower":
        return MP_BROADER if subject_is_mp else HP_BROADER
    return k


# -- the parsed file ------------------------------------------------------------------------
class MalformedMappingFile(Exception):
    """The file cannot be read as SSSOM TSV at all (wrong header, empty, bad YAML, bad gzip)."""

    def __init__(self, file: str, line: int | None, field: str | None, message: str):
        self.file, self.line, self.field, self.message = file, line, field, message
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}{f' [{field}]' if field else ''}: {message}")

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


@dataclass
class MappingFile:
    """An SSSOM TSV as the loader reads it, plus its header (column names as written)."""

    name: str
    info: MappingSetInfo
    header: list[str]
    header_line: int
    rows: list[TermMapping]
    problems: list[Problem]  # rows the loader reported (skipped rows, non-UTF-8 lines)

    path: str | None = None

    @property
    def by_line(self) -> dict[int, TermMapping]:
        return {m.origin.line: m for m in self.rows}

    def raw_lines(self, wanted: set[int]) -> dict[int, str]:
        """The text of some lines as written (to tell a duplicated row from a repeated triple
        whose other columns, which the loader does not read, differ)."""
        if self.path is None or not wanted:
            return {}
        out = {}
        for n, line in text_lines(self.path, BuildReport()):
            if n in wanted:
                out[n] = line.rstrip("\r\n")
        return out


def parse_mapping_file(path: str | os.PathLike, name: str | None = None) -> MappingFile:
    """Read an SSSOM TSV (plain or gzipped) with :func:`loaders.sssom.load`.

    ``name`` is how the file is called in messages (an upload's file name rather than a
    temporary path). Raises :class:`MalformedMappingFile` with the line when the loader
    cannot read the file as SSSOM TSV.
    """
    name = name or str(path)
    report = BuildReport(keep=10**9)
    try:
        records = list(sssom.load(path, report))
    except SourceFormatError as exc:
        raise MalformedMappingFile(name, exc.line, exc.field, exc.message) from None
    info = records[0]
    rows = [r for r in records[1:] if isinstance(r, TermMapping)]
    # The loader keeps the header to itself; its own line reader and cell splitter give it
    # back (column names as written, for the SSSOM column checks).
    header, header_line = [], 0
    for n, line in text_lines(path, BuildReport()):
        if line.startswith("#") or not line.strip():
            continue
        header, header_line = [c.strip() for c in split_tsv(line)], n
        break
    for m in rows:
        m.origin = Origin(name, m.origin.line)
    info.origin = Origin(name, info.origin.line)
    problems = [Problem(name, p.line, p.field, p.message, p.action) for p in report.problems]
    return MappingFile(name, info, header, header_line, rows, problems, str(path))


# -- flags and results --------------------------------------------------------------------------
@dataclass
class Flag:
    """One finding: which check, what (code), how bad, where (file lines), why, what to do."""

    check: str
    code: str
    severity: str
    message: str
    lines: tuple[int, ...] = ()
    subject_id: str | None = None
    object_id: str | None = None
    suggestion: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"check": self.check, "code": self.code, "severity": self.severity,
                "message": self.message, "lines": list(self.lines), "subject_id": self.subject_id,
                "object_id": self.object_id, "suggestion": self.suggestion, "details": self.details}


@dataclass
class CheckResult:
    name: str
    flags: list[Flag] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def counts(self) -> dict[str, Any]:
        return {"flags": len(self.flags),
                "rows_flagged": len({n for f in self.flags for n in f.lines}),
                "by_severity": dict(Counter(f.severity for f in self.flags)),
                "by_code": dict(Counter(f.code for f in self.flags))}


@dataclass
class ValidationReport:
    file: str
    mapping_set: dict[str, Any]
    rows_read: int  # data rows the loader returned
    rows_unreadable: int  # rows the loader skipped
    checks: list[str]
    results: dict[str, CheckResult]
    build: dict[str, Any]
    seconds: dict[str, float]
    rows: dict[int, TermMapping] = field(default_factory=dict, repr=False)
    header: list[str] = field(default_factory=list, repr=False)
    curie_map: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def flags(self) -> list[Flag]:
        return [f for r in self.results.values() for f in r.flags]


# -- MP<->HP pairs ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pair:
    """An MP<->HP link of a mapping set (ids live), the file lines it comes from, the uPheno
    class when it comes from two class-membership rows."""

    mp: str
    hp: str
    kind: str
    lines: tuple[int, ...] = ()
    via: str | None = None


def _side(curie: str) -> str | None:
    if curie.startswith("MP:"):
        return "MP"
    if curie.startswith("HP:"):
        return "HP"
    return "UPHENO" if curie.startswith("UPHENO:") else None


def mapping_pairs(rows: Iterable[tuple[str, str, str, int]], ctx: MappingContext) -> list[Pair]:
    """MP<->HP pairs of rows (subject, predicate, object, line): direct rows and uPheno classes.

    Ids are resolved to live terms (alt_id, replaced_by); rows with an id that does not
    resolve are left out. Pairs met twice (same MP, HP and kind) are merged, lines joined.
    """
    merged: dict[tuple[str, str, str], tuple[list[int], str | None]] = {}
    classes: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(lambda: {"MP": [], "HP": []})

    def add(mp: str, hp: str, kind: str, lines: Iterable[int], via: str | None) -> None:
        got = merged.setdefault((mp, hp, kind), ([], via))
        got[0].extend(n for n in lines if n not in got[0])

    for s, p, o, line in rows:
        ss, so = _side(s), _side(o)
        if ss is None or so is None:
            continue
        if {ss, so} == {"MP", "HP"}:
            kind = pair_kind(p, ss == "MP")
            mp, hp = (s, o) if ss == "MP" else (o, s)
            mp, hp = ctx.live(mp), ctx.live(hp)
            if kind and mp and hp:
                add(mp, hp, kind, [line] if line else [], None)
        elif p in UPHENO_CLASS_PREDICATES and "UPHENO" in (ss, so) and ss != so:
            u, t = (s, o) if ss == "UPHENO" else (o, s)
            side = _side(t)
            live = ctx.live(t)
            if side in ("MP", "HP") and live:
                classes[u][side].append((live, line))
    for u, members in classes.items():
        for mp, l1 in members["MP"]:
            for hp, l2 in members["HP"]:
                add(mp, hp, EXACT, [n for n in (l1, l2) if n], u)
    return [Pair(mp, hp, kind, tuple(sorted(lines)), via) for (mp, hp, kind), (lines, via) in merged.items()]


def reference_pairs(ctx: MappingContext) -> dict[str, list[Pair]]:
    """The MP<->HP pairs of the store's mapping sets (computed once per context)."""
    got = ctx.cache.get("reference_pairs")
    if got is None:
        got = {n: mapping_pairs(((s, p, o, 0) for s, p, o in rs.rows), ctx) for n, rs in ctx.sets.items()}
        ctx.cache["reference_pairs"] = got
    return got


def _file_rows(mf: MappingFile) -> list[tuple[str, str, str, int]]:
    return [(m.subject_id, m.predicate_id, m.object_id, m.origin.line) for m in mf.rows]


@dataclass
class _State:
    """What several checks share, computed once per validation."""

    pairs: list[Pair]
    ref_pairs: dict[str, list[Pair]]


# -- check 1: structure -----------------------------------------------------------------------
def _grouped(check: str, code: str, severity: str, key_lines: dict[str, list[int]],
             message: Callable[[str, int], str], suggestion: Callable[[str], str | None] = lambda k: None,
             **details) -> list[Flag]:
    """One flag per distinct value (an invalid justification, a missing prefix), with every line."""
    return [Flag(check, code, severity, message(k, len(lines)), tuple(lines), suggestion=suggestion(k),
                 details={"value": k, "rows": len(lines), **details})
            for k, lines in sorted(key_lines.items(), key=lambda kv: (-len(kv[1]), kv[0]))]


def check_structure(mf: MappingFile, ctx: MappingContext | None = None, state: _State | None = None) -> CheckResult:
    """Check 1: SSSOM required columns and metadata, values, CURIEs, prefix map (module docstring)."""
    res = CheckResult("structure")
    flags = res.flags
    add = flags.append
    for p in mf.problems:
        add(Flag("structure", "unreadable_row", "error", f"[{p.field}] {p.message}: the row is not read",
                 (p.line,), details={"field": p.field}))
    cols = set(mf.header)
    has_justification = "mapping_justification" in cols
    if not has_justification:
        alias = [c for c, slot in sssom.ALIASES.items() if slot == "mapping_justification" and c in cols]
        if alias:
            add(Flag("structure", "nonstandard_column", "warning",
                     f"column {alias[0]!r} stands for SSSOM's mapping_justification: rename it",
                     (mf.header_line,), suggestion="mapping_justification"))
            has_justification = True
        else:
            add(Flag("structure", "missing_column", "error",
                     "required SSSOM column mapping_justification is missing", (mf.header_line,)))
    other = [c for c in mf.header if c and c not in SSSOM_COLUMNS and c not in sssom.ALIASES]
    if other:
        add(Flag("structure", "unknown_column", "info",
                 f"column(s) {other} are not SSSOM slots (kept by no SSSOM tool)", (mf.header_line,),
                 details={"columns": other}))
    info = mf.info
    for slot, value in (("mapping_set_id", info.mapping_set_id), ("license", info.license)):
        if not value:
            add(Flag("structure", "missing_metadata", "error",
                     f"required mapping-set metadata {slot} is missing from the '#' block", (),
                     details={"slot": slot}))
    curie_map = dict(info.curie_map)
    for prefix, uri in sorted(curie_map.items()):
        ours = vocab.PREFIX_MAP.get(prefix)
        if ours is not None and ours != uri:
            add(Flag("structure", "prefix_conflict", "warning",
                     f"curie_map expands {prefix}: to {uri}, the graph uses {ours}", (),
                     details={"prefix": prefix, "file": uri, "graph": ours}))

    bad_just: dict[str, list[int]] = defaultdict(list)
    missing_prefix: dict[str, list[int]] = defaultdict(list)
    unknown_prefix: dict[str, list[int]] = defaultdict(list)
    bad_predicate: dict[str, list[int]] = defaultdict(list)
    seen: dict[tuple[str, str, str], int] = {}
    repeats: list[tuple[int, int, TermMapping]] = []
    known = set(curie_map) | BUILTIN_PREFIXES
    for m in mf.rows:
        n = m.origin.line
        refs = [("subject_id", m.subject_id), ("predicate_id", m.predicate_id), ("object_id", m.object_id)]
        if m.justification is None:
            if has_justification:
                add(Flag("structure", "missing_justification", "error",
                         "mapping_justification is empty (required)", (n,), m.subject_id, m.object_id))
        elif m.justification not in JUSTIFICATIONS:
            bad_just[m.justification].append(n)
        if m.justification and vocab.is_curie(m.justification):
            refs.append(("mapping_justification", m.justification))
        for a in (m.author_id or "").split("|"):
            a = a.strip()
            if not a:
                continue
            if vocab.is_curie(a) and not a.startswith(("http:", "https:")):
                refs.append(("author_id", a))
            else:
                add(Flag("structure", "not_a_curie", "error", f"author_id {a!r} is not a CURIE", (n,),
                         m.subject_id, m.object_id, details={"field": "author_id"}))
        for fld, value in refs:
            if "|" in value:
                add(Flag("structure", "not_strict_curie", "error",
                         f"{fld} {value!r} contains '|' (a single-valued slot)", (n,), m.subject_id,
                         m.object_id, details={"field": fld}))
            prefix = vocab.prefix_of(value)
            if prefix not in known:
                missing_prefix[prefix].append(n)
            if fld in ("subject_id", "object_id") and prefix not in vocab.PREFIX_MAP:
                unknown_prefix[prefix].append(n)
        if vocab.prefix_of(m.predicate_id) not in KNOWN_MAPPING_PREFIXES:
            bad_predicate[m.predicate_id].append(n)
        if m.confidence is not None and not 0.0 <= m.confidence <= 1.0:
            add(Flag("structure", "confidence_out_of_range", "error",
                     f"confidence {m.confidence} is outside [0, 1]", (n,), m.subject_id, m.object_id))
        if m.mapping_date and not _DATE.match(m.mapping_date):
            add(Flag("structure", "bad_date", "warning",
                     f"mapping_date {m.mapping_date!r} is not an ISO date (YYYY-MM-DD)", (n,),
                     m.subject_id, m.object_id))
        key = (m.subject_id, m.predicate_id, m.object_id)
        if key in seen:
            repeats.append((n, seen[key], m))
        else:
            seen[key] = n
    if repeats:
        raw = mf.raw_lines({n for r in repeats for n in r[:2]})
        for n, first, m in repeats:
            same = raw.get(n) is not None and raw.get(n) == raw.get(first)
            add(Flag("structure", "duplicate_row" if same else "repeated_triple", "warning" if same else "info",
                     (f"the same row as line {first}" if same else
                      f"same subject, predicate and object as line {first}, other metadata (SSSOM allows "
                      f"several records; the build keeps the triple once)"),
                     (n,), m.subject_id, m.object_id, details={"first_line": first}))
    flags += _grouped("structure", "invalid_justification", "error", bad_just,
                      lambda v, k: f"mapping_justification {v} is not a SEMAPV justification ({k} rows)",
                      lambda v: JUSTIFICATION_HINTS.get(v))
    flags += _grouped("structure", "prefix_not_in_curie_map", "error", missing_prefix,
                      lambda v, k: f"prefix {v}: is used ({k} rows) but not declared in curie_map",
                      lambda v: f"add {v}: {vocab.PREFIX_MAP[v]} to curie_map" if v in vocab.PREFIX_MAP else None)
    flags += _grouped("structure", "prefix_unknown_to_graph", "error", unknown_prefix,
                      lambda v, k: f"prefix {v}: is not in the graph's prefix map: the build skips these {k} rows")
    flags += _grouped("structure", "predicate_not_kept", "error", bad_predicate,
                      lambda v, k: f"predicate {v} is not a mapping predicate the build keeps "
                                   f"({', '.join(KNOWN_MAPPING_PREFIXES)}): {k} rows skipped")
    res.summary = {"columns": mf.header, "header_line": mf.header_line,
                   "curie_map_prefixes": sorted(curie_map), "rows_read": len(mf.rows),
                   "rows_unreadable": len(mf.problems),
                   "validator": "own rules after the SSSOM 1.1 schema (see kg.mappings.validate)"}
    return res


# -- check 2: ids -----------------------------------------------------------------------------------
def _id_flag(curie: str, side: str, m: TermMapping, ctx: MappingContext) -> Flag | None:
    n = m.origin.line
    if curie in ctx.labels:
        return None
    if curie in ctx.alt:
        live = ctx.alt[curie]
        return Flag("ids", "alt_id", "warning",
                    f"{side} {curie} is an alt_id of {live} ({ctx.label(live)})", (n,), m.subject_id,
                    m.object_id, suggestion=live, details={"field": side})
    old = ctx.obsolete.get(curie)
    if old is not None:
        replaced, consider = old
        live = [r for r in replaced if r in ctx.labels]
        if live:
            return Flag("ids", "obsolete", "error",
                        f"{side} {curie} is obsolete, replaced_by {live[0]} ({ctx.label(live[0])})", (n,),
                        m.subject_id, m.object_id, suggestion=live[0],
                        details={"field": side, "replaced_by": list(replaced)})
        hint = f"; consider {', '.join(consider)}" if consider else ""
        return Flag("ids", "obsolete_no_replacement", "error",
                    f"{side} {curie} is obsolete with no replaced_by{hint}", (n,), m.subject_id, m.object_id,
                    suggestion=", ".join(consider) or None, details={"field": side, "consider": list(consider)})
    return Flag("ids", "unknown_id", "error",
                f"{side} {curie} is not a term of {vocab.prefix_of(curie)} (store build "
                f"{ctx.build.get('build_id', '?')})", (n,), m.subject_id, m.object_id, details={"field": side})


def check_ids(mf: MappingFile, ctx: MappingContext, state: _State | None = None) -> CheckResult:
    """Check 2: MP/HP ids that are unknown, obsolete (replaced_by / consider) or alt_ids."""
    res = CheckResult("ids")
    checked = 0
    not_checked: Counter = Counter()
    for m in mf.rows:
        for side, curie in (("subject_id", m.subject_id), ("object_id", m.object_id)):
            if not ctx.checks(curie):
                not_checked[vocab.prefix_of(curie)] += 1
                continue
            checked += 1
            f = _id_flag(curie, side, m, ctx)
            if f is not None:
                res.flags.append(f)
    res.summary = {"ids_checked": checked, "ids_not_checked_by_prefix": dict(not_checked.most_common())}
    return res


# -- check 3: labels -----------------------------------------------------------------------------
def _norm(text: str) -> str:
    return " ".join(text.split())


def _letters(text: str) -> str:
    """Letters and digits only, case-folded: 'Ambiguous genitalia, male' ~ 'ambiguous genitalia male'.

    >>> _letters("abnormal depression - related behavior") == _letters("Abnormal depression-related behavior")
    True
    """
    return "".join(c for c in text.casefold() if c.isalnum())


def check_labels(mf: MappingFile, ctx: MappingContext, state: _State | None = None) -> CheckResult:
    """Check 3: labels in the file that differ from the ontology's current label (both shown)."""
    res = CheckResult("labels")
    compared = 0
    for m in mf.rows:
        for side, curie, label in (("subject_label", m.subject_id, m.subject_label),
                                   ("object_label", m.object_id, m.object_label)):
            if not label or curie not in ctx.labels:
                continue
            compared += 1
            current = ctx.labels[curie] or ""
            if _norm(label) == _norm(current):
                continue
            minor = _letters(label) == _letters(current)
            res.flags.append(Flag(
                "labels", "label_minor" if minor else "label_drift", "info" if minor else "warning",
                f"{side} of {curie} is {label!r}; the ontology's label is {current!r}",
                (m.origin.line,), m.subject_id, m.object_id, suggestion=current,
                details={"field": side, "id": curie, "file_label": label, "current_label": current}))
    res.summary = {"labels_compared": compared}
    return res


# -- check 4: cardinality --------------------------------------------------------------------------
def check_cardinality(mf: MappingFile, ctx: MappingContext, state: _State) -> CheckResult:
    """Check 4: exact MP<->HP pairs that are not 1:1 within the file (one flag per term)."""
    res = CheckResult("cardinality")
    exact = [p for p in state.pairs if p.kind == EXACT]
    by_mp: dict[str, list[Pair]] = defaultdict(list)
    by_hp: dict[str, list[Pair]] = defaultdict(list)
    for p in exact:
        by_mp[p.mp].append(p)
        by_hp[p.hp].append(p)
    for code, groups, side, other in (("one_to_many", by_mp, "mp", "hp"), ("many_to_one", by_hp, "hp", "mp")):
        for term, ps in sorted(groups.items()):
            partners = sorted({getattr(p, other) for p in ps})
            if len(partners) < 2:
                continue
            lines = tuple(sorted({n for p in ps for n in p.lines}))
            desc = ", ".join(f"{t} ({ctx.label(t)})" for t in partners[:8])
            via = sorted({p.via for p in ps if p.via})
            res.flags.append(Flag(
                "cardinality", code, "warning",
                f"{term} ({ctx.label(term)}) is exact to {len(partners)} {other.upper()} terms: {desc}"
                + (f" (uPheno classes {', '.join(via)})" if via else ""),
                lines, term if side == "mp" else None, term if side == "hp" else None,
                suggestion="keep one exact mapping; make the others broad/narrow/close",
                details={"term": term, "partners": partners, "via": via}))
    one_to_one = sum(1 for p in exact if len(by_mp[p.mp]) == 1 and len(by_hp[p.hp]) == 1)
    res.summary = {"exact_pairs": len(exact), "one_to_one": one_to_one,
                   "mp_terms_one_to_many": sum(1 for f in res.flags if f.code == "one_to_many"),
                   "hp_terms_many_to_one": sum(1 for f in res.flags if f.code == "many_to_one")}
    return res


# -- check 5: hierarchy ------------------------------------------------------------------------------
def _nearest_mapped(term: str, mapped: dict[str, list[Pair]], ctx: MappingContext) -> list[str]:
    """The mapped strict ancestors of ``term`` that have no other mapped ancestor of ``term`` below them."""
    anc = [a for a in ctx.ancestors(term) if a != term and a in mapped]
    return [b for b in anc if not any(c != b and ctx.is_a(c, b) for c in anc)]


def _pair_text(p: Pair, ctx: MappingContext) -> str:
    where = f"line {', '.join(map(str, p.lines))}" if p.lines else "no line"
    via = f" via {p.via}" if p.via else ""
    return f"{p.mp} ({ctx.label(p.mp)}) <-> {p.hp} ({ctx.label(p.hp)}) [{p.kind}{via}; {where}]"


def check_hierarchy(mf: MappingFile, ctx: MappingContext, state: _State) -> CheckResult:
    """Check 5: the MP and HP hierarchies disagree across the file's exact/close pairs
    (``parent_not_preserved``), and exact pairs that sit below or above each other across
    the bridge (``exact_is_narrower`` / ``exact_is_broader``)."""
    res = CheckResult("hierarchy")
    pairs = [p for p in state.pairs if p.kind in (EXACT, CLOSE)]
    by_mp: dict[str, list[Pair]] = defaultdict(list)
    by_hp: dict[str, list[Pair]] = defaultdict(list)
    for p in pairs:
        by_mp[p.mp].append(p)
        by_hp[p.hp].append(p)
    reported: set[frozenset] = set()
    # 5a: A is_a+ B (nearest mapped) and a not is_a* b; the same from the HP side
    for p in pairs:
        for ont, own, other, mapped in (("MP", p.mp, p.hp, by_mp), ("HP", p.hp, p.mp, by_hp)):
            for parent in _nearest_mapped(own, mapped, ctx):
                for q in mapped[parent]:
                    q_other = q.hp if ont == "MP" else q.mp
                    if ctx.is_a(other, q_other):
                        continue
                    inverted = ctx.is_a(q_other, other)
                    if inverted and p.kind == EXACT and q.kind == EXACT:
                        continue  # both exact: reported as exact_is_narrower/broader below
                    key = frozenset((p, q))
                    if key in reported:
                        continue
                    reported.add(key)
                    o2 = "HP" if ont == "MP" else "MP"
                    res.flags.append(Flag(
                        "hierarchy", "parent_not_preserved", "warning" if inverted else "info",
                        f"{own} is_a {parent} in {ont}, but {other} is "
                        f"{'ABOVE' if inverted else 'not under'} {q_other} in {o2} "
                        f"(child {_pair_text(p, ctx)}; parent {_pair_text(q, ctx)})",
                        tuple(sorted(set(p.lines) | set(q.lines))), p.mp, p.hp,
                        suggestion="check both mappings: one of them is probably broad/narrow or wrong",
                        details={"ontology": ont, "subtype": "inverted" if inverted else "unrelated",
                                 "child": _pair_dict(p), "parent": _pair_dict(q)}))
    # 5b: exact pairs with another exact pair below/above across the bridge
    exact = [p for p in pairs if p.kind == EXACT]
    e_mp: dict[str, list[Pair]] = defaultdict(list)
    e_hp: dict[str, list[Pair]] = defaultdict(list)
    for p in exact:
        e_mp[p.mp].append(p)
        e_hp[p.hp].append(p)
    for p in exact:
        below = [q for b in ctx.ancestors(p.mp) for q in e_mp.get(b, ())
                 if q != p and ctx.is_a(q.hp, p.hp)]  # A is_a* B = b is_a* a
        above = [q for b in ctx.ancestors(p.hp) for q in e_hp.get(b, ())
                 if q != p and ctx.is_a(q.mp, p.mp)]  # B is_a* A, a is_a* b
        for code, others, word, pred in (("exact_is_narrower", below, "below", "skos:broadMatch"),
                                          ("exact_is_broader", above, "above", "skos:narrowMatch")):
            if not others:
                continue
            via = "; ".join(_pair_text(q, ctx) for q in others[:5])
            res.flags.append(Flag(
                "hierarchy", code, "warning",
                f"{p.mp} ({ctx.label(p.mp)}) sits {word} {p.hp} ({ctx.label(p.hp)}) across the bridge "
                f"(with {via}): as exact, the two make distinct terms equivalent",
                p.lines, p.mp, p.hp,
                suggestion=f"{pred} (MP subject, HP object), or fix the other mapping",
                details={"others": [_pair_dict(q) for q in others]}))
    res.summary = {"pairs_checked": len(pairs), "exact_pairs": len(exact)}
    return res


def _pair_dict(p: Pair) -> dict:
    return {"mp": p.mp, "hp": p.hp, "kind": p.kind, "lines": list(p.lines), "via": p.via}


# -- check 6: agreement ---------------------------------------------------------------------------------
CANDIDATE = "file"


def _equivalences(pairs: Iterable[Pair]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for p in pairs:
        if p.kind in (EXACT, CLOSE):
            out[p.mp].add(p.hp)
    return out


def _compare(x: set[str], y: set[str], ctx: MappingContext) -> str:
    if x == y:
        return "agree"
    if x & y:
        return "overlap"
    if any(ctx.related(a, b) for a in x for b in y):
        return "conflict_related"
    return "conflict"


def check_agreement(mf: MappingFile, ctx: MappingContext, state: _State, top: int = 50) -> CheckResult:
    """Check 6: per MP term, do the file and the store's reference sets map it to the same
    HP terms (exact or close)? Pairwise tables, the disagreeing terms, flags on the file's rows."""
    res = CheckResult("agreement")
    sets = {CANDIDATE: _equivalences(state.pairs)}
    sets.update({name: _equivalences(ps) for name, ps in state.ref_pairs.items()})
    names = list(sets)
    statuses = ("agree", "overlap", "conflict_related", "conflict")
    table = []
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            row = {"sets": [x, y], **dict.fromkeys(statuses, 0), f"only_{x}": 0, f"only_{y}": 0}
            for term in sets[x].keys() | sets[y].keys():
                a, b = sets[x].get(term), sets[y].get(term)
                if a and b:
                    row[_compare(a, b, ctx)] += 1
                else:
                    row[f"only_{x}" if a else f"only_{y}"] += 1
            table.append(row)
    lines_of: dict[str, set[int]] = defaultdict(set)
    for p in state.pairs:
        if p.kind in (EXACT, CLOSE):
            lines_of[p.mp].update(p.lines)
    terms = []
    for term in sorted(set().union(*(s.keys() for s in sets.values()))):
        mapped = {n: sorted(s[term]) for n, s in sets.items() if term in s}
        if len(mapped) < 2:
            continue
        vals = list(mapped.values())
        worst = max((_compare(set(a), set(b), ctx) for i, a in enumerate(vals) for b in vals[i + 1:]),
                    key=statuses.index)
        if worst != "agree":
            terms.append({"mp": term, "label": ctx.label(term), "calls": ctx.calls.get(term, (0, 0))[0],
                          "status": worst, "sets": mapped})
        if CANDIDATE not in mapped:
            continue
        mine = set(mapped[CANDIDATE])
        for ref, theirs in mapped.items():
            if ref == CANDIDATE:
                continue
            status = _compare(mine, set(theirs), ctx)
            if status not in ("conflict", "conflict_related"):
                continue
            res.flags.append(Flag(
                "agreement", status, "warning" if status == "conflict" else "info",
                f"{term} ({ctx.label(term)}): the file maps it to "
                f"{', '.join(f'{h} ({ctx.label(h)})' for h in sorted(mine))}; {ref} to "
                f"{', '.join(f'{h} ({ctx.label(h)})' for h in theirs)}"
                + (" (hierarchically related terms)" if status == "conflict_related" else ""),
                tuple(sorted(lines_of.get(term, ()))), term, None,
                suggestion=f"compare with {ref}", details={"reference_set": ref, "file": sorted(mine),
                                                           "reference": theirs}))
    terms.sort(key=lambda t: (-statuses.index(t["status"]), -t["calls"], t["mp"]))  # conflicts first
    res.summary = {"mp_terms_per_set": {n: len(s) for n, s in sets.items()},
                   "reference_sets_missing": list(ctx.build.get("mapping_sets_missing", [])),
                   "pairwise": table, "disagreeing_terms": len(terms), "terms": terms[:top],
                   "note": "exact and close MP<->HP pairs (direct rows and uPheno classes); "
                           "broad/narrow/related rows are not compared"}
    return res


# -- check 7: coverage --------------------------------------------------------------------------------------
def check_coverage(mf: MappingFile, ctx: MappingContext, state: _State, top: int = 100) -> CheckResult:
    """Check 7: MP terms of IMPC calls that the file maps to no HP term: the worklist.

    Weights: ``calls`` (IMPC calls on the term), ``models`` (mouse models having it),
    ``models_reached`` (models having it or a descendant: a mapping on the term changes the
    cross-species ancestors of all of them; an upper bound, a model with two such terms
    counts twice) and ``scores`` = models_reached x diseases: the disease-model scores a
    new mapping could change (every PhenoDigm score of a model goes through its terms).
    A term no active mapping set maps either is a ``warning`` (the scores cannot see it
    across species except through its ancestors); one an active set maps is ``info``.
    """
    res = CheckResult("coverage")
    mine: dict[str, set[str]] = defaultdict(set)
    for p in state.pairs:
        mine[p.mp].add(p.kind)
    ref_mapped: dict[str, set[str]] = defaultdict(set)
    for name, ps in state.ref_pairs.items():
        for p in ps:
            ref_mapped[p.mp].add(name)
    active = set(ctx.active_sets)
    total_calls = sum(n for n, _ in ctx.calls.values())
    reached: dict[str, int] = defaultdict(int)
    for mp, (_, n_models) in ctx.calls.items():
        for a in ctx.ancestors(mp):
            reached[a] += n_models
    worklist = []
    for mp, (n_calls, n_models) in ctx.calls.items():
        if mp in mine:
            continue
        sets_mapping = sorted(ref_mapped.get(mp, ()))
        anc = [a for a in ctx.ancestors(mp) if a != mp and a in mine]
        nearest = [a for a in anc if not any(c != a and ctx.is_a(c, a) for c in anc)]
        reach = max(reached.get(mp, 0), n_models)
        worklist.append({"mp": mp, "label": ctx.label(mp), "calls": n_calls, "models": n_models,
                         "models_reached": reach, "scores": reach * ctx.n_diseases, "mapped_in": sets_mapping,
                         "mapped_in_active": bool(active & set(sets_mapping)),
                         "nearest_mapped_ancestors": nearest[:3]})
    worklist.sort(key=lambda w: (w["mapped_in_active"], -w["scores"], -w["calls"], w["mp"]))
    for w in worklist:
        where = (f"mapped by {', '.join(w['mapped_in'])}" if w["mapped_in"] else "mapped by no reference set")
        res.flags.append(Flag(
            "coverage", "unmapped_with_calls", "info" if w["mapped_in_active"] else "warning",
            f"{w['mp']} ({w['label']}): {w['calls']} IMPC calls, {w['models']} models "
            f"({w['models_reached']} with descendants), {w['scores']} disease-model scores; no HP mapping "
            f"in the file ({where})",
            (), w["mp"], None, details={k: w[k] for k in ("calls", "models", "models_reached", "scores",
                                                         "mapped_in", "nearest_mapped_ancestors")}))
    used = [mp for mp in ctx.calls]
    mapped = [mp for mp in used if mp in mine]
    exact = [mp for mp in used if EXACT in mine.get(mp, ()) or CLOSE in mine.get(mp, ())]
    unmapped_calls = sum(w["calls"] for w in worklist)
    res.summary = {
        "mp_terms_with_calls": len(used), "mapped_by_file": len(mapped), "mapped_exact_or_close": len(exact),
        "unmapped": len(worklist),
        "unmapped_not_in_active_sets": sum(1 for w in worklist if not w["mapped_in_active"]),
        "calls": total_calls, "calls_on_unmapped_terms": unmapped_calls,
        "share_of_calls_unmapped": round(unmapped_calls / total_calls, 4) if total_calls else 0.0,
        "diseases": ctx.n_diseases, "active_sets": list(ctx.active_sets), "worklist": worklist[:top]}
    return res


# -- orchestration --------------------------------------------------------------------------------------------
CHECK_FUNCTIONS: dict[str, Callable[..., CheckResult]] = {
    "structure": check_structure, "ids": check_ids, "labels": check_labels,
    "cardinality": check_cardinality, "hierarchy": check_hierarchy,
    "agreement": check_agreement, "coverage": check_coverage,
}


def parse_checks(spec: str | Iterable[str] | None) -> list[str]:
    """Check names from names or numbers ("1,2,structure", "all", None = the default set).

    >>> parse_checks("1,labels,8")
    ['structure', 'labels', 'impact']
    >>> parse_checks("all")[-1], parse_checks(None)[-1]
    ('impact', 'coverage')
    """
    if spec is None:
        return list(DEFAULT_CHECKS)
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        if item == "all":
            return list(CHECKS)
        if item.isdigit() and 1 <= int(item) <= len(CHECKS):
            item = CHECKS[int(item) - 1]
        if item not in CHECKS:
            raise ValueError(f"unknown check {item!r}: use 1-8 or {', '.join(CHECKS)}")
        if item not in out:
            out.append(item)
    return sorted(out, key=CHECKS.index)


def validate(path: str | os.PathLike, ctx: MappingContext, checks: Iterable[str] | str | None = None, *,
             name: str | None = None, top: int = 100, impact_options: dict | None = None,
             log: Callable[[str], None] = lambda m: None) -> ValidationReport:
    """Parse ``path`` and run the checks against the store snapshot ``ctx``.

    Raises :class:`MalformedMappingFile` when the file is not SSSOM TSV at all. The store
    is only read (``ctx`` holds everything but check 8's scoring corpus).
    """
    chosen = parse_checks(checks)
    t0 = time.perf_counter()
    mf = parse_mapping_file(path, name)
    seconds = {"parse": time.perf_counter() - t0}
    t1 = time.perf_counter()
    state = _State(pairs=mapping_pairs(_file_rows(mf), ctx), ref_pairs=reference_pairs(ctx))
    seconds["pairs"] = time.perf_counter() - t1
    results: dict[str, CheckResult] = {}
    for c in chosen:
        t = time.perf_counter()
        if c == "impact":
            from kg.mappings.impact import check_impact
            results[c] = check_impact(mf, ctx, state, **(impact_options or {}), log=log)
        elif c in ("agreement", "coverage"):
            results[c] = CHECK_FUNCTIONS[c](mf, ctx, state, top=top)
        else:
            results[c] = CHECK_FUNCTIONS[c](mf, ctx, state)
        results[c].seconds = round(time.perf_counter() - t, 3)
        seconds[c] = results[c].seconds
        log(f"check {c}: {len(results[c].flags)} flags in {results[c].seconds:.2f}s")
    seconds["total"] = time.perf_counter() - t0
    info = mf.info
    return ValidationReport(
        file=mf.name,
        mapping_set={"mapping_set_id": info.mapping_set_id, "title": info.title, "license": info.license,
                     "version": info.version, "curie_map": dict(info.curie_map)},
        rows_read=len(mf.rows), rows_unreadable=len(mf.problems), checks=chosen, results=results,
        build=dict(ctx.build), seconds={k: round(v, 3) for k, v in seconds.items()},
        rows=mf.by_line, header=mf.header, curie_map=dict(info.curie_map))


def default_name(path: str | os.PathLike) -> str:
    return Path(path).name
