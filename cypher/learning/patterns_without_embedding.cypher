MATCH (p:FailurePattern)
WHERE p.embedding IS NULL
RETURN p.id AS id, p.signature AS signature
