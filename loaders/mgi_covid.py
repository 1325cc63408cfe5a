"""MGI's COVID-19 symptom / MP / HPO three-way table -> MP -> HP TermMappings.

Why: MGI curated, for each reported COVID-19 symptom, an MP term, an HP term and
how well each pair matches. The graph uses the MP <-> HP pair of each row, so
only rows with both an MP and an HP id give a mapping; rows where one side is
missing (``--`` or empty: symptom-to-MP-only or symptom-to-HP-only rows, and a
trailing "above downloaded 1/25/22" note) carry no MP-HP mapping and are passed
over without a report.

Layout: one ``#`` comment line, a header (cells may have trailing spaces, e.g.
``Feature match MP to HPO ``, so they are stripped before matching), rows of 14
tab-separated cells. The columns needed (:data:`REQUIRED`) are looked up by name;
a header without them is a SourceFormatError. Cells are stripped (ids carry
trailing spaces in the real file) and ``--`` means missing.

Mapping: subject = ``MP TERM ID``, object = ``HPO TERM ID``, predicate from
``Feature match MP to HPO`` (:data:`PREDICATES`), justification
``semapv:ManualMappingCuration`` (the file says all matches are human-curated),
author = ``sssom:creator_id`` (``|``-separated ORCIDs, kept as written), comment =
``comment``. The predicate is used as written with MP as subject: MGI's own
consolidated SSSOM (``mp_hp_mgi_all.sssom.tsv``, subject MP, object HP) holds the
same COVID pairs with the same broad/narrow labels (33 of 33 ``broad`` rows ->
``skos:broadMatch``), although the file's free-text comment could be read the
other way round.

Confidence: ``Confidence MP to HPO match`` is on a 0-10 scale (values 7-10 in the
2022 file); it is divided by 10 to give the SSSOM 0-1 confidence. A non-numeric or
out-of-range value, an unknown or empty match type on a row with both ids, or an
id that is not a CURIE is reported (with the column name) and the row skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from kg.model import MappingSetInfo, Origin, TermMapping
from kg.report import BuildReport, SourceFormatError
from loaders.common import RowError, curie, opt, split_tsv, text_lines, to_float
from loaders.textfile import display_name

FORMAT = "mgi-covid-3way-tsv"

#: the file's columns (header cells, stripped), in order
COLUMNS = (
    "COVID-19 CLINICAL FEATURE / COMPLICATION", "MP TERM NAME", "MP TERM ID",
    "Feature Match of Reported Symptom to MP term", "Confidence MP to symptom match",
    "Feature match MP to HPO", "Confidence MP to HPO match", "HPO TERM NAME", "HPO TERM ID",
    "Feature Match of Reported Symptom to HPO term", "confidence HPO to symptom match",
    "sssom:creator_id", "Symptom SOURCE", "comment",
)
MP_ID, MP_NAME, MATCH, CONFIDENCE = COLUMNS[2], COLUMNS[1], COLUMNS[5], COLUMNS[6]
HP_ID, HP_NAME, CREATOR, COMMENT = COLUMNS[8], COLUMNS[7], COLUMNS[11], COLUMNS[13]
REQUIRED = (MP_ID, MATCH, CONFIDENCE, HP_ID)
MISSING = "--"
CONFIDENCE_SCALE = 10.0
JUSTIFICATION = "semapv:ManualMappingCuration"
PREDICATES = {
    "exact": "skos:exactMatch",
    "broad": "skos:broadMatch",
    "narrow": "skos:narrowMatch",
    "related": "skos:relatedMatch",
    "close": "skos:closeMatch",
}


def _cell(cells: list[str], i: int | None) -> str | None:
    if i is None or i >= len(cells):
        return None
    value = opt(cells[i])
    return None if value == MISSING else value


def load(path: str | os.PathLike, report: BuildReport) -> Iterator[MappingSetInfo | TermMapping]:
    """Yield a MappingSetInfo (nothing is known but the origin), then the MP-HP mappings."""
    name = display_name(path)
    lines = text_lines(path, report)
    header = None
    for n, line in lines:
        if line.startswith("#") or not line.strip():
            continue
        header, header_no = [c.strip() for c in split_tsv(line)], n
        break
    if header is None:
        raise SourceFormatError(name, None, None, "no header line")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SourceFormatError(name, header_no, None,
                                f"not the MGI COVID 3-way header: missing {missing}; "
                                f"found {header}")
    idx = {c: header.index(c) if c in header else None for c in COLUMNS}
    yield MappingSetInfo(None, None, None, None, {}, Origin(name, header_no))

    for n, line in lines:
        cells = split_tsv(line)
        origin = Origin(name, n)
        mp, hp = _cell(cells, idx[MP_ID]), _cell(cells, idx[HP_ID])
        if mp is None or hp is None:
            continue  # no MP-HP pair on this row (symptom-only mapping or a note)
        try:
            match = _cell(cells, idx[MATCH])
            if match is None:
                raise RowError(MATCH, "empty match type on a row with both an MP and an HP id")
            predicate = PREDICATES.get(match.lower())
            if predicate is None:
                raise RowError(MATCH, f"unknown match type {match!r} "
                                      f"(expected one of {sorted(PREDICATES)})")
            confidence = to_float(_cell(cells, idx[CONFIDENCE]), CONFIDENCE)
            if confidence is not None:
                if not 0 <= confidence <= CONFIDENCE_SCALE:
                    raise RowError(CONFIDENCE, f"not on the 0-10 scale: {confidence!r}")
                confidence /= CONFIDENCE_SCALE
            mapping = TermMapping(
                subject_id=curie(mp, MP_ID, required=True),
                predicate_id=predicate,
                object_id=curie(hp, HP_ID, required=True),
                justification=JUSTIFICATION,
                subject_label=_cell(cells, idx[MP_NAME]),
                object_label=_cell(cells, idx[HP_NAME]),
                confidence=confidence,
                author_id=_cell(cells, idx[CREATOR]),
                comment=_cell(cells, idx[COMMENT]),
                origin=origin,
            )
        except RowError as exc:
            report.add(origin, exc.field, exc.message, "skipped")
            continue
        yield mapping
