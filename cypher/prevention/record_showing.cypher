// Prevention checks shown to $agent_id about to take $action (learning/check_records.py): one showing per
// token, the checks as shown (what they guarded and asked for), and the decision memories of similar
// contexts its evidence held. Idempotent: everything is merged, and a token of another agent is left alone.
MERGE (s:CheckShowing {id: $token})
  ON CREATE SET s.agent_id = $agent_id, s.action = $action, s.created_at = datetime()
WITH s WHERE s.agent_id = $agent_id
CALL (s) {
  UNWIND $checks AS check
  MERGE (t:CheckTrack {id: check.id})
  MERGE (s)-[r:SHOWED]->(t)
    ON CREATE SET r.guards = check.guards, r.better = check.better
}
CALL (s) {
  UNWIND $saw AS ref
  MATCH (d:Memory:Decision {agent_id: ref.agent_id, id: ref.id})
  MERGE (s)-[:SAW]->(d)
}
RETURN s.id AS token
