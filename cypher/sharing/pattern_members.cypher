// The owner's memories linked to a pattern now: what a pattern-scoped grant covers, fixed when it is given.
MATCH (m:Memory {agent_id: $owner_id})-[:INSTANCE_OF]->(p)
WHERE p.id = $pattern_id AND (p:FailurePattern OR p:DecisionTemplate OR p:SuccessPattern)
RETURN DISTINCT m.id AS id
ORDER BY id
