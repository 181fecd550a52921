// Delete up to $limit showings whose tokens are past their time ($ttl_s seconds): no decision can act on
// them any more, and the records keep what they counted (the agents' showing counts, the decisions'
// links to the checks).
MATCH (s:CheckShowing)
WHERE s.created_at < datetime() - duration({seconds: $ttl_s})
WITH s LIMIT $limit
DETACH DELETE s
RETURN count(*) AS removed
