// The shard count the memories are labelled for (none yet on a new database or one made before shards).
OPTIONAL MATCH (l:MemoryShardLayout {name: 'memory'})
RETURN l.count AS count
