// A live, scoped, time-bounded consent from owner to grantee (idempotent on id).
MERGE (owner:Agent {id: $owner_id}) ON CREATE SET owner.name = $owner_id, owner.created_at = datetime()
MERGE (grantee:Agent {id: $grantee_id}) ON CREATE SET grantee.name = $grantee_id, grantee.created_at = datetime()
MERGE (g:ShareGrant {id: $id})
  ON CREATE SET g.owner_id = $owner_id, g.grantee_id = $grantee_id, g.scope = $scope, g.value = $value,
                g.memory_ids = $memory_ids, g.created_at = datetime(),
                g.expires_at = CASE WHEN $expires_at IS NULL THEN null ELSE datetime($expires_at) END
MERGE (owner)-[:GRANTED]->(g)
MERGE (g)-[:TO]->(grantee)
RETURN g {.*} AS grant
