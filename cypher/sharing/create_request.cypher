// Ask an owner for access. An identical pending request is returned instead of a second one.
// The owner is locked first so concurrent identical requests create one.
MERGE (owner:Agent {id: $owner_id}) ON CREATE SET owner.name = $owner_id, owner.created_at = datetime()
MERGE (requester:Agent {id: $requester_id}) ON CREATE SET requester.name = $requester_id, requester.created_at = datetime()
SET owner._LOCK_ = true
REMOVE owner._LOCK_
WITH owner, requester
OPTIONAL MATCH (same:ShareRequest {owner_id: $owner_id, requester_id: $requester_id, status: 'pending', scope: $scope})
WHERE coalesce(same.value, '') = coalesce($value, '') AND same.memory_ids = $memory_ids
WITH owner, requester, head(collect(same)) AS found
CALL (owner, requester, found) {
  WITH owner, requester, found WHERE found IS NULL
  CREATE (r:ShareRequest {id: $id, requester_id: $requester_id, owner_id: $owner_id, scope: $scope, value: $value,
                          memory_ids: $memory_ids, reason: $reason, status: 'pending', created_at: datetime(),
                          duration_s: $duration_s})
  CREATE (requester)-[:REQUESTED]->(r)-[:ASKS]->(owner)
  RETURN r, true AS created
  UNION
  WITH found WHERE found IS NOT NULL
  RETURN found AS r, false AS created
}
RETURN r {.*} AS request, created
