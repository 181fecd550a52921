MATCH (m:Memory {agent_id: $agent_id})
WHERE $kind IS NULL OR m.memory_type = $kind
RETURN m {.*, context_embedding: null} AS memory
ORDER BY m.created_at DESC, m.id
SKIP $skip
LIMIT $limit
