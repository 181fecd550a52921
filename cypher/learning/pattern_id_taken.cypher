MATCH (p:FailurePattern {id: $id})
RETURN p.signature AS signature
