"""Bounded schemathesis fuzzing of every API operation on the mini store (runs in CI).

Why: hand-written API tests only try the inputs someone thought of; this generates
valid and invalid requests from the service's own OpenAPI schema and requires no
server error (5xx) and no answer that breaks the documented schema. About 12
cases per operation (schema-valid, schema-violating, and with real ids of the store), fixed seed, in-process over ASGI:
a few seconds per endpoint. ``bench/fuzz_api.py`` runs >= 1,000 cases.
"""

from __future__ import annotations

import pytest

from tests.api.fuzzing import fuzz_all, make_schema, sample_ids

EXAMPLES_PER_OP = 12


@pytest.fixture(scope="module")
def fuzz_results(mini_store):
    return fuzz_all(make_schema(mini_store), EXAMPLES_PER_OP, sample_ids(mini_store))


def test_fuzz_tries_every_operation(fuzz_results):
    assert len(fuzz_results) >= 5
    assert all(s.cases > 0 for s in fuzz_results.values()), {k: s.cases for k, s in fuzz_results.items()}


def test_fuzz_no_server_errors(fuzz_results):
    errors = [e for s in fuzz_results.values() for e in s.server_errors]
    assert errors == [], "\n".join(errors[:20])


def test_fuzz_responses_conform_to_the_schema(fuzz_results):
    violations = [v for s in fuzz_results.values() for v in s.violations]
    assert violations == [], "\n\n".join(violations[:20])
