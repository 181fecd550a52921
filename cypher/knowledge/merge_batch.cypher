// Merge a batch of $from_agent's memories into $into, one memory at a time (each CALL sees the
// previous one's writes). Consent is checked here too, so a revoke stops a merge between batches.
//  * merged before (an IMPORTED_FROM {memory_id} link exists)       → unchanged
//  * $into has the same memory (kind, context, action, outcome)      → combined: occurrences add up,
//    the time range widens, success rates are weighted by occurrences, provenance is linked
//  * otherwise                                                       → created: a copy owned by $into
//    (id $rows.copy_id) in $into's memory shard ($into_shard_label), with its embedding, vocabulary links,
//    patterns and provenance
MATCH (g:ShareGrant {owner_id: $from_agent, grantee_id: $into, scope: 'domain', value: $domain})
WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
WITH count(g) AS grants
WHERE grants > 0
MERGE (target:Agent {id: $into}) ON CREATE SET target.name = $into, target.created_at = datetime()
MERGE (source:Agent {id: $from_agent}) ON CREATE SET source.name = $from_agent, source.created_at = datetime()
WITH target, source
UNWIND $rows AS row
MATCH (src:Memory {id: row.id, agent_id: $from_agent})
WHERE src.domain = $domain
CALL (src, row, target, source) {
  OPTIONAL MATCH (done:Memory {agent_id: $into})-[:IMPORTED_FROM {memory_id: src.id}]->(source)
  OPTIONAL MATCH (same:Memory {agent_id: $into, memory_type: src.memory_type, context: src.context})
  WHERE coalesce(same.chosen_action, same.successful_approach, same.solution_applied, '')
          = coalesce(src.chosen_action, src.successful_approach, src.solution_applied, '')
    AND coalesce(same.outcome, '') = coalesce(src.outcome, '')
  WITH src, row, target, source, head(collect(DISTINCT done)) AS done, same
  ORDER BY same.created_at, same.id
  WITH src, row, target, source, done, head(collect(same)) AS same
  CALL (src, row, target, source, done, same) {
    WITH * WHERE done IS NOT NULL
    RETURN done.id AS target_id, 'unchanged' AS result
    UNION
    WITH * WHERE done IS NULL AND same IS NOT NULL
    WITH same, src, source, coalesce(same.occurrences, 1) AS n1, coalesce(src.occurrences, 1) AS n2
    SET same.success_rate = CASE
          WHEN same.success_rate IS NULL THEN src.success_rate
          WHEN src.success_rate IS NULL THEN same.success_rate
          ELSE (same.success_rate * n1 + src.success_rate * n2) / (n1 + n2) END,
        same.occurrences = n1 + n2,
        same.first_seen = CASE WHEN src.first_seen < same.first_seen THEN src.first_seen ELSE same.first_seen END,
        same.last_seen = CASE WHEN src.last_seen > same.last_seen THEN src.last_seen ELSE same.last_seen END,
        same.confidence_score = CASE WHEN src.confidence_score > same.confidence_score
                                     THEN src.confidence_score ELSE same.confidence_score END
    MERGE (same)-[:IMPORTED_FROM {memory_id: src.id}]->(source)
    WITH same, src
    CALL (same, src) {
      MATCH (src)-[:INSTANCE_OF]->(p)
      MERGE (same)-[:INSTANCE_OF]->(p)
    }
    RETURN same.id AS target_id, 'combined' AS result
    UNION
    WITH * WHERE done IS NULL AND same IS NULL
    MERGE (copy:Memory {agent_id: $into, id: row.copy_id})
      ON CREATE SET copy += src {.*, id: row.copy_id, agent_id: $into, access_count: 0, last_accessed: null}
    SET copy:$([l IN labels(src) WHERE NOT l STARTS WITH 'MemoryShard'] + [$into_shard_label])
    WITH copy, src, target, source
    CALL db.create.setNodeVectorProperty(copy, 'context_embedding', src.context_embedding)
    MERGE (target)-[:REMEMBERS]->(copy)
    MERGE (copy)-[:IMPORTED_FROM {memory_id: src.id}]->(source)
    WITH copy, src
    CALL (copy, src) {
      MATCH (src)-[r:TAGGED|IN_DOMAIN|CHOSE|CONSIDERED|WITH_PARTNER|ABOUT|INSTANCE_OF]->(x)
      MERGE (copy)-[nr:$(type(r))]->(x)
      SET nr += properties(r)
    }
    CALL (copy, src) {
      MATCH (src)-[r:IMPORTED_FROM]->(earlier:Agent)
      WHERE earlier.id <> $into
      MERGE (copy)-[:IMPORTED_FROM {memory_id: r.memory_id}]->(earlier)
    }
    RETURN copy.id AS target_id, 'created' AS result
  }
  RETURN target_id, result
}
RETURN src.id AS source_id, target_id, result
