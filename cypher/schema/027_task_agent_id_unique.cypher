// A task id is unique within its agent's namespace.
CREATE CONSTRAINT task_agent_id_unique IF NOT EXISTS FOR (t:Task) REQUIRE (t.agent_id, t.id) IS UNIQUE
