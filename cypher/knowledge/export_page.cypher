// One page (by id, then owner: ids are per agent) of what an agent may export: its own memories and, with $include_shared, those
// covered by a live grant to it — the same rule as every read path, so a revoke removes them at once.
// $agent_id null: the operator's export of every agent's memories.
CALL (*) {
  MATCH (m:Memory)
  WHERE ($agent_id IS NULL OR m.agent_id = $agent_id) AND (m.id > $after_id OR (m.id = $after_id AND m.agent_id > $after_agent))
    AND ($domain IS NULL OR m.domain = $domain)
  RETURN m
  UNION
  MATCH (g:ShareGrant {grantee_id: $agent_id})
  WHERE $include_shared AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
  MATCH (m:Memory {agent_id: g.owner_id})
  WHERE (m.id > $after_id OR (m.id = $after_id AND m.agent_id > $after_agent)) AND ($domain IS NULL OR m.domain = $domain)
    AND ((g.scope = 'memory' AND m.id IN g.memory_ids)
      OR (g.scope = 'domain' AND m.domain = g.value)
      OR (g.scope = 'tag' AND g.value IN m.tags)
      OR (g.scope = 'pattern' AND m.id IN g.memory_ids))
  RETURN m
}
WITH m, m.id AS id, m.agent_id AS owner
ORDER BY id, owner
LIMIT $limit
// The page's cursor is (id, owner) as sorted. A memory deleted since (forget, retention) reads as nulls from
// then on: it comes back as a null memory, which the exporter leaves out, and the page keeps its length.
WITH m, id, owner, m {.*, context_embedding: null} AS memory
RETURN id, owner,
       CASE WHEN memory.id IS NOT NULL AND memory.agent_id IS NOT NULL AND memory.memory_type IS NOT NULL
            THEN memory END AS memory,
       CASE WHEN $with_embeddings THEN m.context_embedding END AS embedding,
       [(m)-[:INSTANCE_OF]->(p) | p {.id, .name, .signature, .action, .context_signature, labels: labels(p)}] AS patterns,
       [(m)-[r:IMPORTED_FROM]->(a:Agent) | {agent_id: a.id, memory_id: r.memory_id}] AS provenance
