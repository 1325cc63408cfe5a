"""A real Neo4j 5.26 for tests, CI and developers: embedded, Bolt only, no install, no Docker.

Why this exists: the Neo4j store must be tested against the real database (Cypher
semantics, Bolt, transactions, access modes), yet CI has no Docker and no network but
the package registries. Neo4j's community edition is an ordinary Maven Central
artifact, so ``neo4j/launcher/`` is a tiny Maven project whose one class,
``org.impckg.Neo4jLauncher``, starts ``DatabaseManagementServiceBuilder`` with its Bolt
connector on 127.0.0.1. This module builds that classpath when needed, starts the JVM,
waits for its ``NEO4J READY bolt://127.0.0.1:PORT`` line and stops it again.

Use it as a context manager (the ``neo4j`` driver connects to :attr:`EmbeddedNeo4j.uri`
with :attr:`EmbeddedNeo4j.auth`)::

    with EmbeddedNeo4j(tmp_path / "neo4j") as server:
        with GraphDatabase.driver(server.uri, auth=server.auth) as driver:
            driver.execute_query("CREATE (:Gene {id: $id})", id="MGI:1")

Developers run one in the foreground (Ctrl-C stops it)::

    python -m kg.store.neo4j_launcher --home var/neo4j [--port 7687] [--password PW]

Environment knobs (all optional):

``IMPCKG_NEO4J_CLASSPATH``
    a ready classpath; skips the Maven build entirely.
``IMPCKG_NEO4J_LAUNCHER_DIR``
    another copy of ``neo4j/launcher`` (the Maven project).
``IMPCKG_NEO4J_HEAP``, ``IMPCKG_NEO4J_PAGE_CACHE``
    JVM max heap (default ``2g``) and Neo4j page cache (default ``256m``).
``IMPCKG_NEO4J_JAVA_OPTS``
    extra JVM options, shell-quoted.
``IMPCKG_NEO4J_START_TIMEOUT``
    seconds to wait for READY (default 180: a busy 2-core CI box needs 10-30 s).
``IMPCKG_NEO4J_CDS=1``
    AppCDS class-data archive under ``neo4j/launcher/target/cds/``: the first run writes
    it at exit (stop() then takes ~10-20 s longer, ~100 MB on disk), later starts load
    Neo4j's ~20k classes from it, about 40 % faster. Off by default: a CI run that
    starts Neo4j only a few times gains nothing.
``JAVA_HOME``
    which Java to run (Neo4j 5.26 supports Java 17 and 21); else ``java`` on PATH.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import errno
import hashlib
import os
import queue
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from types import TracebackType

__all__ = [
    "EmbeddedNeo4j",
    "LauncherBuildError",
    "Neo4jStartError",
    "find_launcher_classpath",
    "free_loopback_port",
    "launcher_dir",
    "port_is_free",
]

READY_PREFIX = "NEO4J READY "
MAIN_CLASS = "org.impckg.Neo4jLauncher"
LOOPBACK = "127.0.0.1"
DEFAULT_USER = "neo4j"

_REPO_ROOT = Path(__file__).resolve().parents[2]
# Files whose change means target/ must be rebuilt.
_BUILD_INPUTS = ("pom.xml", "src")
# Written last by the Maven build (dependency:build-classpath): its presence means the
# jar and target/lib/ are complete, not half-copied by an interrupted build.
_BUILD_MARKER = Path("target") / "classpath.txt"
_build_lock = threading.Lock()


class LauncherBuildError(RuntimeError):
    """Maven could not build the launcher classpath (offline nor online)."""


class Neo4jStartError(RuntimeError):
    """The launcher JVM did not report READY; the message carries the log's tail."""


# --------------------------------------------------------------------------- classpath


def launcher_dir() -> Path:
    """The Maven project ``neo4j/launcher`` (``$IMPCKG_NEO4J_LAUNCHER_DIR`` overrides)."""
    env = os.environ.get("IMPCKG_NEO4J_LAUNCHER_DIR")
    return Path(env).resolve() if env else _REPO_ROOT / "neo4j" / "launcher"


