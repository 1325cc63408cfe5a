"""The scoring engine's whole input: one plain dataclass, filled from the store or by hand.

Why a plain dataclass: the engine (closure, IC, term pairs, profile scores) never touches
the graph store; tests build a tiny corpus by hand, :mod:`kg.scoring.from_store` fills a
real one with SPARQL. Everything the scores depend on is here, and so is the provenance
every answer repeats (ontology versions, active mapping sets, IC corpus).

Bridge edges (see :func:`bridge_edges`) turn term mappings into edges of the
cross-species ontology:

* an MP <-> HP ``skos:exactMatch`` or ``owl:equivalentClass`` row becomes two edges,
  MP subClassOf HP and HP subClassOf MP: the two terms are equivalent (one strongly
  connected component, collapsed when the closure is computed);
* a uPheno species-independent row (``semapv:crossSpeciesExactMatch`` between an UPHENO
  class and an MP or HP term, in either column order) becomes term subClassOf UPHENO class;
* an ``rdfs:subClassOf`` mapping row (e.g. MGI's HP terms under MP top-level terms)
  becomes subject subClassOf object.

Any other predicate (broad/narrow/close/related match) is not a bridge.

>>> bridge_edges([("MP:1", "skos:exactMatch", "HP:1"), ("UPHENO:9", "semapv:crossSpeciesExactMatch", "HP:1"),
...               ("MP:2", "skos:broadMatch", "HP:2")])
[('MP:1', 'HP:1'), ('HP:1', 'MP:1'), ('HP:1', 'UPHENO:9')]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

#: predicates of MP <-> HP rows that make the two terms equivalent
EQUIVALENCE_PREDICATES = frozenset({"skos:exactMatch", "owl:equivalentClass"})
#: predicates of UPHENO <-> species-term rows (species term subClassOf UPHENO class)
UPHENO_PREDICATES = frozenset({"semapv:crossSpeciesExactMatch"})
SUBCLASS_PREDICATES = frozenset({"rdfs:subClassOf"})
#: the prefixes the engine scores between
HP_PREFIX, MP_PREFIX, UPHENO_PREFIX = "HP:", "MP:", "UPHENO:"


def bridge_edges(rows: Iterable[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """Mapping rows (subject, predicate, object) -> (child, parent) edges, in row order, deduplicated."""
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(c: str, p: str) -> None:
        if c != p and (c, p) not in seen:
            seen.add((c, p))
            out.append((c, p))

    species = (HP_PREFIX, MP_PREFIX)
    for s, p, o in rows:
        if p in EQUIVALENCE_PREDICATES:
            if (s.startswith(MP_PREFIX) and o.startswith(HP_PREFIX)) or (
                    s.startswith(HP_PREFIX) and o.startswith(MP_PREFIX)):
                add(s, o)
                add(o, s)
        elif p in UPHENO_PREDICATES:
            if s.startswith(UPHENO_PREFIX) and o.startswith(species):
                add(o, s)
            elif o.startswith(UPHENO_PREFIX) and s.startswith(species):
                add(s, o)
        elif p in SUBCLASS_PREDICATES:
            if s.startswith(species + (UPHENO_PREFIX,)) and o.startswith(species + (UPHENO_PREFIX,)):
                add(s, o)
    return out


@dataclass(frozen=True)
class DiseaseProfile:
    id: str
    label: str | None
    hp_ids: tuple[str, ...]  # positive annotations only (HPOA NOT rows never enter)


@dataclass(frozen=True)
class ModelProfile:
    id: str
    gene_id: str | None
    gene_symbol: str | None
    allele_id: str | None
    allele_symbol: str | None
    zygosity: str | None
    life_stage: str | None
    mp_ids: tuple[str, ...]  # MP terms of its significant calls


@dataclass(frozen=True)
class Provenance:
    ontology_versions: dict[str, str | None] = field(default_factory=dict)
    mapping_sets: tuple[str, ...] = ()
    ic_corpus: str = "annotations"
    extra: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"ontology_versions": dict(self.ontology_versions),
                "mapping_sets": list(self.mapping_sets), "ic_corpus": self.ic_corpus,
                **({"extra": dict(self.extra)} if self.extra else {})}


@dataclass
class ScoringCorpus:
    """Everything the engine needs.

    term_labels: every term of the cross-species ontology (MP, HP, UPHENO ids) -> label.
    edges: direct (child, parent) edges: MP is_a, HP is_a and the bridge edges of the
        active mapping sets (:func:`bridge_edges`).
    diseases / models: the profiles, keyed by id.
    known_genes: disease id -> mouse gene ids orthologous to the disease's human genes.
    """

    term_labels: dict[str, str | None]
    edges: list[tuple[str, str]]
    diseases: dict[str, DiseaseProfile]
    models: dict[str, ModelProfile]
    known_genes: dict[str, frozenset[str]] = field(default_factory=dict)
    provenance: Provenance = field(default_factory=Provenance)
