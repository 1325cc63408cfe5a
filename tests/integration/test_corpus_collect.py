"""The scoring corpus collected while building equals the one read back from the store.

`kg build` computes the scoring tables from :mod:`kg.scoring.collect` (facts taken as the
builder writes them); :mod:`kg.scoring.from_store` reads the same facts with SPARQL from a
finished store (the mapping-impact check and `build_scoring_artifacts` use it). If the two
drifted apart, a build's rankings would differ from a rescoring of its own store. Compared
item by item, on the mini mirror and on the full real data.
"""

from __future__ import annotations

import pytest

from kg.build import resolve_sources, write_quads
from kg.catalogue import load_catalogue
from kg.report import BuildReport
from kg.scoring.collect import CorpusCollector
from kg.scoring.config import ScoringConfig
from kg.scoring.from_store import corpus_from_store
from kg.store.oxigraph_store import OxigraphStore
from kg.store.layout import StoreRoot
from tests.conftest import MINI_MIRROR


class _NullSink:
    def write(self, line: str) -> None:
        pass


def _collected(data_dir, config):
    catalogue = load_catalogue()
    paths = resolve_sources(catalogue, data_dir, None, False, log=lambda m: None)
    collector = CorpusCollector()
    gb, meta = write_quads(catalogue, paths, _NullSink(), BuildReport(), log=lambda m: None,
                           collector=collector)
    return collector.corpus(gb.terms.labels, gb.terms.parents, meta, config)


def _compare(collected, read):
    assert collected.term_labels == read.term_labels
    assert collected.edges == read.edges
    assert collected.diseases.keys() == read.diseases.keys()
    bad = [d for d in read.diseases if collected.diseases[d] != read.diseases[d]]
    assert not bad, [(collected.diseases[d], read.diseases[d]) for d in bad[:5]]
    assert collected.models.keys() == read.models.keys()
    bad = [m for m in read.models if collected.models[m] != read.models[m]]
    assert not bad, [(collected.models[m], read.models[m]) for m in bad[:5]]
    assert collected.known_genes == read.known_genes
    assert collected.provenance == read.provenance


def _store(root):
    return OxigraphStore.open_build(StoreRoot(root).current())


@pytest.mark.parametrize("config", [ScoringConfig(), ScoringConfig(
    mapping_sets=("mgi_curated", "upheno_lexical"), p_value_threshold=1e-6)])
def test_collected_corpus_equals_the_store_corpus_on_the_mini_mirror(mini_store, config):
    collected = _collected(MINI_MIRROR, config)
    read = corpus_from_store(_store(mini_store), config)
    assert read.models and read.diseases and any(m.mp_ids for m in read.models.values())
    _compare(collected, read)


@pytest.mark.integration
def test_collected_corpus_equals_the_store_corpus_on_the_real_data(real_store, data_dir):
    config = ScoringConfig()
    collected = _collected(data_dir, config)
    read = corpus_from_store(_store(real_store), config)
    assert len(read.models) > 5_000 and len(read.diseases) > 10_000
    _compare(collected, read)
