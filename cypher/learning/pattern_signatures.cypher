MATCH (p:FailurePattern)
RETURN p.id AS id, p.signature AS signature, coalesce(p.merged_signatures, []) AS merged
