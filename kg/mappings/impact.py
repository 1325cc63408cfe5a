"""Check 8, impact: how PhenoDigm disease-model rankings move when a mapping file is swapped in.

Why rebuild rather than patch: a new bridge edge changes the cross-species closure, hence
the information content of many terms and every pair score that goes through them; only
the engine's own pipeline gives the true scores. So two :class:`~kg.scoring.ScoringIndex`
are built with the engine's public functions from one :class:`~kg.scoring.ScoringCorpus`
(:func:`kg.scoring.from_store.corpus_from_store`, read-only):

* ``baseline``: the corpus as the build makes it (the active mapping sets of
  :data:`kg.scoring.DEFAULT_MAPPING_SETS`), rebuilt here so that both sides come from the
  same code;
* ``candidate``: the same corpus whose bridge edges (:func:`kg.scoring.bridge_edges`) of
  the replaced set are taken out and the file's bridge edges put in. ``replaces="auto"``
  picks the active set that shares at least half of the file's rows (a new release of
  that set), else the file is added to the active sets; a set name or ``"none"`` forces it.

Bounded: the pair-score rows of every disease term are compared; only diseases whose rows
changed are ranked again, the most changed first, at most ``max_diseases`` of them
(ranking one disease against every model on both indexes takes ~10 ms; the two index
builds ~4 s each and reading the corpus from the store 30-40 s on the real data).

Reported per ranked disease: the top-k models before and after, whether the top model
changed, the overlap of the two top-k lists, the models gained and lost, the change of the
best overall score, and the best rank of a model of a known (orthologous, curated) gene.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from kg.mappings.context import MappingContext
from kg.mappings.validate import CheckResult, Flag, MappingFile, _State
from kg.scoring import ScoringConfig, ScoringCorpus, ScoringIndex, bridge_edges
from kg.scoring.corpus import Provenance

UPHENO = "UPHENO:"


@dataclass
class ImpactBaseline:
    """The active scoring corpus and its index, built once and reusable across validations."""

    corpus: ScoringCorpus
    index: ScoringIndex
    config: ScoringConfig
    set_bridges: dict[str, list[tuple[str, str]]]  # active set -> its bridge edges
    seconds: float


def _keep(labels: dict) -> Callable[[tuple[str, str]], bool]:
    def ok(e: tuple[str, str]) -> bool:
        return all(t in labels or t.startswith(UPHENO) for t in e)
    return ok


def build_baseline(ctx: MappingContext, config: ScoringConfig | None = None,
                   log: Callable[[str], None] = lambda m: None) -> ImpactBaseline:
    """Read the active corpus from the store (read-only) and build its index."""
    from kg.scoring.from_store import corpus_from_store

    config = config or ScoringConfig()
    if ctx.store is None:
        raise ValueError("the impact check needs the store (the context was not read from one)")
    t0 = time.perf_counter()
    corpus = corpus_from_store(ctx.store, config)
    log(f"impact: corpus read from the store in {time.perf_counter() - t0:.1f}s")
    keep = _keep(corpus.term_labels)
    set_bridges = {name: [e for e in bridge_edges(ctx.sets[name].rows) if keep(e)]
                   for name in config.mapping_sets if name in ctx.sets}
    index = ScoringIndex.build(corpus, config)
    seconds = time.perf_counter() - t0
    log(f"impact: baseline index built ({seconds:.1f}s)")
    return ImpactBaseline(corpus, index, config, set_bridges, seconds)


def _file_rows_live(mf: MappingFile, ctx: MappingContext) -> list[tuple[str, str, str]]:
    out = []
    for m in mf.rows:
        s = ctx.live(m.subject_id) if ctx.checks(m.subject_id) else m.subject_id
        o = ctx.live(m.object_id) if ctx.checks(m.object_id) else m.object_id
        if s and o:
            out.append((s, m.predicate_id, o))
    return out


def choose_replaced(rows: list[tuple[str, str, str]], ctx: MappingContext, active: tuple[str, ...],
                    replaces: str | None) -> tuple[str | None, dict[str, float]]:
    """Which active set the file stands for: ``replaces`` when named, else the one sharing
    >= 50% of the file's rows ("auto"); None adds the file to the active sets."""
    mine = set(rows)
    shares = {n: round(len(mine & set(ctx.sets[n].rows)) / len(mine), 4) if mine else 0.0
              for n in active if n in ctx.sets}
    if replaces in (None, "none", ""):
        return None, shares
    if replaces != "auto":
        if replaces not in active:
            raise ValueError(f"--replaces {replaces!r}: not an active mapping set ({', '.join(active)})")
        return replaces, shares
    best = max(shares, key=shares.get, default=None)
    return (best if best is not None and shares[best] >= 0.5 else None), shares


