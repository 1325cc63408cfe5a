"""Load test: a second process drives `kg serve` on 127.0.0.1 for a bounded time.

Run by hand on a store built from ../shared/data (re-runnable; the machine is shared,
so the load average is recorded before and after):

    python bench/load.py --store var/store [--seconds 20] [--concurrency 16] [--write]

What it does: starts uvicorn serving the store in a separate process (``--workers``,
default 2: one per core), waits for /health, samples real ids from the store (genes,
alleles, models, terms, diseases for lookups; diseases for the ranking), then runs two
phases, each bounded in time *and* in request count:

uvicorn picks httptools and uvloop when installed (``uvicorn[standard]``, a dependency
since this benchmark: with the pure-Python h11/asyncio stack the same server did about
285 entity lookups/s instead of ~770 on this machine).

1. entity lookups: ``GET /entities/{curie}`` over the sampled ids (target >= 500 req/s);
2. disease -> models ranking: ``GET /diseases/{id}/models?limit=50`` (target >= 100 req/s).

The client is asyncio with raw HTTP/1.1 keep-alive connections (``--concurrency``
of them): a Python HTTP library costs more CPU per request than the server does on a
2-core box, and would measure itself. Every request goes to 127.0.0.1 only. A
request counts as an error when it is not a 200 (or fails / times out). Figures:
requests/s, p50/p99/max latency, errors. ``--write`` replaces the "load" section of
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
HOST = "127.0.0.1"  # never anything else


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(store: Path, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "IMPC_KG_STORE": str(store), "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "bench.load:app_factory", "--host", HOST,
           "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(cmd, cwd=REPO, env=env, start_new_session=True)


def app_factory():
    """uvicorn --factory entry (each worker opens the store read-only)."""
    from api.app import create_app
    return create_app(Path(os.environ["IMPC_KG_STORE"]))


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 180.0) -> float:
    import httpx
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://{HOST}:{port}/health", timeout=2).status_code == 200:
                return time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("server not ready in time")


def sample_ids(store: Path, n: int, seed: int) -> tuple[list[str], list[str]]:
    from kg.store.oxigraph_store import OxigraphStore
    s = OxigraphStore.open(store)
    entities: list[str] = []
    for cat in ("biolink:Gene", "biolink:Genotype", "biolink:Disease", "biolink:SequenceVariant", "owl:Class"):
        rows = s.select(f"SELECT ?x WHERE {{ ?x a {cat} }} LIMIT {n}")
        entities += [r["x"] for r in rows if isinstance(r["x"], str) and ":" in r["x"] and "//" not in r["x"]]
    diseases = [r["x"] for r in s.select(f"SELECT ?x WHERE {{ ?x a biolink:Disease }} LIMIT {n}")]
    s.close()
    rnd = random.Random(seed)
    rnd.shuffle(entities)
    rnd.shuffle(diseases)
    return entities, diseases


async def _request(reader, writer, path: str) -> tuple[int, int]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: application/json\r\n\r\n".encode())
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, chunked = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.decode("latin-1").partition(":")
        k = k.strip().lower()
        if k == "content-length":
            length = int(v)
        elif k == "transfer-encoding" and "chunked" in v:
            chunked = True
    if chunked:
        total = 0
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            total += size
            if size == 0:
                break
        return status, total
    await reader.readexactly(length)
    return status, length


async def run_phase(port: int, paths: list[str], seconds: float, max_requests: int,
                    concurrency: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    statuses: dict[int, int] = {}
    counter = [0]
    deadline = time.perf_counter() + seconds

    async def worker(wid: int):
        reader, writer = await asyncio.open_connection(HOST, port)
        i = wid
        try:
            while time.perf_counter() < deadline and counter[0] < max_requests:
                counter[0] += 1
                path = paths[i % len(paths)]
                i += concurrency
                t0 = time.perf_counter()
                try:
                    status, _ = await asyncio.wait_for(_request(reader, writer, path), 30)
                except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError,
                        ValueError) as exc:
                    errors.append(f"{path}: {type(exc).__name__}")
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                    continue
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
                if status != 200:
                    errors.append(f"{path}: HTTP {status}")
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    elapsed = time.perf_counter() - t0
    lat = sorted(latencies)
    q = lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2) if lat else None  # noqa: E731
    return {"requests": len(lat) + sum(1 for e in errors if "HTTP" not in e), "ok": statuses.get(200, 0),
            "errors": len(errors), "error_samples": errors[:5], "statuses": statuses,
            "seconds": round(elapsed, 2), "rps": round(len(lat) / elapsed, 1) if elapsed else 0,
            "p50_ms": q(0.50), "p99_ms": q(0.99), "max_ms": round(lat[-1] * 1000, 2) if lat else None,
            "mean_ms": round(statistics.fmean(lat) * 1000, 2) if lat else None}


def write_section(text: str, path: Path) -> None:
    old = path.read_text() if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(r"^## load\n.*?(?=^## |\Z)", re.S | re.M)
    new = pattern.sub(lambda _: text, old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + text
    path.write_text(new)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, default=Path(os.environ.get("IMPC_KG_STORE", "var/store")))
    ap.add_argument("--seconds", type=float, default=20.0, help="duration of each phase (upper bound)")
    ap.add_argument("--max-requests", type=int, default=50_000, help="requests per phase (upper bound)")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--ids", type=int, default=2000, help="ids sampled per category")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--write", action="store_true", help="write the 'load' section of bench/RESULTS.md")
    args = ap.parse_args(argv)

    entities, diseases = sample_ids(args.store, args.ids, args.seed)
    port = free_port()
    proc = start_server(args.store, port, args.workers)
    try:
        ready_s = wait_ready(port, proc)
        load_before = os.getloadavg()
        ent_paths = [f"/entities/{quote(c, safe=':')}?max_neighbours=50" for c in entities]
        dis_paths = [f"/diseases/{quote(d, safe=':')}/models?limit=50" for d in diseases]
        # warm-up (not counted): page cache, thread pools
        asyncio.run(run_phase(port, ent_paths[:200] + dis_paths[:50], 5, 250, 4))
        ent = asyncio.run(run_phase(port, ent_paths, args.seconds, args.max_requests, args.concurrency))
        dis = asyncio.run(run_phase(port, dis_paths, args.seconds, args.max_requests, args.concurrency))
        load_after = os.getloadavg()
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)

    cmd = "python bench/load.py " + " ".join(argv if argv is not None else sys.argv[1:])
    import importlib.util
    stack = ", ".join(f"{m} {'yes' if importlib.util.find_spec(m) else 'no'}" for m in ("httptools", "uvloop"))
    ok = lambda r, t: "yes" if r["rps"] >= t and r["errors"] == 0 else "NO"  # noqa: E731
    text = f"""## load

