"""The named query library: headers, parameter binding, and every query's exact answer on
the mini world (tests/fixtures/mirror; expected rows worked out from its files by hand,
see the comments), plus small hand-made graphs for branches the mini world lacks."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import queries, vocab
from kg.sparql import Limits, TooManyRows, select_table
from kg.store.oxigraph_store import OxigraphStore
from tests import built_graph as bg

REQUIRED = {"genes_for_phenotype", "gene_phenotype_calls", "disease_phenocopies", "unmapped_mp_terms",
            "gene_phenotype_systems", "orphan_knockout_genes"}
LISTS = {"phenotypes", "phenotype_ids", "matches", "top_level_phenotypes"}  # GROUP_CONCAT: no order


@pytest.fixture(scope="module")
def store(mini_store) -> ox.Store:
    return OxigraphStore.open(mini_store).store


def run(store, name, **params):
    table = queries.run_on_store(store, name, params)
    return [{k: (tuple(sorted(v.split("|"))) if k in LISTS and isinstance(v, str) and v else v)
             for k, v in row.items()}
            for row in table.rows]


# -- the library ------------------------------------------------------------------------------

def test_library_has_the_six_queries_with_complete_headers():
    lib = queries.load()
    assert REQUIRED <= set(lib)
    for q in lib.values():
        assert q.title and len(q.question) > 40 and q.examples, q.name
        for p in q.params:
            assert p.description, (q.name, p.name)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_parameter_can_be_bound(name):
    """Oxigraph refuses a substitution of a variable outside the projection: bind every
    parameter (optional ones too) and run on an empty store."""
    q = queries.get(name)
    sample = {"curie": None, "enum": None, "float": "0.01", "int": "2", "bool": "true", "string": "JAX"}
    raw = {}
    for p in q.params:
        if p.type == "curie":
            raw[p.name] = queries.EXAMPLE_IDS[p.choices[0]]
        elif p.type == "enum":
            raw[p.name] = p.choices[-1]
        else:
            raw[p.name] = sample[p.type]
    subs, _ = q.bind(raw)
    assert set(subs) == {p.name for p in q.params}
    select_table(ox.Store(), q.text, subs)  # raises if a parameter is not projected
    for example in range(len(q.examples)):
        q.bind(q.example_params(example))


def test_queries_are_plain_sparql_and_declare_their_prefixes():
    """Each .rq runs as-is elsewhere: no reliance on the endpoint's predeclared prefixes."""
    for q in queries.load().values():
        body = "\n".join(line for line in q.text.splitlines() if not line.startswith("#"))
        ox.Store().query(body, use_default_graph_as_union=True)  # SyntaxError if a prefix is missing


@pytest.mark.parametrize("raw,message", [
    ({}, "missing required parameter 'term'"),
    ({"term": "MP:0001259", "colour": "red"}, "unknown parameter 'colour'"),
    ({"term": "MP_0001259"}, "expected a CURIE with prefix MP"),
    ({"term": "MGI:97490"}, "expected a CURIE with prefix MP"),
    ({"term": "MP:0001259", "sex": "hermaphrodite"}, "expected one of male, female, both"),
    ({"term": "MP:0001259", "p_value_max": "small"}, "expected a number"),
    ({"term": "MP:0001259", "p_value_max": "nan"}, "expected a number"),
])
def test_bad_parameters_say_what_is_wrong(raw, message):
    with pytest.raises(queries.ParamError) as exc:
        queries.get("genes_for_phenotype").bind(raw)
    assert message in str(exc.value)


def test_int_and_bool_parameters():
    p = queries.Param("n", "int", False, "1", "how many")
    assert p.parse("12")[1] == 12
    with pytest.raises(queries.ParamError):
        p.parse("1.5")
    b = queries.Param("flag", "bool", False, None, "yes or no")
    assert [b.parse(v)[1] for v in ("true", "0", "Yes")] == [True, False, True]
    with pytest.raises(queries.ParamError):
        b.parse("maybe")


