// Recompute each pattern's aggregates from its failures: counts, time range, agents, solutions.
MATCH (p:FailurePattern)
OPTIONAL MATCH (p)<-[:INSTANCE_OF]-(f:Memory:Failure)
WITH p, sum(coalesce(f.occurrences, 1)) AS occurrences, count(f) AS failures, collect(DISTINCT f.agent_id) AS agents,
     min(f.created_at) AS first_seen, max(f.created_at) AS last_seen
CALL (p, failures) {
  WITH p WHERE failures = 0
  DETACH DELETE p
}
WITH p, occurrences, agents, first_seen, last_seen, failures
WHERE failures > 0
SET p.occurrence_count = occurrences, p.agents = agents, p.first_seen = first_seen, p.last_seen = last_seen,
    p.recurring = occurrences >= $min_occurrences
WITH p
CALL (p) {
  MATCH (p)-[old:AFFECTS|KNOWN_SOLUTION]->()
  DELETE old
}
CALL (p) {
  MATCH (p)<-[:INSTANCE_OF]-(f:Memory:Failure)
  WITH DISTINCT p, f.agent_id AS agent_id
  MERGE (a:Agent {id: agent_id})
  MERGE (p)-[:AFFECTS]->(a)
}
CALL (p) {
  MATCH (p)<-[:INSTANCE_OF]-(:Memory:Failure)-[:RESOLVED_BY]->(s:Solution)
  WITH DISTINCT p, s
  MERGE (p)-[:KNOWN_SOLUTION]->(s)
}
RETURN count(p) AS patterns, sum(CASE WHEN p.recurring THEN 1 ELSE 0 END) AS recurring
