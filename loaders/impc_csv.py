"""IMPC genotype-phenotype CSV (28 columns) -> PhenotypeCall, one per row.

Why: this is the official IMPC release file of significant calls
(``genotype-phenotype-assertions-ALL.csv.gz``, formerly ``ALL_genotype_phenotype.csv``).
Its 28 columns are fixed and named in :data:`COLUMNS`. The header is checked
exactly (names and order), because a reordered or renamed column would silently
put p-values into effect sizes. Some extracts (e.g. Exomiser's test file) have no
header: then the first row must have 28 fields and start with an MGI CURIE.

Row rules (problems are reported with the official column name and the row skipped):

- ``marker_accession_id`` and ``mp_term_id``: required CURIEs;
- ``allele_accession_id`` and each id of ``top_level_mp_term_id`` (comma-joined
  when a term has several top-level terms): CURIEs when present. Exception: legacy
  EuroPhenome rows write an unknown allele as ``NULL-<hex>``; such a call is kept
  with ``allele_id=None`` and a ``warning`` (the gene-level call is real data);
- ``p_value``, ``effect_size``: numbers or empty; ``percentage_change`` like
  ``-18.02%`` -> -18.02;
- a row with other than 28 fields is skipped.

Empty cells become None; sex and zygosity are kept as IMPC writes them
(male/female/both/no_data, homozygote/heterozygote/hemizygote). ``project_fullname``
and ``top_level_mp_term_name`` have no field in PhenotypeCall (the builder takes
names from the ontology) and are not kept. A record's line is the physical line
where its CSV row starts (a quoted field may span lines).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator

from kg.model import Origin, PhenotypeCall
from kg.report import BuildReport, SourceFormatError
from kg.vocab import is_curie
from loaders.common import (RowError, curie, describe_header_mismatch, opt, split_list,
                            text_lines, to_float)
from loaders.textfile import display_name

FORMAT = "impc-genotype-phenotype-csv"

#: the official IMPC genotype-phenotype columns, in order
COLUMNS = (
    "marker_accession_id", "marker_symbol", "phenotyping_center", "colony_id", "sex",
    "zygosity", "allele_accession_id", "allele_symbol", "allele_name",
    "strain_accession_id", "strain_name", "project_name", "project_fullname",
    "pipeline_name", "pipeline_stable_id", "procedure_stable_id", "procedure_name",
    "parameter_stable_id", "parameter_name", "top_level_mp_term_id",
    "top_level_mp_term_name", "mp_term_id", "mp_term_name", "p_value",
    "percentage_change", "effect_size", "statistical_method", "resource_name",
)
_I = {name: i for i, name in enumerate(COLUMNS)}

#: legacy EuroPhenome rows write an unknown allele as ``NULL-<hex>`` (e.g. NULL-B95772D5C)
ALLELE_PLACEHOLDER = "NULL-"


def _rows(path: str | os.PathLike, report: BuildReport) -> Iterator[tuple[int, list[str]]]:
    """CSV rows with the physical line on which each starts."""
    start: list[int | None] = [None]

    def lines() -> Iterator[str]:
        for n, line in text_lines(path, report):
            if start[0] is None:
                start[0] = n
            yield line

    reader = csv.reader(lines())
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a stray carriage return in an unquoted cell
            # the reader starts afresh on the next line: report this row and go on
            # (found by tests/unit/test_fuzz_loaders.py; it used to escape as a traceback)
            line_no, start[0] = start[0], None
            report.add(Origin(display_name(path), line_no or 0), "(csv)", f"not a CSV row: {exc}",
                       "skipped")
            continue
        line_no, start[0] = start[0], None
        yield line_no or 0, row


def _call(row: list[str], origin: Origin, report: BuildReport) -> PhenotypeCall:
    g = row.__getitem__
    allele_id = opt(g(_I["allele_accession_id"]))
    placeholder = allele_id is not None and allele_id.startswith(ALLELE_PLACEHOLDER)
    allele_id = None if placeholder else curie(allele_id, "allele_accession_id", required=False)
    top = split_list(g(_I["top_level_mp_term_id"]), ",")
    for t in top:
        if not is_curie(t):
            raise RowError("top_level_mp_term_id", f"not a CURIE: {t!r}")
    call = PhenotypeCall(
        gene_id=curie(g(0), "marker_accession_id", required=True),
        gene_symbol=opt(g(1)),
        mp_term_id=curie(g(_I["mp_term_id"]), "mp_term_id", required=True),
        mp_term_name=opt(g(_I["mp_term_name"])),
        zygosity=opt(g(_I["zygosity"])),
        allele_id=allele_id,
        allele_symbol=opt(g(_I["allele_symbol"])),
        allele_name=opt(g(_I["allele_name"])),
        strain_id=opt(g(_I["strain_accession_id"])),
        strain_name=opt(g(_I["strain_name"])),
        colony_id=opt(g(_I["colony_id"])),
        phenotyping_center=opt(g(_I["phenotyping_center"])),
        project_name=opt(g(_I["project_name"])),
        pipeline_id=opt(g(_I["pipeline_stable_id"])),
        pipeline_name=opt(g(_I["pipeline_name"])),
        procedure_id=opt(g(_I["procedure_stable_id"])),
        procedure_name=opt(g(_I["procedure_name"])),
        parameter_id=opt(g(_I["parameter_stable_id"])),
        parameter_name=opt(g(_I["parameter_name"])),
        sex=opt(g(_I["sex"])),
        top_level_mp_term_ids=top,
        p_value=to_float(g(_I["p_value"]), "p_value"),
        percentage_change=to_float(g(_I["percentage_change"]), "percentage_change", percent=True),
        effect_size=to_float(g(_I["effect_size"]), "effect_size"),
        statistical_method=opt(g(_I["statistical_method"])),
        resource_name=opt(g(_I["resource_name"])),
        origin=origin,
    )
    if placeholder:  # only once the row is known to be kept
        report.add(origin, "allele_accession_id",
                   f"placeholder allele id {g(_I['allele_accession_id']).strip()!r} (allele "
                   "unknown): kept the call without an allele", "warning")
    return call


def load(path: str | os.PathLike, report: BuildReport) -> Iterator[PhenotypeCall]:
    """Yield one PhenotypeCall per valid row (header optional, see module doc)."""
    name = display_name(path)
    ncol = len(COLUMNS)
    first = True
    for line_no, row in _rows(path, report):
        if first:
            first = False
            cells = [c.strip() for c in row]
            if tuple(cells) == COLUMNS:
                continue  # the official header
            headerless = (len(row) == ncol and cells[0].startswith("MGI:")
                          and is_curie(cells[0]))
            if not headerless:
                if cells and not is_curie(cells[0]):  # a header, but not the official one
                    msg = ("not the IMPC genotype-phenotype header: "
                           + describe_header_mismatch(COLUMNS, cells))
                else:
                    msg = (f"not an IMPC genotype-phenotype CSV: expected the {ncol}-column "
                           f"header or a headerless row of {ncol} fields starting with an "
                           f"MGI id, found {len(row)} fields starting with "
                           f"{(row[0] if row else '')[:40]!r}")
                raise SourceFormatError(name, line_no, None, msg)
        origin = Origin(name, line_no)
        if len(row) != ncol:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line carries no row
            report.add(origin, "(row)", f"expected {ncol} fields, found {len(row)}", "skipped")
            continue
        try:
            yield _call(row, origin, report)
        except RowError as exc:
            report.add(origin, exc.field, exc.message, "skipped")
