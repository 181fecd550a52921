// Records the shard count the memories are now labelled for, and each shard's label and vector index
// (for people and tools looking at the database).
MERGE (l:MemoryShardLayout {name: 'memory'})
SET l.count = $count, l.labels = $labels, l.indexes = $indexes, l.updated_at = datetime()
