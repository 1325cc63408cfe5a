"""The validation report in four forms: JSON, the flagged rows as SSSOM TSV, a Markdown or HTML summary.

Why these: JSON is for tools (CI, the web page); the flagged rows go back to the curator
as a valid SSSOM file (the same rows, ``comment`` saying why each was flagged and what to
do, so it can be fixed and merged back); Markdown is what a person reads first, and the
HTML page (the same summary, self-contained: inline CSS, no script, text escaped) is what
one opens in a browser or attaches to a ticket.

The SSSOM output keeps the file's ``curie_map``, ``mapping_set_id`` and ``license`` and
puts each row's findings into ``comment`` as ``line N: [check/code] message (suggestion:
...)``, findings joined by `` | ``; the row's own comment, if any, follows after
`` || original comment: ``. Findings without a row (missing metadata, the coverage
worklist, impact) are counted in the block's ``comment``.
"""

from __future__ import annotations

import html
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import yaml

from kg.mappings.validate import CHECKS, SEVERITIES, Flag, ValidationReport

#: the SSSOM columns written for flagged rows (the slots the loader reads), in this order
SSSOM_OUT = ("subject_id", "subject_label", "predicate_id", "object_id", "object_label",
             "mapping_justification", "confidence", "author_id", "mapping_tool", "mapping_date", "comment")
_ATTR = {"mapping_justification": "justification"}
REQUIRED_OUT = ("subject_id", "predicate_id", "object_id", "mapping_justification", "comment")
UNSPECIFIED_LICENSE = "https://w3id.org/sssom/license/unspecified"


def _keep(f: Flag, min_severity: str) -> bool:
    return SEVERITIES.index(f.severity) <= SEVERITIES.index(min_severity)


def to_json(report: ValidationReport, min_severity: str = "info") -> dict[str, Any]:
    """The whole report as a JSON-ready dict (every flag at or above ``min_severity``)."""
    return {
        "file": report.file,
        "mapping_set": report.mapping_set,
        "store": report.build,
        "rows_read": report.rows_read,
        "rows_unreadable": report.rows_unreadable,
        "checks": report.checks,
        "counts": {name: r.counts() for name, r in report.results.items()},
        "summaries": {name: r.summary for name, r in report.results.items()},
        "seconds": report.seconds,
        "flags": [f.as_dict() for f in report.flags if _keep(f, min_severity)],
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value) if not isinstance(value, float) else repr(value)
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def to_sssom(report: ValidationReport, min_severity: str = "info") -> str:
    """The flagged rows as an SSSOM TSV (see the module docstring)."""
    by_line: dict[int, list[Flag]] = defaultdict(list)
    set_level: list[Flag] = []
    for f in report.flags:
        if not _keep(f, min_severity):
            continue
        rows = [n for n in f.lines if n in report.rows]
        for n in rows:
            by_line[n].append(f)
        if not rows:
            set_level.append(f)
    counts = defaultdict(int)
    for f in set_level:
        counts[f"{f.check}/{f.code}"] += 1
    ms = report.mapping_set
    meta: dict[str, Any] = {
        "mapping_set_id": ms.get("mapping_set_id") or f"https://w3id.org/impc-kg/validation/{report.file}",
        "mapping_set_title": f"Rows of {report.file} flagged by kg mappings validate",
        "license": ms.get("license") or UNSPECIFIED_LICENSE,
        "comment": (f"{len(by_line)} of {report.rows_read} rows flagged (checks: {', '.join(report.checks)}); "
                    "findings without a row: "
                    + (", ".join(f"{k} x{v}" for k, v in sorted(counts.items())) or "none")),
    }
    if report.curie_map:
        meta["curie_map"] = dict(report.curie_map)
    out = io.StringIO()
    for line in yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10**6).splitlines():
        out.write(f"#{line}\n")
    rows = [report.rows[n] for n in sorted(by_line)]
    cols = [c for c in SSSOM_OUT if c in REQUIRED_OUT
            or any(getattr(m, _ATTR.get(c, c)) is not None for m in rows)]
    out.write("\t".join(cols) + "\n")
    for m in rows:
        n = m.origin.line
        notes = []
        for f in by_line[n]:
            note = f"[{f.check}/{f.code}] {f.message}"
            if f.suggestion:
                note += f" (suggestion: {f.suggestion})"
            notes.append(note)
        comment = f"line {n}: " + " | ".join(notes)
        if m.comment:
            comment += f" || original comment: {m.comment}"
        values = {c: getattr(m, _ATTR.get(c, c)) for c in cols if c != "comment"}
        values["comment"] = comment
        out.write("\t".join(_cell(values[c]) for c in cols) + "\n")
    return out.getvalue()


