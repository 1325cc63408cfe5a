"""Identifiers and vocabulary of the graph: one prefix map, one set of namespaces.

Why one module: every IRI the graph holds (ontology terms, genes, alleles, models,
diseases, associations) is minted here, from one `curies.Converter`, so that the
RDF store, the Neo4j export, the API and the scoring tables all agree on ids.

CURIE -> IRI follows the Biolink / Monarch prefix map (OBO PURLs for ontology
terms, identifiers.org for MGI, NCBIGene and OMIM, Orphanet's ORDO IRIs).

>>> expand("MP:0001262")
'http://purl.obolibrary.org/obo/MP_0001262'
>>> compress("http://identifiers.org/ncbigene/2")
'NCBIGene:2'
>>> is_curie("MGI:97490"), is_curie("MGI 97490"), is_curie("HP:")
(True, False, False)
"""

from __future__ import annotations

import re

import curies

OBO = "http://purl.obolibrary.org/obo/"
BIOLINK = "https://w3id.org/biolink/vocab/"
#: the project's own vocabulary: IMPC statistics and source metadata that Biolink has no slot for
KGV = "https://w3id.org/impc-kg/vocab/"
#: named graphs, one per source (plus the subclass closure)
GRAPH = "https://w3id.org/impc-kg/graph/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
DCT = "http://purl.org/dc/terms/"
SEMAPV = "https://w3id.org/semapv/vocab/"
SSSOM = "https://w3id.org/sssom/"

PREFIX_MAP: dict[str, str] = {
    # ontologies (OBO PURLs)
    "MP": OBO + "MP_",
    "HP": OBO + "HP_",
    "UPHENO": OBO + "UPHENO_",
    "ZP": OBO + "ZP_",
    "XPO": OBO + "XPO_",
    "PHIPO": OBO + "PHIPO_",
    "DDPHENO": OBO + "DDPHENO_",
    "WBPhenotype": OBO + "WBPhenotype_",
    "FYPO": OBO + "FYPO_",
    "FBcv": OBO + "FBcv_",
    "PLANP": OBO + "PLANP_",
    "APO": OBO + "APO_",
    "GO": OBO + "GO_",
    "UBERON": OBO + "UBERON_",
    "PATO": OBO + "PATO_",
    "NCBITaxon": OBO + "NCBITaxon_",
    "IAO": OBO + "IAO_",
    "ECO": OBO + "ECO_",
    **{p: OBO + p + "_" for p in (
        "NBO", "CL", "MPATH", "BSPO", "OBA", "CHEBI", "MGPO", "PR", "BFO", "HsapDv", "MA",
        "EMAPA", "RO", "SO", "VT", "CHR", "ZFA", "FBbt", "WBbt", "PO", "TO", "ENVO", "NCIT",
    )},
    "obo": OBO,
    # genes, alleles, diseases (Biolink / Monarch prefix map)
    "MGI": "http://identifiers.org/MGI:",
    "NCBIGene": "http://identifiers.org/ncbigene/",
    "HGNC": "http://identifiers.org/hgnc/",
    "OMIM": "http://identifiers.org/omim/",
    "ORPHA": "http://www.orpha.net/ORDO/Orphanet_",
    "DECIPHER": "http://identifiers.org/decipher/",
    "MONDO": OBO + "MONDO_",
    "PMID": "http://identifiers.org/pubmed/",
    "ISBN": "http://identifiers.org/isbn/",
    "IMPC": "https://www.mousephenotype.org/data/",
    # the project's own ids
    "IMPCKG": "https://w3id.org/impc-kg/id/",
    "MODEL": "https://w3id.org/impc-kg/model/",
    "ASSOC": "https://w3id.org/impc-kg/association/",
    "MAPPING": "https://w3id.org/impc-kg/mapping/",
    # vocabularies
    "biolink": BIOLINK,
    "kgv": KGV,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "oboInOwl": OIO,
    "dcterms": DCT,
    "semapv": SEMAPV,
    "sssom": SSSOM,
    "orcid": "https://orcid.org/",
    "ror": "https://ror.org/",
    "wikidata": "https://www.wikidata.org/wiki/",
}

CONVERTER = curies.Converter.from_prefix_map(PREFIX_MAP)

# A CURIE: a known-shape prefix, a colon, a non-empty local id without spaces.
_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:[^\s:][^\s]*$")


class UnknownPrefix(ValueError):
    """A CURIE whose prefix is not in the project's prefix map."""


def is_curie(text: str) -> bool:
    """True when ``text`` has CURIE syntax (prefix:local, no spaces)."""
    return bool(_CURIE.match(text or ""))


def expand(curie: str) -> str:
    """CURIE -> IRI; raises UnknownPrefix for a prefix outside the map.

    A plain dict look-up (the build expands millions of CURIEs); the same map as
    ``CONVERTER``, which does the reverse (IRI -> CURIE, longest namespace first).
    """
    prefix, sep, local = curie.partition(":")
    base = PREFIX_MAP.get(prefix)
    if base is None or not sep:
        raise UnknownPrefix(f"unknown CURIE prefix in {curie!r}")
    return base + local


def compress_with_curies(iri: str) -> str:
    """IRI -> CURIE with the ``curies`` converter (the reference :func:`compress` must agree with)."""
    curie = CONVERTER.compress(iri)
    return curie if curie is not None else iri


