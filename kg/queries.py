"""The named query library: ``queries/*.rq``, each with a header that says what it answers.

Why files with a header and not Python: a query is something researchers read, copy into
``/sparql`` or another SPARQL store, and review in a diff. The header is the contract
the API, the CLI, the tests and the benchmark share::

    # title: Genes with a significant call for an MP term or any descendant
    # question: Which mouse genes ... (continuation lines start with "#" and 2+ spaces)
    # param: term curie(MP) required -- the MP term
    # param: sex enum(male|female|both) optional -- only calls made in this sex
    # param: via enum(curated|upheno|any) default=any -- which MP-HP links count
    # example: term=MP:0001259&sex=male
    # note: why the query is written the way it is

Parameter types: ``curie(PREFIX|...)``, ``string``, ``float``, ``int``, ``bool``,
``enum(a|b|...)``; each ``required``, ``optional`` or ``default=VALUE``.

How parameters are bound (and the two pyoxigraph 0.5 rules that shape the queries)
    Values are parsed and checked here, turned into RDF terms and passed to Oxigraph
    with ``substitutions=`` -- never formatted into the query text. Oxigraph requires a
    substituted variable to be in the SELECT projection, so every parameter is a
    column (it echoes the value; for an optional parameter left out it is empty). And
    Oxigraph folds ``BOUND(?x)`` to false when the pattern never binds ``?x``, even if
    ``?x`` is substituted, so the usual ``FILTER(!BOUND(?x) || ...)`` idiom silently
    ignores the parameter. Optional filters are therefore written
    ``FILTER(COALESCE(?x, kgv:any) = kgv:any || <test with ?x>)`` and an optional
    parameter that is left out is simply not substituted: the same text then also runs
    unchanged in ``/sparql`` or any other SPARQL 1.1 store, where ``?x`` is unbound.
    An optional *entity* parameter (``gene`` in disease_phenocopies) is a plain join
    variable: substituted, it is a constant the planner starts from; left out, the query
    runs for every entity.

Writing a named query that Oxigraph runs fast (each rule measured on the full graph;
the figures are in the queries' ``# note:`` lines and bench/RESULTS.md, "query")
    - start from the bound entity (a gene, a term); "or any descendant" is the closure
      triple ``?mp kgv:subClassOfOrSelf ?term``, never ``rdfs:subClassOf*`` (with a
      substituted term, the path in a join takes 17-22 s whatever the term);
    - read a call's properties inside ``GRAPH ?g { ... }`` (2-3x faster than the union);
    - check, don't join: ``FILTER EXISTS`` with both ends bound; an optional filter is
      ``COALESCE(?x, kgv:any) = kgv:any || EXISTS {...}``, free when not asked for;
    - no FILTER inside a UNION branch or nested group (the group is then evaluated on
      its own, for every row of the store); filter after the UNION;
    - a multi-pattern ``NOT EXISTS`` is hash-joined per outer row: nest single-pattern
      EXISTS instead; for a whole-graph anti-join, MINUS;
    - OPTIONAL is a hash join over every triple of the predicate: look labels and
      symbols up after the rows are few, or as a join when they are always there.

>>> lib = load()
>>> sorted(lib)[:3]
['disease_phenocopies', 'gene_phenotype_calls', 'gene_phenotype_systems']
>>> subs, shown = lib["genes_for_phenotype"].bind({"term": "MP:0001259", "sex": "male"})
>>> sorted(subs), shown
(['sex', 'term'], {'term': 'MP:0001259', 'sex': 'male'})
>>> lib["genes_for_phenotype"].bind({"term": "HP:0000001"})
Traceback (most recent call last):
...
kg.queries.ParamError: parameter 'term': expected a CURIE with prefix MP (e.g. MP:0001262), got 'HP:0000001'
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import pyoxigraph as ox

from kg import vocab
from kg.sparql import Limits, Table, select_table

QUERY_DIR = Path(__file__).resolve().parents[1] / "queries"
RESERVED = {"format"}  # query-string names the API keeps for itself
EXAMPLE_IDS = {"MP": "MP:0001262", "HP": "HP:0004325", "MGI": "MGI:97490", "NCBIGene": "NCBIGene:5080",
               "OMIM": "OMIM:120200", "ORPHA": "ORPHA:250923"}


class ParamError(ValueError):
    """A missing, unknown or malformed parameter (the API answers 422)."""


class UnknownQuery(KeyError):
    """No query of that name (the API answers 404)."""

    def __str__(self) -> str:
        return self.args[0]


class HeaderError(ValueError):
    """A .rq file whose header does not follow the format (a bug in the library)."""


_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


@dataclass(frozen=True)
class Param:
    name: str
    type: str                       # curie string float int bool enum
    required: bool
    default: str | None
    description: str
    choices: tuple[str, ...] = ()   # enum values, or allowed CURIE prefixes

    @property
    def spec(self) -> str:
        return f"{self.type}({'|'.join(self.choices)})" if self.choices else self.type

    def parse(self, raw: str) -> tuple[Any, Any]:
        """(RDF term for Oxigraph, plain value to echo) for a raw query-string value."""
        raw = raw.strip()
        where = f"parameter {self.name!r}"
        if self.type == "curie":
            example = EXAMPLE_IDS.get(self.choices[0], self.choices[0] + ":...")
            if not vocab.is_curie(raw) or vocab.prefix_of(raw) not in self.choices:
                raise ParamError(f"{where}: expected a CURIE with prefix {' or '.join(self.choices)} "
                                 f"(e.g. {example}), got {raw!r}")
            return ox.NamedNode(vocab.expand(raw)), raw
        if self.type == "enum":
            if raw not in self.choices:
                raise ParamError(f"{where}: expected one of {', '.join(self.choices)}, got {raw!r}")
            return ox.Literal(raw), raw
        if self.type == "float":
            try:
                value = float(raw)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                raise ParamError(f"{where}: expected a number (e.g. 0.0001 or 1e-4), got {raw!r}")
            return ox.Literal(repr(value), datatype=ox.NamedNode(vocab.XSD + "double")), value
        if self.type == "int":
            if not re.fullmatch(r"[+-]?[0-9]{1,18}", raw):
                raise ParamError(f"{where}: expected an integer, got {raw!r}")
            return ox.Literal(str(int(raw)), datatype=ox.NamedNode(vocab.XSD + "integer")), int(raw)
        if self.type == "bool":
            if raw.lower() not in _TRUE | _FALSE:
                raise ParamError(f"{where}: expected true or false, got {raw!r}")
            value = raw.lower() in _TRUE
            return ox.Literal(str(value).lower(), datatype=ox.NamedNode(vocab.XSD + "boolean")), value
        if not raw or len(raw) > 1000:
            raise ParamError(f"{where}: expected a non-empty text of at most 1000 characters")
        return ox.Literal(raw), raw

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "type": self.type, "required": self.required,
                             "default": self.default, "description": self.description}
        if self.type == "enum":
            d["choices"] = list(self.choices)
        if self.type == "curie":
            d["prefixes"] = list(self.choices)
        return d


@dataclass
class NamedQuery:
    name: str
    title: str
    question: str
    params: list[Param]
    examples: list[str]
    note: str
    text: str
    path: Path | None = None

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def bind(self, raw: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Check the raw values; return (substitutions, the values as understood)."""
        unknown = [k for k in raw if self.param(k) is None]
        if unknown:
            takes = ", ".join(p.name for p in self.params) or "no parameters"
            raise ParamError(f"unknown parameter {unknown[0]!r} for query {self.name!r}; it takes: {takes}")
        subs: dict[str, Any] = {}
        shown: dict[str, Any] = {}
        for p in self.params:
            value = raw.get(p.name)
            if value is None or value == "":
                if p.required:
                    raise ParamError(f"missing required parameter {p.name!r} ({p.spec}): {p.description}")
                if p.default is None:
                    continue
                value = p.default
            subs[p.name], shown[p.name] = p.parse(value)
        return subs, shown

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "question": self.question,
                "parameters": [p.as_dict() for p in self.params],
                "examples": [f"/queries/{self.name}" + (f"?{e}" if e else "") for e in self.examples]}

    def example_params(self, i: int = 0) -> dict[str, str]:
        """The i-th ``# example:`` line as a dict (the benchmark and tests run these)."""
        text = self.examples[i] if self.examples else ""
        return dict(kv.split("=", 1) for kv in text.split("&") if kv)


