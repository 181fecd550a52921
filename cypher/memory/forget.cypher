// Real deletion: the node, its relationships and with them its vector and fulltext entries.
MATCH (m:Memory {id: $id})
WHERE $agent_id IS NULL OR m.agent_id = $agent_id
WITH m, m.id AS id
DETACH DELETE m
RETURN id
