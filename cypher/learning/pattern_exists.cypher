OPTIONAL MATCH (f:FailurePattern {id: $id})
OPTIONAL MATCH (s:SuccessPattern {id: $id})
OPTIONAL MATCH (t:DecisionTemplate {id: $id})
RETURN CASE WHEN f IS NOT NULL THEN 'failure' WHEN s IS NOT NULL THEN 'success'
            WHEN t IS NOT NULL THEN 'decision' ELSE null END AS kind
