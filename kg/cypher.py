"""Read-only Cypher against the configured Neo4j: the rules of ``POST /cypher``, here.

Why a module and not the router: the refusal rules, the limits and the mapping of
driver errors are plain functions, unit-tested without a server; the router stays a
few lines (as :mod:`kg.sparql` is to ``/sparql``).

Two walls keep the endpoint read-only
    1. :func:`analyse` tokenizes the query (string literals, comments and backticked
       names are skipped, so ``RETURN "CREATE"`` is fine) and refuses, *before anything
       is sent*, every clause that writes or administers: ``CREATE``, ``MERGE``,
       ``DELETE``, ``DETACH``, ``SET``, ``REMOVE``, ``INSERT``, ``FOREACH``, ``LOAD CSV``,
       ``DROP``/``ALTER``/``GRANT``/``DENY``/``REVOKE``/``RENAME``, ``START``/``STOP
       DATABASE``, ``TERMINATE``, ``SHOW``, ``USE``, ``USING PERIODIC COMMIT``,
       ``CALL {...} IN TRANSACTIONS``, procedure calls other than a few read-only
       schema procedures (:data:`ALLOWED_PROCEDURES`), and any ``apoc.*``/``dbms.*``
       name (APOC can fetch URLs). A query the tokenizer cannot read to the end (an
       unterminated string or comment) is refused too, so it never disagrees with
       Neo4j's parser about where a string ends.
    2. The query runs in a session in READ access mode, where Neo4j itself refuses
       writes; so a rule missed above still cannot change the graph.

Limits: a transaction timeout (the server ends the transaction; default 30 s) and a
row cap (default 10,000; more rows answer 400, as ``/sparql`` does). Settings come from
the app's settings dict, then the environment (``IMPC_KG_NEO4J_URI``, ``_USER``,
``_PASSWORD``, ``_DATABASE``, ``IMPC_KG_CYPHER_TIMEOUT``, ``IMPC_KG_CYPHER_MAX_ROWS``).
The password is never logged or echoed.

>>> analyse("MATCH (g:`biolink:Gene` {id: $id}) RETURN g.name // CREATE in a comment")
'read'
>>> analyse("RETURN 'DETACH DELETE' AS text, n.set AS s")
'read'
>>> analyse("MATCH (n) DETACH DELETE n")
Traceback (most recent call last):
...
kg.cypher.CypherRefused: DETACH is not allowed: this endpoint is read-only
>>> analyse("CALL dbms.listConfig()").status
Traceback (most recent call last):
...
kg.cypher.CypherRefused: procedure dbms.listConfig is not allowed: this endpoint is read-only (apoc.* and dbms.* are refused anywhere)
>>> analyse("RETURN 'unterminated")
Traceback (most recent call last):
...
kg.cypher.CypherRefused: cannot read the query: unterminated string literal
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_ROWS = 10_000
MAX_QUERY_CHARS = 100_000

#: clause keywords refused wherever they stand as a keyword
WRITE_KEYWORDS = {
    "CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "INSERT", "FOREACH", "LOAD",
    "DROP", "ALTER", "GRANT", "DENY", "REVOKE", "RENAME", "TERMINATE", "SHOW", "USE",
    "DEALLOCATE", "REALLOCATE", "ENABLE",
}
#: read-only introspection procedures a researcher may CALL
ALLOWED_PROCEDURES = {
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties",
}
FORBIDDEN_NAMESPACES = ("apoc", "dbms")


class CypherError(Exception):
    """Base of the errors the endpoint answers; ``status`` is the HTTP status."""

    status = 400


class CypherRefused(CypherError):
    """A write or admin clause, or a query the tokenizer cannot read (refused, not sent)."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.status = status


class CypherUnavailable(CypherError):
    """No Neo4j configured, or it cannot be reached right now (503)."""

    status = 503


class CypherTimeout(CypherError):
    status = 503


class CypherTooManyRows(CypherError):
    status = 400


class CypherFailed(CypherError):
    """Neo4j refused the query (syntax error, unknown function, ...): 400 with its message."""

    status = 400