def test_unknown_query():
    with pytest.raises(queries.UnknownQuery) as exc:
        queries.get("no_such_query")
    assert "genes_for_phenotype" in str(exc.value)


@pytest.mark.parametrize("text,error", [
    ("SELECT * {}", "needs a title and a question"),
    ("# title: t\n# question: q\n# param: x int sometimes -- d\nSELECT ?x {}", "bad param line"),
    ("# title: t\n# question: q\n# colour: red\nSELECT * {}", "unknown header key"),
    ("# title: t\n# question: q\n# param: x enum optional -- d\nSELECT ?x {}", "needs (A|B|...)"),
    ("# title: t\n# question: q\n# param: format string optional -- d\nSELECT ?format {}", "reserved"),
])
def test_header_errors(text, error):
    with pytest.raises(queries.HeaderError) as exc:
        queries.parse_header(text, "x")
    assert error in str(exc.value)


def test_a_parameter_must_be_a_variable_of_the_query(tmp_path: Path):
    (tmp_path / "q.rq").write_text("# title: t\n# question: q\n# param: gene curie(MGI) required -- g\n"
                                   "SELECT ?genes {}\n")
    with pytest.raises(queries.HeaderError):
        queries.load(tmp_path)


def test_row_cap_applies_to_named_queries(store):
    with pytest.raises(TooManyRows):
        queries.run_on_store(store, "genes_for_phenotype", {"term": "MP:0000001"}, Limits(max_rows=2))


# -- 1. genes_for_phenotype ---------------------------------------------------------------------
# Calls of the mini world (impc CSV rows 1-7, and the impc_api hit):
#   Aaa MGI:101: MP:0001262 hom male p=1e-8 JAX; MP:0003622 hom female p=2e-6 JAX;
#                MP:0001262 het male p=0.001 JAX
#   Bbb MGI:102: MP:0011100 hom no_data p=0 TCP; MP:0002135 hom male p=2e-5 TCP (CSV)
#                and again from the API (life stage Early adult)
#   Ccc MGI:103: MP:0001260 hom; MP:0000002 (obsolete -> MP:0001262) het; no p, sex, centre
# MP:0001259 has the descendants MP:0001262 and MP:0001260; MP:0005367 has MP:0002135, MP:0003622.

def gfp(term, gene, symbol, calls, p, phenotypes, sex=None, zygosity=None, p_max=None, centre=None):
    return {"term": term, "gene": gene, "symbol": symbol, "calls": calls, "best_p_value": p,
            "phenotypes": tuple(phenotypes), "sex": sex, "zygosity": zygosity, "p_value_max": p_max,
            "centre": centre}


@pytest.mark.parametrize("params,expected", [
    ({"term": "MP:0001259"}, [
        gfp("MP:0001259", "MGI:101", "Aaa", 2, 1e-8, ["MP:0001262"]),
        gfp("MP:0001259", "MGI:103", "Ccc", 2, None, ["MP:0001260", "MP:0001262"])]),
    ({"term": "MP:0001259", "sex": "male"}, [
        gfp("MP:0001259", "MGI:101", "Aaa", 2, 1e-8, ["MP:0001262"], sex="male")]),
    ({"term": "MP:0001259", "zygosity": "heterozygote"}, [
        gfp("MP:0001259", "MGI:101", "Aaa", 1, 0.001, ["MP:0001262"], zygosity="heterozygote"),
        gfp("MP:0001259", "MGI:103", "Ccc", 1, None, ["MP:0001262"], zygosity="heterozygote")]),
    ({"term": "MP:0005367"}, [
        gfp("MP:0005367", "MGI:102", "Bbb", 2, 2e-5, ["MP:0002135"]),
        gfp("MP:0005367", "MGI:101", "Aaa", 1, 2e-6, ["MP:0003622"])]),
    ({"term": "MP:0005367", "p_value_max": "1e-5"}, [
        gfp("MP:0005367", "MGI:101", "Aaa", 1, 2e-6, ["MP:0003622"], p_max=1e-5)]),
    ({"term": "MP:0005367", "centre": "TCP"}, [
        gfp("MP:0005367", "MGI:102", "Bbb", 2, 2e-5, ["MP:0002135"], centre="TCP")]),
    ({"term": "MP:0000001"}, [
        gfp("MP:0000001", "MGI:101", "Aaa", 3, 1e-8, ["MP:0001262", "MP:0003622"]),
        gfp("MP:0000001", "MGI:102", "Bbb", 3, 0.0, ["MP:0002135", "MP:0011100"]),
        gfp("MP:0000001", "MGI:103", "Ccc", 2, None, ["MP:0001260", "MP:0001262"])]),
    ({"term": "MP:0001262", "sex": "female"}, []),
    ({"term": "MP:0001259", "zygosity": "hemizygote"}, []),
])
def test_genes_for_phenotype(store, params, expected):
    assert run(store, "genes_for_phenotype", **params) == expected


