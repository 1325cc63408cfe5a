"""The PhenoDigm engine: precomputed HP x MP pair tables and vectorised profile scores.

Formulas (D = a disease's HP terms, M = a model's MP terms, S = the thresholded pair
score of :mod:`kg.scoring.pairs`, R = the unthresholded one):

    D'        = {d in D : S(d, m) > 0 for some MP term m of the model universe}
                (disease terms with some cross-species match; the others never count)
    max_raw   = max_{d in D', m in M} S(d, m)
    avg_raw   = (sum_{d in D'} max_{m in M} S(d, m) + sum_{m in M} max_{d in D'} S(d, m))
                / (|D'| + |M|)
    Normalisation is against the ideal match of the QUERY side:
      disease -> models: ideal model I = {argmax_m S(d, m) : d in D'} (m over the model
        universe: every MP term some model has; ties -> the smallest MP id)
      model -> diseases: ideal disease I = {argmax_d S(d, m) : m in M, max_d S(d, m) > 0}
        (d over every HP term of some disease profile)
      x_norm = 0 if x_raw == 0; 100 if x_raw(ideal) == 0; else
               min(100, 100 * x_raw / x_raw(ideal))                 for x in {max, avg}
    overall   = (avg_norm + max_norm) / 2
    semsimian_score = (mean_{d in D} max_{m in M} R(d, m) + mean_{m in M} max_{d in D} R(d, m)) / 2
                (semsimian's termset_comparison with its phenodigm metric: all terms of
                both profiles, no min-IC threshold, not normalised)

The model universe, the disease profiles and the model profiles are integer index runs
(CSR: ``ptr``/``idx``) into the columns and rows of S. Ranking every model for a disease
takes the disease's rows of S, gathers the columns of all model runs and reduces them
with ``np.maximum.reduceat``; the reverse does the same along the rows.

The pair tables can also come from an explicit list of (HP, MP, simJ, IC) rows
(:meth:`ScoringIndex.from_pair_table`), as PhenoDigm2's own test gives them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from kg.scoring.closure import Closure
from kg.scoring.config import ScoringConfig
from kg.scoring.corpus import DiseaseProfile, ModelProfile, ScoringCorpus
from kg.scoring.ic import annotation_ic, structure_ic
from kg.scoring.pairs import PairArrays, compute_pairs

MODEL_FIELDS = ("gene_id", "gene_symbol", "allele_id", "allele_symbol", "zygosity", "life_stage")


class UnknownId(KeyError):
    """An id the scoring index does not hold (the API answers 404)."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else "unknown id"


@dataclass
class ProfileScores:
    """Scores of one query against every target (models or diseases), aligned with targets."""

    max_raw: np.ndarray
    avg_raw: np.ndarray
    max_norm: np.ndarray
    avg_norm: np.ndarray
    overall: np.ndarray

    @classmethod
    def zeros(cls, n: int) -> "ProfileScores":
        return cls(*(np.zeros(n) for _ in range(5)))


@dataclass
class QueryProfile:
    """A disease-side query (a disease or a patient): its rows of S and R, and its terms."""

    hp_ids: list[str]  # usable terms, in row order of score/raw
    score: np.ndarray  # |Q| x nC thresholded
    raw: np.ndarray  # |Q| x nC unthresholded
    unknown: list[str] = field(default_factory=list)  # ids the ontology does not hold
    matched: np.ndarray | None = None  # bool |Q|: has some cross-species match

    def __post_init__(self):
        if self.matched is None:
            self.matched = (self.score > 0).any(axis=1) if self.score.size else np.zeros(len(self.hp_ids), bool)


def _norm(raw: np.ndarray, ideal: float) -> np.ndarray:
    """PhenoDigm2's percentage: 0 when raw is 0, 100 when the ideal is 0, else min(100, 100 raw/ideal)."""
    raw = np.asarray(raw, dtype=float)
    if ideal <= 0:
        return np.where(raw > 0, 100.0, 0.0)
    return np.where(raw > 0, np.minimum(100.0, 100.0 * raw / ideal), 0.0)


def _csr(lists: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(x) for x in lists])
    idx = np.fromiter((i for x in lists for i in x), dtype=np.int32, count=int(ptr[-1]))
    return ptr, idx


