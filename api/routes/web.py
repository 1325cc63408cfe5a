"""The web front end: a single page (api/static/) and the few JSON helpers it needs.

Why these helpers and not only the public endpoints: the page reuses /diseases, /match,
/explain, /genes/{id}/diseases and /sparql as they are, and adds only what no other
router answers: autocomplete (``GET /search``), a gene's calls grouped by top-level MP
system, a phenotype term's place in the hierarchy, and the named queries as console
examples. Values from the URL reach SPARQL only through ``substitutions=``.

The search index (labels and synonyms of live MP and HP terms, mouse gene symbols,
disease names) is built once, lazily, on the first search, by direct index scans
(``quads_for_pattern``) of the ``mp``, ``hp`` and ``hpoa`` graphs and of
``biolink:symbol``; it is kept on ``app.state.search_index`` with its build time.

>>> idx = LabelIndex([("MP:1", "MP", "abnormal heart morphology", None),
...                   ("HP:2", "HP", "Arachnodactyly", "Spider fingers"),
...                   ("MGI:3", "gene", "Fbn1", None)])
>>> [h["id"] for h in idx.search("heart", 5)]
['MP:1']
>>> idx.search("spider", 5)[0]["matched"]
'Spider fingers'
>>> idx.search("fbn", 5)[0]["label"]
'Fbn1'
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyoxigraph as ox
from api.app_state import once_per_app
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, RedirectResponse

from api.errors import check_curie, not_found
from kg import vocab

router = APIRouter(tags=["web"])

STATIC = Path(__file__).resolve().parents[1] / "static"
QUERIES = Path(__file__).resolve().parents[2] / "queries"

KIND_ORDER = {"disease": 0, "gene": 1, "HP": 2, "MP": 3}


# -- the label index ------------------------------------------------------------------
class LabelIndex:
    """(id, kind, label, synonym-or-None) entries, searched case-insensitively: exact, then
    prefix, then word prefix, then substring; labels before synonyms; shorter first."""

    def __init__(self, entries, build_s: float = 0.0):
        self.entries = [(i, k, lab, syn, (syn or lab).lower()) for i, k, lab, syn in entries]
        self.build_s = build_s

    def __len__(self) -> int:
        return len(self.entries)

    def search(self, q: str, limit: int = 10, kinds: set[str] | None = None) -> list[dict]:
        q = " ".join(q.lower().split())
        if not q:
            return []
        word = re.compile(r"(^|[\s\-(,/])" + re.escape(q))
        best: dict[str, tuple] = {}
        for i, k, lab, syn, text in self.entries:
            if kinds and k not in kinds:
                continue
            if q not in text and q != i.lower():
                continue
            if text == q or i.lower() == q:
                rank = 0
            elif text.startswith(q):
                rank = 1
            elif word.search(text):
                rank = 2
            else:
                rank = 3
            key = (rank, syn is not None, len(text), KIND_ORDER.get(k, 9), lab)
            if i not in best or key < best[i][0]:
                best[i] = (key, {"id": i, "kind": k, "label": lab, "matched": syn})
        return [h for _, h in sorted(best.values(), key=lambda x: x[0])[:limit]]


SYNONYMS = ("hasExactSynonym", "hasRelatedSynonym", "hasBroadSynonym", "hasNarrowSynonym")


def build_label_index(store: ox.Store) -> LabelIndex:
    t0 = time.perf_counter()
    label = ox.NamedNode(vocab.RDFS + "label")
    deprecated = ox.NamedNode(vocab.OWL + "deprecated")
    entries = []
    for g, kind in (("mp", "MP"), ("hp", "HP")):
        graph = ox.NamedNode(vocab.graph_iri(g))
        dead = {q.subject.value for q in store.quads_for_pattern(None, deprecated, None, graph)
                if q.object.value == "true"}
        labels: dict[str, str] = {}
        for q in store.quads_for_pattern(None, label, None, graph):
            s = q.subject.value
            if s not in dead and isinstance(q.subject, ox.NamedNode):
                c = vocab.compress(s)
                if c.startswith(kind + ":"):
                    labels[s] = q.object.value
                    entries.append((c, kind, q.object.value, None))
        for p in SYNONYMS:
            for q in store.quads_for_pattern(None, ox.NamedNode(vocab.OIO + p), None, graph):
                lab = labels.get(q.subject.value)
                if lab is not None:
                    entries.append((vocab.compress(q.subject.value), kind, lab, q.object.value))
    for q in store.quads_for_pattern(None, label, None, ox.NamedNode(vocab.graph_iri("hpoa"))):
        entries.append((vocab.compress(q.subject.value), "disease", q.object.value, None))
    seen = set()
    for q in store.quads_for_pattern(None, ox.NamedNode(vocab.BIOLINK + "symbol"), None, None):
        s = q.subject.value
        if s.startswith(vocab.PREFIX_MAP["MGI"]) and s not in seen:
            seen.add(s)
            entries.append((vocab.compress(s), "gene", q.object.value, None))
    return LabelIndex(entries, time.perf_counter() - t0)


def label_index(request: Request) -> LabelIndex:
    return once_per_app(request, "search_index", lambda: build_label_index(request.app.state.store.store))


@router.get("/search", summary="Autocomplete over diseases, mouse genes, MP and HP terms (labels and synonyms)")
def search(request: Request, q: str = Query(..., min_length=1, max_length=200),
           limit: int = Query(10, ge=1, le=100),
           kind: list[str] | None = Query(None, description="disease, gene, MP, HP (repeatable)")) -> dict:
    idx = label_index(request)
    return {"query": q, "results": idx.search(q, limit, set(kind) if kind else None),
            "index": {"entries": len(idx), "build_s": round(idx.build_s, 3)}}


# -- pages ----------------------------------------------------------------------------
@router.get("/", include_in_schema=False)
def root():
    return RedirectResponse("/ui/")


@router.get("/ui/", include_in_schema=False)
def index_page():
    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.get("/static/{path:path}", include_in_schema=False)
def static(path: str):
    p = (STATIC / path).resolve()
    if not p.is_file() or STATIC not in p.parents:
        raise HTTPException(404, "no such file")
    return FileResponse(p)


@router.get("/web/config", summary="What the page can offer on this server")
def config(request: Request) -> dict:
    paths = {getattr(r, "path", None) for r in request.app.routes}
    settings = getattr(request.app.state, "settings", {}) or {}
    neo4j = any(k.startswith("neo4j") and v for k, v in settings.items()) or \
        getattr(request.app.state, "neo4j", None) is not None
    return {"cypher": "/cypher" in paths and neo4j, "named_queries_endpoint": "/queries" in paths,
            "build_id": request.app.state.manifest.get("build_id")}


# -- named queries as console examples -------------------------------------------------
def parse_rq(text: str) -> dict:
    """Header comments of a named query (title, params, examples).

    >>> d = parse_rq("# title: T\\n# param: gene curie(MGI) required -- g\\n# example: gene=MGI:1\\nSELECT")
    >>> d["title"], d["params"][0]["name"], d["params"][0]["type"], d["examples"]
    ('T', 'gene', 'curie(MGI)', ['gene=MGI:1'])
    """
    out: dict = {"title": None, "params": [], "examples": []}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = re.match(r"#\s*(title|param|example):\s*(.*)", line)
        if not m:
            continue
        key, val = m.groups()
        if key == "title":
            out["title"] = val.strip()
        elif key == "example":
            out["examples"].append(val.strip())
        else:
            parts = val.split()
            out["params"].append({"name": parts[0], "type": parts[1] if len(parts) > 1 else "string"})
    return out


@router.get("/web/examples", summary="The named SPARQL queries (queries/*.rq) as console examples")
def examples() -> list[dict]:
    rows = []
    for f in sorted(QUERIES.glob("*.rq")):
        text = f.read_text(encoding="utf-8")
        rows.append({"name": f.stem, **parse_rq(text), "query": text})
    return rows


def _named(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def _select(store, query: str, subs: dict) -> list[dict]:
    return store.select(query, {ox.Variable(k): v for k, v in subs.items()}, prefixes=False)


def _top_level(request: Request) -> set[str]:
    """IRIs of the top-level MP systems (direct children of MP:0000001), cached on app.state."""
    state = request.app.state
    tops = getattr(state, "mp_top_level", None)
    if tops is None:
        root = ox.NamedNode(vocab.expand("MP:0000001"))
        tops = {q.subject.value for q in state.store.store.quads_for_pattern(
            None, ox.NamedNode(vocab.RDFS + "subClassOf"), root, ox.NamedNode(vocab.graph_iri("mp")))}
        state.mp_top_level = tops
    return tops


# -- gene ------------------------------------------------------------------------------
@router.get("/web/genes/{gene_id}", summary="A mouse gene's IMPC calls grouped by top-level MP system")
def gene_page(request: Request, gene_id: str) -> dict:
    check_curie(gene_id, ("MGI",))
    store = request.app.state.store
    node = ox.NamedNode(vocab.expand(gene_id))
    sym = next(iter(store.store.quads_for_pattern(node, ox.NamedNode(vocab.BIOLINK + "symbol"), None, None)), None)
    calls = _select(store, _named("gene_phenotype_calls"), {"gene": node})
    if sym is None and not calls:
        raise not_found("gene", gene_id)
    top_terms = _top_level(request)
    closure = ox.NamedNode(vocab.KGV + "subClassOfOrSelf")
    tops: dict[str, list] = {}
    for c in calls:
        ts = [t for t in (c.get("top_level_phenotypes") or "").split("|") if t]
        if not ts and c.get("phenotype"):  # the file gave none: the MP systems above the term
            ts = [vocab.compress(q.object.value) for q in store.store.quads_for_pattern(
                ox.NamedNode(vocab.expand(c["phenotype"])), closure, None, None) if q.object.value in top_terms]
        for t in ts or [""]:
            tops.setdefault(t, []).append(c)
    label = ox.NamedNode(vocab.RDFS + "label")
    groups = []
    for t, rows in tops.items():
        name = "other"
        if t:
            got = next(iter(store.store.quads_for_pattern(ox.NamedNode(vocab.expand(t)), label, None, None)), None)
            name = got.object.value if got is not None else t
        groups.append({"id": t or None, "label": name, "calls": rows})
    groups.sort(key=lambda g: (-len(g["calls"]), g["label"]))
    return {"id": gene_id, "symbol": sym.object.value if sym is not None else None,
            "calls": len(calls), "systems": groups}


# -- phenotype term --------------------------------------------------------------------
MAPPING_PREDICATES = [vocab.expand(c) for c in (
    "skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch",
    "semapv:crossSpeciesExactMatch", "semapv:crossSpeciesBroadMatch")]


def _label(store: ox.Store, iri: str) -> str | None:
    got = next(iter(store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(vocab.RDFS + "label"), None, None)), None)
    return got.object.value if got is not None else None


def _ref(store: ox.Store, iri: str) -> dict:
    return {"id": vocab.compress(iri), "label": _label(store, iri)}


@router.get("/web/terms/{term_id}", summary="An MP or HP term: hierarchy, mappings, genes with calls on it or below")
def term_page(request: Request, term_id: str, genes_limit: int = Query(200, ge=1, le=5000)) -> dict:
    check_curie(term_id, ("MP", "HP"))
    store = request.app.state.store
    ent = store.entity(term_id, max_neighbours=1)
    if ent is None:
        raise not_found("term", term_id)
    st, node = store.store, ox.NamedNode(vocab.expand(term_id))
    own = term_id.split(":", 1)[0]
    graph = ox.NamedNode(vocab.graph_iri(own.lower()))
    sub = ox.NamedNode(vocab.RDFS + "subClassOf")
    parents = {q.object.value for q in st.quads_for_pattern(node, sub, None, graph) if isinstance(q.object, ox.NamedNode)}
    children = {q.subject.value for q in st.quads_for_pattern(None, sub, node, graph)}
    mappings: dict[tuple, dict] = {}
    for p in MAPPING_PREDICATES:
        pn = ox.NamedNode(p)
        for q, other, direction in [(q, q.object, "out") for q in st.quads_for_pattern(node, pn, None, None)] + \
                                   [(q, q.subject, "in") for q in st.quads_for_pattern(None, pn, node, None)]:
            if not isinstance(other, ox.NamedNode):
                continue
            oid = vocab.compress(other.value)
            if oid.split(":", 1)[0] not in ("MP", "HP") or oid.startswith(own + ":"):
                continue
            m = mappings.setdefault((vocab.compress(p), oid), {"predicate": vocab.compress(p), "id": oid,
                                                              "label": _label(st, other.value), "sources": []})
            src = q.graph_name.value.rsplit("/", 1)[-1]
            if src not in m["sources"]:
                m["sources"].append(src)
    genes = []
    if own == "MP":
        genes = _select(store, _named("genes_for_phenotype"), {"term": node})[:genes_limit]
        genes = [{k: g[k] for k in ("gene", "symbol", "calls", "best_p_value", "phenotypes")} for g in genes]
    props = ent.properties
    return {"id": term_id, "label": ent.label, "definition": (props.get("IAO:0000115") or [None])[0],
            "synonyms": sorted({s for k, v in props.items() if k.startswith("oboInOwl:has") and
                                k.endswith("Synonym") for s in v}),
            "parents": sorted((_ref(st, i) for i in parents), key=lambda x: x["label"] or ""),
            "children": sorted((_ref(st, i) for i in children), key=lambda x: x["label"] or ""),
            "mappings": sorted(mappings.values(), key=lambda m: (m["predicate"], m["id"])), "genes": genes}
