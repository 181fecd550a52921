// Decision templates as $agent_id sees them (every agent's for the operator): name and branches
// come only from the template's decisions that $agent_id may see. $template_ids null: all of them.
// The memories are read from where they can be: the named patterns' ($template_ids), else (for an agent) the
// agent's own and those of owners with a live grant to it, never every agent's (the grant check below still
// decides which of them it sees).
WITH CASE WHEN $agent_id IS NULL THEN null
          ELSE [$agent_id] + COLLECT {
            MATCH (g:ShareGrant {grantee_id: $agent_id})
            WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
            RETURN DISTINCT g.owner_id } END AS owners
CALL (owners) {
  WITH owners WHERE $template_ids IS NOT NULL
  MATCH (t:DecisionTemplate)<-[:INSTANCE_OF]-(m:Memory:Decision) WHERE t.id IN $template_ids
  RETURN t, m
  UNION ALL
  UNWIND CASE WHEN $template_ids IS NULL AND owners IS NULL THEN [true] ELSE [] END AS everything
  CALL (everything) {  // the operator's view: a subquery, so the scan runs only when this branch applies
    MATCH (t:DecisionTemplate)<-[:INSTANCE_OF]-(m:Memory:Decision) WHERE everything
    RETURN t, m
  }
  RETURN t, m
  UNION ALL
  WITH owners WHERE $template_ids IS NULL AND owners IS NOT NULL
  UNWIND owners AS owner
  MATCH (m:Memory:Decision {agent_id: owner})-[:INSTANCE_OF]->(t:DecisionTemplate)
  RETURN t, m
}
WITH DISTINCT t, m
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
WITH t, m ORDER BY m.created_at, m.id
WITH t, head(collect(m.context)) AS first_context, min(m.created_at) AS first_seen, max(m.created_at) AS last_seen,
     [x IN collect(m {.id, .agent_id}) WHERE $agent_id IS NULL OR x.agent_id <> $agent_id][..1000] AS others,
     collect(m) AS decisions
UNWIND decisions AS m
WITH t, first_context, first_seen, last_seen, others, m.chosen_action AS action,
     sum(coalesce(m.occurrences, 1)) AS attempts,
     sum(coalesce(m.success_rate, 0.0) * coalesce(m.occurrences, 1)) AS successes, collect(DISTINCT m.agent_id) AS agents
WHERE t.id IS NOT NULL  // deleted meanwhile (analysis merged it away): left out
RETURN t.id AS id, first_context, first_seen, last_seen, others,
       collect({action: action, attempts: attempts, successes: successes, agents: agents}) AS branches
ORDER BY id
LIMIT $limit
