// The policies that can govern an agent's memories (its own and the '*' ones), or all of them.
MATCH (p:RetentionPolicy)
WHERE $agent_id IS NULL OR p.agent_id IN [$agent_id, '*']
RETURN p {.*} AS policy
ORDER BY p.agent_id, p.memory_type
