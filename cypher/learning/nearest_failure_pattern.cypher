// The failure pattern nearest to $embedding (index score >= $min_score) among those holding a failure $agent_id
// may see: its own, or one a live grant shares with it ($agent_id null: the operator, any pattern). The index
// answers its top $candidates before this filter, so a pattern that only other agents' private failures hold is
// never named (no existence oracle).
CALL db.index.vector.queryNodes('failure_pattern_embedding', $candidates, $embedding) YIELD node AS p, score
WITH p, score
WHERE score >= $min_score AND p.id IS NOT NULL  // one deleted meanwhile (analysis merges patterns) reads as nulls
  AND ($agent_id IS NULL OR EXISTS {
        MATCH (p)<-[:INSTANCE_OF]-(f:Memory:Failure)
        WHERE f.agent_id = $agent_id
           OR EXISTS {
                MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: f.agent_id})
                WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
                  AND ((g.scope IN ['memory', 'pattern'] AND f.id IN g.memory_ids)
                    OR (g.scope = 'domain' AND f.domain = g.value)
                    OR (g.scope = 'tag' AND g.value IN f.tags))
              }
      })
RETURN p.id AS id, score
ORDER BY score DESC, id
LIMIT 1
