"""Records -> RDF quads: the graph's schema, written once, here.

Why a hand-written N-Quads writer: the build turns ~300k annotation rows into a few
million quads; formatting lines directly and handing one file to Oxigraph's bulk
loader (Rust) is an order of magnitude faster than building Python term objects.

Schema (CURIE prefixes from :mod:`kg.vocab`; ``kgv:`` = https://w3id.org/impc-kg/vocab/)
=====================================================================================

Every node has ``biolink:category`` (its Biolink class), ``rdfs:label`` and ``kgv:curie``
(its CURIE as a string, so SPARQL answers can return ids without compressing IRIs).
Instances also have ``rdf:type`` their Biolink class; ontology terms are ``owl:Class``.
Each source writes into its own named graph ``<https://w3id.org/impc-kg/graph/NAME>``;
a node mentioned by several sources is described in each of their graphs.
Queries run with the default graph as the union of all graphs.

Ontology terms (graphs ``mp``, ``hp``)
    ``rdfs:subClassOf`` (direct is_a), ``IAO:0000115`` definition,
    ``oboInOwl:has{Exact,Broad,Narrow,Related}Synonym``, ``oboInOwl:hasDbXref``,
    ``oboInOwl:inSubset <obo:mp#IMPC>``, ``oboInOwl:hasAlternativeId``,
    ``owl:deprecated true``, ``IAO:0100001`` (term replaced by), ``oboInOwl:consider``,
    ``rdfs:comment``.
Subclass closure (graph ``closure``)
    ``?term kgv:subClassOfOrSelf ?ancestor`` for every reflexive-transitive is_a
    ancestor within MP and within HP: "this term or any descendant" is one triple
    pattern, as Ubergraph's redundant graph gives it.
Summary facts (graph ``summary``, :mod:`kg.summaries`; derived, written at the end of the build)
    counts the report queries would otherwise compute from every call. Per MP term with
    at least one IMPC call annotated directly to it: ``kgv:impcCallCount`` (distinct calls
    over every call graph) and ``kgv:impcGeneCount`` (distinct ``kgv:gene`` of those calls),
    both xsd:integer, and ``kgv:hpMappedVia "any"`` / ``"curated"`` when the term counts as
    mapped to HPO under that ``via`` of the named query unmapped_mp_terms (see its question).
    Per *system* (the MP root ``MP:0000001`` and each of its direct subclasses):
    ``?system kgv:countsSummarised true``; and per system and mouse gene with calls under it
    (closure), a node ``IMPCKG:counts-<gene>-<system>`` (``:`` written ``_``) with
    ``kgv:countsOf ?gene``, ``kgv:countsUnder ?system``, ``kgv:callCount`` (distinct calls
    annotated to the system or a descendant) and ``kgv:phenotypeCount`` (distinct MP terms
    of those calls). Like ``closure`` and ``meta``, the graph is left out of entity pages
    and of the property graph (Neo4j, KGX).
Mouse genes, alleles, models, calls (graphs ``impc``, ``impc_api``, ...)
    gene: ``biolink:Gene``, ``biolink:symbol``, ``biolink:in_taxon NCBITaxon:10090``,
    ``biolink:has_phenotype ?mp`` (any call of any of its models);
    allele: ``biolink:SequenceVariant``, ``biolink:name``, ``biolink:is_sequence_variant_of ?gene``;
    model (``MODEL:<allele>_<zyg>[_<life stage>]``, or ``MODEL:gene_<gene>_<zyg>`` when the
    row has no allele): ``biolink:Genotype``, ``kgv:zygosity``, ``kgv:lifeStage``,
    ``biolink:has_sequence_variant ?allele``, ``biolink:has_gene_or_gene_product ?gene``,
    ``biolink:has_phenotype ?mp``;
    call (``ASSOC:impc-<hash>``): ``biolink:GenotypeToPhenotypicFeatureAssociation`` with
    ``biolink:subject ?model``, ``biolink:predicate biolink:has_phenotype``,
    ``biolink:object ?mp``, ``kgv:gene``, ``kgv:allele``, ``biolink:p_value`` (xsd:double),
    ``kgv:effectSize``, ``kgv:percentageChange`` (doubles), ``kgv:sex``, ``kgv:zygosity``,
    ``kgv:lifeStage``, ``kgv:phenotypingCenter``, ``kgv:colony``, ``kgv:strain`` (CURIE string),
    ``kgv:strainName``, ``kgv:project``, ``kgv:pipeline``, ``kgv:pipelineName``,
    ``kgv:procedure``, ``kgv:procedureName``, ``kgv:parameter``, ``kgv:parameterName``
    (IMPReSS ids as strings), ``kgv:statisticalMethod``, ``kgv:resource``,
    ``kgv:topLevelPhenotype ?mp``. Associations carry ``rdf:type`` (not ``biolink:category``);
    their knowledge source is the graph's ``biolink:primary_knowledge_source`` (graph ``meta``).
Orthology (graph ``mgi_orthology``)
    ``?mouseGene biolink:orthologous_to ?humanGene`` (written mouse -> human only; the
    relation is symmetric); human genes ``NCBIGene:``, taxon NCBITaxon:9606.
Diseases and their phenotypes (graph ``hpoa``)
    disease: ``biolink:Disease``; ``biolink:has_phenotype ?hp`` for each positive aspect-P
    annotation, ``biolink:has_mode_of_inheritance ?hp`` for aspect I;
    annotation (``ASSOC:hpoa-<hash>``): ``biolink:DiseaseToPhenotypicFeatureAssociation``,
    subject/predicate/object as above, ``biolink:negated true`` on HPOA ``NOT`` rows (kept,
    negated, never a direct ``has_phenotype`` edge; absent means false, Biolink's default),
    ``biolink:frequency_qualifier ?hp`` (when an HP term) or ``kgv:frequency`` (``n/m``, ``p%``),
    ``biolink:onset_qualifier ?hp``, ``biolink:sex_qualifier``, ``kgv:evidence`` (IEA/PCS/TAS),
    ``biolink:publications`` (IRI for PMID, else string), ``kgv:modifier ?hp``,
    ``kgv:aspect`` (the HPOA biocuration stamp is not kept).
Disease genes (graph ``hpo_genes``)
    ``?humanGene biolink:gene_associated_with_condition ?disease``.
Term mappings (one graph per mapping file; ``kgv:mappingSet`` names the set)
    a direct triple ``?subject <predicate> ?object`` for SKOS and semapv predicates, and a
    mapping node (``MAPPING:<source>-<hash>``, ``rdf:type sssom:Mapping``) with
    ``sssom:subject_id``, ``sssom:predicate_id``, ``sssom:object_id`` (IRIs),
    ``sssom:mapping_justification``, ``sssom:confidence``, ``sssom:subject_label``,
    ``sssom:object_label``, ``sssom:author_id``, ``sssom:mapping_tool``,
    ``sssom:mapping_date``, ``sssom:comment``, ``kgv:mappingSet``. ``rdfs:subClassOf`` and
    ``owl:equivalentClass`` mappings get only the mapping node, so that they never
    alter the MP or HP hierarchy seen by queries.
Provenance (graph ``meta``)
    ``<graph/NAME> a kgv:SourceGraph`` with ``kgv:sourceName``, ``kgv:version``,
    ``kgv:retrieved`` (file date), ``kgv:sha256``, ``kgv:url``, ``kgv:format``,
    ``kgv:file`` (file name), ``biolink:primary_knowledge_source`` (an infores id) and
    ``kgv:mappingSet`` for mapping files.

>>> w = QuadWriter(io.StringIO())
>>> w.node("MGI:97490", "biolink:Gene", "Pax6", "impc")
True
>>> print(w.out.getvalue().splitlines()[0])
<http://identifiers.org/MGI:97490> <https://w3id.org/biolink/vocab/category> <https://w3id.org/biolink/vocab/Gene> <https://w3id.org/impc-kg/graph/impc> .
>>> literal('say "hi"\\n')
'"say \\\\"hi\\\\"\\\\n"'
"""

