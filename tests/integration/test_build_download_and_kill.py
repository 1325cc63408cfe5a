"""Builds that download their sources, and builds that are killed half-way.

Downloads: a real HTTP server on 127.0.0.1 serves the mini mirror; the catalogue's
URLs point at it; `build` fetches every file into the cache and builds from there.
Kill -9: a real `kg build` of the full data is killed while it writes; the previous
store must still serve, and the next build must succeed and clean up.
"""

from __future__ import annotations

import functools
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from kg.build import build
from kg.catalogue import load_catalogue
from kg.store.layout import StoreRoot
from kg.store.oxigraph_store import OxigraphStore

from tests.conftest import MINI_MIRROR, REPO


@pytest.fixture
def http_mirror():
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(MINI_MIRROR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_build_downloads_missing_sources_into_the_cache(tmp_path, http_mirror):
    cat = {}
    for name, src in load_catalogue().items():
        local = next((m for m in src.mirror if (MINI_MIRROR / m).is_file()), None)
        if local is None:
            continue
        cat[name] = replace(src, url=f"{http_mirror}/{local}")
    cache = tmp_path / "cache"
    res = build(tmp_path / "store", data_dir=None, cache_dir=cache, allow_download=True,
                catalogue=cat, with_scoring=False, log=lambda m: None)
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(".part")) == \
        sorted({Path(s.url).name for s in cat.values()})
    assert res.manifest["counts"]["totals"]["biolink:Disease"] == 3
    # the second build finds everything in the cache and downloads nothing
    res2 = build(tmp_path / "store", data_dir=None, cache_dir=cache, allow_download=False,
                 catalogue=cat, with_scoring=False, log=lambda m: None)
    assert res2.manifest["counts"] == res.manifest["counts"]


@pytest.mark.integration
def test_kill_9_during_build_leaves_the_previous_store_serving(tmp_path, data_dir):
    root = tmp_path / "store"
    first = build(root, data_dir=MINI_MIRROR, allow_download=False, with_scoring=False, log=lambda m: None)
    counts = OxigraphStore.open(root).counts()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kg.cli import app; app()", "build", "--data-dir", str(data_dir),
         "--store", str(root), "--offline", "--no-scoring"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list((root / "builds").glob("*.partial/oxigraph")):
        time.sleep(0.2)
    time.sleep(3)  # well inside the write: the full build takes far longer
    assert proc.poll() is None, "the build ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list((root / "builds").glob("*.partial")), "the killed build left its partial directory"
    # the previous store still serves, with its own counts
    assert StoreRoot(root).require_current() == first.build_dir
    assert OxigraphStore.open(root).counts() == counts
    # and the next build succeeds and removes the leftover
    again = build(root, data_dir=MINI_MIRROR, allow_download=False, with_scoring=False, log=lambda m: None)
    assert StoreRoot(root).require_current() == again.build_dir
    assert not list((root / "builds").glob("*.partial"))
