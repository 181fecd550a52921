// The stored memories for a list of ids, with their exact similarity to $embedding.
UNWIND $ids AS id
MATCH (m:Memory {id: id})
RETURN m {.*, context_embedding: null} AS memory,
       CASE WHEN $embedding IS NULL THEN null
            ELSE vector.similarity.cosine(m.context_embedding, $embedding) END AS similarity
