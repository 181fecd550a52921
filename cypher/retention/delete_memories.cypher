// Real deletion: the node and its relationships, and with the node its vector and fulltext index
// entries (both indexes are maintained in the same transaction). $refs are {agent_id, id}: ids are per
// agent. Returns what was deleted.
UNWIND $refs AS ref
MATCH (m:Memory {agent_id: ref.agent_id, id: ref.id})
WITH m, m.id AS id, m.agent_id AS owner
DETACH DELETE m
RETURN id, owner
