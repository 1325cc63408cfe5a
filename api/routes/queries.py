"""GET /queries (the named query library) and GET /queries/{name}?param=... (run one).

Why thin: headers, parameter checking and binding are :mod:`kg.queries`; running goes
through the same :class:`kg.sparql.SparqlService` as ``/sparql`` (same timeout, row cap
and worker processes), so a named query can never outlive its deadline either.
Errors: unknown name 404; missing, unknown or malformed parameter 422, with the reason.
Rows are JSON objects (IRIs as CURIEs, numbers as numbers, absent values null), or TSV
with ``?format=tsv`` or ``Accept: text/tab-separated-values``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse

from kg import queries, sparql

router = APIRouter(tags=["queries"])


def _get(name: str) -> queries.NamedQuery:
    try:
        return queries.get(name)
    except queries.UnknownQuery as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/queries", summary="The named queries: name, title, question, parameters, examples")
def list_queries() -> dict[str, Any]:
    return {"queries": [q.summary() for q in queries.load().values()]}


@router.get("/queries/{name}/sparql", summary="The SPARQL text of a named query (runs as-is in /sparql)",
            response_class=PlainTextResponse, responses={200: {"content": {"application/sparql-query": {"schema": {"type": "string"}}}}})
def query_text(name: str) -> PlainTextResponse:
    return PlainTextResponse(_get(name).text, media_type="application/sparql-query; charset=utf-8")


@router.get("/queries/{name}", summary="Run a named query; its parameters are query-string parameters",
            responses={404: {"description": "no such query"},
                       422: {"description": "missing, unknown or malformed parameter"},
                       503: {"description": "the query ran past the timeout"}})
def run_query(request: Request, name: str,
              format: str | None = Query(None, description="json (default) or tsv")) -> Any:
    nq = _get(name)
    raw = {k: v for k, v in request.query_params.multi_items() if k != "format"}
    accept = request.headers.get("accept", "")
    fmt = (format or ("tsv" if "text/tab-separated-values" in accept else "json")).lower()
    if fmt not in ("json", "tsv"):
        raise HTTPException(422, f"format must be json or tsv, not {format!r}")
    service: sparql.SparqlService = request.app.state.sparql
    try:
        table, shown = queries.run(nq, raw, service.select)
    except queries.ParamError as exc:
        raise HTTPException(422, str(exc)) from None
    except sparql.SparqlError as exc:
        raise HTTPException(exc.status, exc.message) from None
    if fmt == "tsv":
        comments = [f"query: {nq.name} -- {nq.title}",
                    "parameters: " + ("&".join(f"{k}={v}" for k, v in shown.items()) or "(none)"),
                    f"build: {request.app.state.manifest.get('build_id', '?')}"]
        return PlainTextResponse(queries.to_tsv(table, comments),
                                 media_type="text/tab-separated-values; charset=utf-8")
    return {"query": nq.name, "title": nq.title, "parameters": shown,
            "build": request.app.state.manifest.get("build_id"),
            "columns": table.columns, "count": len(table.rows),
            "elapsed_ms": round(table.elapsed_s * 1000, 1), "rows": table.rows}
