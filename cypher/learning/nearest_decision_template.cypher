// The template nearest to $embedding (index score >= $min_score) among those holding a decision $agent_id may
// see: its own, or one a live grant shares with it. The index answers its top $candidates before this filter,
// so a template that only other agents' private decisions hold is never named (no existence oracle).
CALL db.index.vector.queryNodes('decision_template_embedding', $candidates, $embedding) YIELD node AS t, score
WITH t, score
WHERE score >= $min_score AND t.id IS NOT NULL  // one deleted meanwhile reads as nulls
  AND EXISTS {
        MATCH (t)<-[:INSTANCE_OF]-(m:Memory:Decision)
        WHERE m.agent_id = $agent_id
           OR EXISTS {
                MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: m.agent_id})
                WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
                  AND ((g.scope IN ['memory', 'pattern'] AND m.id IN g.memory_ids)
                    OR (g.scope = 'domain' AND m.domain = g.value)
                    OR (g.scope = 'tag' AND g.value IN m.tags))
              }
      }
RETURN t.id AS id, score
ORDER BY score DESC, id
LIMIT 1
