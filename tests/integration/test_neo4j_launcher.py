"""The embedded Neo4j launcher against the real database, through the official driver.

Starts its own servers (not the session fixture) because it also checks that stop()
releases the port and that a restart in the same home keeps the data (with auth on).
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

neo4j = pytest.importorskip("neo4j")

from kg.store.neo4j_launcher import (  # noqa: E402
    EmbeddedNeo4j,
    find_launcher_classpath,
    port_is_free,
)
from tests.neo4j_fixture import require_java  # noqa: E402

pytestmark = pytest.mark.neo4j


def _connectable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def classpath() -> str:
    require_java()
    return find_launcher_classpath()


def test_embedded_neo4j_bolt_roundtrip(tmp_path: Path, classpath: str) -> None:
    home = tmp_path / "neo4j"
    server = EmbeddedNeo4j(home, classpath=classpath)
    with server:
        assert server.is_running()
        assert server.auth is None
        assert server.uri == f"bolt://127.0.0.1:{server.port}"
        port = server.port
        assert port is not None and not port_is_free(port)

        with neo4j.GraphDatabase.driver(server.uri, auth=server.auth) as driver:
            driver.verify_connectivity()
            info = driver.get_server_info()
            assert info.agent.startswith("Neo4j/5.26"), info.agent

            genes = [
                {"id": "MGI:1", "symbol": "Pax6"},
                {"id": "MGI:2", "symbol": "Sox2"},
                {"id": "MGI:3", "symbol": "Shh"},
            ]
            with driver.session(database="neo4j") as session:
                session.execute_write(
                    lambda tx: tx.run(
                        "UNWIND $genes AS g CREATE (:Gene {id: g.id, symbol: g.symbol})",
                        genes=genes,
                    ).consume()
                )
                summary = session.execute_write(
                    lambda tx: tx.run(
                        "MATCH (a:Gene {id: $a}), (b:Gene {id: $b}) "
                        "CREATE (a)-[:ORTHOLOGOUS_TO {source: $src}]->(b)",
                        a="MGI:1",
                        b="MGI:2",
                        src="test",
                    ).consume()
                )
                assert summary.counters.relationships_created == 1

            records, _, _ = driver.execute_query(
                "MATCH (a:Gene {id: $id})-[r:ORTHOLOGOUS_TO]->(b:Gene) "
                "RETURN a.symbol AS a, type(r) AS rel, r.source AS src, b.symbol AS b",
                id="MGI:1",
                database_="neo4j",
            )
            assert [r.data() for r in records] == [
                {"a": "Pax6", "rel": "ORTHOLOGOUS_TO", "src": "test", "b": "Sox2"}
            ]
            count = driver.execute_query(
                "MATCH (g:Gene) RETURN count(g) AS n", database_="neo4j"
            ).records[0]["n"]
            assert count == 3

            # A READ-mode session must refuse writes.
            with driver.session(database="neo4j", default_access_mode=neo4j.READ_ACCESS) as ro:
                with pytest.raises(neo4j.exceptions.ClientError) as excinfo:
                    ro.run("CREATE (:Gene {id: 'MGI:999'})").consume()
                assert "write" in str(excinfo.value).lower()
            assert driver.execute_query(
                "MATCH (g:Gene {id: 'MGI:999'}) RETURN count(g) AS n", database_="neo4j"
            ).records[0]["n"] == 0

    # stop() (via __exit__) waited for the JVM: the port is released at once.
    assert not server.is_running()
    assert port_is_free(port)
    assert not _connectable(port)
    assert (home / "logs" / "launcher.log").is_file()
    assert "shutdown complete" in (home / "logs" / "launcher.log").read_text()

    # The store survives a restart in the same home (new port), this time with auth on.
    with EmbeddedNeo4j(home, password="s3cret-pw", classpath=classpath) as again:
        assert again.auth == ("neo4j", "s3cret-pw")
        with neo4j.GraphDatabase.driver(again.uri, auth=again.auth) as driver:
            n = driver.execute_query(
                "MATCH (:Gene)-[r:ORTHOLOGOUS_TO]->(:Gene) RETURN count(r) AS n",
                database_="neo4j",
            ).records[0]["n"]
            assert n == 1
        with neo4j.GraphDatabase.driver(again.uri, auth=("neo4j", "wrong-password")) as bad:
            with pytest.raises(neo4j.exceptions.AuthError):
                bad.verify_connectivity()


def test_missing_launcher_project_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.store.neo4j_launcher import LauncherBuildError

    monkeypatch.delenv("IMPCKG_NEO4J_CLASSPATH", raising=False)
    with pytest.raises(LauncherBuildError, match="no launcher Maven project"):
        find_launcher_classpath(tmp_path)
