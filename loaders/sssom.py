"""SSSOM TSV mapping files -> MappingSetInfo, then TermMapping per row.

Why: MP <-> HP mappings (MGI curated and lexical, Pistoia, IMPC procedure sets,
uPheno) all come as SSSOM TSV, but with different column orders and subsets, with
or without the ``#`` YAML metadata block. Columns are therefore looked up by name
in the header, never by position.

Metadata: the leading ``#`` lines (``#`` removed) are parsed as YAML (PyYAML).
:class:`~kg.model.MappingSetInfo` is always yielded first (its fields None and
``curie_map`` empty when the file has no block), with ``version`` =
``mapping_set_version``, else ``mapping_date``, else ``publication_date``; ``title``
= ``mapping_set_title``, else ``mapping_set_description``.

Columns: :data:`COLUMNS` are the SSSOM slots read; :data:`ALIASES` are
non-standard names some files use for them (MGI's ``MP_HP_upper_level_SSSOM.tsv``:
``match_type`` for ``mapping_justification``, ``creator_id`` for ``author_id``).
``subject_id``, ``predicate_id`` and ``object_id`` must be in the header (else
SourceFormatError); other columns are optional and unknown ones are ignored.

Row rules (reported with the column name as the file spells it, row skipped):
subject/predicate/object ids required CURIEs; ``confidence`` a number or empty.
Hand-edited files lose trailing empty cells (49 rows of ``mp_hp_mgi_all.sssom.tsv``
have 10 fields under an 11-column header; the 11th, ``other``, is empty in every
other row): a row shorter than the header is padded with empty cells as long as
it reaches the required columns; a longer row is skipped unless its extra cells
are empty. Blank lines are ignored.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import yaml

from kg.model import MappingSetInfo, Origin, TermMapping
from kg.report import BuildReport, SourceFormatError
from loaders.common import RowError, curie, opt, split_tsv, text_lines, to_float
from loaders.textfile import display_name

FORMAT = "sssom-tsv"

#: the SSSOM columns (slots) this loader reads
COLUMNS = (
    "subject_id", "subject_label", "predicate_id", "object_id", "object_label",
    "mapping_justification", "confidence", "author_id", "mapping_tool", "mapping_date",
    "comment",
)
REQUIRED = ("subject_id", "predicate_id", "object_id")
#: non-standard column name -> the SSSOM slot it stands for
ALIASES = {"match_type": "mapping_justification", "creator_id": "author_id"}


def _metadata(name: str, block: list[tuple[int, str]]) -> dict:
    if not block:
        return {}
    text = "".join(line[1:] for _, line in block)
    try:
        meta = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = block[mark.line][0] if mark is not None and mark.line < len(block) else block[0][0]
        raise SourceFormatError(name, line, None,
                                f"the '#' metadata block is not YAML: {exc}") from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise SourceFormatError(name, block[0][0], None,
                                "the '#' metadata block is not a YAML mapping "
                                f"(found a {type(meta).__name__})")
    return meta


def _text(value: object) -> str | None:
    if value is None:
        return None
    return opt(str(value))


def _info(meta: dict, origin: Origin) -> MappingSetInfo:
    curie_map = meta.get("curie_map") or {}
    if not isinstance(curie_map, dict):
        curie_map = {}
    version = next((_text(meta[k]) for k in ("mapping_set_version", "mapping_date",
                                              "publication_date") if meta.get(k)), None)
    return MappingSetInfo(
        mapping_set_id=_text(meta.get("mapping_set_id")),
        title=_text(meta.get("mapping_set_title") or meta.get("mapping_set_description")),
        license=_text(meta.get("license")),
        version=version,
        curie_map={str(k): str(v) for k, v in curie_map.items()},
        origin=origin,
    )


def load(path: str | os.PathLike, report: BuildReport) -> Iterator[MappingSetInfo | TermMapping]:
    """Yield the mapping set's metadata, then one TermMapping per valid row."""
    name = display_name(path)
    lines = text_lines(path, report)
    block: list[tuple[int, str]] = []
    header: list[str] | None = None
    header_no = 0
    for n, line in lines:
        if line.startswith("#"):
            block.append((n, line))
            continue
        if not line.strip():
            continue
        header, header_no = [c.strip() for c in split_tsv(line)], n
        break
    if header is None:
        raise SourceFormatError(name, None, None, "no header line after the '#' block")

    # slot -> (column index, column name as written)
    where: dict[str, tuple[int, str]] = {}
    for i, col in enumerate(header):
        slot = col if col in COLUMNS else ALIASES.get(col)
        if slot is not None and slot not in where:
            where[slot] = (i, col)
    missing = [c for c in REQUIRED if c not in where]
    if missing:
        raise SourceFormatError(name, header_no, None,
                                f"not an SSSOM TSV header: missing required column(s) "
                                f"{missing}; found {header}")
    meta = _metadata(name, block)
    yield _info(meta, Origin(name, block[0][0] if block else header_no))

    width = len(header)
    reach = max(i for i, _ in (where[c] for c in REQUIRED)) + 1
    get = {slot: where[slot] for slot in COLUMNS if slot in where}
    (i_s, f_s), (i_p, f_p), (i_o, f_o) = (where[c] for c in REQUIRED)
    optional = [(slot, i) for slot, (i, _) in get.items()
                if slot not in REQUIRED and slot != "confidence"]
    conf = get.get("confidence")

    for n, line in lines:
        cells = split_tsv(line)
        origin = Origin(name, n)
        if len(cells) != width:
            if len(cells) == 1 and not cells[0].strip():
                continue  # blank line
            if len(cells) > width:
                if any(c.strip() for c in cells[width:]):
                    report.add(origin, "(row)",
                               f"expected {width} fields, found {len(cells)}", "skipped")
                    continue
                del cells[width:]
            elif len(cells) < reach:
                report.add(origin, "(row)", f"expected {width} fields, found {len(cells)}",
                           "skipped")
                continue
            else:
                cells.extend([""] * (width - len(cells)))
        try:
            values = {slot: opt(cells[i]) for slot, i in optional}
            mapping = TermMapping(
                subject_id=curie(cells[i_s], f_s, required=True),
                predicate_id=curie(cells[i_p], f_p, required=True),
                object_id=curie(cells[i_o], f_o, required=True),
                justification=values.get("mapping_justification"),
                subject_label=values.get("subject_label"),
                object_label=values.get("object_label"),
                confidence=to_float(cells[conf[0]], conf[1]) if conf else None,
                author_id=values.get("author_id"),
                mapping_tool=values.get("mapping_tool"),
                mapping_date=values.get("mapping_date"),
                comment=values.get("comment"),
                origin=origin,
            )
        except RowError as exc:
            report.add(origin, exc.field, exc.message, "skipped")
            continue
        yield mapping
