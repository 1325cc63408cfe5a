"""The schemathesis run shared by the CI test and ``bench/fuzz_api.py``.

Why a plain loop over the operations (not ``schema.parametrize``): it counts every
case and every status per operation for the figures, collects every failure (not
only the first) and runs the same way under pytest and from a script. Each
operation gets positive cases (valid by the schema) and negative ones (violating
it: wrong types, missing parameters, bad bodies), with a fixed seed
(``derandomize``) so a CI failure reproduces.

Checks: no 5xx (503 allowed only where the operation documents it: a query past
its timeout, a build without scoring tables, Neo4j down), documented status code,
documented content type, and a body valid against the documented response schema.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]
DOCUMENTED_5XX = {503}
#: settings for the app under fuzz: a short SPARQL timeout, thread isolation (no worker processes)
APP_SETTINGS = {"sparql_timeout_s": 5, "sparql_isolation": "thread"}


@dataclass
class OpStats:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    seconds: float = 0.0


def make_schema(store_root: Path, app_settings: dict | None = None):
    """The service's own OpenAPI schema, wired to the in-process ASGI app."""
    from api.app import create_app
    app = create_app(store_root, settings={**APP_SETTINGS, **(app_settings or {})})
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _check(case, response, stats: OpStats) -> None:
    status = response.status_code
    stats.statuses[status] += 1
    documented = str(status) in (case.operation.definition.raw.get("responses") or {})
    if status >= 500 and not (status in DOCUMENTED_5XX and documented):
        stats.server_errors.append(f"{status} {case.method} {case.formatted_path} "
                                   f"query={case.query!r} body={str(case.body)[:200]!r} "
                                   f"-> {response.text[:300]!r}")
        return
    try:
        case.validate_response(response, checks=CONFORMANCE)
    except (AssertionError, BaseExceptionGroup) as exc:  # FailureGroup: the violations found
        stats.violations.append(f"{case.method} {case.formatted_path} query={case.query!r} "
                                f"-> {status}: {str(exc)[:600]}")


#: which ids each path parameter takes (by its name); ``curie`` takes any
PARAM_CATEGORIES = {"disease_id": ("biolink:Disease",), "model_id": ("biolink:Genotype",),
                    "gene_id": ("biolink:Gene",), "name": ("query-names",)}
QUERIES_DIR = Path(__file__).resolve().parents[2] / "queries"


def sample_ids(store_root: Path, per_category: int = 50) -> dict[str, list[str]]:
    """Real ids of the store by category (plus well-formed unknown ones), for path parameters.

    Why: ids generated from the schema (``type: string``) are almost never well-formed
    CURIEs, so without real ids every case would stop at the 422 of the id check and
    the code behind it (lookups, ranking, explanations) would never be fuzzed.
    """
    from kg.store.oxigraph_store import OxigraphStore
    store = OxigraphStore.open(store_root)
    out: dict[str, list[str]] = {}
    for cat in ("biolink:Disease", "biolink:Genotype", "biolink:Gene", "biolink:SequenceVariant",
                "owl:Class", "biolink:GenotypeToPhenotypicFeatureAssociation"):
        rows = store.select(f"SELECT ?x WHERE {{ ?x a {cat} }} ORDER BY ?x LIMIT {int(per_category)}")
        out[cat] = [r["x"] for r in rows if isinstance(r["x"], str) and ":" in r["x"]]
    out["query-names"] = sorted({p.stem for p in QUERIES_DIR.glob("*.*")})
    out["unknown"] = ["OMIM:999999999", "MGI:999999999", "MP:9999999", "HP:9999999", "MODEL:nope",
                      "NCBIGene:0", "ORPHA:1", "MONDO:0000000"]
    store.close()
    return out


def _realistic(op, ids: dict[str, list[str]]):
    """Cases valid by the schema whose path parameters are real (or well-formed unknown) ids."""
    from hypothesis import strategies as st
    names = [p.name for p in op.path_parameters]
    if not names:
        return None
    pool_all = sorted({i for v in ids.values() for i in v})
    pools = {n: sorted({*(i for c in PARAM_CATEGORIES.get(n, ()) for i in ids.get(c, ())),
                        *ids["unknown"]}) if n in PARAM_CATEGORIES else pool_all for n in names}
    return st.fixed_dictionaries({n: st.sampled_from(pools[n]) for n in names}).flatmap(
        lambda values: op.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=values))


def fuzz_operation(op, examples: int, ids: dict[str, list[str]] | None = None,
                   modes=(GenerationMode.POSITIVE, GenerationMode.NEGATIVE)) -> OpStats:
    """Fuzz one operation with about ``examples`` cases split over the generation modes."""
    stats = OpStats()
    t0 = time.perf_counter()
    strategies = [(m.value, op.as_strategy(generation_mode=m)) for m in modes]
    real = _realistic(op, ids) if ids else None
    if real is not None:
        strategies.append(("real-ids", real))
    per_mode = max(1, examples // len(strategies))
    for mode, strategy in strategies:
        @given(case=strategy)
        @settings(max_examples=per_mode, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case):
            stats.cases += 1
            try:
                response = case.call()
            except Exception as exc:  # the in-process client re-raises what a server answers 500 to
                stats.statuses[500] += 1
                stats.server_errors.append(f"500 {case.method} {case.formatted_path} "
                                           f"query={case.query!r}: {type(exc).__name__}: {exc}"[:600])
                return
            _check(case, response, stats)
        try:
            run()
        except Unsatisfiable:
            pass  # no request can violate this operation's schema (e.g. GET /health): nothing to try
        except Exception as exc:  # the strategy itself could not generate: report, don't hide
            stats.violations.append(f"generation failed ({mode}): {exc!r}"[:600])
    stats.seconds = time.perf_counter() - t0
    return stats


def fuzz_all(schema, examples_per_op: int, ids: dict[str, list[str]] | None = None,
             skip: tuple[str, ...] = ()) -> dict[str, OpStats]:
    out: dict[str, OpStats] = {}
    for result in schema.get_all_operations():
        op = result.ok()
        if any(op.path.startswith(p) for p in skip):
            continue
        out[op.label] = fuzz_operation(op, examples_per_op, ids)
    return out
