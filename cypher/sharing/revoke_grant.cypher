// Revoke at once (every read path checks revoked_at). Revoking again keeps the first time.
// The grant is locked before it is read, so exactly one concurrent caller sees was_live.
MATCH (g:ShareGrant {id: $id})
WHERE $owner_id IS NULL OR g.owner_id = $owner_id
SET g._LOCK_ = true
REMOVE g._LOCK_
WITH g, g.revoked_at IS NULL AS was_live
SET g.revoked_at = coalesce(g.revoked_at, datetime())
RETURN g {.*} AS grant, was_live