# -- Markdown and HTML ----------------------------------------------------------------------
# The summary is built once as blocks (a paragraph of lines, or a table), then written as
# Markdown or as HTML, so the two forms always say the same thing.
@dataclass
class _Para:
    lines: list[str]


@dataclass
class _Table:
    head: list[str]
    rows: list[list[Any]]


def _md(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_md(c) for c in r) + " |" for r in rows]
    return out + [""]


def _md_blocks(blocks: list[_Para | _Table]) -> list[str]:
    out: list[str] = []
    for b in blocks:
        out += _table(b.head, b.rows) if isinstance(b, _Table) else b.lines + [""]
    return out


def _header_lines(report: ValidationReport) -> list[str]:
    """The report's identity: mapping set, store build, rows read, time (one line each)."""
    ms = report.mapping_set
    b = report.build
    versions = ", ".join(f"{k} {v}" for k, v in (b.get("versions") or {}).items())
    return [f"mapping set: {ms.get('mapping_set_id') or '(no mapping_set_id)'}"
            + (f" - {ms['title']}" if ms.get("title") else "")
            + (f" (version {ms['version']})" if ms.get("version") else ""),
            f"store: build {b.get('build_id', '?')}" + (f" ({versions})" if versions else ""),
            f"rows read: {report.rows_read}; unreadable rows: {report.rows_unreadable}; "
            f"time: {report.seconds.get('total', 0):.2f} s"]


def _summary_table(report: ValidationReport) -> _Table:
    rows = []
    for name in report.checks:
        r = report.results[name]
        c = r.counts()
        sev = c["by_severity"]
        rows.append([CHECKS.index(name) + 1, name, c["flags"], c["rows_flagged"], sev.get("error", 0),
                     sev.get("warning", 0), sev.get("info", 0), f"{r.seconds:.2f}"])
    return _Table(["#", "check", "flags", "rows flagged", "errors", "warnings", "info", "s"], rows)


_FLAG_HEAD = ["lines", "severity", "code", "message", "suggestion"]


def _shown_flags(r, examples: int) -> list[Flag]:
    """The flags listed for a check (worst first, at most ``examples``); none for coverage and
    impact, whose tables already list their terms and diseases."""
    if r.name in ("coverage", "impact"):
        return []
    return sorted(r.flags, key=lambda f: SEVERITIES.index(f.severity))[:examples]


def _more_flags(r, shown: list[Flag]) -> str | None:
    if len(r.flags) > len(shown) and r.name not in ("coverage", "impact"):
        return f"... and {len(r.flags) - len(shown)} more (see the JSON or the flagged-rows SSSOM)."
    return None


def _codes(r) -> list[tuple[str, int]]:
    return sorted(r.counts()["by_code"].items(), key=lambda kv: -kv[1])


def to_markdown(report: ValidationReport, examples: int = 10, top: int = 20) -> str:
    """A readable summary: counts per check, the first flags of each, the tables."""
    L: list[str] = [f"# Mapping validation: {report.file}", ""]
    L += [f"- {line}" for line in _header_lines(report)]
    L.append("")
    L.append("## Summary")
    L.append("")
    s = _summary_table(report)
    L += _table(s.head, s.rows)
    for name in report.checks:
        r = report.results[name]
        L.append(f"## {CHECKS.index(name) + 1}. {name}")
        L.append("")
        codes = _codes(r)
        if codes:
            L.append("Flags by code: " + ", ".join(f"`{k}` {v}" for k, v in codes))
            L.append("")
        L += _md_blocks(_SECTIONS.get(name, _no_section)(r.summary, top))
        shown = _shown_flags(r, examples)
        if shown:
            L += _table(_FLAG_HEAD, [_flag_row(f) for f in shown])
        more = _more_flags(r, shown)
        if more:
            L.append(more)
            L.append("")
    return "\n".join(L).rstrip() + "\n"


