"""The scoring engine on a tiny hand-made cross-species ontology.

The vectorised engine is checked against a plain-Python reference written from the
formulas of :mod:`kg.scoring` (networkx for ancestors, sets and loops for the rest).
"""

from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np
import pytest

from kg.scoring import (ScoringArtifactsMissing, ScoringConfig, ScoringIndex, UnknownId, bridge_edges,
                        load_scoring_index, save_index)
from kg.scoring.closure import Closure
from kg.scoring.corpus import DiseaseProfile, ModelProfile, Provenance, ScoringCorpus

TOL = 1e-9

MP = {  # id: (label, parents)
    "MP:0000001": ("mammalian phenotype", []),
    "MP:0000002": ("skeleton phenotype", ["MP:0000001"]),
    "MP:0000003": ("abnormal bone", ["MP:0000002"]),
    "MP:0000004": ("short bone", ["MP:0000003"]),
    "MP:0000005": ("long bone", ["MP:0000003"]),
    "MP:0000010": ("heart phenotype", ["MP:0000001"]),
    "MP:0000011": ("enlarged heart", ["MP:0000010"]),
    "MP:0000012": ("small heart", ["MP:0000010"]),
    "MP:0000020": ("behaviour phenotype", ["MP:0000001"]),
    "MP:0000021": ("hyperactivity", ["MP:0000020"]),
    "MP:0000022": ("hypoactivity", ["MP:0000020"]),
}
HP = {
    "HP:0000001": ("All", []),
    "HP:0000118": ("Phenotypic abnormality", ["HP:0000001"]),
    "HP:0000924": ("Abnormality of the skeletal system", ["HP:0000118"]),
    "HP:0000100": ("Abnormal bone", ["HP:0000924"]),
    "HP:0000101": ("Short bone", ["HP:0000100"]),
    "HP:0000102": ("Long bone", ["HP:0000100"]),
    "HP:0000200": ("Abnormal heart", ["HP:0000118"]),
    "HP:0000201": ("Cardiomegaly", ["HP:0000200"]),
    "HP:0000202": ("Small heart", ["HP:0000200"]),
    "HP:0000300": ("Abnormal behaviour", ["HP:0000118"]),
    "HP:0000301": ("Hyperactivity", ["HP:0000300"]),
    "HP:0000400": ("Abnormal ear", ["HP:0000118"]),
}
UPHENO = {"UPHENO:0000002": "abnormal heart", "UPHENO:0000003": "enlarged heart"}
MAPPINGS = [
    ("MP:0000003", "skos:exactMatch", "HP:0000100"),
    ("UPHENO:0000002", "semapv:crossSpeciesExactMatch", "MP:0000010"),
    ("UPHENO:0000002", "semapv:crossSpeciesExactMatch", "HP:0000200"),
    ("MP:0000011", "semapv:crossSpeciesExactMatch", "UPHENO:0000003"),  # manual-file direction
    ("UPHENO:0000003", "semapv:crossSpeciesExactMatch", "HP:0000201"),
    ("MP:0000021", "owl:equivalentClass", "HP:0000301"),
    ("MP:0000012", "skos:broadMatch", "HP:0000202"),  # not a bridge
]
DISEASES = {
    "OMIM:100001": ("bone-heart syndrome", ["HP:0000101", "HP:0000201"]),
    "OMIM:100002": ("long bones", ["HP:0000102"]),
    "OMIM:100003": ("hyperactive small heart", ["HP:0000301", "HP:0000202", "HP:0000400"]),
    "OMIM:100004": ("no phenotypes", []),
    "ORPHA:5": ("skeletal", ["HP:0000924"]),
    "OMIM:100006": ("ear only", ["HP:0000400"]),
}
MODELS = {  # id: (gene, symbol, zygosity, terms)
    "MODEL:a1_hom": ("MGI:1", "G1", "homozygote", ["MP:0000004", "MP:0000011"]),
    "MODEL:a1_het": ("MGI:1", "G1", "heterozygote", ["MP:0000005"]),
    "MODEL:a2_hom": ("MGI:2", "G2", "homozygote", ["MP:0000021", "MP:0000012"]),
    "MODEL:a3_hom": ("MGI:3", "G3", "homozygote", ["MP:0000020"]),
    "MODEL:a4_hom": ("MGI:4", "G4", "homozygote", ["MP:0000022", "MP:0000011", "MP:0000004"]),
}
KNOWN = {"OMIM:100001": frozenset({"MGI:1"}), "OMIM:100003": frozenset({"MGI:9"})}