_KEY = re.compile(r"^#\s?([a-z_]+):\s?(.*)$")
_CONT = re.compile(r"^#\s{2,}(\S.*)$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>curie|string|float|int|bool|enum)"
                    r"(?:\((?P<choices>[^)]*)\))?\s+(?P<mode>required|optional|default=\S+)"
                    r"\s+--\s+(?P<desc>.+)$")


def parse_header(text: str, name: str = "?") -> dict[str, Any]:
    """The header of a .rq file: leading ``#`` lines, ``key: value`` with continuations.

    >>> h = parse_header("# title: T\\n# question: Q one\\n#   two\\n# param: n int default=3 -- how many\\nSELECT ?n {}")
    >>> h["title"], h["question"], h["params"][0].default
    ('T', 'Q one two', '3')
    """
    entries: list[list[str]] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _KEY.match(line)
        c = _CONT.match(line)
        if c and entries:
            entries[-1][1] += " " + c.group(1).strip()
        elif m:
            entries.append([m.group(1), m.group(2).strip()])
        elif line.strip("# "):
            raise HeaderError(f"{name}.rq: header line not understood: {line!r}")
    out: dict[str, Any] = {"title": "", "question": "", "params": [], "examples": [], "note": ""}
    for key, value in entries:
        if key == "param":
            m = _PARAM.match(value)
            if not m:
                raise HeaderError(f"{name}.rq: bad param line {value!r}: expected "
                                  "'NAME TYPE required|optional|default=VALUE -- description'")
            typ = m.group("type")
            choices = tuple(c.strip() for c in (m.group("choices") or "").split("|") if c.strip())
            if typ in ("curie", "enum") and not choices:
                raise HeaderError(f"{name}.rq: param {m.group('name')}: {typ} needs (A|B|...)")
            if m.group("name") in RESERVED:
                raise HeaderError(f"{name}.rq: parameter name {m.group('name')!r} is reserved")
            mode = m.group("mode")
            out["params"].append(Param(m.group("name"), typ, mode == "required",
                                       mode[len("default="):] if mode.startswith("default=") else None,
                                       m.group("desc").strip(), choices))
        elif key == "example":
            out["examples"].append(value)
        elif key in ("title", "question", "note"):
            out[key] = (out[key] + " " + value).strip()
        else:
            raise HeaderError(f"{name}.rq: unknown header key {key!r}")
    if not out["title"] or not out["question"]:
        raise HeaderError(f"{name}.rq: the header needs a title and a question")
    return out


