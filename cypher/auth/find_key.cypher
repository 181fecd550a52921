// The live key with this hash and the agent that owns it (nothing for unknown or revoked keys).
MATCH (a:Agent)-[:HAS_KEY]->(k:ApiKey {hash: $hash})
WHERE k.revoked_at IS NULL
RETURN a {.id, .name, .operator} AS agent, k.prefix AS prefix