def _aligned_rows(old: ScoringIndex, new: ScoringIndex) -> np.ndarray:
    """Per row (HP term) of ``old``: the L1 change of its pair scores against every MP column."""
    old_rows = [old.term_ids[t] for t in old.row_terms]
    old_cols = [old.term_ids[t] for t in old.col_terms]
    new_rows = [new.term_ids[t] for t in new.row_terms]
    new_cols = [new.term_ids[t] for t in new.col_terms]
    if old_rows == new_rows and old_cols == new_cols:
        return np.abs(new.score - old.score).sum(axis=1)
    r = np.array([new.row_of.get(h, -1) for h in old_rows])
    c = np.array([new.col_of.get(m, -1) for m in old_cols])
    ns = np.zeros_like(old.score)
    ok_r, ok_c = r >= 0, c >= 0
    ns[np.ix_(ok_r, ok_c)] = new.score[np.ix_(r[ok_r], c[ok_c])]
    return np.abs(ns - old.score).sum(axis=1)


def _top(index: ScoringIndex, disease: str, k: int) -> tuple[list[int], np.ndarray, np.ndarray]:
    ps = index.score_models(index.disease_query(disease))
    order = ScoringIndex.order(ps, index.model_ids)
    order = order[ps.overall[order] > 0]
    return list(order[:k]), order, ps.overall


def _model(index: ScoringIndex, i: int, overall: np.ndarray) -> dict:
    return {"model_id": index.model_ids[i], "gene_symbol": index.model_meta["gene_symbol"][i],
            "overall": round(float(overall[i]), 3)}


def _first_known(order: np.ndarray, known: np.ndarray) -> int | None:
    hits = np.flatnonzero(known[order])
    return int(hits[0]) + 1 if len(hits) else None