# -- 2. gene_phenotype_calls ---------------------------------------------------------------------

CALL_KEYS = ("source", "phenotype", "phenotype_label", "zygosity", "sex", "life_stage", "allele",
             "allele_symbol", "p_value", "effect_size", "percentage_change", "centre", "procedure",
             "procedure_name", "parameter", "parameter_name", "statistical_method", "top_level_phenotypes")


def calls(*rows):
    return [dict(zip(CALL_KEYS, r)) for r in rows]


def test_gene_phenotype_calls_bbb(store):
    got = run(store, "gene_phenotype_calls", gene="MGI:102")
    assert {r["gene"] for r in got} == {"MGI:102"}
    assert all(r["call"].startswith("ASSOC:impc-") for r in got) and len({r["call"] for r in got}) == 3
    body = [{k: r[k] for k in CALL_KEYS} for r in got]
    # p = 0 first; the two kidney calls (same p) follow, in call-id order
    assert body[0] == calls(("impc", "MP:0011100", "preweaning lethality, complete penetrance", "homozygote",
                             "no_data", None, "MGI:1102", "Bbb<tm1b>", 0.0, 1.0, None, "TCP", "IMPC_VIA_001",
                             "Viability Primary Screen", "IMPC_VIA_001_001", "Outcome", "Unknown",
                             ("MP:0010768",)))[0]
    kidney = calls(
        ("impc", "MP:0002135", "abnormal kidney morphology", "homozygote", "male", None, "MGI:1102",
         "Bbb<tm1b>", 2e-5, None, None, "TCP", "IMPC_PAT_002", "Gross Pathology", "IMPC_PAT_002_001",
         "Kidney", "Fisher's exact test", ("MP:0005367",)),
        ("impc_api", "MP:0002135", "abnormal kidney morphology", "homozygote", "male", "Early adult",
         "MGI:1102", "Bbb<tm1b>", 2e-5, None, None, "TCP", "IMPC_PAT_002", "Gross Pathology",
         "IMPC_PAT_002_001", "Kidney", None, ("MP:0005367",)))
    assert sorted(body[1:], key=lambda r: r["source"]) == kidney


def test_gene_phenotype_calls_without_statistics(store):
    got = [{k: r[k] for k in ("phenotype", "zygosity", "p_value", "effect_size", "allele", "centre")}
           for r in run(store, "gene_phenotype_calls", gene="MGI:103")]
    # no p-values: ordered by MP id; the obsolete MP:0000002 was remapped to MP:0001262
    assert got == [
        {"phenotype": "MP:0001260", "zygosity": "homozygote", "p_value": None, "effect_size": 2.1,
         "allele": None, "centre": None},
        {"phenotype": "MP:0001262", "zygosity": "heterozygote", "p_value": None, "effect_size": -1.5,
         "allele": None, "centre": None}]
    assert run(store, "gene_phenotype_calls", gene="MGI:104") == []  # Ddd: no IMPC calls


