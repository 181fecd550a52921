// Migration: memory ids were one global namespace, now they are per agent (026_memory_agent_id_unique).
DROP CONSTRAINT memory_id_unique IF EXISTS
