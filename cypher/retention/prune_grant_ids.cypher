// Deleted memories leave their owner's memory- and pattern-scoped grants (both list the ids they cover), so
// a later memory reusing an id is not shared by accident. $gone: [{owner, ids}] (a grant's memory ids are its owner's).
UNWIND $gone AS deleted
MATCH (g:ShareGrant {owner_id: deleted.owner})
WHERE g.scope IN ['memory', 'pattern'] AND any(i IN g.memory_ids WHERE i IN deleted.ids)
SET g.memory_ids = [i IN g.memory_ids WHERE NOT i IN deleted.ids]
