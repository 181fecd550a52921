MATCH (m:Memory {agent_id: $agent_id})
RETURN count(m) AS n
