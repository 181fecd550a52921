// Delete an agent for real once its memories are gone: its keys, the grants it gave and received, the
// share requests it made and received, its tasks with their results, the prevention-check showings it was
// given (they hold its intended actions), its retention policies, the node (with its counts of showings).
MATCH (a:Agent {id: $agent_id})
CALL (a) {
  OPTIONAL MATCH (a)-[:HAS_KEY]->(k:ApiKey)
  DETACH DELETE k
  RETURN count(k) AS keys
}
CALL () {
  OPTIONAL MATCH (g:ShareGrant) WHERE g.owner_id = $agent_id OR g.grantee_id = $agent_id
  WITH collect(g) AS grants
  FOREACH (g IN grants | DETACH DELETE g)
  RETURN size(grants) AS grants
}
CALL () {
  OPTIONAL MATCH (r:ShareRequest) WHERE r.owner_id = $agent_id OR r.requester_id = $agent_id
  WITH collect(r) AS requests
  FOREACH (r IN requests | DETACH DELETE r)
  RETURN size(requests) AS requests
}
CALL () {
  OPTIONAL MATCH (t:Task {agent_id: $agent_id})
  OPTIONAL MATCH (t)-[:RESULTED_IN]->(res:ExecutionResult)
  WITH collect(DISTINCT t) AS tasks, collect(DISTINCT res) AS results
  FOREACH (r IN results | DETACH DELETE r)
  FOREACH (t IN tasks | DETACH DELETE t)
  RETURN size(tasks) AS tasks
}
CALL () {
  OPTIONAL MATCH (s:CheckShowing {agent_id: $agent_id})
  WITH collect(s) AS showings
  FOREACH (s IN showings | DETACH DELETE s)
  RETURN size(showings) AS showings
}
CALL () {
  OPTIONAL MATCH (p:RetentionPolicy {agent_id: $agent_id})
  WITH collect(p) AS policies
  FOREACH (p IN policies | DETACH DELETE p)
  RETURN size(policies) AS policies
}
DETACH DELETE a
RETURN keys, grants, requests, tasks, policies
