"""kg.sparql without HTTP: the Protocol request rules, content negotiation, serialisers,
limits (deadline, row cap) and the worker processes that make a timeout stick."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import sparql, vocab

EX = "http://example.org/"


def _store(n: int = 30) -> ox.Store:
    s = ox.Store()
    for i in range(n):
        s.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"),
                      ox.Literal(str(i), datatype=ox.NamedNode(vocab.XSD + "integer")),
                      ox.NamedNode(EX + ("g1" if i % 2 else "g2"))))
    return s


# -- the request -------------------------------------------------------------------------

def test_get_query_and_dataset():
    req = sparql.parse_request("GET", [("query", "ASK {}"), ("default-graph-uri", EX + "g1"),
                                       ("named-graph-uri", EX + "g2"), ("named-graph-uri", EX + "g3")])
    assert (req.query, req.default_graphs, req.named_graphs) == ("ASK {}", [EX + "g1"], [EX + "g2", EX + "g3"])


def test_post_form_and_direct_body():
    assert sparql.parse_request("POST", [], "application/x-www-form-urlencoded",
                                form=[("query", "ASK {}")]).query == "ASK {}"
    req = sparql.parse_request("POST", [("default-graph-uri", EX + "g1")],
                               "application/sparql-query", "SELECT * {}".encode())
    assert (req.query, req.default_graphs) == ("SELECT * {}", [EX + "g1"])


@pytest.mark.parametrize("method,params,ctype,body,form,status", [
    ("GET", [], None, b"", None, 400),                                       # no query
    ("GET", [("query", "ASK {}"), ("query", "ASK {}")], None, b"", None, 400),  # two queries
    ("GET", [("query", "   ")], None, b"", None, 400),                        # empty
    ("GET", [("update", "CLEAR ALL")], None, b"", None, 403),
    ("GET", [("query", "ASK {}"), ("using-graph-uri", EX)], None, b"", None, 403),
    ("POST", [], "application/sparql-update", b"CLEAR ALL", None, 403),
    ("POST", [], "application/x-www-form-urlencoded", b"", [("update", "DROP ALL")], 403),
    ("POST", [], "text/plain", b"ASK {}", None, 415),
    ("POST", [("query", "ASK {}")], "application/sparql-query", b"ASK {}", None, 400),
    ("POST", [], "application/sparql-query", b"\xff\xfe", None, 400),
    ("GET", [("query", "ASK {}"), ("default-graph-uri", "not an iri")], None, b"", None, 400),
    ("PUT", [("query", "ASK {}")], None, b"", None, 405),
])
def test_bad_requests(method, params, ctype, body, form, status):
    with pytest.raises(sparql.SparqlError) as exc:
        sparql.parse_request(method, params, ctype, body, form)
    assert exc.value.status == status
    assert exc.value.message


# -- negotiation -------------------------------------------------------------------------

@pytest.mark.parametrize("form,accept,expected", [
    ("SELECT", None, "application/sparql-results+json"),
    ("SELECT", "*/*", "application/sparql-results+json"),
    ("SELECT", "text/csv", "text/csv"),
    ("SELECT", "text/tab-separated-values", "text/tab-separated-values"),
    ("SELECT", "application/xml", "application/sparql-results+xml"),
    ("SELECT", "text/turtle;q=1, text/csv;q=0.2", "text/csv"),      # turtle is not for SELECT
    ("SELECT", "text/csv;q=0.4, application/sparql-results+json;q=0.9", "application/sparql-results+json"),
    ("ASK", "application/sparql-results+xml", "application/sparql-results+xml"),
    ("CONSTRUCT", None, "text/turtle"),
    ("CONSTRUCT", "application/n-triples", "application/n-triples"),
    ("CONSTRUCT", "application/rdf+xml, text/turtle;q=0.5", "application/rdf+xml"),
    ("DESCRIBE", "application/n-quads", "application/n-quads"),
    ("DESCRIBE", "application/trig", "application/trig"),
    ("DESCRIBE", "application/ld+json", "application/ld+json"),
    ("CONSTRUCT", "text/*", "text/turtle"),
])
def test_negotiation(form, accept, expected):
    assert sparql.negotiate(form, accept).media_type == expected


def test_not_acceptable_lists_the_formats():
    with pytest.raises(sparql.NotAcceptable) as exc:
        sparql.negotiate("SELECT", "image/png")
    assert exc.value.status == 406 and "text/csv" in exc.value.message
    with pytest.raises(sparql.NotAcceptable):
        sparql.negotiate("CONSTRUCT", None, fmt="csv")


def test_format_parameter_wins_over_accept():
    assert sparql.negotiate("SELECT", "text/csv", fmt="xml").name == "xml"
    assert sparql.negotiate("CONSTRUCT", "text/turtle", fmt="nt").name == "ntriples"


# -- serialisers: what pyoxigraph reads back is what the store answers ----------------------

TERMS_QUERY = """SELECT ?s ?o ?lang ?bn ?tab WHERE {
  ?s <http://example.org/p> ?o . FILTER(?o < 3)
  BIND(STRLANG("x, \\"y\\"", "en") AS ?lang) BIND(BNODE("b") AS ?bn) BIND("a\\tb\\nc" AS ?tab)
} ORDER BY ?o"""


@pytest.mark.parametrize("name,ox_format", [("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML),
                                            ("tsv", ox.QueryResultsFormat.TSV)])
def test_select_serialisation_round_trips(name, ox_format):
    store = _store()
    ans = sparql.run_query(store, TERMS_QUERY)
    body = ans.serialize(next(f for f in sparql.RESULT_FORMATS if f.name == name))
    back = list(ox.parse_query_results(body, ox_format))
    assert len(back) == len(ans.rows) == 3
    for got, want in zip(back, ans.rows):
        for i, t in enumerate(want):
            g = got[i]
            if isinstance(t, ox.BlankNode):
                assert isinstance(g, ox.BlankNode)
            else:
                assert g == t, (name, g, t)


def test_csv_is_plain_values_with_crlf():
    body = sparql.run_query(_store(), TERMS_QUERY).serialize(sparql.RESULT_FORMATS[2])
    lines = body.decode().split("\r\n")
    assert lines[0] == "s,o,lang,bn,tab"
    assert lines[1].startswith('http://example.org/s0,0,"x, ""y""",_:')
    assert lines[1].endswith(',"a\tb\nc"')


