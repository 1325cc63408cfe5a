"""Term-pair tables: Jaccard, MICA and PhenoDigm pair score for rows x columns of terms.

For terms h, m with reflexive ancestor sets A(h), A(m):

    simJ(h, m)  = |A(h) & A(m)| / |A(h) | A(m)|
    MICA(h, m)  = argmax_{a in A(h) & A(m)} IC(a)      (ties: the term with more ancestors,
                                                         then the smallest id)
    raw(h, m)   = sqrt(simJ * IC(MICA))                (semsimian's ``phenodigm_score``)
    score(h, m) = raw(h, m) if IC(MICA) >= min_ic else 0

A pair with no common ancestor has simJ 0, no MICA (index -1) and IC 0.

How: intersection sizes are one sparse product of the two closure slices; the MICA is
found by visiting every ancestor shared by the two sides in increasing IC order and
writing it into the block (rows having it) x (columns having it): the last write, the
most informative common ancestor, stays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kg.scoring.closure import Closure

ROW_BLOCK = 4096


@dataclass
class PairArrays:
    simj: np.ndarray  # float64 (rows x cols)
    mica: np.ndarray  # int32 term index, -1 when no common ancestor
    mica_ic: np.ndarray  # float64, 0 when no MICA (or the MICA has no IC)

    def raw(self) -> np.ndarray:
        return np.sqrt(self.simj * self.mica_ic)

    def score(self, min_ic: float) -> np.ndarray:
        return np.where(self.mica_ic >= min_ic, self.raw(), 0.0)


def compute_pairs(closure: Closure, ic: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> PairArrays:
    """Pair arrays for term indices ``rows`` x ``cols`` (see the module docstring)."""
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    nr, nc = len(rows), len(cols)
    simj = np.zeros((nr, nc))
    mica = np.full((nr, nc), -1, dtype=np.int32)
    if nr == 0 or nc == 0:
        return PairArrays(simj, mica, np.zeros((nr, nc)))
    ar = closure.anc[rows].astype(np.int32).tocsr()
    ac = closure.anc[cols].astype(np.int32).tocsr()
    sr = np.diff(ar.indptr)
    sc = np.diff(ac.indptr)
    act = ac.T.tocsc()
    for b in range(0, nr, ROW_BLOCK):
        inter = (ar[b:b + ROW_BLOCK] @ act).toarray()
        union = sr[b:b + ROW_BLOCK, None] + sc[None, :] - inter
        with np.errstate(invalid="ignore", divide="ignore"):
            simj[b:b + ROW_BLOCK] = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    # MICA: shared ancestors in increasing (IC, -index) order; later writes win
    arc = ar.tocsc()
    acc = ac.tocsc()
    shared = np.intersect1d(np.unique(ar.indices), np.unique(ac.indices))
    key_ic = np.where(np.isnan(ic[shared]), -np.inf, ic[shared])
    depth = np.diff(closure.anc.indptr)[shared]  # ties: the more specific, then the smaller index
    order = np.lexsort((-shared, depth, key_ic))
    for a in shared[order]:
        r = arc.indices[arc.indptr[a]:arc.indptr[a + 1]]
        c = acc.indices[acc.indptr[a]:acc.indptr[a + 1]]
        if len(r) * 4 > nr and len(c) * 4 > nc:
            sub = mica[r]  # dense-ish block: row gather, column write, row scatter
            sub[:, c] = a
            mica[r] = sub
        else:
            mica[np.ix_(r, c)] = a
    mica_ic = np.zeros((nr, nc))
    has = mica >= 0
    vals = ic[mica[has]]
    mica_ic[has] = np.where(np.isnan(vals), 0.0, vals)
    return PairArrays(simj, mica, mica_ic)
