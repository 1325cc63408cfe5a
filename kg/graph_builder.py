"""From loader records to quads: id checks, obsolete-term remapping, de-duplication.

Why here and not in the loaders: checking a term id needs the ontologies, and a
duplicate can only be seen across rows. Loaders parse; this module decides what
each row becomes, and reports every row it cannot use (file, line, field, action).

Order matters: the ontologies (MP, HP) are added first, so every later term id is
checked against them; HPOA is added before the disease-gene file so dangling
disease ids can be seen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg import rdf, vocab
from kg.model import (
    DiseaseGene, DiseasePhenotype, MappingSetInfo, OntologyHeader, OntologyTerm, Origin,
    Orthology, PhenotypeCall, TermMapping,
)
from kg.rdf import QuadWriter, graph, iri, literal, pred
from kg.report import BuildReport
from kg.summaries import SummaryFacts

#: mapping predicates that become a direct triple besides the mapping node
DIRECT_MAPPING_PREFIXES = ("skos", "semapv")
KNOWN_MAPPING_PREFIXES = ("skos", "semapv", "rdfs", "owl", "oboInOwl")
#: SSSOM's placeholder object (or subject) of a row that records "no matching term"
NO_TERM_FOUND = "sssom:NoTermFound"


@dataclass
class TermIndex:
    """Every MP/HP id the ontologies know: live, alternative, obsolete."""

    labels: dict[str, str | None] = field(default_factory=dict)  # live terms
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    alt: dict[str, str] = field(default_factory=dict)
    obsolete: dict[str, OntologyTerm] = field(default_factory=dict)
    prefixes: set[str] = field(default_factory=set)
    _ancestors: dict[str, set[str]] | None = field(default=None, repr=False, compare=False)

    def add(self, term: OntologyTerm) -> None:
        self._ancestors = None  # the closure of the terms added so far is stale
        self.prefixes.add(vocab.prefix_of(term.id))
        if term.obsolete:
            self.obsolete[term.id] = term
            return
        self.labels[term.id] = term.label
        self.parents[term.id] = term.parents
        for a in term.alt_ids:
            self.alt[a] = term.id

    def checks(self, curie: str) -> bool:
        """True when this index is the authority for the id's prefix (MP, HP)."""
        return vocab.prefix_of(curie) in self.prefixes

    def resolve(self, curie: str, origin: Origin, fieldname: str, report: BuildReport) -> str | None:
        """The live id for ``curie``, reporting remaps; None (reported) when unusable."""
        if not self.checks(curie) or curie in self.labels:
            return curie
        if curie in self.alt:
            report.add(origin, fieldname, f"{curie} is an alt_id of {self.alt[curie]}: remapped", "remapped")
            return self.alt[curie]
        old = self.obsolete.get(curie)
        if old is not None:
            live = [r for r in old.replaced_by if r in self.labels]
            if live:
                report.add(origin, fieldname, f"{curie} is obsolete, replaced_by {live[0]}: remapped", "remapped")
                return live[0]
            hint = f" (consider {', '.join(old.consider)})" if old.consider else ""
            report.add(origin, fieldname, f"{curie} is obsolete with no replaced_by{hint}", "skipped")
            return None
        report.add(origin, fieldname, f"unknown {vocab.prefix_of(curie)} id {curie}", "skipped")
        return None

    def ancestors_or_self(self) -> dict[str, set[str]]:
        """Reflexive-transitive is_a closure of every live term (within its own ontology).

        Computed once after the last term is added (the closure graph and the summary
        graph both need it), and again only if terms are added later.
        """
        if self._ancestors is None:
            self._ancestors = self._compute_ancestors()
        return self._ancestors

    def _compute_ancestors(self) -> dict[str, set[str]]:
        memo: dict[str, set[str]] = {}

        def visit(t: str, stack: set[str]) -> set[str]:
            got = memo.get(t)
            if got is not None:
                return got
            out = {t}
            stack.add(t)
            for p in self.parents.get(t, ()):
                if p in self.labels and p not in stack:
                    out |= visit(p, stack)
            stack.discard(t)
            memo[t] = out
            return out

        import sys
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, 10_000))
        try:
            for t in self.labels:
                visit(t, set())
        finally:
            sys.setrecursionlimit(old)
        return memo


