// Deleted memories leave memory-scoped grants, so a later memory reusing an id is not shared by accident.
MATCH (g:ShareGrant {scope: 'memory'})
WHERE any(i IN g.memory_ids WHERE i IN $ids)
SET g.memory_ids = [i IN g.memory_ids WHERE NOT i IN $ids]
