// Store generated checks on the pattern and attach them to a workflow stage (idempotent on id).
MATCH (p:FailurePattern {id: $pattern_id})
MERGE (stage:WorkflowStage {name: $stage})
WITH p, stage
UNWIND $checks AS check
MERGE (c:PreventionCheck {id: check.id})
  ON CREATE SET c.created_at = datetime()
SET c.name = check.name, c.description = check.description, c.source = check.source,
    c.guards_actions = check.guards_actions, c.pattern_id = p.id,
    c.step = check.step, c.better_action = check.better_action
MERGE (p)-[:PREVENTED_BY]->(c)
MERGE (c)-[:IN_STAGE]->(stage)
RETURN c {.*, stage: stage.name} AS check
