// Decision templates with their branches, counted over what $agent_id may see.
MATCH (t:DecisionTemplate)<-[:INSTANCE_OF]-(m:Memory:Decision)
WHERE $agent_id IS NULL
   OR m.agent_id = $agent_id
   OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: m.agent_id})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND m.id IN g.memory_ids)
            OR (g.scope = 'domain' AND m.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN m.tags)
            OR (g.scope = 'pattern' AND g.value = t.id))
      }
WITH t, m.chosen_action AS action, sum(coalesce(m.occurrences, 1)) AS attempts,
     sum(coalesce(m.success_rate, 0.0) * coalesce(m.occurrences, 1)) AS successes, collect(DISTINCT m.agent_id) AS agents,
     min(m.created_at) AS first_seen, max(m.created_at) AS last_seen
RETURN t {.id, .context_signature, .confidence_threshold} AS template,
       collect({action: action, attempts: attempts, successes: successes, agents: agents}) AS branches,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen
ORDER BY template.id
LIMIT $limit
