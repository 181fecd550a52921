// The agent's memories, newest first. A memory deleted while this runs (forget, retention) reads as nulls from
// then on, and is left out rather than returned without its properties.
MATCH (m:Memory {agent_id: $agent_id})
WHERE $kind IS NULL OR m.memory_type = $kind
WITH m, m {.*, context_embedding: null} AS memory
WHERE memory.id IS NOT NULL AND memory.agent_id IS NOT NULL AND memory.memory_type IS NOT NULL
RETURN memory
ORDER BY m.created_at DESC, m.id
SKIP $skip
LIMIT $limit
