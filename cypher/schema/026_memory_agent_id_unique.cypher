// A memory id is unique within its agent's namespace: the same id used by two agents names two memories.
CREATE CONSTRAINT memory_agent_id_unique IF NOT EXISTS FOR (m:Memory) REQUIRE (m.agent_id, m.id) IS UNIQUE