# -- 3. disease_phenocopies ----------------------------------------------------------------------
# Aaa -> AAA (NCBIGene:1001) -> Disease A (HP:0004325, HP:0000016; NOT HP:0004324; inheritance
# HP:0000007 is not a phenotype). Curated exact matches: MP:0001262=HP:0004325,
# MP:0003622=HP:0000016 (both of Aaa's terms). Bbb's kidney term has only a broadMatch, and
# its lethality no mapping; Ccc's human gene has no disease; Ddd has no calls.

DISEASE_A = {"disease": "OMIM:100001", "disease_name": "Disease A", "human_gene": "NCBIGene:1001",
             "human_symbol": "AAA", "gene": "MGI:101", "mouse_symbol": "Aaa",
             "matched_disease_phenotypes": 2, "matched_mouse_phenotypes": 2,
             "matches": ("MP:0001262=HP:0004325", "MP:0003622=HP:0000016")}


@pytest.mark.parametrize("params,expected", [
    ({"gene": "MGI:101"}, [dict(DISEASE_A, via="any")]),
    ({"gene": "MGI:101", "via": "curated"}, [dict(DISEASE_A, via="curated")]),
    ({"gene": "MGI:101", "via": "upheno"}, []),
    ({"gene": "MGI:102"}, []),
    ({"gene": "MGI:103"}, []),
    ({}, [dict(DISEASE_A, via="any")]),  # every gene
])
def test_disease_phenocopies(store, params, expected):
    assert run(store, "disease_phenocopies", **params) == expected


# -- 4. unmapped_mp_terms --------------------------------------------------------------------------
# Terms used by calls: MP:0001262 (3 calls, 2 genes), MP:0002135 (2 calls, 1 gene), MP:0003622,
# MP:0011100, MP:0001260 (1 call each). All but MP:0011100 have a curated mapping
# (MP:0002135 a broadMatch: any predicate counts).

@pytest.mark.parametrize("params,expected", [
    ({}, [{"phenotype": "MP:0011100", "label": "preweaning lethality, complete penetrance", "calls": 1,
           "genes": 1, "via": "any", "min_calls": 1}]),
    ({"via": "curated"}, [{"phenotype": "MP:0011100", "label": "preweaning lethality, complete penetrance",
                           "calls": 1, "genes": 1, "via": "curated", "min_calls": 1}]),
    ({"min_calls": "2"}, []),
])
def test_unmapped_mp_terms(store, params, expected):
    assert run(store, "unmapped_mp_terms", **params) == expected


# -- 5. gene_phenotype_systems ------------------------------------------------------------------
# Systems (children of MP:0000001): MP:0005378 growth/size/body, MP:0005367 renal/urinary,
# MP:0010768 mortality/aging.

@pytest.mark.parametrize("gene,expected", [
    ("MGI:101", [("MP:0005378", "growth/size/body region phenotype", 2, 1, ("MP:0001262",)),
                 ("MP:0005367", "renal/urinary system phenotype", 1, 1, ("MP:0003622",))]),
    ("MGI:102", [("MP:0005367", "renal/urinary system phenotype", 2, 1, ("MP:0002135",)),
                 ("MP:0010768", "mortality/aging", 1, 1, ("MP:0011100",))]),
    ("MGI:103", [("MP:0005378", "growth/size/body region phenotype", 2, 2, ("MP:0001260", "MP:0001262"))]),
    ("MGI:104", []),
])
def test_gene_phenotype_systems(store, gene, expected):
    keys = ("system", "system_label", "calls", "phenotypes", "phenotype_ids")
    got = run(store, "gene_phenotype_systems", gene=gene)
    assert [tuple(r[k] for k in keys) for r in got] == expected
    assert all(r["gene"] == gene for r in got)


# -- 6. orphan_knockout_genes -------------------------------------------------------------------
# Genes with calls: Aaa, Bbb (their human genes have diseases), Ccc (CCC has none; 2 calls on
# 2 terms, both under MP:0005378). Ddd's DDD has a disease but no calls anyway.

