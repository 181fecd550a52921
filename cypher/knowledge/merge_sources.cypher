// The memories of one agent in one domain, oldest first (the order in which a merge folds them in).
MATCH (m:Memory {agent_id: $agent_id})
WHERE m.domain = $domain
RETURN m.id AS id
ORDER BY m.created_at, m.id
