// The recurring failure patterns, each with the workflow stage its checks are attached to (if any).
MATCH (p:FailurePattern)
WHERE p.recurring
OPTIONAL MATCH (p)-[:PREVENTED_BY]->(:PreventionCheck)-[:IN_STAGE]->(stage:WorkflowStage)
RETURN p.id AS pattern_id, min(stage.name) AS stage
ORDER BY pattern_id
