"""impc-kg: IMPC mouse phenotypes, MP/HPO, orthology and human disease in one graph.

`kg/` holds the model (:mod:`kg.model`, :mod:`kg.vocab`, :mod:`kg.rdf`), the stores
(:mod:`kg.store`), the build (:mod:`kg.build`) and the scoring (:mod:`kg.scoring`);
`loaders/` parse sources into records; `api/` and :mod:`kg.cli` are thin layers.
"""

__version__ = "0.1.0"
