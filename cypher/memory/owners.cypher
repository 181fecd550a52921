// The owner, kind and context of each stored memory among $ids (to refuse writes into another agent's).
UNWIND $ids AS memory_id
MATCH (m:Memory {id: memory_id})
RETURN m.id AS id, m.agent_id AS owner, m.memory_type AS kind, m.context AS context, m.text AS text
