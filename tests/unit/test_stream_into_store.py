"""kg.build.stream_into_store: N-Quads through one FIFO per chunk into Oxigraph's bulk loader."""

from __future__ import annotations

import threading

import pyoxigraph as ox
import pytest

from kg.build import stream_into_store


def _quads(n: int) -> list[str]:
    return [f"<http://x/s{i}> <http://x/p> \"{i}\" <http://x/g{i % 3}> .\n" for i in range(n)]


@pytest.mark.parametrize("n,chunk", [(10, 3), (9, 3), (1, 5), (0, 4)])
def test_every_quad_arrives_whatever_the_chunking(tmp_path, n, chunk):
    store = ox.Store(str(tmp_path / "ox"))
    lines = _quads(n)

    def produce(sink):
        for line in lines:
            sink.write(line)
        return sink.n_chunks

    n_chunks = stream_into_store(store, tmp_path, produce, chunk=chunk)
    assert n_chunks == -(-n // chunk)  # ceil
    assert len(store) == n
    assert {q.object.value for q in store} == {str(i) for i in range(n)}
    assert not list(tmp_path.glob("*.fifo"))


def test_an_error_while_producing_stops_both_sides(tmp_path):
    store = ox.Store(str(tmp_path / "ox"))

    def produce(sink):
        for line in _quads(7):
            sink.write(line)
        raise ValueError("bad row in file x, line 8")

    before = threading.active_count()
    with pytest.raises(ValueError, match="line 8"):
        stream_into_store(store, tmp_path, produce, chunk=3)
    assert threading.active_count() == before  # the loader thread has ended
    assert not list(tmp_path.glob("*.fifo"))
