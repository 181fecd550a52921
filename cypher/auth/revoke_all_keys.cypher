MATCH (a:Agent {id: $agent_id})-[:HAS_KEY]->(k:ApiKey)
WHERE k.revoked_at IS NULL AND NOT k.prefix IN $keep
SET k.revoked_at = datetime()
RETURN k {.prefix, .created_at, .revoked_at} AS key, a.id AS agent_id
