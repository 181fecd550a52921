MATCH (p:FailurePattern)
RETURN count(p) AS n
