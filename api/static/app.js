/* impc-kg web front end: hash routes over the JSON API. No framework, no build step.
   Every value from the server is inserted as text (el()), never as HTML. */
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const main = $("#main");
const show = (target, ...kids) => target.replaceChildren(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false));

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined || kid === false) continue;
    e.append(kid instanceof Node ? kid : String(kid));
  }
  return e;
}

async function api(path, opts) {
  const r = await fetch(path, opts);
  const ct = r.headers.get("content-type") || "";
  const body = ct.includes("json") ? await r.json() : await r.text();
  if (!r.ok) throw new Error((body && body.detail) ? JSON.stringify(body.detail) : `${r.status} ${r.statusText}`);
  return body;
}

const enc = (id) => encodeURIComponent(id).replace(/%3A/gi, ":");
const fmt = (x, d = 2) => (x === null || x === undefined || x === "") ? "" :
  (typeof x === "number" ? (Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(2) : x.toFixed(d)) : String(x));
const link = (kind, id, text) => el("a", { href: `#/${kind}/${enc(id)}` }, text || id);
const termLink = (id, label) => link("term", id, label ? `${label} (${id})` : id);
const pageKind = (k) => ({ disease: "disease", gene: "gene", MP: "term", HP: "term" }[k] || "term");
const errorBox = (e) => el("div", { class: "error" }, String(e.message || e));
const loading = (what) => el("p", { class: "muted" }, `Loading ${what}…`);

function table(columns, rows, opts = {}) {
  const t = el("table", { class: opts.cls || null },
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", {}, c.title ?? c.key)))),
    el("tbody", {}, rows.map((r, i) => el("tr", {}, columns.map((c) => {
      const v = c.render ? c.render(r, i) : fmt(r[c.key], c.digits);
      return el("td", { class: c.num ? "num" : null }, v);
    })))));
  return t;
}

/* ---------------------------------------------------------------- autocomplete */
const box = $("#q"), list = $("#suggestions");
let sugg = [], active = -1, timer = null, seq = 0;

function go(hit) {
  list.hidden = true;
  box.value = "";
  location.hash = `#/${pageKind(hit.kind)}/${enc(hit.id)}`;
}

function renderSuggestions() {
  list.replaceChildren(...sugg.map((h, i) => el("li", {
    role: "option", class: i === active ? "active" : null, "data-id": h.id,
    onmousedown: (ev) => { ev.preventDefault(); go(h); },
  }, el("span", { class: `kind ${h.kind}` }, h.kind), el("span", {}, h.label),
     h.matched ? el("span", { class: "syn" }, `“${h.matched}”`) : null,
     el("span", { class: "syn" }, h.id))));
  list.hidden = sugg.length === 0;
}

box.addEventListener("input", () => {
  clearTimeout(timer);
  const q = box.value.trim();
  if (q.length < 2) { sugg = []; renderSuggestions(); return; }
  timer = setTimeout(async () => {
    const mine = ++seq;
    try {
      const res = await api(`/search?limit=12&q=${encodeURIComponent(q)}`);
      if (mine !== seq) return;
      sugg = res.results; active = sugg.length ? 0 : -1; renderSuggestions();
    } catch (e) { sugg = []; renderSuggestions(); }
  }, 150);
});
box.addEventListener("keydown", (ev) => {
  if (ev.key === "ArrowDown") { active = Math.min(active + 1, sugg.length - 1); renderSuggestions(); ev.preventDefault(); }
  else if (ev.key === "ArrowUp") { active = Math.max(active - 1, 0); renderSuggestions(); ev.preventDefault(); }
  else if (ev.key === "Enter" && sugg[active]) go(sugg[active]);
  else if (ev.key === "Escape") list.hidden = true;
});
box.addEventListener("blur", () => setTimeout(() => { list.hidden = true; }, 100));

