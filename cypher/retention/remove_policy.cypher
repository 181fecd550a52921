MATCH (p:RetentionPolicy {id: $id})
WITH p, p {.*} AS policy
DELETE p
RETURN policy
