// Migration: a pattern-scoped grant covered whatever was linked to its pattern at read time, so re-homing
// by analysis could widen it. Now it covers the owner's memories in the pattern when it was given
// (memory_ids, snapshot_at: see engram.privacy.consent). Grants from before get the links they cover today.
MATCH (g:ShareGrant {scope: 'pattern'})
WHERE g.snapshot_at IS NULL
SET g.memory_ids = COLLECT { MATCH (m:Memory {agent_id: g.owner_id})-[:INSTANCE_OF]->(p)
                             WHERE p.id = g.value RETURN DISTINCT m.id ORDER BY m.id },
    g.snapshot_at = datetime()
