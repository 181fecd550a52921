// An agent that callers can authenticate as. An agent known already (e.g. from its memories) is reused.
MERGE (a:Agent {id: $agent_id})
  ON CREATE SET a.name = $agent_id, a.created_at = datetime()
SET a.operator = coalesce(a.operator, false) OR $operator
RETURN a {.id, .name, .created_at, .operator} AS agent,
       COUNT { (a)-[:HAS_KEY]->(k:ApiKey) WHERE k.revoked_at IS NULL } AS live_keys
