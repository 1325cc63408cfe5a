"""The Cypher twins of the named queries: ``queries/NAME.cypher`` beside ``queries/NAME.rq``.

Why twins: researchers who work in Neo4j get the same questions, answered the same way,
and the agreement test (tests/integration/test_query_agreement.py) runs both forms on
the full graph and compares the rows. The ``.rq`` file stays the definition: its header
declares the parameters (:mod:`kg.queries`), and a twin is run with exactly the values
the SPARQL form would get -- parsed and checked by the same :meth:`NamedQuery.bind`,
passed as driver parameters (an optional parameter left out is ``null``), never spliced
into the text.

A twin's header uses ``//`` comments with the same keys as the ``.rq`` header
(``title``, ``question``, ``param``, ``example``, ``note``); its ``param`` lines must name
the same parameters (checked by :func:`load`).

>>> sorted(load())[:2]
['disease_phenocopies', 'gene_phenotype_calls']
>>> cypher_params(queries.get("genes_for_phenotype"), {"term": "MP:0001259", "sex": "male"})
{'term': 'MP:0001259', 'sex': 'male', 'zygosity': None, 'p_value_max': None, 'centre': None}
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg import queries
from kg.sparql import Table

QUERY_DIR = queries.QUERY_DIR
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_ROWS = 100_000


@dataclass
class CypherQuery:
    name: str
    text: str
    header: dict[str, Any]
    named: queries.NamedQuery  # the .rq twin: parameters and their types
    path: Path


def parse_header(text: str, name: str) -> dict[str, Any]:
    """The ``//`` header, read with the .rq header rules (same keys, same param syntax)."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        lines.append("#" + line[2:])
    return queries.parse_header("\n".join(lines), name)


def load(directory: Path = QUERY_DIR) -> dict[str, CypherQuery]:
    """Every ``NAME.cypher`` that has a ``NAME.rq``, checked against it; by name."""
    named = queries.load(directory)
    out: dict[str, CypherQuery] = {}
    for path in sorted(Path(directory).glob("*.cypher")):
        if path.stem not in named:
            raise queries.HeaderError(f"{path.name} has no {path.stem}.rq twin")
        text = path.read_text(encoding="utf-8")
        header = parse_header(text, path.stem)
        mine = [p.name for p in header["params"]]
        theirs = [p.name for p in named[path.stem].params]
        if mine != theirs:
            raise queries.HeaderError(f"{path.name}: parameters {mine} differ from {path.stem}.rq's {theirs}")
        for p in mine:
            if not re.search(rf"\${p}\b", text):
                raise queries.HeaderError(f"{path.name}: parameter ${p} is not used in the query")
        out[path.stem] = CypherQuery(path.stem, text, header, named[path.stem], path)
    return out


def get(name: str, directory: Path = QUERY_DIR) -> CypherQuery:
    lib = load(directory)
    if name not in lib:
        raise queries.UnknownQuery(f"no Cypher twin for {name!r}; available: {', '.join(sorted(lib))}")
    return lib[name]


def cypher_params(named: queries.NamedQuery, raw: Mapping[str, str]) -> dict[str, Any]:
    """The driver parameters: the .rq's parsed values, ``None`` for an optional one left out."""
    _, shown = named.bind(raw)
    return {p.name: shown.get(p.name) for p in named.params}


def run(driver: Any, name: str, raw_params: Mapping[str, str] | None = None, *,
        database: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
        max_rows: int = DEFAULT_MAX_ROWS, directory: Path = QUERY_DIR) -> Table:
    """Run the Cypher twin of a named query in a READ session; a :class:`kg.sparql.Table`."""
    from neo4j import READ_ACCESS, Query

    q = get(name, directory)
    params = cypher_params(q.named, raw_params or {})
    t0 = time.perf_counter()
    with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
        result = session.run(Query(q.text, timeout=timeout_s), params)
        columns = list(result.keys())
        rows = []
        for record in result:
            if len(rows) >= max_rows:
                raise queries.ParamError(f"{name}: more than {max_rows} rows")
            rows.append(dict(zip(columns, record.values())))
    return Table(columns, rows, time.perf_counter() - t0)
