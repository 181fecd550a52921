// Move failures to the pattern analysis assigned them to, creating that pattern when new.
UNWIND $links AS link
MATCH (f:Memory {agent_id: link.agent_id, id: link.failure_id})
MERGE (p:FailurePattern {id: link.pattern_id})
  ON CREATE SET p.signature = link.signature, p.name = link.name, p.created_at = datetime(), p.occurrence_count = 0,
                p.first_seen = f.created_at, p.last_seen = f.created_at, p.recurring = false, p.agents = []
WITH f, p
OPTIONAL MATCH (f)-[old:INSTANCE_OF]->(other:FailurePattern)
WHERE other <> p
DELETE old
MERGE (f)-[:INSTANCE_OF]->(p)