def make_corpus(diseases=DISEASES, models=MODELS) -> ScoringCorpus:
    labels = {t: v[0] for t, v in {**MP, **HP}.items()} | dict(UPHENO)
    edges = [(t, p) for t, (_, ps) in {**MP, **HP}.items() for p in ps] + bridge_edges(MAPPINGS)
    return ScoringCorpus(
        term_labels=labels, edges=edges,
        diseases={d: DiseaseProfile(d, lab, tuple(ts)) for d, (lab, ts) in diseases.items()},
        models={m: ModelProfile(m, g, s, m.replace("MODEL:", "A:"), None, z, "Early adult", tuple(ts))
                for m, (g, s, z, ts) in models.items()},
        known_genes=KNOWN,
        provenance=Provenance({"MP": "test-mp", "HP": "test-hp"}, ("tiny",), "annotations"))


CFG = ScoringConfig(min_ic=1.0, mapping_sets=("tiny",))


@pytest.fixture(scope="module")
def corpus():
    return make_corpus()


@pytest.fixture(scope="module")
def index(corpus):
    return ScoringIndex.build(corpus, CFG)


# -- the plain-Python reference ------------------------------------------------------
class Reference:
    def __init__(self, corpus: ScoringCorpus, min_ic: float, ic_corpus: str = "annotations"):
        g = nx.DiGraph()
        g.add_nodes_from(corpus.term_labels)
        for d in corpus.diseases.values():
            g.add_nodes_from(d.hp_ids)
        for m in corpus.models.values():
            g.add_nodes_from(m.mp_ids)
        g.add_edges_from(corpus.edges)  # child -> parent
        self.anc = {t: nx.descendants(g, t) | {t} for t in g.nodes}
        self.min_ic = min_ic
        if ic_corpus == "annotations":
            ents = [set(d.hp_ids) for d in corpus.diseases.values() if d.hp_ids] + \
                   [set(m.mp_ids) for m in corpus.models.values() if m.mp_ids]
            cover = [set().union(*(self.anc[t] for t in e)) for e in ents]
            self.ic = {}
            for t in g.nodes:
                n = sum(t in c for c in cover)
                self.ic[t] = -math.log2(n / len(ents)) if n else float("nan")
        else:
            n_all = len(g.nodes)
            self.ic = {t: -math.log2(sum(t in self.anc[s] for s in g.nodes) / n_all) for t in g.nodes}
        self.hp_universe = sorted({t for d in corpus.diseases.values() for t in d.hp_ids})
        self.mp_universe = sorted({t for m in corpus.models.values() for t in m.mp_ids})

    def pair(self, h, m, threshold=True):
        common = self.anc[h] & self.anc[m]
        if not common:
            return 0.0
        simj = len(common) / len(self.anc[h] | self.anc[m])
        ic = max(self.ic[a] for a in common)
        if threshold and ic < self.min_ic:
            return 0.0
        return math.sqrt(simj * ic)

    def raw_scores(self, D, M):
        D = [d for d in D if any(self.pair(d, m) > 0 for m in self.mp_universe)]
        if not D or not M:
            return 0.0, 0.0
        mx = max(self.pair(d, m) for d in D for m in M)
        avg = (sum(max(self.pair(d, m) for m in M) for d in D)
               + sum(max(self.pair(d, m) for d in D) for m in M)) / (len(D) + len(M))
        return mx, avg

    @staticmethod
    def norm(raw, ideal):
        if raw == 0:
            return 0.0
        if ideal == 0:
            return 100.0
        return min(100.0, 100.0 * raw / ideal)

    def disease_query(self, D, M):
        mx, avg = self.raw_scores(D, M)
        Dm = [d for d in D if any(self.pair(d, m) > 0 for m in self.mp_universe)]
        ideal = sorted({max(self.mp_universe, key=lambda m: (self.pair(d, m), -self.mp_universe.index(m)))
                        for d in Dm})
        imx, iavg = self.raw_scores(D, ideal)
        mn, an = self.norm(mx, imx), self.norm(avg, iavg)
        return mx, avg, mn, an, (mn + an) / 2

    def model_query(self, M, D):
        mx, avg = self.raw_scores(D, M)
        ideal = sorted({max(self.hp_universe, key=lambda d: (self.pair(d, m), -self.hp_universe.index(d)))
                        for m in M if any(self.pair(d, m) > 0 for d in self.hp_universe)})
        imx, iavg = self.raw_scores(ideal, M)
        mn, an = self.norm(mx, imx), self.norm(avg, iavg)
        return mx, avg, mn, an, (mn + an) / 2

    def semsimian(self, D, M):
        if not D or not M:
            return 0.0
        a = sum(max(self.pair(d, m, False) for m in M) for d in D) / len(D)
        b = sum(max(self.pair(d, m, False) for d in D) for m in M) / len(M)
        return (a + b) / 2


