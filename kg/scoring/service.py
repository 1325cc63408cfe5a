"""The scoring questions as plain functions returning JSON-ready dicts (the API and CLI share them).

Every answer carries ``provenance`` (ontology versions, mapping sets, IC corpus, min IC)
and, when it lists rows, ``total`` (after filters), ``limit``, ``offset`` and ``results``.
An empty answer for a known entity says why in ``reason``.

Filters: rows are kept when ``overall >= min_score`` and ``overall > 0`` (a model with no
phenotypic overlap is never listed); ``zygosity`` keeps models of that zygosity;
``known_gene_only`` keeps models whose gene is orthologous to a known gene of the disease
(``evidence = "curated"``), ``novel_only`` the others (``"predicted"``).
"""

from __future__ import annotations

from typing import Iterable, Iterator

import numpy as np

from kg.scoring.engine import ProfileScores, QueryProfile, ScoringIndex, UnknownId

SCORE_FIELDS = ("max_raw", "max_norm", "avg_raw", "avg_norm", "overall")
MODEL_COLUMNS = ("rank", "model_id", "gene_id", "gene_symbol", "allele_id", "allele_symbol", "zygosity",
                 "life_stage", *SCORE_FIELDS, "semsimian_score", "known_gene", "evidence")
DISEASE_COLUMNS = ("rank", "disease_id", "disease_label", *SCORE_FIELDS, "semsimian_score", "known_gene",
                   "evidence")
GENE_COLUMNS = ("rank", "disease_id", "disease_label", "model_id", "allele_id", "allele_symbol", "zygosity",
                "life_stage", *SCORE_FIELDS, "semsimian_score", "known_gene", "evidence")
EXPORT_COLUMNS = ("disease_id", "model_id", "gene_id", "gene_symbol", "zygosity", *SCORE_FIELDS,
                  "semsimian_score", "known_gene")


def provenance(index: ScoringIndex) -> dict:
    p = dict(index.provenance)
    p.setdefault("ic_corpus", index.config.ic_corpus)
    p.setdefault("min_ic", index.config.min_ic)
    p.setdefault("mapping_sets", list(index.config.mapping_sets))
    return p


def _page(keep: np.ndarray, scores: ProfileScores, limit: int, offset: int) -> tuple[int, np.ndarray]:
    """(number kept, the page of target positions in rank order); ties broken by id (= position)."""
    cand = np.flatnonzero(keep)
    total, k = len(cand), offset + limit
    if total > k:  # sort only the rows that can reach the page (ties at the cut included)
        ov = scores.overall[cand]
        cut = np.partition(ov, total - k)[total - k]
        cand = cand[ov >= cut]
    order = np.lexsort((cand, -scores.max_raw[cand], -scores.overall[cand]))
    return total, cand[order][offset:offset + limit]


def _score_dict(scores: ProfileScores, i: int) -> dict:
    return {f: float(getattr(scores, f)[i]) for f in SCORE_FIELDS}


def _model_rows(index: ScoringIndex, q: QueryProfile, scores: ProfileScores, page: np.ndarray,
                offset: int, known: np.ndarray | None) -> list[dict]:
    sem = index.semsimian_models(q, page)
    rows = []
    for r, (i, s) in enumerate(zip(page, sem)):
        kg_ = None if known is None else bool(known[i])
        rows.append({"rank": offset + r + 1, **index.model_record(int(i)), **_score_dict(scores, int(i)),
                     "semsimian_score": float(s), "known_gene": kg_,
                     "evidence": None if kg_ is None else ("curated" if kg_ else "predicted")})
    return rows


def _model_filter(index: ScoringIndex, scores: ProfileScores, min_score: float, zygosity: str | None,
                  known: np.ndarray | None, known_gene_only: bool, novel_only: bool) -> np.ndarray:
    keep = (scores.overall > 0) & (scores.overall >= min_score)
    if zygosity:
        keep &= index.zygosity_array == zygosity
    if known is not None:
        if known_gene_only:
            keep &= known
        if novel_only:
            keep &= ~known
    return keep


def _empty_reason(q: QueryProfile, what: str) -> str | None:
    if not q.hp_ids:
        return f"{what} has no usable phenotype terms"
    if not q.matched.any():
        return f"none of the {len(q.hp_ids)} phenotype terms of {what} has a cross-species match to an MP term"
    return None


