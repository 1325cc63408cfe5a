"""Fixtures that put the graph into the session's embedded Neo4j (see tests/neo4j_fixture.py).

Why a module of its own: the load tests, the Cypher API tests and the store-protocol
suite all need the mini graph in Neo4j; loading it once per session (a few seconds)
keeps them fast. Import the fixture into a test module::

    from tests.neo4j_graph import mini_neo4j  # noqa: F401  (a fixture)

``mini_neo4j`` empties the session database first, so it always holds exactly the mini
graph; tests must not write to it (the write-refusal tests check nothing changed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def wipe(uri: str, auth: Any = None) -> None:
    """Remove every node, relationship, constraint and index (a clean database)."""
    from neo4j import GraphDatabase

    from kg.store.neo4j_store import clear

    with GraphDatabase.driver(uri, auth=auth) as driver:
        clear(driver, schema=True)


def load_store(store_root: Path, uri: str, auth: Any = None):
    """Load the current build of a store root into Neo4j; the LoadReport."""
    from kg.store.neo4j_store import load_graph
    from kg.store.oxigraph_store import OxigraphStore

    return load_graph(OxigraphStore.open(store_root), uri, auth, progress=False)


@pytest.fixture(scope="session")
def mini_neo4j(neo4j_server, mini_store):
    """The session Neo4j holding exactly the mini graph; yields (server, first LoadReport)."""
    wipe(neo4j_server.uri, neo4j_server.auth)
    report = load_store(mini_store, neo4j_server.uri, neo4j_server.auth)
    yield neo4j_server, report
