// Memories whose context is closest to one memory's context (the vector index at work).
// First run:  :param agent => 'alice'  and  :param memory => 'seed-002'  (memory ids are per agent)
MATCH (m:Memory {agent_id: $agent, id: $memory})
CALL db.index.vector.queryNodes('memory_context_embedding', 10, m.context_embedding) YIELD node, score
RETURN node.agent_id AS agent, node.memory_type AS type, node.context AS context, round(score, 3) AS similarity
ORDER BY similarity DESC
