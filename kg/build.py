"""`kg build`: every source of the catalogue into one new store, swapped in atomically.

Steps: resolve each source's file (mirror folder, cache, or download); parse it with
its loader; check and turn records into N-Quads (:mod:`kg.graph_builder`), streamed in
1 M-quad batches into Oxigraph's bulk loader in a fresh directory, while the facts the
scoring needs are collected on the way (:mod:`kg.scoring.collect`); build the scoring
tables from them; count; write the manifest and the build report; then publish (rename +
swap the ``current`` link).
Anything that fails before the publish leaves the previous store untouched.

Same inputs give the same store: ids are content hashes, and the graph holds no
build time (that is only in manifest.json).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import queue
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TextIO

import pyoxigraph as ox

from kg import __version__, fetch
from kg.catalogue import Source, SourceMissing, find_local, load_catalogue
from kg.graph_builder import GraphBuilder
from kg.rdf import QuadWriter, graph, literal, pred
from kg.report import BuildReport, SourceFormatError
from kg.scoring import save_scoring_tables
from kg.scoring.collect import CorpusCollector
from kg.store.layout import MANIFEST, OXIGRAPH_DIR, SCORING_DIR, StoreRoot
from kg.store.oxigraph_store import OxigraphStore, compute_counts
from kg.vocab import graph_iri

ONTOLOGY_LOADERS = {"obo"}
CALL_LOADERS = {"impc_csv", "impc_api"}
MAPPING_LOADERS = {"sssom", "mgi_covid", "upheno_bestmatches"}
#: Biolink information-resource ids of the sources (their primary knowledge source)
INFORES = {"obo": None, "impc_csv": "infores:impc", "impc_api": "infores:impc",
           "mgi_orthology": "infores:mgi", "hpoa": "infores:hpo-annotations",
           "hpo_genes": "infores:hpo-annotations"}


class BuildFailed(Exception):
    """The build stopped; the previous store (if any) is untouched."""


@dataclass
class BuildResult:
    build_dir: Path
    manifest: dict
    report: BuildReport


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file():
                h.update(p.relative_to(path).as_posix().encode())
                h.update(p.read_bytes())
        return h.hexdigest()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def resolve_sources(catalogue: dict[str, Source], data_dir: Path | None, cache_dir: Path | None,
                    allow_download: bool, only: set[str] | None = None,
                    log: Callable[[str], None] = print) -> dict[str, Path]:
    """Local paths of every source to build, downloading missing ones when allowed."""
    paths: dict[str, Path] = {}
    for name, src in catalogue.items():
        if only is not None and name not in only:
            continue
        path = find_local(src, data_dir, cache_dir)
        if path is None and allow_download and src.url and cache_dir is not None:
            try:
                path = fetch.download(src.url, cache_dir / src.cache_name)
            except fetch.DownloadError as exc:
                if src.required:
                    raise SourceMissing(f"source {name}: download failed ({exc}); "
                                        f"give a local mirror with --data-dir") from None
                log(f"note: optional source {name} skipped: {exc}")
                continue
        if path is None:
            if src.required:
                where = f"{data_dir}" if data_dir else "no --data-dir given"
                raise SourceMissing(f"required source {name!r} not found (mirror: {where}; tried "
                                    f"{', '.join(src.mirror)}) and downloading is off")
            log(f"note: optional source {name} not found, skipped")
            continue
        paths[name] = path
    return paths


def _loader(name: str):
    return importlib.import_module(f"loaders.{name}")


#: quads per bulk-load call. Oxigraph's bulk loader holds a batch in memory: one call over the
#: whole graph (5.2 M quads) peaked at 1.9 GB RSS, 1 M-quad calls at 1.1 GB (bench/RESULTS.md, build)
CHUNK_QUADS = 1_000_000


class ChunkedFifoSink:
    """A text sink for :class:`~kg.rdf.QuadWriter` that feeds Oxigraph one FIFO per chunk.

    Each ``write`` is one N-Quads line (QuadWriter writes one line per call). After
    ``chunk`` lines the current FIFO is closed, so the bulk loader finishes that batch
    and frees its memory, and the next line opens a new FIFO for the next batch.
    """

    def __init__(self, workdir: Path, chunk: int, ready: "queue.Queue[Path | None]"):
        self.workdir, self.chunk, self.ready = workdir, chunk, ready
        self.n_chunks = 0
        self._fh: TextIO | None = None
        self._left = 0

    def _open(self) -> TextIO:
        path = self.workdir / f"graph-{self.n_chunks:03d}.nq.fifo"
        self.n_chunks += 1
        os.mkfifo(path)
        self.ready.put(path)
        self._fh = open(path, "w", encoding="utf-8", buffering=1 << 20)  # waits for the reader
        self._left = self.chunk
        return self._fh

    def write(self, line: str) -> None:
        fh = self._fh if self._left > 0 and self._fh is not None else self._rotate()
        fh.write(line)
        self._left -= 1

    def _rotate(self) -> TextIO:
        self.close()
        return self._open()

    def close(self) -> None:
        if self._fh is not None:
            fh, self._fh = self._fh, None
            fh.close()


def stream_into_store(store: ox.Store, workdir: Path, produce: Callable, chunk: int = CHUNK_QUADS):
    """Run ``produce(text_sink)`` while Oxigraph's bulk loader reads what it writes.

    Why FIFOs: the Python side (parsing, checking, formatting N-Quads) and the Rust
    bulk loader (which releases the GIL) then run at the same time on two cores, and no
    gigabyte-sized temporary file is written. Why one FIFO per ``chunk`` quads: each
    ``bulk_load`` call holds its batch in memory, so bounded calls bound the peak RSS.
    An error on either side stops both.
    """
    ready: queue.Queue[Path | None] = queue.Queue()
    failure: list[BaseException] = []

    def load() -> None:
        while True:
            path = ready.get()
            if path is None:
                return
            try:
                if not failure:
                    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)
                else:  # drain, so that the writer never blocks on a FIFO nobody reads
                    with open(path, "rb") as fh:
                        while fh.read(1 << 20):
                            pass
            except BaseException as exc:  # reported by the main thread
                failure.append(exc)
                try:  # unblock the writer of this FIFO: read it to its end
                    with open(path, "rb") as fh:
                        while fh.read(1 << 20):
                            pass
                except OSError:
                    pass

    loader = threading.Thread(target=load, name="oxigraph-bulk-load")
    loader.start()
    sink = ChunkedFifoSink(workdir, chunk, ready)
    result = None
    try:
        result = produce(sink)
        sink.close()
    except BrokenPipeError:
        pass  # the loader stopped reading: its own error is raised below
    finally:
        try:
            sink.close()
        except BrokenPipeError:
            pass
        ready.put(None)
        loader.join()
        for fifo in workdir.glob("graph-*.nq.fifo"):
            fifo.unlink(missing_ok=True)
    if failure:
        raise failure[0]
    return result


def write_quads(catalogue: dict[str, Source], paths: dict[str, Path], out: TextIO,
                report: BuildReport, log: Callable[[str], None] = print,
                collector=None) -> tuple[GraphBuilder, dict]:
    """Parse every source and write the whole graph as N-Quads. Returns the builder and per-source metadata.

    ``collector`` (a :class:`kg.scoring.collect.CorpusCollector`) is fed the scoring facts on the way.
    """
    meta: dict[str, dict] = {}
    w = QuadWriter(out)
    gb = GraphBuilder(w, report, collector=collector)
    order = sorted(paths, key=lambda n: (
        0 if catalogue[n].loader in ONTOLOGY_LOADERS else
        1 if catalogue[n].loader == "hpoa" else 2, list(catalogue).index(n)))
    for name in order:
        src, path = catalogue[name], paths[name]
        t0 = time.perf_counter()
        mod = _loader(src.loader)
        records = mod.load(path, report)
        if src.loader in ONTOLOGY_LOADERS:
            summary = gb.add_ontology(name, records)
        elif src.loader in CALL_LOADERS:
            summary = gb.add_calls(name, records)
        elif src.loader == "mgi_orthology":
            summary = gb.add_orthology(name, records)
        elif src.loader == "hpoa":
            summary = gb.add_hpoa(name, records)
        elif src.loader == "hpo_genes":
            summary = gb.add_disease_genes(name, records)
        elif src.loader in MAPPING_LOADERS:
            summary = gb.add_mappings(name, src.mapping_set or name, records)
        else:
            raise BuildFailed(f"source {name}: no builder step for loader {src.loader!r}")
        stat = path.stat()
        sha = _sha256(path)
        meta[name] = {
            "file": str(path), "format": src.format, "url": src.url,
            "version": summary.version or _release_version(path) or f"sha256:{sha[:12]}",
            "sha256": sha,
            "retrieved": datetime.fromtimestamp(stat.st_mtime, timezone.utc).date().isoformat(),
            "rows": summary.rows, "used": summary.used, "mapping_set": src.mapping_set,
            "infores": INFORES.get(src.loader),
            **summary.extra,
        }
        log(f"  {name:<36} {summary.rows:>8} rows  {summary.used:>8} used  "
            f"{time.perf_counter() - t0:5.1f}s")
    n_closure = gb.write_closure()
    meta["closure"] = {"rows": n_closure, "used": n_closure, "format": "derived",
                       "version": None, "file": None}
    n_summary = gb.write_summary()  # per-build counts for the report queries (kg/summaries.py)
    meta["summary"] = {"rows": n_summary, "used": n_summary, "format": "derived",
                       "version": None, "file": None}
    _write_meta_graph(w, meta)
    return gb, meta


def _release_version(path: Path) -> str | None:
    """IMPC API mirrors keep the data release beside the files (release_metadata.json)."""
    for d in (path.parent, path.parent.parent):
        meta = d / "release_metadata.json"
        if meta.is_file():
            try:
                m = json.loads(meta.read_text())
            except (OSError, json.JSONDecodeError):
                return None
            if m.get("dataReleaseVersion"):
                return f"IMPC DR {m['dataReleaseVersion']} ({m.get('dataReleaseDate', '')})".replace(" ()", "")
    return None


def _write_meta_graph(w: QuadWriter, meta: dict[str, dict]) -> None:
    g = graph("meta")
    for name, m in sorted(meta.items()):
        s = f"<{graph_iri(name)}>"
        w.quad(s, pred("rdf:type"), pred("kgv:SourceGraph"), g)
        w.quad(s, pred("kgv:sourceName"), literal(name), g)
        for key, p in (("version", "kgv:version"), ("retrieved", "kgv:retrieved"),
                       ("sha256", "kgv:sha256"), ("url", "kgv:url"), ("format", "kgv:format"),
                       ("mapping_set", "kgv:mappingSet")):
            if m.get(key):
                w.quad(s, pred(p), literal(str(m[key])), g)
        if m.get("file"):
            w.quad(s, pred("kgv:file"), literal(Path(m["file"]).name), g)
        if m.get("infores"):
            w.quad(s, pred("biolink:primary_knowledge_source"), literal(m["infores"]), g)


def build(store_root: Path, data_dir: Path | None = None, cache_dir: Path | None = None,
          allow_download: bool = True, only: set[str] | None = None,
          catalogue: dict[str, Source] | None = None, with_scoring: bool = True,
          log: Callable[[str], None] = print) -> BuildResult:
    """Build a new store under ``store_root`` and publish it; raises BuildFailed on any error."""
    t_start = time.perf_counter()
    catalogue = catalogue or load_catalogue()
    root = StoreRoot(store_root)
    report = BuildReport()
    try:
        with root.lock():
            return _build_locked(root, catalogue, data_dir, cache_dir, allow_download, only,
                                 with_scoring, log, report, t_start)
    except OSError as exc:  # the store root itself: read-only, full, a file where a folder should be
        raise BuildFailed(f"cannot write the store at {root.path}: {type(exc).__name__}: "
                          f"{exc.strerror or exc}") from exc


def _build_locked(root: StoreRoot, catalogue, data_dir, cache_dir, allow_download, only,
                  with_scoring, log, report: BuildReport, t_start: float) -> BuildResult:
    """The build proper, under the store's lock; see :func:`build`."""
    partial = root.new_partial()
    try:
        paths = resolve_sources(catalogue, data_dir, cache_dir, allow_download, only, log)
        log(f"building into {partial}")
        store = ox.Store(str(partial / OXIGRAPH_DIR))
        collector = CorpusCollector() if with_scoring else None
        timings: dict[str, float] = {}
        gb, meta = stream_into_store(store, partial, lambda out: write_quads(
            catalogue, paths, out, report, log, collector))
        t_parse = time.perf_counter() - t_start
        store.flush()
        t_load = time.perf_counter() - t_start - t_parse
        gb.w.forget()  # the writer's de-duplication sets: hundreds of MB, not needed any more
        if collector is not None:
            # after the load, not during it: the tables' arrays on top of a bulk-load batch
            # would pass 2 GB; the corpus comes from the builder (kg.scoring.collect), not SPARQL
            t0 = time.perf_counter()
            save_scoring_tables(collector.corpus(gb.terms.labels, gb.terms.parents, meta),
                                partial / SCORING_DIR, log=log)
            timings["scoring"] = round(time.perf_counter() - t0, 2)
            log(f"  scoring tables                       {timings['scoring']:5.1f}s")
            del collector
        counts = compute_counts(OxigraphStore(store, partial))
        del store
        manifest = {
            "kg_version": __version__,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "build_id": partial.name.removesuffix(".partial"),
            "sources": meta,
            "counts": counts,
            "problems": dict(report.counts()),
            # parsing, writing and Oxigraph's bulk load run at the same time (FIFOs)
            "timings_s": {"parse_write_and_load": round(t_parse, 2), "flush": round(t_load, 2),
                          **timings},
        }
        manifest["timings_s"]["total"] = round(time.perf_counter() - t_start, 2)
        report.write(partial)
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        final = root.publish(partial)
    except SourceFormatError as exc:
        raise BuildFailed(str(exc)) from exc
    except (SourceMissing, OSError, SyntaxError, ValueError) as exc:
        raise BuildFailed(f"{type(exc).__name__}: {exc}") from exc
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    return BuildResult(final, manifest, report)


def summary_dict(result: BuildResult) -> dict:
    return {"build_dir": str(result.build_dir), "problems": dict(result.report.counts()),
            **{k: result.manifest[k] for k in ("build_id", "timings_s")}}

