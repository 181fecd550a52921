// Keyword matches on context and memory text (Lucene), restricted like vector_candidates.
CALL db.index.fulltext.queryNodes('memory_text', $lucene_query, {limit: $fetch_k}) YIELD node AS m, score
WHERE $agent_id IS NULL
   OR m.agent_id = $agent_id
   OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: m.agent_id})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND m.id IN g.memory_ids)
            OR (g.scope = 'domain' AND m.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN m.tags)
            OR (g.scope = 'pattern' AND m.id IN g.memory_ids))
      }
RETURN m.id AS id, m.agent_id AS agent_id, score
