// How many failure patterns $agent_id sees, and how many of those recur (>= $recurring_at visible occurrences).
MATCH (p:FailurePattern)<-[:INSTANCE_OF]-(f:Memory:Failure)
WHERE f.agent_id = $agent_id
   OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: f.agent_id})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND f.id IN g.memory_ids)
            OR (g.scope = 'domain' AND f.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN f.tags)
            OR (g.scope = 'pattern' AND f.id IN g.memory_ids))
      }
WITH p, sum(coalesce(f.occurrences, 1)) AS occurrences
RETURN count(p) AS patterns, sum(CASE WHEN occurrences >= $recurring_at THEN 1 ELSE 0 END) AS recurring
