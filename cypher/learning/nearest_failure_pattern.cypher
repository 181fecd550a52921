CALL db.index.vector.queryNodes('failure_pattern_embedding', 1, $embedding) YIELD node AS p, score
WHERE score >= $min_score
RETURN p.id AS id, score