/* ---------------------------------------------------------------- tooltip */
const tip = el("div", { id: "tip", hidden: true });
document.body.append(tip);
document.addEventListener("mouseover", (ev) => {
  const t = ev.target.closest && ev.target.closest("[data-tip]");
  if (!t) { tip.hidden = true; return; }
  tip.textContent = t.dataset.tip; tip.hidden = false;
});
document.addEventListener("mousemove", (ev) => {
  if (!tip.hidden) { tip.style.left = `${ev.clientX + 14}px`; tip.style.top = `${ev.clientY + 14}px`; }
});

/* ---------------------------------------------------------------- pages */
function home() {
  show(main, 
    el("h1", {}, "IMPC knowledge graph"),
    el("p", { class: "sub" }, "Mouse models for human diseases (PhenoDigm), IMPC phenotype calls, MP and HPO."),
    el("div", { class: "card" },
      el("p", {}, "Search above for a disease (", link("disease", "OMIM:154700", "Marfan syndrome"),
        "), a mouse gene (", link("gene", "MGI:95490", "Fbn2"), ") or a phenotype (",
        link("term", "MP:0000266", "abnormal heart morphology"), ")."),
      el("p", {}, "Or ", el("a", { href: "#/match" }, "match a patient's HPO profile"),
        " against every mouse model, or ", el("a", { href: "#/sparql" }, "query the graph in SPARQL"), ".")));
}

async function diseasePage(id) {
  show(main, loading("models"));
  const filter = new URLSearchParams(location.hash.split("?")[1] || "").get("only") || "all";
  const q = filter === "known" ? "&known_gene_only=true" : filter === "novel" ? "&novel_only=true" : "";
  let res;
  try { res = await api(`/diseases/${enc(id)}/models?limit=50${q}`); }
  catch (e) { show(main, el("h1", {}, id), errorBox(e)); return; }
  const grid = el("div", { id: "grid" });
  const sel = el("select", { id: "only", onchange: (ev) => { location.hash = `#/disease/${enc(id)}?only=${ev.target.value}`; } },
    ["all", "known", "novel"].map((v) => el("option", { value: v, selected: v === filter ? "" : null },
      { all: "all models", known: "known-gene models", novel: "novel (other genes)" }[v])));
  show(main, 
    el("h1", {}, res.disease_label || id),
    el("div", { class: "sub" }, id, ` · ${res.query_terms.length} HPO terms (${res.counted_terms.length} matchable) · ${res.total} models scored`),
    res.reason ? el("p", { class: "muted" }, res.reason) : null,
    el("div", { class: "row" }, el("h2", { style: "margin:0" }, "Mouse models, ranked"), sel),
    el("div", { class: "scroll", id: "models" }, table([
      { key: "rank", num: true, digits: 0 },
      { key: "gene", title: "gene", render: (r) => r.gene_id ? link("gene", r.gene_id, r.gene_symbol || r.gene_id) : "" },
      { key: "allele", render: (r) => r.allele_symbol || r.allele_id || el("span", { class: "muted" }, "(gene-level)") },
      { key: "zygosity" },
      { key: "overall", title: "score", render: (r) => el("span", {}, el("span", { class: "bar", style: `width:${Math.max(1, r.overall * 0.8)}px` }), fmt(r.overall, 1)) },
      { key: "max_norm", title: "max %", num: true, digits: 1 },
      { key: "avg_norm", title: "avg %", num: true, digits: 1 },
      { key: "known_gene", title: "evidence", render: (r) => el("span", { class: `badge ${r.known_gene ? "known" : "novel"}` }, r.known_gene ? "known gene" : "novel") },
      { key: "grid", title: "", render: (r) => el("button", { class: "grid-btn", "data-model": r.model_id, onclick: () => showGrid(id, r, grid) }, "grid") },
    ], res.results, { cls: "models" })),
    grid);
  const ver = res.provenance && res.provenance.ontology_versions;
  if (ver) $("#footer").textContent = `PhenoDigm over MP ${ver.MP || "?"}, HP ${ver.HP || "?"}, HPOA ${ver.HPOA || "?"}; mapping sets: ${(res.provenance.mapping_sets || []).join(", ")}`;
}

