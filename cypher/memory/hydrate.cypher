// The stored memories for a list of {agent_id, id} refs (without their embeddings).
UNWIND $refs AS ref
MATCH (m:Memory {agent_id: ref.agent_id, id: ref.id})
RETURN m {.*, context_embedding: null} AS memory
