// Decision templates as $agent_id sees them (every agent's for the operator): name and branches
// come only from the template's decisions that $agent_id may see. $template_ids null: all of them.
MATCH (t:DecisionTemplate)<-[:INSTANCE_OF]-(m:Memory:Decision)
WHERE ($template_ids IS NULL OR t.id IN $template_ids)
  AND ($agent_id IS NULL
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
RETURN t.id AS id, first_context, first_seen, last_seen, others,
       collect({action: action, attempts: attempts, successes: successes, agents: agents}) AS branches
ORDER BY id
LIMIT $limit
