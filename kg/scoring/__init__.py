"""PhenoDigm scoring: rank mouse models for a human disease by phenotypic similarity.

Semantics are PhenoDigm as IMPC runs it (whri-phenogenomics/PhenoDigm2), on a
cross-species ontology built here. Pipeline and formulas:

1. **Corpus** (:mod:`kg.scoring.corpus`): MP and HP is_a edges plus bridge edges from the
   active mapping sets (configuration; recorded in every answer). MP<->HP exact /
   equivalent mappings make the two terms equivalent (mutual subClassOf); uPheno
   species-independent rows put the MP or HP term under the UPHENO class.
   Disease profiles = positive HPOA phenotype annotations (NOT rows never enter);
   model profiles (allele + zygosity [+ life stage]) = MP terms of significant calls
   (p <= p_value_threshold, default 1e-4; a call without p-value counts as significant).
2. **Closure** (:mod:`kg.scoring.closure`): reflexive ancestors A(t), a sparse boolean
   matrix; strongly connected components (equivalences) collapsed.
3. **IC** (:mod:`kg.scoring.ic`), named corpus:
   ``annotations``: IC(t) = -log2 p(t), p(t) = |{entities annotated to t or a descendant}|
   / |{annotated entities}|, entities = diseases and models together;
   ``structure`` (semsimian's): IC(t) = -log2(|{terms s: t in A(s)}| / N).
4. **Term pair** (:mod:`kg.scoring.pairs`), for HP term h and MP term m:
   simJ = |A(h) & A(m)| / |A(h) | A(m)|; MICA = argmax_{a in A(h) & A(m)} IC(a);
   score = sqrt(simJ * IC(MICA)), and 0 when IC(MICA) < min_ic (default 2.5).
   Precomputed for every HP term of a disease profile x every MP term of a model profile.
5. **Profiles** (:mod:`kg.scoring.engine`), D = disease terms restricted to those having
   some cross-species match (score > 0 with some MP term of the model universe), M = model terms:
   max_raw = max S(d, m); avg_raw = (sum_d max_m S + sum_m max_d S) / (|D| + |M|);
   x_norm = min(100, 100 * x_raw / x_raw(ideal of the QUERY side)) (0 if x_raw = 0);
   ideal model of a disease = each d's best MP term; ideal disease of a model = each
   m's best HP term; overall = (avg_norm + max_norm) / 2.
   ``semsimian_score`` (separate metric) = mean of the two directional best-match
   averages of the unthresholded pair score over all terms (semsimian's
   termset_comparison with the phenodigm metric), not normalised.

Entry points: :func:`save_scoring_tables` (called by ``kg build`` with the corpus collected
while writing the graph, :mod:`kg.scoring.collect`), :func:`build_scoring_artifacts` (the same
from a finished store, :mod:`kg.scoring.from_store`),
:func:`load_scoring_index` (called by the API lifespan), :class:`ScoringIndex`.
"""

from __future__ import annotations

import os
from pathlib import Path

from kg.scoring.config import DEFAULT_MAPPING_SETS, ScoringConfig
from kg.scoring.corpus import DiseaseProfile, ModelProfile, Provenance, ScoringCorpus, bridge_edges
from kg.scoring.engine import ProfileScores, QueryProfile, ScoringIndex, UnknownId, termset_similarity
from kg.scoring.persist import ScoringArtifactsMissing, load_index, save_index


def load_scoring_index(directory: str | os.PathLike) -> ScoringIndex:
    """Load the precomputed scoring tables of a build (``BUILD_DIR/scoring``).

    Raises :class:`ScoringArtifactsMissing` (a FileNotFoundError) naming the missing file.
    """
    return load_index(Path(directory))


def build_scoring_artifacts(store, out_dir: str | os.PathLike, config: ScoringConfig | None = None,
                            log=print) -> ScoringIndex:
    """Fill a corpus from a built store (SPARQL), precompute the tables and save them to out_dir."""
    from kg.scoring.from_store import corpus_from_store

    config = config or ScoringConfig()
    return save_scoring_tables(corpus_from_store(store, config), out_dir, config, log)


def save_scoring_tables(corpus: ScoringCorpus, out_dir: str | os.PathLike,
                        config: ScoringConfig | None = None, log=print) -> ScoringIndex:
    """Precompute the tables of ``corpus`` and save them to out_dir (``kg build`` passes the
    corpus it collected while writing the graph: :mod:`kg.scoring.collect`)."""
    config = config or ScoringConfig()
    index = ScoringIndex.build(corpus, config, log=lambda m: log(f"    scoring: {m}"))
    save_index(index, out_dir)
    return index


__all__ = [
    "ScoringConfig", "DEFAULT_MAPPING_SETS", "ScoringCorpus", "DiseaseProfile", "ModelProfile",
    "Provenance", "bridge_edges", "ScoringIndex", "ProfileScores", "QueryProfile", "UnknownId",
    "termset_similarity", "ScoringArtifactsMissing", "load_scoring_index", "build_scoring_artifacts",
    "save_index", "save_scoring_tables",
]
