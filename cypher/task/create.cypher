// A task of the existing workflow system, given a home as a node: idempotent on the agent's own id,
// an id another agent holds is left untouched and reported as not owned.
MERGE (t:Task {id: $id})
  ON CREATE SET t.agent_id = $agent_id, t.context = $context, t.workflow_stage = $workflow_stage,
                t.status = 'pending', t.available_actions = $available_actions, t.created_at = datetime()
WITH t, t.agent_id = $agent_id AS owned
CALL (t, owned) {
  WITH * WHERE owned
  MERGE (a:Agent {id: $agent_id}) ON CREATE SET a.name = $agent_id, a.created_at = datetime()
  MERGE (t)-[:ASSIGNED_TO]->(a)
}
RETURN CASE WHEN owned THEN t {.*} ELSE null END AS task