def _classpath_for(project: Path) -> str:
    target = project / "target"
    # A "dir/*" entry is expanded by the java launcher itself: no 200-jar command line.
    return os.pathsep.join([str(target / "neo4j-launcher.jar"), str(target / "lib" / "*")])


def _needs_build(project: Path) -> bool:
    marker = project / _BUILD_MARKER
    jar = project / "target" / "neo4j-launcher.jar"
    if not (marker.is_file() and jar.is_file() and (project / "target" / "lib").is_dir()):
        return True
    built = marker.stat().st_mtime
    for name in _BUILD_INPUTS:
        p = project / name
        paths = [p] if p.is_file() else (p.rglob("*") if p.is_dir() else [])
        if any(q.is_file() and q.stat().st_mtime > built for q in paths):
            return True
    return False


def _run_maven(project: Path, *, offline: bool, timeout: float) -> subprocess.CompletedProcess[str]:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LauncherBuildError(
            "mvn not found on PATH: install Maven and Java 17 (bash .ci/neo4j-setup.sh does it)"
        )
    cmd = [mvn, "-q", "-B", "-Dstyle.color=never"]
    if offline:
        cmd.append("-o")
    cmd += ["-f", str(project / "pom.xml"), "-DskipTests", "package"]
    return subprocess.run(
        cmd, cwd=project, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
    )


def find_launcher_classpath(
    project: Path | None = None, *, build: bool = True, timeout: float = 1800.0
) -> str:
    """Return the ``java -cp`` value that runs ``org.impckg.Neo4jLauncher``.

    Why: tests and developers should not have to remember a Maven step. When
    ``target/`` is missing or older than ``pom.xml``/``src/``, Maven builds it, offline
    first (a warm ``~/.m2`` needs no network and takes seconds) and online only if that
    fails (a cold ``~/.m2`` downloads ~170 MB from Maven Central). A file lock keeps
    parallel test processes from building at the same time.
    ``$IMPCKG_NEO4J_CLASSPATH`` short-circuits all of this.
    """
    env = os.environ.get("IMPCKG_NEO4J_CLASSPATH")
    if env:
        return env
    project = project or launcher_dir()
    if not (project / "pom.xml").is_file():
        raise LauncherBuildError(f"no launcher Maven project at {project}")
    if not _needs_build(project):
        return _classpath_for(project)
    if not build:
        raise LauncherBuildError(
            f"launcher not built in {project / 'target'}: run bash .ci/neo4j-setup.sh"
        )
    (project / "target").mkdir(exist_ok=True)
    with _build_lock, open(project / "target" / ".build.lock", "w") as lock:
        try:
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX
            pass
        if _needs_build(project):  # another process may have built it meanwhile
            offline = _run_maven(project, offline=True, timeout=timeout)
            if offline.returncode != 0:
                online = _run_maven(project, offline=False, timeout=timeout)
                if online.returncode != 0:
                    tail = "\n".join((online.stdout + online.stderr).splitlines()[-40:])
                    raise LauncherBuildError(
                        f"mvn package failed for {project} (offline, then online):\n{tail}"
                    )
            if _needs_build(project):
                raise LauncherBuildError(f"mvn succeeded but {project / _BUILD_MARKER} is missing")
    return _classpath_for(project)


# --------------------------------------------------------------------------- process


