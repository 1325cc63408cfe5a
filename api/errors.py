"""Checking ids from the URL: malformed -> 422, unknown prefix -> 422, unknown id -> 404."""

from __future__ import annotations

from fastapi import HTTPException

from kg import vocab


def check_curie(curie: str, allowed_prefixes: tuple[str, ...] | None = None) -> str:
    """Return the CURIE if well formed with a known prefix; raise 422 otherwise."""
    if not vocab.is_curie(curie):
        raise HTTPException(422, f"malformed CURIE {curie!r}: expected PREFIX:LOCAL_ID, e.g. MP:0001262")
    prefix = vocab.prefix_of(curie)
    if prefix not in vocab.PREFIX_MAP:
        raise HTTPException(422, f"unknown CURIE prefix {prefix!r} in {curie!r}")
    if allowed_prefixes and prefix not in allowed_prefixes:
        raise HTTPException(422, f"{curie!r}: expected an id with prefix {' or '.join(allowed_prefixes)}")
    return curie


def not_found(what: str, curie: str) -> HTTPException:
    return HTTPException(404, f"{what} {curie} is not in the graph")
