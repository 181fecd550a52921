// A task of the existing workflow system, given a home as a node: idempotent on the agent's own id.
// Task ids are per agent: another agent's task with the same id is a different task, never touched.
MERGE (t:Task {agent_id: $agent_id, id: $id})
  ON CREATE SET t.context = $context, t.workflow_stage = $workflow_stage,
                t.status = 'pending', t.available_actions = $available_actions, t.created_at = datetime()
WITH t
MERGE (a:Agent {id: $agent_id}) ON CREATE SET a.name = $agent_id, a.created_at = datetime()
MERGE (t)-[:ASSIGNED_TO]->(a)
RETURN t {.*} AS task