def java_executable() -> str:
    """``$JAVA_HOME/bin/java`` if set (CI may pin a JDK that way), else ``java`` on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise Neo4jStartError("java not found (need Java 17 or 21): bash .ci/neo4j-setup.sh")
    return java


def free_loopback_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago (the kernel picks it).

    Why: parallel test sessions and a developer's own Neo4j must not collide on 7687.
    There is a tiny race between this and the JVM binding it; :class:`EmbeddedNeo4j`
    retries with a new port when the bind fails.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether 127.0.0.1:port can be bound right now (used to check stop() released it).

    SO_REUSEADDR, as servers (Neo4j's Netty included) bind: a closed connection left in
    TIME_WAIT does not make the port busy, only a socket still bound or listening does.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOOPBACK, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                return False
            raise
        return True


def _tail(path: Path, lines: int) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(collections.deque(f, maxlen=lines))
    except OSError:
        return f"({path} not readable)\n"


def _terminate(proc: subprocess.Popen[str], timeout: float) -> int:
    """SIGTERM (the launcher's shutdown hook stops Neo4j cleanly), then SIGKILL."""
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.close()
    return int(proc.returncode)


class EmbeddedNeo4j:
    """One embedded Neo4j 5.26 JVM with Bolt on ``127.0.0.1:port``, store under ``home``.

    ``port=None`` picks a free loopback port. ``password=None`` disables auth (then
    :attr:`auth` is ``None``, which the driver accepts); with a password, user ``neo4j``
    has it. The store in ``home`` survives :meth:`stop`, so a second start sees the data.

    Why a subprocess rather than a shared server: each test session owns its store and
    port, nothing outlives it (the launcher also exits when our stdin pipe closes, so even
    a SIGKILLed pytest leaves no orphan), and the same class serves developers.
    """

    def __init__(
        self,
        home: Path | str,
        port: int | None = None,
        *,
        password: str | None = None,
        page_cache: str | None = None,
        heap: str | None = None,
        startup_timeout: float | None = None,
        jvm_args: list[str] | tuple[str, ...] = (),
        classpath: str | None = None,
        class_data_sharing: bool | None = None,
    ) -> None:
        self.home = Path(home).resolve()
        self._requested_port = port
        self.port: int | None = port
        self.password = password
        self.page_cache = page_cache or os.environ.get("IMPCKG_NEO4J_PAGE_CACHE", "256m")
        self.heap = heap or os.environ.get("IMPCKG_NEO4J_HEAP", "2g")
        self.startup_timeout = float(
            startup_timeout or os.environ.get("IMPCKG_NEO4J_START_TIMEOUT", "180")
        )
        self.jvm_args = list(jvm_args) + shlex.split(os.environ.get("IMPCKG_NEO4J_JAVA_OPTS", ""))
        self._classpath = classpath
        if class_data_sharing is None:
            class_data_sharing = os.environ.get("IMPCKG_NEO4J_CDS", "") in ("1", "true", "yes")
        self.class_data_sharing = class_data_sharing
        self._cds_pending: tuple[Path, Path] | None = None  # (being written, final name)
        self._cds_flags: list[str] = []
        self._proc: subprocess.Popen[str] | None = None
        self._finalizer: weakref.finalize | None = None
        self._reader: threading.Thread | None = None
        self.startup_seconds: float | None = None

    # -- public surface -------------------------------------------------------------

    @property
    def uri(self) -> str:
        """``bolt://127.0.0.1:PORT`` (valid once started)."""
        if self.port is None:
            raise RuntimeError("EmbeddedNeo4j not started")
        return f"bolt://{LOOPBACK}:{self.port}"

    @property
    def auth(self) -> tuple[str, str] | None:
        """``None`` (auth disabled) or ``("neo4j", password)``, as the driver takes it."""
        return None if self.password is None else (DEFAULT_USER, self.password)

    @property
    def log_path(self) -> Path:
        """The launcher's log (Neo4j's user log, JVM errors); debug.log sits beside it."""
        return self.home / "logs" / "launcher.log"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> "EmbeddedNeo4j":
        """Start the JVM and block until Neo4j says READY (or raise :class:`Neo4jStartError`)."""
        if self.is_running():
            return self
        classpath = self._classpath or find_launcher_classpath()
        attempts = 1 if self._requested_port is not None else 3
        for attempt in range(1, attempts + 1):
            self.port = self._requested_port or free_loopback_port()
            try:
                self._start_once(classpath)
                return self
            except Neo4jStartError as e:
                bind_failed = "Address already in use" in str(e) or "BindException" in str(e)
                if attempt == attempts or not bind_failed:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def stop(self, timeout: float = 60.0) -> int | None:
        """Stop Neo4j cleanly (SIGTERM, then SIGKILL after ``timeout`` s); return the exit code.

        When it returns, the JVM is gone, so the port and the store lock are free.
        """
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        code = _terminate(proc, timeout)
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None
        self._publish_cds_archive()
        return code

    def __enter__(self) -> "EmbeddedNeo4j":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"EmbeddedNeo4j(home={str(self.home)!r}, port={self.port}, {state})"

    # -- internals ----------------------------------------------------------------------

    def command(self, classpath: str) -> list[str]:
        """The full ``java`` command line (JVM options from ``neo4j/launcher/jvm.options``)."""
        assert self.port is not None
        cmd = [java_executable()]
        options = launcher_dir() / "jvm.options"
        if options.is_file():
            # Java reads "@file" itself: one list of flags shared with hand-run launches.
            cmd.append(f"@{options}")
        cmd += [f"-Xmx{self.heap}", *self._cds_flags, *self.jvm_args]
        cmd += ["-cp", classpath, MAIN_CLASS, "--home", str(self.home), "--bolt-port", str(self.port)]
        cmd += ["--page-cache", self.page_cache]
        if self.password is not None:
            cmd += ["--password", self.password]
        return cmd

    def _cds_args(self, classpath: str) -> list[str]:
        """JVM flags to use (or, first time, to write) the AppCDS archive for this classpath.

        The archive is named after the java binary, the classpath and the time target/
        was built, so a rebuilt launcher or another JDK gets a fresh one; a stale one is
        merely ignored by the JVM. It is written under a private name and renamed into
        place by stop(), so concurrent first runs never read a half-written file.
        """
        self._cds_pending = None
        if not self.class_data_sharing:
            return []
        project = launcher_dir()
        marker = project / _BUILD_MARKER
        stamp = marker.stat().st_mtime_ns if marker.is_file() else 0
        java = os.path.realpath(java_executable())
        key = hashlib.sha1(f"{java}\0{classpath}\0{stamp}".encode()).hexdigest()[:16]
        cds_dir = project / "target" / "cds"
        final = cds_dir / f"neo4j-{key}.jsa"
        if final.is_file():
            return [f"-XX:SharedArchiveFile={final}"]
        cds_dir.mkdir(parents=True, exist_ok=True)
        for old in cds_dir.glob("neo4j-*.jsa"):  # archives of older builds
            with contextlib.suppress(OSError):
                old.unlink()
        for tmp in cds_dir.glob(".neo4j-*.tmp"):  # left by runs that never called stop()
            with contextlib.suppress(OSError):
                if time.time() - tmp.stat().st_mtime > 3600:
                    tmp.unlink()
        temp = cds_dir / f".neo4j-{key}.{os.getpid()}.{id(self)}.tmp"
        self._cds_pending = (temp, final)
        return [f"-XX:ArchiveClassesAtExit={temp}"]

    def _publish_cds_archive(self) -> None:
        pending, self._cds_pending = self._cds_pending, None
        if pending is None:
            return
        temp, final = pending
        with contextlib.suppress(OSError):
            if temp.is_file() and temp.stat().st_size > 0:
                os.replace(temp, final)
            else:
                temp.unlink(missing_ok=True)

    def _start_once(self, classpath: str) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._cds_flags = self._cds_args(classpath)
        cmd = self.command(classpath)
        t0 = time.monotonic()
        # stderr appends to the launcher's own log, so a JVM that dies before main() (bad
        # flag, missing class) is explained in the same file. stdin stays an open pipe:
        # its EOF (our exit, however abrupt) tells the launcher to shut down.
        with open(self.log_path, "a", encoding="utf-8") as err:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                cwd=self.home,
                start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
            )
        self._proc = proc
        self._finalizer = weakref.finalize(self, _terminate, proc, 30.0)
        lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(
            target=_pump_stdout, args=(proc, lines), name=f"neo4j-stdout-{proc.pid}", daemon=True
        )
        self._reader.start()

        deadline = t0 + self.startup_timeout
        seen: list[str] = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._fail(f"no READY line within {self.startup_timeout:.0f} s", cmd, seen)
            try:
                line = lines.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if line is None:  # stdout closed: the JVM exited
                proc.wait(timeout=30)
                self._fail(f"launcher exited with status {proc.returncode}", cmd, seen)
            if line.startswith(READY_PREFIX):
                reported = line[len(READY_PREFIX):].strip()
                if reported != self.uri:
                    self._fail(f"launcher reported {reported!r}, expected {self.uri!r}", cmd, seen)
                self.startup_seconds = time.monotonic() - t0
                return
            seen.append(line)

    def _fail(self, why: str, cmd: list[str], stdout_lines: list[str]) -> None:
        proc, self._proc = self._proc, None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if proc is not None:
            _terminate(proc, 30.0)
        if self._cds_pending is not None:
            self._cds_pending[0].unlink(missing_ok=True)
            self._cds_pending = None
        msg = [
            f"embedded Neo4j did not start: {why}",
            f"command: {shlex.join('***' if a == self.password else a for a in cmd)}",
            f"--- last lines of {self.log_path} ---",
            _tail(self.log_path, 60).rstrip(),
        ]
        debug = self.home / "logs" / "debug.log"
        if debug.exists():
            msg += [f"--- last lines of {debug} ---", _tail(debug, 20).rstrip()]
        if stdout_lines:
            msg += ["--- unexpected stdout ---", *stdout_lines[-20:]]
        raise Neo4jStartError("\n".join(msg))


