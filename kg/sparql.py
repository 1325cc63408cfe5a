"""The SPARQL 1.1 Protocol over the embedded store: read-only, bounded, negotiated.

Why this module and not the router: every rule of the endpoint lives here, as plain
functions over plain values, so that the HTTP router stays a few lines, the CLI
(`kg sparql`) obeys the same rules, and each rule is unit-tested without a server.

What a request goes through
    1. :func:`parse_request` reads the query per the Protocol (GET ``?query=``, POST
       ``application/x-www-form-urlencoded``, POST ``application/sparql-query``) with
       ``default-graph-uri`` / ``named-graph-uri``. Update requests (an ``update`` or
       ``using-graph-uri`` parameter, ``application/sparql-update``) are refused (403).
    2. :func:`analyse` tokenizes the query (strings, comments and IRIs are skipped, and
       ``<`` is told apart from an IRI by context, as the grammar does) and refuses
       SPARQL Update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``...)
       and federated ``SERVICE`` (403): pyoxigraph would otherwise call any URL the
       query names. The store is also opened read-only, so a write cannot happen even
       if a check were wrong; SERVICE has no such second wall, hence the tokenizer.
    3. :func:`negotiate` picks the result format from ``Accept`` (or ``?format=``).
    4. :func:`run_query` runs it with the default graph as the union of all named graphs
       (unless ``default-graph-uri`` is given) and the project's prefixes predeclared,
       iterating the answers lazily: the deadline and the row cap are checked between
       rows, so an over-long or over-large answer stops with :class:`QueryTimeout` (503)
       or :class:`TooManyRows` (400) instead of running on. The union is a multiset: a
       triple that several sources state (a gene's symbol in ``impc`` and in
       ``mgi_orthology``) comes back once per graph, so use DISTINCT, or ``GRAPH ?g``.
       The named queries (:mod:`kg.queries`) run through the same service and limits.

The limit of checking between rows, and the process pool
    pyoxigraph cannot cancel a query. Checking the clock between rows stops any
    query that *streams*; it cannot interrupt one that computes for a long time before
    its first row (ORDER BY, GROUP BY and aggregates, and hash joins over a huge side
    materialise before they yield). Run in a server thread, such a query would keep
    that thread and a core busy to the end. So the HTTP endpoint runs queries in a
    small pool of worker processes (:class:`WorkerPool`, ``isolation="process"``, the
    default): the worker applies the same between-row checks, and if it has not answered
    ``grace_s`` after the deadline the server kills it (SIGKILL) and starts another, so no
    worker is ever left hung. ``isolation="thread"`` runs in the request thread (no IPC,
    no extra memory) for trusted or local use. Figures: bench/RESULTS.md, "query".

Limits come from :class:`Limits`: app settings, then environment
(``IMPC_KG_SPARQL_TIMEOUT``, ``IMPC_KG_SPARQL_MAX_ROWS``, ``IMPC_KG_SPARQL_ISOLATION``,
``IMPC_KG_SPARQL_WORKERS``), then defaults (30 s, 100,000 rows, process, 2 workers).

>>> analyse("PREFIX mp: <http://purl.obolibrary.org/obo/MP_> SELECT * { ?s ?p mp:0001262 }").form
'SELECT'
>>> analyse('SELECT ?x { BIND("SERVICE <http://x/> {}" AS ?x) }  # SERVICE in a comment').form
'SELECT'
>>> analyse("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
kg.sparql.QueryRefused: SERVICE (federated query) is not allowed on this endpoint: it would make the server call other URLs
>>> analyse("INSERT DATA { <http://a> <http://b> <http://c> }")
Traceback (most recent call last):
...
kg.sparql.QueryRefused: SPARQL Update (INSERT) is not allowed: this endpoint is read-only
>>> negotiate("SELECT", "text/csv;q=0.5, application/sparql-results+xml").media_type
'application/sparql-results+xml'
>>> negotiate("CONSTRUCT", None).media_type
'text/turtle'
"""

from __future__ import annotations

import io
import json
import os
import pickle
import queue
import re
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from xml.sax.saxutils import escape as xml_escape, quoteattr

import pyoxigraph as ox

from kg import vocab
from kg.store.oxigraph_store import term_value

# ---------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------


