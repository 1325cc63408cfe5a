// title: Human genes with an IMPC knockout mouse but no known disease
// question: Which human genes have a mouse orthologue with significant IMPC phenotype
//   calls, yet no disease association (HPO genes_to_phenotype)? Candidate disease genes,
//   ranked by the number of distinct MP terms of the mouse; optionally only genes with
//   calls in one MP branch (e.g. MP:0005367 renal/urinary system).
// param: system curie(MP) default=MP:0000001 -- count only calls under this MP term
//   (biolink:subclass_of*0..); the default, the MP root, counts every call
// param: min_phenotypes int default=1 -- leave out genes with fewer distinct MP terms
// example: min_phenotypes=1
// example: system=MP:0005367&min_phenotypes=3
// note: the Cypher twin of orphan_knockout_genes.rq (same columns). The branch's terms are
//   collected once (WITH DISTINCT: a breadth-first walk, not every path of the DAG), then
//   their calls grouped per gene; orthology and symbols come from the mgi_orthology graph,
//   and a human gene with any biolink:gene_associated_with_condition is left out.
//   The .rq reads per-build counts from the summary graph (kg/summaries.py), which is not
//   loaded into Neo4j: this twin counts from the calls, so the agreement test on the full
//   graph also checks the summary facts.
MATCH (:`biolink:Entity` {id: $system})<-[:`biolink:subclass_of`*0..]-(mp)
WITH DISTINCT mp
MATCH (mp)<-[c:`biolink:has_phenotype`]-()
WHERE c.gene IS NOT NULL
WITH c.gene AS gid, count(DISTINCT c.id) AS calls, count(DISTINCT mp) AS phenotypes
WHERE phenotypes >= $min_phenotypes
MATCH (g:`biolink:Entity` {id: gid})-[o:`biolink:orthologous_to`]->(h)
WHERE 'mgi_orthology' IN o.provided_by
  AND NOT EXISTS { (h)-[:`biolink:gene_associated_with_condition`]->() }
RETURN h.id AS human_gene, h.symbol AS human_symbol, gid AS gene, g.symbol AS mouse_symbol,
       calls, phenotypes, $system AS system, $min_phenotypes AS min_phenotypes
ORDER BY phenotypes DESC, calls DESC, human_gene
