// The kind, context and text of each of $agent_id's own memories among $ids (a retry must be the same memory).
UNWIND $ids AS memory_id
MATCH (m:Memory {agent_id: $agent_id, id: memory_id})
RETURN m.id AS id, m.agent_id AS owner, m.memory_type AS kind, m.context AS context, m.text AS text