def load(directory: Path = QUERY_DIR) -> dict[str, NamedQuery]:
    """Every ``*.rq`` of the directory, by file stem. Cheap (a few small files): read each call,
    so that an edited query is served without a restart."""
    lib: dict[str, NamedQuery] = {}
    for path in sorted(Path(directory).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        h = parse_header(text, path.stem)
        for p in h["params"]:
            if not re.search(rf"\?{p.name}\b", text):
                raise HeaderError(f"{path.name}: parameter {p.name!r} is not a variable of the query")
        lib[path.stem] = NamedQuery(path.stem, h["title"], h["question"], h["params"],
                                    h["examples"], h["note"], text, path)
    return lib


def get(name: str, directory: Path = QUERY_DIR) -> NamedQuery:
    lib = load(directory)
    if name not in lib:
        raise UnknownQuery(f"no named query {name!r}; available: {', '.join(sorted(lib))}")
    return lib[name]


Select = Callable[[str, Mapping[str, Any]], Table]


def run(query: NamedQuery, raw_params: Mapping[str, str], select: Select) -> tuple[Table, dict[str, Any]]:
    """Bind and run a named query with ``select`` (a store runner or the SPARQL service)."""
    subs, shown = query.bind(raw_params)
    return select(query.text, subs), shown


def run_on_store(store: ox.Store, name: str, raw_params: Mapping[str, str] | None = None,
                 limits: Limits | None = None, directory: Path = QUERY_DIR) -> Table:
    """Run a named query in this thread on an open store (CLI, tests, benchmark)."""
    limits = limits or Limits()
    table, _ = run(get(name, directory), raw_params or {},
                   lambda q, s: select_table(store, q, s, limits.timeout_s, limits.max_rows))
    return table


def format_cell(v: Any) -> str:
    """One TSV cell: empty for null, true/false, tabs and newlines escaped."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def to_tsv(table: Table, comments: list[str] | None = None) -> str:
    """A header line and one line per row; ``comments`` become leading ``# `` lines.

    >>> to_tsv(Table(["a", "b"], [{"a": "x", "b": 1.5}, {"a": None, "b": True}])).splitlines()
    ['a\\tb', 'x\\t1.5', '\\ttrue']
    """
    out = io.StringIO()
    for c in comments or []:
        out.write(f"# {c}\n")
    out.write("\t".join(table.columns) + "\n")
    for row in table.rows:
        out.write("\t".join(format_cell(row.get(c)) for c in table.columns) + "\n")
    return out.getvalue()
