// A new key for an existing agent: only its hash and a short display prefix are stored.
MATCH (a:Agent {id: $agent_id})
CREATE (a)-[:HAS_KEY]->(k:ApiKey {hash: $hash, prefix: $prefix, created_at: datetime(), revoked_at: null})
RETURN k {.prefix, .created_at, .revoked_at} AS key, a.id AS agent_id