Command: `{cmd.strip()}` (uvicorn, {args.workers} worker processes ({stack}), serving `{args.store}` built from
../shared/data; client: asyncio raw HTTP/1.1 keep-alive, {args.concurrency} connections, 127.0.0.1 only;
each phase bounded by {args.seconds:g} s and {args.max_requests} requests).

Machine: {os.cpu_count()} cores, **shared** with other engineers' jobs; load average (1/5/15 min)
before {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, after
{load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f}. Server start to first answer: {ready_s:.1f} s.

| phase | requests | errors | req/s | p50 ms | p99 ms | max ms | target | met |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| `GET /entities/{{curie}}?max_neighbours=50` ({len(entities)} ids) | {ent['requests']} | {ent['errors']} | {ent['rps']} | {ent['p50_ms']} | {ent['p99_ms']} | {ent['max_ms']} | >= 500 req/s | {ok(ent, 500)} |
| `GET /diseases/{{id}}/models?limit=50` ({len(diseases)} diseases) | {dis['requests']} | {dis['errors']} | {dis['rps']} | {dis['p50_ms']} | {dis['p99_ms']} | {dis['max_ms']} | >= 100 req/s | {ok(dis, 100)} |

Statuses: entities {ent['statuses']}, ranking {dis['statuses']}. Error samples: {ent['error_samples'] + dis['error_samples'] or 'none'}.
"""
    print(text)
    print(json.dumps({"entities": ent, "ranking": dis}, indent=1))
    if args.write:
        write_section(text, REPO / "bench" / "RESULTS.md")
    return 0 if ent["errors"] == 0 and dis["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