CCC = {"human_gene": "NCBIGene:1003", "human_symbol": "CCC", "gene": "MGI:103", "mouse_symbol": "Ccc",
       "calls": 2, "phenotypes": 2}


@pytest.mark.parametrize("params,expected", [
    ({}, [dict(CCC, system="MP:0000001", min_phenotypes=1)]),  # the default system: the MP root
    ({"min_phenotypes": "2"}, [dict(CCC, system="MP:0000001", min_phenotypes=2)]),
    ({"min_phenotypes": "3"}, []),
    ({"system": "MP:0005378"}, [dict(CCC, system="MP:0005378", min_phenotypes=1)]),
    ({"system": "MP:0001260"}, [dict(CCC, calls=1, phenotypes=1, system="MP:0001260", min_phenotypes=1)]),
    ({"system": "MP:0005367"}, []),
])
def test_orphan_knockout_genes(store, params, expected):
    assert run(store, "orphan_knockout_genes", **params) == expected


# -- branches the mini world does not reach: small hand-made graphs ----------------------------------

G = "https://w3id.org/impc-kg/graph/"


def graph_store(quads: list[tuple[str, str, str, str]]) -> ox.Store:
    """Quads as (subject CURIE, predicate CURIE, object CURIE or "literal", graph name)."""
    s = ox.Store()
    for subj, pred, obj, g in quads:
        o = ox.Literal(obj[1:-1]) if obj.startswith('"') else ox.NamedNode(vocab.expand(obj))
        s.add(ox.Quad(ox.NamedNode(vocab.expand(subj)), ox.NamedNode(vocab.expand(pred)), o, ox.NamedNode(G + g)))
    return s


def call(cid, gene, mp, g="impc"):
    return [(cid, "kgv:gene", gene, g), (cid, "biolink:object", mp, g), (cid, "kgv:zygosity", '"homozygote"', g)]


def mapping(mid, subj, pred, obj, justification, g):
    return [(mid, "sssom:subject_id", subj, g), (mid, "sssom:object_id", obj, g),
            (mid, "sssom:predicate_id", pred, g), (mid, "sssom:mapping_justification", justification, g)]


def test_disease_phenocopies_through_a_upheno_class():
    quads = (call("ASSOC:c1", "MGI:1", "MP:0000010") + call("ASSOC:c2", "MGI:1", "MP:0000011")
             + [("MGI:1", "biolink:orthologous_to", "NCBIGene:1", "mgi_orthology"),
                ("NCBIGene:1", "biolink:gene_associated_with_condition", "OMIM:1", "hpo_genes"),
                ("OMIM:1", "biolink:has_phenotype", "HP:0000010", "hpoa"),
                ("OMIM:1", "biolink:has_phenotype", "HP:0000011", "hpoa"),
                ("UPHENO:1", "semapv:crossSpeciesExactMatch", "MP:0000010", "upheno_species_independent"),
                ("UPHENO:1", "semapv:crossSpeciesExactMatch", "HP:0000010", "upheno_species_independent")]
             # a lexical exactMatch is not curated: it does not count
             + mapping("MAPPING:m1", "MP:0000011", "skos:exactMatch", "HP:0000011", "semapv:LexicalMatching",
                       "mgi_mp_hp_lexical"))
    s = graph_store(quads)
    for via, n in (("upheno", 1), ("any", 1), ("curated", 0)):
        got = queries.run_on_store(s, "disease_phenocopies", {"gene": "MGI:1", "via": via}).rows
        assert len(got) == n, via
        if n:
            assert got[0]["matches"] == "MP:0000010=HP:0000010" and got[0]["matched_disease_phenotypes"] == 1


