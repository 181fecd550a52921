MATCH (a:Agent {id: $agent_id})-[:HAS_KEY]->(k:ApiKey)
RETURN k {.prefix, .created_at, .revoked_at} AS key, a.id AS agent_id
ORDER BY k.created_at DESC