async function showGrid(diseaseId, model, target) {
  target.replaceChildren(loading("grid"));
  let ex;
  try { ex = await api(`/diseases/${enc(diseaseId)}/models/${enc(model.model_id)}/explain`); }
  catch (e) { target.replaceChildren(errorBox(e)); return; }
  const pairs = new Map();
  const rows = new Map(), cols = new Map();
  for (const p of ex.disease_to_model) {
    if (!rows.has(p.hp_id)) rows.set(p.hp_id, { id: p.hp_id, label: p.hp_label, counted: p.counted });
  }
  for (const p of ex.model_to_disease) {
    if (!cols.has(p.mp_id)) cols.set(p.mp_id, { id: p.mp_id, label: p.mp_label });
    if (!rows.has(p.hp_id)) rows.set(p.hp_id, { id: p.hp_id, label: p.hp_label, counted: true });
  }
  for (const p of ex.disease_to_model) if (!cols.has(p.mp_id) && p.counted && p.score > 0) cols.set(p.mp_id, { id: p.mp_id, label: p.mp_label });
  for (const p of [...ex.disease_to_model, ...ex.model_to_disease]) {
    const k = `${p.hp_id}|${p.mp_id}`;
    if (!pairs.has(k) || pairs.get(k).score < p.score) pairs.set(k, p);
  }
  const max = Math.max(1e-9, ...[...pairs.values()].map((p) => p.score));
  const colList = [...cols.values()], rowList = [...rows.values()];
  const grid = el("table", { class: "grid", id: "phenogrid" },
    el("thead", {}, el("tr", {}, el("th", {}, ""), colList.map((c) =>
      el("th", { class: "col", title: `${c.label} (${c.id})` }, el("div", {}, c.label || c.id))))),
    el("tbody", {}, rowList.map((r) => el("tr", { class: r.counted ? null : "uncounted" },
      el("th", { class: "rowh", title: r.counted ? r.id : `${r.id}: no cross-species match, not counted` }, r.label || r.id),
      colList.map((c) => {
        const p = pairs.get(`${r.id}|${c.id}`);
        if (!p || p.score <= 0) return el("td", {});
        const a = 0.15 + 0.85 * (p.score / max);
        return el("td", { class: "hit", style: `background: rgba(31,111,235,${a.toFixed(3)})`,
          "data-tip": `${p.hp_label || ""} (${p.hp_id})\n× ${p.mp_label || ""} (${p.mp_id})\nMICA: ${p.mica_label ? `${p.mica_label} (${p.mica_id})` : p.mica_id}\nIC: ${fmt(p.ic)} · simJ: ${fmt(p.simj)} · score: ${fmt(p.score)}` });
      })))));
  target.replaceChildren(
    el("h2", {}, `Phenotype grid: ${ex.disease_label || diseaseId} × ${model.gene_symbol || ""} ${model.allele_symbol || ""} (${model.zygosity || ""})`),
    el("p", { class: "muted" }, `Rows: the disease's HPO terms; columns: the model's MP terms. A cell is a best-match pair, coloured by its score (darker = higher); hover for the MICA and its IC. Overall score ${fmt(ex.scores.overall, 1)}.`),
    el("div", { class: "scroll card" }, grid));
  target.scrollIntoView({ behavior: "instant", block: "start" });
}

