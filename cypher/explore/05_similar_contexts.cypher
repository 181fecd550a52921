// Memories whose context is closest to one memory's context, among every agent's (the vector indexes at
// work: one per memory shard, named on the MemoryShardLayout node).
// First run:  :param agent => 'alice'  and  :param memory => 'seed-002'  (memory ids are per agent)
MATCH (m:Memory {agent_id: $agent, id: $memory}), (layout:MemoryShardLayout {name: 'memory'})
UNWIND layout.indexes AS index
CALL db.index.vector.queryNodes(index, 10, m.context_embedding) YIELD node, score
RETURN node.agent_id AS agent, node.memory_type AS type, node.context AS context, round(score, 3) AS similarity
ORDER BY similarity DESC
LIMIT 10
