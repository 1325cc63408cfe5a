"""Reflexive ancestor closure of the cross-species ontology, as a sparse boolean matrix.

Terms are indexed 0..n-1 in sorted id order. ``anc[t, a]`` is True when ``a`` is ``t``
or an ancestor of ``t`` (any path of direct edges). Cycles (equivalences: MP <-> HP
exact mappings give mutual edges) are collapsed first: the strongly connected
components of the edge graph are computed, the closure is taken on the condensation
(a DAG) and expanded back to terms, so equivalent terms share one ancestor set that
contains all of them.

>>> c = Closure.build(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("c", "b")])
>>> sorted(c.ancestors("a")), sorted(c.ancestors("c")), sorted(c.ancestors("d"))
(['a', 'b', 'c'], ['b', 'c'], ['d'])
>>> sorted(c.descendants("b"))
['a', 'b', 'c']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components


@dataclass
class Closure:
    term_ids: list[str]
    index: dict[str, int]
    anc: sparse.csr_matrix  # n x n, bool: row t = reflexive ancestors of t

    @property
    def n(self) -> int:
        return len(self.term_ids)

    @classmethod
    def build(cls, terms: Iterable[str], edges: Iterable[tuple[str, str]]) -> "Closure":
        """Closure of the graph whose nodes are ``terms`` (plus edge endpoints) and edges (child, parent)."""
        edges = list(edges)
        ids = sorted(set(terms) | {x for e in edges for x in e})
        index = {t: i for i, t in enumerate(ids)}
        n = len(ids)
        if edges:
            src = np.fromiter((index[c] for c, _ in edges), dtype=np.int64, count=len(edges))
            dst = np.fromiter((index[p] for _, p in edges), dtype=np.int64, count=len(edges))
        else:
            src = dst = np.zeros(0, dtype=np.int64)
        g = sparse.csr_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
        ncomp, comp = connected_components(g, directed=True, connection="strong")
        # condensation: component -> parent components (no self loops)
        cs, cd = comp[src], comp[dst]
        keep = cs != cd
        q = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.int8), (cs[keep], cd[keep])),
                              shape=(ncomp, ncomp))
        q.data[:] = 1
        # reflexive-transitive closure of the DAG by repeated squaring
        c = (sparse.identity(ncomp, dtype=np.int8, format="csr") + q).astype(bool).astype(np.int8)
        while True:
            nxt = (c @ c).astype(bool).astype(np.int8)
            if nxt.nnz == c.nnz:
                break
            c = nxt
        # expand to terms: anc = E C E^T, E[t, comp(t)] = 1
        e = sparse.csr_matrix((np.ones(n, dtype=np.int8), (np.arange(n), comp)), shape=(n, ncomp))
        anc = ((e @ c) @ e.T.tocsr()).astype(bool).tocsr()
        anc.sort_indices()
        return cls(ids, index, anc)

    @classmethod
    def from_ancestor_sets(cls, ancestors: Mapping[str, Iterable[str]]) -> "Closure":
        """A closure given explicitly (term -> its ancestor set, taken as is: not made
        reflexive nor transitive). Used to reproduce other tools' inputs exactly."""
        ids = sorted(set(ancestors) | {a for v in ancestors.values() for a in v})
        index = {t: i for i, t in enumerate(ids)}
        rows, cols = [], []
        for t, anc in ancestors.items():
            for a in set(anc):
                rows.append(index[t])
                cols.append(index[a])
        m = sparse.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(len(ids), len(ids)))
        m.sort_indices()
        return cls(ids, index, m)

    # -- look-ups -------------------------------------------------------------------
    def ancestor_indices(self, i: int) -> np.ndarray:
        return self.anc.indices[self.anc.indptr[i]:self.anc.indptr[i + 1]]

    def ancestors(self, term: str) -> set[str]:
        return {self.term_ids[j] for j in self.ancestor_indices(self.index[term])}

    def descendants(self, term: str) -> set[str]:
        col = self.anc[:, self.index[term]]
        return {self.term_ids[j] for j in col.nonzero()[0]}

    def sizes(self) -> np.ndarray:
        """Number of (reflexive) ancestors of each term."""
        return np.diff(self.anc.indptr).astype(np.int64)

    def equivalent(self, a: str, b: str) -> bool:
        """True when a and b are equivalent (each an ancestor of the other)."""
        i, j = self.index[a], self.index[b]
        return bool(self.anc[i, j]) and bool(self.anc[j, i])