async function genePage(id) {
  show(main, loading("gene"));
  let g;
  try { g = await api(`/web/genes/${enc(id)}`); }
  catch (e) { show(main, el("h1", {}, id), errorBox(e)); return; }
  const dis = el("div", {}, loading("diseases"));
  show(main, 
    el("h1", {}, g.symbol || id), el("div", { class: "sub" }, `${id} · ${g.calls} IMPC phenotype calls`),
    el("div", { class: "cols" },
      el("section", {}, el("h2", {}, "Phenotype calls by system"),
        g.systems.length ? g.systems.map((s) => el("details", { class: "system" },
          el("summary", {}, `${s.label} (${s.calls.length})`),
          table([
            { key: "phenotype", render: (c) => termLink(c.phenotype, c.phenotype_label) },
            { key: "p_value", title: "p-value", num: true, digits: 4 },
            { key: "effect_size", title: "effect size", num: true },
            { key: "sex" }, { key: "zygosity" },
            { key: "allele", render: (c) => c.allele_symbol || c.allele || "" },
            { key: "procedure", render: (c) => c.parameter_name || c.procedure_name || "" },
          ], s.calls))) : el("p", { class: "muted" }, "No IMPC calls.")),
      el("section", {}, el("h2", {}, "Diseases its models resemble"), dis)));
  try {
    const d = await api(`/genes/${enc(id)}/diseases?limit=25`);
    dis.replaceChildren(d.results.length ? table([
      { key: "rank", num: true, digits: 0 },
      { key: "disease", render: (r) => link("disease", r.disease_id, r.disease_label || r.disease_id) },
      { key: "zygosity" },
      { key: "overall", title: "score", num: true, digits: 1 },
      { key: "known_gene", title: "", render: (r) => el("span", { class: `badge ${r.known_gene ? "known" : "novel"}` }, r.known_gene ? "known gene" : "novel") },
    ], d.results, { cls: "gene-diseases" }) : el("p", { class: "muted" }, d.reason || "none"));
  } catch (e) { dis.replaceChildren(errorBox(e)); }
}

async function termPage(id) {
  show(main, loading("term"));
  let t;
  try { t = await api(`/web/terms/${enc(id)}`); }
  catch (e) { show(main, el("h1", {}, id), errorBox(e)); return; }
  const refs = (xs) => xs.length ? el("ul", {}, xs.map((x) => el("li", {}, termLink(x.id, x.label)))) : el("p", { class: "muted" }, "none");
  show(main, 
    el("h1", {}, t.label || id), el("div", { class: "sub" }, id),
    t.definition ? el("p", {}, t.definition) : null,
    t.synonyms.length ? el("p", {}, "Synonyms: ", t.synonyms.map((s) => el("span", { class: "pill" }, s))) : null,
    el("div", { class: "cols" },
      el("section", {}, el("h2", {}, "Parents"), refs(t.parents)),
      el("section", {}, el("h2", {}, `Children (${t.children.length})`), refs(t.children))),
    el("h2", {}, id.startsWith("MP:") ? "HP mappings" : "MP mappings"),
    t.mappings.length ? table([
      { key: "predicate" }, { key: "term", render: (m) => termLink(m.id, m.label) },
      { key: "sources", render: (m) => m.sources.join(", ") }], t.mappings) : el("p", { class: "muted" }, "none"),
    id.startsWith("MP:") ? el("h2", {}, `Genes with calls on this term or below (${t.genes.length})`) : null,
    id.startsWith("MP:") ? (t.genes.length ? el("div", { class: "scroll" }, table([
      { key: "gene", render: (g) => link("gene", g.gene, g.symbol || g.gene) },
      { key: "calls", num: true }, { key: "best_p_value", title: "best p-value", num: true, digits: 4 },
      { key: "phenotypes", render: (g) => (g.phenotypes || "").split("|").slice(0, 6).map((p) => el("span", { class: "pill" }, p)) },
    ], t.genes)) : el("p", { class: "muted" }, "none")) : null);
}

/* ---------------------------------------------------------------- SPARQL console */
let examples = null;

