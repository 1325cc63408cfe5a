"""SSSOM rows whose object is sssom:NoTermFound: kept as a mapping record, never a phenotype node."""

from __future__ import annotations

import io

from kg.graph_builder import GraphBuilder
from kg.model import Origin, OntologyTerm, TermMapping
from kg.rdf import QuadWriter
from kg.report import BuildReport


def _build(rows):
    out = io.StringIO()
    gb = GraphBuilder(QuadWriter(out), BuildReport())
    term = OntologyTerm("MP:0000480", "increased rib number", None, (), (), (), (), (), False, (), (), None,
                        Origin("mp.obo", 1))
    gb.add_ontology("mp", [term])
    summary = gb.add_mappings("xry", "impc_procedures", rows)
    return out.getvalue(), summary


def test_no_term_found_is_a_mapping_record_but_not_a_node_or_an_edge():
    row = TermMapping("MP:0000480", "skos:closeMatch", "sssom:NoTermFound", "semapv:ManualMappingCuration",
                      "increased rib number", "No term found", origin=Origin("x.sssom.tsv", 28))
    quads, summary = _build([row])
    lines = quads.splitlines()
    no_term = [q for q in lines if "NoTermFound" in q]
    # only the mapping node's sssom:object_id points at it
    assert len(no_term) == 1 and "/object_id>" in no_term[0]
    assert not any(q.split(" ", 1)[0].endswith("NoTermFound>") for q in lines)  # never a subject
    assert summary.used == 1 and summary.extra["no_term_found"] == 1


def test_an_ordinary_row_still_gets_its_direct_edge():
    row = TermMapping("MP:0000480", "skos:closeMatch", "HP:0000772", "semapv:ManualMappingCuration",
                      origin=Origin("x.sssom.tsv", 2))
    quads, summary = _build([row])
    assert any("closeMatch> <http://purl.obolibrary.org/obo/HP_0000772>" in q for q in quads.splitlines())
    assert "no_term_found" not in summary.extra
