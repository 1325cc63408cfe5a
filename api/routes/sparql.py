"""GET/POST /sparql: the SPARQL 1.1 Protocol, read-only. The rules live in :mod:`kg.sparql`.

Why so thin: parsing the request, refusing Update and SERVICE, negotiating the format,
the timeout, the row cap and the worker processes are plain functions there, tested
without HTTP; this router only moves bytes and maps :class:`kg.sparql.SparqlError` to its
status. Endpoints are plain ``def`` (run in the thread pool; pyoxigraph releases the GIL,
and in process isolation the thread only waits on a pipe); the body is read by an async
dependency because a sync endpoint cannot await it.

The default graph is the union of all named graphs (one per source, plus ``closure``
and ``meta``), unless the request names ``default-graph-uri``; the project's prefixes
(``biolink:``, ``MP:``, ``kgv:``, ...) are predeclared.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import Response

from kg import sparql
from kg.store.layout import OXIGRAPH_DIR


@asynccontextmanager
async def lifespan(app: FastAPI):
    """Runs inside the app's lifespan (the store is open): set up the SPARQL service; its
    worker processes start on the first query and stop here."""
    limits = sparql.Limits.from_settings(getattr(app.state, "settings", None))
    build_dir = getattr(app.state, "build_dir", None)
    app.state.sparql = sparql.SparqlService(
        app.state.store.store, build_dir / OXIGRAPH_DIR if build_dir else None, limits)
    try:
        yield
    finally:
        app.state.sparql.close()


router = APIRouter(tags=["sparql"], lifespan=lifespan)

QUERY_DOC = ("a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE); Update and SERVICE are refused. "
             "Prefixes of the graph (biolink:, MP:, HP:, kgv:, ...) are predeclared.")
FORMAT_DOC = ("instead of Accept: json, xml, csv, tsv (SELECT/ASK); ttl, nt, nq, trig, rdfxml, jsonld, "
              "n3 (CONSTRUCT/DESCRIBE)")
RESPONSES = {
    200: {"content": {f.media_type: {} for f in sparql.RESULT_FORMATS + sparql.GRAPH_FORMATS},
          "description": "the answer, in the negotiated format"},
    400: {"description": "malformed query, or the answer exceeds the row cap"},
    403: {"description": "SPARQL Update, LOAD or SERVICE: refused (read-only endpoint)"},
    406: {"description": "no acceptable result format"},
    503: {"description": "the query ran past the timeout (or every worker was busy)"},
}


async def _body(request: Request) -> bytes:
    return await request.body()


def _answer(request: Request, req: sparql.SparqlRequest, fmt: str | None) -> Response:
    service: sparql.SparqlService = request.app.state.sparql
    try:
        res = service.handle(req, request.headers.get("accept"), fmt)
    except sparql.SparqlError as exc:
        raise HTTPException(exc.status, exc.message) from None
    return Response(res.body, media_type=res.content_type,
                    headers={"Vary": "Accept", "Server-Timing": f"query;dur={res.elapsed_s * 1000:.1f}"})


@router.get("/sparql", summary="SPARQL 1.1 query (GET)", responses=RESPONSES)
def sparql_get(request: Request,
               query: str | None = Query(None, description=QUERY_DOC),
               format: str | None = Query(None, description=FORMAT_DOC)) -> Response:
    """Without a ``query``, answers the SPARQL 1.1 Service Description of the endpoint."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    if query is None and not any(k in sparql.UPDATE_PARAMS for k, _ in params):
        return Response(service_description(str(request.url.remove_query_params(
            request.query_params.keys()))), media_type="text/turtle; charset=utf-8")
    try:
        req = sparql.parse_request("GET", params)
    except sparql.SparqlError as exc:
        raise HTTPException(exc.status, exc.message) from None
    return _answer(request, req, format)


@router.post("/sparql", summary="SPARQL 1.1 query (POST: form or application/sparql-query body)",
             responses=RESPONSES)
def sparql_post(request: Request, body: bytes = Depends(_body),
                format: str | None = Query(None, description=FORMAT_DOC)) -> Response:
    url_params = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    content_type = request.headers.get("content-type")
    form = None
    if sparql._media(content_type) == sparql.FORM_MEDIA:
        try:
            form = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise HTTPException(400, "the form body is not valid UTF-8") from None
        fmt_in_form = [v for k, v in form if k == "format"]
        form = [(k, v) for k, v in form if k != "format"]
        format = format or (fmt_in_form[0] if fmt_in_form else None)
    try:
        req = sparql.parse_request("POST", url_params, content_type, body, form)
    except sparql.SparqlError as exc:
        raise HTTPException(exc.status, exc.message) from None
    return _answer(request, req, format)


def service_description(endpoint: str) -> str:
    """A SPARQL 1.1 Service Description: what a client can learn before querying.

    >>> "sd:UnionDefaultGraph" in service_description("http://127.0.0.1:8000/sparql")
    True
    """
    results = ", ".join(f"<http://www.w3.org/ns/formats/{n}>" for n in
                        ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                         "SPARQL_Results_TSV", "Turtle", "N-Triples", "N-Quads", "TriG", "RDF_XML",
                         "JSON-LD", "N3"))
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

[] a sd:Service ;
  sd:endpoint <{endpoint}> ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:feature sd:UnionDefaultGraph ;
  sd:resultFormat {results} ;
  rdfs:comment "impc-kg: read-only (no Update, no SERVICE); the default graph is the union of the named graphs; per-query timeout and row cap." .
"""
