MATCH (t:Task {agent_id: $agent_id, id: $task_id})
SET t.status = 'in_progress', t.strategy = $strategy, t.pattern_id = $pattern_id, t.updated_at = datetime()
RETURN t {.*} AS task
