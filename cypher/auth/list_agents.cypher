MATCH (a:Agent)
RETURN a {.id, .name, .created_at, .operator} AS agent,
       COUNT { (a)-[:HAS_KEY]->(k:ApiKey) WHERE k.revoked_at IS NULL } AS live_keys,
       COUNT { (a)-[:REMEMBERS]->(:Memory) } AS memories
ORDER BY a.id
