"""Scoring configuration: what a build of the scoring tables depends on besides the data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: mapping sets whose bridges join MP and HP by default: the uPheno species-independent
#: classes (the cross-species layer PhenoDigm/Monarch use) and MGI's curated MP<->HP
#: exact mappings. Lexical sets are left out: label matches can merge a term with its
#: own ancestor's counterpart.
DEFAULT_MAPPING_SETS: tuple[str, ...] = ("upheno_species_independent", "mgi_curated")


@dataclass(frozen=True)
class ScoringConfig:
    min_ic: float = 2.5  # pairs whose MICA has a lower IC score 0
    ic_corpus: str = "annotations"  # or "structure" (semsimian's ontology-structure IC)
    mapping_sets: tuple[str, ...] = field(default=DEFAULT_MAPPING_SETS)
    p_value_threshold: float = 1e-4  # a call is significant when p <= this (or has no p-value)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["mapping_sets"] = list(self.mapping_sets)
        return d
