// The record of each prevention check in $check_ids as $agent_id may see it ($agent_id null: the operator's,
// everything): decisions count only when the caller may see them (its own, or shared by a live grant), and
// a showing only when it is the caller's own or a decision the caller sees acted on it.
UNWIND $check_ids AS check_id
MATCH (:CheckTrack {id: check_id})<-[shown:SHOWED]-(s:CheckShowing)
CALL (s) {
  OPTIONAL MATCH (d:Memory:Decision)-[a:ACTED_ON]->(s)
  WHERE d IS NOT NULL AND ($agent_id IS NULL OR d.agent_id = $agent_id OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: d.agent_id})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND d.id IN g.memory_ids) OR (g.scope = 'domain' AND d.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN d.tags)
            OR (g.scope = 'pattern' AND EXISTS { (d)-[:INSTANCE_OF]->({id: g.value}) })) })
  RETURN collect(CASE WHEN d IS NULL THEN null ELSE
    {id: d.id, agent_id: d.agent_id, action: d.chosen_action, quality: d.success_rate,
     at: d.created_at, declared: a.followed} END) AS acted
}
WITH check_id, s, shown, acted
WHERE $agent_id IS NULL OR s.agent_id = $agent_id OR size(acted) > 0
CALL (s) {
  OPTIONAL MATCH (s)-[:SAW]->(b:Memory:Decision)
  WHERE b.success_rate IS NOT NULL AND ($agent_id IS NULL OR b.agent_id = $agent_id OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: b.agent_id})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND b.id IN g.memory_ids) OR (g.scope = 'domain' AND b.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN b.tags)
            OR (g.scope = 'pattern' AND EXISTS { (b)-[:INSTANCE_OF]->({id: g.value}) })) })
  RETURN collect(CASE WHEN b IS NULL THEN null ELSE
    {id: b.id, agent_id: b.agent_id, quality: b.success_rate, at: b.created_at} END) AS saw
}
RETURN check_id, s.id AS showing, s.agent_id AS agent_id, shown.guards AS guards, shown.better AS better, acted, saw
