UNWIND $pattern_ids AS pattern_id
MATCH (p:FailurePattern {id: pattern_id})-[:PREVENTED_BY]->(c:PreventionCheck)
OPTIONAL MATCH (c)-[:IN_STAGE]->(stage:WorkflowStage)
RETURN p.id AS pattern_id, c {.*, stage: stage.name} AS check