def models_for_disease(index: ScoringIndex, disease_id: str, *, limit: int = 50, offset: int = 0,
                       min_score: float = 0.0, zygosity: str | None = None, known_gene_only: bool = False,
                       novel_only: bool = False) -> dict:
    """Every model ranked for a disease (query side: the disease)."""
    q = index.disease_query(disease_id)  # UnknownId -> 404
    scores = index.score_models(q)
    known = index.known_gene_mask(disease_id)
    keep = _model_filter(index, scores, min_score, zygosity, known, known_gene_only, novel_only)
    total, page = _page(keep, scores, limit, offset)
    k = index.disease_index[disease_id]
    out = {"disease_id": disease_id, "disease_label": index.disease_labels[k],
           "query_terms": q.hp_ids, "counted_terms": [t for t, m in zip(q.hp_ids, q.matched) if m],
           "provenance": provenance(index), "total": total, "limit": limit, "offset": offset,
           "results": _model_rows(index, q, scores, page, offset, known)}
    reason = _empty_reason(q, f"disease {disease_id}")
    if reason:
        out["reason"] = reason
    elif total == 0:
        out["reason"] = "no model passes the filters"
    return out


def models_for_terms(index: ScoringIndex, hp_ids: Iterable[str], *, limit: int = 50, offset: int = 0,
                     min_score: float = 0.0, zygosity: str | None = None) -> dict:
    """Every model ranked for a patient profile (a list of HP ids)."""
    q = index.terms_query(hp_ids)
    scores = index.score_models(q)
    keep = _model_filter(index, scores, min_score, zygosity, None, False, False)
    total, page = _page(keep, scores, limit, offset)
    out = {"query_terms": q.hp_ids, "unknown_terms": q.unknown,
           "counted_terms": [t for t, m in zip(q.hp_ids, q.matched) if m],
           "provenance": provenance(index), "total": total, "limit": limit, "offset": offset,
           "results": _model_rows(index, q, scores, page, offset, None)}
    reason = _empty_reason(q, "the profile")
    if reason:
        if q.unknown:
            reason += f" ({len(q.unknown)} unknown: {', '.join(q.unknown[:10])})"
        out["reason"] = reason
    elif total == 0:
        out["reason"] = "no model passes the filters"
    return out


def diseases_for_model(index: ScoringIndex, model_id: str, *, limit: int = 50, offset: int = 0,
                       min_score: float = 0.0) -> dict:
    """Every disease ranked for a model (query side: the model)."""
    m = index.model_id_of(model_id)
    scores = index.score_diseases(m)
    keep = (scores.overall > 0) & (scores.overall >= min_score)
    total, page = _page(keep, scores, limit, offset)
    known = index.known_disease_mask(index.model_meta["gene_id"][m])
    sem = index.semsimian_diseases(m, page)
    rows = []
    for r, (k, s) in enumerate(zip(page, sem)):
        kg_ = bool(known[k])
        rows.append({"rank": offset + r + 1, "disease_id": index.disease_ids[k],
                     "disease_label": index.disease_labels[k], **_score_dict(scores, int(k)),
                     "semsimian_score": float(s), "known_gene": kg_, "evidence": "curated" if kg_ else "predicted"})
    cols = index.model_cols_of(m)
    out = {**index.model_record(m), "query_terms": [index.term_ids[index.col_terms[c]] for c in cols],
           "provenance": provenance(index), "total": total, "limit": limit, "offset": offset, "results": rows}
    if len(cols) == 0:
        out["reason"] = f"model {model_id} has no significant phenotype call"
    elif not (index.colmax_all[cols] > 0).any():
        out["reason"] = f"none of the MP terms of model {model_id} has a cross-species match to an HP term"
    elif total == 0:
        out["reason"] = "no disease passes the filters"
    return out


