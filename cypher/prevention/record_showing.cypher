// Prevention checks shown to $agent_id about to take $action (learning/check_records.py): one showing per
// token, valid for $ttl_s seconds, with the checks as shown (what they guarded and asked for). A new showing
// (or one renewed after its time) adds one to the agent's count of showings of each check: records read
// that count, never the showings themselves, so they cost the same however many were shown. Until a
// decision of this agent has acted on a check, the decision memories of similar contexts its evidence held
// are kept as the check's "before". Idempotent within the token's time: everything is merged, and a token
// of another agent is left alone.
MERGE (s:CheckShowing {id: $token})
  ON CREATE SET s.agent_id = $agent_id, s.action = $action
WITH s, s.created_at IS NULL OR s.created_at < datetime() - duration({seconds: $ttl_s}) AS fresh
WHERE s.agent_id = $agent_id
SET s.created_at = CASE WHEN fresh THEN datetime() ELSE s.created_at END
WITH s, fresh
CALL (s, fresh) {
  UNWIND $checks AS check
  MERGE (t:CheckTrack {id: check.id})
  MERGE (s)-[r:SHOWED]->(t)
  SET r.guards = CASE WHEN fresh THEN check.guards ELSE r.guards END,
      r.better = CASE WHEN fresh THEN check.better ELSE r.better END
  WITH t
  CALL (t, fresh) {
    WITH t WHERE fresh
    MERGE (a:Agent {id: $agent_id})
      ON CREATE SET a.name = $agent_id, a.created_at = datetime()
    MERGE (a)-[c:SAW_CHECK]->(t)
      ON CREATE SET c.showings = 0
    SET c.showings = c.showings + 1
  }
  WITH t
  WHERE NOT EXISTS { (t)<-[:ACTED_WITH]-(:Memory:Decision {agent_id: $agent_id}) }
  UNWIND $saw AS ref
  MATCH (d:Memory:Decision {agent_id: ref.agent_id, id: ref.id})
  MERGE (t)-[:BEFORE]->(d)
}
RETURN s.id AS token
