// The oldest failure pattern of exactly this signature among those holding a failure $agent_id may see: its own,
// or one a live grant shares with it ($agent_id null: the operator, any pattern). A pattern that only other
// agents' private failures hold is never named (no existence oracle).
MATCH (p:FailurePattern {signature: $signature})
WHERE $agent_id IS NULL OR EXISTS {
        MATCH (p)<-[:INSTANCE_OF]-(f:Memory:Failure)
        WHERE f.agent_id = $agent_id
           OR EXISTS {
                MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: f.agent_id})
                WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
                  AND ((g.scope IN ['memory', 'pattern'] AND f.id IN g.memory_ids)
                    OR (g.scope = 'domain' AND f.domain = g.value)
                    OR (g.scope = 'tag' AND g.value IN f.tags))
              }
      }
RETURN p.id AS id
ORDER BY p.created_at, id
LIMIT 1
