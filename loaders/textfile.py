"""Reading source files line by line: gzip or plain, UTF-8 checked per line.

Why: a truncated gzip, an empty file or bytes that are not UTF-8 must be reported
with the file and line where they happen, not as a bare traceback from deep
inside ``csv`` or ``gzip``.

>>> import tempfile, os
>>> d = tempfile.mkdtemp(); p = os.path.join(d, "x.tsv")
>>> _ = open(p, "wb").write(b"a\\tb\\n\\xff\\n")
>>> from kg.report import BuildReport
>>> r = BuildReport()
>>> list(numbered_lines(p, r))
[(1, 'a\\tb\\n')]
>>> r.problems[0].field, r.problems[0].line
('(bytes)', 2)
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from kg.model import Origin
from kg.report import BuildReport, SourceFormatError

GZIP_MAGIC = b"\x1f\x8b"


def display_name(path: str | os.PathLike) -> str:
    """How a file is named in messages: its path as given."""
    return str(path)


def is_gzip(path: str | os.PathLike) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def _raw_lines(path: Path) -> Iterator[bytes]:
    if is_gzip(path):
        with gzip.open(path, "rb") as fh:
            yield from fh
    else:
        with open(path, "rb") as fh:
            yield from fh


def numbered_lines(path: str | os.PathLike, report: BuildReport) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, decoded line) for a plain or gzipped text file.

    A line that is not valid UTF-8 is reported (field ``(bytes)``) and skipped;
    an empty file, a truncated or corrupt gzip raise SourceFormatError.
    """
    path = Path(path)
    name = display_name(path)
    if not path.exists():
        raise SourceFormatError(name, None, None, "file not found")
    if path.stat().st_size == 0:
        raise SourceFormatError(name, None, None, "file is empty")
    n = 0
    try:
        for n, raw in enumerate(_raw_lines(path), start=1):
            try:
                yield n, raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                report.add(Origin(name, n), "(bytes)",
                           f"not UTF-8 at byte {exc.start}: {raw[exc.start:exc.start + 8]!r}",
                           "skipped")
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise SourceFormatError(name, n + 1, None,
                                f"truncated or corrupt gzip after line {n}: {exc}") from None
    if n == 0:
        raise SourceFormatError(name, None, None, "file is empty (no lines after decompression)")