class SparqlError(Exception):
    """An error with the HTTP status the endpoint answers and a message for the user."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class QueryRefused(SparqlError):
    """SPARQL Update, LOAD or SERVICE: understood, and refused (403)."""

    status = 403


class QueryTimeout(SparqlError):
    """The query ran past its deadline (503: the server's limit, not a malformed query)."""

    status = 503


class TooManyRows(SparqlError):
    """The answer has more rows (or triples) than the cap; the user should add LIMIT."""

    status = 400


class NotAcceptable(SparqlError):
    status = 406


class Busy(SparqlError):
    """Every worker stayed busy for the whole timeout."""

    status = 503


# ---------------------------------------------------------------------------------------
# limits and settings
# ---------------------------------------------------------------------------------------

ENV = {
    "timeout_s": "IMPC_KG_SPARQL_TIMEOUT",
    "max_rows": "IMPC_KG_SPARQL_MAX_ROWS",
    "isolation": "IMPC_KG_SPARQL_ISOLATION",
    "workers": "IMPC_KG_SPARQL_WORKERS",
}


@dataclass(frozen=True)
class Limits:
    """Per-query limits and how queries are isolated.

    >>> Limits.from_settings({"sparql_timeout_s": 5}, env={"IMPC_KG_SPARQL_MAX_ROWS": "10"})
    Limits(timeout_s=5.0, max_rows=10, isolation='process', workers=2, grace_s=2.0, max_query_chars=1000000)
    """

    timeout_s: float = 30.0
    max_rows: int = 100_000
    isolation: str = "process"  # or "thread"
    workers: int = 2
    grace_s: float = 2.0  # how long past the deadline a worker may take before it is killed
    max_query_chars: int = 1_000_000

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None = None,
                      env: Mapping[str, str] | None = None) -> "Limits":
        """App settings (keys ``sparql_<field>``) win over the environment, then defaults."""
        settings = settings or {}
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name, typ in (("timeout_s", float), ("max_rows", int), ("isolation", str),
                          ("workers", int), ("grace_s", float), ("max_query_chars", int)):
            raw = settings.get(f"sparql_{name}")
            if raw is None and name in ENV:
                raw = env.get(ENV[name])
            if raw is None or raw == "":
                continue
            try:
                values[name] = typ(raw)
            except ValueError:
                raise ValueError(f"setting sparql_{name} / {ENV.get(name, '')}: "
                                 f"expected {typ.__name__}, got {raw!r}") from None
        lim = cls(**values)
        if lim.isolation not in ("process", "thread"):
            raise ValueError(f"sparql isolation must be 'process' or 'thread', not {lim.isolation!r}")
        if lim.timeout_s <= 0 or lim.max_rows <= 0 or lim.workers <= 0:
            raise ValueError("sparql timeout, row cap and workers must be positive")
        return lim


# ---------------------------------------------------------------------------------------
# the protocol: reading a request
# ---------------------------------------------------------------------------------------

QUERY_MEDIA = "application/sparql-query"
UPDATE_MEDIA = "application/sparql-update"
FORM_MEDIA = "application/x-www-form-urlencoded"
UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")


@dataclass
class SparqlRequest:
    query: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_request(method: str, url_params: Sequence[tuple[str, str]],
                  content_type: str | None = None, body: bytes = b"",
                  form: Sequence[tuple[str, str]] | None = None) -> SparqlRequest:
    """The query and dataset of a Protocol request, or a :class:`SparqlError`.

    ``url_params`` and ``form`` are (name, value) pairs, repeated names kept.

    >>> parse_request("GET", [("query", "ASK {}"), ("default-graph-uri", "http://g")]).default_graphs
    ['http://g']
    >>> parse_request("POST", [], "application/sparql-query; charset=utf-8", b"ASK {}").query
    'ASK {}'
    >>> parse_request("POST", [], "application/x-www-form-urlencoded", form=[("update", "CLEAR ALL")])
    Traceback (most recent call last):
    ...
    kg.sparql.QueryRefused: SPARQL Update is not allowed: this endpoint is read-only (parameter 'update')
    """
    method = method.upper()
    media = _media(content_type)
    if method == "POST" and media == UPDATE_MEDIA:
        raise QueryRefused("SPARQL Update is not allowed: this endpoint is read-only "
                           f"(Content-Type {UPDATE_MEDIA})")
    if method == "GET":
        params = list(url_params)
    elif method == "POST" and media == FORM_MEDIA:
        params = list(form or [])
        # the Protocol puts everything in the body; tolerate graph parameters in the URL
        params += [(k, v) for k, v in url_params if k != "query"]
    elif method == "POST" and media == QUERY_MEDIA:
        params = list(url_params)
        if any(k == "query" for k, _ in params):
            raise SparqlError("a POST with Content-Type application/sparql-query carries the "
                              "query in the body, not in a 'query' parameter")
        try:
            params.append(("query", body.decode("utf-8")))
        except UnicodeDecodeError:
            raise SparqlError("the query body is not valid UTF-8") from None
    elif method == "POST":
        raise SparqlError(f"unsupported Content-Type {media or '(none)'!r} for POST: use "
                          f"{QUERY_MEDIA} (query in the body) or {FORM_MEDIA} (query=...)", 415)
    else:
        raise SparqlError(f"method {method} not allowed: use GET or POST", 405)
    for name in UPDATE_PARAMS:
        if any(k == name for k, _ in params):
            raise QueryRefused(f"SPARQL Update is not allowed: this endpoint is read-only "
                               f"(parameter {name!r})")
    queries = [v for k, v in params if k == "query"]
    if not queries:
        raise SparqlError("missing the 'query' parameter (SPARQL 1.1 Protocol: GET /sparql?query=..., "
                          f"or POST with {QUERY_MEDIA} or {FORM_MEDIA})")
    if len(queries) > 1:
        raise SparqlError("more than one 'query' parameter")
    req = SparqlRequest(queries[0],
                        [v for k, v in params if k == "default-graph-uri"],
                        [v for k, v in params if k == "named-graph-uri"])
    for g in req.default_graphs + req.named_graphs:
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$", g):
            raise SparqlError(f"graph URI {g!r} is not an absolute IRI")
    if not req.query.strip():
        raise SparqlError("the query is empty")
    return req


