// Failure patterns with counts over the failures $agent_id may see (all for the operator).
MATCH (p:FailurePattern)<-[:INSTANCE_OF]-(f:Memory:Failure)
WHERE ($since IS NULL OR f.created_at >= datetime($since))
  AND ($agent_id IS NULL
   OR f.agent_id = $agent_id
   OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: f.agent_id})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND f.id IN g.memory_ids)
            OR (g.scope = 'domain' AND f.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN f.tags)
            OR (g.scope = 'pattern' AND g.value = p.id))
      })
WITH p, sum(coalesce(f.occurrences, 1)) AS occurrences, collect(DISTINCT f.agent_id) AS agents,
     min(f.created_at) AS first_seen, max(f.created_at) AS last_seen,
     collect(DISTINCT f.context)[..5] AS contexts, collect(DISTINCT f.domain) AS domains
WHERE $recurring IS NULL OR p.recurring = $recurring
OPTIONAL MATCH (p)-[:PREVENTED_BY]->(c:PreventionCheck)
RETURN p {.id, .name, .signature, .recurring} AS pattern, occurrences, agents, first_seen, last_seen, contexts,
       domains, collect(c {.id, .name, .description}) AS checks
ORDER BY occurrences DESC, pattern.id
LIMIT $limit
