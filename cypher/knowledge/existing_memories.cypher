// The stored memories among $ids, as the import compares them with the document.
UNWIND $ids AS id
MATCH (m:Memory {id: id})
RETURN m {.*, context_embedding: null} AS memory,
       [(m)-[:INSTANCE_OF]->(p) | p.id] AS patterns,
       [(m)-[r:IMPORTED_FROM]->(a:Agent) | {agent_id: a.id, memory_id: r.memory_id}] AS provenance
