"""MGI mouse-human orthology reports -> Orthology (MGI gene <-> NCBIGene).

Two MGI layouts are read, told apart by the first line:

``HMD_HumanPhenotype.rpt`` (the declared source): TSV, no header, columns
:data:`HMD_COLUMNS` plus an empty trailing field (a row that lost its trailing
empty cells, down to 4 fields, is accepted). One row = one orthologous pair;
``mouse_gene_id`` is the MGI accession, ``human_gene_id`` ``NCBIGene:<Entrez id>``.
The top-level MP ids column is not used (the builder derives top-level terms from
MP itself). A first line without 4-6 such fields and an MGI id in the fourth is
a layout error.

``HOM_MouseHumanSequence.rpt``: TSV with a header whose first column is
``HomoloGene ID`` (older releases) or ``DB Class Key`` (current); one row per gene,
rows of one homology class share that first column. Every mouse x human pair of a
class is emitted (classes in order of first appearance, then file order). The
pair's origin is the line of its human row (which supplies the NCBIGene id).
Only the columns in :data:`HOM_COLUMNS` are required (the coordinates column's
name changes with the genome build). MGI writes rows without their trailing empty
cells (a mouse gene with no SWISS_PROT id has 12 fields, not 13): such rows are
padded, as long as every needed column is present.

Row problems (reported with the format's own column name, row skipped): an empty or
non-numeric Entrez id (``Human Entrez Gene ID`` / ``EntrezGene ID``), an MGI id
that is not a CURIE (``MGI Marker Accession ID`` / ``Mouse MGI ID``), a wrong
number of fields.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from kg.model import Orthology, Origin
from kg.report import BuildReport, SourceFormatError
from kg.vocab import is_curie
from loaders.common import RowError, curie, opt, split_tsv, text_lines
from loaders.textfile import display_name

FORMAT = "mgi-hmd-human-phenotype"

#: HMD_HumanPhenotype.rpt columns (MGI's names; the file has no header)
HMD_COLUMNS = (
    "Human Marker Symbol", "Human Entrez Gene ID", "Mouse Marker Symbol",
    "MGI Marker Accession ID", "High-level Mammalian Phenotype ID",
)
#: HOM_MouseHumanSequence.rpt: the accepted names of the first (class) column ...
HOM_CLASS_COLUMNS = ("HomoloGene ID", "DB Class Key")
#: ... and the other columns this loader needs (looked up by name in the header)
HOM_COLUMNS = ("NCBI Taxon ID", "Symbol", "EntrezGene ID", "Mouse MGI ID")

HUMAN_TAXON = "9606"
MOUSE_TAXON = "10090"


def _entrez(text: str | None, field: str) -> str:
    text = opt(text)
    if text is None:
        raise RowError(field, "required field is empty")
    if not text.isdigit():
        raise RowError(field, f"not an Entrez Gene id: {text!r}")
    return "NCBIGene:" + text


def load(path: str | os.PathLike, report: BuildReport) -> Iterator[Orthology]:
    """Yield Orthology pairs from an HMD or a HOM report (detected from line 1)."""
    lines = text_lines(path, report)
    for n, line in lines:
        cells = split_tsv(line)
        if cells[0].strip() in HOM_CLASS_COLUMNS:
            yield from _hom(path, report, n, cells, lines)
        else:
            yield from _hmd(path, report, n, line, lines)
        return


def _hmd_cells(cells: list[str]) -> list[str] | None:
    """An HMD row as exactly 5 cells, or None if it cannot be one.

    MGI ends each row with an empty 6th cell; a row whose trailing empty cells were
    dropped (4 fields: no top-level MP ids) is padded.
    """
    if len(cells) == 6 and not cells[5].strip():
        return cells[:5]
    if len(cells) == 5:
        return cells
    if len(cells) == 4:
        return cells + [""]
    return None


def _hmd(path, report: BuildReport, first_no: int, first_line: str, lines) -> Iterator[Orthology]:
    name = display_name(path)
    first_cells = split_tsv(first_line)
    cells = _hmd_cells(first_cells)
    ok = (cells is not None and cells[3].strip().startswith("MGI:")
          and is_curie(cells[3].strip()))
    if not ok:
        raise SourceFormatError(
            name, first_no, None,
            "not an MGI orthology report: expected HMD_HumanPhenotype.rpt rows "
            f"({len(HMD_COLUMNS)} tab-separated fields {list(HMD_COLUMNS)} plus an empty "
            f"last one) or a HOM_MouseHumanSequence.rpt header starting with "
            f"{' or '.join(HOM_CLASS_COLUMNS)}; found {len(first_cells)} fields: "
            f"{first_line[:80]!r}")

    def rows():
        yield first_no, first_line
        yield from lines

    for n, line in rows():
        raw = split_tsv(line)
        origin = Origin(name, n)
        cells = _hmd_cells(raw)
        if cells is None:
            if len(raw) == 1 and not raw[0].strip():
                continue  # blank line
            report.add(origin, "(row)", f"expected 5 fields (+ an empty 6th), found {len(raw)}",
                       "skipped")
            continue
        try:
            yield Orthology(
                mouse_gene_id=curie(cells[3], HMD_COLUMNS[3], required=True),
                mouse_symbol=opt(cells[2]),
                human_gene_id=_entrez(cells[1], HMD_COLUMNS[1]),
                human_symbol=opt(cells[0]),
                origin=origin,
            )
        except RowError as exc:
            report.add(origin, exc.field, exc.message, "skipped")


def _hom(path, report: BuildReport, header_no: int, header: list[str],
         lines) -> Iterator[Orthology]:
    name = display_name(path)
    header = [h.strip() for h in header]
    missing = [c for c in HOM_COLUMNS if c not in header]
    if missing:
        raise SourceFormatError(name, header_no, None,
                                f"HOM_MouseHumanSequence.rpt header lacks {missing}; "
                                f"found {header}")
    i_tax, i_sym, i_entrez, i_mgi = (header.index(c) for c in HOM_COLUMNS)
    width = len(header)
    needed = max(i_tax, i_sym, i_entrez, i_mgi)  # a shorter row lacks a needed column
    # class key -> ([mouse (id, symbol)], [human (id, symbol, line)]) in file order
    classes: dict[str, tuple[list, list]] = {}
    for n, line in lines:
        cells = split_tsv(line)
        origin = Origin(name, n)
        if len(cells) != width:
            if len(cells) == 1 and not cells[0].strip():
                continue
            if len(cells) > width or len(cells) <= needed:
                report.add(origin, "(row)", f"expected {width} fields, found {len(cells)}",
                           "skipped")
                continue
            # MGI drops trailing empty cells (e.g. no SWISS_PROT id): pad them back
            cells.extend([""] * (width - len(cells)))
        key = cells[0].strip()
        if not key:
            report.add(origin, header[0], "required field is empty", "skipped")
            continue
        mice, humans = classes.setdefault(key, ([], []))
        taxon = cells[i_tax].strip()
        try:
            if taxon == MOUSE_TAXON:
                mice.append((curie(cells[i_mgi], HOM_COLUMNS[3], required=True),
                             opt(cells[i_sym])))
            elif taxon == HUMAN_TAXON:
                humans.append((_entrez(cells[i_entrez], HOM_COLUMNS[2]), opt(cells[i_sym]), n))
            # other organisms (none in the mouse-human report) carry no pair
        except RowError as exc:
            report.add(origin, exc.field, exc.message, "skipped")
    for mice, humans in classes.values():
        for mouse_id, mouse_symbol in mice:
            for human_id, human_symbol, n in humans:
                yield Orthology(mouse_id, mouse_symbol, human_id, human_symbol, Origin(name, n))
