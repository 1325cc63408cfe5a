// title: Diseases whose gene's mouse orthologue shows the disease's phenotypes
// question: For a mouse gene (or, without one, for every gene), which human diseases of its
//   human orthologue are annotated (HPOA) with HPO terms that the mouse's IMPC calls map
//   to? A mapping counts when it is an MP skos:exactMatch HP row of an SSSOM set with
//   justification semapv:ManualMappingCuration (MGI curated, MGI COVID, the manual rows of
//   the IMPC procedure sets) and/or when MP and HP terms share a uPheno species-independent
//   class. One row per disease, human gene and mouse gene, the best-matched first.
// param: gene curie(MGI) optional -- the mouse gene; leave it out for every gene (slow: seconds)
// param: via enum(curated|upheno|any) default=any -- which MP-HP links count
// example: gene=MGI:97490
// example: gene=MGI:1098274&via=curated
// note: the Cypher twin of disease_phenocopies.rq (same columns). SSSOM rows are
//   relationships subject -> object typed by their predicate, with category sssom:Mapping
//   and mapping_justification; a disease's phenotype is a biolink:has_phenotype
//   relationship that is neither negated nor of another HPOA aspect than P (the .rq reads
//   the direct triples, which exist for those only).
CALL () {
  MATCH (g:`biolink:Entity` {id: $gene}) RETURN g
  UNION
  MATCH (g:`biolink:Gene`) WHERE $gene IS NULL RETURN g
}
MATCH (g)-[:`biolink:orthologous_to`]->(h)-[:`biolink:gene_associated_with_condition`]->(d)
WITH DISTINCT g, h, d
MATCH ()-[c:`biolink:has_phenotype` {gene: g.id}]->(mp)
WITH DISTINCT g, h, d, mp
CALL (mp) {
  MATCH (mp)-[m:`skos:exactMatch`]->(hp)
  WHERE $via IN ['curated', 'any'] AND m.category = 'sssom:Mapping'
    AND m.mapping_justification = 'semapv:ManualMappingCuration'
  RETURN hp
  UNION
  MATCH (mp)<-[:`semapv:crossSpeciesExactMatch`]-(u)-[:`semapv:crossSpeciesExactMatch`]->(hp)
  WHERE $via IN ['upheno', 'any']
  RETURN hp
}
WITH g, h, d, mp, hp
WHERE EXISTS {
  MATCH (d)-[a:`biolink:has_phenotype`]->(hp)
  WHERE NOT coalesce(a.negated, false) AND coalesce(a.aspect, 'P') = 'P'
}
WITH g, h, d, count(DISTINCT hp) AS nhp, count(DISTINCT mp) AS nmp,
     collect(DISTINCT mp.id + '=' + hp.id) AS pairs
RETURN d.id AS disease, d.name AS disease_name, h.id AS human_gene, h.symbol AS human_symbol,
       g.id AS gene, g.symbol AS mouse_symbol,
       nhp AS matched_disease_phenotypes, nmp AS matched_mouse_phenotypes,
       reduce(s = '', x IN pairs | s + CASE WHEN s = '' THEN '' ELSE '|' END + x) AS matches,
       $via AS via
ORDER BY matched_disease_phenotypes DESC, disease, gene
