// Approximate nearest neighbours, over-fetched, then restricted to what $agent_id may see:
// its own memories and those covered by a live grant to it.
CALL db.index.vector.queryNodes('memory_context_embedding', $fetch_k, $embedding) YIELD node AS m, score
WHERE $agent_id IS NULL
   OR m.agent_id = $agent_id
   OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: m.agent_id})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND m.id IN g.memory_ids)
            OR (g.scope = 'domain' AND m.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN m.tags)
            OR (g.scope = 'pattern' AND EXISTS { (m)-[:INSTANCE_OF]->({id: g.value}) }))
      }
RETURN m.id AS id, m.agent_id AS agent_id, score
