UNWIND $failures AS failure
MATCH (:Memory {agent_id: failure.agent_id, id: failure.id})-[:INSTANCE_OF]->(p:FailurePattern)
RETURN DISTINCT p.id AS id
ORDER BY id
