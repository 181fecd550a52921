// Failures of every agent with the fix that was applied: what others already learned.
MATCH (a:Agent)-[:REMEMBERS]->(f:Memory:Failure)
OPTIONAL MATCH (f)-[:CHOSE]->(fix:Action)
RETURN a, f, fix
LIMIT 200