@dataclass
class SourceSummary:
    """What one source contributed: rows read and used, and its version."""

    name: str
    rows: int = 0
    used: int = 0
    version: str | None = None
    mapping_set: str | None = None
    extra: dict = field(default_factory=dict)


class GraphBuilder:
    def __init__(self, writer: QuadWriter, report: BuildReport, collector=None):
        self.w = writer
        self.report = report
        #: an optional kg.scoring.collect.CorpusCollector fed with the facts the scoring needs
        self.collector = collector
        if collector is not None:
            writer.on_node = collector.node_described
        self.terms = TermIndex()
        self.hpoa_diseases: set[str] = set()
        self.summaries: dict[str, SourceSummary] = {}
        #: counts for the summary graph (kg/summaries.py), fed as calls and mappings are written
        self.facts = SummaryFacts()

    # -- ontologies -------------------------------------------------------------------
    def add_ontology(self, source: str, records: Iterable) -> SourceSummary:
        s = self.summaries.setdefault(source, SourceSummary(source))
        terms: list[OntologyTerm] = []
        for rec in records:
            if isinstance(rec, OntologyHeader):
                s.version = rec.data_version or rec.date
                s.extra["prefix"] = rec.prefix
                continue
            s.rows += 1
            terms.append(rec)
            self.terms.add(rec)
        g = graph(source)
        for t in terms:
            self.w.node(t.id, vocab.PHENOTYPE, t.label, source, rdf_type="owl:Class")
            subj = iri(t.id)
            q = self.w.quad
            if t.definition:
                q(subj, rdf.P_DEFINITION, literal(t.definition), g)
            if t.comment:
                q(subj, rdf.P_COMMENT, literal(t.comment), g)
            for syn in t.synonyms:
                q(subj, rdf.SYNONYM_PREDICATES.get(syn.scope, rdf.SYNONYM_PREDICATES["RELATED"]),
                  literal(syn.text), g)
            for x in t.xrefs:
                q(subj, rdf.P_XREF, literal(x), g)
            for sub in t.subsets:
                q(subj, rdf.P_SUBSET, f"<{vocab.OBO}{vocab.prefix_of(t.id).lower()}#{sub}>", g)
            for a in t.alt_ids:
                q(subj, rdf.P_ALT_ID, literal(a), g)
            if t.obsolete:
                q(subj, rdf.P_DEPRECATED, rdf.TRUE, g)
                for r in t.replaced_by:
                    q(subj, rdf.P_REPLACED_BY, iri(r), g)
                for c in t.consider:
                    q(subj, rdf.P_CONSIDER, iri(c), g)
                continue
            s.used += 1
            for p in t.parents:
                if p not in self.terms.labels:
                    self.report.add(t.origin, "is_a", f"parent {p} of {t.id} is not a term of {source}", "warning")
                q(subj, rdf.P_SUBCLASS, iri(p), g)
        s.extra["obsolete"] = sum(1 for t in terms if t.obsolete)
        return s

    def write_closure(self, source: str = "closure") -> int:
        """Materialise kgv:subClassOfOrSelf for every live MP and HP term."""
        g = graph(source)
        n = 0
        for t, ancestors in self.terms.ancestors_or_self().items():
            s = iri(t)
            for a in sorted(ancestors):
                self.w.quad(s, rdf.P_CLOSURE, iri(a), g)
                n += 1
        self.summaries[source] = SourceSummary(source, rows=n, used=n)
        return n

    def write_summary(self, source: str = "summary") -> int:
        """Write the per-build summary facts (kg/summaries.py): after every call and mapping."""
        n = self.facts.write(self.w, self.terms.ancestors_or_self(), self.terms.parents, source)
        self.summaries[source] = SourceSummary(source, rows=n, used=n)
        return n

    # -- IMPC calls ------------------------------------------------------------------
    def add_calls(self, source: str, records: Iterable[PhenotypeCall]) -> SourceSummary:
        s = self.summaries.setdefault(source, SourceSummary(source))
        seen: set[str] = set()
        g = graph(source)
        models: Counter = Counter()
        for c in records:
            s.rows += 1
            if vocab.prefix_of(c.gene_id) != "MGI":
                self.report.add(c.origin, "marker_accession_id", f"not an MGI gene id: {c.gene_id}", "skipped")
                continue
            if vocab.prefix_of(c.mp_term_id) != "MP":
                self.report.add(c.origin, "mp_term_id", f"not an MP term: {c.mp_term_id}", "skipped")
                continue
            mp = self.terms.resolve(c.mp_term_id, c.origin, "mp_term_id", self.report)
            if mp is None:
                continue
            tops = []
            for t in c.top_level_mp_term_ids:
                if vocab.prefix_of(t) != "MP":
                    continue
                r = self.terms.resolve(t, c.origin, "top_level_mp_term_id", self.report)
                if r is not None:
                    tops.append(r)
            key = rdf.stable_hash(
                c.gene_id, c.allele_id, mp, c.zygosity, c.sex, c.life_stage, c.phenotyping_center,
                c.colony_id, c.strain_id, c.pipeline_id, c.procedure_id, c.parameter_id, c.p_value,
                c.effect_size, c.percentage_change, c.statistical_method, c.resource_name,
                c.project_name,
            )
            if key in seen:
                self.report.add(c.origin, "(row)", f"duplicate of an earlier call ({c.gene_id} {mp})", "deduplicated")
                continue
            seen.add(key)
            s.used += 1
            w = self.w
            w.node(c.gene_id, vocab.GENE, c.gene_symbol, source,
                   {"biolink:symbol": literal(c.gene_symbol)} if c.gene_symbol else None)
            w.edge(c.gene_id, vocab.IN_TAXON, vocab.MOUSE_TAXON, source)
            model = rdf.model_curie(c.gene_id, c.allele_id, c.zygosity, c.life_stage)
            models[model] += 1
            if self.collector is not None:
                self.collector.model(model, c.gene_id, c.allele_id, c.zygosity, c.life_stage)
                self.collector.call(model, mp, c.p_value)
            if c.allele_id:
                if w.node(c.allele_id, vocab.ALLELE, c.allele_symbol, source,
                          {"biolink:name": literal(c.allele_name)} if c.allele_name else None):
                    w.edge(c.allele_id, vocab.IS_SEQUENCE_VARIANT_OF, c.gene_id, source)
            if w.node(model, vocab.MODEL, _model_label(c), source):
                mg = iri(model)
                w.props(mg, g, {"kgv:zygosity": c.zygosity, "kgv:lifeStage": c.life_stage})
                w.edge(model, vocab.HAS_GENE, c.gene_id, source)
                w.edge(model, vocab.IN_TAXON, vocab.MOUSE_TAXON, source)
                if c.allele_id:
                    w.edge(model, vocab.HAS_SEQUENCE_VARIANT, c.allele_id, source)
            w.edge(model, vocab.HAS_PHENOTYPE, mp, source)
            w.edge(c.gene_id, vocab.HAS_PHENOTYPE, mp, source)
            a = iri(f"ASSOC:impc-{key}")
            q = w.quad
            q(a, rdf.P_TYPE, pred(vocab.GENOTYPE_PHENOTYPE), g)
            q(a, rdf.P_SUBJECT, iri(model), g)
            q(a, rdf.P_PREDICATE, pred(vocab.HAS_PHENOTYPE), g)
            q(a, rdf.P_OBJECT, iri(mp), g)
            q(a, pred("kgv:gene"), iri(c.gene_id), g)
            self.facts.add_call(key, c.gene_id, mp)
            if c.allele_id:
                q(a, pred("kgv:allele"), iri(c.allele_id), g)
            for t in tops:
                q(a, pred("kgv:topLevelPhenotype"), iri(t), g)
            w.props(a, g, {
                "biolink:p_value": c.p_value, "kgv:effectSize": c.effect_size,
                "kgv:percentageChange": c.percentage_change, "kgv:sex": c.sex,
                "kgv:zygosity": c.zygosity, "kgv:lifeStage": c.life_stage,
                "kgv:phenotypingCenter": c.phenotyping_center, "kgv:colony": c.colony_id,
                "kgv:strain": c.strain_id, "kgv:strainName": c.strain_name,
                "kgv:project": c.project_name, "kgv:pipeline": c.pipeline_id,
                "kgv:pipelineName": c.pipeline_name, "kgv:procedure": c.procedure_id,
                "kgv:procedureName": c.procedure_name, "kgv:parameter": c.parameter_id,
                "kgv:parameterName": c.parameter_name, "kgv:statisticalMethod": c.statistical_method,
                "kgv:resource": c.resource_name,
            })
        s.extra["models"] = len(models)
        return s

    # -- orthology -------------------------------------------------------------------
    def add_orthology(self, source: str, records: Iterable[Orthology]) -> SourceSummary:
        s = self.summaries.setdefault(source, SourceSummary(source))
        seen: set[tuple[str, str]] = set()
        for o in records:
            s.rows += 1
            if vocab.prefix_of(o.mouse_gene_id) != "MGI":
                self.report.add(o.origin, "MGI Marker Accession ID", f"not an MGI id: {o.mouse_gene_id}", "skipped")
                continue
            pair = (o.mouse_gene_id, o.human_gene_id)
            if pair in seen:
                self.report.add(o.origin, "(row)", f"duplicate orthology pair {pair[0]} {pair[1]}", "deduplicated")
                continue
            seen.add(pair)
            s.used += 1
            if self.collector is not None:
                self.collector.orthology(o.mouse_gene_id, o.human_gene_id)
            self.w.node(o.mouse_gene_id, vocab.GENE, o.mouse_symbol, source,
                        {"biolink:symbol": literal(o.mouse_symbol)} if o.mouse_symbol else None)
            self.w.edge(o.mouse_gene_id, vocab.IN_TAXON, vocab.MOUSE_TAXON, source)
            self.w.node(o.human_gene_id, vocab.GENE, o.human_symbol, source,
                        {"biolink:symbol": literal(o.human_symbol)} if o.human_symbol else None)
            self.w.edge(o.human_gene_id, vocab.IN_TAXON, vocab.HUMAN_TAXON, source)
            self.w.edge(o.mouse_gene_id, vocab.ORTHOLOGOUS_TO, o.human_gene_id, source)
        return s

    # -- HPO annotations ---------------------------------------------------------------
    def add_hpoa(self, source: str, records: Iterable) -> SourceSummary:
        s = self.summaries.setdefault(source, SourceSummary(source))
        seen: set[str] = set()
        g = graph(source)
        negated = 0
        for r in records:
            if not isinstance(r, DiseasePhenotype):
                s.version = getattr(r, "version", s.version)
                continue
            s.rows += 1
            hp = self.terms.resolve(r.hpo_id, r.origin, "hpo_id", self.report)
            if hp is None:
                continue
            onset = self.terms.resolve(r.onset, r.origin, "onset", self.report) if r.onset else None
            freq_term = None
            if r.frequency and r.frequency.startswith("HP:"):
                freq_term = self.terms.resolve(r.frequency, r.origin, "frequency", self.report)
            modifiers = [m for m in (self.terms.resolve(x, r.origin, "modifier", self.report)
                                     for x in r.modifiers) if m]
            key = rdf.stable_hash(r.disease_id, r.negated, hp, r.references, r.evidence, onset,
                                  r.frequency, r.sex, tuple(modifiers), r.aspect)
            if key in seen:
                self.report.add(r.origin, "(row)", f"duplicate annotation {r.disease_id} {hp}", "deduplicated")
                continue
            seen.add(key)
            s.used += 1
            self.hpoa_diseases.add(r.disease_id)
            w = self.w
            w.node(r.disease_id, vocab.DISEASE, r.disease_name, source)
            if r.negated:
                negated += 1
            elif r.aspect == "P":
                w.edge(r.disease_id, vocab.HAS_PHENOTYPE, hp, source)
                if self.collector is not None:
                    self.collector.disease_phenotype(r.disease_id, hp)
            elif r.aspect == "I":
                w.edge(r.disease_id, "biolink:has_mode_of_inheritance", hp, source)
            a = iri(f"ASSOC:hpoa-{key}")
            q = w.quad
            q(a, rdf.P_TYPE, pred(vocab.DISEASE_PHENOTYPE), g)
            q(a, rdf.P_SUBJECT, iri(r.disease_id), g)
            q(a, rdf.P_PREDICATE, pred(vocab.HAS_PHENOTYPE), g)
            q(a, rdf.P_OBJECT, iri(hp), g)
            if r.negated:  # written only when true (Biolink's default is false): 271k fewer quads
                q(a, pred("biolink:negated"), rdf.TRUE, g)
            if onset:
                q(a, pred("biolink:onset_qualifier"), iri(onset), g)
            if freq_term:
                q(a, pred("biolink:frequency_qualifier"), iri(freq_term), g)
            for m in modifiers:
                q(a, pred("kgv:modifier"), iri(m), g)
            for ref in r.references:
                if ref.startswith("PMID:") and vocab.is_curie(ref):
                    q(a, pred("biolink:publications"), iri(ref), g)
                else:
                    q(a, pred("biolink:publications"), literal(ref), g)
            # the frequency as written only when it is not already the HP term above;
            # the biocuration stamp (curator and date) is left out of the graph
            w.props(a, g, {"kgv:frequency": None if freq_term else r.frequency,
                           "biolink:sex_qualifier": r.sex, "kgv:evidence": r.evidence,
                           "kgv:aspect": r.aspect})
        s.extra["negated"] = negated
        s.extra["diseases"] = len(self.hpoa_diseases)
        return s

    def add_disease_genes(self, source: str, records: Iterable[DiseaseGene]) -> SourceSummary:
        s = self.summaries.setdefault(source, SourceSummary(source))
        seen: set[tuple[str, str]] = set()
        dangling: set[str] = set()
        for r in records:
            s.rows += 1
            pair = (r.gene_id, r.disease_id)
            if pair in seen:
                continue  # the file repeats each pair once per HPO term: not a problem
            seen.add(pair)
            if self.hpoa_diseases and r.disease_id not in self.hpoa_diseases and r.disease_id not in dangling:
                dangling.add(r.disease_id)
                self.report.add(r.origin, "disease_id", f"{r.disease_id} has no annotation in phenotype.hpoa", "warning")
            s.used += 1
            if self.collector is not None:
                self.collector.disease_gene(r.gene_id, r.disease_id)
            self.w.node(r.gene_id, vocab.GENE, r.gene_symbol, source,
                        {"biolink:symbol": literal(r.gene_symbol)} if r.gene_symbol else None)
            self.w.edge(r.gene_id, vocab.IN_TAXON, vocab.HUMAN_TAXON, source)
            self.w.edge(r.gene_id, vocab.GENE_ASSOCIATED_WITH_CONDITION, r.disease_id, source)
        s.extra["pairs"] = len(seen)
        s.extra["dangling_diseases"] = len(dangling)
        return s

    # -- mappings --------------------------------------------------------------------
    def add_mappings(self, source: str, mapping_set: str, records: Iterable) -> SourceSummary:
        s = self.summaries.setdefault(source, SourceSummary(source, mapping_set=mapping_set))
        seen: set[tuple[str, str, str]] = set()
        g = graph(source)
        for m in records:
            if isinstance(m, MappingSetInfo):
                s.version = m.version
                s.extra["mapping_set_id"] = m.mapping_set_id
                continue
            if not isinstance(m, TermMapping):
                continue
            s.rows += 1
            if vocab.prefix_of(m.predicate_id) not in KNOWN_MAPPING_PREFIXES:
                self.report.add(m.origin, "predicate_id", f"unknown mapping predicate {m.predicate_id}", "skipped")
                continue
            try:
                for x in (m.subject_id, m.object_id):
                    vocab.expand(x)
            except vocab.UnknownPrefix as exc:
                self.report.add(m.origin, "subject_id/object_id", str(exc), "skipped")
                continue
            subj = self.terms.resolve(m.subject_id, m.origin, "subject_id", self.report)
            obj = self.terms.resolve(m.object_id, m.origin, "object_id", self.report)
            if subj is None or obj is None:
                continue
            triple = (subj, m.predicate_id, obj)
            if triple in seen:
                self.report.add(m.origin, "(row)", f"duplicate mapping {subj} {m.predicate_id} {obj}", "deduplicated")
                continue
            seen.add(triple)
            s.used += 1
            if self.collector is not None:
                self.collector.mapping(source, subj, m.predicate_id, obj)
            w = self.w
            if NO_TERM_FOUND in (subj, obj):
                # SSSOM's "a curator looked and found no term": kept as a mapping node (the
                # record of the check), but it is not a phenotype and gets no direct edge
                s.extra["no_term_found"] = s.extra.get("no_term_found", 0) + 1
            else:
                for curie, label in ((subj, m.subject_label), (obj, m.object_label)):
                    if not self.terms.checks(curie):  # UPHENO, ZP, ...: describe them here
                        w.node(curie, vocab.PHENOTYPE, label, source, rdf_type="owl:Class")
                if vocab.prefix_of(m.predicate_id) in DIRECT_MAPPING_PREFIXES:
                    w.edge(subj, m.predicate_id, obj, source)
                    self.facts.add_direct_mapping(subj, m.predicate_id, obj)
            a = iri(f"MAPPING:{source}-{rdf.stable_hash(*triple)}")
            q = w.quad
            q(a, rdf.P_TYPE, rdf.SSSOM_MAPPING, g)
            q(a, pred("sssom:subject_id"), iri(subj), g)
            q(a, pred("sssom:predicate_id"), pred(m.predicate_id), g)
            q(a, pred("sssom:object_id"), iri(obj), g)
            if m.justification and vocab.is_curie(m.justification):
                try:
                    q(a, pred("sssom:mapping_justification"), iri(m.justification), g)
                except vocab.UnknownPrefix:
                    q(a, pred("sssom:mapping_justification"), literal(m.justification), g)
            self.facts.add_mapping(subj, obj, m.justification)
            w.props(a, g, {"sssom:confidence": m.confidence, "sssom:subject_label": m.subject_label,
                           "sssom:object_label": m.object_label, "sssom:author_id": m.author_id,
                           "sssom:mapping_tool": m.mapping_tool, "sssom:mapping_date": m.mapping_date,
                           "sssom:comment": m.comment, "kgv:mappingSet": mapping_set})
        return s


def _model_label(c: PhenotypeCall) -> str:
    who = c.allele_symbol or c.gene_symbol or c.gene_id
    label = f"{who} {c.zygosity or 'unknown zygosity'}"
    return f"{label} ({c.life_stage})" if c.life_stage else label
