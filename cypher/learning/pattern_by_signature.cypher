MATCH (p:FailurePattern {signature: $signature})
RETURN p.id AS id
ORDER BY p.created_at
LIMIT 1
