// The stored memories among $refs ({agent_id, id}: ids are per agent), as the import compares them with the document.
UNWIND $refs AS ref
MATCH (m:Memory {agent_id: ref.agent_id, id: ref.id})
RETURN m {.*, context_embedding: null} AS memory,
       [(m)-[:INSTANCE_OF]->(p) | p.id] AS patterns,
       [(m)-[r:IMPORTED_FROM]->(a:Agent) | {agent_id: a.id, memory_id: r.memory_id}] AS provenance
