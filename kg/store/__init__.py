"""Graph stores: one protocol (:mod:`kg.store.interface`), an embedded Oxigraph
implementation (the default) and a Neo4j one; :mod:`kg.store.layout` keeps builds atomic."""