from __future__ import annotations

import hashlib
import io
import re
from functools import lru_cache
from typing import TextIO

from kg import vocab
from kg.vocab import BIOLINK, KGV, OBO, OIO, OWL, RDF, RDFS, SSSOM, XSD

# Frequently used predicate IRIs, pre-bracketed.
P_TYPE = f"<{RDF}type>"
P_LABEL = f"<{RDFS}label>"
P_COMMENT = f"<{RDFS}comment>"
P_SUBCLASS = f"<{RDFS}subClassOf>"
P_CATEGORY = f"<{BIOLINK}category>"
P_CURIE = f"<{KGV}curie>"
P_SUBJECT = f"<{BIOLINK}subject>"
P_PREDICATE = f"<{BIOLINK}predicate>"
P_OBJECT = f"<{BIOLINK}object>"
P_CLOSURE = f"<{KGV}subClassOfOrSelf>"
OWL_CLASS = f"<{OWL}Class>"
TRUE = f'"true"^^<{XSD}boolean>'
FALSE = f'"false"^^<{XSD}boolean>'

_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _pct(m: re.Match) -> str:
    return "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8"))


@lru_cache(maxsize=500_000)
def iri(curie: str) -> str:
    """CURIE (or full IRI) -> bracketed N-Quads IRI, unsafe characters percent-encoded."""
    full = curie if curie.startswith(("http://", "https://")) else vocab.expand(curie)
    return "<" + _IRI_UNSAFE.sub(_pct, full) + ">"


def pred(curie: str) -> str:
    """A predicate or class CURIE (biolink:has_phenotype, kgv:sex, rdfs:label) -> <IRI>."""
    return iri(curie)


