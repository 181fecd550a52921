// The agent's decision acted on the agent's own live showing $token — never another agent's (both are
// matched on $agent_id) — and a decision acts on one showing only. The decision is linked to each check
// shown there, with the check as shown (guards, better action) and $followed_checks (the checks it says it
// applied), so a check's record reads its decisions without the showings. Linked once: a retry changes
// nothing.
MATCH (s:CheckShowing {id: $token, agent_id: $agent_id})
WHERE s.created_at >= datetime() - duration({seconds: $ttl_s})
MATCH (d:Memory:Decision {id: $memory_id, agent_id: $agent_id})
WHERE NOT EXISTS { (d)-[w:ACTED_WITH]->(:CheckTrack) WHERE w.showing <> s.id }
CALL (s, d) {
  MATCH (s)-[shown:SHOWED]->(t:CheckTrack)
  MERGE (d)-[w:ACTED_WITH]->(t)
    ON CREATE SET w.showing = s.id, w.followed = $followed_checks, w.guards = shown.guards, w.better = shown.better
}
RETURN s.id AS token
