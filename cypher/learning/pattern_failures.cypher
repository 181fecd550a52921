// The newest $limit failures of a pattern that $agent_id may see (all for the operator), with their solutions.
MATCH (p:FailurePattern {id: $pattern_id})<-[:INSTANCE_OF]-(f:Memory:Failure)
WHERE $agent_id IS NULL
   OR f.agent_id = $agent_id
   OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: f.agent_id})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND f.id IN g.memory_ids)
            OR (g.scope = 'domain' AND f.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN f.tags)
            OR (g.scope = 'pattern' AND f.id IN g.memory_ids))
      }
OPTIONAL MATCH (f)-[r:RESOLVED_BY]->(s:Solution)
WITH f, collect(CASE WHEN s IS NULL THEN null ELSE {id: s.id, description: s.description, worked: r.worked} END) AS solutions
RETURN f {.id, .agent_id, .context, .error_message, .created_at, .occurrences, .domain} AS failure, solutions
ORDER BY f.created_at DESC
LIMIT $limit
