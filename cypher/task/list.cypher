MATCH (t:Task)
WHERE ($agent_id IS NULL OR t.agent_id = $agent_id) AND ($status IS NULL OR t.status = $status)
RETURN t {.*} AS task
ORDER BY t.created_at DESC
LIMIT $limit
