"""Build problems: what went wrong in which file, line and field, and what was done.

Why: bad input must never be silently dropped. Fatal problems (a file in the wrong
format, a truncated gzip, an empty file) raise :class:`SourceFormatError` and stop
the build before anything is swapped in; row problems are recorded here with the
action taken (``skipped``, ``remapped``, ``deduplicated``, ``warning``) and end up
in the build report (JSON plus a readable Markdown summary).

>>> r = BuildReport()
>>> r.add(Origin("calls.csv", 7), "p_value", "not a number: 'abc'", "skipped")
>>> r.counts()["skipped"]
1
>>> str(r.problems[0])
"calls.csv:7 [p_value] not a number: 'abc' (skipped)"
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.model import Origin

ACTIONS = ("skipped", "remapped", "deduplicated", "warning")


class SourceFormatError(Exception):
    """A source file that cannot be read as its declared format: stops the build."""

    def __init__(self, file: str, line: int | None, field: str | None, message: str):
        self.file, self.line, self.field, self.message = file, line, field, message
        where = file if line is None else f"{file}:{line}"
        if field:
            where += f" [{field}]"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    field: str
    message: str
    action: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} [{self.field}] {self.message} ({self.action})"


@dataclass
class BuildReport:
    """Collects row problems; keeps every one in memory up to ``keep`` per (file, action)."""

    keep: int = 1000
    problems: list[Problem] = field(default_factory=list)
    _counts: Counter = field(default_factory=Counter)

    def add(self, origin: Origin, field: str, message: str, action: str) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        key = (origin.file, action)
        self._counts[key] += 1
        if self._counts[key] <= self.keep:
            self.problems.append(Problem(origin.file, origin.line, field, message, action))

    def counts(self) -> Counter:
        """Problems per action, over all files."""
        total: Counter = Counter()
        for (_, action), n in self._counts.items():
            total[action] += n
        return total

    def counts_by_file(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (file, action), n in sorted(self._counts.items()):
            out.setdefault(file, {})[action] = n
        return out

    def to_json(self) -> dict:
        return {
            "counts": dict(self.counts()),
            "counts_by_file": self.counts_by_file(),
            "problems": [asdict(p) for p in self.problems],
            "listed_per_file_and_action": self.keep,
        }

    def to_markdown(self, title: str = "Build report") -> str:
        lines = [f"# {title}", ""]
        counts = self.counts()
        if not counts:
            lines.append("No problems: every row was used as it stands.")
        for file, acts in self.counts_by_file().items():
            lines.append(f"## {file}")
            lines.append(", ".join(f"{a}: {n}" for a, n in acts.items()))
            lines.append("")
            for p in self.problems:
                if p.file == file:
                    lines.append(f"- line {p.line}, field `{p.field}`: {p.message} ({p.action})")
            lines.append("")
        return "\n".join(lines) + "\n"

    def write(self, directory: Path) -> None:
        (directory / "report.json").write_text(json.dumps(self.to_json(), indent=1))
        (directory / "report.md").write_text(self.to_markdown())
