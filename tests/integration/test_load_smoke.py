"""A short, bounded run of bench/load.py against a real uvicorn process on the mini store.

Why: keeps the load generator working (it is run by hand on the real store, figures in
bench/RESULTS.md) and checks that concurrent keep-alive traffic from another process
gets no errors. No timing assertions: the CI machine is shared.
"""

from __future__ import annotations

import asyncio
import os
from urllib.parse import quote

from bench import load


def test_bounded_load_run_has_no_errors(mini_store):
    entities, diseases = load.sample_ids(mini_store, 50, seed=1)
    port = load.free_port()
    proc = load.start_server(mini_store, port, workers=1)
    try:
        load.wait_ready(port, proc, timeout=120)
        ent = asyncio.run(load.run_phase(port, [f"/entities/{quote(e, safe=':')}" for e in entities],
                                         seconds=5, max_requests=300, concurrency=4))
        dis = asyncio.run(load.run_phase(port, [f"/diseases/{quote(d, safe=':')}/models?limit=5"
                                                for d in diseases], seconds=5, max_requests=100,
                                         concurrency=4))
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    assert ent["errors"] == 0 and ent["ok"] > 0, ent
    assert dis["errors"] == 0 and dis["ok"] > 0, dis
    assert ent["requests"] <= 300 and dis["requests"] <= 100  # bounded in count
