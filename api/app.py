"""The FastAPI application: opens the store read-only and loads the scoring tables at start-up.

Why a lifespan: the store and the precomputed PhenoDigm arrays are opened once,
before the first request, and a missing or damaged artefact stops the start-up with a
clear message instead of failing on the first request.
"""

from __future__ import annotations

import importlib
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kg import __version__
from kg.store.layout import SCORING_DIR, StoreRoot
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


def create_app(store_root: Path, settings: dict | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        root = StoreRoot(store_root)
        build_dir = root.require_current()  # StoreNotFound: clear message, no serving
        app.state.build_dir = build_dir
        app.state.manifest = root.manifest()
        app.state.store = OxigraphStore.open_build(build_dir)
        app.state.scoring = _load_scoring(build_dir)
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

    for name in ROUTERS:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        app.include_router(mod.router)
    return app
