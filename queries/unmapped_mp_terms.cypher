// title: MP terms used by IMPC calls without an HP mapping (curator worklist)
// question: Which MP terms that IMPC calls use have no mapping to any HPO term, ranked by
//   how many calls (and genes) use them? "Mapping" is any SSSOM row linking the MP term to
//   an HP term in either direction (every set and predicate, except semantic-similarity
//   best matches), or a uPheno species-independent class grouping it with an HP term;
//   with via=curated, only manually curated rows (semapv:ManualMappingCuration) count.
// param: via enum(any|curated) default=any -- which mappings count as "mapped"
// param: min_calls int default=1 -- leave out terms used by fewer calls
// example: via=any
// example: via=curated&min_calls=50
// note: the Cypher twin of unmapped_mp_terms.rq (same columns). Every SSSOM row is a
//   relationship with category sssom:Mapping (its type is the row's predicate, whichever
//   it is); uPheno classes are semapv:crossSpeciesExactMatch relationships, read in both
//   directions as in the .rq.
//   The .rq reads per-build counts from the summary graph (kg/summaries.py), which is not
//   loaded into Neo4j: this twin counts from the calls, so the agreement test on the full
//   graph also checks the summary facts.
MATCH (p)<-[c:`biolink:has_phenotype`]-()
WHERE c.gene IS NOT NULL
WITH p, count(DISTINCT c.id) AS calls, count(DISTINCT c.gene) AS genes
WHERE calls >= $min_calls
  AND NOT EXISTS {
    MATCH (p)-[m]-(hp)
    WHERE m.category = 'sssom:Mapping' AND hp.id STARTS WITH 'HP:'
      AND m.mapping_justification <> 'semapv:SemanticSimilarityThresholdMatching'
      AND ($via = 'any' OR m.mapping_justification = 'semapv:ManualMappingCuration')
  }
  AND ($via = 'curated' OR NOT EXISTS {
    MATCH (p)<-[:`semapv:crossSpeciesExactMatch`]-(u)-[:`semapv:crossSpeciesExactMatch`]->(hp)
    WHERE hp.id STARTS WITH 'HP:'
  })
  AND ($via = 'curated' OR NOT EXISTS {
    MATCH (p)-[:`semapv:crossSpeciesExactMatch`]->(u)<-[:`semapv:crossSpeciesExactMatch`]-(hp)
    WHERE hp.id STARTS WITH 'HP:'
  })
RETURN p.id AS phenotype, CASE WHEN 'mp' IN p.provided_by THEN p.name END AS label,
       calls, genes, $via AS via, $min_calls AS min_calls
ORDER BY calls DESC, genes DESC, phenotype
