// The stored memories for a list of {agent_id, id} refs, with their exact similarity to $embedding.
UNWIND $refs AS ref
MATCH (m:Memory {agent_id: ref.agent_id, id: ref.id})
RETURN m {.*, context_embedding: null} AS memory,
       CASE WHEN $embedding IS NULL THEN null
            ELSE vector.similarity.cosine(m.context_embedding, $embedding) END AS similarity
