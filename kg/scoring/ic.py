"""Information content of the cross-species terms: two named corpora.

``annotations`` (PhenoDigm): IC(t) = -log2(p(t)), p(t) = (number of annotated entities,
diseases and mouse models together, annotated to t or to a descendant of t) / (number of
annotated entities). A term no entity reaches has no IC (NaN): it can never be the MICA
of a pair of annotated terms, since any common ancestor of two annotation terms is
reached by the entities they annotate.

``structure`` (semsimian's IC, from the closure alone): IC(a) = -log2(f(a) / N), f(a) =
number of terms having a in their (reflexive) ancestor set, i.e. a's descendants and a
itself; N = number of distinct terms that occur as an ancestor of some term (every term
for a reflexive closure). semsimian counts the objects of its closure tuples the same way.

>>> from kg.scoring.closure import Closure
>>> c = Closure.build(["r", "a", "b"], [("a", "r"), ("b", "r")])
>>> structure_ic(c).round(3).tolist()           # a, b, r
[1.585, 1.585, 0.0]
>>> annotation_ic(c, [[c.index["a"]], [c.index["a"], c.index["b"]]]).round(3).tolist()
[0.0, 1.0, 0.0]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import sparse

from kg.scoring.closure import Closure

IC_CORPORA = ("annotations", "structure")


def annotation_ic(closure: Closure, profiles: Sequence[Sequence[int]]) -> np.ndarray:
    """IC per term from entity profiles (lists of term indices); empty profiles are not entities."""
    profiles = [p for p in profiles if len(p)]
    n_ent = len(profiles)
    ic = np.full(closure.n, np.nan)
    if n_ent == 0:
        return ic
    rows = np.repeat(np.arange(n_ent), [len(p) for p in profiles])
    cols = np.concatenate([np.asarray(p, dtype=np.int64) for p in profiles])
    pm = sparse.csr_matrix((np.ones(len(cols), dtype=np.int8), (rows, cols)), shape=(n_ent, closure.n))
    pm.data[:] = 1
    covered = (pm.astype(np.int32) @ closure.anc.astype(np.int32)).astype(bool)
    counts = np.asarray(covered.sum(axis=0)).ravel()
    ok = counts > 0
    ic[ok] = -np.log2(counts[ok] / n_ent) + 0.0  # + 0.0: no -0.0
    return ic


def structure_ic(closure: Closure) -> np.ndarray:
    """semsimian's IC from the closure alone (see the module docstring)."""
    counts = np.asarray(closure.anc.astype(np.int32).sum(axis=0)).ravel()
    n_objects = int((counts > 0).sum())
    ic = np.full(closure.n, np.nan)
    ok = counts > 0
    ic[ok] = -np.log2(counts[ok] / n_objects) + 0.0
    return ic