# ---------------------------------------------------------------------------------------
# the tokenizer: which form, and is it safe
# ---------------------------------------------------------------------------------------

_PN_CHARS_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF"
                  "\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF"
                  "\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
             f"(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?")
_EXP = r"[eE][+-]?[0-9]+"

_TOKEN = re.compile("|".join([
    r"(?P<ws>\s+)",
    r"(?P<comment>#[^\n\r]*)",
    r"(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*(?:'''|\Z)"
    r'|"""(?:(?:"|"")?(?:[^"\\]|\\.))*(?:"""|\Z)'
    r"|'(?:[^'\\\n\r]|\\.)*(?:'|\Z|(?=[\n\r]))"
    r'|"(?:[^"\\\n\r]|\\.)*(?:"|\Z|(?=[\n\r])))',
    rf"(?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*)",
    rf"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
    rf"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
    rf"(?P<name>[{_PN_CHARS_BASE}][{_PN_CHARS_U}0-9]*)",
    rf"(?P<number>[0-9]+\.[0-9]*(?:{_EXP})?|\.[0-9]+(?:{_EXP})?|[0-9]+(?:{_EXP})?)",
    r"(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?)",
    r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|.)",
]), re.DOTALL)
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")

_OPERAND_END = {"var", "string", "number", "iri", "pname", "langtag", "bnode"}
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


@dataclass(frozen=True)
class Token:
    kind: str   # var string iri pname name number langtag bnode punct
    text: str
    pos: int


def tokenize(query: str) -> list[Token]:
    """Significant tokens of a SPARQL query (no whitespace, no comments).

    ``<`` starts an IRI unless it is a comparison: inside an expression's parentheses,
    right after an operand. This is how the grammar (and Oxigraph's PEG parser) reads
    ``FILTER(?a<?b)``; a longest-match lexer would read ``<?b)...>`` as an IRI and could
    hide a keyword inside it. Unknown or malformed input still yields tokens: the real
    parser rejects it later, and nothing is hidden from the safety checks.

    >>> [t.text for t in tokenize('FILTER(?a<?b)SERVICE?x#>')]
    ['FILTER', '(', '?a', '<', '?b', ')', 'SERVICE', '?x']
    >>> [t.kind for t in tokenize("?s <http://x#y> 'it''s' ex:a\\\\#b")]
    ['var', 'iri', 'string', 'string', 'pname']
    """
    tokens: list[Token] = []
    stack: list[str] = []      # '{', '[', 'e(' (expression), 'd(' (data: collection, VALUES, path)
    expr_clause = False        # in a SELECT projection or GROUP BY / ORDER BY / HAVING
    i, n = 0, len(query)

    def prev(k: int = 1) -> Token | None:
        return tokens[-k] if len(tokens) >= k else None

    def is_word(t: Token | None, *words: str) -> bool:
        return t is not None and t.kind == "name" and t.text.upper() in words

    while i < n:
        if query[i] == "<":
            p = prev()
            operator = bool(stack) and stack[-1] == "e(" and p is not None and (
                p.kind in _OPERAND_END or p.text == ")" or is_word(p, "TRUE", "FALSE"))
            m = None if operator else _IRIREF.match(query, i)
            if m:
                tokens.append(Token("iri", m.group(0), i))
                i = m.end()
                continue
            text = "<=" if query.startswith("<=", i) else "<"
            tokens.append(Token("punct", text, i))
            i += len(text)
            continue
        m = _TOKEN.match(query, i)
        kind = m.lastgroup
        text = m.group(0)
        i = m.end()
        if kind in ("ws", "comment"):
            continue
        tok = Token(kind, text, m.start())
        if kind == "name":
            word = text.upper()
            if word in ("SELECT", "GROUP", "ORDER", "HAVING"):
                expr_clause = True
            elif word in ("WHERE", "LIMIT", "OFFSET", "VALUES"):
                expr_clause = False
        elif text == "{":
            stack.append("{")
            expr_clause = False
        elif text == "}":
            while stack and stack.pop() != "{":
                pass
            expr_clause = False
        elif text == "[":
            stack.append("[")
        elif text == "]":
            if stack and stack[-1] == "[":
                stack.pop()
        elif text == "(":
            top = stack[-1] if stack else None
            if top == "e(":
                stack.append("e(")
            elif top in ("[", "d("):
                stack.append("d(")
            else:
                p, p2 = prev(), prev(2)
                expression = (is_word(p, "FILTER", "BIND")
                              or (expr_clause and not is_word(p, "VALUES"))
                              or (is_word(p2, "FILTER") and p is not None
                                  and p.kind in ("name", "iri", "pname")))
                stack.append("e(" if expression else "d(")
        elif text == ")":
            if stack and stack[-1] in ("e(", "d("):
                stack.pop()
        tokens.append(tok)
    return tokens


@dataclass(frozen=True)
class QueryInfo:
    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE


