// Which of $ids are the owner's memories and covered by a scope (the rule every read path applies).
UNWIND $ids AS id
MATCH (m:Memory {id: id, agent_id: $owner_id})
WHERE ($scope = 'memory' AND m.id IN $memory_ids)
   OR ($scope = 'domain' AND m.domain = $value)
   OR ($scope = 'tag' AND $value IN m.tags)
   OR ($scope = 'pattern' AND EXISTS { (m)-[:INSTANCE_OF]->({id: $value}) })
RETURN m.id AS id
