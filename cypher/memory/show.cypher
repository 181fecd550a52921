// A memory with its neighbourhood, as a person reads it in Neo4j Browser: the agent's memory with this id,
// or every agent's for $agent_id null (ids are per agent).
MATCH (m:Memory {id: $id})
WHERE $agent_id IS NULL OR m.agent_id = $agent_id
OPTIONAL MATCH (m)-[r]-(n)
WITH m, collect(CASE WHEN n IS NULL THEN null ELSE {
  type: type(r), outgoing: startNode(r) = m, labels: labels(n),
  key: coalesce(n.id, n.name), name: coalesce(n.name, n.id)} END) AS links
WITH m {.*, context_embedding: null} AS memory, links
// Deleted while this ran (forget, retention): its properties read as nulls, and it is left out.
WHERE memory.id IS NOT NULL AND memory.agent_id IS NOT NULL AND memory.memory_type IS NOT NULL
RETURN memory, links
ORDER BY memory.agent_id
