// Failure patterns as $agent_id sees them (every agent's for the operator, $agent_id null): every
// field is aggregated over the pattern's failures that $agent_id may see, never over the rest.
// $pattern_ids null: all such patterns. $recurring: only those with (>= $recurring_at visible occurrences) = it.
// The memories are read from where they can be: the named patterns' ($pattern_ids), else (for an agent) the
// agent's own and those of owners with a live grant to it, never every agent's (the grant check below still
// decides which of them it sees). The operator's owners are every agent with a failure.
WITH CASE WHEN $pattern_ids IS NOT NULL THEN []
          WHEN $agent_id IS NULL THEN COLLECT { MATCH (m:Memory:Failure) RETURN DISTINCT m.agent_id }
          ELSE [$agent_id] + COLLECT {
            MATCH (g:ShareGrant {grantee_id: $agent_id})
            WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
            RETURN DISTINCT g.owner_id } END AS owners
// Both branches start from an index seek the hints pin down: left to itself, the planner sometimes picked a
// scan of every failure while the graph was small and kept that plan as it grew.
CALL (owners) {
  UNWIND coalesce($pattern_ids, []) AS pattern_id
  MATCH (p:FailurePattern {id: pattern_id})<-[:INSTANCE_OF]-(f:Memory:Failure)
  USING INDEX SEEK p:FailurePattern(id)
  RETURN p, f
  UNION ALL
  UNWIND owners AS owner
  MATCH (f:Memory:Failure {agent_id: owner})-[:INSTANCE_OF]->(p:FailurePattern)
  USING INDEX SEEK f:Memory(agent_id)
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
WHERE ($recurring IS NULL OR (occurrences >= $recurring_at) = $recurring)
  AND p.id IS NOT NULL  // deleted meanwhile (analysis merged it away): left out
RETURN p.id AS id, occurrences, agents, first_seen, last_seen, first, contexts, domains, root_causes, strategies,
       uses, causes, others, [(p)-[:PREVENTED_BY]->(:PreventionCheck)-[:IN_STAGE]->(st:WorkflowStage) | st.name][0] AS stage
ORDER BY occurrences DESC, id
LIMIT $limit
