// Every failure in time order, with the pattern it is linked to now (input of pattern analysis).
MATCH (f:Memory:Failure)
OPTIONAL MATCH (f)-[:INSTANCE_OF]->(p:FailurePattern)
RETURN f.id AS id, f.agent_id AS agent_id, coalesce(f.error_message, f.context) AS message, p.id AS pattern_id
ORDER BY f.created_at, f.id, f.agent_id
