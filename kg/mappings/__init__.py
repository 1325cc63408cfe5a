"""Validating MP<->HP term mappings against the ontologies and the IMPC data of a built store.

For ontology curators: ``kg mappings validate FILE`` and ``POST /mappings/validate``
check an SSSOM TSV file (structure, unknown/obsolete ids, label drift, cardinality,
hierarchy consistency, agreement with the other mapping sets, IMPC coverage and,
optionally, the effect on PhenoDigm disease-model rankings) and report JSON, the flagged
rows as SSSOM TSV with a comment saying why, and a Markdown summary.

Modules: :mod:`kg.mappings.context` (what is read from the store, once),
:mod:`kg.mappings.validate` (parsing through :mod:`loaders.sssom`, one function per
check), :mod:`kg.mappings.impact` (check 8 through the scoring engine),
:mod:`kg.mappings.report` (the three output formats).
"""

from kg.mappings.context import MappingContext, load_context, open_context
from kg.mappings.validate import (
    CHECKS, Flag, MappingFile, MalformedMappingFile, ValidationReport, parse_mapping_file, validate,
)

__all__ = ["MappingContext", "load_context", "open_context", "CHECKS", "Flag", "MappingFile",
           "MalformedMappingFile", "ValidationReport", "parse_mapping_file", "validate"]
