// Every memory an agent owns (what deleting the agent deletes).
MATCH (m:Memory {agent_id: $agent_id})
RETURN m.id AS id
ORDER BY id
