"""Oracles the scoring engine must reproduce exactly (1e-9).

(a) PhenoDigm2's scoring test (whri-phenogenomics/PhenoDigm2, tests/test_scoring.py):
    an explicit term-pair table, the model on the query side (its ideal disease is
    built from the model's terms).
(b) semsimian's "fruit chain" (monarch-initiative/semsimian, python/tests/test_python.py):
    the closure is the spo list as given (semsimian does not make it transitive) and the
    IC is semsimian's structure IC over that closure.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from kg.scoring.closure import Closure
from kg.scoring.config import ScoringConfig
from kg.scoring.engine import ScoringIndex, termset_similarity
from kg.scoring.ic import structure_ic
from kg.scoring.pairs import compute_pairs

TOL = 1e-9


# -- (a) PhenoDigm2 -----------------------------------------------------------------
@pytest.fixture(scope="module")
def pd2():
    pairs = [("hp0", "mp1", 1, 1, "xyz"),   # score 1
             ("hp0", "mp2", 4, 4, "xyz"),   # score 4
             ("hp1", "mp1", 4, 1, "xyz")]   # score 2
    diseases = {"Dw": ["hp0"], "Dx": ["hp1"], "Dy": ["hp0", "hp1"], "D99": ["hp99"]}
    models = {"Mi": ["mp1"], "Mj": ["mp2"], "M99": ["mp99"]}
    return ScoringIndex.from_pair_table(pairs, diseases, models)


def model_vs(idx: ScoringIndex, model: str, disease: str):
    s = idx.score_diseases(idx.model_index[model])
    k = idx.disease_index[disease]
    return {f: float(getattr(s, f)[k]) for f in ("max_raw", "avg_raw", "max_norm", "avg_norm", "overall")}


def test_pd2_pair_scores_are_sqrt_simj_ic(pd2):
    r, c = pd2.row_of["hp0"], pd2.col_of["mp2"]
    assert pd2.score[r, c] == pytest.approx(4.0, abs=TOL)
    assert pd2.score[pd2.row_of["hp1"], pd2.col_of["mp1"]] == pytest.approx(2.0, abs=TOL)
    assert pd2.score[pd2.row_of["hp1"], pd2.col_of["mp2"]] == 0.0


def test_pd2_score1_one_term_easy_match(pd2):
    assert model_vs(pd2, "Mj", "Dw")["max_norm"] == pytest.approx(100.0, abs=TOL)


def test_pd2_score2_non_matching(pd2):
    s = model_vs(pd2, "Mj", "Dx")
    assert s["max_norm"] == pytest.approx(0.0, abs=TOL)
    assert s["avg_norm"] == pytest.approx(0.0, abs=TOL)


def test_pd2_score3_simple_model_complex_disease(pd2):
    s = model_vs(pd2, "Mj", "Dy")
    assert s["avg_norm"] == pytest.approx(200.0 / 3.0, abs=TOL)  # 66.66...
    assert s["max_norm"] == pytest.approx(100.0, abs=TOL)
    assert s["avg_raw"] == pytest.approx(8.0 / 3.0, abs=TOL)
    assert s["max_raw"] == pytest.approx(4.0, abs=TOL)


def test_pd2_score4_model_with_multiple_inverse_matches(pd2):
    assert model_vs(pd2, "Mi", "Dx")["max_norm"] == pytest.approx(100.0, abs=TOL)
    s = model_vs(pd2, "Mi", "Dw")
    assert s["max_norm"] == pytest.approx(50.0, abs=TOL)
    assert s["avg_norm"] == pytest.approx(50.0, abs=TOL)
    assert s["overall"] == pytest.approx(50.0, abs=TOL)


def test_pd2_nonexistent_terms_score_zero(pd2):
    for m in ("Mi", "Mj", "M99"):
        assert model_vs(pd2, m, "D99")["overall"] == 0.0
    for d in ("Dw", "Dx", "Dy"):
        assert model_vs(pd2, "M99", d)["overall"] == 0.0


def test_pd2_common_phenotypes_via_explain(pd2):
    ex = pd2.explain("Dx", "Mi")
    assert [(p["hp_id"], p["mp_id"]) for p in ex["disease_to_model"]] == [("hp1", "mp1")]
    ex = pd2.explain("Dw", "Mi")
    assert [(p["hp_id"], p["mp_id"]) for p in ex["model_to_disease"]] == [("hp0", "mp1")]
    assert ex["model_to_disease"][0]["ic"] == 1.0 and ex["model_to_disease"][0]["simj"] == 1.0


# -- (b) semsimian's fruit chain -------------------------------------------------------
FRUIT_SPO = [("apple", "apple"), ("apple", "banana"), ("banana", "banana"), ("banana", "orange"),
             ("orange", "orange"), ("orange", "pear"), ("pear", "pear"), ("pear", "kiwi")]


@pytest.fixture(scope="module")
def fruit():
    anc: dict[str, set[str]] = {}
    for s, o in FRUIT_SPO:
        anc.setdefault(s, set()).add(o)
    c = Closure.from_ancestor_sets(anc)
    return c, structure_ic(c)


def test_fruit_pair_apple_banana(fruit):
    c, ic = fruit
    pa = compute_pairs(c, ic, [c.index["apple"]], [c.index["banana"]])
    assert pa.simj[0, 0] == pytest.approx(1.0 / 3.0, abs=TOL)
    assert pa.mica_ic[0, 0] == pytest.approx(1.3219280948873622, abs=TOL)
    assert c.term_ids[pa.mica[0, 0]] == "banana"
    assert pa.raw()[0, 0] == pytest.approx(0.6638092333613531, abs=TOL)


def test_fruit_termsets(fruit):
    c, ic = fruit
    got = termset_similarity(c, ic, ["apple", "banana", "orange"], ["orange", "pear", "kiwi"])
    assert got["ancestor_information_content"] == pytest.approx(0.8812853965915748, abs=TOL)
    assert got["phenodigm_score"] == pytest.approx(0.6045201840255207, abs=TOL)
    assert got["jaccard_similarity"] == pytest.approx(0.4444444444444444, abs=TOL)


def test_fruit_termsets_through_the_engine(fruit):
    """The engine's semsimian_score metric is the same termset comparison."""
    c, ic = fruit
    idx = ScoringIndex.from_closure(c, ic, {"S": ["apple", "banana", "orange"]},
                                    {"O": ["orange", "pear", "kiwi"]},
                                    config=ScoringConfig(min_ic=0.0, ic_corpus="structure", mapping_sets=()))
    got = idx.semsimian_models(idx.disease_query("S"), np.array([0]))
    assert got[0] == pytest.approx(0.6045201840255207, abs=TOL)
    assert math.isclose(idx.raw[idx.row_of["orange"], idx.col_of["orange"]], 1.149751318715209, abs_tol=TOL)
