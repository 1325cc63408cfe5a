"""Read an HTML page with the standard library's parser, for tests of generated pages.

:func:`parse` returns the tags seen, the ids, the text, every table (rows of cell texts
with the row's class) and the nesting errors: an end tag that does not close the element
open at that point, or elements left open at the end.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Row:
    cls: str | None
    cells: list[str]


@dataclass
class Page:
    tags: Counter = field(default_factory=Counter)
    attrs: list[tuple[str, dict]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    text: str = ""
    tables: list[list[Row]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    doctype: str | None = None

    sections: dict[str, list[list[Row]]] = field(default_factory=dict)  # element id -> tables inside

    def tables_in(self, element_id: str) -> list[list[Row]]:
        """The tables inside the element with this id (e.g. a report section)."""
        return self.sections.get(element_id, [])


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[tuple[str, str | None]] = []  # (tag, id)
        self.cell: list[str] | None = None
        self.row: Row | None = None
        self.text: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.page.doctype = decl

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.page.tags[tag] += 1
        self.page.attrs.append((tag, a))
        if "id" in a:
            self.page.ids.append(a["id"])
        if tag == "table":
            self.page.tables.append([])
            for _, sid in self.stack:
                if sid:
                    self.page.sections.setdefault(sid, []).append(self.page.tables[-1])
        elif tag == "tr":
            self.row = Row(a.get("class"), [])
        elif tag in ("td", "th"):
            self.cell = []
        if tag not in VOID:
            self.stack.append((tag, a.get("id")))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.page.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.cells.append("".join(self.cell))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.page.tables:
            self.page.tables[-1].append(self.row)
            self.row = None

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)


def parse(html: str) -> Page:
    r = _Reader()
    r.feed(html)
    r.close()
    if r.stack:
        r.page.errors.append(f"left open: {[t for t, _ in r.stack]}")
    r.page.text = "".join(r.text)
    return r.page
