// Append hashed events (computed under the head lock taken in this transaction) and move the head.
UNWIND $rows AS row
CREATE (e:AuditEvent)
SET e = row, e.at = datetime(row.at)
WITH count(e) AS appended
MATCH (h:AuditHead {id: 'audit'})
SET h.seq = $head_seq, h.hash = $head_hash
RETURN appended
