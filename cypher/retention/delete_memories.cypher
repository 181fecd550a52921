// Real deletion: the node and its relationships, and with the node its vector and fulltext index
// entries (both indexes are maintained in the same transaction). Returns what was deleted.
UNWIND $ids AS id
MATCH (m:Memory {id: id})
WHERE $agent_id IS NULL OR m.agent_id = $agent_id
WITH m, m.id AS id, m.agent_id AS owner
DETACH DELETE m
RETURN id, owner
