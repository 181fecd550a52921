// Whether $token is a live showing of prevention checks issued to $agent_id (another agent's, or one older
// than $ttl_s seconds, reads as none).
OPTIONAL MATCH (s:CheckShowing {id: $token, agent_id: $agent_id})
WHERE s.created_at >= datetime() - duration({seconds: $ttl_s})
RETURN s IS NOT NULL AS found