function withParams(ex, paramString) {
  // put the example's values in a VALUES block at the top of the WHERE clause (visible in the editor)
  const params = new URLSearchParams(paramString || "");
  const types = Object.fromEntries(ex.params.map((p) => [p.name, p.type]));
  const values = [];
  for (const [k, v] of params) {
    const t = types[k] || "string";
    const term = t.startsWith("curie") ? v : (t === "float" || t === "int") ? String(Number(v)) : JSON.stringify(v);
    values.push(`VALUES ?${k} { ${term} }`);
  }
  if (!values.length) return ex.query;
  return ex.query.replace(/WHERE\s*\{/i, (m) => `${m}\n  ${values.join("\n  ")}`);
}

function sparqlTable(res) {
  if (typeof res.boolean === "boolean") return el("p", {}, `ASK: ${res.boolean}`);
  const vars = res.head.vars;
  const cell = (b, v) => {
    if (!b) return "";
    if (b.type === "uri") {
      const m = b.value.match(/^http:\/\/purl\.obolibrary\.org\/obo\/(MP|HP)_(\d+)$/);
      if (m) return termLink(`${m[1]}:${m[2]}`);
      const g = b.value.match(/^http:\/\/identifiers\.org\/(MGI:\d+)$/);
      if (g) return /gene/i.test(v) ? link("gene", g[1]) : g[1];
      return b.value;
    }
    return b.value;
  };
  return el("div", { class: "scroll" }, el("table", { id: "sparql-results" },
    el("thead", {}, el("tr", {}, vars.map((v) => el("th", {}, v)))),
    el("tbody", {}, res.results.bindings.map((row) => el("tr", {}, vars.map((v) => el("td", {}, cell(row[v], v))))))));
}

async function sparqlPage() {
  const ed = el("textarea", { id: "sparql-editor", rows: 16, spellcheck: "false" },
    "SELECT ?disease ?name WHERE {\n  ?disease biolink:category biolink:Disease ; rdfs:label ?name .\n} LIMIT 10");
  const out = el("div", { id: "sparql-out" });
  const status = el("span", { class: "muted", id: "sparql-status" });
  const csv = el("a", { id: "sparql-csv", href: "#", download: "results.csv" }, "download CSV");
  const setCsv = () => { csv.href = `/sparql?format=csv&query=${encodeURIComponent(ed.value)}`; };
  ed.addEventListener("input", setCsv); setCsv();
  const exSel = el("select", { id: "examples" }, el("option", { value: "" }, "named queries…"));
  exSel.addEventListener("change", () => {
    const [name, i] = exSel.value.split("#");
    const ex = (examples || []).find((x) => x.name === name);
    if (ex) { ed.value = withParams(ex, ex.examples[Number(i)] || ""); setCsv(); }
  });
  async function run() {
    status.textContent = "running…"; out.replaceChildren();
    const t0 = performance.now();
    try {
      const res = await api("/sparql", { method: "POST", body: new URLSearchParams({ query: ed.value }),
        headers: { Accept: "application/sparql-results+json" } });
      const n = res.results ? res.results.bindings.length : 1;
      status.textContent = `${n} row${n === 1 ? "" : "s"} in ${((performance.now() - t0) / 1000).toFixed(2)} s`;
      out.replaceChildren(sparqlTable(res));
    } catch (e) { status.textContent = ""; out.replaceChildren(errorBox(e)); }
  }
  ed.addEventListener("keydown", (ev) => { if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) run(); });
  show(main, el("h1", {}, "SPARQL"),
    el("p", { class: "sub" }, "Read-only; the default graph is the union of all sources; prefixes biolink:, kgv:, MP:, HP:, MGI:… are predeclared. Ctrl+Enter runs."),
    el("div", { class: "row" }, exSel), ed,
    el("div", { class: "row" }, el("button", { class: "primary", id: "sparql-run", onclick: run }, "Run"), csv, status), out);
  try {
    examples = examples || await api("/web/examples");
    for (const ex of examples) {
      const variants = ex.examples.length ? ex.examples : [""];
      variants.forEach((p, i) => exSel.append(el("option", { value: `${ex.name}#${i}` }, `${ex.title || ex.name}${p ? ` (${p})` : ""}`)));
    }
  } catch (e) { /* examples are optional */ }
}

