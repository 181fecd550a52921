// Resolves ids a caller names (informedBy, related, import) among the memories $agent_id may see (its own,
// or covered by a live grant to it). Ids are per agent, so one id may name several memories: the caller's own
// comes first, then the others by owner, and the caller takes the first row per id
UNWIND $ids AS memory_id
MATCH (m:Memory {id: memory_id})
WHERE m.agent_id = $agent_id
   OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: m.agent_id})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND m.id IN g.memory_ids)
            OR (g.scope = 'domain' AND m.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN m.tags)
            OR (g.scope = 'pattern' AND m.id IN g.memory_ids))
      }
RETURN m.id AS id, m.agent_id AS owner
ORDER BY id, CASE WHEN owner = $agent_id THEN 0 ELSE 1 END, owner
