"""Small hand-made worlds built by the real builder (kg.graph_builder), for branches the
mini mirror does not reach.

Why through the builder and not hand-written quads: the summary graph (kg/summaries.py)
is made by the builder from what it writes; a hand-written graph would have to restate
it, and the queries read it. ``build_store`` runs the same steps as ``kg build`` (in the
same order: records, closure, summary) into an in-memory Oxigraph store.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import pyoxigraph as ox

from kg.graph_builder import GraphBuilder
from kg.model import OntologyTerm, Origin, Orthology, PhenotypeCall, TermMapping
from kg.rdf import QuadWriter
from kg.report import BuildReport


def term(curie: str, *parents: str, label: str | None = None) -> OntologyTerm:
    return OntologyTerm(curie, label or curie, None, (), (), tuple(parents), (), (), False, (), (), None,
                        Origin("test", 0))


def call(gene: str, mp: str, p: float | None = None, **kw) -> PhenotypeCall:
    kw.setdefault("zygosity", "homozygote")
    return PhenotypeCall(gene, kw.pop("gene_symbol", gene.replace("MGI:", "g")), mp, None, p_value=p, **kw)


def mapping(subject: str, predicate: str, obj: str, justification: str | None) -> TermMapping:
    return TermMapping(subject, predicate, obj, justification)


def ortholog(mouse: str, human: str) -> Orthology:
    return Orthology(mouse, mouse.replace("MGI:", "m"), human, human.replace("NCBIGene:", "H"), Origin("test", 0))


def build_store(steps: Iterable[tuple]) -> ox.Store:
    """``steps``: (GraphBuilder method name, source name, records[, mapping set]) in build order."""
    out = io.StringIO()
    gb = GraphBuilder(QuadWriter(out), BuildReport())
    for method, source, records, *rest in steps:
        getattr(gb, method)(source, *rest, records)
    gb.write_closure()
    gb.write_summary()
    store = ox.Store()
    store.load(out.getvalue().encode(), format=ox.RdfFormat.N_QUADS)
    return store
