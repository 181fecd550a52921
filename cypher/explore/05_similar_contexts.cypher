// Memories whose context is closest to one memory's context, among every agent's (the vector indexes at
// work: one per memory shard label MemoryShardNN, named memory_shard_NN_embedding).
// First run:  :param agent => 'alice'  and  :param memory => 'seed-002'  (memory ids are per agent)
MATCH (m:Memory {agent_id: $agent, id: $memory})
CALL db.labels() YIELD label
WITH m, label WHERE label STARTS WITH 'MemoryShard' AND label <> 'MemoryShardLayout'
CALL db.index.vector.queryNodes('memory_shard_' + substring(label, size('MemoryShard')) + '_embedding', 10,
                                m.context_embedding) YIELD node, score
RETURN node.agent_id AS agent, node.memory_type AS type, node.context AS context, round(score, 3) AS similarity
ORDER BY similarity DESC
LIMIT 10
