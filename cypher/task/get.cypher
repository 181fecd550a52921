// A task by id: the agent's own, or (for the operator, $agent_id null) every agent's task with that id.
MATCH (t:Task {id: $id})
WHERE $agent_id IS NULL OR t.agent_id = $agent_id
OPTIONAL MATCH (t)-[:RESULTED_IN]->(r:ExecutionResult)
WITH t, r ORDER BY r.finished_at
RETURN t {.*} AS task, collect(r {.*}) AS results
ORDER BY task.agent_id
