// Create a grant unless it exists already: the same id (a granted request), or, when $match_live,
// an identical live grant from the same owner. The owner is locked first, so concurrent identical
// grants create one. Granting a request marks it granted and links it to the grant. A pattern-scoped grant's
// memory_ids are the owner's memories in the pattern when it is given (snapshot_at): what it covers.
MERGE (owner:Agent {id: $owner_id}) ON CREATE SET owner.name = $owner_id, owner.created_at = datetime()
MERGE (grantee:Agent {id: $grantee_id}) ON CREATE SET grantee.name = $grantee_id, grantee.created_at = datetime()
SET owner._LOCK_ = true
REMOVE owner._LOCK_
WITH owner, grantee
OPTIONAL MATCH (byId:ShareGrant {id: $id})
OPTIONAL MATCH (same:ShareGrant {owner_id: $owner_id, grantee_id: $grantee_id, scope: $scope})
WHERE $match_live AND same.revoked_at IS NULL AND (same.expires_at IS NULL OR same.expires_at > datetime())
  AND coalesce(same.value, '') = coalesce($value, '') AND same.memory_ids = $memory_ids
WITH owner, grantee, byId, head(collect(same)) AS same
WITH owner, grantee, coalesce(byId, same) AS found
CALL (owner, grantee, found) {
  WITH owner, grantee, found WHERE found IS NULL
  CREATE (g:ShareGrant {id: $id, owner_id: $owner_id, grantee_id: $grantee_id, scope: $scope, value: $value,
                        memory_ids: $memory_ids, created_at: datetime(), expires_at: datetime($expires_at),
                        request_id: $request_id, snapshot_at: CASE WHEN $scope = 'pattern' THEN datetime() END})
  CREATE (owner)-[:GRANTED]->(g)-[:TO]->(grantee)
  RETURN g, true AS created
  UNION
  WITH found WHERE found IS NOT NULL
  RETURN found AS g, false AS created
}
OPTIONAL MATCH (r:ShareRequest {id: $request_id})
FOREACH (_ IN CASE WHEN r IS NULL THEN [] ELSE [1] END |
  SET r.status = 'granted', r.decided_at = coalesce(r.decided_at, datetime()), r.grant_id = g.id
  MERGE (r)-[:RESULTED_IN]->(g))
RETURN g {.*} AS grant, created
