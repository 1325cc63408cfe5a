"""Neo4j as a graph store, and the loader that fills it from the embedded store.

Why: researchers who think in Cypher, and Monarch-style queries, want the graph in
Neo4j. The embedded Oxigraph store stays the source of truth; Neo4j receives the
*property-graph reading* of it (:mod:`kg.property_graph`, the same reading ``kg export
neo4j`` writes as CSV), so the Neo4j graph, the neo4j-admin CSVs and the KGX files agree.

Shape (the Monarch KG convention, so Monarch-style Cypher runs unchanged)
    * a node per entity, labelled with its Biolink category and the category's ancestors
      (``biolink:Gene``, ``biolink:NamedThing``, ...; backticked in Cypher), plus
      :data:`KEY_LABEL` (``biolink:Entity``, the root every Biolink class descends from)
      so an edge's endpoints are found through one unique index whatever their category;
      properties ``id``, ``category``, ``name``, ``symbol``, ``synonym`` ...
    * a relationship per edge, its type the predicate CURIE (``biolink:has_phenotype``,
      ``biolink:subclass_of``, ``skos:exactMatch``), its properties the association's
      statistics (``p_value``, ``effect_size``, ``sex``, ``zygosity``, ``provided_by`` ...).

Loading (:func:`load_graph`)
    Constraints and indexes first (a uniqueness constraint on ``id`` for every label
    used, a range index on ``id`` for every relationship type), then ``UNWIND`` batches
    whose values travel as driver parameters. Label and type names cannot be
    parameters in Cypher, so each is checked against :data:`NAME_PATTERN` before it is
    put, backticked, into the text. Nodes and relationships are ``MERGE``\\ d on their
    keys and their properties *replaced*, so a second run leaves the same graph.
    A relationship's key is its ``id`` *and* its ``provided_by``: an association that
    two source graphs describe (e.g. an IMPC call in two data releases) stays two
    edges, each with its own source's values, as the SPARQL queries see it per graph.

Verifying (:func:`verify`)
    After the load, node counts per label and relationship counts per type (and per
    association category) are compared with the property-graph reading; labels or types
    that should not be there count too. Monarch once lost phenotype edges on the way
    into Neo4j without anyone noticing (monarch-app#1116): here a difference is reported,
    with sample ids of what is missing, and ``kg load neo4j`` exits non-zero on it.

>>> cypher_name("biolink:has_phenotype")
'`biolink:has_phenotype`'
>>> cypher_name("biolink:Gene`) DETACH DELETE (n")
Traceback (most recent call last):
...
ValueError: refusing to use 'biolink:Gene`) DETACH DELETE (n' as a Neo4j label or type: it does not match NAME_PATTERN
>>> clean_properties({"id": "MGI:1", "synonym": [], "p": None, "mixed": [1, "a"], "x": 1.5})
{'id': 'MGI:1', 'mixed': ['1', 'a'], 'x': 1.5}
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from kg.store.interface import Entity, Neighbour

#: a label or relationship-type name we accept: a CURIE-like ``prefix:local`` of plain
#: characters, so that backticking it can never end the quoted name (no backtick, no
#: backslash, no whitespace, no unicode escapes).
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*:[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
#: every node carries this label; its unique ``id`` index finds any node (edges' endpoints)
KEY_LABEL = "biolink:Entity"
DEFAULT_BATCH = 5000
#: write transactions in flight at once (see :func:`_write`)
DEFAULT_WORKERS = 1
#: relationship property indexes the named Cypher queries start from (a gene's IMPC calls)
QUERY_INDEXES = (("biolink:has_phenotype", "gene"),)

__all__ = [
    "KEY_LABEL",
    "LoadReport",
    "Neo4jStore",
    "clean_properties",
    "clear",
    "cypher_name",
    "ensure_schema",
    "load_graph",
    "load_property_graph",
    "verify",
]


# --------------------------------------------------------------------------- names, values


def cypher_name(name: str) -> str:
    """A label or relationship type, validated and backticked for Cypher text.

    Why validate: names cannot be query parameters, so they are the one thing the
    loader writes into the query text; a strict pattern keeps that text ours.
    """
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ValueError(
            f"refusing to use {name!r} as a Neo4j label or type: it does not match NAME_PATTERN"
        )
    return f"`{name}`"


def _schema_name(kind: str, name: str) -> str:
    """A constraint/index name derived from a validated label/type (letters, digits, _)."""
    return f"impckg_{kind}_" + re.sub(r"[^A-Za-z0-9]", "_", name)


def clean_properties(props: dict[str, Any]) -> dict[str, Any]:
    """Properties as Neo4j stores them: no nulls, no empty lists, lists of one type.

    Why: Neo4j has no null property (``SET n = {x: null}`` drops x) and arrays must be
    homogeneous; a list mixing numbers and strings becomes a list of strings.
    """
    out: dict[str, Any] = {}
    for k, v in props.items():
        if v is None:
            continue
        if isinstance(v, (list, tuple)):
            vals = [x for x in v if x is not None]
            if not vals:
                continue
            if len({type(x) for x in vals}) > 1:
                vals = [str(x) for x in vals]
            out[k] = vals
        else:
            out[k] = v
    return out


def node_labels(node: Any) -> tuple[str, ...]:
    """A node's labels: its category, the category's ancestors, and :data:`KEY_LABEL`."""
    labels = tuple(node.labels)
    return labels if KEY_LABEL in labels else labels + (KEY_LABEL,)


def edge_key(edge: Any) -> tuple[str, tuple[str, ...]]:
    """What identifies a relationship: its id and the sources that describe it."""
    return edge.id, tuple(edge.properties.get("provided_by") or ())


# --------------------------------------------------------------------------- load report


@dataclass
class LoadReport:
    """What a load wrote and what the verification found (empty ``differences`` = all there)."""

    nodes: int = 0
    relationships: int = 0
    seconds: float = 0.0
    read_seconds: float = 0.0
    expected_labels: dict[str, int] = field(default_factory=dict)
    found_labels: dict[str, int] = field(default_factory=dict)
    expected_types: dict[str, int] = field(default_factory=dict)
    found_types: dict[str, int] = field(default_factory=dict)
    expected_categories: dict[str, int] = field(default_factory=dict)
    found_categories: dict[str, int] = field(default_factory=dict)
    dangling: list[str] = field(default_factory=list)  # edges whose endpoint is no node
    duplicates: list[str] = field(default_factory=list)  # edges sharing one key
    missing_node_ids: list[str] = field(default_factory=list)
    missing_relationship_ids: list[str] = field(default_factory=list)

    @property
    def differences(self) -> list[str]:
        """One line per label/type/category whose count in Neo4j is not the expected one."""
        out = []
        for what, exp, got in (
            ("label", self.expected_labels, self.found_labels),
            ("relationship type", self.expected_types, self.found_types),
            ("association category", self.expected_categories, self.found_categories),
        ):
            for name in sorted(set(exp) | set(got)):
                if exp.get(name, 0) != got.get(name, 0):
                    out.append(f"{what} {name}: expected {exp.get(name, 0)}, Neo4j has {got.get(name, 0)}")
        if self.dangling:
            out.append(f"{len(self.dangling)} edges point to no node, e.g. {self.dangling[:3]}")
        if self.duplicates:
            out.append(f"{len(self.duplicates)} edges share a key with another, e.g. {self.duplicates[:3]}")
        if self.missing_node_ids:
            out.append(f"missing nodes, e.g. {self.missing_node_ids[:5]}")
        if self.missing_relationship_ids:
            out.append(f"missing relationships, e.g. {self.missing_relationship_ids[:5]}")
        return out

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def per_second(self) -> float:
        """Loaded nodes + relationships per second of load (reading the store excluded)."""
        return (self.nodes + self.relationships) / self.seconds if self.seconds else 0.0


# --------------------------------------------------------------------------- loading


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def ensure_schema(driver: Any, labels: Iterable[str], types: Iterable[str], database: str | None = None) -> None:
    """A unique ``id`` per node label and an ``id`` index per relationship type, before data.

    Why first: MERGE on ``id`` then seeks an index instead of scanning every node, and
    the uniqueness constraint makes a duplicate node impossible rather than unlikely.
    ``IF NOT EXISTS`` makes this idempotent. :data:`QUERY_INDEXES` adds the property
    indexes the named Cypher queries start from.
    """
    labels, types = set(labels), set(types)
    for label in sorted(labels):
        driver.execute_query(
            f"CREATE CONSTRAINT {_schema_name('id', label)} IF NOT EXISTS "
            f"FOR (n:{cypher_name(label)}) REQUIRE n.id IS UNIQUE",
            database_=database,
        )
    for rtype in sorted(types):
        driver.execute_query(
            f"CREATE INDEX {_schema_name('rel_id', rtype)} IF NOT EXISTS "
            f"FOR ()-[r:{cypher_name(rtype)}]-() ON (r.id)",
            database_=database,
        )
    for rtype, prop in QUERY_INDEXES:
        if rtype in types and re.fullmatch(r"[a-z_]+", prop):
            driver.execute_query(
                f"CREATE INDEX {_schema_name(prop, rtype)} IF NOT EXISTS "
                f"FOR ()-[r:{cypher_name(rtype)}]-() ON (r.{prop})",
                database_=database,
            )
    driver.execute_query("CALL db.awaitIndexes(300)", database_=database)


def clear(driver: Any, database: str | None = None, schema: bool = False) -> None:
    """Delete every node and relationship (batched, so a big graph does not need one huge
    transaction); with ``schema``, drop every constraint and index too.

    Why: a reload after a rebuild MERGEs what exists now but cannot know what was removed
    since; ``kg load neo4j --replace`` starts from an empty database instead.
    """
    with driver.session(database=database) as session:  # auto-commit: IN TRANSACTIONS needs it
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        if schema:
            for rec in list(session.run("SHOW CONSTRAINTS YIELD name")):
                session.run(f"DROP CONSTRAINT {_quote_any(rec['name'])} IF EXISTS").consume()
            for rec in list(session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")):
                session.run(f"DROP INDEX {_quote_any(rec['name'])} IF EXISTS").consume()


def _node_query(labels: tuple[str, ...]) -> str:
    extra = "".join(":" + cypher_name(lab) for lab in labels if lab != KEY_LABEL)
    return (
        "UNWIND $rows AS row "
        f"MERGE (n:{cypher_name(KEY_LABEL)} {{id: row.id}}) "
        "SET n = row.props" + (f", n{extra}" if extra else "")
    )


def _edge_query(rtype: str) -> str:
    key = cypher_name(KEY_LABEL)
    return (
        "UNWIND $rows AS row "
        f"MATCH (a:{key} {{id: row.s}}) MATCH (b:{key} {{id: row.o}}) "
        f"MERGE (a)-[r:{cypher_name(rtype)} {{id: row.id, provided_by: row.provided_by}}]->(b) "
        "SET r = row.props"
    )


def load_property_graph(
    driver: Any,
    nodes: dict[str, Any],
    edges: list[Any],
    *,
    database: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: bool = True,
    console: Any = None,
    workers: int = DEFAULT_WORKERS,
) -> LoadReport:
    """Write nodes and edges (the :mod:`kg.property_graph` reading) to Neo4j, then verify.

    Returns the :class:`LoadReport`; the caller decides what a difference means (the
    CLI exits with status 1). Edges whose endpoint is no node are not sent (Neo4j could
    not create them) but are listed in the report, never dropped silently.
    """
    t0 = time.perf_counter()
    report = LoadReport()
    by_labels: dict[tuple[str, ...], list[dict]] = defaultdict(list)
    for n in nodes.values():
        props = clean_properties({**n.properties, "id": n.id, "category": n.category})
        by_labels[node_labels(n)].append({"id": n.id, "props": props})
    by_type: dict[str, list[dict]] = defaultdict(list)
    seen: set[tuple] = set()
    for e in edges:
        if e.subject not in nodes or e.object not in nodes:
            report.dangling.append(e.id)
            continue
        key = edge_key(e)
        if key in seen:
            report.duplicates.append(e.id)
            continue
        seen.add(key)
        props = clean_properties({**e.properties, "id": e.id})
        by_type[e.predicate].append(
            {"s": e.subject, "o": e.object, "id": e.id, "provided_by": props.get("provided_by"), "props": props}
        )
    all_labels = {lab for labs in by_labels for lab in labs}
    # validate every name before anything is written
    for name in sorted(all_labels | set(by_type)):
        cypher_name(name)
    ensure_schema(driver, all_labels, by_type, database)

    total = sum(map(len, by_labels.values())) + sum(map(len, by_type.values()))
    with _progress(progress, console) as bar:
        task = bar.add_task("nodes", total=total)
        node_jobs = [(_node_query(labels), batch, f"nodes {labels[0]}")
                     for labels, rows in sorted(by_labels.items()) for batch in _batches(rows, batch_size)]
        report.nodes = _write(driver, database, node_jobs, workers, bar, task)
        edge_jobs = [(_edge_query(rtype), batch, f"edges {rtype}")
                     for rtype, rows in sorted(by_type.items()) for batch in _batches(rows, batch_size)]
        report.relationships = _write(driver, database, edge_jobs, workers, bar, task)
    report.seconds = time.perf_counter() - t0
    verify(driver, nodes, edges, database=database, report=report)
    return report


def _write(driver: Any, database: str | None, jobs: list[tuple[str, Sequence[dict], str]],
           workers: int, bar: Any, task: Any) -> int:
    """Run the (query, rows) write jobs, ``workers`` transactions at a time; rows written.

    Why an option: with two in flight, the driver packs one batch while Neo4j commits
    the other. All nodes are written before any relationship (the callers' two calls),
    so a relationship's ends always exist; but concurrent relationship batches lock the
    same dense nodes (HP terms with thousands of annotations), Neo4j detects deadlocks
    and ``execute_write`` retries them after a back-off. Measured on the full graph
    (bench/RESULTS.md, "neo4j"): 2 workers 75-87 s, 1 worker 69-93 s, with dozens of
    retried deadlocks -- so the default is 1.
    """
    done = 0
    if workers <= 1:
        with driver.session(database=database) as session:
            for query, rows, what in jobs:
                bar.update(task, description=what)
                session.execute_write(_run, query, rows)
                done += len(rows)
                bar.advance(task, len(rows))
        return done
    local = threading.local()
    sessions: list[Any] = []
    lock = threading.Lock()

    def one(job: tuple[str, Sequence[dict], str]) -> int:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = driver.session(database=database)
            with lock:
                sessions.append(session)
        session.execute_write(_run, job[0], job[1])
        return len(job[1])

    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="neo4j-load") as pool:
            pending = {pool.submit(one, job): job for job in jobs}
            for fut in as_completed(pending):
                n = fut.result()  # re-raises the first failure
                done += n
                bar.update(task, description=pending[fut][2])
                bar.advance(task, n)
    finally:
        for session in sessions:
            session.close()
    return done


def _run(tx: Any, query: str, rows: Sequence[dict]) -> None:
    tx.run(query, rows=list(rows)).consume()


class _NoProgress:
    def __enter__(self) -> "_NoProgress":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, *a: Any, **k: Any) -> int:
        return 0

    def update(self, *a: Any, **k: Any) -> None:
        pass

    def advance(self, *a: Any, **k: Any) -> None:
        pass


def _progress(enabled: bool, console: Any) -> Any:
    if not enabled:
        return _NoProgress()
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def expected_counts(nodes: dict[str, Any], edges: list[Any]) -> tuple[Counter, Counter, Counter]:
    """Labels, relationship types and association categories the reading says Neo4j must hold."""
    labels: Counter = Counter()
    for n in nodes.values():
        labels.update(node_labels(n))
    types: Counter = Counter()
    cats: Counter = Counter()
    seen: set[tuple] = set()
    for e in edges:
        key = edge_key(e)
        if key in seen:
            continue
        seen.add(key)
        types[e.predicate] += 1
        if e.properties.get("category"):
            cats[e.properties["category"]] += 1
    return labels, types, cats


def verify(
    driver: Any,
    nodes: dict[str, Any],
    edges: list[Any],
    *,
    database: str | None = None,
    report: LoadReport | None = None,
) -> LoadReport:
    """Compare Neo4j's counts per label, type and association category with the reading.

    Counts come from Neo4j's count store (instant). When a count differs, the ids are
    compared too, so the report names what is missing, not only how many.
    """
    report = report or LoadReport()
    labels, types, cats = expected_counts(nodes, edges)
    report.expected_labels, report.expected_types = dict(labels), dict(types)
    report.expected_categories = dict(cats)
    found_labels = {}
    for (label,) in _rows(driver, "CALL db.labels() YIELD label RETURN label", database):
        found_labels[label] = _count(driver, f"MATCH (n:{_quote_any(label)}) RETURN count(n)", database)
    found_types = {}
    for (rtype,) in _rows(driver, "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType", database):
        found_types[rtype] = _count(driver, f"MATCH ()-[r:{_quote_any(rtype)}]->() RETURN count(r)", database)
    report.found_labels = {k: v for k, v in found_labels.items() if v}
    report.found_types = {k: v for k, v in found_types.items() if v}
    report.found_categories = {
        c: n
        for c, n in _rows(
            driver,
            "MATCH ()-[r]->() WHERE r.category IS NOT NULL RETURN r.category, count(*)",
            database,
        )
    }
    if report.found_labels != report.expected_labels:
        have = {i for (i,) in _rows(driver, f"MATCH (n:{cypher_name(KEY_LABEL)}) RETURN n.id", database)}
        report.missing_node_ids = sorted(set(nodes) - have)[:100]
    if report.found_types != report.expected_types or report.found_categories != report.expected_categories:
        have_e = {
            (i, tuple(p or ()))
            for i, p in _rows(driver, "MATCH ()-[r]->() RETURN r.id, r.provided_by", database)
        }
        report.missing_relationship_ids = sorted({e.id for e in edges if edge_key(e) not in have_e})[:100]
    return report


def _quote_any(name: str) -> str:
    """Backtick a name read back from the database (doubling backticks, as Cypher escapes)."""
    return "`" + name.replace("`", "``") + "`"


def _rows(driver: Any, query: str, database: str | None, **params: Any) -> list[tuple]:
    from neo4j import RoutingControl

    records = driver.execute_query(query, params, database_=database, routing_=RoutingControl.READ).records
    return [tuple(r.values()) for r in records]


def _count(driver: Any, query: str, database: str | None) -> int:
    return int(_rows(driver, query, database)[0][0])


def load_graph(
    oxigraph_store: Any,
    uri: str,
    auth: Any,
    *,
    database: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: bool = True,
    console: Any = None,
    log: Callable[[str], None] | None = None,
    workers: int = DEFAULT_WORKERS,
    replace: bool = False,
) -> LoadReport:
    """Read the embedded store as a property graph and load it into the Neo4j at ``uri``.

    ``auth`` is what the driver takes (``(user, password)`` or ``None``). Idempotent:
    a second run MERGEs onto the same nodes and relationships. ``replace`` empties the
    database first (see :func:`clear`).
    """
    from neo4j import GraphDatabase

    from kg import property_graph as pg

    t0 = time.perf_counter()
    nodes, edges = pg.read(oxigraph_store)
    read_s = time.perf_counter() - t0
    if log:
        log(f"read {len(nodes)} nodes and {len(edges)} edges from the store in {read_s:.1f} s")
    with GraphDatabase.driver(uri, auth=auth) as driver:
        driver.verify_connectivity()
        if replace:
            if log:
                log("deleting everything in the database first (--replace)")
            clear(driver, database)
        report = load_property_graph(
            driver, nodes, edges, database=database, batch_size=batch_size, progress=progress,
            console=console, workers=workers,
        )
    report.read_seconds = read_s
    return report


# --------------------------------------------------------------------------- the store


class Neo4jStore:
    """The :class:`~kg.store.interface.GraphStore` protocol over a Neo4j holding the graph.

    Why the same protocol: the API, the CLI and the shared store test suite ask both
    backends the same questions. Neighbours are the property-graph edges (an IMPC call
    is one ``biolink:has_phenotype`` edge model -> phenotype), deduplicated per
    (predicate, neighbour, direction) as :class:`~kg.store.oxigraph_store.OxigraphStore`
    does; their ``source`` is the edges' ``provided_by``.
    """

    backend = "neo4j"

    def __init__(self, driver: Any, database: str | None = None, own_driver: bool = False):
        self.driver = driver
        self.database = database
        self._own = own_driver

    @classmethod
    def connect(cls, uri: str, auth: Any = None, database: str | None = None, **kwargs: Any) -> "Neo4jStore":
        from neo4j import GraphDatabase

        return cls(GraphDatabase.driver(uri, auth=auth, **kwargs), database, own_driver=True)

    def close(self) -> None:
        if self._own and self.driver is not None:
            self.driver.close()
        self.driver = None

    def _read(self, query: str, **params: Any) -> list[Any]:
        from neo4j import RoutingControl

        return self.driver.execute_query(
            query, params, database_=self.database, routing_=RoutingControl.READ
        ).records

    def entity(self, curie: str, max_neighbours: int = 500) -> Entity | None:
        key = cypher_name(KEY_LABEL)
        rows = self._read(f"MATCH (n:{key} {{id: $id}}) RETURN properties(n) AS p", id=curie)
        if not rows:
            return None
        p = dict(rows[0]["p"])
        props = {
            k: sorted(set(v), key=str) if isinstance(v, list) else [v]
            for k, v in p.items()
            if k not in ("id", "category")
        }
        neighbours: list[Neighbour] = []
        counts: dict[str, int] = {}
        for direction, pattern in (("out", "(n)-[r]->(m)"), ("in", "(n)<-[r]-(m)")):
            # grouping in Cypher dedupes parallel edges (several calls model -> term)
            recs = self._read(
                f"MATCH (n:{key} {{id: $id}}) MATCH {pattern} "
                "WITH type(r) AS t, m.id AS mid, m.name AS name, "
                "     collect(r.provided_by) AS srcs, count(r) AS k "
                "RETURN t, mid, name, srcs, k ORDER BY t, mid",
                id=curie,
            )
            counts[direction] = sum(int(r["k"]) for r in recs)
            for r in recs[:max_neighbours]:
                sources: list[str] = []
                for src in r["srcs"]:
                    sources += [s for s in (src or []) if s not in sources]
                neighbours.append(Neighbour(r["t"], r["mid"], r["name"], direction, ",".join(sources)))
        label = p.get("name")
        sources = sorted(set(p.get("provided_by") or []))
        return Entity(curie, p.get("category"), label, props, neighbours, counts, sources)

    def counts(self) -> dict[str, Any]:
        """Nodes per category and label, relationships per type, associations per category.

        The keys shared with :meth:`OxigraphStore.counts` mean the same:
        ``totals`` (Biolink instance and association categories), ``negated_annotations``
        and ``mappings_per_set``; ``labels`` and ``relationships`` are Neo4j's own view.
        """
        totals: dict[str, int] = {}
        for r in self._read(
            f"MATCH (n:{cypher_name(KEY_LABEL)}) RETURN n.category AS c, count(*) AS n"
        ):
            totals[r["c"]] = r["n"]
        for r in self._read("MATCH ()-[r]->() WHERE r.category IS NOT NULL RETURN r.category AS c, count(*) AS n"):
            totals[r["c"]] = totals.get(r["c"], 0) + r["n"]
        labels = {
            r["label"]: self._read(f"MATCH (n:{_quote_any(r['label'])}) RETURN count(n) AS n")[0]["n"]
            for r in self._read("CALL db.labels() YIELD label RETURN label")
        }
        rels = {
            r["t"]: self._read(f"MATCH ()-[x:{_quote_any(r['t'])}]->() RETURN count(x) AS n")[0]["n"]
            for r in self._read("CALL db.relationshipTypes() YIELD relationshipType AS t RETURN t")
        }
        negated = self._read("MATCH ()-[r]->() WHERE r.negated = true RETURN count(r) AS n")[0]["n"]
        sets = {
            r["s"]: r["n"]
            for r in self._read(
                "MATCH ()-[r]->() WHERE r.mapping_set IS NOT NULL "
                "RETURN r.mapping_set AS s, count(DISTINCT r.id) AS n"
            )
        }
        return {
            "totals": totals,
            "labels": {k: v for k, v in labels.items() if v},
            "relationships": {k: v for k, v in rels.items() if v},
            "negated_annotations": negated,
            "mappings_per_set": sets,
        }
