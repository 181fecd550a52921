UNWIND $rows AS row
MATCH (p:FailurePattern {id: row.id})
CALL db.create.setNodeVectorProperty(p, 'embedding', row.embedding)
