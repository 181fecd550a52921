// Success patterns: approaches that keep working in similar contexts (replaced on every analysis).
MATCH (old:SuccessPattern)
WHERE NOT old.id IN [p IN $patterns | p.id]
DETACH DELETE old
WITH count(*) AS removed
UNWIND $patterns AS pattern
MERGE (sp:SuccessPattern {id: pattern.id})
SET sp.action = pattern.action, sp.name = pattern.name, sp.analyzed_at = datetime()
WITH sp, pattern
CALL (sp) {
  MATCH (sp)<-[old:INSTANCE_OF]-()
  DELETE old
}
CALL (sp, pattern) {
  UNWIND pattern.members AS member
  MATCH (m:Memory {agent_id: member.agent_id, id: member.id})
  MERGE (m)-[:INSTANCE_OF]->(sp)
  MERGE (a:Action {name: pattern.action})
  MERGE (sp)-[:USES]->(a)
}
RETURN count(sp) AS patterns
