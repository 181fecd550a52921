// Failure patterns as $agent_id sees them (every agent's for the operator, $agent_id null): every
// field is aggregated over the pattern's failures that $agent_id may see, never over the rest.
// $pattern_ids null: all such patterns. $recurring: only those with (>= $recurring_at visible occurrences) = it.
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
  MATCH (p:FailurePattern)<-[:INSTANCE_OF]-(f:Memory:Failure) WHERE p.id IN $pattern_ids
  RETURN p, f
  UNION ALL
  UNWIND CASE WHEN $pattern_ids IS NULL AND owners IS NULL THEN [true] ELSE [] END AS everything
  CALL (everything) {  // the operator's view: a subquery, so the scan runs only when this branch applies
    MATCH (p:FailurePattern)<-[:INSTANCE_OF]-(f:Memory:Failure) WHERE everything
    RETURN p, f
  }
  RETURN p, f
  UNION ALL
  WITH owners WHERE $pattern_ids IS NULL AND owners IS NOT NULL
  UNWIND owners AS owner
  MATCH (f:Memory:Failure {agent_id: owner})-[:INSTANCE_OF]->(p:FailurePattern)
  RETURN p, f
}
WITH DISTINCT p, f
WHERE ($since IS NULL OR f.created_at >= datetime($since))
  AND ($agent_id IS NULL
   OR f.agent_id = $agent_id
   OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: f.agent_id})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND f.id IN g.memory_ids)
            OR (g.scope = 'domain' AND f.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN f.tags)
            OR (g.scope = 'pattern' AND f.id IN g.memory_ids))
      })
WITH p, f ORDER BY f.created_at, f.id
WITH p, f, [(f)-[r:RESOLVED_BY]->(s:Solution) | {id: s.id, description: s.description, worked: r.worked,
                                                   agent_id: f.agent_id}] AS uses
WITH p, sum(coalesce(f.occurrences, 1)) AS occurrences, collect(DISTINCT f.agent_id) AS agents,
     min(f.created_at) AS first_seen, max(f.created_at) AS last_seen,
     head(collect(f {.context, .error_signature})) AS first,
     collect(DISTINCT f.context)[..5] AS contexts, collect(DISTINCT f.domain) AS domains,
     collect(DISTINCT f.root_cause) AS root_causes, collect(DISTINCT f.prevention_strategy) AS strategies,
     reduce(flat = [], u IN collect(uses) | flat + u) AS uses,
     [x IN collect(f.failed_action) WHERE x IS NOT NULL] AS causes,
     [x IN collect(f {.id, .agent_id}) WHERE $agent_id IS NULL OR x.agent_id <> $agent_id][..1000] AS others
WHERE $recurring IS NULL OR (occurrences >= $recurring_at) = $recurring
RETURN p.id AS id, occurrences, agents, first_seen, last_seen, first, contexts, domains, root_causes, strategies,
       uses, causes, others, [(p)-[:PREVENTED_BY]->(:PreventionCheck)-[:IN_STAGE]->(st:WorkflowStage) | st.name][0] AS stage
ORDER BY occurrences DESC, id
LIMIT $limit