def check_against_reference(corpus: ScoringCorpus, idx: ScoringIndex, ref: Reference):
    for d, dp in corpus.diseases.items():
        got = idx.score_models(idx.disease_query(d))
        sem = idx.semsimian_models(idx.disease_query(d), np.arange(idx.n_models))
        for k, m in enumerate(idx.model_ids):
            want = ref.disease_query(list(dp.hp_ids), list(corpus.models[m].mp_ids))
            have = (got.max_raw[k], got.avg_raw[k], got.max_norm[k], got.avg_norm[k], got.overall[k])
            assert have == pytest.approx(want, abs=TOL), (d, m)
            assert sem[k] == pytest.approx(ref.semsimian(list(dp.hp_ids), list(corpus.models[m].mp_ids)), abs=TOL)
    for m, mp in corpus.models.items():
        got = idx.score_diseases(idx.model_index[m])
        sem = idx.semsimian_diseases(idx.model_index[m], np.arange(idx.n_diseases))
        for k, d in enumerate(idx.disease_ids):
            want = ref.model_query(list(mp.mp_ids), list(corpus.diseases[d].hp_ids))
            have = (got.max_raw[k], got.avg_raw[k], got.max_norm[k], got.avg_norm[k], got.overall[k])
            assert have == pytest.approx(want, abs=TOL), (m, d)
            assert sem[k] == pytest.approx(ref.semsimian(list(corpus.diseases[d].hp_ids), list(mp.mp_ids)), abs=TOL)


# -- structure ------------------------------------------------------------------------
def test_bridges_and_equivalence(index):
    c = index.closure
    assert c.equivalent("MP:0000003", "HP:0000100")
    assert {"MP:0000003", "MP:0000002", "MP:0000001", "HP:0000924"} <= c.ancestors("HP:0000101")
    assert "UPHENO:0000003" in c.ancestors("MP:0000011") and "UPHENO:0000003" in c.ancestors("HP:0000201")
    assert "UPHENO:0000002" in c.ancestors("HP:0000201")
    assert not (c.ancestors("MP:0000012") & c.ancestors("HP:0000202") - c.ancestors("MP:0000010"))  # broadMatch ignored
    assert c.ancestors("HP:0000400") == {"HP:0000400", "HP:0000118", "HP:0000001"}


