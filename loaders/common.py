"""Small helpers shared by the loaders: cell clean-up, numbers, header checks, row errors.

Why one place: every loader must treat empty cells, numbers and bad rows the same
way (empty -> None, numbers -> float, a bad row -> reported with file, line and
the official column name, then skipped), and say the same thing when a header
is not the one expected.

>>> opt("  "), opt(" x ")
(None, 'x')
>>> to_float("-18.02%", "percentage_change", percent=True)
-18.02
>>> to_float("", "p_value") is None
True
>>> to_float("abc", "p_value")
Traceback (most recent call last):
...
loaders.common.RowError: [p_value] not a number: 'abc'
>>> split_list("PMID:1; PMID:2;", ";")
('PMID:1', 'PMID:2')
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence

from kg.report import BuildReport
from kg.vocab import is_curie
from loaders.textfile import numbered_lines

BOM = "\ufeff"


class RowError(Exception):
    """A problem with one row: the loader reports it (field, message) and skips the row."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"[{field}] {message}")


def text_lines(path: str | os.PathLike, report: BuildReport) -> Iterator[tuple[int, str]]:
    """:func:`loaders.textfile.numbered_lines` without a UTF-8 byte-order mark on line 1.

    Files saved by spreadsheet programs often start with a BOM, which would otherwise
    make the first header cell differ from its official name.
    """
    it = numbered_lines(path, report)
    for n, line in it:
        yield n, line.removeprefix(BOM)
        break
    yield from it


def opt(text: str | None) -> str | None:
    """Strip a cell; an empty (or all-blank) cell becomes None."""
    if text is None:
        return None
    text = text.strip()
    return text or None


def to_float(text: str | None, field: str, *, percent: bool = False) -> float | None:
    """Parse a numeric cell; empty -> None; not a finite number -> RowError.

    ``percent=True`` accepts a trailing ``%`` (IMPC writes ``-18.02%``) and keeps the
    number as written (-18.02, not -0.1802).
    """
    text = opt(text)
    if text is None:
        return None
    raw = text
    if percent and text.endswith("%"):
        text = text[:-1].strip()
    try:
        value = float(text)
    except ValueError:
        raise RowError(field, f"not a number: {raw!r}") from None
    if not math.isfinite(value):
        raise RowError(field, f"not a finite number: {raw!r}")
    return value


def json_number(value: object, field: str) -> float | None:
    """A JSON number (int or float) or null -> float | None; numeric strings are accepted."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise RowError(field, f"not a number: {value!r}")
    if isinstance(value, (int, float)):
        value = float(value)
        if not math.isfinite(value):
            raise RowError(field, f"not a finite number: {value!r}")
        return value
    if isinstance(value, str):
        return to_float(value, field)
    raise RowError(field, f"not a number: {value!r}")


def curie(text: str | None, field: str, *, required: bool) -> str | None:
    """Check CURIE syntax of an id cell; empty -> None (or RowError when required)."""
    text = opt(text)
    if text is None:
        if required:
            raise RowError(field, "required field is empty")
        return None
    if not is_curie(text):
        raise RowError(field, f"not a CURIE: {text!r}")
    return text


def split_list(text: str | None, sep: str) -> tuple[str, ...]:
    """Split a multi-valued cell, stripping items and dropping empty ones."""
    if not text:
        return ()
    if sep not in text:  # the common case, kept cheap for 300k-row files
        text = text.strip()
        return (text,) if text else ()
    return tuple(item for item in (part.strip() for part in text.split(sep)) if item)


def split_tsv(line: str) -> list[str]:
    """One TSV line -> its cells (line end removed, cells not stripped)."""
    return line.rstrip("\r\n").split("\t")


def describe_header_mismatch(expected: Sequence[str], found: Sequence[str]) -> str:
    """A readable explanation of how a header differs from the official one."""
    missing = [c for c in expected if c not in found]
    unexpected = [c for c in found if c not in expected]
    parts = [f"expected {len(expected)} columns {list(expected)}, found {len(found)} {list(found)}"]
    if missing:
        parts.append(f"missing: {missing}")
    if unexpected:
        parts.append(f"unexpected: {unexpected}")
    if not missing and not unexpected:
        for i, (e, f) in enumerate(zip(expected, found)):
            if e != f:
                parts.append(f"column {i + 1} is {f!r}, expected {e!r} (wrong order)")
                break
    return "; ".join(parts)