def literal(value: str) -> str:
    """A plain string literal with N-Quads escapes."""
    return '"' + (value.replace("\\", "\\\\").replace('"', '\\"')
                  .replace("\n", "\\n").replace("\r", "\\r")) + '"'


def double(value: float) -> str:
    return f'"{value!r}"^^<{XSD}double>'


def graph(source: str) -> str:
    return f"<{vocab.graph_iri(source)}>"


def stable_hash(*parts: object) -> str:
    """A short deterministic id for associations: same content, same id (so duplicates merge)."""
    text = "\x1f".join(map(repr, parts))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


ZYGOSITY_CODES = {"homozygote": "hom", "heterozygote": "het", "hemizygote": "hem"}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text.strip().lower()).strip("_")


def model_curie(gene_id: str, allele_id: str | None, zygosity: str | None,
                life_stage: str | None) -> str:
    """The mouse model a call belongs to: allele + zygosity (+ life stage), as PhenoDigm groups.

    Rows without an allele fall back to a gene + zygosity model.

    >>> model_curie("MGI:102556", "MGI:5548329", "homozygote", None)
    'MODEL:MGI_5548329_hom'
    >>> model_curie("MGI:102556", None, "heterozygote", "Early adult")
    'MODEL:gene_MGI_102556_het_early_adult'
    """
    zyg = ZYGOSITY_CODES.get((zygosity or "").lower(), _slug(zygosity or "unknown") or "unknown")
    base = allele_id.replace(":", "_") if allele_id else "gene_" + gene_id.replace(":", "_")
    local = f"{base}_{zyg}"
    if life_stage:
        local += "_" + _slug(life_stage)
    return "MODEL:" + local


class QuadWriter:
    """Writes N-Quads lines; remembers which node descriptions a graph already has."""

    def __init__(self, out: TextIO):
        self.out = out
        self.count = 0
        self._described: set[tuple[str, str]] = set()
        self._edges: set[tuple[str, str, str, str]] = set()
        #: called as on_node(curie, category, label, source) when a node is first described
        #: in a source graph (the scoring corpus collector listens here)
        self.on_node = None

    def forget(self) -> None:
        """Drop the sets that de-duplicate descriptions and edges (once all is written)."""
        self._described = set()
        self._edges = set()

    def quad(self, s: str, p: str, o: str, g: str) -> None:
        self.out.write(f"{s} {p} {o} {g} .\n")
        self.count += 1

    def edge(self, s_curie: str, p_curie: str, o_curie: str, source: str) -> None:
        """A direct edge between two nodes, written once per graph."""
        key = (s_curie, p_curie, o_curie, source)
        if key in self._edges:
            return
        self._edges.add(key)
        self.quad(iri(s_curie), pred(p_curie), iri(o_curie), graph(source))

    def node(self, curie: str, category: str, label: str | None, source: str,
             extra: dict[str, str] | None = None, rdf_type: str | None = None) -> bool:
        """Describe a node once per graph. Returns False when it was already described."""
        key = (curie, source)
        if key in self._described:
            return False
        self._described.add(key)
        if self.on_node is not None:
            self.on_node(curie, category, label, source)
        s, g = iri(curie), graph(source)
        self.quad(s, P_CATEGORY, pred(category), g)
        self.quad(s, P_TYPE, OWL_CLASS if rdf_type == "owl:Class" else pred(rdf_type or category), g)
        self.quad(s, P_CURIE, literal(curie), g)
        if label:
            self.quad(s, P_LABEL, literal(label), g)
        for p, o in (extra or {}).items():
            self.quad(s, pred(p), o, g)
        return True

    def props(self, s: str, g: str, values: dict[str, object]) -> None:
        """Literal-valued properties; None values are left out; floats become xsd:double."""
        for p, v in values.items():
            if v is None:
                continue
            if isinstance(v, bool):
                o = TRUE if v else FALSE
            elif isinstance(v, float):
                o = double(v)
            else:
                o = literal(str(v))
            self.quad(s, pred(p), o, g)


# OBO synonym scopes -> oboInOwl predicates
SYNONYM_PREDICATES = {
    "EXACT": f"<{OIO}hasExactSynonym>",
    "BROAD": f"<{OIO}hasBroadSynonym>",
    "NARROW": f"<{OIO}hasNarrowSynonym>",
    "RELATED": f"<{OIO}hasRelatedSynonym>",
}
P_DEFINITION = f"<{OBO}IAO_0000115>"
P_REPLACED_BY = f"<{OBO}IAO_0100001>"
P_CONSIDER = f"<{OIO}consider>"
P_XREF = f"<{OIO}hasDbXref>"
P_SUBSET = f"<{OIO}inSubset>"
P_ALT_ID = f"<{OIO}hasAlternativeId>"
P_DEPRECATED = f"<{OWL}deprecated>"
SSSOM_MAPPING = f"<{SSSOM}Mapping>"
