// Every agent that owns memories (the migration maps each to its shard label).
MATCH (m:Memory)
RETURN DISTINCT m.agent_id AS agent_id
