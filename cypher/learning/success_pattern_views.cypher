// Success patterns as $agent_id sees them (every agent's for the operator), counted over the
// memories $agent_id may see. $pattern_ids null: all of them.
// The memories are read from where they can be: the named patterns' ($pattern_ids), else (for an agent) the
// agent's own and those of owners with a live grant to it, never every agent's (the grant check below still
// decides which of them it sees).
WITH CASE WHEN $agent_id IS NULL THEN null
          ELSE [$agent_id] + COLLECT {
            MATCH (g:ShareGrant {grantee_id: $agent_id})
            WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
            RETURN DISTINCT g.owner_id } END AS owners
CALL (owners) {
  WITH owners WHERE $pattern_ids IS NOT NULL
  MATCH (sp:SuccessPattern)<-[:INSTANCE_OF]-(m:Memory) WHERE sp.id IN $pattern_ids
  RETURN sp, m
  UNION ALL
  UNWIND CASE WHEN $pattern_ids IS NULL AND owners IS NULL THEN [true] ELSE [] END AS everything
  CALL (everything) {  // the operator's view: a subquery, so the scan runs only when this branch applies
    MATCH (sp:SuccessPattern)<-[:INSTANCE_OF]-(m:Memory) WHERE everything
    RETURN sp, m
  }
  RETURN sp, m
  UNION ALL
  WITH owners WHERE $pattern_ids IS NULL AND owners IS NOT NULL
  UNWIND owners AS owner
  MATCH (m:Memory {agent_id: owner})-[:INSTANCE_OF]->(sp:SuccessPattern)
  RETURN sp, m
}
WITH DISTINCT sp, m
WHERE ($agent_id IS NULL
   OR m.agent_id = $agent_id
   OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: m.agent_id})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND m.id IN g.memory_ids)
            OR (g.scope = 'domain' AND m.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN m.tags)
            OR (g.scope = 'pattern' AND m.id IN g.memory_ids))
      })
WITH sp, sum(coalesce(m.occurrences, 1)) AS attempts, sum(coalesce(m.success_rate, 0.0) * coalesce(m.occurrences, 1)) AS successes,
     collect(DISTINCT m.agent_id) AS agents, min(m.created_at) AS first_seen, max(m.created_at) AS last_seen,
     collect(DISTINCT m.context)[..5] AS contexts, collect(DISTINCT m.domain) AS domains,
     [s IN collect(m.replication_steps) WHERE s IS NOT NULL AND size(s) > 0][0] AS steps,
     [x IN collect(m {.id, .agent_id}) WHERE $agent_id IS NULL OR x.agent_id <> $agent_id][..1000] AS others
WHERE sp.id IS NOT NULL  // deleted meanwhile (analysis replaced it): left out
RETURN sp.id AS id, sp.action AS action, attempts, successes, agents, first_seen, last_seen, contexts, domains,
       steps, others
ORDER BY attempts DESC, id
LIMIT $limit
