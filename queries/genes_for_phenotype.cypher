// title: Genes with a significant call for an MP term or any descendant
// question: Which mouse genes have a significant IMPC phenotype call annotated to this MP
//   term or to any of its descendants? Optionally only calls in one sex, one zygosity,
//   from one phenotyping centre, or with a p-value at most a threshold. One row per gene:
//   its number of matching calls, best p-value and the matching MP terms.
// param: term curie(MP) required -- the MP term; its descendants follow biolink:subclass_of
// param: sex enum(male|female|both) optional -- only calls made in this sex
// param: zygosity enum(homozygote|heterozygote|hemizygote) optional -- only calls of this zygosity
// param: p_value_max float optional -- only calls with a p-value at most this; calls without a
//   p-value are then left out
// param: centre string optional -- phenotyping centre as IMPC writes it (JAX, TCP, MRC Harwell, ...)
// example: term=MP:0001259
// example: term=MP:0001259&sex=male&p_value_max=0.0001
// example: term=MP:0000428&zygosity=homozygote
// note: the Cypher twin of genes_for_phenotype.rq (same columns). "Or any descendant" is a
//   variable-length biolink:subclass_of path read backwards from the term; WITH DISTINCT
//   lets Neo4j prune it breadth-first instead of enumerating every path of the DAG.
//   best_p_value: min() skips nulls, so it is the smallest p-value among the matching calls
//   that have one, null only when none has (as the .rq's MIN over the calls with one).
MATCH (t:`biolink:Entity` {id: $term})<-[:`biolink:subclass_of`*0..]-(mp)
WITH DISTINCT mp
MATCH (mp)<-[c:`biolink:has_phenotype`]-()
WHERE c.gene IS NOT NULL
  AND ($p_value_max IS NULL OR c.p_value <= $p_value_max)
  AND ($zygosity IS NULL OR c.zygosity = $zygosity)
  AND ($sex IS NULL OR c.sex = $sex)
  AND ($centre IS NULL OR c.phenotyping_center = $centre)
WITH c.gene AS gene, count(DISTINCT c.id) AS calls,
     min(c.p_value) AS best_p_value,
     collect(DISTINCT mp.id) AS mps
OPTIONAL MATCH (g:`biolink:Entity` {id: gene})
WITH gene, g.symbol AS symbol, calls, best_p_value, mps
RETURN $term AS term, gene, symbol, calls, best_p_value,
       reduce(s = '', x IN mps | s + CASE WHEN s = '' THEN '' ELSE '|' END + x) AS phenotypes,
       $sex AS sex, $zygosity AS zygosity, $p_value_max AS p_value_max, $centre AS centre
ORDER BY calls DESC, symbol, gene
