MATCH (p:FailurePattern)-[:PREVENTED_BY]->(c:PreventionCheck)
WHERE $pattern_id IS NULL OR p.id = $pattern_id
OPTIONAL MATCH (c)-[:IN_STAGE]->(stage:WorkflowStage)
RETURN p.id AS pattern_id, c {.*, stage: stage.name} AS check
ORDER BY p.id, c.id
