"""Faults: a damaged store at start-up, a read-only or full disk during a build.

Why: an operator meets these at 3 a.m. and must get one clear line, not a traceback,
and a build that cannot write must never damage the store that is serving. The kill -9
case lives in test_build_download_and_kill.py and is not repeated here.

Read-only and disk-full use a real small tmpfs (``mount -t tmpfs``): the tests run as
root, and ``chmod`` does not stop root, but a read-only or full filesystem does. They
are skipped with the reason when mounting is not allowed. No mocks: real builds, real
Oxigraph, the real ``kg serve`` command.

Neo4j stopped while the service runs: a real embedded Neo4j (kg/store/neo4j_launcher.py,
its own instance, not the session one, since this test stops it) is stopped and started
again on the same port under a running app: /cypher answers 503 while it is down and
200 again once it is back, without restarting the service.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.build import BuildFailed, build
from kg.store.layout import StoreNotFound, StoreRoot
from kg.store.oxigraph_store import OxigraphStore
from tests.conftest import MINI_MIRROR, REPO


def _quiet_build(root: Path, **kw):
    return build(root, data_dir=MINI_MIRROR, allow_download=False, log=lambda m: None, **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """One mini store (with scoring) that each test copies and damages."""
    root = tmp_path_factory.mktemp("faults") / "store"
    _quiet_build(root)
    return root


def _damage(kind: str, root: Path) -> None:
    build_dir = StoreRoot(root).require_current()
    if kind == "no-oxigraph":
        shutil.rmtree(build_dir / "oxigraph")
    elif kind == "bad-manifest":
        (build_dir / "manifest.json").write_text('{"build_id": ')
    elif kind == "manifest-not-a-build":
        (build_dir / "manifest.json").write_text("[]")
    elif kind == "dangling-current":
        shutil.rmtree(build_dir)
    elif kind == "corrupt-oxigraph":
        for f in (build_dir / "oxigraph").iterdir():
            if f.is_file():
                f.write_bytes(os.urandom(100))
    elif kind == "corrupt-scoring":
        for f in (build_dir / "scoring").iterdir():
            f.write_bytes(b"junk")
    elif kind == "no-store":
        shutil.rmtree(root)
        root.mkdir()
    else:
        raise AssertionError(kind)


KINDS = ["no-store", "dangling-current", "bad-manifest", "manifest-not-a-build", "no-oxigraph",
         "corrupt-oxigraph", "corrupt-scoring"]
EXPECTED = {"no-store": "no store at", "dangling-current": "not a complete build",
            "bad-manifest": "unreadable manifest.json", "manifest-not-a-build": "manifest.json has no",
            "no-oxigraph": "Oxigraph directory oxigraph/ is missing",
            "corrupt-oxigraph": "cannot open the Oxigraph database",
            "corrupt-scoring": "cannot load the scoring tables"}


@pytest.mark.parametrize("kind", KINDS)
def test_damaged_store_stops_app_start_up_with_a_clear_message(built, tmp_path, kind):
    root = tmp_path / "store"
    shutil.copytree(built, root, symlinks=True)
    _damage(kind, root)
    with pytest.raises(StoreNotFound, match=EXPECTED[kind]):
        with TestClient(create_app(root)):
            pass


@pytest.mark.parametrize("kind", ["dangling-current", "bad-manifest", "no-oxigraph", "corrupt-oxigraph",
                                  "corrupt-scoring"])
def test_kg_serve_on_a_damaged_store_prints_one_line_not_a_traceback(built, tmp_path, kind):
    root = tmp_path / "store"
    shutil.copytree(built, root, symlinks=True)
    _damage(kind, root)
    proc = subprocess.run([sys.executable, "-c", "from kg.cli import app; app()", "serve", "--store", str(root),
                           "--port", "1"], cwd=REPO, capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "Traceback" not in out, out
    assert "cannot serve:" in out and EXPECTED[kind] in out.replace("\n", " "), out


# -- a read-only or full filesystem during a build ---------------------------------------

def _fingerprint(root: Path) -> tuple[Path, dict, str]:
    """What must not change: the served build, its counts, the bytes of its manifest."""
    cur = StoreRoot(root).require_current()
    store = OxigraphStore.open_build(cur)
    counts = store.counts()
    store.close()
    return cur, counts, hashlib.sha256((cur / "manifest.json").read_bytes()).hexdigest()


@pytest.fixture
def tmpfs(tmp_path):
    """A small tmpfs mounted on tmp_path/mnt (root only); unmounted afterwards."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()

    def mount(size: str) -> Path:
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)],
                             capture_output=True, text=True)
        if res.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({res.stderr.strip() or res.returncode}): "
                        "read-only / disk-full builds not simulated")
        return mnt

    yield mount
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_build_on_a_read_only_store_fails_clearly_and_keeps_the_store(tmpfs):
    mnt = tmpfs("16m")
    root = mnt / "store"
    _quiet_build(root, with_scoring=False)
    before = _fingerprint(root)
    subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
    with pytest.raises(BuildFailed, match="Read-only file system"):
        _quiet_build(root, with_scoring=False)
    assert _fingerprint(root) == before  # still serves, same data: nothing lost
    with TestClient(create_app(root)) as client:
        assert client.get("/health").json()["build_id"] == before[0].name
    subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
    again = _quiet_build(root, with_scoring=False)
    assert StoreRoot(root).require_current() == again.build_dir


