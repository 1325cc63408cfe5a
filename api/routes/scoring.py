"""PhenoDigm disease-model matching over HTTP (the engine: :mod:`kg.scoring`).

Reads the index loaded at start-up from ``request.app.state.scoring``. Endpoints are plain
``def`` (FastAPI runs them in its thread pool; numpy releases the GIL). Every answer names
the ontology versions, mapping sets and IC corpus (``provenance``); tables are also
served as TSV with ``?format=tsv`` (provenance as leading ``#`` lines).

Errors: malformed id -> 422; unknown id -> 404 with a message; a known entity whose
profile has no usable term -> 200, an empty ``results`` and a ``reason``; no scoring
tables in this build -> 503.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from api.errors import check_curie
from kg.scoring import service
from kg.scoring.engine import ScoringIndex, UnknownId

router = APIRouter(tags=["phenodigm"])

DISEASE_PREFIXES = ("OMIM", "ORPHA", "DECIPHER", "MONDO")
MAX_TERMS = 1000  # terms in one /match profile
Format = Literal["json", "tsv"]
LimitQ = Query(50, ge=1, le=10000, description="page size")
OffsetQ = Query(0, ge=0, description="rows to skip")
MinScoreQ = Query(0.0, ge=0.0, le=100.0, description="keep rows with overall >= this (0-100)")
FormatQ = Query("json", description="json, or tsv for the table")


def _index(request: Request) -> ScoringIndex:
    idx = getattr(request.app.state, "scoring", None)
    if idx is None:
        raise HTTPException(503, "this build has no PhenoDigm scoring tables (rebuild with scoring)")
    return idx


def _answer(body: dict, fmt: str, columns) -> Any:
    if fmt == "tsv":
        return PlainTextResponse(service.to_tsv(body["results"], columns, body["provenance"]),
                                 media_type="text/tab-separated-values")
    return JSONResponse(body)  # plain JSON types already: skip jsonable_encoder's walk


def _run(fn, *args, **kwargs) -> dict:
    try:
        return fn(*args, **kwargs)
    except UnknownId as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/diseases/{disease_id}/models", summary="Mouse models ranked for a disease (PhenoDigm)")
def disease_models(request: Request, disease_id: str, limit: int = LimitQ, offset: int = OffsetQ,
                   min_score: float = MinScoreQ,
                   zygosity: Literal["homozygote", "heterozygote", "hemizygote"] | None = Query(None),
                   known_gene_only: bool = Query(False, description="only models of a known (curated) gene"),
                   novel_only: bool = Query(False, description="only models of other genes (predicted)"),
                   format: Format = FormatQ):
    """Every model, ranked by overall score (the mean of the normalised max and avg scores,
    normalised against the disease's ideal model). ``known_gene`` tells whether the model's
    gene is orthologous to a gene known for the disease (evidence ``curated``) or not
    (``predicted``)."""
    check_curie(disease_id, DISEASE_PREFIXES)
    if known_gene_only and novel_only:
        raise HTTPException(422, "known_gene_only and novel_only exclude each other")
    body = _run(service.models_for_disease, _index(request), disease_id, limit=limit, offset=offset,
                min_score=min_score, zygosity=zygosity, known_gene_only=known_gene_only,
                novel_only=novel_only)
    return _answer(body, format, service.MODEL_COLUMNS)


@router.get("/diseases/{disease_id}/models/{model_id}/explain",
            summary="Why a model matches a disease: the matched term pairs both ways")
def explain(request: Request, disease_id: str, model_id: str):
    """For each disease term its best MP term, for each model term its best HP term: HP and MP
    ids and labels, MICA id and label, its IC, simJ and the pair score; ``counted`` is false
    for a disease term with no cross-species match (it never enters the scores)."""
    check_curie(disease_id, DISEASE_PREFIXES)
    check_curie(model_id, ("MODEL",))
    return _run(service.explain, _index(request), disease_id, model_id)


@router.get("/models/{model_id}/diseases", summary="Diseases ranked for a mouse model (PhenoDigm)")
def model_diseases(request: Request, model_id: str, limit: int = LimitQ, offset: int = OffsetQ,
                   min_score: float = MinScoreQ, format: Format = FormatQ):
    """Every disease ranked for the model; scores normalised against the model's ideal disease."""
    check_curie(model_id, ("MODEL",))
    body = _run(service.diseases_for_model, _index(request), model_id, limit=limit, offset=offset,
                min_score=min_score)
    return _answer(body, format, service.DISEASE_COLUMNS)


@router.get("/genes/{gene_id}/diseases", summary="Diseases ranked for a mouse gene (its best model per disease)")
def gene_diseases(request: Request, gene_id: str, limit: int = LimitQ, offset: int = OffsetQ,
                  min_score: float = MinScoreQ, format: Format = FormatQ):
    check_curie(gene_id, ("MGI",))
    body = _run(service.diseases_for_gene, _index(request), gene_id, limit=limit, offset=offset,
                min_score=min_score)
    return _answer(body, format, service.GENE_COLUMNS)


class OntologyClass(BaseModel):
    id: str
    label: str | None = None


class PhenotypicFeature(BaseModel):
    type: OntologyClass
    excluded: bool = False


class MatchRequest(BaseModel):
    """Either ``hpo_ids`` or a GA4GH Phenopacket's ``phenotypicFeatures`` (excluded ones are skipped)."""

    hpo_ids: list[str] | None = Field(None, description="HPO term ids, e.g. HP:0001166")
    phenotypicFeatures: list[PhenotypicFeature] | None = Field(None, description="GA4GH Phenopacket features")
    id: str | None = None

    model_config = {"extra": "allow", "json_schema_extra": {
        "examples": [{"hpo_ids": ["HP:0001166", "HP:0001519"]},
                     {"id": "patient-1", "phenotypicFeatures": [
                         {"type": {"id": "HP:0001166", "label": "Arachnodactyly"}},
                         {"type": {"id": "HP:0000098"}, "excluded": True}]}]}}


@router.post("/match", summary="Mouse models ranked for a patient profile (HPO ids or a Phenopacket)")
def match(request: Request, body: MatchRequest | list[str] = Body(...), limit: int = LimitQ,
          offset: int = OffsetQ, min_score: float = MinScoreQ,
          zygosity: Literal["homozygote", "heterozygote", "hemizygote"] | None = Query(None),
          format: Format = FormatQ):
    """The body is a JSON list of HPO ids, ``{"hpo_ids": [...]}``, or a Phenopacket with
    ``phenotypicFeatures[].type.id`` (features with ``excluded: true`` are skipped). Ids the
    ontology does not hold are listed in ``unknown_terms``; scores are normalised against
    the profile's ideal model."""
    if isinstance(body, list):
        ids, excluded = body, []
    elif body.hpo_ids is not None:
        ids, excluded = body.hpo_ids, []
    elif body.phenotypicFeatures is not None:
        ids = [f.type.id for f in body.phenotypicFeatures if not f.excluded]
        excluded = [f.type.id for f in body.phenotypicFeatures if f.excluded]
    else:
        raise HTTPException(422, "give a list of HPO ids, {\"hpo_ids\": [...]}, or a Phenopacket "
                                 "with phenotypicFeatures")
    if len(ids) + len(excluded) > MAX_TERMS:
        raise HTTPException(422, f"at most {MAX_TERMS} terms per profile")
    for t in ids + excluded:
        check_curie(t, ("HP",))
    out = service.models_for_terms(_index(request), ids, limit=limit, offset=offset, min_score=min_score,
                                   zygosity=zygosity)
    out["excluded_terms"] = excluded
    return _answer(out, format, service.MODEL_COLUMNS)
