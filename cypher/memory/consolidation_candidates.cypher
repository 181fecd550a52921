// An agent's memories grouped by what must match exactly for two of them to be duplicates.
MATCH (m:Memory {agent_id: $agent_id})
WITH m.memory_type AS kind, coalesce(m.chosen_action, m.successful_approach, m.solution_applied, '') AS action,
     coalesce(m.outcome, '') AS outcome, m
ORDER BY m.created_at, m.id
WITH kind, action, outcome, collect({id: m.id, embedding: m.context_embedding}) AS members
WHERE size(members) > 1
RETURN kind, action, outcome, members