def _pump_stdout(proc: subprocess.Popen[str], out: "queue.Queue[str | None]") -> None:
    """Forward the launcher's stdout lines; keeps the pipe drained for the JVM's lifetime."""
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            out.put(line.rstrip("\n"))
    except (OSError, ValueError):
        pass
    finally:
        out.put(None)


# --------------------------------------------------------------------------- foreground


def main(argv: list[str] | None = None) -> int:
    """Run one embedded Neo4j in the foreground until Ctrl-C or SIGTERM (for developers)."""
    ap = argparse.ArgumentParser(
        prog="python -m kg.store.neo4j_launcher",
        description="Run an embedded Neo4j 5.26 (Bolt on 127.0.0.1) until Ctrl-C.",
    )
    ap.add_argument("--home", required=True, type=Path, help="store and logs directory")
    ap.add_argument("--port", type=int, default=None, help="Bolt port (default: a free one)")
    ap.add_argument("--password", default=None, help="enable auth; user neo4j gets this password")
    ap.add_argument("--page-cache", default=None, help="Neo4j page cache, e.g. 256m, 2g")
    ap.add_argument("--heap", default=None, help="JVM max heap, e.g. 2g")
    ap.add_argument("--startup-timeout", type=float, default=None, help="seconds to wait for READY")
    args = ap.parse_args(argv)

    stop_requested = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop_requested.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    server = EmbeddedNeo4j(
        args.home,
        args.port,
        password=args.password,
        page_cache=args.page_cache,
        heap=args.heap,
        startup_timeout=args.startup_timeout,
    )
    print(f"starting embedded Neo4j in {server.home} ...", file=sys.stderr, flush=True)
    try:
        server.start()
    except (Neo4jStartError, LauncherBuildError) as e:
        print(e, file=sys.stderr)
        return 1
    print(server.uri, flush=True)
    auth = "auth disabled" if server.auth is None else f"user {DEFAULT_USER}, password as given"
    print(
        f"ready in {server.startup_seconds:.1f} s ({auth}); logs in {server.log_path.parent}; "
        "Ctrl-C to stop",
        file=sys.stderr,
        flush=True,
    )
    try:
        while not stop_requested.wait(1.0):
            if not server.is_running():
                print(f"Neo4j exited unexpectedly; see {server.log_path}", file=sys.stderr)
                server.stop()
                return 1
    finally:
        if server.is_running():
            print("stopping ...", file=sys.stderr, flush=True)
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
