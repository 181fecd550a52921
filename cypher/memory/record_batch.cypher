// Idempotent batch write: a memory id the agent holds already is left exactly as it is. Ids are per
// agent: another agent's memory with the same id is a different memory, never read or touched here.
// row.shard_label is the owner's memory shard (engram.storage.shards), whose vector index holds the memory.
UNWIND $rows AS row
MERGE (a:Agent {id: row.agent_id})
  ON CREATE SET a.name = row.agent_id, a.created_at = datetime()
WITH a, row
OPTIONAL MATCH (existing:Memory {agent_id: row.agent_id, id: row.id})
WITH a, row, existing IS NULL AS is_new
MERGE (m:Memory {agent_id: row.agent_id, id: row.id})
  ON CREATE SET m += row.props,
                m.created_at = datetime(row.created_at),
                m.first_seen = datetime(row.created_at),
                m.last_seen = datetime(row.created_at),
                m.access_count = 0,
                m.occurrences = 1
WITH a, row, m, is_new
CALL (m, row, is_new) {
  WITH m, row WHERE is_new
  SET m:$([row.label, row.shard_label])
  WITH m, row
  CALL db.create.setNodeVectorProperty(m, 'context_embedding', row.embedding)
}
FOREACH (_ IN CASE WHEN is_new THEN [1] ELSE [] END |
  MERGE (a)-[:REMEMBERS]->(m)
  FOREACH (tag IN row.tags | MERGE (t:Tag {name: tag}) MERGE (m)-[:TAGGED]->(t))
  FOREACH (d IN row.domains | MERGE (dn:Domain {name: d}) MERGE (m)-[:IN_DOMAIN]->(dn))
  FOREACH (act IN row.actions | MERGE (ac:Action {name: act}) MERGE (m)-[:CHOSE]->(ac))
  FOREACH (alt IN row.alternatives | MERGE (ac:Action {name: alt}) MERGE (m)-[:CONSIDERED]->(ac))
  FOREACH (p IN row.partners |
    MERGE (pa:Agent {id: p}) ON CREATE SET pa.name = p, pa.created_at = datetime()
    MERGE (m)-[:WITH_PARTNER]->(pa))
  FOREACH (e IN row.entities | MERGE (en:Entity {name: e}) MERGE (m)-[:ABOUT]->(en))
)
WITH row, m, is_new
CALL (m, row, is_new) {
  WITH m, row WHERE is_new AND row.props.task_id IS NOT NULL
  MATCH (t:Task {agent_id: row.agent_id, id: row.props.task_id})
  MERGE (m)-[:DURING]->(t)
}
RETURN row.id AS id, is_new
