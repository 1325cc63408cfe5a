"""The read-only guard: Update and SERVICE are refused, and only when they really are there.

SERVICE is the dangerous one (pyoxigraph would fetch any URL a query names, and the
read-only store does not stop it), so the tokenizer is checked against Oxigraph's own
parser: every query it lets through that Oxigraph would run as federated is a failure.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings, strategies as st

from kg import sparql

PRE = "PREFIX ex: <http://example.org/>\n"
DEAD = "<http://127.0.0.1:9/sparql>"  # port 9: Oxigraph refuses to connect, so nothing leaves the machine


def oxigraph_runs_service(query: str) -> bool:
    """True when Oxigraph parses ``query`` as federated: evaluation reaches the SERVICE."""
    try:
        list(ox.Store().query(query, use_default_graph_as_union=True))
    except SyntaxError:
        raise AssertionError(f"not a valid query, the test is wrong: {query!r}")
    except (OSError, RuntimeError) as exc:
        msg = str(exc).lower()
        return "port 9" in msg or "service" in msg
    return False


ATTACKS = [
    f"SELECT * WHERE {{ SERVICE {DEAD} {{ ?s ?p ?o }} }}",
    f"select * where {{ service {DEAD} {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ sErViCe {DEAD} {{ ?s ?p ?o }} }}",
    f"SELECT*WHERE{{SERVICE{DEAD}{{?s?p?o}}}}",
    f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE {DEAD} {{ ?s ?p ?o }} }} }}",
    f"ASK {{ {{ SELECT ?s {{ SERVICE {DEAD} {{ ?s ?p ?o }} }} }} }}",
    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {DEAD} {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ {{ BIND(1 AS ?x) }} UNION {{ SERVICE {DEAD} {{ ?s ?p ?o }} }} }}",
    f'SELECT * WHERE {{ BIND("x" AS ?x) # a comment\n SERVICE {DEAD} {{ ?s ?p ?o }} }}',
    f'SELECT * WHERE {{ BIND("}}" AS ?x) SERVICE {DEAD} {{ ?s ?p ?o }} }}',
    # '<' is a comparison here: a longest-match lexer would read "<?b)SERVICE?x#>" as an IRI
    "SELECT * WHERE { BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b)SERVICE?x#>\n{ ?s ?p ?o } }",
    "SELECT * WHERE { FILTER(?a<?b&&?c>?d)SERVICE ?x { ?s ?p ?o } }",
    f"SELECT (?a<?b AS ?lt) WHERE {{ SERVICE {DEAD} {{ ?a ?p ?b }} }}",
]


@pytest.mark.parametrize("query", ATTACKS)
def test_service_is_refused_wherever_oxigraph_would_run_it(query):
    assert oxigraph_runs_service(query), "the attack is not one: Oxigraph does not see a SERVICE"
    with pytest.raises(sparql.QueryRefused) as exc:
        sparql.analyse(query)
    assert exc.value.status == 403 and "SERVICE" in exc.value.message


@pytest.mark.parametrize("query", [
    f"SELECT * WHERE {{ SERVICE SILENT {DEAD} {{ ?s ?p ?o }} }}",
    # inside FILTER EXISTS an evaluation error is just "false", so Oxigraph shows nothing
    f"SELECT * WHERE {{ BIND(1 AS ?x) FILTER EXISTS {{ SERVICE {DEAD} {{ ?s ?p ?o }} }} }}",
])
def test_silent_service_is_refused_too(query):
    with pytest.raises(sparql.QueryRefused):
        sparql.analyse(query)


BENIGN = [
    f'SELECT * WHERE {{ BIND("SERVICE {DEAD} {{ }}" AS ?x) }}',
    f"SELECT * WHERE {{ BIND('''two\nSERVICE {DEAD}''' AS ?x) }}",
    f"SELECT * WHERE {{ ?s ?p ?o }} # SERVICE {DEAD} {{ ?s ?p ?o }}",
    PRE + "SELECT * WHERE { ?s ex:SERVICE ?service . ?service ex:p <http://example.org/SERVICE#service> }",
    PRE + "SELECT * WHERE { ?s ex:a\\#SERVICE ?o }",       # escaped '#': part of the name, not a comment
    PRE + "SELECT * WHERE { ?s <http://x/it's> 'SERVICE' }",  # a quote inside an IRI
    "SELECT ?service WHERE { ?service ?p ?o FILTER(?p<?o) }",
    "SELECT * WHERE { ?a ?b ?c FILTER(?a<?b) ?s <http://example.org/p> ?o }",
    PRE + "SELECT * WHERE { ?s ex:p (<http://x/a> <http://x/b>) . ?s (ex:p|ex:q)* ?o }",
    PRE + "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s HAVING(COUNT(*)<10) ORDER BY (?n)",
    "DESCRIBE <http://example.org/service>",
]


@pytest.mark.parametrize("query", BENIGN)
def test_service_in_strings_comments_iris_and_names_is_fine(query):
    assert not oxigraph_runs_service(query)
    assert sparql.analyse(query).form in ("SELECT", "DESCRIBE")


@pytest.mark.parametrize("query,word", [
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT"),
    ("PREFIX ex: <http://example.org/>\nDELETE WHERE { ?s ex:p ?o }", "DELETE"),
    ("LOAD <http://example.org/data.ttl>", "LOAD"),
    ("CLEAR ALL", "CLEAR"), ("DROP GRAPH <http://g>", "DROP"), ("CREATE GRAPH <http://g>", "CREATE"),
    ("ADD <http://a> TO <http://b>", "ADD"), ("MOVE DEFAULT TO <http://b>", "MOVE"),
    ("COPY <http://a> TO DEFAULT", "COPY"),
    ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ("BASE <http://example.org/> PREFIX : <x#> insert data { :a :b :c }", "INSERT"),
    ("SELECT * { ?s ?p ?o } ; INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT"),
])
def test_update_is_refused(query, word):
    with pytest.raises(sparql.QueryRefused) as exc:
        sparql.analyse(query)
    assert exc.value.status == 403 and word in exc.value.message and "read-only" in exc.value.message


@pytest.mark.parametrize("query", ["", "   # only a comment", "hello world", "PREFIX ex: <http://e/>"])
def test_not_a_query_is_400(query):
    with pytest.raises(sparql.SparqlError) as exc:
        sparql.analyse(query)
    assert exc.value.status == 400 and "SELECT, ASK, CONSTRUCT or DESCRIBE" in exc.value.message


def test_forms_after_prologue():
    assert sparql.analyse("BASE <http://e/> PREFIX a: <http://a/> PREFIX : <http://b/> ask {}").form == "ASK"
    assert sparql.analyse("CONSTRUCT WHERE { ?s ?p ?o }").form == "CONSTRUCT"


def test_overlong_query_is_refused():
    with pytest.raises(sparql.SparqlError) as exc:
        sparql.analyse("SELECT * {}" + " " * 50, max_chars=20)
    assert exc.value.status == 413


# Random mixes of fragments that mention SERVICE harmlessly, with or without a real one:
# the verdict must be exactly "a real SERVICE clause is in the query".
HARMLESS = [
    f'BIND("SERVICE {DEAD} {{ }}" AS ?s1)',
    "BIND('''x\nSERVICE''' AS ?s2)",
    f"# SERVICE {DEAD} {{\n",
    "?x <http://example.org/service#SERVICE> ?y .",
    "?x ex:SERVICE ?service .",
    "FILTER(?a<?b)",
    "FILTER(?a<?b&&?c>?d)",
    "FILTER(?a<=?b||?c>=?d)",
    "OPTIONAL { ?x ex:p ?y }",
    "BIND(<http://example.org/a#b> AS ?iri)",
    'FILTER(CONTAINS(STR(?x), "service"))',
    "?service ex:p ex:o .",
    "?s ex:p (ex:a <http://x/b>) .",
    "VALUES (?v1 ?v2) { (<http://x/service> 'SERVICE') }",
]


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from(HARMLESS), max_size=6, unique=True),
       with_service=st.booleans(), position=st.integers(0, 6),
       case=st.sampled_from(["SERVICE", "service", "Service"]))
def test_tokenizer_verdict_on_random_mixes(parts, with_service, position, case):
    body = list(parts)
    if with_service:
        body.insert(min(position, len(body)), f"{case} {DEAD} {{ ?z ex:q ?w }}")
    query = PRE + "SELECT * WHERE {\n" + "\n".join(body) + "\n}"
    if with_service:
        with pytest.raises(sparql.QueryRefused):
            sparql.analyse(query)
    else:
        assert sparql.analyse(query).form == "SELECT"
        assert not oxigraph_runs_service(query)
