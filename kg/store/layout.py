"""On-disk layout of a store root, and the atomic swap that makes builds safe.

Why: a failed or killed build (kill -9 included) must leave the previous store
intact and serving. Every build writes into ``builds/<id>.partial``; only when it
is complete is it renamed to ``builds/<id>`` and the ``current`` symlink replaced
with ``os.replace`` (atomic on POSIX). A reader resolves ``current`` once, at open.

    STORE_ROOT/
      current -> builds/20261126T220000-1a2b3c
      builds/20261126T220000-1a2b3c/   oxigraph/ manifest.json report.json report.md scoring/
      builds/...partial/                (an unfinished build; removed by the next build)
      .lock                             (flock held while a build runs)

>>> import tempfile
>>> root = StoreRoot(Path(tempfile.mkdtemp()))
>>> root.current() is None
True
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

MANIFEST = "manifest.json"
OXIGRAPH_DIR = "oxigraph"
SCORING_DIR = "scoring"
KEEP_BUILDS = 2


class StoreNotFound(Exception):
    """No complete build under the store root (or the ``current`` link is broken)."""


class BuildLocked(Exception):
    """Another build holds the lock on this store root."""


class StoreRoot:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.builds = self.path / "builds"
        self.link = self.path / "current"

    def current(self) -> Path | None:
        """The directory of the build being served, or None when there is none."""
        if not self.link.is_symlink() and not self.link.exists():
            return None
        target = self.link.resolve()
        if not (target / MANIFEST).is_file():
            return None
        return target

    def require_current(self) -> Path:
        cur = self.current()
        if cur is None:
            if self.link.is_symlink():
                raise StoreNotFound(f"store at {self.path} is damaged: 'current' points to "
                                    f"{os.readlink(self.link)}, which is not a complete build; run `kg build`")
            raise StoreNotFound(f"no store at {self.path}: run `kg build --store {self.path}` first")
        return cur

    def manifest(self) -> dict:
        cur = self.require_current()
        try:
            return json.loads((cur / MANIFEST).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreNotFound(f"store at {cur} has an unreadable {MANIFEST}: {exc}") from None

    @contextmanager
    def lock(self):
        self.path.mkdir(parents=True, exist_ok=True)
        fh = open(self.path / ".lock", "w")
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BuildLocked(f"another `kg build` is running on {self.path}") from None
            yield
        finally:
            fh.close()

    def new_partial(self) -> Path:
        """A fresh directory for a build in progress (call under lock)."""
        self.builds.mkdir(parents=True, exist_ok=True)
        for stale in self.builds.glob("*.partial"):
            shutil.rmtree(stale, ignore_errors=True)
        name = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:6]
        path = self.builds / (name + ".partial")
        path.mkdir()
        return path

    def publish(self, partial: Path) -> Path:
        """Rename a finished build and point ``current`` at it atomically."""
        final = partial.with_name(partial.name.removesuffix(".partial"))
        os.replace(partial, final)
        _fsync_dir(self.builds)
        tmp = self.path / f".current.{os.getpid()}.tmp"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(os.path.relpath(final, self.path), tmp)
        os.replace(tmp, self.link)
        _fsync_dir(self.path)
        self._prune(keep=final)
        return final

    def _prune(self, keep: Path) -> None:
        done = sorted(p for p in self.builds.iterdir()
                      if p.is_dir() and not p.name.endswith(".partial"))
        for old in done[:-KEEP_BUILDS]:
            if old != keep:
                shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
