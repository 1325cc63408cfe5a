// title: All phenotype calls of a gene, with their statistics
// question: What significant phenotype calls does IMPC report for this mouse gene, and with
//   which statistics (p-value, effect size, percentage change), in which sex, zygosity and
//   life stage, for which allele, centre, procedure and parameter? One row per call,
//   best p-value first; "source" names the graph (data file) the call comes from.
// param: gene curie(MGI) required -- the mouse gene
// example: gene=MGI:1860086
// note: the Cypher twin of gene_phenotype_calls.rq (same columns). An IMPC call is one
//   biolink:has_phenotype relationship model -> MP term carrying the call's statistics;
//   the relationship index on its `gene` property finds a gene's calls. A call described
//   by two source graphs is two relationships (one per source), as the .rq gives one row
//   per call and source.
MATCH (m)-[c:`biolink:has_phenotype` {gene: $gene}]->(p)
WHERE c.zygosity IS NOT NULL
OPTIONAL MATCH (a:`biolink:Entity` {id: c.allele})
WITH c, p, a, c.provided_by[0] AS source
RETURN $gene AS gene, c.id AS call, source, p.id AS phenotype,
       CASE WHEN 'mp' IN p.provided_by THEN p.name END AS phenotype_label,
       c.zygosity AS zygosity, c.sex AS sex, c.life_stage AS life_stage,
       c.allele AS allele, CASE WHEN source IN a.provided_by THEN a.name END AS allele_symbol,
       c.p_value AS p_value, c.effect_size AS effect_size, c.percentage_change AS percentage_change,
       c.phenotyping_center AS centre, c.procedure AS procedure, c.procedure_name AS procedure_name,
       c.parameter AS parameter, c.parameter_name AS parameter_name,
       c.statistical_method AS statistical_method,
       CASE WHEN size(coalesce(c.top_level_phenotype, [])) > 0
            THEN reduce(s = '', t IN c.top_level_phenotype | s + CASE WHEN s = '' THEN '' ELSE '|' END + t)
       END AS top_level_phenotypes
ORDER BY p_value IS NULL, p_value, phenotype, zygosity, sex, call
