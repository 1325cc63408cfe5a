"""uPheno ``hp-to-mp-bestmatches.tsv`` -> MappingSetInfo, then one HP -> MP TermMapping per row.

Why: an OWLSim run (2020, Jaccard >= 0.5) gave, for each HP term, its most similar
MP term; it fills gaps left by curated mappings, as a weaker, similarity-based link.

Layout: TSV with NO header, 6 columns (:data:`COLUMNS`, named after uPheno's
``mappings/README.md``). A first line that does not have 6 fields, or whose HP/MP
columns are not CURIEs, is a SourceFormatError.

Mapping: subject = HP id, predicate ``skos:relatedMatch`` (a similarity best match
is neither equivalence nor subsumption), object = MP id, justification
``semapv:SemanticSimilarityThresholdMatching``, confidence = the equivalence score
(Jaccard of ancestor sets, 0-1), comment = ``subclass_score=<value>`` (the fuzzy
subclass score |Anc(HP) & Anc(MP)| / |Anc(MP)|, which TermMapping has no slot for).
The MappingSetInfo has nothing but its origin (the file carries no metadata).

Row rules (reported with the column name, row skipped): ids required CURIEs, both
scores numbers, 6 fields.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from kg.model import MappingSetInfo, Origin, TermMapping
from kg.report import BuildReport, SourceFormatError
from kg.vocab import is_curie
from loaders.common import RowError, curie, opt, split_tsv, text_lines, to_float
from loaders.textfile import display_name

FORMAT = "upheno-bestmatches-tsv"

#: the file's columns (it has no header; names from uPheno's mappings/README.md)
COLUMNS = ("HP id", "HP label", "MP id", "MP label", "equivalence score", "subclass score")
PREDICATE = "skos:relatedMatch"
JUSTIFICATION = "semapv:SemanticSimilarityThresholdMatching"


def _mapping(cells: list[str], origin: Origin) -> TermMapping:
    hp = curie(cells[0], COLUMNS[0], required=True)
    mp = curie(cells[2], COLUMNS[2], required=True)
    score = to_float(cells[4], COLUMNS[4])
    if score is None:
        raise RowError(COLUMNS[4], "required field is empty")
    subclass = to_float(cells[5], COLUMNS[5])
    return TermMapping(
        subject_id=hp,
        predicate_id=PREDICATE,
        object_id=mp,
        justification=JUSTIFICATION,
        subject_label=opt(cells[1]),
        object_label=opt(cells[3]),
        confidence=score,
        comment=None if subclass is None else f"subclass_score={opt(cells[5])}",
        origin=origin,
    )


def load(path: str | os.PathLike, report: BuildReport) -> Iterator[MappingSetInfo | TermMapping]:
    """Yield a MappingSetInfo, then one TermMapping per valid row."""
    name = display_name(path)
    ncol = len(COLUMNS)
    first = True
    for n, line in text_lines(path, report):
        cells = split_tsv(line)
        if first:
            first = False
            ids_ok = (len(cells) == ncol and is_curie(cells[0].strip())
                      and is_curie(cells[2].strip()))
            if not ids_ok:
                raise SourceFormatError(
                    name, n, None,
                    f"not an uPheno best-matches TSV: expected {ncol} tab-separated fields "
                    f"{list(COLUMNS)} with CURIEs in the HP and MP id columns (no header), "
                    f"found {len(cells)} fields: {line.rstrip()[:80]!r}")
            yield MappingSetInfo(None, None, None, None, {}, Origin(name, n))
        origin = Origin(name, n)
        if len(cells) != ncol:
            if len(cells) == 1 and not cells[0].strip():
                continue  # blank line
            report.add(origin, "(row)", f"expected {ncol} fields, found {len(cells)}", "skipped")
            continue
        try:
            yield _mapping(cells, origin)
        except RowError as exc:
            report.add(origin, exc.field, exc.message, "skipped")
