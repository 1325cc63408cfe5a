"""The FastAPI application: opens the store read-only and loads the scoring tables at start-up.

Why a lifespan: the store and the precomputed PhenoDigm arrays are opened once,
before the first request, and a missing or damaged artefact stops the start-up with a
clear message instead of failing on the first request (``kg serve`` runs the same
opening first, :func:`check_store`, so a damaged store gives one line, not uvicorn's
traceback).

Every error answer is ``{"detail": ...}`` and is documented in the OpenAPI schema
(schemathesis checks the answers against it); an unexpected error answers 500
"internal error" and is logged server-side only. Request size limits and the optional
API key are :mod:`api.limits`.
"""

from __future__ import annotations

import importlib
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kg import __version__
from kg.store.layout import MANIFEST, OXIGRAPH_DIR, SCORING_DIR, StoreNotFound, StoreRoot
from kg.store.oxigraph_store import OxigraphStore

log = logging.getLogger("impc-kg")

ROUTERS = ("api.routes.entities", "api.routes.scoring", "api.routes.sparql", "api.routes.queries",
           "api.routes.cypher", "api.routes.mappings", "api.routes.web")


def _load_scoring(build_dir: Path):
    """The PhenoDigm index of this build, or None when the build has none."""
    directory = build_dir / SCORING_DIR
    if not directory.exists():
        log.warning("no scoring tables in %s: scoring endpoints will answer 503", build_dir)
        return None
    scoring = importlib.import_module("kg.scoring")
    return scoring.load_scoring_index(directory)  # raises with the missing file's name


#: every error answer is ``{"detail": ...}``: a message (str), FastAPI's validation list, or an object
ERROR_SCHEMA = {"title": "Error", "type": "object", "required": ["detail"],
                "properties": {"detail": {"anyOf": [{"type": "string"}, {"type": "array"},
                                                    {"type": "object"}]}}}
#: errors any operation can answer (status -> description); 503 stays per route (documented there)
COMMON_ERRORS = {"400": "malformed request", "404": "not in the graph",
                 "413": "request body over the size limit", "414": "query string over the length limit",
                 "415": "unsupported Content-Type of the request body",
                 "422": "invalid parameter (malformed or unknown id, out-of-range value)",
                 "500": "internal error (details only in the server log)"}


def _takes_tsv(op: dict) -> bool:
    """Whether an operation has a ``format`` query parameter that can ask for TSV."""
    for p in op.get("parameters", ()):
        if p.get("name") == "format" and p.get("in") == "query":
            schema = p.get("schema", {})
            enums = [*schema.get("enum", ()), *(e for a in schema.get("anyOf", ()) for e in a.get("enum", ()))]
            return "tsv" in enums
    return False


def _document_errors(app: FastAPI) -> None:
    """Document the error answers the service really gives, in one shared ``Error`` schema.

    Why: FastAPI documents 422 as its validation-error list only, while the routes answer
    422 (and 404) with ``{"detail": "message"}``, and ``?format=tsv`` answers TSV where
    only JSON was documented; schemathesis found both mismatches. Clients
    (and the fuzzer) must be able to rely on the schema for every status.
    """
    from fastapi.openapi.utils import get_openapi

    from api.limits import PROTECTED_PREFIXES

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"$ref": "#/components/schemas/Error"}
        for path, item in schema.get("paths", {}).items():
            for op in item.values():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                for status, desc in COMMON_ERRORS.items():
                    resp = op["responses"].setdefault(status, {"description": desc})
                    content = resp.setdefault("content", {})
                    content["application/json"] = {"schema": ref}
                if _takes_tsv(op) and "200" in op["responses"]:
                    op["responses"]["200"].setdefault("content", {})["text/tab-separated-values"] = {
                        "schema": {"type": "string"}}
                if path.startswith(PROTECTED_PREFIXES):
                    op["responses"].setdefault("401", {"description": "API key required (when one is "
                                                                      "configured): header X-API-Key"})
                for status, resp in op["responses"].items():
                    if status.startswith(("4", "5")) and status not in COMMON_ERRORS:
                        resp.setdefault("content", {})["application/json"] = {"schema": ref}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi


def open_store(store_root: Path) -> dict:
    """Open everything the service reads: build dir, manifest, Oxigraph (read-only), scoring.

    Any damage (no store, ``current`` pointing at nothing, an unreadable manifest, a
    missing or corrupt Oxigraph directory, broken scoring tables) raises
    :class:`StoreNotFound` with one line naming what is wrong and what to do, so
    ``kg serve`` can print it instead of a traceback (tests/integration/test_faults.py).
    """
    root = StoreRoot(store_root)
    build_dir = root.require_current()
    manifest = root.manifest()
    for key in ("build_id", "built_at", "sources", "counts"):
        if not isinstance(manifest, dict) or key not in manifest:
            raise StoreNotFound(f"store at {build_dir}: {MANIFEST} has no {key!r}; rebuild with `kg build`")
    if not (build_dir / OXIGRAPH_DIR).is_dir():
        raise StoreNotFound(f"store at {build_dir}: the Oxigraph directory {OXIGRAPH_DIR}/ is missing; "
                            f"rebuild with `kg build`")
    try:
        store = OxigraphStore.open_build(build_dir)
        store.store.query("ASK { ?s ?p ?o }")
    except Exception as exc:  # pyoxigraph: OSError / RuntimeError on a damaged database
        raise StoreNotFound(f"store at {build_dir}: cannot open the Oxigraph database "
                            f"({type(exc).__name__}: {exc}); rebuild with `kg build`") from None
    try:
        scoring = _load_scoring(build_dir)
    except Exception as exc:
        store.close()
        raise StoreNotFound(f"store at {build_dir}: cannot load the scoring tables "
                            f"({type(exc).__name__}: {exc}); rebuild with `kg build`") from None
    return {"build_dir": build_dir, "manifest": manifest, "store": store, "scoring": scoring}


def check_store(store_root: Path) -> Path:
    """Open and close the store as the service would (``kg serve`` runs this before uvicorn)."""
    state = open_store(store_root)
    state["store"].close()
    return state["build_dir"]


def create_app(store_root: Path, settings: dict | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        state = open_store(store_root)  # StoreNotFound: clear message, no serving
        app.state.build_dir = state["build_dir"]
        app.state.manifest = state["manifest"]
        app.state.store = state["store"]
        app.state.scoring = state["scoring"]
        app.state.settings = settings or {}
        yield
        app.state.store.close()

    app = FastAPI(title="impc-kg", version=__version__, lifespan=lifespan,
                  description="IMPC knowledge graph: entities, PhenoDigm disease-model matching, "
                              "SPARQL and Cypher.")

    @app.exception_handler(Exception)
    async def unhandled(request: Request, exc: Exception):  # no stack traces or paths to clients
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    _document_errors(app)
    from api.limits import LimitsMiddleware
    app.add_middleware(LimitsMiddleware, settings=settings)  # body/query-string limits, API key
    for name in ROUTERS:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        app.include_router(mod.router)
    return app
