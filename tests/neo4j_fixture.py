"""Session-wide embedded Neo4j for tests (see kg/store/neo4j_launcher.py for the why).

Wire it into ``tests/conftest.py`` with one line (pytest then finds the fixture)::

    pytest_plugins = ["tests.neo4j_fixture"]

or import the fixture into that module's namespace::

    from tests.neo4j_fixture import neo4j_server  # noqa: F401  (a fixture)

A test then asks for ``neo4j_server`` (an :class:`~kg.store.neo4j_launcher.EmbeddedNeo4j`,
started once per session, Bolt on a free 127.0.0.1 port, auth disabled) and connects with
``GraphDatabase.driver(neo4j_server.uri, auth=neo4j_server.auth)``. Mark such tests
``@pytest.mark.neo4j``. Tests share one store: each should clean up what it writes or use
labels/ids of its own. ``start_session_neo4j`` is the same thing as a plain generator, for
code that is not a pytest fixture.

Without Java the fixture skips the test, except under ``CI=true``, where it fails: CI must
not silently skip the Neo4j tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.store.neo4j_launcher import EmbeddedNeo4j


def java_missing_reason() -> str | None:
    """Why the embedded Neo4j cannot run here, or None if it can."""
    if os.environ.get("IMPCKG_NEO4J_CLASSPATH") or os.environ.get("JAVA_HOME"):
        return None
    if shutil.which("java") is None:
        return "java not found (run bash .ci/neo4j-setup.sh)"
    return None


def require_java() -> None:
    """Skip the calling test when Java is absent (fail instead under CI=true)."""
    reason = java_missing_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"embedded Neo4j unavailable in CI: {reason}")
    pytest.skip(reason)


def start_session_neo4j(home: Path) -> Iterator[EmbeddedNeo4j]:
    """Start an embedded Neo4j in ``home``, yield it, stop it afterwards."""
    require_java()
    server = EmbeddedNeo4j(home)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNeo4j]:
    """One embedded Neo4j for the whole test session (start-up costs 8-30 s)."""
    yield from start_session_neo4j(tmp_path_factory.mktemp("neo4j") / "home")
