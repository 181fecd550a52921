// The chain in sequence order, a page at a time (for verification).
MATCH (e:AuditEvent)
WHERE e.seq > $after
RETURN e {.*} AS event
ORDER BY e.seq
LIMIT $limit
