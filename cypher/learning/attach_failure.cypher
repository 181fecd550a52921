// Link a failure memory to its FailurePattern (created if new) and record the solution applied.
// Counting happens once per failure, and once per (failure, solution): safe to run twice.
MATCH (f:Memory:Failure {id: $memory_id, agent_id: $agent_id})
// The action that raised it, as its agent said (kept on a retry that does not say it again).
SET f.failed_action = coalesce($failed_action, f.failed_action)
MERGE (p:FailurePattern {id: $pattern_id})
  ON CREATE SET p.signature = $signature, p.name = $name, p.created_at = datetime(), p.occurrence_count = 0,
                p.first_seen = f.created_at, p.last_seen = f.created_at, p.recurring = false, p.agents = []
WITH f, p
CALL (p) {
  WITH p WHERE p.embedding IS NULL
  CALL db.create.setNodeVectorProperty(p, 'embedding', $embedding)
}
OPTIONAL MATCH (f)-[linked:INSTANCE_OF]->(:FailurePattern)
WITH f, p, linked IS NULL AS first_time
CALL (f, p, first_time) {
  WITH * WHERE first_time
  MERGE (f)-[:INSTANCE_OF]->(p)
  MERGE (agent:Agent {id: f.agent_id})
  MERGE (p)-[:AFFECTS]->(agent)
  SET p.occurrence_count = p.occurrence_count + coalesce(f.occurrences, 1),
      p.first_seen = CASE WHEN f.created_at < p.first_seen THEN f.created_at ELSE p.first_seen END,
      p.last_seen = CASE WHEN f.created_at > p.last_seen THEN f.created_at ELSE p.last_seen END,
      p.agents = CASE WHEN f.agent_id IN p.agents THEN p.agents ELSE p.agents + f.agent_id END
}
FOREACH (description IN CASE WHEN $solution IS NULL THEN [] ELSE [$solution] END |
  MERGE (s:Solution {id: $solution_id})
    ON CREATE SET s.description = description, s.attempts = 0, s.successes = 0.0, s.created_at = datetime()
  MERGE (p)-[:KNOWN_SOLUTION]->(s)
  MERGE (f)-[r:RESOLVED_BY]->(s)
    ON CREATE SET r.worked = $solution_worked,
                  s.attempts = s.attempts + 1,
                  s.successes = s.successes + CASE WHEN $solution_worked THEN 1.0 ELSE 0.0 END
)
RETURN p.id AS pattern_id, p.occurrence_count AS occurrence_count, p.agents AS agents, first_time
