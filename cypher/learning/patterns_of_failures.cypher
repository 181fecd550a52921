UNWIND $failure_ids AS failure_id
MATCH (:Memory {id: failure_id})-[:INSTANCE_OF]->(p:FailurePattern)
RETURN DISTINCT p.id AS id
ORDER BY id