def test_unbound_values_are_left_out():
    ans = sparql.run_query(_store(), "SELECT ?s ?x WHERE { ?s ?p ?o } LIMIT 1")
    data = json.loads(ans.serialize(sparql.RESULT_FORMATS[0]))
    assert data["head"]["vars"] == ["s", "x"] and list(data["results"]["bindings"][0]) == ["s"]
    assert ans.serialize(sparql.RESULT_FORMATS[3]).decode().splitlines()[1].endswith("\t")


@pytest.mark.parametrize("fmt", [f for f in sparql.GRAPH_FORMATS])
def test_graph_formats_parse_back(fmt):
    ans = sparql.run_query(_store(), "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    body = ans.serialize(fmt)
    parse_format = ox.RdfFormat.from_media_type(fmt.media_type)
    got = {(q.subject, q.predicate, q.object) for q in ox.parse(body, parse_format)}
    assert got == {(t.subject, t.predicate, t.object) for t in ans.triples}
    assert len(got) == 30


def test_ask_in_every_results_format():
    ans = sparql.run_query(_store(), "ASK { ?s ?p 3 }")
    assert ans.boolean is True
    assert json.loads(ans.serialize(sparql.RESULT_FORMATS[0])) == {"head": {}, "boolean": True}
    assert bool(ox.parse_query_results(ans.serialize(sparql.RESULT_FORMATS[1]), ox.QueryResultsFormat.XML))
    assert ans.serialize(sparql.RESULT_FORMATS[2]) == b"true\n"


# -- dataset, prefixes ----------------------------------------------------------------------

def test_default_graph_is_the_union_unless_named():
    s = _store()
    n = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert sparql.run_query(s, n).rows[0][0].value == "30"
    assert sparql.run_query(s, n, default_graphs=[EX + "g1"]).rows[0][0].value == "15"


def test_project_prefixes_are_predeclared_and_overridable():
    s = ox.Store()
    s.add(ox.Quad(ox.NamedNode(vocab.expand("MP:0001262")), ox.NamedNode(vocab.RDFS + "label"),
                  ox.Literal("decreased body weight"), ox.NamedNode(EX + "g")))
    assert len(sparql.run_query(s, "SELECT ?l { MP:0001262 rdfs:label ?l }").rows) == 1
    assert len(sparql.run_query(s, "PREFIX MP: <http://x/> SELECT ?l { MP:0001262 rdfs:label ?l }").rows) == 0


def test_syntax_error_is_400():
    with pytest.raises(sparql.SparqlError) as exc:
        sparql.run_query(_store(), "SELECT ?s WHERE { ?s ?p }")
    assert exc.value.status == 400 and "syntax" in exc.value.message


# -- limits -----------------------------------------------------------------------------------

def test_limits_from_settings_env_and_defaults():
    assert sparql.Limits.from_settings(None, env={}) == sparql.Limits()
    lim = sparql.Limits.from_settings({"sparql_max_rows": 5}, env={"IMPC_KG_SPARQL_MAX_ROWS": "7",
                                                                  "IMPC_KG_SPARQL_TIMEOUT": "2.5",
                                                                  "IMPC_KG_SPARQL_ISOLATION": "thread"})
    assert (lim.max_rows, lim.timeout_s, lim.isolation) == (5, 2.5, "thread")
    with pytest.raises(ValueError):
        sparql.Limits.from_settings({"sparql_isolation": "fork"}, env={})
    with pytest.raises(ValueError):
        sparql.Limits.from_settings({}, env={"IMPC_KG_SPARQL_TIMEOUT": "soon"})


def test_row_cap_counts_rows_and_triples():
    s = _store()
    assert len(sparql.run_query(s, "SELECT * { ?s ?p ?o }", max_rows=30).rows) == 30
    with pytest.raises(sparql.TooManyRows) as exc:
        sparql.run_query(s, "SELECT * { ?s ?p ?o }", max_rows=29)
    assert exc.value.status == 400 and "29" in exc.value.message and "LIMIT" in exc.value.message
    with pytest.raises(sparql.TooManyRows):
        sparql.run_query(s, "CONSTRUCT WHERE { ?s ?p ?o }", max_rows=10)


CROSS3 = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"                       # streams 27,000 rows
COUNT4 = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # blocks before row 1


def test_streaming_query_stops_at_the_deadline():
    s = _store(200)  # 8 million rows if it ran to the end
    t0 = time.monotonic()
    with pytest.raises(sparql.QueryTimeout) as exc:
        sparql.run_query(s, CROSS3, timeout_s=0.3, max_rows=10**9)
    assert time.monotonic() - t0 < 1.5  # checked between rows: stops promptly
    assert exc.value.status == 503 and "0.3 s" in exc.value.message


@pytest.fixture()
def disk_store(tmp_path) -> Path:
    """A small on-disk store, closed, so that worker processes can open it read-only."""
    path = tmp_path / "oxigraph"
    s = ox.Store(str(path))
    s.extend(_store(200).quads_for_pattern(None, None, None, None))
    s.flush()
    del s
    return path


def test_process_isolation_kills_a_query_that_cannot_be_interrupted(disk_store):
    lim = sparql.Limits(timeout_s=1.0, grace_s=0.5, workers=1, max_rows=10**8)
    service = sparql.SparqlService(ox.Store.read_only(str(disk_store)), disk_store, lim)
    try:
        ok = service.handle(sparql.SparqlRequest("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"), None)
        assert json.loads(ok.body)["results"]["bindings"][0]["n"]["value"] == "200"
        t0 = time.monotonic()
        with pytest.raises(sparql.QueryTimeout) as exc:
            service.handle(sparql.SparqlRequest(COUNT4), None)  # 1.6e9 rows counted: hours
        elapsed = time.monotonic() - t0
        assert elapsed < 4.0, elapsed  # timeout + grace + kill, not hours
        assert service.pool.killed == 1 and "stopped" in exc.value.message
        again = service.handle(sparql.SparqlRequest("ASK { ?s ?p 7 }"), None)  # a fresh worker answers
        assert json.loads(again.body)["boolean"] is True
        # a deadline a worker notices itself (a streaming query) does not cost the worker
        with pytest.raises(sparql.QueryTimeout):
            service.handle(sparql.SparqlRequest(CROSS3.replace("SELECT *", "SELECT ?a")), None)
        assert service.pool.killed == 1
    finally:
        service.close()


def test_worker_reports_errors_without_dying(disk_store):
    lim = sparql.Limits(timeout_s=5, workers=1, max_rows=3)
    service = sparql.SparqlService(ox.Store.read_only(str(disk_store)), disk_store, lim)
    try:
        with pytest.raises(sparql.TooManyRows):
            service.handle(sparql.SparqlRequest("SELECT * { ?s ?p ?o }"), None)
        with pytest.raises(sparql.SparqlError) as exc:
            service.handle(sparql.SparqlRequest("SELECT * { ?s ?p }"), None)
        assert exc.value.status == 400
        table = service.select("SELECT ?o { <http://example.org/s5> ?p ?o }")
        assert table.rows == [{"o": 5}]
        assert service.pool.killed == 0
    finally:
        service.close()


def test_select_table_gives_the_same_values_in_both_modes(disk_store):
    q = "SELECT ?s ?o ?x WHERE { ?s ?p ?o FILTER(?o < 2) } ORDER BY ?o"
    store = ox.Store.read_only(str(disk_store))
    thread = sparql.SparqlService(store, None, sparql.Limits(isolation="thread")).select(q)
    proc_service = sparql.SparqlService(store, disk_store, sparql.Limits(workers=1))
    try:
        proc = proc_service.select(q)
    finally:
        proc_service.close()
    assert thread.rows == proc.rows == [{"s": EX + "s0", "o": 0, "x": None}, {"s": EX + "s1", "o": 1, "x": None}]


def test_a_worker_that_cannot_open_the_store_is_a_clear_500(tmp_path):
    service = sparql.SparqlService(ox.Store(), tmp_path / "missing", sparql.Limits(workers=1, timeout_s=5))
    try:
        with pytest.raises(sparql.SparqlError) as exc:
            service.handle(sparql.SparqlRequest("ASK {}"), None)
        assert exc.value.status == 500 and "could not open the store" in exc.value.message
        assert service.pool._idle.empty()  # the failed worker was not kept
    finally:
        service.close()
