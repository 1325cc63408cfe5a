"""Typed records: what every loader yields and what the graph builder consumes.

Why: loaders only parse; the builder validates ids against the ontologies, remaps
obsolete terms and turns records into triples. Each record type is its own class
(never a tuple told apart by its length) and carries its `origin` (file and line)
so that any later problem can be reported with file, line and field.

Ids are CURIEs as the source wrote them (``MP:0001262``, ``MGI:97490``,
``NCBIGene:2``, ``OMIM:619340``); optional fields are ``None`` when the source
left them empty (never ``""``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from: the file (as given to the loader) and its 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Synonym:
    text: str
    scope: str  # EXACT, BROAD, NARROW, RELATED


@dataclass(slots=True)
class OntologyHeader:
    """One ontology file's header: its prefix (MP, HP), version and dates."""

    prefix: str
    data_version: str | None
    format_version: str | None
    date: str | None
    default_namespace: str | None
    origin: Origin


@dataclass(slots=True)
class OntologyTerm:
    """A term of MP or HP, live or obsolete."""

    id: str
    label: str | None
    definition: str | None
    synonyms: tuple[Synonym, ...]
    xrefs: tuple[str, ...]
    parents: tuple[str, ...]  # direct is_a
    subsets: tuple[str, ...]
    alt_ids: tuple[str, ...]
    obsolete: bool
    replaced_by: tuple[str, ...]
    consider: tuple[str, ...]
    comment: str | None
    origin: Origin


@dataclass(slots=True)
class PhenotypeCall:
    """One IMPC genotype-phenotype assertion (a significant call) with its statistics.

    From the 28-column genotype-phenotype CSV or from the IMPC API
    ``phenotype-hits`` JSON (which adds ``life_stage``).
    """

    gene_id: str
    gene_symbol: str | None
    mp_term_id: str
    mp_term_name: str | None
    zygosity: str | None  # homozygote, heterozygote, hemizygote as IMPC writes them
    allele_id: str | None = None
    allele_symbol: str | None = None
    allele_name: str | None = None
    strain_id: str | None = None
    strain_name: str | None = None
    colony_id: str | None = None
    phenotyping_center: str | None = None
    project_name: str | None = None
    pipeline_id: str | None = None
    pipeline_name: str | None = None
    procedure_id: str | None = None
    procedure_name: str | None = None
    parameter_id: str | None = None
    parameter_name: str | None = None
    sex: str | None = None  # male, female, not_considered, no_data, both
    life_stage: str | None = None
    top_level_mp_term_ids: tuple[str, ...] = ()
    p_value: float | None = None
    percentage_change: float | None = None
    effect_size: float | None = None
    statistical_method: str | None = None
    resource_name: str | None = None
    origin: Origin = field(default_factory=lambda: Origin("?", 0))


@dataclass(slots=True)
class Orthology:
    """A mouse gene <-> human gene orthology pair (MGI HMD / HOM reports)."""

    mouse_gene_id: str  # MGI:...
    mouse_symbol: str | None
    human_gene_id: str  # NCBIGene:...
    human_symbol: str | None
    origin: Origin


@dataclass(slots=True)
class DiseasePhenotype:
    """One HPOA row: a disease annotated with an HPO term (possibly negated)."""

    disease_id: str
    disease_name: str | None
    negated: bool  # HPOA qualifier NOT
    hpo_id: str
    references: tuple[str, ...]
    evidence: str | None  # IEA, PCS, TAS
    onset: str | None  # an HP onset term id
    frequency: str | None  # HP term id, "n/m" or "p%"
    sex: str | None  # male / female
    modifiers: tuple[str, ...]
    aspect: str | None  # P, I, C, M, H
    biocuration: str | None
    origin: Origin


@dataclass(slots=True)
class DiseaseGene:
    """A human gene associated with a disease (genes_to_phenotype.txt)."""

    gene_id: str  # NCBIGene:...
    gene_symbol: str | None
    disease_id: str
    origin: Origin


@dataclass(slots=True)
class MappingSetInfo:
    """The metadata block of a mapping file (SSSOM ``#`` YAML, or what is known)."""

    mapping_set_id: str | None
    title: str | None
    license: str | None
    version: str | None
    curie_map: dict[str, str]
    origin: Origin


@dataclass(slots=True)
class TermMapping:
    """One mapping row: subject predicate object with its SSSOM metadata."""

    subject_id: str
    predicate_id: str  # skos:exactMatch, semapv:crossSpeciesExactMatch, rdfs:subClassOf, ...
    object_id: str
    justification: str | None
    subject_label: str | None = None
    object_label: str | None = None
    confidence: float | None = None
    author_id: str | None = None
    mapping_tool: str | None = None
    mapping_date: str | None = None
    comment: str | None = None
    origin: Origin = field(default_factory=lambda: Origin("?", 0))


@dataclass(slots=True)
class SourceVersion:
    """The release a source file states about itself (e.g. HPOA ``#version: 2025-01-16``).

    Yielded first by loaders whose format carries a version line outside any data
    record, so the builder can record it in the graph's provenance.
    """

    source_format: str  # the loader's FORMAT, e.g. "hpoa"
    version: str | None
    origin: Origin


#: everything a loader may yield
Record = (
    OntologyHeader | OntologyTerm | PhenotypeCall | Orthology | DiseasePhenotype
    | DiseaseGene | MappingSetInfo | TermMapping | SourceVersion
)