/* ---------------------------------------------------------------- Cypher console */
function cypherPage() {
  const ed = el("textarea", { id: "cypher-editor", rows: 10 }, "MATCH (g:Gene)-[:HAS_PHENOTYPE]->(p) RETURN g.symbol, p.label LIMIT 10");
  const out = el("div", {});
  async function run() {
    out.replaceChildren(loading("results"));
    try {
      const res = await api("/cypher", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ query: ed.value }) });
      const rows = Array.isArray(res) ? res : (res.rows || res.results || res.records || []);
      const cols = res.columns || res.keys || (rows[0] && !Array.isArray(rows[0]) ? Object.keys(rows[0]) : []);
      out.replaceChildren(table(cols.map((c, i) => ({ key: c, render: (r) => { const v = Array.isArray(r) ? r[i] : r[c]; return typeof v === "object" && v !== null ? JSON.stringify(v) : fmt(v); } })), rows));
    } catch (e) { out.replaceChildren(errorBox(e)); }
  }
  show(main, el("h1", {}, "Cypher"), el("p", { class: "sub" }, "Read-only queries over the Neo4j copy of the graph."), ed,
    el("div", { class: "row" }, el("button", { class: "primary", onclick: run }, "Run")), out);
}

/* ---------------------------------------------------------------- patient matching */
function matchPage() {
  const ta = el("textarea", { id: "hpo-ids", rows: 5, placeholder: "HP:0001166 HP:0001519 HP:0000545 …" });
  const file = el("input", { type: "file", id: "phenopacket", accept: ".json,application/json" });
  const out = el("div", { id: "match-out" });
  async function send(body) {
    out.replaceChildren(loading("ranking"));
    try {
      const res = await api("/match?limit=50", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      out.replaceChildren(
        el("p", { class: "muted" }, `${res.counted_terms ? res.counted_terms.length : "?"} matchable terms · ${res.total} models scored`,
          res.unknown_terms && res.unknown_terms.length ? ` · unknown: ${res.unknown_terms.join(", ")}` : "",
          res.excluded_terms && res.excluded_terms.length ? ` · excluded: ${res.excluded_terms.join(", ")}` : "",
          res.reason ? ` · ${res.reason}` : ""),
        el("div", { class: "scroll" }, table([
          { key: "rank", num: true, digits: 0 },
          { key: "gene", render: (r) => r.gene_id ? link("gene", r.gene_id, r.gene_symbol || r.gene_id) : "" },
          { key: "allele", render: (r) => r.allele_symbol || r.allele_id || "" },
          { key: "zygosity" },
          { key: "overall", title: "score", render: (r) => el("span", {}, el("span", { class: "bar", style: `width:${Math.max(1, r.overall * 0.8)}px` }), fmt(r.overall, 1)) },
          { key: "max_norm", title: "max %", num: true, digits: 1 }, { key: "avg_norm", title: "avg %", num: true, digits: 1 },
        ], res.results, { cls: "matches" })));
    } catch (e) { out.replaceChildren(errorBox(e)); }
  }
  file.addEventListener("change", async () => {
    const f = file.files[0];
    if (!f) return;
    try { send(JSON.parse(await f.text())); } catch (e) { out.replaceChildren(errorBox(new Error(`not a JSON Phenopacket: ${e.message}`))); }
  });
  show(main, el("h1", {}, "Patient matching"),
    el("p", { class: "sub" }, "Paste HPO ids (any separator) or upload a GA4GH Phenopacket (JSON); excluded features are skipped."),
    ta, el("div", { class: "row" },
      el("button", { class: "primary", id: "match-run", onclick: () => send({ hpo_ids: (ta.value.match(/HP:\d{7}/g) || []) }) }, "Rank mouse models"),
      el("label", {}, " or Phenopacket: ", file)), out);
}

/* ---------------------------------------------------------------- router */
function route() {
  const [path] = location.hash.replace(/^#\/?/, "").split("?");
  const [page, ...rest] = path.split("/");
  const id = decodeURIComponent(rest.join("/"));
  $("#footer").textContent = "";
  if (page === "disease" && id) return diseasePage(id);
  if (page === "gene" && id) return genePage(id);
  if (page === "term" && id) return termPage(id);
  if (page === "sparql") return sparqlPage();
  if (page === "cypher") return cypherPage();
  if (page === "match") return matchPage();
  return home();
}
window.addEventListener("hashchange", route);
api("/web/config").then((c) => { $("#nav-cypher").hidden = !c.cypher; }).catch(() => {});
route();