def analyse(query: str, max_chars: int = Limits.max_query_chars) -> QueryInfo:
    """The query form, or :class:`QueryRefused` for Update/LOAD/SERVICE, :class:`SparqlError`
    when it is not a query at all. Syntax errors are left to the real parser."""
    if len(query) > max_chars:
        raise SparqlError(f"the query is {len(query):,} characters long; the limit is {max_chars:,}", 413)
    tokens = tokenize(query)
    for t in tokens:
        if t.kind == "name" and t.text.upper() == "SERVICE":
            raise QueryRefused("SERVICE (federated query) is not allowed on this endpoint: "
                               "it would make the server call other URLs")
    # skip the prologue: BASE <iri> | PREFIX p: <iri>
    j = 0
    while j < len(tokens):
        word = tokens[j].text.upper() if tokens[j].kind == "name" else ""
        if word == "BASE":
            j += 2
        elif word == "PREFIX":
            j += 3
        else:
            break
    first = tokens[j] if j < len(tokens) else None
    word = first.text.upper() if first is not None and first.kind == "name" else ""
    if word in _UPDATE_WORDS:
        raise QueryRefused(f"SPARQL Update ({word}) is not allowed: this endpoint is read-only")
    for t in tokens:
        if t.kind == "name" and t.text.upper() in _UPDATE_WORDS:
            raise QueryRefused(f"SPARQL Update ({t.text.upper()}) is not allowed: this endpoint is read-only")
    if word not in _FORMS:
        got = first.text if first is not None else "nothing"
        raise SparqlError(f"not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE "
                          f"after the prologue, found {got!r}")
    return QueryInfo(word)


# ---------------------------------------------------------------------------------------
# content negotiation
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultFormat:
    name: str          # json xml csv tsv | turtle ntriples nquads trig rdfxml jsonld n3
    media_type: str    # what the response says it is
    kind: str          # "results" (SELECT/ASK) or "graph" (CONSTRUCT/DESCRIBE)

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.name in ("ntriples", "nquads", "trig")
        return self.media_type + ("; charset=utf-8" if text else "")


RESULT_FORMATS = [
    ResultFormat("json", "application/sparql-results+json", "results"),
    ResultFormat("xml", "application/sparql-results+xml", "results"),
    ResultFormat("csv", "text/csv", "results"),
    ResultFormat("tsv", "text/tab-separated-values", "results"),
]
GRAPH_FORMATS = [
    ResultFormat("turtle", "text/turtle", "graph"),
    ResultFormat("ntriples", "application/n-triples", "graph"),
    ResultFormat("nquads", "application/n-quads", "graph"),
    ResultFormat("trig", "application/trig", "graph"),
    ResultFormat("rdfxml", "application/rdf+xml", "graph"),
    ResultFormat("jsonld", "application/ld+json", "graph"),
    ResultFormat("n3", "text/n3", "graph"),
]
# other names clients send for the same formats
_ALIASES = {
    "application/json": "json", "application/sparql-results+json": "json",
    "application/xml": "xml", "text/xml": "xml", "application/sparql-results+xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/turtle": "turtle",
    "application/n-triples": "ntriples", "text/plain": "ntriples",
    "application/n-quads": "nquads", "text/x-nquads": "nquads",
    "application/trig": "trig", "application/rdf+xml": "rdfxml", "application/ld+json": "jsonld",
    "text/n3": "n3", "text/rdf+n3": "n3",
}
_SHORT = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
          "ttl": "turtle", "turtle": "turtle", "nt": "ntriples", "ntriples": "ntriples",
          "nq": "nquads", "nquads": "nquads", "trig": "trig", "rdf": "rdfxml", "rdfxml": "rdfxml",
          "xmlrdf": "rdfxml", "jsonld": "jsonld", "n3": "n3"}
_OX_GRAPH = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
             "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
             "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD, "n3": ox.RdfFormat.N3}


def accept_items(accept: str) -> list[tuple[str, float, int]]:
    """An HTTP Accept header as (media type, q, position) items; a malformed q counts as 0.

    >>> accept_items("text/html;q=0.5, application/json")
    [('text/html', 0.5, 0), ('application/json', 1.0, 1)]
    """
    items = []
    for idx, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        if not media:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        items.append((media, q, idx))
    return items


def negotiate(form: str, accept: str | None, fmt: str | None = None) -> ResultFormat:
    """The format for a query form, from ``?format=`` (short name or media type) or ``Accept``.

    ``*/*``, no header, or only unknown-but-optional types give the default (SPARQL
    JSON for SELECT/ASK, Turtle for CONSTRUCT/DESCRIBE); a header that accepts none
    of the formats gives 406 with the list.

    >>> negotiate("ASK", "application/json").name
    'json'
    >>> negotiate("DESCRIBE", "application/n-triples,*/*;q=0.1").name
    'ntriples'
    >>> negotiate("SELECT", None, fmt="tsv").media_type
    'text/tab-separated-values'
    """
    graph = form in ("CONSTRUCT", "DESCRIBE")
    table = GRAPH_FORMATS if graph else RESULT_FORMATS
    by_name = {f.name: f for f in table}
    if fmt:
        key = fmt.strip().lower()
        name = _SHORT.get(key) or _ALIASES.get(key.split(";")[0].strip())
        if name in by_name:
            return by_name[name]
        raise NotAcceptable(f"format {fmt!r} is not available for {form}: use one of "
                            + ", ".join(f"{f.name} ({f.media_type})" for f in table))
    if not accept or not accept.strip():
        return table[0]
    best: tuple[tuple, ResultFormat] | None = None
    for media, q, idx in accept_items(accept):
        if q <= 0:
            continue
        if media in ("*/*", "application/*", "text/*"):
            cand = table[0] if media == "*/*" else next(
                (f for f in table if f.media_type.startswith(media[:-1])), None)
        else:
            name = _ALIASES.get(media)
            cand = by_name.get(name) if name else None
        if cand is None:
            continue
        # higher q first; on a tie, a specific type beats a wildcard, then header order
        rank = (q, 0 if "*" in media else 1, -idx)
        if best is None or rank > best[0]:
            best = (rank, cand)
    if best is None:
        raise NotAcceptable(f"none of the accepted types ({accept}) is available for {form}: use one of "
                            + ", ".join(f.media_type for f in table))
    return best[1]


