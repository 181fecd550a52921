// Count a decision memory into its DecisionTemplate's branch for the chosen action — once:
// a decision already linked to a template is not counted again (idempotent). The memory is locked
// before that is read, so two concurrent retries of one decision cannot both count it.
MATCH (m:Memory:Decision {id: $memory_id, agent_id: $agent_id})
SET m._LOCK_ = true
REMOVE m._LOCK_
WITH m
MERGE (t:DecisionTemplate {id: $template_id})
  ON CREATE SET t.context_signature = $signature, t.created_at = datetime(), t.attempts = 0,
                t.confidence_threshold = $confidence_threshold
WITH m, t
CALL (t) {
  WITH t WHERE t.embedding IS NULL
  CALL db.create.setNodeVectorProperty(t, 'embedding', $embedding)
}
OPTIONAL MATCH (m)-[counted:INSTANCE_OF]->(:DecisionTemplate)
WITH m, t, counted IS NULL AS first_time
CALL (m, t, first_time) {
  WITH * WHERE first_time
  MERGE (m)-[:INSTANCE_OF]->(t)
  MERGE (a:Action {name: $action})
  MERGE (t)-[b:BRANCH]->(a)
    ON CREATE SET b.attempts = 0, b.successes = 0.0, b.first_seen = m.created_at
  SET b.attempts = b.attempts + 1,
      b.successes = b.successes + $quality,
      b.last_seen = m.created_at,
      t.attempts = t.attempts + 1,
      t.last_seen = m.created_at
}
WITH m, t, first_time
CALL (m) {
  UNWIND $informed_by AS prior_ref
  MATCH (prior:Memory {agent_id: prior_ref.agent_id, id: prior_ref.id})
  WHERE prior <> m
  MERGE (m)-[:INFORMED_BY]->(prior)
}
MATCH (t)-[b:BRANCH]->(:Action {name: $action})
RETURN t.id AS template_id, b.attempts AS attempts, b.successes AS successes, first_time
