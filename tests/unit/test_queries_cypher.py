"""The Cypher twins in queries/: each parses, matches its .rq header, and binds like it.

Why: the agreement test needs the full graph and Neo4j; these checks catch a twin that
drifted from its .rq (renamed parameter, missing file) in a second, on every run.
"""

from __future__ import annotations

import pytest

from kg import queries, queries_cypher


def test_every_named_query_has_a_cypher_twin():
    assert sorted(queries_cypher.load()) == sorted(queries.load())


@pytest.mark.parametrize("name", sorted(queries.load()))
def test_twin_header_matches_the_rq(name):
    twin = queries_cypher.get(name)
    rq = queries.get(name)
    assert twin.header["title"] == rq.title
    assert [p.name for p in twin.header["params"]] == [p.name for p in rq.params]
    assert twin.header["examples"], "a twin shows an example too"
    assert "$" not in twin.header["question"]


def test_parameters_are_parsed_by_the_rq_rules():
    named = queries.get("genes_for_phenotype")
    p = queries_cypher.cypher_params(named, {"term": "MP:0001259", "p_value_max": "1e-4"})
    assert p == {"term": "MP:0001259", "sex": None, "zygosity": None, "p_value_max": 1e-4, "centre": None}
    with pytest.raises(queries.ParamError):
        queries_cypher.cypher_params(named, {"term": "MP:0001259' RETURN 1 //"})
    defaults = queries_cypher.cypher_params(queries.get("orphan_knockout_genes"), {})
    assert defaults == {"system": "MP:0000001", "min_phenotypes": 1}
