// Migration: one vector index over every memory gave way to one per memory shard (cypher/shards/,
// engram.storage.shard_schema). The shared index would only slow ingest down and fill memory.
DROP INDEX memory_context_embedding IF EXISTS