class ScoringIndex:
    """Precomputed pair tables + profiles; answers every scoring question in process."""

    def __init__(self, *, term_ids: list[str], term_labels: list[str | None], ic: np.ndarray,
                 row_terms: np.ndarray, col_terms: np.ndarray, simj: np.ndarray, mica: np.ndarray,
                 score: np.ndarray, raw: np.ndarray,
                 disease_ids: list[str], disease_labels: list[str | None],
                 d_ptr: np.ndarray, d_rows: np.ndarray,
                 model_ids: list[str], model_meta: dict[str, list[str | None]],
                 m_ptr: np.ndarray, m_cols: np.ndarray,
                 known: dict[str, frozenset[str]] | None = None,
                 closure: Closure | None = None, config: ScoringConfig | None = None,
                 provenance: dict | None = None, pair_ic: np.ndarray | None = None):
        self.term_ids = term_ids
        self.term_labels = term_labels
        self.term_index = {t: i for i, t in enumerate(term_ids)}
        self.ic = np.asarray(ic, dtype=float)
        self.row_terms = np.asarray(row_terms, dtype=np.int32)
        self.col_terms = np.asarray(col_terms, dtype=np.int32)
        self.simj, self.mica, self.score, self.raw = simj, mica, score, raw
        self.disease_ids, self.disease_labels = disease_ids, disease_labels
        self.d_ptr, self.d_rows = np.asarray(d_ptr, np.int64), np.asarray(d_rows, np.int32)
        self.model_ids, self.model_meta = model_ids, model_meta
        self.m_ptr, self.m_cols = np.asarray(m_ptr, np.int64), np.asarray(m_cols, np.int32)
        self.known = {k: frozenset(v) for k, v in (known or {}).items()}
        self.closure = closure
        self.config = config or ScoringConfig()
        self.provenance = dict(provenance or {})
        self.pair_ic = pair_ic  # per-pair MICA IC when given by an explicit table
        self._derive()

    # -- derived look-ups -----------------------------------------------------------
    def _derive(self) -> None:
        nR, nC = self.score.shape
        self.row_of = {self.term_ids[t]: i for i, t in enumerate(self.row_terms)}
        self.col_of = {self.term_ids[t]: i for i, t in enumerate(self.col_terms)}
        self.disease_index = {d: i for i, d in enumerate(self.disease_ids)}
        self.model_index = {m: i for i, m in enumerate(self.model_ids)}
        self.models_of_gene: dict[str, list[int]] = {}
        for i, g in enumerate(self.model_meta["gene_id"]):
            if g:
                self.models_of_gene.setdefault(g, []).append(i)
        genes = sorted(self.models_of_gene)
        self.gene_pos = {g: i for i, g in enumerate(genes)}
        self.model_gene_idx = np.array([self.gene_pos.get(g, -1) if g else -1
                                        for g in self.model_meta["gene_id"]], dtype=np.int64)
        self.zygosity_array = np.array(self.model_meta["zygosity"], dtype=object)
        self.model_id_array = np.array(self.model_ids, dtype=object)
        self.diseases_of_known_gene: dict[str, list[int]] = {}
        for d, gs in self.known.items():
            k = self.disease_index.get(d)
            if k is not None:
                for g in gs:
                    self.diseases_of_known_gene.setdefault(g, []).append(k)
        self.has_match = (self.score > 0).any(axis=1) if nR and nC else np.zeros(nR, bool)
        self.row_best = self.score.argmax(axis=1) if nC else np.zeros(nR, np.int64)
        self.rowmax_all = self.score.max(axis=1) if nC else np.zeros(nR)
        self.col_best = self.score.argmax(axis=0) if nR else np.zeros(nC, np.int64)
        self.colmax_all = self.score.max(axis=0) if nR else np.zeros(nC)
        # models: non-empty runs (reduceat over empty runs would be wrong)
        self.m_len = np.diff(self.m_ptr)
        self.m_nonempty = np.flatnonzero(self.m_len > 0)
        self.m_starts = self.m_ptr[self.m_nonempty]
        self.m_ends = self.m_ptr[self.m_nonempty + 1]
        # diseases restricted to D' (rows with a cross-species match)
        keep = self.has_match[self.d_rows] if len(self.d_rows) else np.zeros(0, bool)
        self.rd_rows = self.d_rows[keep]
        d_len = np.diff(self.d_ptr)
        rlen = np.zeros(len(self.disease_ids), dtype=np.int64)
        ne = d_len > 0
        if ne.any():
            rlen[ne] = np.add.reduceat(keep.astype(np.int64), self.d_ptr[:-1][ne])
        self.rd_len = rlen
        self.rd_ptr = np.zeros(len(rlen) + 1, dtype=np.int64)
        self.rd_ptr[1:] = np.cumsum(rlen)
        self.rd_nonempty = np.flatnonzero(rlen > 0)
        self.rd_starts = self.rd_ptr[self.rd_nonempty]
        self.rd_ends = self.rd_ptr[self.rd_nonempty + 1]
        self.d_len = d_len

    @property
    def n_models(self) -> int:
        return len(self.model_ids)

    @property
    def n_diseases(self) -> int:
        return len(self.disease_ids)

    def label(self, term: str | int | None) -> str | None:
        if term is None:
            return None
        i = term if isinstance(term, (int, np.integer)) else self.term_index.get(term)
        return None if i is None or i < 0 else self.term_labels[i]

    def model_record(self, i: int) -> dict:
        return {"model_id": self.model_ids[i], **{f: self.model_meta[f][i] for f in MODEL_FIELDS}}

    def known_gene_mask(self, disease_id: str) -> np.ndarray:
        """Models whose gene is orthologous to a known (curated) gene of the disease."""
        pos = [self.gene_pos[g] for g in self.known.get(disease_id, ()) if g in self.gene_pos]
        if not pos:
            return np.zeros(self.n_models, bool)
        return np.isin(self.model_gene_idx, pos)

    def known_disease_mask(self, gene_id: str | None) -> np.ndarray:
        """Diseases of which the mouse gene is a known (orthologous) gene."""
        mask = np.zeros(self.n_diseases, bool)
        if gene_id:
            mask[self.diseases_of_known_gene.get(gene_id, [])] = True
        return mask

    def disease_id_of(self, disease_id: str) -> int:
        try:
            return self.disease_index[disease_id]
        except KeyError:
            raise UnknownId(f"disease {disease_id} is not in the scoring index "
                            f"(no disease with that id has phenotype annotations)") from None

    def model_id_of(self, model_id: str) -> int:
        try:
            return self.model_index[model_id]
        except KeyError:
            raise UnknownId(f"model {model_id} is not in the scoring index") from None

    # -- queries: a disease side ----------------------------------------------------
    def disease_query(self, disease_id: str) -> QueryProfile:
        k = self.disease_id_of(disease_id)
        rows = self.d_rows[self.d_ptr[k]:self.d_ptr[k + 1]]
        return QueryProfile([self.term_ids[self.row_terms[r]] for r in rows], self.score[rows],
                            self.raw[rows], matched=self.has_match[rows])

    def terms_query(self, hp_ids: Iterable[str]) -> QueryProfile:
        """A patient (any list of term ids): rows from the tables, or computed from the closure."""
        ids = list(dict.fromkeys(hp_ids))
        known_rows, new_terms, unknown = [], [], []
        for t in ids:
            if t in self.row_of:
                known_rows.append(t)
            elif t in self.term_index and self.closure is not None:
                new_terms.append(t)
            else:
                unknown.append(t)
        used = known_rows + new_terms
        nC = self.score.shape[1]
        score = np.zeros((len(used), nC))
        raw = np.zeros((len(used), nC))
        if known_rows:
            rr = [self.row_of[t] for t in known_rows]
            score[:len(rr)] = self.score[rr]
            raw[:len(rr)] = self.raw[rr]
        if new_terms:
            pa = compute_pairs(self.closure, self.ic, [self.term_index[t] for t in new_terms], self.col_terms)
            score[len(known_rows):] = pa.score(self.config.min_ic)
            raw[len(known_rows):] = pa.raw()
        return QueryProfile(used, score, raw, unknown=unknown)

    # -- disease (or patient) -> all models -----------------------------------------
    def score_models(self, q: QueryProfile) -> ProfileScores:
        """PhenoDigm scores of a disease-side query against every model (query = disease side)."""
        n = self.n_models
        sub = q.score[q.matched]
        nd = sub.shape[0]
        if nd == 0 or len(self.m_nonempty) == 0:
            return ProfileScores.zeros(n)
        colmax = sub.max(axis=0)
        # only model terms whose column has a non-zero score matter: every sum and max below
        # runs over those (dropping zeros changes no max and no float sum of non-negatives)
        mask = (colmax > 0)[self.m_cols]
        sel = np.flatnonzero(mask)
        max_raw = np.zeros(n)
        sum_m = np.zeros(n)
        sum_d = np.zeros(n)
        if len(sel):
            before = np.zeros(len(mask) + 1, dtype=np.int64)
            np.cumsum(mask, out=before[1:])
            s0 = before[self.m_starts]
            has = before[self.m_ends] > s0
            tgt = self.m_nonempty[has]
            starts = s0[has]
            cols = self.m_cols[sel]
            xm = colmax[cols]
            max_raw[tgt] = np.maximum.reduceat(xm, starts)
            sum_m[tgt] = np.add.reduceat(xm, starts)
            y = np.take(sub, cols, axis=1)  # nd x |sel|
            sum_d[tgt] = np.maximum.reduceat(y, starts, axis=1).sum(axis=0)
        avg_raw = np.where(self.m_len > 0, (sum_d + sum_m) / (nd + self.m_len), 0.0)
        # ideal model: each matched disease term's best MP term
        rowmax = sub.max(axis=1)
        ideal_cols = np.unique(sub.argmax(axis=1))
        ideal_max = rowmax.max()
        ideal_avg = (rowmax.sum() + colmax[ideal_cols].sum()) / (nd + len(ideal_cols))
        max_norm = _norm(max_raw, ideal_max)
        avg_norm = _norm(avg_raw, ideal_avg)
        return ProfileScores(max_raw, avg_raw, max_norm, avg_norm, (avg_norm + max_norm) / 2)

    def semsimian_models(self, q: QueryProfile, models: np.ndarray) -> np.ndarray:
        """semsimian-style score of the query against the given models (all terms, unthresholded)."""
        models = np.asarray(models, dtype=np.int64)
        out = np.zeros(len(models))
        if len(models) == 0 or q.raw.shape[0] == 0:
            return out
        lens = self.m_len[models]
        ne = lens > 0
        if not ne.any():
            return out
        sel = models[ne]
        sl = lens[ne]
        starts = np.zeros(len(sel), dtype=np.int64)
        np.cumsum(sl[:-1], out=starts[1:])
        # positions of the selected models' runs in m_cols, concatenated
        pos = np.repeat(self.m_ptr[sel] - starts, sl) + np.arange(int(sl.sum()))
        cols = self.m_cols[pos]
        x = q.raw[:, cols]
        mean_m = np.add.reduceat(x.max(axis=0), starts) / lens[ne]
        mean_d = np.maximum.reduceat(x, starts, axis=1).mean(axis=0)
        out[ne] = (mean_d + mean_m) / 2
        return out

    # -- model -> all diseases ------------------------------------------------------
    def model_cols_of(self, k: int) -> np.ndarray:
        return self.m_cols[self.m_ptr[k]:self.m_ptr[k + 1]]

    def score_diseases(self, model: int) -> ProfileScores:
        """PhenoDigm scores of one model against every disease (query = the model)."""
        n = self.n_diseases
        cols = self.model_cols_of(model)
        nm = len(cols)
        if nm == 0 or len(self.rd_nonempty) == 0:
            return ProfileScores.zeros(n)
        sub = self.score[:, cols]  # nR x nm
        rowbest = sub.max(axis=1)
        max_raw = np.zeros(n)
        sum_m = np.zeros(n)
        sum_d = np.zeros(n)
        rb = rowbest[self.rd_rows]
        sum_d[self.rd_nonempty] = np.add.reduceat(rb, self.rd_starts)
        max_raw[self.rd_nonempty] = np.maximum.reduceat(rb, self.rd_starts)
        # sum_m: per disease, sum over m of max_d S(d, m); only rows with a non-zero score matter
        sel = np.flatnonzero(rb > 0)
        if len(sel):
            s0 = np.searchsorted(sel, self.rd_starts)
            s1 = np.searchsorted(sel, self.rd_ends)
            has = s1 > s0
            y = sub[self.rd_rows[sel]]
            sum_m[self.rd_nonempty[has]] = np.maximum.reduceat(y, s0[has], axis=0).sum(axis=1)
        avg_raw = np.where(self.rd_len > 0, (sum_d + sum_m) / (self.rd_len + nm), 0.0)
        # ideal disease: each model term's best HP term (terms with no match add nothing)
        colmax = self.colmax_all[cols]
        ideal_rows = np.unique(self.col_best[cols][colmax > 0])
        ideal_max = colmax.max()
        ideal_avg = (rowbest[ideal_rows].sum() + colmax.sum()) / (len(ideal_rows) + nm)
        max_norm = _norm(max_raw, ideal_max)
        avg_norm = _norm(avg_raw, ideal_avg)
        return ProfileScores(max_raw, avg_raw, max_norm, avg_norm, (avg_norm + max_norm) / 2)

    def semsimian_diseases(self, model: int, diseases: np.ndarray) -> np.ndarray:
        cols = self.model_cols_of(model)
        diseases = np.asarray(diseases, dtype=np.int64)
        out = np.zeros(len(diseases))
        if len(cols) == 0:
            return out
        sub = self.raw[:, cols]
        for j, k in enumerate(diseases):
            rows = self.d_rows[self.d_ptr[k]:self.d_ptr[k + 1]]
            if len(rows):
                x = sub[rows]
                out[j] = (x.max(axis=1).mean() + x.max(axis=0).mean()) / 2
        return out

    # -- ordering -------------------------------------------------------------------
    @staticmethod
    def order(scores: ProfileScores, tie: np.ndarray | None = None) -> np.ndarray:
        """Positions by overall desc, then max_raw desc, then ``tie`` (default: position;
        ids are stored sorted, so position order is id order)."""
        n = len(scores.overall)
        tie = np.arange(n) if tie is None else tie
        return np.lexsort((tie, -scores.max_raw, -scores.overall))

    # -- explain --------------------------------------------------------------------
    def _pair_record(self, r: int, c: int) -> dict:
        hp = self.term_ids[self.row_terms[r]]
        mp = self.term_ids[self.col_terms[c]]
        m = int(self.mica[r, c])
        if self.pair_ic is not None:
            ic = float(self.pair_ic[r, c])
        else:
            ic = float(self.ic[m]) if m >= 0 and not math.isnan(self.ic[m]) else 0.0
        return {"hp_id": hp, "hp_label": self.label(hp), "mp_id": mp, "mp_label": self.label(mp),
                "mica_id": self.term_ids[m] if m >= 0 else None,
                "mica_label": self.label(m) if m >= 0 else None,
                "ic": ic, "simj": float(self.simj[r, c]), "score": float(self.score[r, c])}

    def explain(self, disease_id: str, model_id: str) -> dict:
        """Matched term pairs both ways: each disease term's best MP term, each model term's best HP term."""
        k = self.disease_id_of(disease_id)
        m = self.model_id_of(model_id)
        rows = self.d_rows[self.d_ptr[k]:self.d_ptr[k + 1]]
        cols = self.model_cols_of(m)
        d2m, m2d = [], []
        if len(rows) and len(cols):
            sub = self.score[np.ix_(rows, cols)]
            for i, r in enumerate(rows):
                j = int(sub[i].argmax())
                rec = self._pair_record(int(r), int(cols[j]))
                rec["counted"] = bool(self.has_match[r])
                d2m.append(rec)
            counted = self.has_match[rows]
            for j, c in enumerate(cols):
                colv = np.where(counted, sub[:, j], -1.0)
                i = int(colv.argmax()) if counted.any() else 0
                rec = self._pair_record(int(rows[i]), int(c))
                rec["counted"] = bool(counted.any())
                m2d.append(rec)
        else:
            for r in rows:
                hp = self.term_ids[self.row_terms[r]]
                d2m.append({"hp_id": hp, "hp_label": self.label(hp), "mp_id": None, "mp_label": None,
                            "mica_id": None, "mica_label": None, "ic": 0.0, "simj": 0.0, "score": 0.0,
                            "counted": bool(self.has_match[r])})
        q = self.disease_query(disease_id)
        ps = self.score_models(q)
        sem = float(self.semsimian_models(q, np.array([m]))[0])
        return {"disease_id": disease_id, "disease_label": self.disease_labels[k],
                **self.model_record(m),
                "scores": {"max_raw": float(ps.max_raw[m]), "max_norm": float(ps.max_norm[m]),
                           "avg_raw": float(ps.avg_raw[m]), "avg_norm": float(ps.avg_norm[m]),
                           "overall": float(ps.overall[m]), "semsimian_score": sem},
                "disease_to_model": d2m, "model_to_disease": m2d}

    # -- construction -----------------------------------------------------------------
    @classmethod
    def build(cls, corpus: ScoringCorpus, config: ScoringConfig | None = None,
              log=lambda msg: None) -> "ScoringIndex":
        """Closure, IC and pair tables from a corpus (see :mod:`kg.scoring`)."""
        import time

        config = config or ScoringConfig()
        t0 = time.perf_counter()
        terms = set(corpus.term_labels)
        for d in corpus.diseases.values():
            terms.update(d.hp_ids)
        for m in corpus.models.values():
            terms.update(m.mp_ids)
        closure = Closure.build(terms, corpus.edges)
        log(f"closure: {closure.n} terms, {closure.anc.nnz} ancestor pairs "
            f"({time.perf_counter() - t0:.1f}s)")
        idx = closure.index
        d_terms = {d: [idx[t] for t in p.hp_ids] for d, p in corpus.diseases.items()}
        m_terms = {m: [idx[t] for t in p.mp_ids] for m, p in corpus.models.items()}
        if config.ic_corpus == "annotations":
            ic = annotation_ic(closure, [sorted(set(v)) for v in list(d_terms.values()) + list(m_terms.values())])
        elif config.ic_corpus == "structure":
            ic = structure_ic(closure)
        else:
            raise ValueError(f"unknown IC corpus {config.ic_corpus!r} (annotations or structure)")
        labels = [corpus.term_labels.get(t) for t in closure.term_ids]
        prov = corpus.provenance.as_dict()
        return cls.from_closure(closure, ic, corpus.diseases, corpus.models, config=config,
                                term_labels=labels, known=corpus.known_genes, provenance=prov, log=log)

    @classmethod
    def from_closure(cls, closure: Closure, ic: np.ndarray, diseases: dict, models: dict, *,
                     config: ScoringConfig | None = None, term_labels: list[str | None] | None = None,
                     known: dict[str, frozenset[str]] | None = None, provenance: dict | None = None,
                     log=lambda msg: None) -> "ScoringIndex":
        """An index from a given closure and IC. ``diseases`` / ``models``: id -> DiseaseProfile /
        ModelProfile, or id -> list of term ids (then labels and model metadata are empty)."""
        import time

        config = config or ScoringConfig()
        idx = closure.index

        def terms_of(p, attr):
            return p if isinstance(p, (list, tuple, set, frozenset)) else getattr(p, attr)

        disease_ids = sorted(diseases)
        model_ids = sorted(models)
        d_terms = [sorted({idx[t] for t in terms_of(diseases[d], "hp_ids")}) for d in disease_ids]
        m_terms = [sorted({idx[t] for t in terms_of(models[m], "mp_ids")}) for m in model_ids]
        row_terms = np.array(sorted({t for ts in d_terms for t in ts}), dtype=np.int64)
        col_terms = np.array(sorted({t for ts in m_terms for t in ts}), dtype=np.int64)
        t1 = time.perf_counter()
        pa = compute_pairs(closure, ic, row_terms, col_terms)
        log(f"pair tables: {len(row_terms)} HP x {len(col_terms)} MP ({time.perf_counter() - t1:.1f}s)")
        row_pos = np.full(closure.n, -1, dtype=np.int64)
        row_pos[row_terms] = np.arange(len(row_terms))
        col_pos = np.full(closure.n, -1, dtype=np.int64)
        col_pos[col_terms] = np.arange(len(col_terms))
        d_ptr, d_rows = _csr([row_pos[ts] for ts in d_terms])
        m_ptr, m_cols = _csr([col_pos[ts] for ts in m_terms])
        meta = {f: [getattr(models[m], f, None) for m in model_ids] for f in MODEL_FIELDS}
        prov = dict(provenance or {})
        prov["ic_corpus"] = config.ic_corpus
        prov["min_ic"] = config.min_ic
        prov.setdefault("mapping_sets", list(config.mapping_sets))
        return cls(term_ids=closure.term_ids, term_labels=term_labels or [None] * closure.n, ic=ic,
                   row_terms=row_terms, col_terms=col_terms, simj=pa.simj, mica=pa.mica,
                   score=pa.score(config.min_ic), raw=pa.raw(),
                   disease_ids=disease_ids,
                   disease_labels=[getattr(diseases[d], "label", None) for d in disease_ids],
                   d_ptr=d_ptr, d_rows=d_rows, model_ids=model_ids, model_meta=meta,
                   m_ptr=m_ptr, m_cols=m_cols, known=known, closure=closure,
                   config=config, provenance=prov)

    @classmethod
    def from_pair_table(cls, pairs: Iterable[tuple], diseases: dict[str, Sequence[str]],
                        models: dict[str, Sequence[str]], *, min_ic: float = 0.0,
                        known: dict[str, frozenset[str]] | None = None,
                        provenance: dict | None = None) -> "ScoringIndex":
        """An index over an explicit term-pair table: rows (hp, mp, simJ, IC[, MICA id]).

        Pairs not in the table score 0; a term in no row has no cross-species match.
        """
        rows_in = [tuple(p) for p in pairs]
        hp = sorted({p[0] for p in rows_in} | {t for ts in diseases.values() for t in ts})
        mp = sorted({p[1] for p in rows_in} | {t for ts in models.values() for t in ts})
        micas = sorted({p[4] for p in rows_in if len(p) > 4 and p[4] is not None} - set(hp) - set(mp))
        term_ids = hp + mp + micas
        tindex = {t: i for i, t in enumerate(term_ids)}
        ic = np.full(len(term_ids), np.nan)
        nR, nC = len(hp), len(mp)
        simj = np.zeros((nR, nC))
        mica = np.full((nR, nC), -1, dtype=np.int32)
        mica_ic = np.zeros((nR, nC))
        hpos = {t: i for i, t in enumerate(hp)}
        mpos = {t: i for i, t in enumerate(mp)}
        for p in rows_in:
            r, c = hpos[p[0]], mpos[p[1]]
            simj[r, c], mica_ic[r, c] = float(p[2]), float(p[3])
            if len(p) > 4 and p[4] is not None:
                mica[r, c] = tindex[p[4]]
                ic[tindex[p[4]]] = float(p[3])
        pa = PairArrays(simj, mica, mica_ic)
        d_ids = sorted(diseases)
        m_ids = sorted(models)
        d_ptr, d_rows = _csr([sorted({hpos[t] for t in diseases[d]}) for d in d_ids])
        m_ptr, m_cols = _csr([sorted({mpos[t] for t in models[m]}) for m in m_ids])
        meta = {f: [None] * len(m_ids) for f in MODEL_FIELDS}
        cfg = ScoringConfig(min_ic=min_ic, ic_corpus="explicit pair table", mapping_sets=())
        return cls(term_ids=term_ids, term_labels=[None] * len(term_ids), ic=ic,
                   row_terms=np.arange(nR), col_terms=np.arange(nR, nR + nC), simj=simj, mica=mica,
                   score=pa.score(min_ic), raw=pa.raw(), disease_ids=d_ids, disease_labels=[None] * len(d_ids),
                   d_ptr=d_ptr, d_rows=d_rows, model_ids=m_ids, model_meta=meta, m_ptr=m_ptr, m_cols=m_cols,
                   known=known, closure=None, config=cfg, pair_ic=mica_ic,
                   provenance=provenance or {"ic_corpus": "explicit pair table", "mapping_sets": []})


def termset_similarity(closure: Closure, ic: np.ndarray, a: Sequence[str], b: Sequence[str]) -> dict[str, float]:
    """semsimian-style termset comparison of two term lists under three pair metrics
    (best-match average, both directions, all terms, no threshold)."""
    ia = [closure.index[t] for t in dict.fromkeys(a)]
    ib = [closure.index[t] for t in dict.fromkeys(b)]
    if not ia or not ib:
        return {"phenodigm_score": 0.0, "ancestor_information_content": 0.0, "jaccard_similarity": 0.0}
    pa = compute_pairs(closure, ic, ia, ib)

    def bma(x: np.ndarray) -> float:
        return float((x.max(axis=1).mean() + x.max(axis=0).mean()) / 2)

    return {"phenodigm_score": bma(pa.raw()), "ancestor_information_content": bma(pa.mica_ic),
            "jaccard_similarity": bma(pa.simj)}


__all__ = ["ScoringIndex", "ProfileScores", "QueryProfile", "UnknownId", "termset_similarity",
           "DiseaseProfile", "ModelProfile"]
