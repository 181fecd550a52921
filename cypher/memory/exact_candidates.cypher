// Exact cosine over everything $agent_id may see: the fallback when filtering left the
// approximate search with fewer than k results.
CALL (*) {
  MATCH (m:Memory {agent_id: $agent_id})
  RETURN m
  UNION
  MATCH (g:ShareGrant {grantee_id: $agent_id})
  WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
  MATCH (m:Memory {agent_id: g.owner_id})
  WHERE (g.scope = 'memory' AND m.id IN g.memory_ids)
     OR (g.scope = 'domain' AND m.domain = g.value)
     OR (g.scope = 'tag' AND g.value IN m.tags)
     OR (g.scope = 'pattern' AND EXISTS { (m)-[:INSTANCE_OF]->({id: g.value}) })
  RETURN m
}
WITH m, vector.similarity.cosine(m.context_embedding, $embedding) AS score
ORDER BY score DESC
LIMIT $k
RETURN m.id AS id, m.agent_id AS agent_id, score
