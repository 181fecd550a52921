// Deleted memories leave their owner's memory-scoped grants, so a later memory reusing an id is not shared
// by accident. $gone: [{owner, ids}] (a grant's memory ids are its owner's).
UNWIND $gone AS deleted
MATCH (g:ShareGrant {scope: 'memory', owner_id: deleted.owner})
WHERE any(i IN g.memory_ids WHERE i IN deleted.ids)
SET g.memory_ids = [i IN g.memory_ids WHERE NOT i IN deleted.ids]
