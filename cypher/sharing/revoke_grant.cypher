MATCH (g:ShareGrant {id: $id})
WHERE $owner_id IS NULL OR g.owner_id = $owner_id
SET g.revoked_at = coalesce(g.revoked_at, datetime())
RETURN g {.*} AS grant
