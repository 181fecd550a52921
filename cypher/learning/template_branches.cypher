MATCH (t:DecisionTemplate {id: $template_id})-[b:BRANCH]->(a:Action)
RETURN a.name AS action, b.attempts AS attempts, b.successes AS successes, b.last_seen AS last_seen
ORDER BY b.successes DESC
