CALL db.index.vector.queryNodes('decision_template_embedding', 1, $embedding) YIELD node AS t, score
WHERE score >= $min_score
RETURN t.id AS id, score
