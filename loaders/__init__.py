"""Source loaders: one module per source, each yielding typed records from `kg.model`.

Loaders parse and check syntax only: they never talk HTTP and never touch the store.
Fatal format errors raise `kg.report.SourceFormatError`; row problems go to the
`kg.report.BuildReport` passed in, with file, line and field.

Every loader module has ``FORMAT`` (the ``format`` of its sources in
``ontologies/sources.toml``), its official column names in one tuple constant, and
``load(path, report) -> Iterator[Record]``.

``LOADERS`` maps the ``loader`` key of sources.toml to its module; ``FORMATS`` maps
each ``format`` to the module that reads it, so the builder can check that a source's
declared format is the one its loader expects:

>>> sorted(LOADERS)[:3]
['hpo_genes', 'hpoa', 'impc_api']
>>> FORMATS["sssom-tsv"] is LOADERS["sssom"]
True
"""

from types import ModuleType

from loaders import (
    hpo_genes,
    hpoa,
    impc_api,
    impc_csv,
    mgi_covid,
    mgi_orthology,
    obo,
    sssom,
    upheno_bestmatches,
)

LOADERS: dict[str, ModuleType] = {
    "obo": obo,
    "impc_csv": impc_csv,
    "impc_api": impc_api,
    "mgi_orthology": mgi_orthology,
    "hpoa": hpoa,
    "hpo_genes": hpo_genes,
    "sssom": sssom,
    "mgi_covid": mgi_covid,
    "upheno_bestmatches": upheno_bestmatches,
}

FORMATS: dict[str, ModuleType] = {module.FORMAT: module for module in LOADERS.values()}