def check_impact(mf: MappingFile, ctx: MappingContext, state: _State, *, replaces: str | None = "auto",
                 top_k: int = 10, max_diseases: int = 500, baseline: ImpactBaseline | None = None,
                 top: int = 25, log: Callable[[str], None] = lambda m: None) -> CheckResult:
    """Check 8 (see the module docstring). ``baseline`` may be given to reuse a built one."""
    res = CheckResult("impact")
    t0 = time.perf_counter()
    base = baseline or build_baseline(ctx, log=log)
    cfg = base.config
    corpus = base.corpus
    rows = _file_rows_live(mf, ctx)
    replaced, shares = choose_replaced(rows, ctx, tuple(cfg.mapping_sets), replaces)
    keep = _keep(corpus.term_labels)
    all_active = {e for es in base.set_bridges.values() for e in es}
    base_edges = [e for e in corpus.edges if e not in all_active]
    kept_sets = [n for n in cfg.mapping_sets if n != replaced and n in base.set_bridges]
    new_bridges: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    file_bridges = [e for e in bridge_edges(rows) if keep(e)]
    for e in [e for n in kept_sets for e in base.set_bridges[n]] + file_bridges:
        if e not in seen:
            seen.add(e)
            new_bridges.append(e)
    labels = dict(corpus.term_labels)
    for e in file_bridges:
        for t in e:
            labels.setdefault(t, None)
    prov = corpus.provenance
    new_prov = Provenance(ontology_versions=prov.ontology_versions,
                          mapping_sets=tuple(kept_sets) + (f"file:{mf.name}",), ic_corpus=prov.ic_corpus,
                          extra={**prov.extra, "bridge_edges": len(new_bridges)})
    cand = replace(corpus, term_labels=labels, edges=base_edges + new_bridges, provenance=new_prov)
    t1 = time.perf_counter()
    new = ScoringIndex.build(cand, cfg)
    log(f"impact: candidate index built ({time.perf_counter() - t1:.1f}s)")
    old = base.index

    delta = _aligned_rows(old, new)
    changed_rows = int((delta > 1e-9).sum())
    pri = np.zeros(old.n_diseases)
    lens = np.diff(old.d_ptr)
    ne = np.flatnonzero(lens > 0)
    if len(old.d_rows):
        pri[ne] = np.add.reduceat(delta[old.d_rows], old.d_ptr[:-1][ne])
    changed = np.flatnonzero(pri > 1e-9)
    order = changed[np.argsort(-pri[changed], kind="stable")]
    evaluate = order[:max_diseases]

    records = []
    t2 = time.perf_counter()
    for k in evaluate:
        d = old.disease_ids[k]
        if d not in new.disease_index:
            continue
        o_top, o_order, o_all = _top(old, d, top_k)
        n_top, n_order, n_all = _top(new, d, top_k)
        known = old.known_gene_mask(d)
        ko, kn = _first_known(o_order, known), _first_known(n_order, known)
        o_ids = [old.model_ids[i] for i in o_top]
        n_ids = [new.model_ids[i] for i in n_top]
        best_o = float(o_all[o_top[0]]) if o_top else 0.0
        best_n = float(n_all[n_top[0]]) if n_top else 0.0
        records.append({
            "disease_id": d, "disease_label": old.disease_labels[k], "change": round(float(pri[k]), 3),
            "top_before": [_model(old, i, o_all) for i in o_top[:3]],
            "top_after": [_model(new, i, n_all) for i in n_top[:3]],
            "top1_changed": (o_ids[:1] != n_ids[:1]), "overlap": len(set(o_ids) & set(n_ids)),
            "gained": [m for m in n_ids if m not in o_ids], "lost": [m for m in o_ids if m not in n_ids],
            "best_overall_before": round(best_o, 3), "best_overall_after": round(best_n, 3),
            "best_overall_delta": round(best_n - best_o, 3),
            "known_gene_rank_before": ko, "known_gene_rank_after": kn})
    log(f"impact: {len(records)} diseases ranked twice ({time.perf_counter() - t2:.1f}s)")

    def in_top(r):
        return r is not None and r <= top_k

    entered = [r for r in records if in_top(r["known_gene_rank_after"]) and not in_top(r["known_gene_rank_before"])]
    left = [r for r in records if in_top(r["known_gene_rank_before"]) and not in_top(r["known_gene_rank_after"])]
    for r in records:
        codes = []
        if r in entered:
            codes.append(("known_gene_model_entered_top", "info"))
        if r in left:
            codes.append(("known_gene_model_left_top", "warning"))
        if r["top1_changed"]:
            codes.append(("top_model_changed", "info"))
        for code, sev in codes:
            res.flags.append(Flag(
                "impact", code, sev,
                f"{r['disease_id']} ({r['disease_label']}): top model "
                f"{_name(r['top_before'])} -> {_name(r['top_after'])}; best overall "
                f"{r['best_overall_before']} -> {r['best_overall_after']}; known-gene model rank "
                f"{r['known_gene_rank_before']} -> {r['known_gene_rank_after']}; top-{top_k} overlap "
                f"{r['overlap']}/{top_k}", (), details={"disease_id": r["disease_id"]}))
    deltas = np.array([r["best_overall_delta"] for r in records]) if records else np.zeros(0)
    res.summary = {
        "replaces": replaced, "shared_rows_with_active_sets": shares, "active_sets": list(cfg.mapping_sets),
        "bridge_edges_before": len(all_active), "bridge_edges_after": len(new_bridges),
        "bridge_edges_from_file": len(file_bridges),
        "hp_terms_with_changed_scores": changed_rows, "hp_terms": int(len(delta)),
        "diseases": old.n_diseases, "diseases_with_changed_scores": int(len(changed)),
        "diseases_ranked": len(records), "truncated": bool(len(changed) > len(evaluate)),
        "top_k": top_k, "top1_changed": sum(r["top1_changed"] for r in records),
        "mean_topk_overlap": round(float(np.mean([r["overlap"] for r in records])), 3) if records else None,
        "known_gene_model_entered_top": len(entered), "known_gene_model_left_top": len(left),
        "best_overall_mean_delta": round(float(deltas.mean()), 3) if len(deltas) else None,
        "gains": sorted(records, key=lambda r: -r["best_overall_delta"])[:top],
        "losses": sorted(records, key=lambda r: r["best_overall_delta"])[:top],
        "seconds": {"baseline": round(base.seconds, 2) if baseline is None else 0.0,
                    "total": round(time.perf_counter() - t0, 2)},
    }
    res.summary["gains"] = [r for r in res.summary["gains"] if r["best_overall_delta"] > 0]
    res.summary["losses"] = [r for r in res.summary["losses"] if r["best_overall_delta"] < 0]
    return res


def _name(top: list[dict]) -> str:
    if not top:
        return "none"
    t = top[0]
    return f"{t['model_id']} ({t['gene_symbol']}, {t['overall']})"
