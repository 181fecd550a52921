// Every agent's events (operator view), newest first.
MATCH (e:AuditEvent)
WHERE ($since IS NULL OR e.at >= datetime($since)) AND ($types IS NULL OR e.type IN $types)
RETURN e {.*} AS event
ORDER BY e.seq DESC
LIMIT $limit