def test_build_on_a_full_disk_fails_clearly_and_keeps_the_store(tmpfs):
    mnt = tmpfs("8m")
    root = mnt / "store"
    _quiet_build(root)
    before = _fingerprint(root)
    # fill the filesystem, leaving a few kilobytes: the next build runs out of space
    filler = mnt / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    st = os.statvfs(mnt)
    assert st.f_bavail * st.f_frsize < 256 * 1024
    with pytest.raises(BuildFailed) as err:
        _quiet_build(root)
    assert "No space left on device" in str(err.value) or "ENOSPC" in str(err.value) \
        or "space" in str(err.value).lower(), str(err.value)
    assert "Traceback" not in str(err.value)
    assert _fingerprint(root) == before
    assert not list((root / "builds").glob("*.partial")), "the failed build's partial dir was left"
    filler.unlink()
    again = _quiet_build(root)
    assert StoreRoot(root).require_current() == again.build_dir
    assert json.loads((again.build_dir / "manifest.json").read_text())["counts"] == \
        json.loads((before[0] / "manifest.json").read_text())["counts"]


def test_build_where_a_file_stands_for_the_builds_folder_fails_clearly(tmp_path):
    """A store root whose ``builds`` is a file (a read-only-like path even for root)."""
    root = tmp_path / "store"
    root.mkdir()
    (root / "builds").write_text("not a folder")
    with pytest.raises(BuildFailed, match="cannot write the store"):
        _quiet_build(root, with_scoring=False)


# -- Neo4j stopped while the service runs ------------------------------------------------

@pytest.mark.neo4j
def test_cypher_answers_503_while_neo4j_is_down_and_recovers(built, tmp_path):
    import time

    from kg.store.neo4j_launcher import EmbeddedNeo4j, free_loopback_port
    from tests.neo4j_fixture import require_java

    require_java()
    server = EmbeddedNeo4j(tmp_path / "neo4j", port=free_loopback_port(), heap="512m", page_cache="64m")
    server.start()
    try:
        app = create_app(built, settings={"neo4j_uri": server.uri, "cypher_timeout": 5,
                                          "sparql_isolation": "thread"})
        q = {"query": "RETURN 1 AS one"}
        with TestClient(app, raise_server_exceptions=False) as c:
            r = c.post("/cypher", json=q)
            assert r.status_code == 200 and r.json()["rows"] == [{"one": 1}], r.text
            server.stop()
            r = c.post("/cypher", json=q)
            assert r.status_code == 503, r.text
            assert "Traceback" not in r.text
            assert c.get("/health").status_code == 200  # the rest of the service is unaffected
            server.start()  # same port
            deadline = time.monotonic() + 60
            while True:
                r = c.post("/cypher", json=q)
                if r.status_code == 200 or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert r.status_code == 200 and r.json()["rows"] == [{"one": 1}], r.text
    finally:
        server.stop()
