"""TermIndex.ancestors_or_self: computed once, recomputed when a term is added."""

from kg.graph_builder import TermIndex
from kg.model import OntologyTerm, Origin


def _term(tid, *parents):
    return OntologyTerm(tid, tid, None, (), (), parents, (), (), False, (), (), None, Origin("t.obo", 1))


def test_closure_is_reused_until_a_term_is_added():
    idx = TermIndex()
    idx.add(_term("MP:1"))
    idx.add(_term("MP:2", "MP:1"))
    first = idx.ancestors_or_self()
    assert first == {"MP:1": {"MP:1"}, "MP:2": {"MP:1", "MP:2"}}
    assert idx.ancestors_or_self() is first
    idx.add(_term("MP:3", "MP:2"))
    assert idx.ancestors_or_self()["MP:3"] == {"MP:1", "MP:2", "MP:3"}