def test_bridge_edges_ignore_other_predicates():
    assert bridge_edges([("MP:1", "skos:closeMatch", "HP:1"), ("MP:1", "skos:exactMatch", "MP:2")]) == []
    assert bridge_edges([("HP:1", "rdfs:subClassOf", "MP:1")]) == [("HP:1", "MP:1")]


def test_equivalence_cycles_collapse():
    c = Closure.build([], [("a", "b"), ("b", "a"), ("b", "c"), ("d", "a")])
    assert c.ancestors("a") == c.ancestors("b") == {"a", "b", "c"}
    assert c.descendants("c") == {"a", "b", "c", "d"}


def test_mica_and_threshold(index):
    r, c = index.row_of["HP:0000201"], index.col_of["MP:0000011"]
    assert index.term_ids[index.mica[r, c]] == "UPHENO:0000003"
    ic = index.ic[index.term_index["UPHENO:0000003"]]
    assert index.score[r, c] == pytest.approx(math.sqrt(index.simj[r, c] * ic), abs=TOL)
    # ear vs small heart: no common ancestor at all
    assert index.mica[index.row_of["HP:0000400"], index.col_of["MP:0000012"]] == -1
    # skeletal system vs hyperactivity (= HP:0000301): only the generic HP:0000118 is shared
    r, c = index.row_of["HP:0000924"], index.col_of["MP:0000021"]
    assert index.term_ids[index.mica[r, c]] == "HP:0000118"
    assert index.raw[r, c] > 0 and index.score[r, c] == 0  # IC below min_ic
    # the ear has no mouse counterpart: no cross-species match, dropped from D
    assert not index.has_match[index.row_of["HP:0000400"]]
    low = index.raw > 0
    assert (index.score[low & (index.score == 0)] == 0).all()
    assert ((index.score == 0) | (index.ic[np.maximum(index.mica, 0)] >= CFG.min_ic)).all()


# -- against the reference -------------------------------------------------------------
def test_engine_matches_reference(corpus, index):
    check_against_reference(corpus, index, Reference(corpus, CFG.min_ic))


