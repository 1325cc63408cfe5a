"""The fast entity look-up of OxigraphStore against a plain reading of every quad (mini store).

Why: ``OxigraphStore.entity`` takes short cuts for speed (issue 7, bench/load.py): one
incoming scan over all graphs unless the node is an ontology term, counting past the
page inside Oxigraph, memoised labels and CURIEs, no label look-up for reified nodes,
orjson for the answer. Each short cut is checked here against the obvious computation:
read every quad of the node with ``quads_for_pattern`` and derive the answer in Python.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict

import pyoxigraph as ox
import pytest

from api.routes.entities import entity_json
from kg import vocab
from kg.store import oxigraph_store as ostore
from kg.store.oxigraph_store import HIDDEN_GRAPHS, STRUCTURAL, OxigraphStore

LABEL = ox.NamedNode(vocab.RDFS + "label")


@pytest.fixture(scope="module")
def store(mini_store):
    s = OxigraphStore.open(mini_store)
    yield s
    s.close()


@pytest.fixture(scope="module")
def all_ids(store) -> list[str]:
    """Every node of the mini store that has a CURIE (genes, alleles, models, terms, diseases, ...)."""
    rows = store.select("SELECT DISTINCT ?c WHERE { ?x kgv:curie ?c }")
    ids = sorted(r["c"] for r in rows)
    assert len(ids) > 50
    return ids


def reference(st: ox.Store, curie: str) -> dict:
    """The answer, read the slow, obvious way: all quads of the node, both directions."""
    node = ox.NamedNode(vocab.expand(curie))
    props, out, inc, sources = defaultdict(set), [], [], set()
    category = label = None
    for q in st.quads_for_pattern(node, None, None, None):
        g = q.graph_name.value
        if g in HIDDEN_GRAPHS:
            continue
        sources.add(g.rsplit("/", 1)[-1])
        p = q.predicate.value
        if p == vocab.BIOLINK + "category":
            category = vocab.compress(q.object.value)
        elif p in STRUCTURAL:
            continue
        elif isinstance(q.object, ox.NamedNode):
            out.append((vocab.compress(p), q.object, "out", g.rsplit("/", 1)[-1]))
        else:
            if p == vocab.RDFS + "label" and label is None:
                label = q.object.value
            props[vocab.compress(p)].add(ostore.term_value(q.object))
    for q in st.quads_for_pattern(None, None, node, None):
        g = q.graph_name.value
        if g in HIDDEN_GRAPHS or q.predicate.value in STRUCTURAL:
            continue
        inc.append((vocab.compress(q.predicate.value), q.subject, "in", g.rsplit("/", 1)[-1]))
    neighbours: dict[tuple, dict] = {}
    for p, other, d, src in out + inc:
        n = neighbours.setdefault((p, vocab.compress(other.value), d), {"sources": set(), "label": None})
        n["sources"].add(src)
        got = next(iter(st.quads_for_pattern(other, LABEL, None, None)), None)
        n["label"] = got.object.value if got is not None else None
    return {"category": category, "label": label, "sources": sorted(sources),
            "properties": {k: sorted(v, key=str) for k, v in props.items()},
            "n_out": len(out), "n_in": len(inc), "neighbours": neighbours}


def test_compress_agrees_with_curies_on_every_iri_of_the_store(store):
    iris = set()
    for q in store.store.quads_for_pattern(None, None, None, None):
        for t in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(t, ox.NamedNode):
                iris.add(t.value)
    iris |= {ns for ns in vocab.PREFIX_MAP.values()}  # a bare namespace: empty local id
    iris |= {"http://purl.obolibrary.org/obo/mp#IMPC", "http://purl.obolibrary.org/obo/MP_0001262_x",
             "http://purl.obolibrary.org/obo/NOTAPREFIX_1", "http://example.org/a_b/c:d#e",
             "https://w3id.org/impc-kg/model/gene_MGI_1_hom", "urn:x", "", "_"}
    assert len(iris) > 200
    vocab._CURIES.clear()
    for iri in sorted(iris):
        assert ostore.compress(iri) == vocab.compress_with_curies(iri), iri
        assert ostore.compress(iri) == vocab.compress_with_curies(iri), iri  # memoised answer too


def test_reified_nodes_have_no_label(store):
    """The look-up skips labels of ASSOC: and MAPPING: nodes: the build must never write one."""
    n = 0
    for q in store.store.quads_for_pattern(None, LABEL, None, None):
        assert not q.subject.value.startswith(ostore.UNLABELLED_NAMESPACES), q
        n += 1
    assert n > 50
    reified = store.select("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a biolink:subject ?s }")[0]["n"]
    assert reified > 0  # the mini store has association nodes, so the check above means something


def test_every_entity_matches_the_plain_reading(store, all_ids):
    for curie in all_ids:
        ref = reference(store.store, curie)
        got = store.entity(curie, max_neighbours=5000)
        assert got is not None, curie
        assert (got.category, got.label, got.sources, got.properties) == \
               (ref["category"], ref["label"], ref["sources"], ref["properties"]), curie
        assert got.neighbour_counts == {"out": ref["n_out"], "in": ref["n_in"]}, curie
        mine = {(n.predicate, n.id, n.direction): {"sources": set(n.source.split(",")), "label": n.label}
                for n in got.neighbours}
        assert len(mine) == len(got.neighbours), f"{curie}: a neighbour listed twice"
        assert mine == ref["neighbours"], curie


@pytest.mark.parametrize("cap", [1, 2, 3])
def test_a_capped_page_is_a_part_of_the_whole_with_exact_counts(store, all_ids, cap):
    truncated = 0
    for curie in all_ids:
        ref = reference(store.store, curie)
        got = store.entity(curie, max_neighbours=cap)
        assert got.neighbour_counts == {"out": ref["n_out"], "in": ref["n_in"]}, curie  # < 5000: exact
        for direction in ("out", "in"):
            page = [n for n in got.neighbours if n.direction == direction]
            whole = {k for k in ref["neighbours"] if k[2] == direction}
            assert {(n.predicate, n.id, n.direction) for n in page} <= whole, curie
            for n in page:
                r = ref["neighbours"][(n.predicate, n.id, n.direction)]
                assert n.label == r["label"] and set(n.source.split(",")) <= r["sources"], (curie, n)
            assert len(page) <= cap, curie
            if len(whole) >= cap:
                assert len(page) >= 1, curie
            if direction == "in" and ref["n_in"] > cap:
                truncated += 1
    assert truncated > 5  # the counting-past-the-page path ran (terms with many calls, in the mini store)


def test_terms_count_no_closure_quads(store):
    """An MP term with descendants: the closure graph holds one quad per descendant; none counted."""
    rows = store.select("SELECT ?t (COUNT(?d) AS ?n) WHERE { GRAPH ?g { ?d kgv:subClassOfOrSelf ?t } "
                        "FILTER(STRSTARTS(STR(?t), STR(obo:MP_))) } GROUP BY ?t ORDER BY DESC(?n) LIMIT 1")
    term, descendants = rows[0]["t"], rows[0]["n"]
    assert descendants > 2
    for cap in (1, 500):
        got = store.entity(term, max_neighbours=cap)
        ref = reference(store.store, term)
        assert got.neighbour_counts["in"] == ref["n_in"]
        assert all(not n.predicate.startswith("kgv:subClassOfOrSelf") for n in got.neighbours)


def test_unknown_entity_is_none(store):
    assert store.entity("MGI:999999999") is None
    assert store.entity("MGI:999999999", max_neighbours=1) is None


def test_json_answer_is_asdict(store, all_ids):
    for curie in all_ids:
        e = store.entity(curie, max_neighbours=3)
        body = entity_json(e)
        assert json.loads(body) == asdict(e), curie
        assert list(json.loads(body)) == list(asdict(e))
