MATCH (t:Task {agent_id: $agent_id, id: $task_id})
MERGE (r:ExecutionResult {id: $id})
  ON CREATE SET r.outcome = $outcome, r.duration_ms = $duration_ms, r.error = $error, r.strategy = $strategy,
                r.finished_at = datetime()
MERGE (t)-[:RESULTED_IN]->(r)
SET t.status = CASE $outcome WHEN 'success' THEN 'done' WHEN 'partial' THEN 'done' ELSE 'failed' END,
    t.updated_at = datetime()
RETURN r {.*} AS result
