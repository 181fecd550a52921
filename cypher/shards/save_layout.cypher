// Records the shard count the memories are now labelled for, and each shard's label and vector index
// (Neo4j Browser queries read them from here).
MERGE (l:MemoryShardLayout {name: 'memory'})
SET l.count = $count, l.labels = $labels, l.indexes = $indexes, l.updated_at = datetime()
