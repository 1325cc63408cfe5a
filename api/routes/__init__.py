"""One router per surface (entities, scoring, sparql, queries, cypher, mappings)."""
