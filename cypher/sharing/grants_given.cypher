// Grants an owner has given, newest first. With $live_only only those not revoked and not expired.
MATCH (g:ShareGrant {owner_id: $agent_id})
WHERE NOT $live_only OR (g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime()))
RETURN g {.*} AS grant
ORDER BY g.created_at DESC, g.id
