// Revoking is immediate: the next request with this key is refused. Revoking twice keeps the first time.
MATCH (a:Agent)-[:HAS_KEY]->(k:ApiKey {prefix: $prefix})
WHERE $agent_id IS NULL OR a.id = $agent_id
SET k.revoked_at = coalesce(k.revoked_at, datetime())
RETURN k {.prefix, .created_at, .revoked_at} AS key, a.id AS agent_id
