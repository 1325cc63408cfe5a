"""Save / load a :class:`~kg.scoring.engine.ScoringIndex` to a directory.

Layout (``FORMAT`` below)::

    DIR/scoring.json   ids, labels, model metadata, known-gene links, config, provenance
    DIR/scoring.npz    numpy arrays (uncompressed: loading is a read, not a decompression)

Loading checks both files and every array, and raises :class:`ScoringArtifactsMissing`
naming what is missing, so a server never starts on half a build.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from scipy import sparse

from kg.scoring.closure import Closure
from kg.scoring.config import ScoringConfig
from kg.scoring.engine import MODEL_FIELDS, ScoringIndex

FORMAT = "impc-kg-scoring/1"
JSON_FILE = "scoring.json"
NPZ_FILE = "scoring.npz"
ARRAYS = ("ic", "row_terms", "col_terms", "simj", "mica", "score", "raw",
          "d_ptr", "d_rows", "m_ptr", "m_cols", "anc_indptr", "anc_indices")


class ScoringArtifactsMissing(FileNotFoundError):
    """The scoring directory lacks a file or an array (build the store again: `kg build`)."""


def save_index(index: ScoringIndex, directory: str | os.PathLike) -> Path:
    """Write the index to ``directory`` (created); files are written then renamed into place."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    if index.closure is None:
        raise ValueError("an index over an explicit pair table has no closure and is not saved")
    anc = index.closure.anc
    arrays = {"ic": index.ic, "row_terms": index.row_terms, "col_terms": index.col_terms,
              "simj": index.simj, "mica": index.mica, "score": index.score, "raw": index.raw,
              "d_ptr": index.d_ptr, "d_rows": index.d_rows, "m_ptr": index.m_ptr, "m_cols": index.m_cols,
              "anc_indptr": anc.indptr.astype(np.int64), "anc_indices": anc.indices.astype(np.int32)}
    tmp = d / (NPZ_FILE + ".tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, d / NPZ_FILE)
    meta = {"format": FORMAT, "term_ids": index.term_ids, "term_labels": index.term_labels,
            "disease_ids": index.disease_ids, "disease_labels": index.disease_labels,
            "model_ids": index.model_ids, "model_meta": index.model_meta,
            "known_genes": {k: sorted(v) for k, v in sorted(index.known.items())},
            "config": index.config.as_dict(), "provenance": index.provenance,
            "shape": list(index.score.shape)}
    tmpj = d / (JSON_FILE + ".tmp")
    tmpj.write_text(json.dumps(meta, separators=(",", ":")))
    os.replace(tmpj, d / JSON_FILE)
    return d


def load_index(directory: str | os.PathLike) -> ScoringIndex:
    """Load an index saved by :func:`save_index`; raises ScoringArtifactsMissing when incomplete."""
    d = Path(directory)
    for name in (JSON_FILE, NPZ_FILE):
        if not (d / name).is_file():
            raise ScoringArtifactsMissing(
                f"scoring artefact {d / name} is missing: build the scoring tables (`kg build`)")
    try:
        meta = json.loads((d / JSON_FILE).read_text())
    except json.JSONDecodeError as exc:
        raise ScoringArtifactsMissing(f"scoring artefact {d / JSON_FILE} is unreadable: {exc}") from None
    if meta.get("format") != FORMAT:
        raise ScoringArtifactsMissing(f"scoring artefact {d / JSON_FILE} has format "
                                      f"{meta.get('format')!r}, expected {FORMAT!r}: rebuild")
    with np.load(d / NPZ_FILE, allow_pickle=False) as npz:
        missing = [a for a in ARRAYS if a not in npz.files]
        if missing:
            raise ScoringArtifactsMissing(f"scoring artefact {d / NPZ_FILE} lacks array(s) "
                                          f"{', '.join(missing)}: rebuild")
        arr = {a: npz[a] for a in ARRAYS}
    n = len(meta["term_ids"])
    anc = sparse.csr_matrix((np.ones(len(arr["anc_indices"]), dtype=bool), arr["anc_indices"],
                             arr["anc_indptr"]), shape=(n, n))
    closure = Closure(meta["term_ids"], {t: i for i, t in enumerate(meta["term_ids"])}, anc)
    cfg = meta["config"]
    config = ScoringConfig(min_ic=cfg["min_ic"], ic_corpus=cfg["ic_corpus"],
                           mapping_sets=tuple(cfg["mapping_sets"]),
                           p_value_threshold=cfg["p_value_threshold"])
    model_meta = {f: meta["model_meta"][f] for f in MODEL_FIELDS}
    return ScoringIndex(term_ids=meta["term_ids"], term_labels=meta["term_labels"], ic=arr["ic"],
                        row_terms=arr["row_terms"], col_terms=arr["col_terms"], simj=arr["simj"],
                        mica=arr["mica"], score=arr["score"], raw=arr["raw"],
                        disease_ids=meta["disease_ids"], disease_labels=meta["disease_labels"],
                        d_ptr=arr["d_ptr"], d_rows=arr["d_rows"], model_ids=meta["model_ids"],
                        model_meta=model_meta, m_ptr=arr["m_ptr"], m_cols=arr["m_cols"],
                        known={k: frozenset(v) for k, v in meta["known_genes"].items()},
                        closure=closure, config=config, provenance=meta["provenance"])
