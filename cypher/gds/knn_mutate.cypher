// kNN on embeddings (GDS cosine, reported as (1 + cos) / 2), with concurrency 1 and a seed: reproducible.
CALL gds.knn.mutate($graph_name, {
  nodeProperties: [$property], topK: $top_k, similarityCutoff: $cutoff,
  mutateRelationshipType: 'SIMILAR', mutateProperty: 'score', randomSeed: 42, concurrency: 1,
  sampleRate: 1.0, deltaThreshold: 0.0
})
YIELD relationshipsWritten
RETURN relationshipsWritten
