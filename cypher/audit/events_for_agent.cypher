// What happened to an agent's memories, and what the agent did, newest first.
CALL (*) {
  MATCH (e:AuditEvent {owner_id: $agent_id}) RETURN e
  UNION
  MATCH (e:AuditEvent {actor_id: $agent_id}) RETURN e
}
WITH e
WHERE ($since IS NULL OR e.at >= datetime($since)) AND ($types IS NULL OR e.type IN $types)
RETURN e {.*} AS event
ORDER BY e.seq DESC
LIMIT $limit
