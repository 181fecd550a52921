// What the store path does not carry over for imported memories: counts, time range, provenance
// (-[:IMPORTED_FROM {memory_id}]->(:Agent)) and the patterns they are instances of. Safe to repeat.
UNWIND $rows AS row
MATCH (m:Memory {agent_id: row.agent_id, id: row.id})
SET m.occurrences = row.occurrences,
    m.first_seen = datetime(row.first_seen),
    m.last_seen = datetime(row.last_seen),
    m.success_rate = row.success_rate
WITH m, row
CALL (m, row) {
  UNWIND row.provenance AS source
  MERGE (a:Agent {id: source.agent_id}) ON CREATE SET a.name = source.agent_id, a.created_at = datetime()
  MERGE (m)-[:IMPORTED_FROM {memory_id: source.memory_id}]->(a)
}
// A pattern keeps the document's id only where the owner already has a part in it (a memory of its own under
// the same label): then the import rejoins it. Otherwise the pattern takes $rows' own_id, an id in the owner's
// namespace, whether the document's id is unused or another agent's: an import never joins a pattern the owner
// has no part in (that would widen another agent's pattern grant), never creates or reuses an id anybody else
// may come to hold, and answers the same either way, so it tells nothing of which ids exist.
CALL (m, row) {
  UNWIND row.patterns AS pattern
  OPTIONAL MATCH (existing:FailurePattern|DecisionTemplate|SuccessPattern {id: pattern.id})
  WITH m, pattern, collect(existing) AS existing
  WITH m, pattern,
       CASE WHEN size(existing) > 0
                 AND all(e IN existing WHERE pattern.label IN labels(e)
                                         AND EXISTS { MATCH (:Memory {agent_id: m.agent_id})-[:INSTANCE_OF]->(e) })
            THEN pattern.id ELSE pattern.own_id END AS id
  MERGE (p:$(pattern.label) {id: id})
    ON CREATE SET p += pattern.props, p.created_at = datetime(), p.imported = true
  MERGE (m)-[:INSTANCE_OF]->(p)
}
RETURN count(m) AS applied
