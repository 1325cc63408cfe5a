"""GET /health and GET /entities/{curie}."""

from __future__ import annotations

import json

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.errors import check_curie, not_found
from kg.store.interface import Entity

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
    # plain JSON types already: skip jsonable_encoder's walk over every neighbour, and
    # dataclasses.asdict's deep copy (load test: both were a large share of a look-up's CPU)
    return Response(entity_json(ent), media_type="application/json")


def entity_json(ent: Entity) -> bytes:
    """The JSON answer of an entity: ``dataclasses.asdict(ent)`` serialised, with orjson.

    Same keys in the same order as ``asdict``; a value orjson refuses (an integer over
    64 bits from an ``xsd:integer`` literal) falls back to the standard library.

    >>> from kg.store.interface import Neighbour
    >>> e = Entity("MGI:1", "biolink:Gene", "A", {"kgv:n": [1, 2.5]}, [Neighbour("p", "MP:1", None, "out", "impc")],
    ...            {"out": 1, "in": 0}, ["impc"])
    >>> from dataclasses import asdict
    >>> json.loads(entity_json(e)) == asdict(e), list(json.loads(entity_json(e))) == list(asdict(e))
    (True, True)
    """
    body = {"id": ent.id, "category": ent.category, "label": ent.label, "properties": ent.properties,
            "neighbours": [{"predicate": n.predicate, "id": n.id, "label": n.label, "direction": n.direction,
                            "source": n.source} for n in ent.neighbours],
            "neighbour_counts": ent.neighbour_counts, "sources": ent.sources}
    try:
        return orjson.dumps(body)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