def test_unmapped_terms_any_versus_curated():
    """Which rows count as a mapping: decided at build time (graph summary, kg/summaries.py),
    so the world is built by the builder from records, as `kg build` does."""
    calls = [bg.call("MGI:1", "MP:0000020"), bg.call("MGI:1", "MP:0000021"), bg.call("MGI:2", "MP:0000022"),
             bg.call("MGI:2", "MP:0000023"), bg.call("MGI:2", "MP:0000024"), bg.call("MGI:2", "MP:0000025"),
             bg.call("MGI:2", "MP:0000026"), bg.call("MGI:2", "MP:0000027")]
    # 20: lexical only; 21: uPheno class with an HP term; 22: HP->MP row (reversed), curated;
    # 23: semantic-similarity best match only (never a mapping); 24: mapped to a non-HP term;
    # 25: uPheno the other way round (MP -> class <- HP); 26: a justification outside the
    # prefix map (kept as a literal: a mapping, not a curated one); 27: no justification
    lexical = [bg.mapping("MP:0000020", "skos:exactMatch", "HP:0000020", "semapv:LexicalMatching"),
               bg.mapping("MP:0000026", "skos:exactMatch", "HP:0000026", "foo:SomeMatching"),
               bg.mapping("MP:0000027", "skos:exactMatch", "HP:0000027", None)]
    upheno = [bg.mapping("UPHENO:2", "semapv:crossSpeciesExactMatch", "MP:0000021", "semapv:LexicalMatching"),
              bg.mapping("UPHENO:2", "semapv:crossSpeciesExactMatch", "HP:0000021", "semapv:LexicalMatching"),
              bg.mapping("MP:0000025", "semapv:crossSpeciesExactMatch", "UPHENO:3", "semapv:LexicalMatching"),
              bg.mapping("HP:0000025", "semapv:crossSpeciesExactMatch", "UPHENO:3", "semapv:LexicalMatching")]
    curated = [bg.mapping("HP:0000022", "skos:exactMatch", "MP:0000022", "semapv:ManualMappingCuration"),
               bg.mapping("MP:0000024", "skos:exactMatch", "ZP:0000024", "semapv:ManualMappingCuration")]
    similar = [bg.mapping("HP:0000023", "skos:relatedMatch", "MP:0000023",
                          "semapv:SemanticSimilarityThresholdMatching")]
    s = bg.build_store([("add_calls", "impc", calls), ("add_mappings", "x", lexical, "x"),
                        ("add_mappings", "upheno_species_independent", upheno, "upheno"),
                        ("add_mappings", "y", curated, "y"), ("add_mappings", "z", similar, "z")])
    unmapped = {via: {r["phenotype"] for r in queries.run_on_store(s, "unmapped_mp_terms", {"via": via}).rows}
                for via in ("any", "curated")}
    assert unmapped == {"any": {"MP:0000023", "MP:0000024", "MP:0000027"},
                        "curated": {"MP:0000020", "MP:0000021", "MP:0000023", "MP:0000024", "MP:0000025",
                                    "MP:0000026", "MP:0000027"}}


def test_best_p_value_is_the_smallest_of_the_calls_that_have_one():
    """A gene whose matching calls have p-values 0.03 and 0.002 and one call without: 0.002
    (MIN(?p) gave unbound: the unbound value sorts first); no p-value at all: unbound."""
    mp = [bg.term("MP:0000001"), bg.term("MP:0000010", "MP:0000001"), bg.term("MP:0000011", "MP:0000010")]
    calls = [bg.call("MGI:1", "MP:0000010", 0.03), bg.call("MGI:1", "MP:0000011", None),
             bg.call("MGI:1", "MP:0000011", 0.002, sex="male"), bg.call("MGI:2", "MP:0000011", None),
             bg.call("MGI:2", "MP:0000010", None, sex="female")]
    s = bg.build_store([("add_ontology", "mp", mp), ("add_calls", "impc", calls)])
    got = {r["gene"]: (r["calls"], r["best_p_value"])
           for r in queries.run_on_store(s, "genes_for_phenotype", {"term": "MP:0000010"}).rows}
    assert got == {"MGI:1": (3, 0.002), "MGI:2": (2, None)}
    male = queries.run_on_store(s, "genes_for_phenotype", {"term": "MP:0000010", "sex": "male"}).rows
    assert [(r["gene"], r["best_p_value"]) for r in male] == [("MGI:1", 0.002)]
