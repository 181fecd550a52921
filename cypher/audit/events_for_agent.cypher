// What happened to an agent's memories, what the agent did, and what an operator did for it, newest first.
CALL (*) {
  MATCH (e:AuditEvent {owner_id: $agent_id}) RETURN e
  UNION
  MATCH (e:AuditEvent {actor_id: $agent_id}) RETURN e
  UNION
  MATCH (e:AuditEvent {on_behalf_of: $agent_id}) RETURN e
}
WITH e
WHERE ($since IS NULL OR e.at >= datetime($since)) AND ($types IS NULL OR e.type IN $types)
RETURN e {.*} AS event
ORDER BY e.seq DESC
LIMIT $limit
