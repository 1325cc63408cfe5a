"""HPO ``genes_to_phenotype.txt`` -> DiseaseGene (NCBIGene id, symbol, disease id).

Why: the file links human genes to the diseases they cause (via the disease's
HPO annotations); the graph uses the gene-disease links, not the per-term rows
(disease phenotypes come from ``phenotype.hpoa``).

Deduplication (the one allowed exception to "loaders never deduplicate"): the
file repeats each (gene, disease) pair once per HPO term of the disease (316k
rows, ~1/30 of them distinct pairs), so the loader yields each (gene_id,
disease_id) pair once, with the origin of its first row. Duplicate rows are
expected by the file's design and are not reported.

Layout: header :data:`COLUMNS` (checked exactly), tab-separated rows.
Row rules (reported with the column name, row skipped): ``ncbi_gene_id`` an
Entrez number (-> ``NCBIGene:<id>``), ``disease_id`` a CURIE, 6 fields. The
``hpo_id``/``frequency`` columns are not used and not checked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from kg.model import DiseaseGene, Origin
from kg.report import BuildReport, SourceFormatError
from kg.vocab import is_curie
from loaders.common import describe_header_mismatch, split_tsv, text_lines
from loaders.textfile import display_name

FORMAT = "hpo-genes-to-phenotype"

#: the official genes_to_phenotype.txt columns, in order
COLUMNS = ("ncbi_gene_id", "gene_symbol", "hpo_id", "hpo_name", "frequency", "disease_id")


def load(path: str | os.PathLike, report: BuildReport) -> Iterator[DiseaseGene]:
    """Yield one DiseaseGene per distinct (gene, disease) pair, in order of first row."""
    name = display_name(path)
    ncol = len(COLUMNS)
    seen: set[tuple[str, str]] = set()
    lines = text_lines(path, report)
    for n, line in lines:
        cells = tuple(c.strip() for c in split_tsv(line))
        if cells != COLUMNS:
            raise SourceFormatError(name, n, None, "not the genes_to_phenotype header: "
                                    + describe_header_mismatch(COLUMNS, cells))
        break
    for n, line in lines:
        cells = line.rstrip("\r\n").split("\t")
        if len(cells) != ncol:
            if len(cells) == 1 and not cells[0].strip():
                continue  # blank line
            report.add(Origin(name, n), "(row)", f"expected {ncol} fields, found {len(cells)}",
                       "skipped")
            continue
        gene, symbol, disease = cells[0], cells[1], cells[5]
        key = (gene, disease)
        if key in seen:
            continue
        if not gene.isdigit():
            report.add(Origin(name, n), "ncbi_gene_id",
                       "required field is empty" if not gene else f"not an Entrez id: {gene!r}",
                       "skipped")
            continue
        if not is_curie(disease):
            report.add(Origin(name, n), "disease_id",
                       "required field is empty" if not disease else f"not a CURIE: {disease!r}",
                       "skipped")
            continue
        seen.add(key)
        yield DiseaseGene("NCBIGene:" + gene, symbol.strip() or None, disease, Origin(name, n))
