CREATE CONSTRAINT memory_shard_layout_name_unique IF NOT EXISTS FOR (l:MemoryShardLayout) REQUIRE l.name IS UNIQUE
