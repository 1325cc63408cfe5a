"""The graph-store protocol every backend implements (Oxigraph, Neo4j).

Why a protocol: the API, the CLI and one shared test suite talk to "a graph store",
so the embedded store and Neo4j answer the same questions the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass
class Neighbour:
    predicate: str  # CURIE, e.g. biolink:has_phenotype
    id: str  # CURIE of the other node
    label: str | None
    direction: str  # "out" (entity -> id) or "in" (id -> entity)
    source: str  # the named graph / source it comes from


@dataclass
class Entity:
    id: str
    category: str | None
    label: str | None
    properties: dict[str, list[Any]] = field(default_factory=dict)
    neighbours: list[Neighbour] = field(default_factory=list)
    neighbour_counts: dict[str, int] = field(default_factory=dict)  # per direction, before the list cap (counting stops at max(10 x cap, 5000))
    sources: list[str] = field(default_factory=list)


@runtime_checkable
class GraphStore(Protocol):
    backend: str

    def entity(self, curie: str, max_neighbours: int = 500) -> Entity | None:
        """A node with its properties and direct neighbours; None when unknown."""

    def counts(self) -> dict[str, Any]:
        """Node counts per category and edge counts per predicate."""

    def close(self) -> None: ...