def _flag_row(f: Flag) -> list[Any]:
    return [_lines(f.lines), f.severity, f.code, f.message, f.suggestion or ""]


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:75rem;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.5rem;word-break:break-all}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
h3{font-size:1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.error td.sev{background:#fde2e1;color:#8a1c14;font-weight:600}
tr.warning td.sev{background:#fff3cd;color:#7a5a00}tr.info td.sev{background:#e7f1fb;color:#1d4f7c}
code{background:#f3f3f3;padding:0 .2rem;border-radius:3px}ul.meta{padding-left:1.2rem}
p.more{color:#555;font-style:italic}
""".strip()


def _h(value: Any) -> str:
    """Text as HTML: every <, >, &, quote escaped (labels and messages come from the upload)."""
    return html.escape(str(value if value is not None else ""), quote=True)


def _html_cell(value: Any) -> str:
    num = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f'<td class="n">{_h(value)}</td>' if num else f"<td>{_h(value)}</td>"


def _html_table(head: list[str], rows: list[list[Any]], cell=_html_cell) -> list[str]:
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{_h(h)}</th>" for h in head) + "</tr></thead>", "<tbody>"]
    out += ["<tr>" + "".join(cell(c) for c in r) + "</tr>" for r in rows]
    return out + ["</tbody>", "</table>"]


def _html_blocks(blocks: list[_Para | _Table]) -> list[str]:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, _Table):
            out += _html_table(b.head, b.rows)
        else:
            out.append("<p>" + "<br>\n".join(_h(line) for line in b.lines) + "</p>")
    return out


def _html_flags(flags: list[Flag]) -> list[str]:
    """The flags as a table, each row classed by its severity (the severity cell is coloured)."""
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{_h(h)}</th>" for h in _FLAG_HEAD) + "</tr></thead>",
           "<tbody>"]
    for f in flags:
        lines, sev, *rest = _flag_row(f)
        out.append(f'<tr class="{_h(sev)}"><td>{_h(lines)}</td><td class="sev">{_h(sev)}</td>'
                   + "".join(f"<td>{_h(c)}</td>" for c in rest) + "</tr>")
    return out + ["</tbody>", "</table>"]


def to_html(report: ValidationReport, examples: int = 100, top: int = 20) -> str:
    """The summary of :func:`to_markdown` as one self-contained HTML page.

    Inline CSS, no script and nothing fetched (it can be mailed or opened offline); every
    text from the file or the store is escaped; the flags of each check (worst first, at
    most ``examples``) are a table whose rows are coloured by severity.
    """
    title = f"Mapping validation: {report.file}"
    H: list[str] = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
                    '<meta name="viewport" content="width=device-width, initial-scale=1">',
                    f"<title>{_h(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
                    f"<h1>{_h(title)}</h1>", '<ul class="meta">']
    H += [f"<li>{_h(line)}</li>" for line in _header_lines(report)]
    H += ["</ul>", '<h2 id="summary">Summary</h2>']
    s = _summary_table(report)

    def summary_cell(value: Any) -> str:
        if isinstance(value, str) and value in report.checks:
            return f'<td><a href="#check-{_h(value)}">{_h(value)}</a></td>'
        return _html_cell(value)

    H += _html_table(s.head, s.rows, cell=summary_cell)
    for name in report.checks:
        r = report.results[name]
        H.append(f'<section id="check-{_h(name)}">')
        H.append(f"<h2>{CHECKS.index(name) + 1}. {_h(name)}</h2>")
        codes = _codes(r)
        if codes:
            H.append("<p>Flags by code: " + ", ".join(f"<code>{_h(k)}</code> {v}" for k, v in codes) + "</p>")
        H += _html_blocks(_SECTIONS.get(name, _no_section)(r.summary, top))
        shown = _shown_flags(r, examples)
        if shown:
            H.append(f"<h3>Flags ({len(r.flags)})</h3>")
            H += _html_flags(shown)
        more = _more_flags(r, shown)
        if more:
            H.append(f'<p class="more">{_h(more)}</p>')
        H.append("</section>")
    H += ["</body>", "</html>"]
    return "\n".join(H) + "\n"




def _lines(lines: tuple[int, ...]) -> str:
    if not lines:
        return "-"
    text = ", ".join(map(str, lines[:5]))
    return text + (f" (+{len(lines) - 5})" if len(lines) > 5 else "")


_Blocks = list  # of _Para | _Table


def _no_section(summary: dict, top: int) -> _Blocks:
    return []


def _structure(s: dict, top: int) -> _Blocks:
    return [_Para([f"Columns: {', '.join(s.get('columns', []))} (header line {s.get('header_line')}); "
                   f"curie_map prefixes: {', '.join(s.get('curie_map_prefixes', [])) or 'none'}."])]


def _ids(s: dict, top: int) -> _Blocks:
    nc = s.get("ids_not_checked_by_prefix") or {}
    return [_Para([f"MP/HP ids checked: {s.get('ids_checked', 0)}; not checked (ontology not in the store): "
                   + (", ".join(f"{k} {v}" for k, v in nc.items()) or "none") + "."])]


def _labels(s: dict, top: int) -> _Blocks:
    return [_Para([f"Labels compared: {s.get('labels_compared', 0)}."])]


def _cardinality(s: dict, top: int) -> _Blocks:
    return [_Para([f"Exact MP<->HP pairs: {s.get('exact_pairs', 0)}, of which 1:1: {s.get('one_to_one', 0)}."])]


def _hierarchy(s: dict, top: int) -> _Blocks:
    return [_Para([f"Exact/close pairs checked: {s.get('pairs_checked', 0)}."])]


def _agreement(s: dict, top: int) -> _Blocks:
    out: _Blocks = [_Para(["MP terms mapped (exact or close) per set: "
                           + ", ".join(f"{k} {v}" for k, v in s.get("mp_terms_per_set", {}).items()) + "."])]
    if s.get("reference_sets_missing"):
        out.append(_Para([f"Not in the store: {', '.join(s['reference_sets_missing'])}."]))
    pw = s.get("pairwise", [])
    if pw:
        rows = []
        for r in pw:
            x, y = r["sets"]
            rows.append([f"{x} / {y}", r["agree"], r["overlap"], r["conflict_related"], r["conflict"],
                         r[f"only_{x}"], r[f"only_{y}"]])
        out.append(_Table(["sets", "agree", "overlap", "conflict (related)", "conflict", "only first",
                           "only second"], rows))
    terms = s.get("terms", [])[:top]
    if terms:
        out.append(_Para([f"Disagreeing MP terms ({s.get('disagreeing_terms', 0)}; most IMPC calls first "
                          "among conflicts):"]))
        out.append(_Table(["MP", "label", "calls", "status", "sets"],
                          [[t["mp"], t["label"], t["calls"], t["status"],
                            "; ".join(f"{k}: {', '.join(v)}" for k, v in t["sets"].items())] for t in terms]))
    return out


def _coverage(s: dict, top: int) -> _Blocks:
    out: _Blocks = [_Para([
        f"MP terms with IMPC calls: {s.get('mp_terms_with_calls', 0)}; mapped by the file: "
        f"{s.get('mapped_by_file', 0)} (exact/close {s.get('mapped_exact_or_close', 0)}); unmapped: "
        f"{s.get('unmapped', 0)}, of which {s.get('unmapped_not_in_active_sets', 0)} mapped by no active set "
        f"({', '.join(s.get('active_sets', []))}); calls on unmapped terms: {s.get('calls_on_unmapped_terms', 0)} "
        f"of {s.get('calls', 0)} ({100 * s.get('share_of_calls_unmapped', 0):.1f}%). "
        f"Scores = models with the term or a descendant x {s.get('diseases', 0)} diseases."])]
    wl = s.get("worklist", [])[:top]
    if wl:
        out.append(_Para(["Worklist (not mapped by any active set first, then by scores and calls):"]))
        out.append(_Table(["MP", "label", "calls", "models", "models with descendants", "scores", "mapped in",
                           "nearest mapped ancestor"],
                          [[w["mp"], w["label"], w["calls"], w["models"], w["models_reached"], w["scores"],
                            ", ".join(w["mapped_in"]) or "-",
                            ", ".join(w["nearest_mapped_ancestors"]) or "-"] for w in wl]))
    return out


def _impact(s: dict, top: int) -> _Blocks:
    out: _Blocks = [_Para([
        f"File {'replaces ' + s['replaces'] if s.get('replaces') else 'added to the active sets'} "
        f"(rows shared with the active sets: {s.get('shared_rows_with_active_sets')}); bridge edges "
        f"{s.get('bridge_edges_before')} -> {s.get('bridge_edges_after')}.",
        f"HP terms whose pair scores changed: {s.get('hp_terms_with_changed_scores')} of {s.get('hp_terms')}; "
        f"diseases with changed scores: {s.get('diseases_with_changed_scores')} of {s.get('diseases')}; ranked "
        f"again: {s.get('diseases_ranked')}{' (most changed first; bounded)' if s.get('truncated') else ''}.",
        f"Top model changed: {s.get('top1_changed')}; mean top-{s.get('top_k')} overlap: "
        f"{s.get('mean_topk_overlap')}; a known-gene model entered the top {s.get('top_k')}: "
        f"{s.get('known_gene_model_entered_top')}, left it: {s.get('known_gene_model_left_top')}; mean change "
        f"of the best overall score: {s.get('best_overall_mean_delta')}."])]
    for title, key in (("Largest gains", "gains"), ("Largest losses", "losses")):
        rows = s.get(key, [])[:top]
        if rows:
            out.append(_Para([f"{title} (best overall score):"]))
            out.append(_Table(["disease", "label", "before", "after", "top model before", "top model after",
                               "known-gene rank"],
                              [[r["disease_id"], r["disease_label"], r["best_overall_before"],
                                r["best_overall_after"], _top1(r["top_before"]), _top1(r["top_after"]),
                                f"{r['known_gene_rank_before']} -> {r['known_gene_rank_after']}"] for r in rows]))
    return out


def _top1(top: list[dict]) -> str:
    return f"{top[0]['model_id']} ({top[0]['gene_symbol']})" if top else "-"


_SECTIONS = {"structure": _structure, "ids": _ids, "labels": _labels, "cardinality": _cardinality,
             "hierarchy": _hierarchy, "agreement": _agreement, "coverage": _coverage, "impact": _impact}

FORMATS = {"json": to_json, "sssom": to_sssom, "markdown": to_markdown, "html": to_html}