def test_engine_matches_reference_structure_ic_default_threshold():
    corpus = make_corpus()
    cfg = ScoringConfig(min_ic=2.5, ic_corpus="structure")
    check_against_reference(corpus, ScoringIndex.build(corpus, cfg), Reference(corpus, 2.5, "structure"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_engine_matches_reference_random_profiles(seed):
    rnd = random.Random(seed)
    hp, mp = sorted(HP), sorted(MP)
    diseases = {f"OMIM:{i}": (None, rnd.sample(hp, rnd.randint(0, 5))) for i in range(12)}
    models = {f"MODEL:{i}": (f"MGI:{i % 4}", None, rnd.choice(["homozygote", "heterozygote"]),
                             rnd.sample(mp, rnd.randint(1, 4))) for i in range(15)}
    corpus = make_corpus(diseases, models)
    idx = ScoringIndex.build(corpus, CFG)
    check_against_reference(corpus, idx, Reference(corpus, CFG.min_ic))


# -- queries ---------------------------------------------------------------------------
def test_rank_order_and_known_gene(index):
    q = index.disease_query("OMIM:100001")
    s = index.score_models(q)
    order = index.order(s)
    assert s.overall[order[0]] == s.overall.max()
    assert list(s.overall[order]) == sorted(s.overall, reverse=True)
    known = index.known_gene_mask("OMIM:100001")
    assert {index.model_ids[i] for i in np.flatnonzero(known)} == {"MODEL:a1_hom", "MODEL:a1_het"}
    # a1_hom carries both the short bone and the enlarged heart: the best model
    assert index.model_ids[order[0]] in {"MODEL:a1_hom", "MODEL:a4_hom"}
    assert s.max_norm[index.model_index["MODEL:a1_hom"]] == pytest.approx(100.0)


def test_patient_terms_equal_disease(index):
    d = index.score_models(index.disease_query("OMIM:100003"))
    p = index.score_models(index.terms_query(["HP:0000301", "HP:0000202", "HP:0000400"]))
    assert np.allclose(d.overall, p.overall, atol=TOL) and np.allclose(d.avg_raw, p.avg_raw, atol=TOL)


def test_patient_terms_outside_the_tables_are_computed(index):
    # HP:0000200 (abnormal heart) annotates no disease: its row is computed from the closure
    assert "HP:0000200" not in index.row_of
    q = index.terms_query(["HP:0000200", "HP:9999999"])
    assert q.unknown == ["HP:9999999"] and q.hp_ids == ["HP:0000200"]
    c = index.col_of["MP:0000011"]
    assert index.term_ids[0] and q.raw[0, c] > 0
    ref = Reference(make_corpus(), CFG.min_ic)
    for j, m in enumerate(index.term_ids[t] for t in index.col_terms):
        assert q.score[0, j] == pytest.approx(ref.pair("HP:0000200", m), abs=TOL)


def test_empty_profiles(index):
    s = index.score_models(index.disease_query("OMIM:100004"))
    assert (s.overall == 0).all()
    s = index.score_models(index.disease_query("OMIM:100006"))  # only an unmatched term
    assert (s.overall == 0).all()
    s = index.score_models(index.terms_query([]))
    assert (s.overall == 0).all()


def test_unknown_ids(index):
    with pytest.raises(UnknownId, match="OMIM:999"):
        index.disease_query("OMIM:999")
    with pytest.raises(UnknownId, match="MODEL:nope"):
        index.explain("OMIM:100001", "MODEL:nope")


def test_explain(index):
    ex = index.explain("OMIM:100003", "MODEL:a2_hom")
    pairs = {(p["hp_id"], p["mp_id"]): p for p in ex["disease_to_model"]}
    hyper = pairs[("HP:0000301", "MP:0000021")]
    assert hyper["mica_id"] == "HP:0000301" and hyper["simj"] == 1.0  # equivalents: smaller id
    assert hyper["score"] == pytest.approx(math.sqrt(hyper["ic"]), abs=TOL)
    assert hyper["hp_label"] == "Hyperactivity" and hyper["mp_label"] == "hyperactivity"
    ear = [p for p in ex["disease_to_model"] if p["hp_id"] == "HP:0000400"][0]
    assert ear["counted"] is False
    assert {p["mp_id"] for p in ex["model_to_disease"]} == {"MP:0000021", "MP:0000012"}
    assert ex["scores"]["overall"] > 0 and ex["zygosity"] == "homozygote"


def test_save_load_roundtrip(index, tmp_path):
    save_index(index, tmp_path / "scoring")
    back = load_scoring_index(tmp_path / "scoring")
    for a in ("score", "raw", "simj", "mica", "ic", "d_ptr", "d_rows", "m_ptr", "m_cols"):
        assert np.array_equal(getattr(back, a), getattr(index, a), equal_nan=a == "ic"), a
    assert back.model_meta == index.model_meta and back.known == index.known
    assert back.provenance["mapping_sets"] == ["tiny"] and back.provenance["ic_corpus"] == "annotations"
    q = back.terms_query(["HP:0000200"])  # the closure came back too
    assert q.hp_ids == ["HP:0000200"]
    for d in index.disease_ids:
        a = index.score_models(index.disease_query(d)).overall
        b = back.score_models(back.disease_query(d)).overall
        assert np.array_equal(a, b)


def test_load_missing_files_fail_loudly(index, tmp_path):
    with pytest.raises(ScoringArtifactsMissing, match="scoring.json"):
        load_scoring_index(tmp_path / "nothing")
    save_index(index, tmp_path / "s")
    (tmp_path / "s" / "scoring.npz").unlink()
    with pytest.raises(ScoringArtifactsMissing, match="scoring.npz"):
        load_scoring_index(tmp_path / "s")
    with pytest.raises(FileNotFoundError):
        load_scoring_index(tmp_path / "s")
