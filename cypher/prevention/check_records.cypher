// The record of each prevention check in $check_ids as $agent_id may see it ($agent_id null: the operator's,
// everything). A decision counts only when the caller may see it (its own, or shared by a live grant), a
// showing only when it is the caller's own (the agent's count of showings) or a decision the caller sees
// acted on it, and "before" only the decisions older than the first decision the caller sees acting on the
// check. Every read here is bounded by decisions and agents, not by how often a check was shown.
UNWIND $check_ids AS check_id
MATCH (t:CheckTrack {id: check_id})
CALL (t) {
  MATCH (t)<-[a:ACTED_WITH]-(d:Memory:Decision)
  WHERE d.success_rate IS NOT NULL AND ($agent_id IS NULL OR d.agent_id = $agent_id OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: d.agent_id})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND d.id IN g.memory_ids) OR (g.scope = 'domain' AND d.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN d.tags)
            OR (g.scope = 'pattern' AND d.id IN g.memory_ids)) })
  RETURN collect({showing: a.showing, id: d.id, agent_id: d.agent_id, action: d.chosen_action,
                  quality: d.success_rate, at: d.created_at, declared: a.followed, guards: a.guards,
                  better: a.better}) AS acted
}
WITH check_id, t, acted,
     reduce(first = null, x IN acted | CASE WHEN first IS NULL OR x.at < first THEN x.at ELSE first END) AS first
CALL (t) {
  OPTIONAL MATCH (t)<-[c:SAW_CHECK]-(a:Agent)
  WHERE $agent_id IS NULL OR a.id = $agent_id
  RETURN sum(c.showings) AS own_shown
}
WITH check_id, t, acted, first,
     own_shown + size(COLLECT { UNWIND acted AS x WITH x WHERE x.agent_id <> $agent_id
                                RETURN DISTINCT x.showing }) AS shown
CALL (t, first) {
  MATCH (t)-[:BEFORE]->(b:Memory:Decision)
  WHERE b.success_rate IS NOT NULL AND (first IS NULL OR b.created_at < first)
    AND ($agent_id IS NULL OR b.agent_id = $agent_id OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: b.agent_id})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND b.id IN g.memory_ids) OR (g.scope = 'domain' AND b.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN b.tags)
            OR (g.scope = 'pattern' AND b.id IN g.memory_ids)) })
  RETURN collect({id: b.id, agent_id: b.agent_id, quality: b.success_rate}) AS before
}
RETURN check_id, shown, acted, before