# ---------------------------------------------------------------------------------------
# running and serialising
# ---------------------------------------------------------------------------------------

_XSD_STRING = vocab.XSD + "string"
_RDF_LANG_STRING = vocab.RDF + "langString"
_RDF_DIR_LANG_STRING = vocab.RDF + "dirLangString"


class Deadline:
    """A monotonic deadline with the check that raises; shared by every runner."""

    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s
        self.end = time.monotonic() + timeout_s

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise QueryTimeout(f"the query ran longer than the {self.timeout_s:g} s timeout and was "
                               "stopped: narrow it (more specific patterns, LIMIT) or run it on "
                               "your own copy of the data (`kg export rdf`)")


def rows_exceeded(cap: int, what: str = "rows") -> TooManyRows:
    return TooManyRows(f"the answer has more than {cap:,} {what}, the cap of this endpoint: "
                       "add LIMIT (and OFFSET to page), or aggregate")


def run_query(store: ox.Store, query: str, *, substitutions: Mapping[str, Any] | None = None,
              default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
              timeout_s: float = Limits.timeout_s, max_rows: int = Limits.max_rows,
              prefixes: bool = True) -> "Answer":
    """Run a query and collect its answer, checking deadline and row cap between rows.

    The default graph is the union of all named graphs, unless ``default_graphs`` names
    the graphs to use (SPARQL Protocol ``default-graph-uri``). The project's prefixes
    (:data:`kg.vocab.PREFIX_MAP`) are predeclared; a query's own PREFIX wins.
    """
    deadline = Deadline(timeout_s)
    kwargs: dict[str, Any] = {}
    if default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    if named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    if substitutions:
        kwargs["substitutions"] = {ox.Variable(k) if isinstance(k, str) else k: v
                                   for k, v in substitutions.items()}
    if prefixes:
        kwargs["prefixes"] = vocab.PREFIX_MAP
    try:
        res = store.query(query, **kwargs)
    except SyntaxError as exc:
        raise SparqlError(f"SPARQL syntax error: {exc}") from None
    try:
        return _collect(res, deadline, max_rows)
    except (OSError, RuntimeError, ValueError) as exc:  # evaluation errors from Oxigraph
        raise SparqlError(f"the query failed: {exc}") from None
    finally:
        # Why: the results iterator is "unsendable" (it must be dropped on the thread that
        # made it). An error raised while reading it (row cap, timeout) carries a traceback
        # whose frames would keep it alive until the error is handled on another thread
        # (the API's event loop), where dropping it warns; drop it here, now.
        del res


def _collect(res: Any, deadline: Deadline, max_rows: int) -> "Answer":
    """The answer of :func:`run_query`, read row by row; on an error no frame of this
    function keeps a reference to ``res`` or a row of it (see run_query's ``finally``)."""
    try:
        if isinstance(res, ox.QueryBoolean):
            deadline.check()
            return Answer("ASK", boolean=bool(res))
        if isinstance(res, ox.QueryTriples):
            triples = []
            for t in res:
                triples.append(t)
                if len(triples) > max_rows:
                    raise rows_exceeded(max_rows, "triples")
                deadline.check()
            return Answer("CONSTRUCT", triples=triples)
        names = [v.value for v in res.variables]
        rows = []
        for sol in res:
            rows.append(tuple(sol))
            if len(rows) > max_rows:
                raise rows_exceeded(max_rows)
            deadline.check()
        deadline.check()
        return Answer("SELECT", variables=names, rows=rows)
    finally:
        res = sol = None  # noqa: F841  (the traceback keeps this frame, not these objects)


