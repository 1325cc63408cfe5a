// title: A gene's calls rolled up to top-level MP systems
// question: In which physiological systems (the children of MP:0000001 "mammalian
//   phenotype") does this mouse gene have significant IMPC calls, and how many calls and
//   distinct MP terms fall in each? A call whose term sits under several systems counts in
//   each of them.
// param: gene curie(MGI) required -- the mouse gene
// example: gene=MGI:1931838
// note: the Cypher twin of gene_phenotype_systems.rq (same columns). The systems are the
//   direct biolink:subclass_of children of MP:0000001 in the MP ontology; each call term
//   is rolled up along biolink:subclass_of*0.. (its own term counts when it is a system).
//   The ancestors are collected per distinct term with WITH DISTINCT (a breadth-first
//   walk; matching the path to the systems directly enumerated every path: 2x slower).
MATCH ()-[:`biolink:has_phenotype` {gene: $gene}]->(mp)
WITH DISTINCT mp
MATCH (mp)-[:`biolink:subclass_of`*0..]->(anc)
WITH DISTINCT mp, anc
MATCH (anc)-[s:`biolink:subclass_of`]->(:`biolink:Entity` {id: 'MP:0000001'})
WHERE 'mp' IN s.provided_by
WITH anc AS system, mp
MATCH ()-[c:`biolink:has_phenotype` {gene: $gene}]->(mp)
WITH system, count(DISTINCT c.id) AS calls, collect(DISTINCT mp.id) AS mps
RETURN $gene AS gene, system.id AS system,
       CASE WHEN 'mp' IN system.provided_by THEN system.name END AS system_label,
       calls, size(mps) AS phenotypes,
       reduce(s = '', x IN mps | s + CASE WHEN s = '' THEN '' ELSE '|' END + x) AS phenotype_ids
ORDER BY calls DESC, system
