MATCH (p:FailurePattern {id: $pattern_id})-[:PREVENTED_BY]->(c:PreventionCheck)
OPTIONAL MATCH (c)-[:IN_STAGE]->(stage:WorkflowStage)
RETURN c {.*, stage: stage.name} AS check
ORDER BY c.created_at
