// Who shares what with whom, and the memories each live grant covers.
MATCH (owner:Agent)-[:GRANTED]->(g:ShareGrant)-[:TO]->(grantee:Agent)
WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
OPTIONAL MATCH (owner)-[:REMEMBERS]->(m:Memory)
WHERE (g.scope = 'domain' AND m.domain = g.value)
   OR (g.scope = 'tag' AND g.value IN m.tags)
   OR (g.scope = 'memory' AND m.id IN g.memory_ids)
RETURN owner, g, grantee, m
LIMIT 200