# --------------------------------------------------------------------------- tokenizer

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
   |(?P<lcomment>//[^\n]*)
   |(?P<bcomment>/\*.*?\*/)
   |(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
   |(?P<name>`(?:[^`]|``)*`)
   |(?P<param>\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|`(?:[^`]|``)*`))
   |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
   |(?P<number>[0-9][0-9A-Za-z_.]*)
   |(?P<open>['"`]|/\*)
   |(?P<other>.)
    """,
    re.S | re.X,
)


def tokens(query: str) -> list[tuple[str, str]]:
    """(kind, text) of every significant token; comments and whitespace are dropped.

    >>> [t for k, t in tokens("MATCH (n) /* SET */ RETURN n.`x` // DELETE")]
    ['MATCH', '(', 'n', ')', 'RETURN', 'n', '.', '`x`']
    """
    out = []
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup
        if kind in ("ws", "lcomment", "bcomment"):
            continue
        if kind == "open":
            what = {"'": "string literal", '"': "string literal", "`": "backticked name",
                    "/*": "comment"}[m.group()]
            raise CypherRefused(f"cannot read the query: unterminated {what}", status=400)
        out.append((kind, m.group()))
    return out


def _qualified(toks: list[tuple[str, str]], i: int) -> tuple[str, int]:
    """The dotted name starting at token i (``db.schema.visualization``) and the next index."""
    parts = [toks[i][1]]
    j = i + 1
    while j + 1 < len(toks) and toks[j][1] == "." and toks[j + 1][0] in ("word", "name"):
        parts.append(toks[j + 1][1].strip("`"))
        j += 2
    return ".".join(parts), j


def analyse(query: str) -> str:
    """``'read'`` for a query this endpoint may send; raise :class:`CypherRefused` otherwise."""
    if not isinstance(query, str) or not query.strip():
        raise CypherRefused("empty query", status=400)
    if len(query) > MAX_QUERY_CHARS:
        raise CypherRefused(f"query longer than {MAX_QUERY_CHARS} characters", status=400)
    toks = tokens(query)
    n = len(toks)
    for i, (kind, text) in enumerate(toks):
        if kind == "other" and text == ";" and any(k != "other" or t != ";" for k, t in toks[i + 1:]):
            raise CypherRefused("one statement per request (no ';' between statements)", status=400)
        if kind != "word":
            continue
        prev = toks[i - 1][1] if i else ""
        nxt = toks[i + 1][1] if i + 1 < n else ""
        if prev in (".", ":") or (nxt == ":" and prev in ("{", ",")):
            continue  # a property key, a label or a map key, not a keyword
        word = text.upper()
        if i + 1 < n and nxt == "." and text.lower() in FORBIDDEN_NAMESPACES:
            name, _ = _qualified(toks, i)
            raise CypherRefused(f"{name} is not allowed: apoc.* and dbms.* are refused on this endpoint")
        if word in WRITE_KEYWORDS:
            raise CypherRefused(f"{word} is not allowed: this endpoint is read-only")
        if word in ("START", "STOP") and nxt.upper() == "DATABASE":
            raise CypherRefused(f"{word} DATABASE is not allowed: this endpoint is read-only")
        if word == "USING" and nxt.upper() == "PERIODIC":
            raise CypherRefused("USING PERIODIC COMMIT is not allowed: this endpoint is read-only")
        if word == "IN" and nxt.upper() == "TRANSACTIONS":
            raise CypherRefused("CALL { ... } IN TRANSACTIONS is not allowed: this endpoint is read-only")
        if word == "CALL" and i + 1 < n and nxt not in ("{", "("):
            if toks[i + 1][0] not in ("word", "name"):
                raise CypherRefused("CALL must be followed by a subquery or a procedure name", status=400)
            name, _ = _qualified(toks, i + 1)
            if name.strip("`").lower() not in ALLOWED_PROCEDURES:
                raise CypherRefused(
                    f"procedure {name} is not allowed: this endpoint is read-only "
                    "(apoc.* and dbms.* are refused anywhere)"
                )
    return "read"


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class CypherSettings:
    uri: str | None = None
    user: str = "neo4j"
    password: str | None = None
    database: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_rows: int = DEFAULT_MAX_ROWS

    def __repr__(self) -> str:  # never show the password
        return (f"CypherSettings(uri={self.uri!r}, user={self.user!r}, password={'***' if self.password else None}, "
                f"database={self.database!r}, timeout_s={self.timeout_s}, max_rows={self.max_rows})")

    @property
    def auth(self) -> tuple[str, str] | None:
        return (self.user, self.password) if self.password else None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None = None,
                      env: Mapping[str, str] | None = None) -> "CypherSettings":
        """App settings (``neo4j_uri``, ``neo4j_user``, ``neo4j_password``, ``neo4j_database``,
        ``cypher_timeout``, ``cypher_max_rows``) win over the environment, then defaults.

        >>> CypherSettings.from_settings({"neo4j_uri": "bolt://h:7687"}, env={"IMPC_KG_CYPHER_MAX_ROWS": "5"})
        CypherSettings(uri='bolt://h:7687', user='neo4j', password=None, database=None, timeout_s=30.0, max_rows=5)
        """
        settings = settings or {}
        env = os.environ if env is None else env

        def pick(key: str, var: str) -> Any:
            v = settings.get(key)
            return v if v not in (None, "") else (env.get(var) or None)

        return cls(
            uri=pick("neo4j_uri", "IMPC_KG_NEO4J_URI"),
            user=pick("neo4j_user", "IMPC_KG_NEO4J_USER") or "neo4j",
            password=pick("neo4j_password", "IMPC_KG_NEO4J_PASSWORD"),
            database=pick("neo4j_database", "IMPC_KG_NEO4J_DATABASE"),
            timeout_s=float(pick("cypher_timeout", "IMPC_KG_CYPHER_TIMEOUT") or DEFAULT_TIMEOUT_S),
            max_rows=int(pick("cypher_max_rows", "IMPC_KG_CYPHER_MAX_ROWS") or DEFAULT_MAX_ROWS),
        )


# --------------------------------------------------------------------------- values


def to_json(value: Any) -> Any:
    """A driver value as JSON: nodes and relationships as dicts with their ``id`` property.

    >>> to_json([1, {"a": _dt.date(2025, 1, 16)}])
    [1, {'a': '2025-01-16'}]
    """
    from neo4j.graph import Node, Path, Relationship

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Node):
        return {"labels": sorted(value.labels), "properties": to_json(dict(value))}
    if isinstance(value, Relationship):
        return {"type": value.type,
                "start": value.start_node.get("id") if value.start_node is not None else None,
                "end": value.end_node.get("id") if value.end_node is not None else None,
                "properties": to_json(dict(value))}
    if isinstance(value, Path):
        return {"nodes": [to_json(n) for n in value.nodes],
                "relationships": [to_json(r) for r in value.relationships]}
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    iso = getattr(value, "iso_format", None) or getattr(value, "isoformat", None)
    if callable(iso):
        return iso()
    return str(value)


# --------------------------------------------------------------------------- the service


@dataclass
class CypherResult:
    columns: list[str]
    rows: list[dict[str, Any]]
    elapsed_ms: float


class CypherService:
    """One driver for the app's lifetime, created on first use; READ sessions per request.

    Why lazy and kept: the driver pools connections and reconnects by itself, so when
    Neo4j was down at start-up or restarts later, the next request after it is back
    succeeds without restarting the API; until then requests answer 503.
    """

    def __init__(self, settings: CypherSettings):
        self.settings = settings
        self._driver: Any = None
        self._lock = threading.Lock()

    def _get_driver(self) -> Any:
        if not self.settings.uri:
            raise CypherUnavailable(
                "no Neo4j is configured: set IMPC_KG_NEO4J_URI (and IMPC_KG_NEO4J_USER, "
                "IMPC_KG_NEO4J_PASSWORD) or the app setting neo4j_uri, then load the graph "
                "with `kg load neo4j`"
            )
        with self._lock:
            if self._driver is None:
                from neo4j import GraphDatabase

                try:
                    self._driver = GraphDatabase.driver(
                        self.settings.uri, auth=self.settings.auth, connection_timeout=5.0,
                        connection_acquisition_timeout=10.0, max_transaction_retry_time=0.0,
                    )
                except Exception as exc:  # malformed URI and the like
                    raise CypherUnavailable(f"cannot use the configured Neo4j URI: {exc}") from None
            return self._driver

    def close(self) -> None:
        with self._lock:
            if self._driver is not None:
                self._driver.close()
                self._driver = None

    def run(self, query: str, parameters: Mapping[str, Any] | None = None) -> CypherResult:
        """Check, then run ``query`` in a READ session with a timeout and a row cap."""
        from neo4j import READ_ACCESS, Query
        from neo4j.exceptions import (
            AuthError,
            ClientError,
            DriverError,
            Neo4jError,
            ServiceUnavailable,
            SessionExpired,
        )

        analyse(query)
        params = dict(parameters or {})
        if any(not isinstance(k, str) for k in params):
            raise CypherRefused("parameter names must be strings", status=400)
        driver = self._get_driver()
        cap = self.settings.max_rows
        t0 = time.perf_counter()
        try:
            with driver.session(database=self.settings.database, default_access_mode=READ_ACCESS,
                                fetch_size=min(1000, cap + 1)) as session:
                result = session.run(Query(query, timeout=self.settings.timeout_s), params)
                columns = list(result.keys())
                rows = []
                for record in result:
                    if len(rows) >= cap:
                        raise CypherTooManyRows(
                            f"the answer has more than {cap} rows (the row cap): add LIMIT or narrow the query")
                    rows.append({c: to_json(v) for c, v in zip(columns, record.values())})
        except (ServiceUnavailable, SessionExpired) as exc:
            raise CypherUnavailable(f"Neo4j at {self.settings.uri} is not reachable: {exc}") from None
        except AuthError:
            raise CypherUnavailable(f"Neo4j at {self.settings.uri} refused the configured credentials") from None
        except Neo4jError as exc:
            code = exc.code or ""
            if "TransactionTimedOut" in code or "Terminated" in code:
                raise CypherTimeout(
                    f"the query ran past the {self.settings.timeout_s:g} s timeout and was stopped") from None
            if "AccessMode" in code or "Forbidden" in code:
                raise CypherRefused(f"refused by Neo4j: {exc.message}") from None
            if isinstance(exc, ClientError):
                raise CypherFailed(exc.message or code) from None
            raise CypherUnavailable(f"Neo4j could not run the query: {exc.message or code}") from None
        except DriverError as exc:
            raise CypherUnavailable(f"Neo4j at {self.settings.uri} is not usable: {exc}") from None
        return CypherResult(columns, rows, (time.perf_counter() - t0) * 1000)
