UNWIND $ids AS id
MATCH (e:AuditEvent {id: id})
RETURN e {.*} AS event
ORDER BY e.seq
