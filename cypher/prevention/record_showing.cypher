// Prevention checks shown to $agent_id about to take $action (learning/check_records.py): one showing per
// token and the checks as shown (what they guarded and asked for). Until a decision of this agent has acted
// on a check, the decision memories of similar contexts its evidence held are kept as the check's "before".
// Idempotent: everything is merged, and a token of another agent is left alone.
MERGE (s:CheckShowing {id: $token})
  ON CREATE SET s.agent_id = $agent_id, s.action = $action, s.created_at = datetime()
WITH s WHERE s.agent_id = $agent_id
CALL (s) {
  UNWIND $checks AS check
  MERGE (t:CheckTrack {id: check.id})
  MERGE (s)-[r:SHOWED]->(t)
    ON CREATE SET r.guards = check.guards, r.better = check.better
  WITH t
  WHERE NOT EXISTS { (t)<-[:SHOWED]-(:CheckShowing {agent_id: $agent_id})<-[:ACTED_ON]-(:Memory:Decision) }
  UNWIND $saw AS ref
  MATCH (d:Memory:Decision {agent_id: ref.agent_id, id: ref.id})
  MERGE (t)-[:BEFORE]->(d)
}
RETURN s.id AS token
