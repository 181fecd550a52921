// The stored memories for a list of {agent_id, id} refs (without their embeddings). A memory deleted while
// this runs (retention) reads as nulls from then on, and is left out.
UNWIND $refs AS ref
MATCH (m:Memory {agent_id: ref.agent_id, id: ref.id})
WITH m {.*, context_embedding: null} AS memory
WHERE memory.id IS NOT NULL AND memory.agent_id IS NOT NULL AND memory.memory_type IS NOT NULL
RETURN memory
