"""IMPC API ``phenotype-hits`` JSON -> PhenotypeCall, one per significant call.

Why: the IMPC web API (``/api/v1/genes/{MGI}/phenotype-hits``) gives, per gene, its
significant calls with life stage, p-value, effect size, sex, zygosity, allele,
centre and IMPReSS procedure/parameter: the same facts as the release CSV plus
``lifeStageName``. The project keeps such responses as files named
``<MGI_n>.phenotype-hits.json[.gz]``.

``path`` is a directory (every ``*.phenotype-hits.json`` / ``*.phenotype-hits.json.gz``
in it, sorted by name, is read; other JSON kinds there are ignored) or one such file.

Line numbers: JSON has no rows, so a record's ``origin.line`` is the 1-based
index of the call in the file's top-level list (documented here, as the brief of
every loader asks for file + line). The origin's file is the JSON file itself.

Layout (fatal, SourceFormatError): the file must be UTF-8 JSON whose top level is a
list. Each element must be an object; a call without a CURIE ``mgiGeneAccessionId``
or ``phenotype.id``, with a non-CURIE ``alleleAccessionId`` or top-level id, or a
``pValue``/``effectSize`` that is not a number or null, is reported (field = the
JSON key, dotted for nested ones) and skipped. Older responses spell the top-level
list ``topLevelPhenotype`` (singular); both spellings are read. Values such as sex
(``not_considered``, ``no data``) are kept as the API writes them. The API does not
give the gene symbol or the pipeline name: those fields stay None.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from kg.model import Origin, PhenotypeCall
from kg.report import BuildReport, SourceFormatError
from loaders.common import RowError, curie, json_number, opt
from loaders.textfile import display_name, is_gzip

FORMAT = "impc-phenotype-hits-json"

#: the JSON keys of a phenotype-hits call that this loader reads
FIELDS = (
    "mgiGeneAccessionId", "alleleAccessionId", "alleleSymbol", "alleleName", "zygosity",
    "sex", "lifeStageName", "phenotypingCentre", "projectName", "pipelineStableId",
    "procedureStableId", "procedureName", "parameterStableId", "parameterName",
    "pValue", "effectSize", "phenotype", "topLevelPhenotypes",
)
#: older API responses use the singular key
TOP_LEVEL_KEYS = ("topLevelPhenotypes", "topLevelPhenotype")
SUFFIXES = (".phenotype-hits.json", ".phenotype-hits.json.gz")


def files(path: str | os.PathLike) -> list[Path]:
    """The phenotype-hits files that ``path`` stands for (sorted)."""
    p = Path(path)
    if p.is_dir():
        found = sorted(f for f in p.iterdir() if f.name.endswith(SUFFIXES) and f.is_file())
        if not found:
            raise SourceFormatError(display_name(p), None, None,
                                    "no *.phenotype-hits.json(.gz) file in this directory")
        return found
    return [p]


def _read_json(path: Path) -> object:
    name = display_name(path)
    if not path.exists():
        raise SourceFormatError(name, None, None, "file not found")
    if path.stat().st_size == 0:
        raise SourceFormatError(name, None, None, "file is empty")
    try:
        raw = gzip.decompress(path.read_bytes()) if is_gzip(path) else path.read_bytes()
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise SourceFormatError(name, None, None, f"truncated or corrupt gzip: {exc}") from None
    if not raw.strip():
        raise SourceFormatError(name, None, None, "file is empty (no JSON after decompression)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise SourceFormatError(name, line, None, f"not UTF-8 at byte {exc.start}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFormatError(name, exc.lineno, None, f"not JSON: {exc.msg}") from None


def _name(obj: object, key: str) -> str | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    return opt(value) if isinstance(value, str) else None


def _text(hit: dict, key: str) -> str | None:
    value = hit.get(key)
    if value is None:
        return None
    return opt(value if isinstance(value, str) else str(value))


def _call(hit: dict, origin: Origin) -> PhenotypeCall:
    phenotype = hit.get("phenotype")
    if not isinstance(phenotype, dict):
        raise RowError("phenotype.id", "missing phenotype object")
    top_key = next((k for k in TOP_LEVEL_KEYS if k in hit), TOP_LEVEL_KEYS[0])
    tops = hit.get(top_key) or []
    if not isinstance(tops, list):
        raise RowError(top_key, f"not a list: {tops!r}")
    top_ids = []
    for t in tops:
        tid = t.get("id") if isinstance(t, dict) else None
        top_ids.append(curie(tid if isinstance(tid, str) else None, f"{top_key}.id",
                             required=True))
    pid = phenotype.get("id")
    gene = hit.get("mgiGeneAccessionId")
    allele = hit.get("alleleAccessionId")
    return PhenotypeCall(
        gene_id=curie(gene if isinstance(gene, str) else None, "mgiGeneAccessionId",
                      required=True),
        gene_symbol=None,
        mp_term_id=curie(pid if isinstance(pid, str) else None, "phenotype.id", required=True),
        mp_term_name=_name(phenotype, "name"),
        zygosity=_text(hit, "zygosity"),
        allele_id=curie(allele if isinstance(allele, str) else None, "alleleAccessionId",
                        required=False),
        allele_symbol=_text(hit, "alleleSymbol"),
        allele_name=_text(hit, "alleleName"),
        phenotyping_center=_text(hit, "phenotypingCentre"),
        project_name=_text(hit, "projectName"),
        pipeline_id=_text(hit, "pipelineStableId"),
        procedure_id=_text(hit, "procedureStableId"),
        procedure_name=_text(hit, "procedureName"),
        parameter_id=_text(hit, "parameterStableId"),
        parameter_name=_text(hit, "parameterName"),
        sex=_text(hit, "sex"),
        life_stage=_text(hit, "lifeStageName"),
        top_level_mp_term_ids=tuple(top_ids),
        p_value=json_number(hit.get("pValue"), "pValue"),
        effect_size=json_number(hit.get("effectSize"), "effectSize"),
        origin=origin,
    )


def load(path: str | os.PathLike, report: BuildReport) -> Iterator[PhenotypeCall]:
    """Yield one PhenotypeCall per call of every phenotype-hits file under ``path``."""
    for file in files(path):
        name = display_name(file)
        data = _read_json(file)
        if not isinstance(data, list):
            raise SourceFormatError(name, 1, None,
                                    "expected a JSON list of phenotype-hits calls, found a "
                                    f"JSON {type(data).__name__}")
        for index, hit in enumerate(data, start=1):
            origin = Origin(name, index)
            if not isinstance(hit, dict):
                report.add(origin, "(record)", f"not a JSON object: {hit!r:.60}", "skipped")
                continue
            try:
                yield _call(hit, origin)
            except RowError as exc:
                report.add(origin, exc.field, exc.message, "skipped")
