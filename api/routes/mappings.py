"""POST /mappings/validate: check an uploaded MP<->HP SSSOM TSV against the served store.

The body is the TSV itself (``text/tab-separated-values``, ``text/plain`` or any other
type; gzip accepted) or a multipart form with one file (field ``file``). At most
``MAX_UPLOAD_BYTES`` (20 MiB; ``settings["mappings_max_upload_bytes"]``) are read: a larger
body is refused with 413 before it is all in memory. Answers: the JSON report (default),
``?format=sssom`` the flagged rows as SSSOM TSV with a comment column, ``?format=markdown``
the summary, ``?format=html`` the summary as a self-contained HTML page. Without
``format`` the ``Accept`` header chooses (``text/html`` as a browser sends it, or
``text/markdown``, ``text/tab-separated-values``, ``application/json``; ``*/*``, no header or
only other types give JSON, as before), and the answer says ``Vary: Accept``. A file that
is not SSSOM TSV at all -> 422 with the line (``detail.line``); rows the loader cannot
read are flags of check 1, not errors.

Read-only: validation reads a snapshot of the store (:mod:`kg.mappings.context`), made on
the first request and kept for the life of the app; the upload goes to a temporary file
that is removed afterwards; nothing is written to the store. The endpoint is a plain
``def`` (run in FastAPI's thread pool); only reading the body is ``async``.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Literal

from api.app_state import once_per_app
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from kg.mappings import MalformedMappingFile, load_context, validate
from kg.mappings.report import to_html, to_json, to_markdown, to_sssom
from kg.mappings.validate import parse_checks
from kg.sparql import accept_items

router = APIRouter(tags=["mappings"])

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class _Upload:
    def __init__(self, name: str, data: bytes):
        self.name, self.data = name, data


def _limit(request: Request) -> int:
    settings = getattr(request.app.state, "settings", None) or {}
    return int(settings.get("mappings_max_upload_bytes", MAX_UPLOAD_BYTES))


def _safe_name(name: str | None) -> str:
    base = os.path.basename(name or "") or "upload.sssom.tsv"
    return re.sub(r"[^A-Za-z0-9._-]", "_", base)[:120]


async def read_upload(request: Request, filename: str | None = Query(
        None, description="name used in messages when the body is the TSV itself")) -> _Upload:
    """The uploaded bytes, raw body or multipart, refused (413) past the size limit."""
    limit = _limit(request)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"upload of {declared} bytes is over the limit of {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"upload is over the limit of {limit} bytes")
    name = filename
    data = bytes(body)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        async def stream():
            yield data
        try:
            form = await MultiPartParser(request.headers, stream(), max_files=1, max_fields=20,
                                         max_part_size=limit).parse()
        except MultiPartException as exc:
            raise HTTPException(422, f"cannot read the multipart form: {exc.message}") from None
        files = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
        if not files:
            raise HTTPException(422, "the multipart form has no file: send the TSV as field 'file'")
        up = next((v for k, v in form.multi_items() if k == "file" and isinstance(v, UploadFile)), files[0])
        data = await up.read()
        name = name or up.filename
        await form.close()
    if not data.strip():
        raise HTTPException(422, "empty upload: send an SSSOM TSV file")
    return _Upload(_safe_name(name), data)


def _context(request: Request):
    """The store snapshot, read on first use and kept (one per app)."""
    def build():
        state = request.app.state
        ctx = load_context(state.store)
        manifest = getattr(state, "manifest", None) or {}
        ctx.build["build_id"] = manifest.get("build_id", ctx.build.get("build_id"))
        ctx.build["versions"] = {k: v.get("version") for k, v in manifest.get("sources", {}).items()
                                 if k in ("mp", "hp", "hpoa", "impc")}
        return ctx
    return once_per_app(request, "mapping_context", build)


def _baseline(request: Request, ctx):
    from kg.mappings.impact import build_baseline
    return once_per_app(request, "mapping_impact_baseline", lambda: build_baseline(ctx))


#: media types a client may ask for in ``Accept``, and the format each gives
ACCEPTED = {"application/json": "json", "text/html": "html", "application/xhtml+xml": "html",
            "text/markdown": "markdown", "text/x-markdown": "markdown",
            "text/tab-separated-values": "sssom"}


def negotiate(accept: str | None) -> str:
    """The report format for an ``Accept`` header (when ``?format`` is not given).

    Highest q first; on a tie a specific type beats a wildcard, then the header's order.
    Wildcards, no header and unknown types give ``json`` (never 406: JSON is the default).

    >>> negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    'html'
    >>> negotiate("*/*"), negotiate(None), negotiate("image/png")
    ('json', 'json', 'json')
    >>> negotiate("text/html;q=0.5, application/json")
    'json'
    >>> negotiate("text/*;q=0.9, text/markdown")
    'markdown'
    """
    best: tuple[tuple, str] | None = None
    for media, q, idx in accept_items(accept or ""):
        fmt = ACCEPTED.get(media) or ("json" if media in ("*/*", "application/*") else None)
        if fmt is None or q <= 0:
            continue
        rank = (q, 0 if "*" in media else 1, -idx)
        if best is None or rank > best[0]:
            best = (rank, fmt)
    return best[1] if best else "json"


_TEXT = {"schema": {"type": "string"}}
_OK_DOC = {"description": "the report: JSON, the flagged rows as SSSOM TSV, or the summary as Markdown or HTML",
           "content": {"application/json": {}, "text/tab-separated-values": _TEXT, "text/markdown": _TEXT,
                       "text/html": _TEXT}}

_BODY_DOC = {"requestBody": {"required": True, "content": {
    "text/tab-separated-values": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}, "required": ["file"]}}}}}


@router.post("/mappings/validate", summary="Validate an MP<->HP SSSOM TSV against the ontologies and IMPC data",
             openapi_extra=_BODY_DOC,
             responses={200: _OK_DOC, 413: {"description": "upload over the size limit"},
                        422: {"description": "not SSSOM TSV (with the line), or bad parameters"}})
def validate_mappings(
    request: Request,
    response: Response,
    upload: _Upload = Depends(read_upload),
    format: Literal["json", "sssom", "markdown", "html"] | None = Query(
        None, description="json report, flagged rows as SSSOM TSV, Markdown summary or HTML page; "
                          "default: chosen by the Accept header, else json"),
    checks: str | None = Query(None, description="checks by number or name, comma separated (default 1-7; "
                                                 "8 = impact)"),
    impact: bool = Query(False, description="also run check 8 (rankings; slow on first use)"),
    replaces: str = Query("auto", description="impact: active set the file replaces, 'auto' or 'none'"),
    max_diseases: int = Query(200, ge=1, le=2000, description="impact: diseases ranked again"),
    top_k: int = Query(10, ge=1, le=100, description="impact: size of the compared top lists"),
    min_severity: Literal["error", "warning", "info"] = Query("info", description="flags kept in json/sssom"),
    top: int = Query(100, ge=1, le=5000, description="rows kept in the agreement and coverage tables"),
):
    """Runs checks 1-7 (and 8 with ``impact=true``) of :mod:`kg.mappings.validate` on the upload."""
    try:
        chosen = parse_checks(checks)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    if impact and "impact" not in chosen:
        chosen.append("impact")
    ctx = _context(request)
    options = {"replaces": replaces, "max_diseases": max_diseases, "top_k": top_k}
    if "impact" in chosen:
        options["baseline"] = _baseline(request, ctx)
    with tempfile.TemporaryDirectory(prefix="kg-mappings-") as tmp:
        path = Path(tmp) / "upload.tsv"
        path.write_bytes(upload.data)
        try:
            report = validate(path, ctx, chosen, name=upload.name, top=top, impact_options=options)
        except MalformedMappingFile as exc:
            raise HTTPException(422, {"message": f"not a readable SSSOM TSV: {exc}", **exc.as_dict()}) from None
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
    fmt = format or negotiate(request.headers.get("accept"))
    vary = {"Vary": "Accept"}
    if fmt == "sssom":
        return PlainTextResponse(to_sssom(report, min_severity), media_type="text/tab-separated-values",
                                 headers=vary)
    if fmt == "markdown":
        return PlainTextResponse(to_markdown(report), media_type="text/markdown", headers=vary)
    if fmt == "html":
        return HTMLResponse(to_html(report), headers=vary)
    response.headers.update(vary)
    return to_json(report, min_severity)