# Why not CONVERTER.compress on every call: ``curies`` walks a character trie in Python
# (~15-20 us per IRI), and answers (entity look-ups, SPARQL results, the scoring corpus)
# compress every IRI they return. Every namespace of the prefix map ends with one of a
# few separator characters, so the longest namespace that is a prefix of an IRI ends at
# one of the IRI's separator positions: trying those from the right, one dict look-up
# each, finds the same answer (tests/unit/test_oxigraph_store_fast.py checks every IRI of
# the built store against compress_with_curies).
_NAMESPACES = {ns: prefix for prefix, ns in PREFIX_MAP.items()}
_SEPARATORS = tuple(sorted({ns[-1] for ns in _NAMESPACES}))
_CURIES: dict[str, str] = {}
_CURIES_MAX = 200_000  # entries kept (cleared when full: ids are cheap to redo)


def _compress_uncached(iri: str) -> str:
    end = len(iri)
    while True:
        cut = max(iri.rfind(sep, 0, end) for sep in _SEPARATORS)
        if cut < 0:
            return iri
        prefix = _NAMESPACES.get(iri[:cut + 1])
        if prefix is not None:
            return f"{prefix}:{iri[cut + 1:]}"
        end = cut


def compress(iri: str) -> str:
    """IRI -> CURIE (memoised); an IRI outside the map is returned unchanged.

    >>> compress("http://purl.obolibrary.org/obo/MP_0001262"), compress("http://identifiers.org/MGI:97490")
    ('MP:0001262', 'MGI:97490')
    >>> compress("https://w3id.org/impc-kg/model/MGI_1101_hom"), compress("http://example.org/x")
    ('MODEL:MGI_1101_hom', 'http://example.org/x')
    """
    got = _CURIES.get(iri)
    if got is None:
        got = _compress_uncached(iri)
        if len(_CURIES) >= _CURIES_MAX:
            _CURIES.clear()
        _CURIES[iri] = got
    return got


def prefix_of(curie: str) -> str:
    return curie.split(":", 1)[0]


# Biolink categories with their ancestors (the KGX / Monarch `category` convention;
# the Neo4j export joins them with ';' as :LABEL).
CATEGORY_ANCESTORS: dict[str, tuple[str, ...]] = {
    "biolink:Gene": (
        "biolink:Gene", "biolink:BiologicalEntity", "biolink:GeneOrGeneProduct",
        "biolink:GenomicEntity", "biolink:NamedThing", "biolink:PhysicalEssence",
        "biolink:OntologyClass", "biolink:ThingWithTaxon", "biolink:Entity",
    ),
    "biolink:SequenceVariant": (
        "biolink:SequenceVariant", "biolink:BiologicalEntity", "biolink:GenomicEntity",
        "biolink:NamedThing", "biolink:PhysicalEssence", "biolink:OntologyClass",
        "biolink:Entity",
    ),
    "biolink:Genotype": (
        "biolink:Genotype", "biolink:BiologicalEntity", "biolink:GenomicEntity",
        "biolink:NamedThing", "biolink:PhysicalEssence", "biolink:OntologyClass",
        "biolink:ThingWithTaxon", "biolink:Entity",
    ),
    "biolink:Disease": (
        "biolink:Disease", "biolink:DiseaseOrPhenotypicFeature", "biolink:BiologicalEntity",
        "biolink:ThingWithTaxon", "biolink:NamedThing", "biolink:Entity",
    ),
    "biolink:PhenotypicFeature": (
        "biolink:PhenotypicFeature", "biolink:DiseaseOrPhenotypicFeature",
        "biolink:BiologicalEntity", "biolink:ThingWithTaxon", "biolink:NamedThing",
        "biolink:Entity",
    ),
    "biolink:OntologyClass": ("biolink:OntologyClass", "biolink:Entity"),
}

# Node categories used by the graph.
GENE = "biolink:Gene"
ALLELE = "biolink:SequenceVariant"
MODEL = "biolink:Genotype"
DISEASE = "biolink:Disease"
PHENOTYPE = "biolink:PhenotypicFeature"
ONTOLOGY_CLASS = "biolink:OntologyClass"

# Association categories (reified edges carrying properties).
GENOTYPE_PHENOTYPE = "biolink:GenotypeToPhenotypicFeatureAssociation"
DISEASE_PHENOTYPE = "biolink:DiseaseToPhenotypicFeatureAssociation"
GENE_DISEASE = "biolink:GeneToDiseaseAssociation"
ORTHOLOGY = "biolink:GeneToGeneHomologyAssociation"
MAPPING = "sssom:Mapping"

# Predicates
HAS_PHENOTYPE = "biolink:has_phenotype"
HAS_SEQUENCE_VARIANT = "biolink:has_sequence_variant"
IS_SEQUENCE_VARIANT_OF = "biolink:is_sequence_variant_of"
HAS_GENE = "biolink:has_gene_or_gene_product"
ORTHOLOGOUS_TO = "biolink:orthologous_to"
GENE_ASSOCIATED_WITH_CONDITION = "biolink:gene_associated_with_condition"
SUBCLASS_OF = "biolink:subclass_of"
IN_TAXON = "biolink:in_taxon"

MOUSE_TAXON = "NCBITaxon:10090"
HUMAN_TAXON = "NCBITaxon:9606"


def graph_iri(source: str) -> str:
    """The named graph that holds one source's triples."""
    return GRAPH + source
