"""GET /health and GET /entities/{curie}."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from api.errors import check_curie, not_found

router = APIRouter(tags=["graph"])


@router.get("/health", summary="Store version and counts")
def health(request: Request) -> dict:
    m = request.app.state.manifest
    return {
        "status": "ok",
        "backend": request.app.state.store.backend,
        "build_id": m["build_id"],
        "built_at": m["built_at"],
        "versions": {k: v.get("version") for k, v in m["sources"].items()},
        "counts": m["counts"]["totals"],
        "scoring": request.app.state.scoring is not None,
    }


@router.get("/entities/{curie}", summary="A gene, allele, model, term or disease with its direct neighbours")
def entity(request: Request, curie: str,
           max_neighbours: int = Query(500, ge=1, le=5000, description="cap per direction")) -> dict:
    check_curie(curie)
    ent = request.app.state.store.entity(curie, max_neighbours=max_neighbours)
    if ent is None:
        raise not_found("entity", curie)
    # plain JSON types already: skip jsonable_encoder's walk over every neighbour (load test:
    # the encoder was a large share of a lookup's server time)
    return JSONResponse(asdict(ent))