@dataclass
class Answer:
    """A collected answer: rows of pyoxigraph terms (None for unbound), triples, or a boolean."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    boolean: bool | None = None

    def serialize(self, fmt: ResultFormat) -> bytes:
        if self.boolean is not None:
            return serialize_boolean(self.boolean, fmt.name)
        if self.form == "CONSTRUCT":
            return serialize_graph(self.triples, fmt.name)
        return serialize_solutions(self.variables, self.rows, fmt.name)


def _json_term(t: Any) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d: dict[str, Any] = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
            direction = getattr(t, "direction", None)
            if direction is not None:
                d["its:dir"] = str(direction).rsplit(".", 1)[-1].lower()
        elif t.datatype.value != _XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(t.subject),
                                            "predicate": _json_term(t.predicate),
                                            "object": _json_term(t.object)}}
    raise TypeError(f"unexpected term {t!r}")


def _xml_term(t: Any) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{xml_escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{xml_escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{xml_escape(t.value)}</literal>"
        if t.datatype.value != _XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{xml_escape(t.value)}</literal>"
        return f"<literal>{xml_escape(t.value)}</literal>"
    if isinstance(t, ox.Triple):
        return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>"
                f"{_xml_term(t.predicate)}</predicate><object>{_xml_term(t.object)}</object></triple>")
    raise TypeError(f"unexpected term {t!r}")


def _csv_value(t: Any) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        v = "_:" + t.value
    elif isinstance(t, ox.Triple):
        v = str(t)
    else:
        v = t.value
    if any(c in v for c in ',"\r\n'):
        v = '"' + v.replace('"', '""') + '"'
    return v


def _tsv_value(t: Any) -> str:
    if t is None:
        return ""
    return str(t).replace("\t", "\\t")  # N-Triples syntax already escapes \n \r " \\


def serialize_solutions(variables: Sequence[str], rows: Iterable[Sequence[Any]], name: str) -> bytes:
    """SELECT results in SPARQL JSON / XML / CSV / TSV (W3C Recommendations of 2013).

    >>> rows = [(ox.NamedNode("http://x/a"), ox.Literal("1", datatype=ox.NamedNode(vocab.XSD + "integer"))),
    ...         (None, ox.Literal("a,b"))]
    >>> serialize_solutions(["s", "n"], rows, "csv").split(b"\\r\\n")  # CSV lines end with CRLF
    [b's,n', b'http://x/a,1', b',"a,b"', b'']
    >>> serialize_solutions(["s", "n"], rows, "tsv").decode().splitlines()
    ['?s\\t?n', '<http://x/a>\\t1', '\\t"a,b"']
    """
    if name == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": list(variables)}, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if name == "xml":
        out = io.StringIO()
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
        for v in variables:
            out.write(f"<variable name={quoteattr(v)}/>")
        out.write("</head><results>")
        for row in rows:
            out.write("<result>")
            for v, t in zip(variables, row):
                if t is not None:
                    out.write(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
            out.write("</result>")
        out.write("</results></sparql>\n")
        return out.getvalue().encode("utf-8")
    if name == "csv":
        lines = [",".join(variables)]
        lines += [",".join(_csv_value(t) for t in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    if name == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        for row in rows:
            cells = []
            for t in row:
                if isinstance(t, ox.Literal) and t.datatype.value in _NUMERIC_SHORT and \
                        _NUMERIC_SHORT[t.datatype.value].match(t.value):
                    cells.append(t.value)  # the Turtle short form the TSV spec allows
                else:
                    cells.append(_tsv_value(t))
            lines.append("\t".join(cells))
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"unknown results format {name!r}")


_NUMERIC_SHORT = {
    vocab.XSD + "integer": re.compile(r"^[+-]?[0-9]+$"),
    vocab.XSD + "decimal": re.compile(r"^[+-]?[0-9]*\.[0-9]+$"),
    vocab.XSD + "double": re.compile(r"^[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+$"),
    vocab.XSD + "boolean": re.compile(r"^(?:true|false)$"),
}


def serialize_boolean(value: bool, name: str) -> bytes:
    """ASK results.

    >>> serialize_boolean(True, "json")
    b'{"head":{},"boolean":true}'
    """
    if name == "json":
        return json.dumps({"head": {}, "boolean": value}, separators=(",", ":")).encode()
    if name == "xml":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/'
                f'sparql-results#"><head></head><boolean>{str(value).lower()}</boolean></sparql>\n').encode()
    if name in ("csv", "tsv"):  # not defined by the W3C notes; the common practice
        return (str(value).lower() + "\n").encode()
    raise ValueError(f"unknown results format {name!r}")


def serialize_graph(triples: Sequence[ox.Triple], name: str) -> bytes:
    """CONSTRUCT/DESCRIBE results through pyoxigraph's writers, with the project's prefixes
    where the syntax has them."""
    fmt = _OX_GRAPH[name]
    prefixes = vocab.PREFIX_MAP if name in ("turtle", "trig", "rdfxml", "n3") else None
    if fmt.supports_datasets:  # N-Quads, TriG: the triples go to the default graph
        items: Iterable[Any] = (ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    else:
        items = triples
    if prefixes:
        used = _used_prefixes(triples, prefixes)
        return ox.serialize(items, format=fmt, prefixes=used)
    return ox.serialize(items, format=fmt)


def _used_prefixes(triples: Sequence[ox.Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    """Only the prefixes the answer uses (a Turtle file with 110 unused prefixes is noise)."""
    spaces = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
    used: dict[str, str] = {}
    seen: set[str] = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.Literal):
                term = term.datatype
            if isinstance(term, ox.NamedNode) and term.value not in seen:
                seen.add(term.value)
                for p, ns in spaces:
                    if term.value.startswith(ns):
                        used[p] = ns
                        break
    return used


# ---------------------------------------------------------------------------------------
# the service: one entry point for the router and the CLI
# ---------------------------------------------------------------------------------------


@dataclass
class Job:
    """One query to run, picklable so that a worker process can run it."""

    query: str
    format: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    timeout_s: float = Limits.timeout_s
    max_rows: int = Limits.max_rows
    substitutions: dict[str, Any] | None = None  # variable name -> pyoxigraph term (picklable)


def run_job(store: ox.Store, job: Job) -> bytes:
    """Run a :class:`Job` in this process and serialise the answer."""
    fmt = next(f for f in RESULT_FORMATS + GRAPH_FORMATS if f.name == job.format)
    ans = run_query(store, job.query, substitutions=job.substitutions,
                    default_graphs=job.default_graphs, named_graphs=job.named_graphs,
                    timeout_s=job.timeout_s, max_rows=job.max_rows)
    return ans.serialize(fmt)


def python_value(t: Any) -> Any:
    """A pyoxigraph term as a plain value: IRIs as CURIEs, typed literals as numbers/bools."""
    if t is None:
        return None
    if isinstance(t, ox.BlankNode):
        return "_:" + t.value
    if isinstance(t, ox.Triple):
        return str(t)
    return term_value(t)


def json_value(b: Mapping[str, Any]) -> Any:
    """A SPARQL JSON binding as the same plain value :func:`python_value` gives.

    >>> json_value({"type": "uri", "value": "http://purl.obolibrary.org/obo/MP_0001262"})
    'MP:0001262'
    >>> json_value({"type": "literal", "value": "3", "datatype": "http://www.w3.org/2001/XMLSchema#integer"})
    3
    """
    kind = b["type"]
    if kind == "uri":
        return vocab.compress(b["value"])
    if kind == "bnode":
        return "_:" + b["value"]
    if kind == "triple":
        v = b["value"]
        return str(ox.Triple(*(_json_term_back(v[k]) for k in ("subject", "predicate", "object"))))
    return term_value(_json_term_back(b))


def _json_term_back(b: Mapping[str, Any]) -> Any:
    if b["type"] == "uri":
        return ox.NamedNode(b["value"])
    if b["type"] == "bnode":
        return ox.BlankNode(b["value"])
    if "xml:lang" in b:
        return ox.Literal(b["value"], language=b["xml:lang"])
    return ox.Literal(b["value"], datatype=ox.NamedNode(b.get("datatype", _XSD_STRING)))


@dataclass
class Table:
    """SELECT answer as plain values, for the named queries and the CLI."""

    columns: list[str]
    rows: list[dict[str, Any]]
    elapsed_s: float = 0.0


def select_table(store: ox.Store, query: str, substitutions: Mapping[str, Any] | None = None,
                 timeout_s: float = Limits.timeout_s, max_rows: int = Limits.max_rows) -> Table:
    """Run a SELECT in this thread (deadline and cap between rows) and return plain values."""
    t0 = time.perf_counter()
    ans = run_query(store, query, substitutions=substitutions, timeout_s=timeout_s, max_rows=max_rows)
    if ans.form != "SELECT":
        raise SparqlError(f"expected a SELECT query, got {ans.form}")
    rows = [{v: python_value(t) for v, t in zip(ans.variables, row)} for row in ans.rows]
    return Table(ans.variables, rows, time.perf_counter() - t0)


@dataclass
class Response:
    body: bytes
    content_type: str
    elapsed_s: float


class SparqlService:
    """What the endpoint needs: the store, the limits and, in process mode, the workers."""

    def __init__(self, store: ox.Store, store_path: Path | None, limits: Limits):
        self.store = store
        self.limits = limits
        self.pool = (WorkerPool(store_path, limits.workers)
                     if limits.isolation == "process" and store_path is not None else None)

    def handle(self, req: SparqlRequest, accept: str | None, fmt: str | None = None) -> Response:
        """A Protocol request: check, negotiate, run (in a worker or here), serialise."""
        t0 = time.perf_counter()
        info = analyse(req.query, self.limits.max_query_chars)
        rf = negotiate(info.form, accept, fmt)
        job = Job(req.query, rf.name, req.default_graphs, req.named_graphs,
                  self.limits.timeout_s, self.limits.max_rows)
        return Response(self.execute(job), rf.content_type, time.perf_counter() - t0)

    def execute(self, job: Job) -> bytes:
        if self.pool is not None:
            return self.pool.run(job, self.limits.grace_s)
        return run_job(self.store, job)

    def select(self, query: str, substitutions: Mapping[str, Any] | None = None) -> Table:
        """A trusted SELECT (a named query) under the same limits and isolation as /sparql."""
        if self.pool is None:
            return select_table(self.store, query, substitutions,
                                self.limits.timeout_s, self.limits.max_rows)
        t0 = time.perf_counter()
        body = self.execute(Job(query, "json", timeout_s=self.limits.timeout_s,
                                max_rows=self.limits.max_rows, substitutions=dict(substitutions or {})))
        data = json.loads(body)
        columns = data["head"]["vars"]
        rows = [{c: (json_value(b[c]) if c in b else None) for c in columns}
                for b in data["results"]["bindings"]]
        return Table(columns, rows, time.perf_counter() - t0)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


# ---------------------------------------------------------------------------------------
# worker processes
# ---------------------------------------------------------------------------------------

_HEADER = struct.Struct(">Q")


def _send(fh, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(_HEADER.pack(len(data)) + data)
    fh.flush()


def _recv_exact(fh, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = fh.read(n - got)
        if not chunk:
            raise EOFError("worker closed its pipe")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _recv(fh) -> Any:
    (size,) = _HEADER.unpack(_recv_exact(fh, _HEADER.size))
    return pickle.loads(_recv_exact(fh, size))  # only ever from our own worker


class _WorkerGone(Exception):
    pass


class _NoAnswer(Exception):
    """The worker did not answer in time (not TimeoutError: that is an OSError)."""


class _Worker:
    """One ``python -m kg.sparql worker PATH`` process; speaks length-prefixed pickles on stdio."""

    def __init__(self, store_path: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg.sparql", "worker", str(store_path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
            cwd=str(Path(__file__).resolve().parents[1]))
        self.ready = False

    def _wait_readable(self, until: float) -> None:
        remaining = until - time.monotonic()
        if remaining <= 0:
            raise _NoAnswer
        r, _, _ = select.select([self.proc.stdout], [], [], remaining)
        if not r:
            raise _NoAnswer

    def call(self, job: Job, wait_s: float) -> tuple:
        until = time.monotonic() + wait_s
        try:
            if not self.ready:
                self._wait_readable(time.monotonic() + 60)
                hello = _recv(self.proc.stdout)
                if hello[0] != "ready":
                    raise SparqlError(f"the SPARQL worker could not open the store: {hello[1]}", 500)
                self.ready = True
            _send(self.proc.stdin, job)
            self._wait_readable(until)
            return _recv(self.proc.stdout)
        except (EOFError, BrokenPipeError, OSError, pickle.UnpicklingError) as exc:
            raise _WorkerGone(str(exc)) from None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for fh in (self.proc.stdin, self.proc.stdout):
            try:
                fh.close()
            except OSError:
                pass


class WorkerPool:
    """A few worker processes, each with the store open read-only; started on first use.

    A query past its deadline (plus grace) gets its worker killed and replaced at once, so
    the pool never holds a hung process. When every worker is busy, a request waits for
    one until its own timeout, then gets 503.
    """

    def __init__(self, store_path: Path, size: int):
        self.store_path = Path(store_path).resolve()
        self.size = size
        self._slots = threading.BoundedSemaphore(size)
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._closed = False
        self.killed = 0  # workers killed for running past the deadline (for tests, metrics)

    def _take(self) -> _Worker:
        try:
            w = self._idle.get_nowait()
            if w.proc.poll() is None:
                return w
            w.kill()
        except queue.Empty:
            pass
        return _Worker(self.store_path)

    def run(self, job: Job, grace_s: float) -> bytes:
        """Run ``job`` in a worker; kill the worker if it has not answered ``grace_s`` after
        the job's deadline. Time spent waiting for a free worker counts against the timeout."""
        if self._closed:
            raise SparqlError("the SPARQL service is shutting down", 503)
        t0 = time.monotonic()
        if not self._slots.acquire(timeout=job.timeout_s):
            raise Busy(f"all {self.size} SPARQL workers stayed busy for {job.timeout_s:g} s; try again later")
        try:
            timeout_s = job.timeout_s
            job.timeout_s = max(0.001, timeout_s - (time.monotonic() - t0))
            w = self._take()
            try:
                reply = w.call(job, job.timeout_s + grace_s)
            except _NoAnswer:
                w.kill()
                self.killed += 1
                self._idle.put(_Worker(self.store_path))  # a warm replacement
                raise QueryTimeout(f"the query ran longer than the {timeout_s:g} s timeout; its worker "
                                   "process was stopped: narrow the query (more specific patterns, "
                                   "LIMIT)") from None
            except _WorkerGone as exc:
                w.kill()
                raise SparqlError(f"the SPARQL worker died while running the query ({exc})", 500) from None
            except BaseException:  # could not start (store unreadable), or interrupted: never leak it
                w.kill()
                raise
            self._idle.put(w)
        finally:
            self._slots.release()
        if reply[0] == "ok":
            return reply[1]
        _, cls_name, status, message = reply
        cls = {"QueryTimeout": QueryTimeout, "TooManyRows": TooManyRows,
               "QueryRefused": QueryRefused}.get(cls_name, SparqlError)
        raise cls(message, status)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            try:
                w.proc.stdin.close()  # EOF: the worker exits by itself
                w.proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
            w.kill()


def worker_main(store_path: str) -> int:
    """Loop of a worker process: open the store read-only, answer jobs until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C of the server is the server's
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the protocol pipe
    try:
        store = ox.Store.read_only(store_path)
    except OSError as exc:
        _send(stdout, ("error", str(exc)))
        return 1
    _send(stdout, ("ready", os.getpid()))
    while True:
        try:
            job = _recv(stdin)
        except EOFError:
            return 0
        try:
            reply: tuple = ("ok", run_job(store, job))
        except SparqlError as exc:
            reply = ("error", type(exc).__name__, exc.status, exc.message)
        except Exception as exc:  # never die on a query: report it
            reply = ("error", "SparqlError", 500, f"the query failed: {type(exc).__name__}: {exc}")
        _send(stdout, reply)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "worker":
        from kg.sparql import worker_main as _main  # the importable module, not __main__
        sys.exit(_main(sys.argv[2]))
    sys.exit("usage: python -m kg.sparql worker STORE_OXIGRAPH_DIR")