def diseases_for_gene(index: ScoringIndex, gene_id: str, *, limit: int = 50, offset: int = 0,
                      min_score: float = 0.0) -> dict:
    """Every disease ranked for a mouse gene: per disease, the gene's best model (by overall, then max_raw)."""
    models = sorted(index.models_of_gene.get(gene_id, []), key=lambda i: index.model_ids[i])
    if not models:
        raise UnknownId(f"gene {gene_id} has no mouse model in the scoring index")
    n = index.n_diseases
    best = np.full(n, -1, dtype=np.int64)
    agg = ProfileScores.zeros(n)
    for mi in models:
        s = index.score_diseases(mi)
        better = (s.overall > agg.overall) | ((s.overall == agg.overall) & (s.max_raw > agg.max_raw))
        better |= best < 0
        for f in ("max_raw", "avg_raw", "max_norm", "avg_norm", "overall"):
            getattr(agg, f)[better] = getattr(s, f)[better]
        best[better] = mi
    keep = (agg.overall > 0) & (agg.overall >= min_score)
    total, page = _page(keep, agg, limit, offset)
    known = index.known_disease_mask(gene_id)
    rows = []
    for r, k in enumerate(page):
        mi = int(best[k])
        sem = float(index.semsimian_diseases(mi, np.array([k]))[0])
        rec = index.model_record(mi)
        kg_ = bool(known[k])
        rows.append({"rank": offset + r + 1, "disease_id": index.disease_ids[k],
                     "disease_label": index.disease_labels[k], "model_id": rec["model_id"],
                     "allele_id": rec["allele_id"], "allele_symbol": rec["allele_symbol"],
                     "zygosity": rec["zygosity"], "life_stage": rec["life_stage"],
                     **_score_dict(agg, int(k)), "semsimian_score": sem, "known_gene": kg_,
                     "evidence": "curated" if kg_ else "predicted"})
    out = {"gene_id": gene_id, "gene_symbol": index.model_meta["gene_symbol"][models[0]],
           "models": [index.model_ids[i] for i in models], "provenance": provenance(index),
           "total": total, "limit": limit, "offset": offset, "results": rows}
    if total == 0:
        out["reason"] = "no model of this gene matches a disease phenotypically" if min_score <= 0 \
            else "no disease passes the filters"
    return out


def explain(index: ScoringIndex, disease_id: str, model_id: str) -> dict:
    out = index.explain(disease_id, model_id)
    out["known_gene"] = bool(index.known_gene_mask(disease_id)[index.model_index[model_id]])
    out["provenance"] = provenance(index)
    if not out["disease_to_model"] and not out["model_to_disease"]:
        out["reason"] = "the disease or the model has no phenotype terms"
    return out


def export_batches(index: ScoringIndex, min_score: float = 0.0, semsimian: bool = True,
                   diseases: Iterable[str] | None = None) -> Iterator[dict]:
    """All diseases x all models with overall >= min_score (and > 0), one batch of columns
    (numpy arrays, aligned) per disease: the batch export's engine."""
    meta = {f: np.array(index.model_meta[f], dtype=object) for f in ("gene_id", "gene_symbol", "zygosity")}
    for d in (index.disease_ids if diseases is None else diseases):
        q = index.disease_query(d)
        if not q.matched.any():
            continue
        s = index.score_models(q)
        sel = np.flatnonzero((s.overall > 0) & (s.overall >= min_score))
        if not len(sel):
            continue
        yield {"disease_id": d, "model_id": index.model_id_array[sel], "gene_id": meta["gene_id"][sel],
               "gene_symbol": meta["gene_symbol"][sel], "zygosity": meta["zygosity"][sel],
               **{f: getattr(s, f)[sel] for f in SCORE_FIELDS},
               "semsimian_score": index.semsimian_models(q, sel) if semsimian else np.full(len(sel), np.nan),
               "known_gene": index.known_gene_mask(d)[sel]}


def export_all(index: ScoringIndex, min_score: float = 0.0, semsimian: bool = True) -> Iterator[dict]:
    """The batch export as rows (dicts); see :func:`export_batches`."""
    for b in export_batches(index, min_score, semsimian):
        for j in range(len(b["model_id"])):
            yield {c: (b[c] if c == "disease_id" else _py(b[c][j])) for c in EXPORT_COLUMNS}


def _py(v):
    return v.item() if isinstance(v, np.generic) else v


def to_tsv(rows: list[dict], columns: Iterable[str], prov: dict | None = None) -> str:
    """Rows as TSV; provenance as leading ``#`` comment lines."""
    cols = list(columns)
    lines = []
    if prov:
        for key in ("ontology_versions", "mapping_sets", "ic_corpus", "min_ic"):
            if key in prov:
                v = prov[key]
                if isinstance(v, dict):
                    v = ", ".join(f"{a}={b}" for a, b in v.items())
                elif isinstance(v, (list, tuple)):
                    v = ", ".join(map(str, v))
                lines.append(f"# {key}: {v}")
    lines.append("\t".join(cols))
    for r in rows:
        lines.append("\t".join(_cell(r.get(c)) for c in cols))
    return "\n".join(lines) + "\n"


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(round(v, 6))
    return str(v).replace("\t", " ").replace("\n", " ")
