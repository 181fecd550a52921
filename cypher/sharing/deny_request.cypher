// Deny a pending request. Denying again changes nothing. was_pending says whether this call decided it.
MATCH (r:ShareRequest {id: $id, owner_id: $owner_id})
SET r._LOCK_ = true
REMOVE r._LOCK_
WITH r, r.status = 'pending' AS was_pending
SET r.status = CASE WHEN was_pending THEN 'denied' ELSE r.status END,
    r.decided_at = CASE WHEN was_pending THEN datetime() ELSE r.decided_at END
RETURN r {.*} AS request, was_pending
