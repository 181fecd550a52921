// Remove a pattern's derived checks that its evidence no longer supports (reported ones stay).
MATCH (p:FailurePattern {id: $pattern_id})-[:PREVENTED_BY]->(c:PreventionCheck)
WHERE c.source IN $derived_sources AND NOT c.id IN $keep_ids
DETACH DELETE c
RETURN count(*) AS removed
