// Migration: task ids were one global namespace, now they are per agent (027_task_agent_id_unique).
DROP CONSTRAINT task_id_unique IF EXISTS
