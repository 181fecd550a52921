// Whether $token is a showing of prevention checks issued to $agent_id (another agent's reads as none).
OPTIONAL MATCH (s:CheckShowing {id: $token, agent_id: $agent_id})
RETURN s IS NOT NULL AS found
