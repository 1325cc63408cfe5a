"""What the validator knows, read once from a built store: MP/HP terms, IMPC usage, mapping sets.

Why a snapshot: every check asks the same questions thousands of times (is this id
live, what is its label, is ``a`` under ``b``, how many IMPC calls use this MP term),
so they are answered from plain dicts filled by a handful of SPARQL queries, never by
one query per row. The store is opened read-only and never written
(:meth:`kg.store.oxigraph_store.OxigraphStore.open`); values that select a graph are
bound with ``substitutions=``.

Speed: results are serialised by Oxigraph (Rust) as SPARQL TSV and split in Python,
which is 2-3 times faster than building a Python object per solution (measured on
the real store: the 42k MP/HP ``is_a`` edges in 0.5 s instead of 1.5 s).

Ancestor sets are computed lazily, per term asked, from the direct ``is_a`` parents
(the store also holds the closure, ~360k triples, which would cost more to read than
the few thousand terms a mapping file touches).

>>> parse_tsv_cell('"say \\\\"hi\\\\"\\\\tthere"')
'say "hi"\\tthere'
>>> parse_tsv_cell("<http://purl.obolibrary.org/obo/MP_0001262>")
'MP:0001262'
>>> parse_tsv_cell('"x"@en'), parse_tsv_cell("42"), parse_tsv_cell("")
('x', '42', None)
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import pyoxigraph as ox

from kg import vocab
from kg.store.layout import MANIFEST, SCORING_DIR, StoreRoot
from kg.store.oxigraph_store import PREFIXES, OxigraphStore

#: the mapping sets compared by the agreement check (MGI curated, uPheno lexical and
#: uPheno species-independent, as the curators asked), by their ``mapping_set`` name
AGREEMENT_SETS: tuple[str, ...] = ("mgi_curated", "upheno_lexical", "upheno_species_independent")
#: ontologies whose ids the validator can check (the store holds them whole)
CHECKED_PREFIXES = ("MP", "HP")

_OBO = vocab.OBO
_IRI_CACHE: dict[str, str] = {}
_OBO_BRACKET = "<" + _OBO
_OBO_CUT = len(_OBO_BRACKET)
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\", "'": "'", "b": "\b", "f": "\f"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append(_ESCAPES.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


#: namespace -> prefix, for the fast IRI -> CURIE path (the prefix map is a bijection)
_NAMESPACES = {ns: p for p, ns in vocab.PREFIX_MAP.items()}
_NS_RE = re.compile("|".join(re.escape(ns) for ns in sorted(_NAMESPACES, key=len, reverse=True)))


def iri_to_curie(iri: str) -> str:
    """An IRI -> CURIE: OBO PURLs by their ``PREFIX_local`` shape, others by the longest
    namespace of the prefix map (one regex match); an IRI outside the map is returned as is.
    Same answers as :func:`kg.vocab.compress`, 10 times faster (it runs ~300k times per load).

    >>> iri_to_curie("http://purl.obolibrary.org/obo/UPHENO_0000001")
    'UPHENO:0000001'
    >>> iri_to_curie("http://identifiers.org/MGI:97490"), iri_to_curie("https://w3id.org/impc-kg/model/MGI_1_hom")
    ('MGI:97490', 'MODEL:MGI_1_hom')
    >>> iri_to_curie("http://example.org/x")
    'http://example.org/x'
    """
    if iri.startswith(_OBO):
        prefix, sep, rest = iri[len(_OBO):].partition("_")
        if sep and prefix in vocab.PREFIX_MAP:
            return f"{prefix}:{rest}"
    m = _NS_RE.match(iri)
    if m is None:
        return iri
    return f"{_NAMESPACES[m.group(0)]}:{iri[m.end():]}"


def parse_tsv_cell(cell: str) -> str | None:
    """One cell of a SPARQL TSV result -> CURIE (IRIs), text (literals) or None (unbound)."""
    if not cell:
        return None
    if cell[0] == "<":
        if cell.startswith(_OBO_BRACKET):  # the common case, inlined
            prefix, sep, rest = cell[_OBO_CUT:-1].partition("_")
            if sep and prefix in vocab.PREFIX_MAP:
                return f"{prefix}:{rest}"
        got = _IRI_CACHE.get(cell)  # predicates, graphs: a few IRIs repeated on every row
        if got is None:
            got = iri_to_curie(cell[1:-1])
            if len(_IRI_CACHE) < 10_000:
                _IRI_CACHE[cell] = got
        return got
    if cell[0] == '"':
        end = cell.rfind('"')
        return _unescape(cell[1:end])
    return cell  # a bare number or boolean


def select_tsv(store: OxigraphStore, query: str, substitutions: dict | None = None,
               skip: int = 0) -> Iterator[list[str | None]]:
    """Rows of a SELECT as lists of decoded cells (see :func:`parse_tsv_cell`), without the
    first ``skip`` columns."""
    res = store.store.query(PREFIXES + query, substitutions=substitutions, use_default_graph_as_union=True)
    text = res.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")
    lines = text.split("\n")
    for line in lines[1:]:
        if line:
            yield [parse_tsv_cell(c) for c in line.split("\t")[skip:]]


_GRAPH_NAME = re.compile(r"^[A-Za-z0-9_]+$")


# -- queries (schema: kg/rdf.py) ------------------------------------------------------------
Q_LABELS = "SELECT ?t ?l WHERE { GRAPH %(g)s { ?t rdfs:label ?l } }"
Q_ISA = "SELECT ?t ?p WHERE { GRAPH %(g)s { ?t rdfs:subClassOf ?p } }"
Q_OBSOLETE = """SELECT ?t ?r ?c WHERE { GRAPH %(g)s { ?t owl:deprecated true
  OPTIONAL { ?t IAO:0100001 ?r } OPTIONAL { ?t oboInOwl:consider ?c } } }"""
Q_ALT = "SELECT ?t ?a WHERE { GRAPH %(g)s { ?t oboInOwl:hasAlternativeId ?a } }"
#: call graphs are the sources whose format is an IMPC one (see ontologies/sources.toml)
Q_SOURCE_GRAPHS = """SELECT ?g ?name ?format ?set ?version WHERE { GRAPH ?meta {
  ?g a kgv:SourceGraph ; kgv:sourceName ?name .
  OPTIONAL { ?g kgv:format ?format } OPTIONAL { ?g kgv:mappingSet ?set }
  OPTIONAL { ?g kgv:version ?version } } }"""
#: calls per MP term (each call is one association node with biolink:object) and models
#: having it, over the call graphs (%s: their IRIs, from the store's own meta graph)
Q_CALLS = """SELECT ?mp (COUNT(*) AS ?n) WHERE { VALUES ?g { %s } GRAPH ?g { ?a biolink:object ?mp } }
GROUP BY ?mp"""
Q_MODELS = """SELECT ?mp (COUNT(DISTINCT ?m) AS ?n) WHERE { VALUES ?g { %s } GRAPH ?g {
  ?m biolink:has_phenotype ?mp ; biolink:category biolink:Genotype } } GROUP BY ?mp"""
Q_DISEASES_WITH_PHENOTYPES = """SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {
  ?d biolink:category biolink:Disease ; biolink:has_phenotype ?hp }"""
#: a mapping graph's rows: SKOS / semapv rows are direct triples (one pattern, fast);
#: owl:equivalentClass and rdfs:subClassOf rows exist only as mapping nodes (kg/rdf.py)
Q_SET_DIRECT = """SELECT ?s ?p ?o WHERE { GRAPH %(g)s { ?s ?p ?o }
  VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch
              semapv:crossSpeciesExactMatch semapv:crossSpeciesBroadMatch
              semapv:crossSpeciesNarrowMatch semapv:crossSpeciesCloseMatch } }"""
Q_SET_NODES = """SELECT ?s ?p ?o WHERE { VALUES ?p { owl:equivalentClass rdfs:subClassOf }
  GRAPH %(g)s { ?m sssom:predicate_id ?p . ?m sssom:subject_id ?s ; sssom:object_id ?o } }"""
_PAIR_PREFIXES = ("MP:", "HP:", "UPHENO:")
CALL_FORMATS = ("impc-genotype-phenotype-csv", "impc-phenotype-hits-json")


@dataclass
class ReferenceSet:
    """One mapping set of the store: its name, the sources (files) it came from, its rows."""

    name: str
    sources: list[str] = field(default_factory=list)
    versions: dict[str, str | None] = field(default_factory=dict)
    rows: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class MappingContext:
    """Everything the checks read from the store (see the module docstring)."""

    labels: dict[str, str | None]  # live MP/HP terms
    parents: dict[str, tuple[str, ...]]  # live terms -> direct is_a parents (live)
    obsolete: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # id -> (replaced_by, consider)
    alt: dict[str, str]  # alt_id -> live id
    calls: dict[str, tuple[int, int]]  # MP id -> (IMPC calls, models)
    n_diseases: int  # diseases with at least one phenotype: the ones a model score exists for
    sets: dict[str, ReferenceSet]  # mapping-set name -> its MP/HP/UPHENO rows (only the sets asked for)
    active_sets: tuple[str, ...] = ()  # the mapping sets the build's scoring used
    build: dict[str, Any] = field(default_factory=dict)  # build id, directory, versions
    store: OxigraphStore | None = None
    _anc: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    #: derived data that does not depend on the file (the reference sets' MP<->HP pairs)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- terms --------------------------------------------------------------------------
    def checks(self, curie: str) -> bool:
        """True when the validator can check this id (its ontology is in the store)."""
        return vocab.prefix_of(curie) in CHECKED_PREFIXES

    def live(self, curie: str) -> str | None:
        """The live id a mapping row really means: itself, its alt_id's term, or the first
        live ``replaced_by``; None for unknown ids and obsolete ones without replacement."""
        if curie in self.labels:
            return curie
        if curie in self.alt:
            return self.alt[curie]
        old = self.obsolete.get(curie)
        if old:
            for r in old[0]:
                if r in self.labels:
                    return r
        return None

    def ancestors(self, term: str) -> frozenset[str]:
        """Reflexive is_a ancestors of a live term (within its ontology); {term} if unknown."""
        got = self._anc.get(term)
        if got is not None:
            return got
        return self._visit(term, set())

    def _visit(self, t: str, path: set[str]) -> frozenset[str]:
        # MP and HP are ~20 levels deep: plain recursion; ``path`` cuts a cycle should one appear
        got = self._anc.get(t)
        if got is not None:
            return got
        path.add(t)
        acc = {t}
        for p in self.parents.get(t, ()):
            if p not in path:
                acc |= self._visit(p, path)
        path.discard(t)
        out = frozenset(acc)
        self._anc[t] = out
        return out

    def is_a(self, child: str, parent: str) -> bool:
        """``child`` is ``parent`` or one of its descendants."""
        return parent in self.ancestors(child)

    def related(self, a: str, b: str) -> bool:
        """One of the two terms is-a the other."""
        return self.is_a(a, b) or self.is_a(b, a)

    def label(self, curie: str | None) -> str | None:
        return self.labels.get(curie) if curie else None


def _rows(store: OxigraphStore, query: str, graph: str) -> Iterator[list[str | None]]:
    """Rows of a query over one named graph of the store. The graph IRI is written into the
    query (it is the build's own name, checked, never user input): bound by substitution it
    would have to be projected, and repeating it on every row doubles what Oxigraph writes."""
    if not _GRAPH_NAME.match(graph):
        raise ValueError(f"not a graph name: {graph!r}")
    return select_tsv(store, query % {"g": f"<{vocab.graph_iri(graph)}>"})


def _n_diseases(store: OxigraphStore) -> int:
    """Diseases with phenotype annotations: from the build manifest when it says, else counted."""
    if store.build_dir is not None:
        try:
            manifest = json.loads((Path(store.build_dir) / MANIFEST).read_text())
            n = manifest["sources"]["hpoa"]["diseases"]
            if isinstance(n, int):
                return n
        except (OSError, KeyError, TypeError, ValueError):
            pass
    row = next(select_tsv(store, Q_DISEASES_WITH_PHENOTYPES), ["0"])
    return int(row[0] or 0)


def active_mapping_sets(build_dir: Path | None) -> tuple[str, ...]:
    """The mapping sets the build's PhenoDigm tables were made with (``scoring/scoring.json``,
    ``config.mapping_sets``), else the scoring defaults. Read from the file so that checks 1-7
    need not import the scoring engine (numpy + scipy: ~1 s of a 10 s budget)."""
    if build_dir is not None:
        try:
            meta = json.loads((Path(build_dir) / SCORING_DIR / "scoring.json").read_text())
            sets = meta["config"]["mapping_sets"]
            if isinstance(sets, list) and all(isinstance(x, str) for x in sets):
                return tuple(sets)
        except (OSError, KeyError, TypeError, ValueError):
            pass
    from kg.scoring.config import DEFAULT_MAPPING_SETS
    return tuple(DEFAULT_MAPPING_SETS)


def load_context(store: OxigraphStore, sets: Iterable[str] | None = None,
                 active_sets: Iterable[str] | None = None) -> MappingContext:
    """Read the validator's snapshot from an open (read-only) store.

    ``sets``: the mapping sets to read (default: :data:`AGREEMENT_SETS` plus the active
    sets, :func:`active_mapping_sets`); sets the store does not have are left out (and listed
    in ``build["mapping_sets_missing"]``).
    """
    active = tuple(active_sets or active_mapping_sets(store.build_dir))
    wanted = list(dict.fromkeys(list(sets or AGREEMENT_SETS) + list(active)))
    labels: dict[str, str | None] = {}
    all_labels: dict[str, str | None] = {}
    parents: dict[str, list[str]] = defaultdict(list)
    obsolete: dict[str, tuple[list[str], list[str]]] = {}
    alt: dict[str, str] = {}
    for g in ("mp", "hp"):
        for t, r, c in _rows(store, Q_OBSOLETE, g):
            rep, con = obsolete.setdefault(t, ([], []))
            if r and r not in rep:
                rep.append(r)
            if c and c not in con:
                con.append(c)
        for t, lab in _rows(store, Q_LABELS, g):
            all_labels[t] = lab
        for t, p in _rows(store, Q_ISA, g):
            parents[t].append(p)
        for t, a in _rows(store, Q_ALT, g):
            alt[a] = t
    for t, lab in all_labels.items():
        if t not in obsolete:
            labels[t] = lab
    live_parents = {t: tuple(p for p in ps if p in labels) for t, ps in parents.items() if t in labels}
    call_graphs: list[str] = []
    ref: dict[str, ReferenceSet] = {}
    set_graphs: list[tuple[str, str]] = []
    for g, source, fmt, set_name, version in select_tsv(store, Q_SOURCE_GRAPHS):
        graph_name = g.rsplit("/", 1)[-1]
        if fmt in CALL_FORMATS:
            call_graphs.append(graph_name)
        if set_name in wanted:
            rs = ref.setdefault(set_name, ReferenceSet(set_name))
            rs.sources.append(source)
            rs.versions[source] = version
            set_graphs.append((set_name, graph_name))
    calls: dict[str, tuple[int, int]] = {}
    if call_graphs:
        values = " ".join(f"<{vocab.graph_iri(g)}>" for g in sorted(call_graphs))
        models = {mp: int(n) for mp, n in select_tsv(store, Q_MODELS % values)}
        calls = {mp: (int(n), models.get(mp, 0)) for mp, n in select_tsv(store, Q_CALLS % values)}
    for set_name, graph_name in sorted(set_graphs):
        for q in (Q_SET_DIRECT, Q_SET_NODES):
            # only MP, HP and UPHENO rows can make an MP<->HP pair (uPheno's ZP, XPO, ... rows,
            # 60% of its file, are dropped here rather than carried through every check)
            ref[set_name].rows.extend((s, p, o) for s, p, o in _rows(store, q, graph_name)
                                      if s.startswith(_PAIR_PREFIXES) and o.startswith(_PAIR_PREFIXES))
    for rs in ref.values():
        rs.rows = sorted(set(rs.rows))
    n_dis = _n_diseases(store)
    build: dict[str, Any] = {}
    if store.build_dir is not None:
        build = {"build_id": Path(store.build_dir).name}
    build["mapping_sets_missing"] = [s for s in wanted if s not in ref]
    return MappingContext(
        labels=labels, parents=live_parents,
        obsolete={k: (tuple(v[0]), tuple(v[1])) for k, v in obsolete.items()},
        alt=alt, calls=calls, n_diseases=n_dis, sets=ref, active_sets=active,
        build=build, store=store)


def open_context(store_root: str | Path, **kwargs) -> MappingContext:
    """Open the current build of a store root read-only and read the snapshot."""
    root = StoreRoot(Path(store_root))
    store = OxigraphStore.open_build(root.require_current())
    ctx = load_context(store, **kwargs)
    try:
        manifest = root.manifest()
        ctx.build["versions"] = {k: v.get("version") for k, v in manifest.get("sources", {}).items()
                                 if k in ("mp", "hp", "hpoa", "impc")}
        ctx.build["built_at"] = manifest.get("built_at")
    except Exception:  # a manifest problem must not stop a validation; versions are informative
        pass
    return ctx
