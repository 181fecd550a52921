// One vector index per memory shard. A label cannot be a parameter in a schema command, so this one
// statement is run once per shard with the label of shard 0 below swapped for that shard's label — taken
// only from engram.storage.shards (MemoryShard<number>, checked), never from any input. The name is $name.
CREATE VECTOR INDEX $name IF NOT EXISTS
FOR (m:MemoryShard00) ON m.context_embedding
OPTIONS {indexConfig: {`vector.dimensions`: $dimensions, `vector.similarity_function`: 'cosine'}}
